//! Checkout: review the cart, place the order (stock reserved, PaymentIntent created), pay with
//! Stripe.js, come back from Stripe, or cancel.

mod cancel;
mod intent;
pub mod limits;
mod pay;
mod paying;
mod place;
mod return_page;
mod thanks;

use actix_web::web;
use diesel_async::AsyncPgConnection;

use crate::error::AppError;
use crate::orders::db::{self as orders_db, Order};
use crate::payments::GatewayError;

pub use cancel::give_up;
pub use intent::ensure_intent;

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

pub(crate) async fn load_order(
    conn: &mut AsyncPgConnection,
    id: uuid::Uuid,
) -> Result<Order, AppError> {
    orders_db::find(conn, id).await?.ok_or(AppError::NotFound)
}

fn is_unexpected_state(e: &GatewayError) -> bool {
    e.code() == Some("payment_intent_unexpected_state")
}
