//! Black-box tests: each starts the real app on port 0 with a fresh database and drives it
//! over HTTP like a browser would.

mod accounts;
mod admin;
mod bad_input;
mod cart;
mod catalog;
mod checkout;
#[path = "../common/mod.rs"]
mod common;
mod helpers;
mod hoarding;
mod login_throttle;
mod orders;
mod reconciler;
mod schema;
mod sessions;
mod site;
mod webhooks;
