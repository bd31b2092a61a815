//! Payments with Stripe, by concern: [`stripe`] (the client over plain values, its error and
//! the snapshots it returns), [`idempotency`] (the keys it sends), [`transition`] (the one
//! function that changes an order's payment status), [`sessions`] (what a Checkout Session
//! says of its order), [`refunds`] and [`disputes`] (what Stripe
//! reports of a paid order), [`events`] (Stripe's events: received by the webhook route, stored,
//! run again) and the [`reconciler`] (asks Stripe when events do not come).

pub mod disputes;
pub mod events;
pub mod idempotency;
mod notices;
pub mod reconciler;
pub mod refunds;
pub mod sessions;
pub mod stripe;
pub mod transition;

pub use events::routes;
pub use stripe::{GatewayError, Payments, StripeAccess};
