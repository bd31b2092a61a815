//! `/v1/refunds`: create (full or partial), retrieve, list.

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::Ctx;
use super::expand::{check_expand, check_list_expand, expand_field};
use super::list::{ListQuery, paginate};
use super::values::apply_metadata;
use crate::error::ApiError;
use crate::objects::Refund;
use crate::params::{Params, ParamsExt, Shape};
use crate::store::Store;

const EXPAND: Shape = Shape::List(&Shape::Str);

pub const CREATE: &[(&str, Shape)] = &[
    ("amount", Shape::Int),
    ("charge", Shape::Str),
    ("expand", EXPAND),
    ("metadata", Shape::Dict),
    ("payment_intent", Shape::Str),
    ("reason", Shape::Str),
    ("currency", Shape::Any),
    ("customer", Shape::Any),
    ("instructions_email", Shape::Str),
    ("origin", Shape::Any),
    ("refund_application_fee", Shape::Any),
    ("reverse_transfer", Shape::Any),
];

pub const RETRIEVE: &[(&str, Shape)] = &[("expand", EXPAND)];

pub const LIST: &[(&str, Shape)] = &[
    ("charge", Shape::Str),
    ("created", Shape::IntOrRange),
    ("ending_before", Shape::Str),
    ("expand", EXPAND),
    ("limit", Shape::Int),
    ("payment_intent", Shape::Str),
    ("starting_after", Shape::Str),
];

const EXPANSIONS: &[&str] = &["charge", "payment_intent"];

fn render(store: &Store, refund: &Refund, expand: &[String]) -> Value {
    let mut v = refund.to_json();
    expand_field(&mut v, "charge", expand, |id| {
        store.charges.get(id).map(|c| c.to_json())
    });
    expand_field(&mut v, "payment_intent", expand, |id| {
        store.intents.get(id).map(|p| p.to_json())
    });
    v
}

pub fn create(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    // Refunds to a customer's balance and Connect's need what the sandbox does not simulate.
    for p in [
        "currency",
        "customer",
        "origin",
        "refund_application_fee",
        "reverse_transfer",
    ] {
        if params.contains_key(p) {
            return Err(ApiError::param_error(
                format!(
                    "The Stripe sandbox does not simulate `{p}` on refunds; use Stripe's test mode for it."
                ),
                p,
                None,
            ));
        }
    }
    let expand = check_expand(params, EXPANSIONS)?;
    // For refunds that need the customer's bank details (none of the sandbox's methods do):
    // checked, then not used.
    super::values::email(params, "instructions_email")?;
    let reason = match params.str("reason") {
        None => None,
        Some(r @ ("duplicate" | "fraudulent" | "requested_by_customer")) => Some(r.to_string()),
        Some(_) => {
            return Err(ApiError::param_error(
                "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer",
                "reason",
                None,
            ));
        }
    };
    let mut metadata = BTreeMap::new();
    apply_metadata(&mut metadata, params)?;
    let refund = store.refund(
        params.str("payment_intent"),
        params.str("charge"),
        params.int("amount"),
        reason,
        metadata,
        &ctx.origin,
    )?;
    Ok(render(store, &refund, &expand))
}

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, EXPANSIONS)?;
    let id = ctx.segment(1);
    let refund = store
        .refunds
        .get(id)
        .ok_or_else(|| ApiError::not_found("refund", id, "id"))?;
    Ok(render(store, refund, &expand))
}

pub fn list(store: &mut Store, _ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_list_expand(params, EXPANSIONS)?;
    let query = ListQuery::from_params(params)?;
    let charge = params.str("charge");
    let pi = params.str("payment_intent");
    let mut items: Vec<&Refund> = store
        .refunds
        .values()
        .filter(|r| charge.is_none_or(|c| r.charge == c))
        .filter(|r| pi.is_none_or(|p| r.payment_intent == p))
        .filter(|r| query.created_matches(r.created))
        .collect();
    items.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    let rows = items
        .iter()
        .map(|r| (r.id.clone(), render(store, r, &expand)))
        .collect();
    paginate(rows, &query, "/v1/refunds", "refund")
}
