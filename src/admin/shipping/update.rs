//! `POST /admin/shipping/{id}`: a method's rate, free-from threshold and whether checkout
//! offers it. Orders placed before keep the shipping they recorded.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::form::{self, RateFields};
use super::list::{ShippingPage, Typed};
use crate::config::Settings;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::{PageContext, render, see_other};
use crate::session::{FlashKind, ShopSession};
use crate::shipping::db::{self, ShippingChanges};

#[tracing::instrument(skip(ctx, session, pool, settings, fields))]
pub async fn update(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    id: web::Path<i64>,
    CsrfForm(fields): CsrfForm<RateFields>,
) -> Result<HttpResponse, AppError> {
    let id = *id;
    let mut conn = pool.get().await?;
    let method = db::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let currency = method.method.currency;
    let rate = match form::validate_rate_only(&fields, currency) {
        Ok(rate) => rate,
        Err(errors) => {
            drop(conn);
            let errors = errors
                .into_iter()
                .map(|e| format!("{}: {e}", method.method.name))
                .collect();
            let page = ShippingPage::load(
                ctx,
                &pool,
                settings.currency,
                Typed::Rate(id, fields),
                errors,
            )
            .await?;
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };
    let changes = ShippingChanges {
        price_minor: rate.price_minor,
        free_from_minor: rate.free_from_minor,
        active: rate.active,
    };
    if !db::update(&mut conn, id, &changes).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(method = %method.method.code, "shipping method changed by an admin");
    let offered = if rate.active {
        "offered at checkout"
    } else {
        "not offered at checkout"
    };
    session.flash(
        FlashKind::Info,
        format!(
            "{} is saved ({offered}); new orders use it.",
            method.method.name
        ),
    );
    Ok(see_other("/admin/shipping"))
}
