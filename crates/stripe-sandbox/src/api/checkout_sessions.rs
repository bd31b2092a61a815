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
use crate::objects::{CheckoutSession, Price, SessionLine, SessionStatus, SubscriptionData};
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
    "tax_id_collection",
    "ui_mode",
    "wallet_options",
];

const SUBSCRIPTION_DATA: Shape = Shape::Map(&[
    ("application_fee_percent", Shape::Any),
    ("billing_cycle_anchor", Shape::Any),
    ("billing_mode", Shape::Any),
    ("default_tax_rates", Shape::Any),
    ("description", Shape::Str),
    ("invoice_settings", Shape::Any),
    ("metadata", Shape::Dict),
    ("on_behalf_of", Shape::Any),
    ("pending_invoice_item_interval", Shape::Any),
    ("proration_behavior", Shape::Str),
    ("transfer_data", Shape::Any),
    ("trial_end", Shape::Int),
    ("trial_period_days", Shape::Int),
    ("trial_settings", Shape::Any),
]);

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
    ("subscription_data", SUBSCRIPTION_DATA),
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

fn line(
    store: &Store,
    index: usize,
    item: &Param,
    created: i64,
    subscription: bool,
) -> Result<(SessionLine, Option<crate::objects::Product>), ApiError> {
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
        let found = store
            .billing
            .prices
            .get(price)
            .cloned()
            .ok_or_else(|| ApiError::not_found("price", price, &name("price")))?;
        if !found.active {
            return Err(ApiError::param_error(
                format!(
                    "The price `{price}` is not available to be purchased because it is not active."
                ),
                &name("price"),
                None,
            ));
        }
        if found.recurring.is_some() && !subscription {
            return Err(ApiError::param_error(
                "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.",
                "line_items",
                None,
            ));
        }
        let quantity = line_quantity(item, &name("quantity"))?;
        let product = store.billing.products.get(&found.product);
        return Ok((
            SessionLine {
                id: new_id("li"),
                price_id: found.id.clone(),
                product_id: found.product.clone(),
                name: product.map(|p| p.name.clone()).unwrap_or_default(),
                description: product.and_then(|p| p.description.clone()),
                unit_amount: found.unit_amount,
                quantity,
                currency: found.currency.clone(),
                created,
                price: Some(found),
            },
            None,
        ));
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
    let recurring = match data.map("recurring") {
        Some(_) if !subscription => {
            return Err(ApiError::param_error(
                "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.",
                "line_items",
                None,
            ));
        }
        Some(r) => {
            let interval = match r.str("interval") {
                Some(i @ ("day" | "week" | "month" | "year")) => i.to_string(),
                None => {
                    return Err(ApiError::missing_parameter(&format!(
                        "line_items[{index}][price_data][recurring][interval]"
                    )));
                }
                Some(_) => {
                    return Err(ApiError::param_error(
                        "Invalid interval: must be one of day, month, week, or year",
                        &format!("line_items[{index}][price_data][recurring][interval]"),
                        None,
                    ));
                }
            };
            Some(crate::objects::Recurring {
                interval,
                interval_count: r.int("interval_count").unwrap_or(1).max(1),
                trial_period_days: None,
            })
        }
        None => None,
    };
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
    let quantity = line_quantity(item, &name("quantity"))?;
    let price_id = new_id("price");
    let product_id = new_id("prod");
    // A recurring line's Price and Product exist for the subscription to bill (the price
    // inactive, as Stripe keeps prices made inline); they are kept once every line is valid.
    let price = recurring.map(|recurring| Price {
        id: price_id.clone(),
        created,
        active: false,
        currency: currency.clone(),
        unit_amount,
        product: product_id.clone(),
        recurring: Some(recurring),
        lookup_key: None,
        nickname: None,
        metadata: BTreeMap::new(),
        tax_behavior: None,
    });
    let inline_product = price.as_ref().map(|_| crate::objects::Product {
        id: product_id.clone(),
        created,
        updated: created,
        active: true,
        name: product_name.to_string(),
        description: product.str("description").map(str::to_string),
        images: Vec::new(),
        metadata: BTreeMap::new(),
        default_price: None,
        statement_descriptor: None,
        unit_label: None,
        url: None,
        shippable: None,
        tax_code: None,
        marketing_features: Vec::new(),
    });
    Ok((
        SessionLine {
            id: new_id("li"),
            price_id,
            product_id,
            name: product_name.to_string(),
            description: product.str("description").map(str::to_string),
            unit_amount,
            quantity,
            currency,
            created,
            price,
        },
        inline_product,
    ))
}

fn line_quantity(item: &Params, name: &str) -> Result<u64, ApiError> {
    let quantity = match item.str("quantity") {
        None => return Err(ApiError::missing_parameter(name)),
        Some(_) => item.int("quantity").unwrap_or(0),
    };
    if !(1..=999_999).contains(&quantity) {
        return Err(ApiError::param_error(
            "Quantity must be between 1 and 999999.",
            name,
            None,
        ));
    }
    Ok(quantity as u64)
}

/// `subscription_data` of a `subscription`-mode session.
fn subscription_data(params: &Params, created: i64) -> Result<SubscriptionData, ApiError> {
    let Some(data) = params.map("subscription_data") else {
        return Ok(SubscriptionData::default());
    };
    for p in [
        "application_fee_percent",
        "billing_cycle_anchor",
        "billing_mode",
        "default_tax_rates",
        "invoice_settings",
        "on_behalf_of",
        "pending_invoice_item_interval",
        "transfer_data",
        "trial_settings",
    ] {
        if data.contains_key(p) {
            return Err(unsimulated(&format!("subscription_data[{p}]")));
        }
    }
    if let Some(p) = data.str("proration_behavior")
        && p != "create_prorations"
        && p != "none"
    {
        return Err(ApiError::param_error(
            "Invalid subscription_data[proration_behavior]: must be one of create_prorations or none",
            "subscription_data[proration_behavior]",
            None,
        ));
    }
    if data.contains_key("trial_end") && data.contains_key("trial_period_days") {
        return Err(ApiError::param_error(
            "You may only specify one of these parameters: subscription_data[trial_end], subscription_data[trial_period_days].",
            "subscription_data[trial_end]",
            None,
        ));
    }
    let trial_period_days = match data.int("trial_period_days") {
        None => None,
        Some(d) if (1..=730).contains(&d) => Some(d),
        Some(_) => {
            return Err(ApiError::param_error(
                "Invalid integer: subscription_data[trial_period_days] must be between 1 and 730",
                "subscription_data[trial_period_days]",
                None,
            ));
        }
    };
    // Checkout needs a trial to end at least 48 hours after the session is made.
    let trial_end = match data.int("trial_end") {
        None => None,
        Some(t) if t >= created + 48 * 60 * 60 && t <= created + 730 * 24 * 60 * 60 => Some(t),
        Some(_) => {
            return Err(ApiError::param_error(
                "subscription_data[trial_end] must be at least 48 hours in the future.",
                "subscription_data[trial_end]",
                None,
            ));
        }
    };
    let mut metadata = BTreeMap::new();
    apply_metadata(&mut metadata, data).map_err(|e| e.with_param("subscription_data[metadata]"))?;
    Ok(SubscriptionData {
        trial_period_days,
        trial_end,
        metadata,
        description: data
            .str("description")
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        subscription: None,
        invoice: None,
    })
}

pub fn create(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    if let Some(p) = UNSIMULATED.iter().find(|p| params.contains_key(**p)) {
        return Err(unsimulated(p));
    }
    let expand = check_expand(params, &["line_items", "customer", "payment_intent"])?;
    let mode = params.required_str("mode")?;
    let subscription = mode == "subscription";
    match mode {
        "payment" | "subscription" => {}
        "setup" => return Err(unsimulated("mode=setup")),
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
    if subscription && params.contains_key("payment_intent_data") {
        return Err(ApiError::param_error(
            "You can not pass `payment_intent_data` in `subscription` mode.",
            "payment_intent_data",
            None,
        ));
    }
    if !subscription && params.contains_key("subscription_data") {
        return Err(ApiError::param_error(
            "You can only pass `subscription_data` in `subscription` mode.",
            "subscription_data",
            None,
        ));
    }
    if items.is_empty() {
        return Err(ApiError::param_error(
            format!("You must specify `line_items` in `{mode}` mode."),
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
    let sub_data = if subscription {
        Some(subscription_data(params, created)?)
    } else {
        None
    };
    let made = items
        .iter()
        .enumerate()
        .map(|(i, item)| line(store, i, item, created, subscription))
        .collect::<Result<Vec<_>, _>>()?;
    let mut inline_products = Vec::new();
    let mut lines = Vec::new();
    for (line, product) in made {
        inline_products.extend(product);
        lines.push(line);
    }
    if subscription
        && !lines
            .iter()
            .any(|l| l.price.as_ref().is_some_and(|p| p.recurring.is_some()))
    {
        return Err(ApiError::param_error(
            "You must provide at least one recurring price in `subscription` mode when using prices.",
            "line_items",
            None,
        ));
    }
    if subscription {
        let terms: Vec<_> = lines
            .iter()
            .filter_map(|l| l.price.as_ref().and_then(|p| p.recurring.clone()))
            .map(|r| (r.interval, r.interval_count))
            .collect();
        if terms.windows(2).any(|w| w[0] != w[1])
            || lines
                .iter()
                .any(|l| l.price.as_ref().is_none_or(|p| p.recurring.is_none()))
        {
            return Err(ApiError::param_error(
                "The sandbox's subscription Checkout takes only recurring prices of one interval (one-time lines on the first invoice are not simulated).",
                "line_items",
                None,
            ));
        }
    }
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
    let in_trial = sub_data
        .as_ref()
        .is_some_and(|d| d.trial_period_days.is_some() || d.trial_end.is_some());
    if !in_trial {
        check_amount(total, &session_currency).map_err(|e| e.with_param("line_items"))?;
    }

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

    for product in inline_products {
        store.billing.number(&product.id);
        store.billing.products.insert(product.id.clone(), product);
    }
    for price in lines.iter().filter_map(|l| l.price.as_ref()) {
        if !store.billing.prices.contains_key(&price.id) {
            store.billing.number(&price.id);
            store.billing.prices.insert(price.id.clone(), price.clone());
        }
    }
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
        subscription_mode: sub_data,
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
