//! Which handler answers which method and path, with its parameters and whether Stripe.js may
//! call it with a publishable key.

use actix_web::http::Method;
use serde_json::Value;

use super::context::Ctx;
use super::{
    charges, checkout_sessions, customers, disputes, events, payment_intents, prices, products,
    refunds,
};
use crate::error::ApiError;
use crate::params::{Params, Schema};
use crate::store::Store;

/// A resource's handler: it runs with the store locked and answers the object (or list) as
/// JSON, or Stripe's error.
pub type Handler = fn(&mut Store, &Ctx, &Params) -> Result<Value, ApiError>;

/// An endpoint: its parameters, its handler, and whether Stripe.js may call it with a
/// publishable key.
pub struct Endpoint {
    pub schema: Schema,
    pub handler: Handler,
    pub publishable: bool,
}

/// The endpoint of a method and the path segments after `/v1/`.
pub fn route(method: &Method, segments: &[&str]) -> Option<Endpoint> {
    use checkout_sessions as cs;
    use payment_intents as pi;
    let ep = |schema, handler, publishable| {
        Some(Endpoint {
            schema,
            handler,
            publishable,
        })
    };
    match (method.as_str(), segments) {
        ("POST", ["payment_intents"]) => ep(pi::CREATE, pi::create, false),
        ("GET", ["payment_intents"]) => ep(pi::LIST, pi::list, false),
        ("GET", ["payment_intents", "search"]) => ep(pi::SEARCH, pi::search, false),
        ("GET", ["payment_intents", _]) => ep(pi::RETRIEVE, pi::retrieve, true),
        ("POST", ["payment_intents", _]) => ep(pi::UPDATE, pi::update, false),
        ("POST", ["payment_intents", _, "confirm"]) => ep(pi::CONFIRM, pi::confirm, true),
        ("POST", ["payment_intents", _, "cancel"]) => ep(pi::CANCEL, pi::cancel, false),
        ("POST", ["checkout", "sessions"]) => ep(cs::CREATE, cs::create, false),
        ("GET", ["checkout", "sessions"]) => ep(cs::LIST, cs::list, false),
        ("GET", ["checkout", "sessions", _]) => ep(cs::RETRIEVE, cs::retrieve, false),
        ("GET", ["checkout", "sessions", _, "line_items"]) => {
            ep(cs::LINE_ITEMS, cs::line_items, false)
        }
        ("POST", ["checkout", "sessions", _, "expire"]) => ep(cs::EXPIRE, cs::expire, false),
        ("POST", ["refunds"]) => ep(refunds::CREATE, refunds::create, false),
        ("GET", ["refunds"]) => ep(refunds::LIST, refunds::list, false),
        ("GET", ["refunds", _]) => ep(refunds::RETRIEVE, refunds::retrieve, false),
        ("POST", ["customers"]) => ep(customers::CREATE, customers::create, false),
        ("GET", ["customers", _]) => ep(customers::RETRIEVE, customers::retrieve, false),
        ("POST", ["customers", _]) => ep(customers::UPDATE, customers::update, false),
        ("GET", ["events"]) => ep(events::LIST, events::list, false),
        ("GET", ["events", _]) => ep(events::RETRIEVE, events::retrieve, false),
        ("GET", ["charges", _]) => ep(charges::RETRIEVE, charges::retrieve, false),
        ("GET", ["disputes"]) => ep(disputes::LIST, disputes::list, false),
        ("GET", ["disputes", _]) => ep(disputes::RETRIEVE, disputes::retrieve, false),
        ("POST", ["disputes", _]) => ep(disputes::UPDATE, disputes::update, false),
        ("POST", ["disputes", _, "close"]) => ep(disputes::CLOSE, disputes::close, false),
        ("POST", ["products"]) => ep(products::CREATE, products::create, false),
        ("GET", ["products"]) => ep(products::LIST, products::list, false),
        ("GET", ["products", "search"]) => ep(products::SEARCH, products::search, false),
        ("GET", ["products", _]) => ep(products::RETRIEVE, products::retrieve, false),
        ("POST", ["products", _]) => ep(products::UPDATE, products::update, false),
        ("POST", ["prices"]) => ep(prices::CREATE, prices::create, false),
        ("GET", ["prices"]) => ep(prices::LIST, prices::list, false),
        ("GET", ["prices", "search"]) => ep(prices::SEARCH, prices::search, false),
        ("GET", ["prices", _]) => ep(prices::RETRIEVE, prices::retrieve, false),
        ("POST", ["prices", _]) => ep(prices::UPDATE, prices::update, false),
        _ => None,
    }
}
