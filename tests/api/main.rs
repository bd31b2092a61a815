//! Black-box tests: each starts the real app on port 0 with a fresh database and drives it
//! over HTTP like a browser would.

mod accounts;
mod admin;
mod cart;
mod catalog;
mod checkout;
#[path = "../common/mod.rs"]
mod common;
mod concurrency;
mod disputes;
mod helpers;
mod intent_creation;
mod orders;
mod reconciler;
mod refunds;
mod sandbox_restart;
mod schema;
mod site;
mod stock_and_currency;
mod truthful;
mod webhooks;
