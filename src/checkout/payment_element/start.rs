//! Where checkout hands a placed order to this way of paying.

use actix_web::HttpResponse;

use super::intent::ensure_intent;
use crate::db::DbPool;
use crate::error::AppError;
use crate::orders::Order;
use crate::page::see_other;
use crate::payments::Payments;

/// Makes sure the order has its PaymentIntent, then sends the shopper to the payment page. If
/// Stripe fails now, the order waits (stock reserved, no intent): the payment page or a second
/// checkout of the same cart tries again with the same idempotency key.
pub async fn start(
    pool: &DbPool,
    payments: &Payments,
    order: &Order,
) -> Result<HttpResponse, AppError> {
    ensure_intent(pool, payments, order).await?;
    Ok(see_other(format!("/orders/{}/pay", order.id)))
}
