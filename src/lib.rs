//! Storefront: a server-rendered shop that takes payments with Stripe PaymentIntents.
//!
//! One module per thing the shop does (`catalog`, `cart`, `accounts`, `checkout`, `orders`,
//! `payments`, `admin`), each owning its routes, queries and page structs; `domain` holds the shared
//! vocabulary; `outbox` keeps the emails the shop owes and `email` writes and sends them;
//! `startup` wires it together. The offline stand-in for Stripe is a crate of its
//! own (`stripe-sandbox`), which `startup` mounts in sandbox mode and the shop reaches only
//! over HTTP, as it reaches Stripe.

pub mod accounts;
pub mod admin;
pub mod assets;
pub mod bad_input;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod client_ip;
pub mod club;
pub mod config;
pub mod csrf;
pub mod db;
pub mod discounts;
pub mod domain;
pub mod email;
pub mod error;
pub mod error_page;
pub mod health;
pub mod metrics;
pub mod orders;
pub mod outbox;
pub mod page;
pub mod payments;
pub mod schema;
pub mod security_headers;
pub mod seed;
pub mod seo;
pub mod session;
pub mod shipping;
pub mod startup;
pub mod stock;
pub mod tax;
pub mod telemetry;
