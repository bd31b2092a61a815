//! `expand[]`: which fields of an object may be expanded, and replacing an id with its object.

use serde_json::Value;

use crate::error::ApiError;
use crate::params::{Params, ParamsExt};

/// Refuses `expand[]` entries that the object cannot expand.
pub fn check_expand(params: &Params, allowed: &[&str]) -> Result<Vec<String>, ApiError> {
    let expand = params.strings("expand");
    for e in &expand {
        if !allowed.contains(&e.as_str()) {
            return Err(ApiError::param_error(
                format!("This property cannot be expanded ({e})."),
                "expand",
                None,
            ));
        }
    }
    Ok(expand)
}

/// `expand[]` on a list: each entry names a field of the listed objects as `data.<field>`,
/// answered with the fields to expand in each object. A bare field is refused with Stripe's
/// hint.
pub fn check_list_expand(params: &Params, allowed: &[&str]) -> Result<Vec<String>, ApiError> {
    let mut fields = Vec::new();
    for e in params.strings("expand") {
        match e.strip_prefix("data.") {
            Some(field) if allowed.contains(&field) => fields.push(field.to_string()),
            _ if allowed.contains(&e.as_str()) => {
                return Err(ApiError::param_error(
                    format!(
                        "This property cannot be expanded ({e}). You may want to try expanding 'data.{e}' instead."
                    ),
                    "expand",
                    None,
                ));
            }
            _ => {
                return Err(ApiError::param_error(
                    format!("This property cannot be expanded ({e})."),
                    "expand",
                    None,
                ));
            }
        }
    }
    Ok(fields)
}

/// Replaces the id in `field` with the object from `lookup`.
pub fn expand_field(
    value: &mut Value,
    field: &str,
    expand: &[String],
    lookup: impl Fn(&str) -> Option<Value>,
) {
    if !expand.iter().any(|e| e == field) {
        return;
    }
    if let Some(slot) = value.get_mut(field)
        && let Some(id) = slot.as_str().map(str::to_string)
        && let Some(object) = lookup(&id)
    {
        *slot = object;
    }
}
