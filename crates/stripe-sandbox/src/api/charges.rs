//! `/v1/charges/{id}`: retrieve (charges are created by confirming PaymentIntents).

use serde_json::Value;

use super::context::Ctx;
use super::expand::{check_expand, expand_field};
use crate::error::ApiError;
use crate::params::{Params, Shape};
use crate::store::Store;

pub const RETRIEVE: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, &["payment_intent", "customer"])?;
    let id = ctx.segment(1);
    let charge = store
        .charges
        .get(id)
        .ok_or_else(|| ApiError::not_found("charge", id, "id"))?;
    let mut v = charge.to_json();
    expand_field(&mut v, "payment_intent", &expand, |id| {
        store.intents.get(id).map(|p| p.to_json())
    });
    expand_field(&mut v, "customer", &expand, |id| {
        store.customers.get(id).map(|c| c.to_json())
    });
    Ok(v)
}
