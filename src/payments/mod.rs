//! Payments with Stripe: the client and keys, the calls the shop makes, the one transition
//! function, the webhook route and the reconciler.

pub mod disputes;
pub mod gateway;
pub mod idempotency;
pub mod reconciler;
pub mod refunds;
pub mod transition;
pub mod webhook;

use actix_web::web;

use crate::config::Secret;

pub use gateway::{GatewayError, Payments};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/webhooks/stripe")
            // Stripe's events are a few kilobytes; anything much larger is not from Stripe.
            .app_data(web::PayloadConfig::new(webhook::MAX_BODY_BYTES))
            .route(web::post().to(webhook::receive_event)),
    );
}

/// The keys and URLs the shop talks to Stripe (or the sandbox) with.
#[derive(Debug, Clone)]
pub struct StripeAccess {
    pub secret_key: Secret,
    pub publishable_key: String,
    pub webhook_secret: Secret,
    /// async-stripe's base URL; `None` for api.stripe.com.
    pub api_base: Option<String>,
    /// Where the payment page loads Stripe.js from.
    pub js_url: String,
    /// Links to the Stripe Dashboard (only with real Stripe).
    pub dashboard_url: Option<String>,
}
