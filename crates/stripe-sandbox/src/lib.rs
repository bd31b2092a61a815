//! An offline Stripe: the parts of Stripe's API, Stripe.js and webhooks that a shop uses,
//! faithful enough that an app runs unchanged against it and against Stripe.
//!
//! Mount it in any actix-web app, under any scope, with [`Sandbox::configure`] (the shop serves
//! it under `/_sandbox` in sandbox mode), or serve it on a port of its own with
//! [`Sandbox::bind`] (the `stripe-sandbox` binary, tests). Under that mount point M:
//!
//! - `M/v1/...` — the API (`api/`, a file per resource): PaymentIntents, Refunds, Customers,
//!   Events, Charges, Disputes, Checkout Sessions, Products, Prices, Subscriptions, Invoices,
//!   test clocks, the customer portal.
//! - `M/js/v3/stripe.js` — the Stripe.js stand-in; `M/elements/payment` — its card iframe;
//!   `M/3ds/{challenge}` — the 3-D Secure page; `M/_demo` — a demo payment page; `M/c/pay/...`
//!   — Checkout's page; `M/i/...` — hosted invoices and their PDFs; `M/p/session/...` — the
//!   customer portal; `M/_clock` — a customer's test clock (`browser/`).
//! - `M/_controls/...` — test controls (`controls/`).
//!
//! Inside, each layer uses only the ones below it: the objects in Stripe's shape (`objects/`,
//! with the test cards in `cards.rs` and the currencies in `currency.rs`); the store that
//! changes them and emits their events (`store/`); the background tasks that deliver webhooks
//! (`webhooks.rs`) and keep the state file (`persist.rs`); the HTTP routes above them all.

// Stripe's objects are large `json!` literals.
#![recursion_limit = "256"]

mod api;
mod browser;
mod cards;
mod config;
mod controls;
mod currency;
mod error;
mod ibans;
mod ids;
#[cfg(test)]
mod memory_tests;
mod objects;
mod params;
mod persist;
mod sandbox;
mod search;
mod serve;
mod settlement;
mod shared;
mod store;
mod versions;
mod webhooks;

pub use config::{
    DEFAULT_PUBLISHABLE_KEY, DEFAULT_SECRET_KEY, DEFAULT_WEBHOOK_SECRET, SandboxConfig,
    WebhookEndpoint,
};
pub use persist::SavedKeys;
pub use sandbox::Sandbox;
pub use serve::Standalone;
