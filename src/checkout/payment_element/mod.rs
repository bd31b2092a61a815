//! Paying with Stripe's Payment Element on the shop's own page. After checkout places the
//! order, [`start`] makes sure it has a PaymentIntent ([`intent`]) and sends the shopper to the
//! payment page ([`pay`]); the page tells the shop when Pay is pressed ([`paying`], which holds
//! the stock longer), Stripe.js confirms the intent, and Stripe sends the shopper back to the
//! return page ([`return_page`]), which asks Stripe how it went.

pub mod intent;
mod pay;
mod paying;
mod return_page;
mod start;

use actix_web::web;

pub use start::start;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/checkout/return",
        web::get().to(return_page::payment_return),
    )
    .route("/orders/{id}/pay", web::get().to(pay::payment_page))
    .route("/orders/{id}/paying", web::post().to(paying::start_paying));
}
