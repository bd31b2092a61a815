//! `GET /admin/discounts`: every code with its terms and how often it was used, and the form
//! that makes a new one.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use time::OffsetDateTime;

use super::form::DiscountFields;
use crate::admin::format::format_time;
use crate::db::DbPool;
use crate::discounts::DiscountCode;
use crate::discounts::db;
use crate::domain::{Currency, Money};
use crate::error::AppError;
use crate::page::PageContext;

/// One code as the list shows it.
pub struct Row {
    pub code: DiscountCode,
    /// The shop's currency, for a percentage code's minimum.
    currency: Currency,
    now: OffsetDateTime,
}

impl Row {
    /// "10% off" or "$5.00 off".
    pub fn takes(&self) -> String {
        match (self.code.percent_off, self.code.amount_off_minor) {
            (Some(percent), _) => format!("{percent}% off"),
            (None, Some(amount)) => format!(
                "{} off",
                Money::new(amount, self.code.currency.unwrap_or(self.currency))
            ),
            (None, None) => String::new(),
        }
    }

    pub fn minimum(&self) -> String {
        self.code.min_items_minor.map_or_else(
            || "none".to_owned(),
            |min| Money::new(min, self.code.currency.unwrap_or(self.currency)).to_string(),
        )
    }

    pub fn expires(&self) -> String {
        self.code
            .expires_at
            .map_or_else(|| "never".to_owned(), format_time)
    }

    /// "3 of 10" or "3 (no limit)".
    pub fn used(&self) -> String {
        match self.code.usage_limit {
            Some(limit) => format!("{} of {limit}", self.code.times_used),
            None => format!("{} (no limit)", self.code.times_used),
        }
    }

    /// Whether a new order can use it now, in the owner's words.
    pub fn state(&self) -> &'static str {
        if !self.code.active {
            "Deactivated"
        } else if self.code.expires_at.is_some_and(|at| at <= self.now) {
            "Expired"
        } else if self
            .code
            .usage_limit
            .is_some_and(|limit| self.code.times_used >= limit)
        {
            "Used up"
        } else {
            "Active"
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/discounts.html")]
pub struct DiscountsPage {
    pub ctx: PageContext,
    pub rows: Vec<Row>,
    pub currency: Currency,
    pub fields: DiscountFields,
    pub errors: Vec<String>,
}

impl DiscountsPage {
    pub async fn load(
        ctx: PageContext,
        pool: &DbPool,
        currency: Currency,
        fields: DiscountFields,
        errors: Vec<String>,
    ) -> Result<Self, AppError> {
        let mut conn = pool.get().await?;
        let now = OffsetDateTime::now_utc();
        let rows = db::all(&mut conn)
            .await?
            .into_iter()
            .map(|code| Row {
                code,
                currency,
                now,
            })
            .collect();
        Ok(Self {
            ctx,
            rows,
            currency,
            fields,
            errors,
        })
    }
}

#[tracing::instrument(skip_all)]
pub async fn list(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    settings: web::Data<crate::config::Settings>,
) -> Result<DiscountsPage, AppError> {
    DiscountsPage::load(
        ctx,
        &pool,
        settings.currency,
        DiscountFields::default(),
        Vec::new(),
    )
    .await
}
