//! `POST /admin/shipping`: adds a method in the shop's currency, after the others, offered at
//! checkout from then on (its row's form can take it off).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::form::{self, NewMethodFields};
use super::list::{ShippingPage, Typed};
use crate::config::Settings;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::{PageContext, render, see_other};
use crate::session::{FlashKind, ShopSession};
use crate::shipping::db::{self, NewShippingMethod};

#[tracing::instrument(skip_all)]
pub async fn add(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    CsrfForm(fields): CsrfForm<NewMethodFields>,
) -> Result<HttpResponse, AppError> {
    let currency = settings.currency;
    let valid = match form::validate_method(&fields, currency) {
        Ok(valid) => valid,
        Err(errors) => return refused(ctx, &pool, currency, fields, errors).await,
    };
    let added = {
        let mut conn = pool.get().await?;
        let position = db::next_position(&mut conn, currency).await?;
        db::add(
            &mut conn,
            &NewShippingMethod {
                code: &valid.code,
                name: &valid.name,
                delivery: &valid.delivery,
                price_minor: valid.rate.price_minor,
                free_from_minor: valid.rate.free_from_minor,
                currency,
                position,
            },
        )
        .await?
    };
    if !added {
        let errors = vec![format!(
            "Code: a method with the code {} exists already; choose another code.",
            valid.code
        )];
        return refused(ctx, &pool, currency, fields, errors).await;
    }
    tracing::info!(method = %valid.code, "shipping method added by an admin");
    session.flash(
        FlashKind::Info,
        format!("{} is added; new orders can choose it.", valid.name),
    );
    Ok(see_other("/admin/shipping"))
}

async fn refused(
    ctx: PageContext,
    pool: &DbPool,
    currency: crate::domain::Currency,
    fields: NewMethodFields,
    errors: Vec<String>,
) -> Result<HttpResponse, AppError> {
    let page = ShippingPage::load(ctx, pool, currency, Typed::NewMethod(fields), errors).await?;
    render(&page, StatusCode::BAD_REQUEST)
}
