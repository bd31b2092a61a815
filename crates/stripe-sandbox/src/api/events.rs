//! `/v1/events`: retrieve and list (newest first), filtered by `type` (with a `*` wildcard),
//! `types[]`, `created` and `delivery_success`.

use serde_json::Value;

use super::context::Ctx;
use super::expand::check_expand;
use super::list::{ListQuery, paginate};
use crate::error::ApiError;
use crate::objects::Event;
use crate::params::{Params, ParamsExt, Shape};
use crate::store::Store;

pub const RETRIEVE: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];

pub const LIST: &[(&str, Shape)] = &[
    ("created", Shape::IntOrRange),
    ("delivery_success", Shape::Bool),
    ("ending_before", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("limit", Shape::Int),
    ("starting_after", Shape::Str),
    ("type", Shape::Str),
    ("types", Shape::List(&Shape::Str)),
];

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    check_expand(params, &[])?;
    let id = ctx.segment(1);
    store
        .event(id)
        .map(Event::to_json)
        .ok_or_else(|| ApiError::not_found("event", id, "id"))
}

fn type_matches(pattern: &str, type_: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => type_.starts_with(prefix),
        None => pattern == type_,
    }
}

pub fn list(store: &mut Store, _ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    check_expand(params, &[])?;
    let query = ListQuery::from_params(params)?;
    if params.contains_key("type") && params.contains_key("types") {
        return Err(ApiError::param_error(
            "You may only specify one of these parameters: type, types.",
            "types",
            None,
        ));
    }
    let types = params.strings("types");
    if types.len() > 20 {
        return Err(ApiError::param_error(
            "Invalid array: types can have at most 20 entries",
            "types",
            None,
        ));
    }
    let single = params.str("type");
    let delivered = params.bool("delivery_success");
    let rows = store
        .events
        .iter()
        .rev()
        .filter(|e| single.is_none_or(|t| type_matches(t, &e.type_)))
        .filter(|e| types.is_empty() || types.iter().any(|t| type_matches(t, &e.type_)))
        .filter(|e| query.created_matches(e.created))
        .filter(|e| delivered.is_none_or(|d| d == (e.pending_webhooks == 0)))
        .map(|e| (e.id.clone(), e.to_json()))
        .collect();
    paginate(rows, &query, "/v1/events", "event")
}
