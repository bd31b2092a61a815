//! `GET /admin/tax`: every country's rate, the countries the shop ships to without one, and
//! the form that sets a rate.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use super::form::RateFields;
use crate::config::Settings;
use crate::db::DbPool;
use crate::domain::Country;
use crate::error::AppError;
use crate::page::PageContext;
use crate::tax::db::{self, TaxRate};

pub struct Row {
    pub rate: TaxRate,
}

impl Row {
    /// "United Kingdom (GB)".
    pub fn country(&self) -> String {
        match Country::from_code(&self.rate.country) {
            Some(country) => format!("{} ({})", country.name(), country.code()),
            None => self.rate.country.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/tax.html")]
pub struct TaxPage {
    pub ctx: PageContext,
    pub rows: Vec<Row>,
    /// Countries the shop ships to that have no rate: no tax is charged there.
    pub untaxed: Vec<Country>,
    pub fields: RateFields,
    pub errors: Vec<String>,
}

impl TaxPage {
    pub async fn load(
        ctx: PageContext,
        pool: &DbPool,
        settings: &Settings,
        fields: RateFields,
        errors: Vec<String>,
    ) -> Result<Self, AppError> {
        let mut conn = pool.get().await?;
        let rates = db::all(&mut conn).await?;
        let untaxed = settings
            .shipping_countries
            .iter()
            .filter(|c| !rates.iter().any(|r| r.country == c.code()))
            .cloned()
            .collect();
        Ok(Self {
            ctx,
            rows: rates.into_iter().map(|rate| Row { rate }).collect(),
            untaxed,
            fields,
            errors,
        })
    }
}

#[tracing::instrument(skip_all)]
pub async fn list(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
) -> Result<TaxPage, AppError> {
    let fields = RateFields {
        name: "VAT".to_owned(),
        ..RateFields::default()
    };
    TaxPage::load(ctx, &pool, &settings, fields, Vec::new()).await
}
