//! `/v1/checkout/sessions`: create (mode `payment`, lines priced with `price_data`), retrieve,
//! list, its line items, expire. The hosted page that pays it is `browser/checkout.rs`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::Ctx;
use super::expand::{check_expand, check_list_expand};
use super::list::{ListQuery, paginate};
use super::values::{apply_metadata, email_is_valid};
use crate::currency::{self, check_amount};
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::{CheckoutSession, SessionLine, SessionStatus};
use crate::params::{Param, Params, ParamsExt, Shape, as_list};
use crate::store::{Store, bank_debits};

/// Stripe's bounds on `expires_at` (/api/checkout/sessions/create#create_checkout_session-expires_at).
const MIN_EXPIRY_SECONDS: i64 = 30 * 60;
const MAX_EXPIRY_SECONDS: i64 = 24 * 60 * 60;

const PRODUCT_DATA: Shape = Shape::Map(&[
    ("description", Shape::Str),
    ("images", Shape::List(&Shape::Str)),
    ("metadata", Shape::Dict),
    ("name", Shape::Str),
    ("tax_code", Shape::Str),
    ("unit_label", Shape::Str),
]);
const PRICE_DATA: Shape = Shape::Map(&[
    ("currency", Shape::Str),
    ("product", Shape::Str),
    ("product_data", PRODUCT_DATA),
    ("recurring", Shape::Any),
    ("tax_behavior", Shape::Str),
    ("unit_amount", Shape::Int),
    ("unit_amount_decimal", Shape::Str),
]);
const LINE_ITEM: Shape = Shape::Map(&[
    ("adjustable_quantity", Shape::Any),
    ("dynamic_tax_rates", Shape::Any),
    ("metadata", Shape::Dict),
    ("price", Shape::Str),
    ("price_data", PRICE_DATA),
    ("quantity", Shape::Int),
    ("tax_rates", Shape::Any),
]);
const PAYMENT_INTENT_DATA: Shape = Shape::Map(&[
    ("application_fee_amount", Shape::Any),
    ("capture_method", Shape::Str),
    ("description", Shape::Str),
    ("metadata", Shape::Dict),
    ("on_behalf_of", Shape::Any),
    ("receipt_email", Shape::Str),
    ("setup_future_usage", Shape::Str),
    ("shipping", Shape::Any),
    ("statement_descriptor", Shape::Str),
    ("statement_descriptor_suffix", Shape::Str),
    ("transfer_data", Shape::Any),
    ("transfer_group", Shape::Str),
]);

/// Parameters of the API definition that need what the sandbox does not simulate (Prices and
/// Products as objects, tax, discounts, shipping rates, Connect, embedded and custom UI modes,
/// subscriptions and setup): refused with a message that says so.
const UNSIMULATED: &[&str] = &[
    "adaptive_pricing",
    "after_expiration",
    "allow_promotion_codes",
    "automatic_tax",
    "billing_address_collection",
    "branding_settings",
    "consent_collection",
    "custom_fields",
    "custom_text",
    "customer_account",
    "customer_creation",
    "customer_update",
    "discounts",
    "invoice_creation",
    "managed_payments",
    "name_collection",
    "optional_items",
    "origin_context",
    "payment_method_collection",
    "payment_method_configuration",
    "payment_method_data",
    "payment_method_options",
    "permissions",
    "phone_number_collection",
    "redirect_on_completion",
    "return_url",
    "saved_payment_method_options",
    "setup_intent_data",
    "shipping_address_collection",
    "shipping_options",
    "subscription_data",
    "tax_id_collection",
    "ui_mode",
    "wallet_options",
];

pub const CREATE: &[(&str, Shape)] = &[
    ("adaptive_pricing", Shape::Any),
    ("after_expiration", Shape::Any),
    ("allow_promotion_codes", Shape::Any),
    ("allowed_payment_method_types", Shape::List(&Shape::Str)),
    ("automatic_tax", Shape::Any),
    ("billing_address_collection", Shape::Any),
    ("branding_settings", Shape::Any),
    ("cancel_url", Shape::Str),
    ("client_reference_id", Shape::Str),
    ("consent_collection", Shape::Any),
    ("currency", Shape::Str),
    ("custom_fields", Shape::Any),
    ("custom_text", Shape::Any),
    ("customer", Shape::Str),
    ("customer_account", Shape::Any),
    ("customer_creation", Shape::Any),
    ("customer_email", Shape::Str),
    ("customer_update", Shape::Any),
    ("discounts", Shape::Any),
    ("excluded_payment_method_types", Shape::List(&Shape::Str)),
    ("expand", Shape::List(&Shape::Str)),
    ("expires_at", Shape::Int),
    ("integration_identifier", Shape::Str),
    ("invoice_creation", Shape::Any),
    ("line_items", Shape::List(&LINE_ITEM)),
    ("locale", Shape::Str),
    ("managed_payments", Shape::Any),
    ("metadata", Shape::Dict),
    ("mode", Shape::Str),
    ("name_collection", Shape::Any),
    ("optional_items", Shape::Any),
    ("origin_context", Shape::Any),
    ("payment_intent_data", PAYMENT_INTENT_DATA),
    ("payment_method_collection", Shape::Any),
    ("payment_method_configuration", Shape::Any),
    ("payment_method_data", Shape::Any),
    ("payment_method_options", Shape::Any),
    ("payment_method_types", Shape::List(&Shape::Str)),
    ("permissions", Shape::Any),
    ("phone_number_collection", Shape::Any),
    ("redirect_on_completion", Shape::Any),
    ("return_url", Shape::Any),
    ("saved_payment_method_options", Shape::Any),
    ("setup_intent_data", Shape::Any),
    ("shipping_address_collection", Shape::Any),
    ("shipping_options", Shape::Any),
    ("submit_type", Shape::Str),
    ("subscription_data", Shape::Any),
    ("success_url", Shape::Str),
    ("tax_id_collection", Shape::Any),
    ("ui_mode", Shape::Any),
    ("wallet_options", Shape::Any),
];

pub const RETRIEVE: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];
pub const EXPIRE: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];
pub const LINE_ITEMS: &[(&str, Shape)] = &[
    ("ending_before", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("limit", Shape::Int),
    ("starting_after", Shape::Str),
];
pub const LIST: &[(&str, Shape)] = &[
    ("created", Shape::IntOrRange),
    ("customer", Shape::Str),
    ("customer_account", Shape::Any),
    ("customer_details", Shape::Map(&[("email", Shape::Str)])),
    ("ending_before", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("limit", Shape::Int),
    ("payment_intent", Shape::Str),
    ("payment_link", Shape::Str),
    ("starting_after", Shape::Str),
    ("status", Shape::Str),
    ("subscription", Shape::Str),
];

fn unsimulated(param: &str) -> ApiError {
    ApiError::param_error(
        format!(
            "The Stripe sandbox does not simulate `{param}` on Checkout Sessions; use Stripe's test mode for it."
        ),
        param,
        None,
    )
}

/// An absolute http(s) URL, as Stripe requires of `success_url` and `cancel_url`.
fn url_param(params: &Params, key: &str) -> Result<Option<String>, ApiError> {
    let Some(value) = params.str(key) else {
        return Ok(None);
    };
    let valid = reqwest::Url::parse(value)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !valid || value.len() > 5000 {
        return Err(ApiError::param_error(
            "Not a valid URL",
            key,
            Some("url_invalid"),
        ));
    }
    Ok(Some(value.to_string()))
}

fn line(index: usize, item: &Param, created: i64) -> Result<SessionLine, ApiError> {
    let name = |field: &str| format!("line_items[{index}][{field}]");
    let Param::Map(item) = item else {
        return Err(ApiError::param_error(
            format!("Invalid object: {}", format_args!("line_items[{index}]")),
            &format!("line_items[{index}]"),
            None,
        ));
    };
    for p in ["adjustable_quantity", "dynamic_tax_rates", "tax_rates"] {
        if item.contains_key(p) {
            return Err(unsimulated(&name(p)));
        }
    }
    if let Some(price) = item.str("price") {
        if item.contains_key("price_data") {
            return Err(ApiError::param_error(
                format!(
                    "You may only specify one of these parameters: {}, {}.",
                    name("price"),
                    name("price_data")
                ),
                &name("price"),
                None,
            ));
        }
        // The sandbox has no Prices: any id is one Stripe would not find.
        return Err(ApiError::not_found("price", price, &name("price")));
    }
    let Some(data) = item.map("price_data") else {
        return Err(ApiError::param_error(
            format!(
                "You must specify either `price` or `price_data` in {}.",
                format_args!("line_items[{index}]")
            ),
            &name("price"),
            Some("parameter_missing"),
        ));
    };
    let data_name = |field: &str| format!("line_items[{index}][price_data][{field}]");
    if data.contains_key("recurring") {
        return Err(unsimulated(&data_name("recurring")));
    }
    let currency = match data.str("currency") {
        None => return Err(ApiError::missing_parameter(&data_name("currency"))),
        Some(c) => currency::parse(c).map_err(|e| e.with_param(&data_name("currency")))?,
    };
    if let Some(product) = data.str("product") {
        return Err(ApiError::not_found(
            "product",
            product,
            &data_name("product"),
        ));
    }
    let Some(product) = data.map("product_data") else {
        return Err(ApiError::param_error(
            format!(
                "You must specify either `product` or `product_data` in {}.",
                format_args!("line_items[{index}][price_data]")
            ),
            &data_name("product"),
            Some("parameter_missing"),
        ));
    };
    let product_name = product
        .str("name")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            ApiError::missing_parameter(&format!(
                "line_items[{index}][price_data][product_data][name]"
            ))
        })?;
    let unit_amount = match (data.str("unit_amount"), data.str("unit_amount_decimal")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::param_error(
                format!(
                    "You may only specify one of these parameters: {}, {}.",
                    data_name("unit_amount"),
                    data_name("unit_amount_decimal")
                ),
                &data_name("unit_amount"),
                None,
            ));
        }
        (Some(_), None) => data.int("unit_amount"),
        (None, Some(d)) => d.parse::<i64>().ok(),
        (None, None) => {
            return Err(ApiError::missing_parameter(&data_name("unit_amount")));
        }
    };
    let unit_amount = match unit_amount {
        Some(a) if (0..=99_999_999).contains(&a) => a,
        _ => {
            return Err(ApiError::param_error(
                "Invalid integer: must be between 0 and 99999999",
                &data_name("unit_amount"),
                None,
            ));
        }
    };
    let quantity = match item.str("quantity") {
        None => return Err(ApiError::missing_parameter(&name("quantity"))),
        Some(_) => item.int("quantity").unwrap_or(0),
    };
    if !(1..=999_999).contains(&quantity) {
        return Err(ApiError::param_error(
            "Quantity must be between 1 and 999999.",
            &name("quantity"),
            None,
        ));
    }
    Ok(SessionLine {
        id: new_id("li"),
        price_id: new_id("price"),
        product_id: new_id("prod"),
        name: product_name.to_string(),
        description: product.str("description").map(str::to_string),
        unit_amount,
        quantity: quantity as u64,
        currency,
        created,
    })
}

pub fn create(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    if let Some(p) = UNSIMULATED.iter().find(|p| params.contains_key(**p)) {
        return Err(unsimulated(p));
    }
    let expand = check_expand(params, &["line_items", "customer", "payment_intent"])?;
    let mode = params.required_str("mode")?;
    match mode {
        "payment" => {}
        "setup" | "subscription" => return Err(unsimulated(&format!("mode={mode}"))),
        _ => {
            return Err(ApiError::param_error(
                "Invalid mode: must be one of payment, setup, or subscription",
                "mode",
                None,
            ));
        }
    }
    if let Some(locale) = params.str("locale")
        && locale != "auto"
        && locale.len() > 5
    {
        return Err(ApiError::param_error("Invalid locale", "locale", None));
    }
    if let Some(submit) = params.str("submit_type")
        && !["auto", "book", "donate", "pay", "subscribe"].contains(&submit)
    {
        return Err(ApiError::param_error(
            "Invalid submit_type: must be one of auto, book, donate, pay, or subscribe",
            "submit_type",
            None,
        ));
    }
    let created = now();
    let items = params
        .get("line_items")
        .and_then(as_list)
        .unwrap_or_default();
    if items.is_empty() {
        return Err(ApiError::param_error(
            "You must specify `line_items` in `payment` mode.",
            "line_items",
            Some("parameter_missing"),
        ));
    }
    if items.len() > 100 {
        return Err(ApiError::param_error(
            "You may only specify up to 100 line items in `payment` mode.",
            "line_items",
            None,
        ));
    }
    let lines = items
        .iter()
        .enumerate()
        .map(|(i, item)| line(i, item, created))
        .collect::<Result<Vec<_>, _>>()?;
    let session_currency = lines[0].currency.clone();
    if let Some(c) = params.str("currency")
        && currency::parse(c)? != session_currency
    {
        return Err(ApiError::param_error(
            "The `currency` parameter must match the currency of the line items.",
            "currency",
            None,
        ));
    }
    if lines.iter().any(|l| l.currency != session_currency) {
        return Err(ApiError::param_error(
            "All line items must have the same currency.",
            "line_items",
            None,
        ));
    }
    let total: i64 = lines.iter().map(SessionLine::amount).sum();
    check_amount(total, &session_currency).map_err(|e| e.with_param("line_items"))?;

    let success_url = url_param(params, "success_url")?.ok_or_else(|| {
        ApiError::param_error(
            "The Stripe sandbox needs a `success_url` for a hosted Checkout Session (Stripe would show its own confirmation page without one).",
            "success_url",
            Some("parameter_missing"),
        )
    })?;
    let cancel_url = url_param(params, "cancel_url")?;

    let customer = match params.str("customer") {
        None => None,
        Some("") => return Err(crate::params::empty_string("customer")),
        Some(id) if store.customers.contains_key(id) => Some(id.to_string()),
        Some(id) => return Err(ApiError::not_found("customer", id, "customer")),
    };
    let customer_email = params.str("customer_email").map(str::to_string);
    if customer.is_some() && customer_email.is_some() {
        return Err(ApiError::param_error(
            "You may only specify one of these parameters: customer, customer_email.",
            "customer",
            None,
        ));
    }
    if let Some(email) = &customer_email
        && !email_is_valid(email)
    {
        return Err(ApiError::param_error(
            format!("Invalid email address: {email}"),
            "customer_email",
            Some("email_invalid"),
        ));
    }
    let client_reference_id = params.str("client_reference_id").map(str::to_string);
    if client_reference_id
        .as_deref()
        .is_some_and(|r| r.chars().count() > 200)
    {
        return Err(ApiError::param_error(
            "Invalid string: client_reference_id must be at most 200 characters",
            "client_reference_id",
            None,
        ));
    }
    let expires_at = match params.str("expires_at") {
        None => created + MAX_EXPIRY_SECONDS,
        Some(_) => {
            let at = params.int("expires_at").unwrap_or(0);
            if at < created + MIN_EXPIRY_SECONDS {
                return Err(ApiError::param_error(
                    "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
                    "expires_at",
                    None,
                ));
            }
            if at > created + MAX_EXPIRY_SECONDS {
                return Err(ApiError::param_error(
                    "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
                    "expires_at",
                    None,
                ));
            }
            at
        }
    };
    let mut metadata = BTreeMap::new();
    apply_metadata(&mut metadata, params)?;
    let mut intent_metadata = BTreeMap::new();
    let mut intent_description = None;
    if let Some(data) = params.map("payment_intent_data") {
        for p in [
            "application_fee_amount",
            "on_behalf_of",
            "transfer_data",
            "shipping",
            "setup_future_usage",
            "statement_descriptor",
            "statement_descriptor_suffix",
            "transfer_group",
            "receipt_email",
        ] {
            if data.contains_key(p) {
                return Err(unsimulated(&format!("payment_intent_data[{p}]")));
            }
        }
        if let Some(m) = data.str("capture_method")
            && m != "automatic"
            && m != "automatic_async"
        {
            return Err(unsimulated("payment_intent_data[capture_method]"));
        }
        apply_metadata(&mut intent_metadata, data)
            .map_err(|e| e.with_param("payment_intent_data[metadata]"))?;
        intent_description = data.str("description").map(str::to_string);
    }
    let payment_method_types = match params.get("payment_method_types") {
        Some(_) => {
            let types = params.strings("payment_method_types");
            bank_debits::check_currency(&types, &session_currency)?;
            types
        }
        None => bank_debits::automatic_types(&session_currency),
    };

    let id = format!("cs_test_{}", crate::ids::random_string(58));
    let session = CheckoutSession {
        url: format!("{}c/pay/{id}", ctx.pages),
        id: id.clone(),
        created,
        expires_at,
        status: SessionStatus::Open,
        paid: false,
        currency: session_currency,
        lines,
        client_reference_id,
        metadata,
        intent_metadata,
        intent_description,
        customer,
        customer_email,
        success_url,
        cancel_url,
        payment_intent: None,
        payment_method_types,
    };
    store.checkout_sessions.insert(id.clone(), session.clone());
    // Stripe sends no event when a session is created.
    Ok(render(store, &session, &expand))
}

fn render(store: &Store, session: &CheckoutSession, expand: &[String]) -> Value {
    let mut json = store.session_json(session, expand.iter().any(|e| e == "line_items"));
    super::expand::expand_field(&mut json, "customer", expand, |id| {
        store.customers.get(id).map(|c| c.to_json())
    });
    super::expand::expand_field(&mut json, "payment_intent", expand, |id| {
        store.intents.get(id).map(|pi| pi.to_json())
    });
    json
}

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, &["line_items", "customer", "payment_intent"])?;
    let session = store.checkout_session(ctx.segment(2))?;
    Ok(render(store, session, &expand))
}

pub fn expire(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, &["line_items", "customer", "payment_intent"])?;
    let session = store.expire_session(ctx.segment(2), &ctx.origin)?;
    Ok(render(store, &session, &expand))
}

pub fn line_items(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    check_list_expand(params, &[])?;
    let session = store.checkout_session(ctx.segment(2))?;
    let q = ListQuery::from_params(params)?;
    let rows = session
        .lines
        .iter()
        .map(|l| (l.id.clone(), l.to_json()))
        .collect();
    let url = format!("/v1/checkout/sessions/{}/line_items", session.id);
    paginate(rows, &q, &url, "item")
}

pub fn list(store: &mut Store, _ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    if params.contains_key("customer_account") {
        return Err(unsimulated("customer_account"));
    }
    let expand = check_list_expand(params, &["line_items", "customer", "payment_intent"])?;
    let q = ListQuery::from_params(params)?;
    let status = match params.str("status") {
        None => None,
        Some(s @ ("open" | "complete" | "expired")) => Some(s),
        Some(_) => {
            return Err(ApiError::param_error(
                "Invalid status: must be one of complete, expired, or open",
                "status",
                None,
            ));
        }
    };
    let email = params
        .map("customer_details")
        .and_then(|d| d.str("email"))
        .map(str::to_string);
    let mut sessions: Vec<&CheckoutSession> = store
        .checkout_sessions
        .values()
        .filter(|s| q.created_matches(s.created))
        .filter(|s| status.is_none_or(|st| s.status.as_str() == st))
        .filter(|s| {
            params
                .str("customer")
                .is_none_or(|c| s.customer.as_deref() == Some(c))
        })
        .filter(|s| {
            params
                .str("payment_intent")
                .is_none_or(|p| s.payment_intent.as_deref() == Some(p))
        })
        .filter(|s| {
            email
                .as_deref()
                .is_none_or(|e| s.customer_email.as_deref() == Some(e))
        })
        // Sessions come from neither Payment Links nor subscriptions here.
        .filter(|_| !params.contains_key("payment_link") && !params.contains_key("subscription"))
        .collect();
    sessions.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    let rows = sessions
        .into_iter()
        .map(|s| (s.id.clone(), render(store, s, &expand)))
        .collect();
    paginate(rows, &q, "/v1/checkout/sessions", "checkout.session")
}
