//! Checkout: review the cart, place the order (stock reserved, PaymentIntent created), pay with
//! Stripe.js, come back from Stripe, or cancel.

mod cancel;
pub mod limits;
mod pay;
mod paying;
mod place;
mod return_page;
mod thanks;

use actix_web::web;
use diesel_async::AsyncPgConnection;
use stripe_shared::PaymentIntent;

use crate::accounts;
use crate::db::DbPool;
use crate::error::AppError;
use crate::orders::db::{self as orders_db, Order};
use crate::payments::{GatewayError, Payments};

pub use cancel::give_up;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/checkout", web::get().to(place::review_page))
        .route("/checkout", web::post().to(place::place_order))
        .route(
            "/checkout/return",
            web::get().to(return_page::payment_return),
        )
        .route("/orders/{id}/pay", web::get().to(pay::payment_page))
        .route("/orders/{id}/paying", web::post().to(paying::start_paying))
        .route("/orders/{id}/cancel", web::post().to(cancel::cancel_order))
        .route(
            "/orders/{id}/cancelled",
            web::get().to(cancel::cancelled_page),
        )
        .route("/orders/{id}/thanks", web::get().to(thanks::thanks_page));
}

/// The order's PaymentIntent: retrieved when the order has one, created (idempotently, so a
/// retry after a failure never makes a second) when it does not.
pub async fn ensure_intent(
    pool: &DbPool,
    payments: &Payments,
    order: &Order,
) -> Result<PaymentIntent, AppError> {
    if let Some(id) = &order.payment_intent_id {
        return Ok(payments.retrieve_intent(id).await?);
    }
    let customer = match order.user_id {
        Some(user_id) => Some(customer_of(pool, payments, user_id).await?),
        None => None,
    };
    let intent = payments.create_intent(order, customer.as_deref()).await?;
    let mut conn = pool.get().await?;
    orders_db::attach_payment_intent(&mut conn, order.id, intent.id.as_str()).await?;
    Ok(intent)
}

/// The user's Stripe Customer, created once and remembered.
async fn customer_of(pool: &DbPool, payments: &Payments, user_id: i64) -> Result<String, AppError> {
    let user = {
        let mut conn = pool.get().await?;
        accounts::db::by_id(&mut conn, user_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    if let Some(customer) = user.stripe_customer_id {
        return Ok(customer);
    }
    let customer = payments.create_customer(user.id, &user.email).await?;
    let mut conn = pool.get().await?;
    accounts::db::set_stripe_customer(&mut conn, user.id, &customer).await?;
    Ok(customer)
}

pub(crate) async fn load_order(
    conn: &mut AsyncPgConnection,
    id: uuid::Uuid,
) -> Result<Order, AppError> {
    orders_db::find(conn, id).await?.ok_or(AppError::NotFound)
}

fn is_unexpected_state(e: &GatewayError) -> bool {
    e.code() == Some("payment_intent_unexpected_state")
}
