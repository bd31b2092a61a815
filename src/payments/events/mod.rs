//! Stripe's events, in one place: the webhook route receives them ([`receive`]), the store keeps
//! each once and applies what it says through the transition function ([`store`]), and a
//! failed one runs again on the admin's request ([`rerun`]). The rest of the shop sees only
//! what is re-exported here.

mod observe;
mod outcome;
mod receive;
mod rerun;
mod store;

use actix_web::web;

pub use outcome::Outcome;
pub use rerun::{Rerun, rerun};
pub use store::{StoredEvent, find, of_order, recent};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/webhooks/stripe")
            .app_data(web::PayloadConfig::new(receive::MAX_BODY_BYTES))
            .route(web::post().to(receive::receive_event)),
    );
}
