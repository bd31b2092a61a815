//! `POST /orders/{id}/paying`: the payment page says the shopper pressed Pay, just before
//! Stripe.js confirms; the order then holds its stock long enough to pay (see [`crate::checkout::limits`]).

use actix_web::{HttpRequest, HttpResponse, web};
use uuid::Uuid;

use crate::checkout::limits;
use crate::checkout::order::load_order;
use crate::config::Settings;
use crate::csrf::{CsrfForm, NoFields};
use crate::db::DbPool;
use crate::error::AppError;
use crate::orders::require_owner;
use crate::session::ShopSession;

#[tracing::instrument(skip(session, pool, settings, req, _form))]
pub async fn start_paying(
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    CsrfForm(_form): CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let mut conn = pool.get().await?;
    let order = load_order(&mut conn, *id).await?;
    require_owner(&order, &session, req.path())?;
    let extended = limits::extend_for_payment(
        &mut conn,
        &order,
        settings.reconciler.reservation,
        settings.limits.payment_reservation,
    )
    .await?;
    match extended {
        Some(until) => {
            tracing::info!(order = %order.id, %until, "the shopper started paying: reservation extended");
            Ok(HttpResponse::NoContent().finish())
        }
        None => Err(AppError::conflict(
            "This order can no longer be paid: its reservation ended or it was cancelled. \
             Your cart still has the items: check out again.",
        )),
    }
}
