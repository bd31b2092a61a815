//! Which handler answers which method and path, with its parameters and whether Stripe.js may
//! call it with a publishable key.

use actix_web::http::Method;
use serde_json::Value;

use super::context::Ctx;
use super::{
    billing_portal, charges, checkout_sessions, customers, disputes, events, invoices,
    payment_intents, payment_methods, prices, products, refunds, subscriptions, test_clocks,
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
        ("POST", ["subscriptions"]) => ep(subscriptions::CREATE, subscriptions::create, false),
        ("GET", ["subscriptions"]) => ep(subscriptions::LIST, subscriptions::list, false),
        ("GET", ["subscriptions", _]) => {
            ep(subscriptions::RETRIEVE, subscriptions::retrieve, false)
        }
        ("POST", ["subscriptions", _]) => ep(subscriptions::UPDATE, subscriptions::update, false),
        ("DELETE", ["subscriptions", _]) => ep(subscriptions::CANCEL, subscriptions::cancel, false),
        ("GET", ["payment_methods", _]) => {
            ep(payment_methods::RETRIEVE, payment_methods::retrieve, false)
        }
        ("POST", ["payment_methods", _, "attach"]) => {
            ep(payment_methods::ATTACH, payment_methods::attach, false)
        }
        ("POST", ["test_helpers", "test_clocks"]) => {
            ep(test_clocks::CREATE, test_clocks::create, false)
        }
        ("GET", ["test_helpers", "test_clocks"]) => ep(test_clocks::LIST, test_clocks::list, false),
        ("GET", ["test_helpers", "test_clocks", _]) => {
            ep(test_clocks::RETRIEVE, test_clocks::retrieve, false)
        }
        ("DELETE", ["test_helpers", "test_clocks", _]) => {
            ep(test_clocks::DELETE, test_clocks::delete, false)
        }
        ("POST", ["test_helpers", "test_clocks", _, "advance"]) => {
            ep(test_clocks::ADVANCE, test_clocks::advance, false)
        }
        ("POST", ["billing_portal", "configurations"]) => ep(
            billing_portal::CONFIG_CREATE,
            billing_portal::create_configuration,
            false,
        ),
        ("GET", ["billing_portal", "configurations"]) => ep(
            billing_portal::CONFIG_LIST,
            billing_portal::list_configurations,
            false,
        ),
        ("GET", ["billing_portal", "configurations", _]) => ep(
            billing_portal::CONFIG_RETRIEVE,
            billing_portal::retrieve_configuration,
            false,
        ),
        ("POST", ["billing_portal", "configurations", _]) => ep(
            billing_portal::CONFIG_UPDATE,
            billing_portal::update_configuration,
            false,
        ),
        ("POST", ["billing_portal", "sessions"]) => ep(
            billing_portal::SESSION_CREATE,
            billing_portal::create_session,
            false,
        ),
        ("GET", ["invoices"]) => ep(invoices::LIST, invoices::list, false),
        ("GET", ["invoices", _]) => ep(invoices::RETRIEVE, invoices::retrieve, false),
        ("GET", ["invoices", _, "lines"]) => ep(invoices::LINES, invoices::lines, false),
        ("POST", ["invoices", _, "pay"]) => ep(invoices::PAY, invoices::pay, false),
        ("POST", ["invoices", _, "void"]) => ep(invoices::VOID, invoices::void, false),
        ("POST", ["invoices", _, "mark_uncollectible"]) => {
            ep(invoices::VOID, invoices::mark_uncollectible, false)
        }
        _ => None,
    }
}
