//! A PaymentIntent as the caller may see it (Stripe.js sees fewer fields), with its expansions.

use serde_json::Value;

use crate::api::context::Ctx;
use crate::api::expand::expand_field;
use crate::objects::{PaymentIntent, PaymentMethod};
use crate::store::Store;

/// The intent as the caller may see it, with its expansions.
pub fn render(store: &Store, pi: &PaymentIntent, ctx: &Ctx, expand: &[String]) -> Value {
    let mut v = store.intent_view(pi, ctx.publishable());
    expand_field(&mut v, "latest_charge", expand, |id| {
        store.charges.get(id).map(|c| c.to_json())
    });
    expand_field(&mut v, "payment_method", expand, |id| {
        store.payment_methods.get(id).map(PaymentMethod::to_json)
    });
    expand_field(&mut v, "customer", expand, |id| {
        store.customers.get(id).map(|c| c.to_json())
    });
    v
}
