//! `GET /checkout/return`: where Stripe.js sends the shopper after confirming; the intent's
//! status is asked of Stripe, never read from the query string.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::db::DbPool;
use crate::domain::PaymentStatus;
use crate::error::AppError;
use crate::orders::{db as orders_db, require_owner};
use crate::page::see_other;
use crate::payments::stripe::{IntentSnapshot, Payments};
use crate::payments::transition::{self, Cause, Observation};
use crate::session::{FlashKind, ShopSession};

#[derive(Debug, Deserialize)]
pub struct ReturnQuery {
    payment_intent: Option<String>,
}

/// Where Stripe.js sends the shopper after confirming. Only the intent's id is read from the
/// query string, to find the order; its status comes from Stripe, retrieved by the server.
#[tracing::instrument(skip_all)]
pub async fn payment_return(
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    query: web::Query<ReturnQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let intent_id = query.payment_intent.as_deref().ok_or(AppError::NotFound)?;
    let order = {
        let mut conn = pool.get().await?;
        orders_db::by_payment_intent(&mut conn, intent_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let path = format!("{}?{}", req.path(), req.query_string());
    require_owner(&order, &session, &path)?;

    let intent = match payments.retrieve_intent(intent_id).await {
        Ok(intent) => intent,
        // The card may well have been charged: the shopper is told what is known. What the
        // database already knows (a webhook came first) still decides where they go.
        Err(e) => {
            tracing::warn!(order = %order.id, error = %e, "could not confirm a payment on the return page");
            return match order.status() {
                status if status.was_paid() => {
                    Ok(see_other(format!("/orders/{}/thanks", order.id)))
                }
                PaymentStatus::Cancelled => {
                    Ok(see_other(format!("/orders/{}/cancelled", order.id)))
                }
                _ => Err(AppError::PaymentNotConfirmed {
                    order_number: order.number,
                }),
            };
        }
    };
    let observation = Observation::Intent(IntentSnapshot::from(&intent));
    let order = transition::apply(&pool, order.id, &observation, Cause::Return)
        .await?
        .ok_or(AppError::NotFound)?
        .order;

    let location = match order.status() {
        status if status.was_paid() => format!("/orders/{}/thanks", order.id),
        PaymentStatus::Pending
            if intent.status == stripe_shared::PaymentIntentStatus::Processing =>
        {
            format!("/orders/{}/thanks", order.id)
        }
        PaymentStatus::Cancelled => format!("/orders/{}/cancelled", order.id),
        PaymentStatus::Failed => {
            session.flash(
                FlashKind::Error,
                order
                    .last_payment_error
                    .clone()
                    .unwrap_or_else(|| "The payment did not go through. Please try again.".into()),
            );
            format!("/orders/{}/pay", order.id)
        }
        _ => format!("/orders/{}/pay", order.id),
    };
    Ok(see_other(location))
}
