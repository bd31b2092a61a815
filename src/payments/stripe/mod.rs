//! Stripe as the shop reaches it: the client over plain values ([`Payments`]), its error
//! ([`GatewayError`]) and the snapshots of Stripe's objects it returns.

mod billing;
mod client;
pub mod error;
mod snapshots;

pub use billing::{NewMembershipCheckout, PlanPrice};
pub use client::{NewCheckoutSession, NewIntent, Payments, ShipTo, StripeAccess};
pub use error::GatewayError;
pub use snapshots::{DisputeSnapshot, IntentSnapshot, RefundSnapshot};
