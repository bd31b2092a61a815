//! `/v1/disputes`: list, retrieve, update (evidence), close.

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::Ctx;
use super::expand::{check_expand, check_list_expand, expand_field};
use super::list::{ListQuery, paginate};
use super::values::apply_metadata;
use crate::error::ApiError;
use crate::objects::Dispute;
use crate::params::{Param, Params, ParamsExt, Shape};
use crate::store::Store;

const EXPAND: Shape = Shape::List(&Shape::Str);
const EXPANSIONS: &[&str] = &["charge", "payment_intent"];

const EVIDENCE: Shape = Shape::Map(&[
    ("access_activity_log", Shape::Str),
    ("billing_address", Shape::Str),
    ("cancellation_policy", Shape::Str),
    ("cancellation_policy_disclosure", Shape::Str),
    ("cancellation_rebuttal", Shape::Str),
    ("customer_communication", Shape::Str),
    ("customer_email_address", Shape::Str),
    ("customer_name", Shape::Str),
    ("customer_purchase_ip", Shape::Str),
    ("customer_signature", Shape::Str),
    ("duplicate_charge_documentation", Shape::Str),
    ("duplicate_charge_explanation", Shape::Str),
    ("duplicate_charge_id", Shape::Str),
    ("product_description", Shape::Str),
    ("receipt", Shape::Str),
    ("refund_policy", Shape::Str),
    ("refund_policy_disclosure", Shape::Str),
    ("refund_refusal_explanation", Shape::Str),
    ("service_date", Shape::Str),
    ("service_documentation", Shape::Str),
    ("shipping_address", Shape::Str),
    ("shipping_carrier", Shape::Str),
    ("shipping_date", Shape::Str),
    ("shipping_documentation", Shape::Str),
    ("shipping_tracking_number", Shape::Str),
    ("uncategorized_file", Shape::Str),
    ("uncategorized_text", Shape::Str),
]);

pub const LIST: &[(&str, Shape)] = &[
    ("charge", Shape::Str),
    ("created", Shape::IntOrRange),
    ("ending_before", Shape::Str),
    ("expand", EXPAND),
    ("limit", Shape::Int),
    ("payment_intent", Shape::Str),
    ("starting_after", Shape::Str),
];

pub const RETRIEVE: &[(&str, Shape)] = &[("expand", EXPAND)];

pub const UPDATE: &[(&str, Shape)] = &[
    ("evidence", EVIDENCE),
    ("expand", EXPAND),
    ("intended_submission_method", Shape::Str),
    ("metadata", Shape::Dict),
    ("submit", Shape::Bool),
];

pub const CLOSE: &[(&str, Shape)] = &[("expand", EXPAND)];

/// All evidence text together is at most this long.
const EVIDENCE_CHARS: usize = 150_000;

fn render(store: &Store, dispute: &Dispute, expand: &[String]) -> Value {
    let mut v = dispute.to_json();
    expand_field(&mut v, "charge", expand, |id| {
        store.charges.get(id).map(|c| c.to_json())
    });
    expand_field(&mut v, "payment_intent", expand, |id| {
        store.intents.get(id).map(|p| p.to_json())
    });
    v
}

pub fn list(store: &mut Store, _ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_list_expand(params, EXPANSIONS)?;
    let query = ListQuery::from_params(params)?;
    let charge = params.str("charge");
    let pi = params.str("payment_intent");
    let mut items: Vec<&Dispute> = store
        .disputes
        .values()
        .filter(|d| charge.is_none_or(|c| d.charge == c))
        .filter(|d| pi.is_none_or(|p| d.payment_intent == p))
        .filter(|d| query.created_matches(d.created))
        .collect();
    items.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    let rows = items
        .iter()
        .map(|d| (d.id.clone(), render(store, d, &expand)))
        .collect();
    paginate(rows, &query, "/v1/disputes", "dispute")
}

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, EXPANSIONS)?;
    let id = ctx.segment(1);
    let dispute = store
        .disputes
        .get(id)
        .ok_or_else(|| ApiError::not_found("dispute", id, "id"))?;
    Ok(render(store, dispute, &expand))
}

pub fn update(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, EXPANSIONS)?;
    // How the evidence is meant to be submitted (Smart Disputes or by hand): checked, and of no
    // consequence in the sandbox, which decides disputes by their test evidence.
    if let Some(method) = params.str("intended_submission_method")
        && ![
            "manual",
            "prefer_manual",
            "prefer_smart_disputes",
            "smart_disputes",
        ]
        .contains(&method)
    {
        return Err(ApiError::param_error(
            "Invalid intended_submission_method: must be one of manual, prefer_manual, prefer_smart_disputes, or smart_disputes",
            "intended_submission_method",
            None,
        ));
    }
    let id = ctx.segment(1).to_owned();
    let mut evidence = BTreeMap::new();
    if let Some(given) = params.map("evidence") {
        for (k, v) in given {
            if let Param::Str(text) = v {
                evidence.insert(k.clone(), text.clone());
            }
        }
    }
    if evidence.values().map(|t| t.chars().count()).sum::<usize>() > EVIDENCE_CHARS {
        return Err(ApiError::param_error(
            "The evidence you submitted is too long: all evidence text together is at most 150000 characters.",
            "evidence",
            None,
        ));
    }
    let metadata = if params.contains_key("metadata") {
        let mut metadata = store
            .disputes
            .get(&id)
            .map(|d| d.metadata.clone())
            .unwrap_or_default();
        apply_metadata(&mut metadata, params)?;
        Some(metadata)
    } else {
        None
    };
    let submit = params.bool("submit").unwrap_or(true);
    let dispute = store.update_dispute(&id, evidence, metadata, submit, &ctx.origin)?;
    Ok(render(store, &dispute, &expand))
}

pub fn close(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, EXPANSIONS)?;
    let id = ctx.segment(1).to_owned();
    let dispute = store.close_dispute(&id, &ctx.origin)?;
    Ok(render(store, &dispute, &expand))
}
