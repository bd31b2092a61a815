//! `/v1/customers`: create, retrieve, update.

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::Ctx;
use super::expand::check_expand;
use super::values::{apply_metadata, email_is_valid};
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::Customer;
use crate::params::{Params, ParamsExt, Shape};
use crate::store::Store;

const UNSUPPORTED: &[&str] = &[
    "address",
    "balance",
    "business_name",
    "cash_balance",
    "individual_name",
    "invoice_prefix",
    "invoice_settings",
    "next_invoice_sequence",
    "payment_method",
    "preferred_locales",
    "shipping",
    "source",
    "tax",
    "tax_exempt",
    "tax_id_data",
    "test_clock",
    "validate",
];

pub const CREATE: &[(&str, Shape)] = &[
    ("description", Shape::Str),
    ("email", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("metadata", Shape::Dict),
    ("name", Shape::Str),
    ("phone", Shape::Str),
    ("address", Shape::Any),
    ("balance", Shape::Any),
    ("business_name", Shape::Any),
    ("cash_balance", Shape::Any),
    ("individual_name", Shape::Any),
    ("invoice_prefix", Shape::Any),
    ("invoice_settings", Shape::Any),
    ("next_invoice_sequence", Shape::Any),
    ("payment_method", Shape::Any),
    ("preferred_locales", Shape::Any),
    ("shipping", Shape::Any),
    ("source", Shape::Any),
    ("tax", Shape::Any),
    ("tax_exempt", Shape::Any),
    ("tax_id_data", Shape::Any),
    ("test_clock", Shape::Any),
    ("validate", Shape::Any),
];

pub const RETRIEVE: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];

/// `POST /v1/customers/{id}`: what create takes, but `payment_method` and `test_clock`, plus
/// `default_source`; the same unsimulated ones are refused.
pub const UPDATE: &[(&str, Shape)] = &[
    ("description", Shape::Str),
    ("email", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("metadata", Shape::Dict),
    ("name", Shape::Str),
    ("phone", Shape::Str),
    ("address", Shape::Any),
    ("balance", Shape::Any),
    ("business_name", Shape::Any),
    ("cash_balance", Shape::Any),
    ("default_source", Shape::Any),
    ("individual_name", Shape::Any),
    ("invoice_prefix", Shape::Any),
    ("invoice_settings", Shape::Any),
    ("next_invoice_sequence", Shape::Any),
    ("preferred_locales", Shape::Any),
    ("shipping", Shape::Any),
    ("source", Shape::Any),
    ("tax", Shape::Any),
    ("tax_exempt", Shape::Any),
    ("validate", Shape::Any),
];

fn refuse_unsimulated(params: &Params) -> Result<(), ApiError> {
    let unsimulated = UNSUPPORTED
        .iter()
        .chain(&["default_source"])
        .find(|p| params.contains_key(**p));
    match unsimulated {
        Some(p) => Err(ApiError::param_error(
            format!(
                "The Stripe sandbox does not simulate `{p}` on customers; use Stripe's test mode for it."
            ),
            p,
            None,
        )),
        None => Ok(()),
    }
}

/// The `email` parameter, checked as Stripe checks it; `Some("")` unsets it.
fn email_param(params: &Params) -> Result<Option<&str>, ApiError> {
    match params.str("email") {
        Some(e) if !e.is_empty() && !email_is_valid(e) => Err(ApiError::param_error(
            format!("Invalid email address: {e}"),
            "email",
            Some("email_invalid"),
        )),
        other => Ok(other),
    }
}

pub fn create(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    refuse_unsimulated(params)?;
    check_expand(params, &[])?;
    let email = email_param(params)?.filter(|e| !e.is_empty());
    let mut metadata = BTreeMap::new();
    apply_metadata(&mut metadata, params)?;
    let text = |k: &str| params.str(k).filter(|s| !s.is_empty()).map(str::to_string);
    let customer = Customer {
        id: new_id("cus"),
        created: now(),
        email: email.map(str::to_string),
        name: text("name"),
        phone: text("phone"),
        description: text("description"),
        metadata,
    };
    Ok(store.add_customer(customer, &ctx.origin))
}

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    check_expand(params, &[])?;
    let id = ctx.segment(1);
    store
        .customers
        .get(id)
        .map(Customer::to_json)
        .ok_or_else(|| ApiError::not_found("customer", id, "id"))
}

/// Changes the given fields (an empty string unsets one) and emits `customer.updated` with
/// the fields as they were in `previous_attributes` (/api/customers/update).
pub fn update(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    refuse_unsimulated(params)?;
    check_expand(params, &[])?;
    let id = ctx.segment(1).to_string();
    let mut customer = store
        .customers
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("customer", &id, "id"))?;
    let text = |k: &str| {
        params
            .str(k)
            .map(|s| (!s.is_empty()).then(|| s.to_string()))
    };
    if let Some(email) = email_param(params)? {
        customer.email = (!email.is_empty()).then(|| email.to_string());
    }
    if let Some(name) = text("name") {
        customer.name = name;
    }
    if let Some(phone) = text("phone") {
        customer.phone = phone;
    }
    if let Some(description) = text("description") {
        customer.description = description;
    }
    apply_metadata(&mut customer.metadata, params)?;
    Ok(store.update_customer(customer, &ctx.origin))
}
