//! Checkout: what every way of paying shares — review the cart, place the order (the cart
//! claimed, stock reserved, the order written: [`place`]), the limits that keep stock from being
//! hoarded ([`limits`]), giving an order up ([`cancel`]) and the success page ([`thanks`]) —
//! and one folder per way the shopper pays. [`payment_element`] is Stripe's Payment Element on
//! the shop's own page: a PaymentIntent made by the server, confirmed by Stripe.js, and a
//! return page. [`hosted_page`] is Stripe's hosted Checkout page: a Checkout Session made by the
//! server from the order, and its return page. `CHECKOUT_MODE` (or the shopper, on the review
//! page) picks one; see docs/architecture.md.

mod cancel;
pub mod hosted_page;
pub mod limits;
mod order;
pub mod payment_element;
mod place;
mod thanks;

use actix_web::web;

pub use cancel::give_up;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/checkout", web::get().to(place::review_page))
        .route("/checkout", web::post().to(place::place_order))
        .route("/orders/{id}/cancel", web::post().to(cancel::cancel_order))
        .route(
            "/orders/{id}/cancelled",
            web::get().to(cancel::cancelled_page),
        )
        .route("/orders/{id}/thanks", web::get().to(thanks::thanks_page))
        .configure(payment_element::routes)
        .configure(hosted_page::routes);
}
