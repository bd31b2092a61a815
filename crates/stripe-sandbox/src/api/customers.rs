//! `/v1/customers`: create, retrieve, update.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::context::Ctx;
use super::expand::check_expand;
use super::values::{apply_metadata, email_is_valid};
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::Customer;
use crate::params::{Params, ParamsExt, Shape};
use crate::store::Store;

const UNSUPPORTED: &[&str] = &[
    "balance",
    "cash_balance",
    "payment_method",
    "source",
    "tax_id_data",
];

const ADDRESS: Shape = Shape::Map(&[
    ("city", Shape::Str),
    ("country", Shape::Str),
    ("line1", Shape::Str),
    ("line2", Shape::Str),
    ("postal_code", Shape::Str),
    ("state", Shape::Str),
]);
const SHIPPING: Shape = Shape::Map(&[
    ("address", ADDRESS),
    ("name", Shape::Str),
    ("phone", Shape::Str),
]);
const INVOICE_SETTINGS: Shape = Shape::Map(&[
    ("custom_fields", Shape::Any),
    ("default_payment_method", Shape::Str),
    ("footer", Shape::Str),
    ("rendering_options", Shape::Any),
]);
const TAX: Shape = Shape::Map(&[
    ("ip_address", Shape::Str),
    ("validate_location", Shape::Str),
]);

pub const CREATE: &[(&str, Shape)] = &[
    ("description", Shape::Str),
    ("email", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("metadata", Shape::Dict),
    ("name", Shape::Str),
    ("phone", Shape::Str),
    ("address", ADDRESS),
    ("balance", Shape::Any),
    ("business_name", Shape::Str),
    ("cash_balance", Shape::Any),
    ("individual_name", Shape::Str),
    ("invoice_prefix", Shape::Str),
    ("invoice_settings", INVOICE_SETTINGS),
    ("next_invoice_sequence", Shape::Int),
    ("payment_method", Shape::Any),
    ("preferred_locales", Shape::List(&Shape::Str)),
    ("shipping", SHIPPING),
    ("source", Shape::Any),
    ("tax", TAX),
    ("tax_exempt", Shape::Str),
    ("tax_id_data", Shape::Any),
    ("test_clock", Shape::Str),
    ("validate", Shape::Bool),
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
    ("address", ADDRESS),
    ("balance", Shape::Any),
    ("business_name", Shape::Str),
    ("cash_balance", Shape::Any),
    ("default_source", Shape::Any),
    ("individual_name", Shape::Str),
    ("invoice_prefix", Shape::Str),
    ("invoice_settings", INVOICE_SETTINGS),
    ("next_invoice_sequence", Shape::Int),
    ("preferred_locales", Shape::List(&Shape::Str)),
    ("shipping", SHIPPING),
    ("source", Shape::Any),
    ("tax", TAX),
    ("tax_exempt", Shape::Str),
    ("validate", Shape::Bool),
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

fn address(m: &Params) -> Value {
    let get = |k: &str| m.str(k).filter(|v| !v.is_empty());
    json!({
        "city": get("city"), "country": get("country"), "line1": get("line1"),
        "line2": get("line2"), "postal_code": get("postal_code"), "state": get("state"),
    })
}

/// The fields the sandbox keeps as given (an empty string unsets one), checked as Stripe
/// checks them. `tax` and `validate` steer Stripe Tax's location check, which the sandbox does
/// not run: they are taken and change nothing.
fn apply_details(
    store: &Store,
    params: &Params,
    details: &mut BTreeMap<String, Value>,
) -> Result<(), ApiError> {
    let unset = |k: &str| params.str(k) == Some("");
    for field in ["address", "shipping", "business_name", "individual_name"] {
        if unset(field) {
            details.insert(field.to_string(), Value::Null);
        }
    }
    if let Some(m) = params.map("address") {
        details.insert("address".into(), address(m));
    }
    if let Some(m) = params.map("shipping") {
        let name = m.str("name").filter(|n| !n.is_empty());
        let Some(name) = name else {
            return Err(ApiError::missing_parameter("shipping[name]"));
        };
        let Some(addr) = m.map("address") else {
            return Err(ApiError::missing_parameter("shipping[address]"));
        };
        details.insert(
            "shipping".into(),
            json!({ "address": address(addr), "name": name, "phone": m.str("phone") }),
        );
    }
    for field in ["business_name", "individual_name"] {
        if let Some(v) = params.str(field).filter(|v| !v.is_empty()) {
            if v.chars().count() > 150 {
                return Err(ApiError::param_error(
                    format!("Invalid string: {field} must be at most 150 characters"),
                    field,
                    None,
                ));
            }
            details.insert(field.into(), json!(v));
        }
    }
    if let Some(prefix) = params.str("invoice_prefix") {
        let valid = (3..=12).contains(&prefix.len())
            && prefix
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !valid {
            return Err(ApiError::param_error(
                "Invalid invoice_prefix: must be 3 to 12 uppercase letters or numbers",
                "invoice_prefix",
                None,
            ));
        }
        details.insert("invoice_prefix".into(), json!(prefix));
    }
    if let Some(settings) = params.map("invoice_settings") {
        let default_pm = settings
            .str("default_payment_method")
            .filter(|id| !id.is_empty());
        if let Some(id) = default_pm
            && !store.payment_methods.contains_key(id)
        {
            return Err(ApiError::not_found(
                "PaymentMethod",
                id,
                "invoice_settings[default_payment_method]",
            ));
        }
        details.insert(
            "invoice_settings".into(),
            json!({
                "custom_fields": null,
                "default_payment_method": default_pm,
                "footer": settings.str("footer").filter(|f| !f.is_empty()),
                "rendering_options": null,
            }),
        );
    }
    if params.contains_key("next_invoice_sequence") {
        match params.int("next_invoice_sequence") {
            Some(n) if n >= 1 => {
                details.insert("next_invoice_sequence".into(), json!(n));
            }
            _ => {
                return Err(ApiError::param_error(
                    "Invalid next_invoice_sequence: must be a positive integer",
                    "next_invoice_sequence",
                    None,
                ));
            }
        }
    }
    if params.contains_key("preferred_locales") {
        details.insert(
            "preferred_locales".into(),
            json!(params.strings("preferred_locales")),
        );
    }
    match params.str("tax_exempt") {
        None => {}
        Some(v @ ("none" | "exempt" | "reverse")) => {
            details.insert("tax_exempt".into(), json!(v));
        }
        Some(_) => {
            return Err(ApiError::param_error(
                "Invalid tax_exempt: must be one of none, exempt, or reverse",
                "tax_exempt",
                None,
            ));
        }
    }
    Ok(())
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
    let mut details = BTreeMap::new();
    apply_details(store, params, &mut details)?;
    if let Some(clock) = params.str("test_clock") {
        store
            .test_clock(clock)
            .map_err(|e| e.with_param("test_clock"))?;
        if store.clock_customers(clock).len() >= crate::store::CUSTOMERS_PER_CLOCK {
            return Err(ApiError::invalid(format!(
                "The test clock {clock} already has the maximum number of customers ({}).",
                crate::store::CUSTOMERS_PER_CLOCK
            ))
            .with_param("test_clock"));
        }
        details.insert("test_clock".into(), serde_json::json!(clock));
    }
    let customer = Customer {
        id: new_id("cus"),
        created: now(),
        email: email.map(str::to_string),
        name: text("name"),
        phone: text("phone"),
        description: text("description"),
        metadata,
        details,
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
    apply_details(store, params, &mut customer.details)?;
    Ok(store.update_customer(customer, &ctx.origin))
}
