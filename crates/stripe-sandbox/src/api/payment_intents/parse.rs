//! Parsing a PaymentIntent request's parameters as Stripe does: each function refuses what
//! Stripe refuses, with Stripe's message.

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use super::schema::{CLIENT_EXPANSIONS, SERVER_EXPANSIONS, UNSUPPORTED};
use crate::api::context::Ctx;
use crate::api::expand::{check_expand, check_list_expand};
use crate::api::values::email;
use crate::error::ApiError;
use crate::objects::PaymentIntent;
use crate::params::{Params, ParamsExt, empty_string};
use crate::store::Store;
use crate::store::bank_debits::{SIMULATED_TYPES, SepaInput};
use crate::store::payment_intents::Confirm;
use crate::store::payment_methods::{CardInput, PaymentMethodSource};

pub fn unsupported(params: &Params) -> Result<(), ApiError> {
    match UNSUPPORTED.iter().find(|p| params.contains_key(**p)) {
        Some(p) => Err(ApiError::param_error(
            format!("The Stripe sandbox does not simulate `{p}`; use Stripe's test mode for it."),
            p,
            None,
        )),
        None => Ok(()),
    }
}

/// The `shipping` parameter: `None` when absent, `Some(None)` when unset (`shipping=`), or the
/// shipping details as Stripe returns them. Stripe requires `name` and `address[line1]` and takes
/// a two-letter country code.
pub fn shipping(params: &Params) -> Result<Option<Option<Value>>, ApiError> {
    if params.str("shipping") == Some("") {
        return Ok(Some(None));
    }
    let Some(shipping) = params.map("shipping") else {
        return Ok(None);
    };
    let name = required_text(shipping, "name", "shipping[name]")?;
    let address = shipping
        .map("address")
        .ok_or_else(|| ApiError::missing_parameter("shipping[address]"))?;
    let line1 = required_text(address, "line1", "shipping[address][line1]")?;
    let country = match address.str("country").filter(|c| !c.is_empty()) {
        Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Some(c.to_ascii_uppercase())
        }
        Some(c) => {
            return Err(ApiError::param_error(
                format!(
                    "Country '{c}' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'EG', or 'GB'. A full list of country codes is available at https://stripe.com/docs/api#country_codes"
                ),
                "shipping[address][country]",
                None,
            ));
        }
        None => None,
    };
    let text = |map: &Params, key: &str| map.str(key).filter(|v| !v.is_empty()).map(str::to_string);
    Ok(Some(Some(json!({
        "address": {
            "city": text(address, "city"),
            "country": country,
            "line1": line1,
            "line2": text(address, "line2"),
            "postal_code": text(address, "postal_code"),
            "state": text(address, "state"),
        },
        "carrier": text(shipping, "carrier"),
        "name": name,
        "phone": text(shipping, "phone"),
        "tracking_number": text(shipping, "tracking_number"),
    }))))
}

fn required_text<'a>(map: &'a Params, key: &str, name: &str) -> Result<&'a str, ApiError> {
    match map.str(key) {
        None => Err(ApiError::missing_parameter(name)),
        Some("") => Err(empty_string(name)),
        Some(v) => Ok(v),
    }
}

/// The `expand[]` entries the caller's key may ask for.
pub fn expansions(ctx: &Ctx, params: &Params) -> Result<Vec<String>, ApiError> {
    check_expand(
        params,
        if ctx.publishable() {
            CLIENT_EXPANSIONS
        } else {
            SERVER_EXPANSIONS
        },
    )
}

/// The `expand[]` entries of a list (`data.latest_charge`).
pub fn list_expansions(ctx: &Ctx, params: &Params) -> Result<Vec<String>, ApiError> {
    check_list_expand(
        params,
        if ctx.publishable() {
            CLIENT_EXPANSIONS
        } else {
            SERVER_EXPANSIONS
        },
    )
}

/// The `currency` parameter.
pub fn currency(params: &Params) -> Result<String, ApiError> {
    crate::currency::parse(params.required_str("currency")?)
}

/// The `customer` parameter: an existing customer.
pub fn customer(store: &Store, params: &Params) -> Result<Option<String>, ApiError> {
    match params.str("customer") {
        None => Ok(None),
        Some("") => Err(empty_string("customer")),
        Some(id) if store.customers.contains_key(id) => Ok(Some(id.to_string())),
        Some(id) => {
            Err(ApiError::not_found("customer", id, "customer")
                .with_status(StatusCode::BAD_REQUEST))
        }
    }
}

pub fn payment_method_types(params: &Params) -> Result<Option<Vec<String>>, ApiError> {
    if !params.contains_key("payment_method_types") {
        return Ok(None);
    }
    let types = params.strings("payment_method_types");
    for t in &types {
        if !SIMULATED_TYPES.contains(&t.as_str()) {
            return Err(ApiError::param_error(
                format!(
                    "The payment method type \"{t}\" is invalid. Please ensure the provided type is activated in your dashboard (https://dashboard.stripe.com/account/payments/settings) and your account is enabled for any preview features that you are trying to use."
                ),
                "payment_method_types",
                None,
            ));
        }
    }
    if types.is_empty() {
        return Err(empty_string("payment_method_types"));
    }
    Ok(Some(types))
}

/// A parameter that must be one of `allowed`.
pub fn one_of<'a>(
    params: &'a Params,
    key: &str,
    allowed: &[&str],
) -> Result<Option<&'a str>, ApiError> {
    match params.str(key) {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v)),
        Some(_) => Err(ApiError::param_error(
            format!("Invalid {key}: must be one of {}", allowed.join(", ")),
            key,
            None,
        )),
    }
}

/// The payment method to confirm with: `payment_method_data`, `payment_method`, or the one
/// already attached.
pub fn source(params: &Params) -> Result<PaymentMethodSource, ApiError> {
    if let Some(data) = params.map("payment_method_data") {
        if params.contains_key("payment_method") {
            return Err(ApiError::param_error(
                "You may only specify one of these parameters: payment_method, payment_method_data.",
                "payment_method_data",
                None,
            ));
        }
        let billing = data.map("billing_details");
        let get = |m: Option<&Params>, k: &str| m.and_then(|m| m.str(k)).map(str::to_string);
        match data.str("type") {
            Some("card") => {}
            Some("sepa_debit") => {
                return Ok(PaymentMethodSource::SepaDebit(SepaInput {
                    iban: get(data.map("sepa_debit"), "iban"),
                    name: get(billing, "name"),
                    email: get(billing, "email"),
                }));
            }
            None => return Err(ApiError::missing_parameter("payment_method_data[type]")),
            Some(other) => {
                return Err(ApiError::param_error(
                    format!(
                        "Invalid payment_method_data[type]: the sandbox simulates cards and sepa_debit, not {other}."
                    ),
                    "payment_method_data[type]",
                    None,
                ));
            }
        }
        let card = data.map("card");
        return Ok(PaymentMethodSource::Card(CardInput {
            number: get(card, "number"),
            exp_month: get(card, "exp_month"),
            exp_year: get(card, "exp_year"),
            cvc: get(card, "cvc"),
            postal_code: get(billing.and_then(|b| b.map("address")), "postal_code"),
            line1: get(billing.and_then(|b| b.map("address")), "line1"),
            name: get(billing, "name"),
            email: get(billing, "email"),
        }));
    }
    match params.str("payment_method") {
        Some("") => Err(empty_string("payment_method")),
        Some(id) => Ok(PaymentMethodSource::Id(id.to_string())),
        None => Ok(PaymentMethodSource::Attached),
    }
}

pub fn off_session(params: &Params) -> Result<bool, ApiError> {
    match params.str("off_session") {
        None | Some("false") => Ok(false),
        Some("true" | "one_off" | "recurring") => Ok(true),
        Some(v) => Err(ApiError::param_error(
            format!("Invalid off_session: {v}"),
            "off_session",
            None,
        )),
    }
}

pub fn return_url(params: &Params) -> Result<Option<String>, ApiError> {
    match params.str("return_url") {
        None => Ok(None),
        Some(u) => match reqwest::Url::parse(u) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(Some(u.to_string())),
            _ => Err(ApiError::param_error(
                "Not a valid URL",
                "return_url",
                Some("url_invalid"),
            )),
        },
    }
}

/// `mandate_data[customer_acceptance]`: the type of mandate the customer accepted. Stripe.js
/// (a publishable key) sends `online` with `online[infer_from_client]=true`; a server sends
/// `online` with the customer's `ip_address` and `user_agent`, or `offline`
/// (/api/payment_intents/confirm#confirm_payment_intent-mandate_data).
pub fn mandate(ctx: &Ctx, params: &Params) -> Result<Option<String>, ApiError> {
    let Some(acceptance) = params
        .map("mandate_data")
        .and_then(|m| m.map("customer_acceptance"))
    else {
        return Ok(None);
    };
    match acceptance.str("type") {
        Some("offline") => Ok(Some("offline".into())),
        Some("online") => {
            let online = acceptance.map("online");
            let inferred =
                online.and_then(|o| o.bool("infer_from_client")) == Some(true) && ctx.publishable();
            let given = online
                .is_some_and(|o| o.str("ip_address").is_some() && o.str("user_agent").is_some());
            if inferred || given {
                Ok(Some("online".into()))
            } else {
                Err(ApiError::missing_parameter(
                    "mandate_data[customer_acceptance][online][ip_address]",
                ))
            }
        }
        None => Err(ApiError::missing_parameter(
            "mandate_data[customer_acceptance][type]",
        )),
        Some(other) => Err(ApiError::param_error(
            format!(
                "Invalid mandate_data[customer_acceptance][type]: must be one of online or offline, not {other}"
            ),
            "mandate_data[customer_acceptance][type]",
            None,
        )),
    }
}

/// A confirmation attempt, from `confirm=true` at creation or from `/confirm`.
pub fn confirmation(ctx: &Ctx, params: &Params) -> Result<Confirm, ApiError> {
    Ok(Confirm {
        mandate: mandate(ctx, params)?,
        source: source(params)?,
        return_url: return_url(params)?,
        off_session: off_session(params)?,
        receipt_email: email(params, "receipt_email")?.flatten(),
        challenge: ctx.challenge.clone(),
        client_view: ctx.publishable(),
        require_return_url: !ctx.publishable() && params.bool("use_stripe_sdk") != Some(true),
    })
}

/// With a publishable key the client secret must come along; with any key it must match.
pub fn check_client_secret(ctx: &Ctx, params: &Params, pi: &PaymentIntent) -> Result<(), ApiError> {
    match params.str("client_secret") {
        None if ctx.publishable() => Err(ApiError::param_error(
            "The client_secret parameter is required when using a publishable key.",
            "client_secret",
            Some("parameter_missing"),
        )),
        None => Ok(()),
        Some(s) if s == pi.client_secret => Ok(()),
        Some(_) => Err(ApiError::invalid(
            "The client_secret provided does not match the client_secret associated with the PaymentIntent.",
        )
        .with_param("client_secret")),
    }
}
