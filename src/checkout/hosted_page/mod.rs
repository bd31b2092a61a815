//! Paying on Stripe's hosted Checkout page. After checkout places the order, [`start`] makes
//! sure it has a Checkout Session (its lines, amounts and expiry from the order) and sends the
//! shopper to Stripe's page; Stripe sends them back to the return page ([`return_page`]), which
//! asks Stripe how it went. The order is finalised by `checkout.session.*` events and the
//! reconciler whatever the browser does (`payments::sessions`).

mod return_page;
mod start;

use actix_web::web;

pub use start::start;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/checkout/hosted/return",
        web::get().to(return_page::hosted_return),
    )
    .route(
        "/orders/{id}/hosted",
        web::get().to(start::continue_on_stripe),
    );
}
