//! Storefront: a server-rendered shop that takes payments with Stripe PaymentIntents.

pub mod sandbox;
