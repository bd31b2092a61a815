//! `POST /admin/discounts`: makes a code from the form. A form with mistakes, or a code that
//! exists already, comes back (400) with what to fix and nothing saved.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use time::OffsetDateTime;

use super::form::{self, DiscountFields, Takes};
use super::list::DiscountsPage;
use crate::config::Settings;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::discounts::db::{self, NewDiscountCode};
use crate::error::AppError;
use crate::page::{PageContext, render, see_other};
use crate::session::{FlashKind, ShopSession};

#[tracing::instrument(skip_all)]
pub async fn create(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    CsrfForm(fields): CsrfForm<DiscountFields>,
) -> Result<HttpResponse, AppError> {
    let currency = settings.currency;
    let valid = match form::validate(&fields, currency, OffsetDateTime::now_utc()) {
        Ok(valid) => valid,
        Err(errors) => return refused(ctx, &pool, currency, fields, errors).await,
    };
    let (percent_off, amount_off_minor, code_currency) = match valid.takes {
        Takes::Percent(percent) => (Some(percent), None, None),
        Takes::Amount(amount) => (None, Some(amount.minor), Some(amount.currency)),
    };
    let new = NewDiscountCode {
        code: &valid.code,
        percent_off,
        amount_off_minor,
        currency: code_currency,
        min_items_minor: valid.minimum.map(|m| m.minor),
        expires_at: valid.expires_at,
        usage_limit: valid.usage_limit,
    };
    let inserted = {
        let mut conn = pool.get().await?;
        db::insert(&mut conn, &new).await?
    };
    if !inserted {
        let errors = vec![format!(
            "Code: {} exists already; choose another code.",
            valid.code
        )];
        return refused(ctx, &pool, currency, fields, errors).await;
    }
    tracing::info!(code = %valid.code, "discount code made by an admin");
    session.flash(
        FlashKind::Info,
        format!("{} is made: new orders can use it.", valid.code),
    );
    Ok(see_other("/admin/discounts"))
}

async fn refused(
    ctx: PageContext,
    pool: &DbPool,
    currency: crate::domain::Currency,
    fields: DiscountFields,
    errors: Vec<String>,
) -> Result<HttpResponse, AppError> {
    let page = DiscountsPage::load(ctx, pool, currency, fields, errors).await?;
    render(&page, StatusCode::BAD_REQUEST)
}
