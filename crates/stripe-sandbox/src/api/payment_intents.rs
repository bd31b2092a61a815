//! `/v1/payment_intents`: create, list, retrieve, update, confirm, cancel.

use std::collections::BTreeMap;
use std::str::FromStr;

use actix_web::http::StatusCode;
use serde_json::Value;

use super::list::{ListQuery, paginate};
use super::{Ctx, check_expand, expand_field};
use crate::error::ApiError;
use crate::objects::{PaymentIntent, PaymentMethod, Status};
use crate::params::{Params, ParamsExt, Shape, empty_string};
use crate::payments::{CardInput, Confirm, PaymentMethodSource, THREE_DECIMAL, format_amount};
use crate::search;
use crate::state::Store;

const ADDRESS: Shape = Shape::Map(&[
    ("city", Shape::Str),
    ("country", Shape::Str),
    ("line1", Shape::Str),
    ("line2", Shape::Str),
    ("postal_code", Shape::Str),
    ("state", Shape::Str),
]);

const PAYMENT_METHOD_DATA: Shape = Shape::Map(&[
    ("type", Shape::Str),
    (
        "card",
        Shape::Map(&[
            ("number", Shape::Str),
            ("exp_month", Shape::Str),
            ("exp_year", Shape::Str),
            ("cvc", Shape::Str),
            ("networks", Shape::Any),
        ]),
    ),
    (
        "billing_details",
        Shape::Map(&[
            ("address", ADDRESS),
            ("email", Shape::Str),
            ("name", Shape::Str),
            ("phone", Shape::Str),
        ]),
    ),
    ("allow_redisplay", Shape::Str),
    ("metadata", Shape::Dict),
]);

const EXPAND: Shape = Shape::List(&Shape::Str);

/// Real Stripe parameters that the sandbox does not simulate: refused with a clear message.
const UNSUPPORTED: &[&str] = &[
    "allowed_payment_method_types",
    "amount_details",
    "amount_to_confirm",
    "application_fee_amount",
    "confirmation_token",
    "customer_account",
    "excluded_payment_method_types",
    "hooks",
    "mandate",
    "mandate_data",
    "on_behalf_of",
    "payment_details",
    "payment_method_configuration",
    "radar_options",
    "shipping",
    "transfer_data",
];

pub const CREATE: &[(&str, Shape)] = &[
    ("amount", Shape::Int),
    ("currency", Shape::Str),
    (
        "automatic_payment_methods",
        Shape::Map(&[("enabled", Shape::Bool), ("allow_redirects", Shape::Str)]),
    ),
    ("capture_method", Shape::Str),
    ("confirm", Shape::Bool),
    ("confirmation_method", Shape::Str),
    ("customer", Shape::Str),
    ("description", Shape::Str),
    ("error_on_requires_action", Shape::Bool),
    ("expand", EXPAND),
    ("metadata", Shape::Dict),
    ("off_session", Shape::Str),
    ("payment_method", Shape::Str),
    ("payment_method_data", PAYMENT_METHOD_DATA),
    ("payment_method_options", Shape::Any),
    ("payment_method_types", Shape::List(&Shape::Str)),
    ("receipt_email", Shape::Str),
    ("return_url", Shape::Str),
    ("setup_future_usage", Shape::Str),
    ("statement_descriptor", Shape::Str),
    ("statement_descriptor_suffix", Shape::Str),
    ("transfer_group", Shape::Str),
    ("use_stripe_sdk", Shape::Bool),
    // Refused with `unsupported` below.
    ("allowed_payment_method_types", Shape::Any),
    ("amount_details", Shape::Any),
    ("application_fee_amount", Shape::Any),
    ("confirmation_token", Shape::Any),
    ("customer_account", Shape::Any),
    ("excluded_payment_method_types", Shape::Any),
    ("hooks", Shape::Any),
    ("mandate", Shape::Any),
    ("mandate_data", Shape::Any),
    ("on_behalf_of", Shape::Any),
    ("payment_details", Shape::Any),
    ("payment_method_configuration", Shape::Any),
    ("radar_options", Shape::Any),
    ("shipping", Shape::Any),
    ("transfer_data", Shape::Any),
];

pub const UPDATE: &[(&str, Shape)] = &[
    ("amount", Shape::Int),
    ("currency", Shape::Str),
    ("customer", Shape::Str),
    ("description", Shape::Str),
    ("expand", EXPAND),
    ("metadata", Shape::Dict),
    ("payment_method", Shape::Str),
    ("payment_method_data", PAYMENT_METHOD_DATA),
    ("payment_method_options", Shape::Any),
    ("payment_method_types", Shape::List(&Shape::Str)),
    ("receipt_email", Shape::Str),
    ("setup_future_usage", Shape::Str),
    ("statement_descriptor", Shape::Str),
    ("statement_descriptor_suffix", Shape::Str),
    ("transfer_group", Shape::Str),
    ("allowed_payment_method_types", Shape::Any),
    ("amount_details", Shape::Any),
    ("application_fee_amount", Shape::Any),
    ("capture_method", Shape::Any),
    ("customer_account", Shape::Any),
    ("excluded_payment_method_types", Shape::Any),
    ("hooks", Shape::Any),
    ("payment_details", Shape::Any),
    ("payment_method_configuration", Shape::Any),
    ("shipping", Shape::Any),
    ("transfer_data", Shape::Any),
];

pub const CONFIRM: &[(&str, Shape)] = &[
    ("client_secret", Shape::Str),
    ("error_on_requires_action", Shape::Bool),
    ("expand", EXPAND),
    ("off_session", Shape::Str),
    ("payment_method", Shape::Str),
    ("payment_method_data", PAYMENT_METHOD_DATA),
    ("payment_method_options", Shape::Any),
    ("receipt_email", Shape::Str),
    ("return_url", Shape::Str),
    ("setup_future_usage", Shape::Str),
    ("use_stripe_sdk", Shape::Bool),
    ("allowed_payment_method_types", Shape::Any),
    ("amount_details", Shape::Any),
    ("amount_to_confirm", Shape::Any),
    ("capture_method", Shape::Any),
    ("confirmation_token", Shape::Any),
    ("excluded_payment_method_types", Shape::Any),
    ("hooks", Shape::Any),
    ("mandate", Shape::Any),
    ("mandate_data", Shape::Any),
    ("payment_details", Shape::Any),
    ("radar_options", Shape::Any),
    ("shipping", Shape::Any),
];

pub const RETRIEVE: &[(&str, Shape)] = &[("client_secret", Shape::Str), ("expand", EXPAND)];

pub const CANCEL: &[(&str, Shape)] = &[("cancellation_reason", Shape::Str), ("expand", EXPAND)];

pub const LIST: &[(&str, Shape)] = &[
    ("customer", Shape::Str),
    ("created", Shape::IntOrRange),
    ("ending_before", Shape::Str),
    ("expand", EXPAND),
    ("limit", Shape::Int),
    ("starting_after", Shape::Str),
];

pub const SEARCH: &[(&str, Shape)] = &[
    ("expand", EXPAND),
    ("limit", Shape::Int),
    ("page", Shape::Str),
    ("query", Shape::Str),
];

const SERVER_EXPANSIONS: &[&str] = &["latest_charge", "payment_method", "customer"];
const CLIENT_EXPANSIONS: &[&str] = &["payment_method"];

fn unsupported(params: &Params) -> Result<(), ApiError> {
    match UNSUPPORTED.iter().find(|p| params.contains_key(**p)) {
        Some(p) => Err(ApiError::param_error(
            format!("The Stripe sandbox does not simulate `{p}`; use Stripe's test mode for it."),
            p,
            None,
        )),
        None => Ok(()),
    }
}

fn expansions(ctx: &Ctx, params: &Params) -> Result<Vec<String>, ApiError> {
    check_expand(
        params,
        if ctx.publishable() {
            CLIENT_EXPANSIONS
        } else {
            SERVER_EXPANSIONS
        },
    )
}

/// The intent as the caller may see it, with its expansions.
fn render(store: &Store, pi: &PaymentIntent, ctx: &Ctx, expand: &[String]) -> Value {
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

fn currency(params: &Params) -> Result<String, ApiError> {
    let raw = params.required_str("currency")?.to_ascii_lowercase();
    // async-stripe's list lacks Stripe's three-decimal currencies, which Stripe supports.
    if THREE_DECIMAL.contains(&raw.as_str()) {
        return Ok(raw);
    }
    match stripe_types::Currency::from_str(&raw) {
        Ok(stripe_types::Currency::Unknown(_)) | Err(_) => Err(ApiError::param_error(
            format!(
                "Invalid currency: {raw}. Stripe currently supports these currencies: usd, eur, gbp, jpy, cad, aud, chf, sek, nok, dkk, ..."
            ),
            "currency",
            None,
        )),
        Ok(_) => Ok(raw),
    }
}

/// Stripe's smallest charge per currency (/currencies), in minor units.
fn minimum(currency: &str) -> i64 {
    match currency {
        "usd" | "ars" | "aud" | "brl" | "cad" | "chf" | "cop" | "eur" | "idr" | "ils" | "inr"
        | "nzd" | "php" | "rub" | "sgd" | "zar" => 50,
        "gbp" => 30,
        "aed" | "myr" | "pln" | "ron" => 200,
        "dkk" => 250,
        "nok" | "sek" => 300,
        "hkd" => 400,
        "czk" => 1500,
        "huf" => 17500,
        "mxn" | "thb" => 1000,
        "jpy" | "krw" => 50,
        _ => 1,
    }
}

fn amount(value: i64, currency: &str) -> Result<i64, ApiError> {
    let minimum = minimum(currency);
    if THREE_DECIMAL.contains(&currency) && value % 10 != 0 {
        return Err(ApiError::param_error(
            format!(
                "Invalid amount: {currency} amounts must end in 0 ({} can be charged, {} cannot). See https://stripe.com/docs/currencies#three-decimal.",
                format_amount(value - value % 10, currency),
                format_amount(value, currency)
            ),
            "amount",
            None,
        ));
    }
    if value < minimum {
        return Err(ApiError::param_error(
            format!(
                "Amount must be at least {} {currency}",
                format_amount(minimum, currency)
            ),
            "amount",
            Some("amount_too_small"),
        ));
    }
    if value > 99_999_999 {
        return Err(ApiError::param_error(
            format!(
                "Amount must be no more than {}",
                format_amount(99_999_999, currency)
            ),
            "amount",
            Some("amount_too_large"),
        ));
    }
    Ok(value)
}

/// Applies a `metadata` parameter: keys with an empty value are removed; `metadata=` clears all.
pub fn apply_metadata(
    target: &mut BTreeMap<String, String>,
    params: &Params,
) -> Result<(), ApiError> {
    if params.str("metadata") == Some("") {
        target.clear();
        return Ok(());
    }
    let Some(map) = params.map("metadata") else {
        return Ok(());
    };
    for (k, v) in map {
        let value = match v {
            crate::params::Param::Str(s) => s.clone(),
            _ => continue,
        };
        if k.chars().count() > 40 {
            return Err(ApiError::param_error(
                "Invalid metadata: keys must be at most 40 characters.",
                &format!("metadata[{k}]"),
                None,
            ));
        }
        if value.chars().count() > 500 {
            return Err(ApiError::param_error(
                "Invalid metadata: values must be at most 500 characters.",
                &format!("metadata[{k}]"),
                None,
            ));
        }
        if value.is_empty() {
            target.remove(k);
        } else {
            target.insert(k.clone(), value);
        }
    }
    if target.len() > 50 {
        return Err(ApiError::param_error(
            "Invalid metadata: metadata can have at most 50 keys.",
            "metadata",
            None,
        ));
    }
    Ok(())
}

fn email(params: &Params, key: &str) -> Result<Option<Option<String>>, ApiError> {
    match params.nullable_str(key) {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(e)) if crate::params::email_is_valid(e) => Ok(Some(Some(e.to_string()))),
        Some(Some(e)) => Err(ApiError::param_error(
            format!("Invalid email address: {e}"),
            key,
            Some("email_invalid"),
        )),
    }
}

fn customer(store: &Store, params: &Params) -> Result<Option<String>, ApiError> {
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

fn payment_method_types(params: &Params) -> Result<Option<Vec<String>>, ApiError> {
    if !params.contains_key("payment_method_types") {
        return Ok(None);
    }
    let types = params.strings("payment_method_types");
    for t in &types {
        if t != "card" {
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

fn one_of<'a>(
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

fn source(params: &Params) -> Result<PaymentMethodSource, ApiError> {
    if let Some(data) = params.map("payment_method_data") {
        if params.contains_key("payment_method") {
            return Err(ApiError::param_error(
                "You may only specify one of these parameters: payment_method, payment_method_data.",
                "payment_method_data",
                None,
            ));
        }
        match data.str("type") {
            Some("card") => {}
            None => return Err(ApiError::missing_parameter("payment_method_data[type]")),
            Some(other) => {
                return Err(ApiError::param_error(
                    format!(
                        "Invalid payment_method_data[type]: the sandbox only simulates cards, not {other}."
                    ),
                    "payment_method_data[type]",
                    None,
                ));
            }
        }
        let card = data.map("card");
        let billing = data.map("billing_details");
        let get = |m: Option<&Params>, k: &str| m.and_then(|m| m.str(k)).map(str::to_string);
        return Ok(PaymentMethodSource::Card(CardInput {
            number: get(card, "number"),
            exp_month: get(card, "exp_month"),
            exp_year: get(card, "exp_year"),
            cvc: get(card, "cvc"),
            postal_code: billing
                .and_then(|b| b.map("address"))
                .and_then(|a| a.str("postal_code"))
                .map(str::to_string),
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

fn off_session(params: &Params) -> Result<bool, ApiError> {
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

fn return_url(params: &Params) -> Result<Option<String>, ApiError> {
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

fn confirmation(ctx: &Ctx, params: &Params) -> Result<Confirm, ApiError> {
    Ok(Confirm {
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
fn check_client_secret(ctx: &Ctx, params: &Params, pi: &PaymentIntent) -> Result<(), ApiError> {
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

pub fn create(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    unsupported(params)?;
    let expand = expansions(ctx, params)?;
    let amount_value = params
        .int("amount")
        .ok_or_else(|| ApiError::missing_parameter("amount"))?;
    let currency = currency(params)?;
    let amount = amount(amount_value, &currency)?;
    let customer = customer(store, params)?;
    let confirm = params.bool("confirm") == Some(true);
    if !confirm {
        for p in ["return_url", "off_session", "error_on_requires_action"] {
            if params.contains_key(p) {
                return Err(ApiError::param_error(
                    format!("You can only pass `{p}` when `confirm` is true."),
                    p,
                    None,
                ));
            }
        }
    }
    let types = payment_method_types(params)?;
    let apm = params.map("automatic_payment_methods");
    let apm_enabled = apm.and_then(|m| m.bool("enabled"));
    if apm.is_some() && apm_enabled.is_none() {
        return Err(ApiError::missing_parameter(
            "automatic_payment_methods[enabled]",
        ));
    }
    if types.is_some() && apm_enabled == Some(true) {
        return Err(ApiError::param_error(
            "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.",
            "automatic_payment_methods",
            None,
        ));
    }
    let allow_redirects = apm
        .and_then(|m| one_of(m, "allow_redirects", &["always", "never"]).transpose())
        .transpose()?
        .unwrap_or("always")
        .to_string();
    let automatic_payment_methods = match (&types, apm_enabled) {
        (None, None | Some(true)) => Some(allow_redirects),
        _ => None,
    };
    let capture_method = match params.str("capture_method") {
        None => "automatic_async",
        Some(m @ ("automatic" | "automatic_async")) => m,
        Some("manual") => {
            return Err(ApiError::param_error(
                "The Stripe sandbox does not simulate `capture_method=manual`; use Stripe's test mode for it.",
                "capture_method",
                None,
            ));
        }
        Some(other) => {
            return Err(ApiError::param_error(
                format!("Invalid capture_method: {other}"),
                "capture_method",
                None,
            ));
        }
    };
    let confirmation_method =
        one_of(params, "confirmation_method", &["automatic", "manual"])?.unwrap_or("automatic");
    let setup_future_usage =
        one_of(params, "setup_future_usage", &["on_session", "off_session"])?.map(str::to_string);
    let mut metadata = BTreeMap::new();
    apply_metadata(&mut metadata, params)?;
    let receipt_email = email(params, "receipt_email")?.flatten();
    let description = params
        .nullable_str("description")
        .flatten()
        .map(str::to_string);
    let confirmation = if confirm {
        Some(confirmation(ctx, params)?)
    } else {
        None
    };

    let mut pi = PaymentIntent {
        metadata,
        customer,
        description,
        receipt_email,
        automatic_payment_methods,
        payment_method_types: types.unwrap_or_else(|| vec!["card".to_string()]),
        capture_method: capture_method.to_string(),
        confirmation_method: confirmation_method.to_string(),
        setup_future_usage,
        statement_descriptor: params.str("statement_descriptor").map(str::to_string),
        statement_descriptor_suffix: params
            .str("statement_descriptor_suffix")
            .map(str::to_string),
        transfer_group: params.str("transfer_group").map(str::to_string),
        ..PaymentIntent::new(amount, currency)
    };
    let id = pi.id.clone();
    if !confirm {
        // A payment method given at creation is attached right away.
        let src = source(params)?;
        if !matches!(src, PaymentMethodSource::Attached) {
            store.intents.insert(id.clone(), pi.clone());
            let attached = store.attach_payment_method(&id, &src);
            if let Err(e) = attached {
                store.intents.remove(&id);
                return Err(e);
            }
            if let Some(stored) = store.intents.get(&id) {
                pi = stored.clone();
            }
        }
    }
    store.intents.insert(id.clone(), pi.clone());
    store.emit("payment_intent.created", pi.to_json(), &ctx.origin);
    if let Some(c) = confirmation {
        store.confirm(&id, c, &ctx.origin)?;
    }
    let pi = store.intent(&id)?;
    Ok(render(store, pi, ctx, &expand))
}

pub fn list(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = expansions(ctx, params)?;
    let query = ListQuery::from_params(params)?;
    let customer = params.str("customer");
    let mut items: Vec<&PaymentIntent> = store
        .intents
        .values()
        .filter(|pi| customer.is_none_or(|c| pi.customer.as_deref() == Some(c)))
        .filter(|pi| query.created_matches(pi.created))
        .collect();
    items.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    let rows: Vec<(String, Value)> = items
        .iter()
        .map(|pi| (pi.id.clone(), render(store, pi, ctx, &expand)))
        .collect();
    paginate(rows, &query, "/v1/payment_intents", "payment_intent")
}

impl search::Searchable for PaymentIntent {
    fn text(&self, field: &str) -> Option<String> {
        match field {
            "status" => Some(self.status.as_str().to_owned()),
            "currency" => Some(self.currency.clone()),
            "customer" => self.customer.clone(),
            _ => None,
        }
    }

    fn number(&self, field: &str) -> Option<i64> {
        match field {
            "amount" => Some(self.amount),
            "created" => Some(self.created),
            _ => None,
        }
    }

    fn metadata(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }
}

/// `GET /v1/payment_intents/search`: Stripe's search, newest first, in pages of `limit`.
pub fn search(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let query = params.required_str("query")?;
    let parsed = search::parse(
        query,
        "payment_intents",
        &["currency", "customer", "status"],
        &["amount", "created"],
    )?;
    let mut expand = params.strings("expand");
    let total_count = expand.iter().any(|e| e == "total_count");
    expand.retain(|e| e != "total_count");
    for e in &expand {
        let inner = e.strip_prefix("data.").unwrap_or_default();
        if !SERVER_EXPANSIONS.contains(&inner) {
            return Err(ApiError::param_error(
                format!("This property cannot be expanded ({e})."),
                "expand",
                None,
            ));
        }
    }
    let expand: Vec<String> = expand
        .iter()
        .filter_map(|e| e.strip_prefix("data.").map(str::to_owned))
        .collect();
    let limit = match params.int("limit") {
        None => 10,
        Some(l) if (1..=100).contains(&l) => l as usize,
        Some(_) => {
            return Err(ApiError::param_error(
                "Invalid limit: must be between 1 and 100",
                "limit",
                None,
            ));
        }
    };
    // The page cursor is opaque to callers; here it is the offset of the page's first result.
    let offset = match params.str("page") {
        None => 0,
        Some(page) => page
            .strip_prefix("sbx_page_")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| ApiError::param_error("Invalid page cursor.", "page", None))?,
    };
    let mut found: Vec<&PaymentIntent> = store
        .intents
        .values()
        .filter(|pi| parsed.matches(*pi))
        .collect();
    found.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    let data: Vec<Value> = found
        .iter()
        .skip(offset)
        .take(limit)
        .map(|pi| render(store, pi, ctx, &expand))
        .collect();
    let has_more = found.len() > offset + limit;
    let mut result = serde_json::json!({
        "object": "search_result",
        "data": data,
        "has_more": has_more,
        "next_page": has_more.then(|| format!("sbx_page_{}", offset + limit)),
        "url": "/v1/payment_intents/search",
    });
    if total_count {
        result["total_count"] = serde_json::json!(found.len());
    }
    Ok(result)
}

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = expansions(ctx, params)?;
    let pi = store.intent(ctx.segment(1))?;
    check_client_secret(ctx, params, pi)?;
    Ok(render(store, pi, ctx, &expand))
}

pub fn update(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    unsupported(params)?;
    let expand = expansions(ctx, params)?;
    let id = ctx.segment(1).to_string();
    let status = store.intent(&id)?.status;
    let open = matches!(
        status,
        Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::RequiresAction
    );
    for field in [
        "amount",
        "currency",
        "payment_method",
        "payment_method_data",
        "payment_method_types",
        "setup_future_usage",
    ] {
        if params.contains_key(field) && !open {
            return Err(ApiError::invalid(format!(
                "This PaymentIntent's {field} could not be updated because it has a status of {}. You may only update the {field} of a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.",
                status.as_str()
            ))
            .with_code("payment_intent_unexpected_state"));
        }
    }
    let customer = customer(store, params)?;
    let receipt_email = email(params, "receipt_email")?;
    let types = payment_method_types(params)?;
    let setup_future_usage =
        one_of(params, "setup_future_usage", &["on_session", "off_session"])?.map(str::to_string);
    let currency = if params.contains_key("currency") {
        Some(currency(params)?)
    } else {
        None
    };
    let pi = store.intent(&id)?.clone();
    let new_currency = currency.clone().unwrap_or_else(|| pi.currency.clone());
    let new_amount = match params.int("amount") {
        Some(a) => Some(amount(a, &new_currency)?),
        None => None,
    };
    let mut metadata = pi.metadata.clone();
    apply_metadata(&mut metadata, params)?;
    let src = source(params)?;
    {
        let Some(pi) = store.intents.get_mut(&id) else {
            return Err(ApiError::not_found("payment_intent", &id, "intent"));
        };
        pi.metadata = metadata;
        if let Some(a) = new_amount {
            pi.amount = a;
        }
        if let Some(c) = currency {
            pi.currency = c;
        }
        if let Some(c) = customer {
            pi.customer = Some(c);
        }
        if let Some(d) = params.nullable_str("description") {
            pi.description = d.map(str::to_string);
        }
        if let Some(e) = receipt_email {
            pi.receipt_email = e;
        }
        if let Some(t) = types {
            pi.payment_method_types = t;
            pi.automatic_payment_methods = None;
        }
        if setup_future_usage.is_some() {
            pi.setup_future_usage = setup_future_usage;
        }
        if let Some(s) = params.nullable_str("statement_descriptor") {
            pi.statement_descriptor = s.map(str::to_string);
        }
        if let Some(s) = params.nullable_str("statement_descriptor_suffix") {
            pi.statement_descriptor_suffix = s.map(str::to_string);
        }
        if let Some(s) = params.nullable_str("transfer_group") {
            pi.transfer_group = s.map(str::to_string);
        }
        if (new_amount.is_some() || params.contains_key("currency"))
            && pi.status == Status::RequiresAction
        {
            // The authentication was for another amount.
            pi.status = Status::RequiresConfirmation;
            pi.challenge = None;
        }
    }
    if !matches!(src, PaymentMethodSource::Attached) {
        store.attach_payment_method(&id, &src)?;
    }
    let pi = store.intent(&id)?;
    Ok(render(store, pi, ctx, &expand))
}

pub fn confirm(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    unsupported(params)?;
    let expand = expansions(ctx, params)?;
    let id = ctx.segment(1).to_string();
    check_client_secret(ctx, params, store.intent(&id)?)?;
    let c = confirmation(ctx, params)?;
    store.confirm(&id, c, &ctx.origin)?;
    let pi = store.intent(&id)?;
    Ok(render(store, pi, ctx, &expand))
}

pub fn cancel(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = expansions(ctx, params)?;
    let reason = match params.str("cancellation_reason") {
        None => None,
        Some(r @ ("duplicate" | "fraudulent" | "requested_by_customer" | "abandoned")) => {
            Some(r.to_string())
        }
        Some(_) => {
            return Err(ApiError::param_error(
                "Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned",
                "cancellation_reason",
                None,
            ));
        }
    };
    let id = ctx.segment(1).to_string();
    store.cancel(&id, reason, &ctx.origin)?;
    let pi = store.intent(&id)?;
    Ok(render(store, pi, ctx, &expand))
}
