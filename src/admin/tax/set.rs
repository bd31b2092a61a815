//! `POST /admin/tax`: sets a country's rate, replacing the one it had.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::form::{self, RateFields};
use super::list::TaxPage;
use crate::config::Settings;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::{PageContext, render, see_other};
use crate::session::{FlashKind, ShopSession};
use crate::tax::db;

#[tracing::instrument(skip_all)]
pub async fn set(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    CsrfForm(fields): CsrfForm<RateFields>,
) -> Result<HttpResponse, AppError> {
    let rate = match form::validate(&fields) {
        Ok(rate) => rate,
        Err(errors) => {
            let page = TaxPage::load(ctx, &pool, &settings, fields, errors).await?;
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };
    let mut conn = pool.get().await?;
    db::set(&mut conn, &rate).await?;
    tracing::info!(country = %rate.country, rate_bp = rate.rate_bp, "tax rate set by an admin");
    session.flash(
        FlashKind::Info,
        format!(
            "{} ({}) is charged for {}; new orders use it.",
            rate.name,
            rate.percent(),
            rate.country
        ),
    );
    Ok(see_other("/admin/tax"))
}
