//! Black-box tests: each starts the real app on port 0 with a fresh database and drives it
//! over HTTP like a browser would.

mod accounts;
mod admin;
mod admin_catalog;
mod admin_settings;
mod bad_input;
mod browse;
mod cart;
mod catalog;
mod checkout;
#[path = "../common/mod.rs"]
mod common;
mod concurrency;
mod discounts;
mod disputes;
mod emails;
mod helpers;
mod hoarding;
mod hosted_checkout;
mod intent_creation;
mod login_throttle;
mod metrics;
mod order_lookup;
mod orders;
mod password_reset;
mod phone;
mod product_images;
mod reconciler;
mod refunds;
mod sandbox_restart;
mod scale_out;
mod schema;
mod seo;
mod sessions;
mod shipping;
mod shutdown;
mod site;
mod smtp;
mod stock_and_currency;
mod subscriptions;
mod tax;
mod truthful;
mod variants;
mod webhook_cost;
mod webhooks;
