//! `/v1/test_helpers/test_clocks`: create, retrieve, list, delete, advance (/api/test_clocks).

use serde_json::Value;

use super::context::Ctx;
use super::expand::{check_expand, check_list_expand};
use super::list::{ListQuery, paginate};
use crate::error::ApiError;
use crate::params::{Params, ParamsExt, Shape};
use crate::store::Store;

pub const CREATE: &[(&str, Shape)] = &[
    ("expand", Shape::List(&Shape::Str)),
    ("frozen_time", Shape::Int),
    ("name", Shape::Str),
];
pub const RETRIEVE: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];
pub const LIST: &[(&str, Shape)] = &[
    ("ending_before", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("limit", Shape::Int),
    ("starting_after", Shape::Str),
];
pub const ADVANCE: &[(&str, Shape)] = &[
    ("expand", Shape::List(&Shape::Str)),
    ("frozen_time", Shape::Int),
];
pub const DELETE: &[(&str, Shape)] = &[];

fn frozen_time(params: &Params) -> Result<i64, ApiError> {
    params.required_str("frozen_time")?;
    params
        .int("frozen_time")
        .ok_or_else(|| ApiError::param_error("Invalid integer", "frozen_time", None))
}

pub fn create(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    check_expand(params, &[])?;
    let at = frozen_time(params)?;
    let name = params
        .str("name")
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if name.as_deref().is_some_and(|n| n.chars().count() > 300) {
        return Err(ApiError::param_error(
            "Invalid string: name must be at most 300 characters",
            "name",
            None,
        ));
    }
    Ok(store.create_test_clock(at, name, &ctx.origin))
}

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    check_expand(params, &[])?;
    let clock = store.test_clock(ctx.segment(2))?;
    Ok(store.test_clock_json(clock))
}

pub fn list(store: &mut Store, _ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    check_list_expand(params, &[])?;
    let q = ListQuery::from_params(params)?;
    let mut clocks: Vec<_> = store.billing.test_clocks.values().collect();
    clocks.sort_by_key(|c| store.billing.newest_first(c.created, &c.id));
    let rows = clocks
        .into_iter()
        .map(|c| (c.id.clone(), store.test_clock_json(c)))
        .collect();
    paginate(
        rows,
        &q,
        "/v1/test_helpers/test_clocks",
        "test_helpers.test_clock",
    )
}

pub fn delete(store: &mut Store, ctx: &Ctx, _params: &Params) -> Result<Value, ApiError> {
    store.delete_test_clock(ctx.segment(2), &ctx.origin)
}

pub fn advance(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    check_expand(params, &[])?;
    let to = frozen_time(params)?;
    store.billing.pages = ctx.pages.clone();
    store.advance_test_clock(ctx.segment(2), to, &ctx.origin)
}
