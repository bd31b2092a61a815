//! Black-box tests of the offline Stripe sandbox: async-stripe and plain HTTP against a
//! sandbox mounted the way the shop mounts it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod bank_debits;
mod billing_catalog;
mod billing_objects;
mod billing_portal;
mod billing_subscriptions;
mod billing_test_clocks;
mod browser;
mod cards;
mod checkout_sessions;
mod controls;
mod disputes;
mod documented;
mod errors;
mod event_sequences;
mod helpers;
mod idempotency;
mod limits;
mod objects;
mod parameters;
mod payment_intents;
mod persistence;
mod refunds_customers_events;
mod search;
mod standalone;
mod three_d_secure;
mod versions;
mod webhooks;
