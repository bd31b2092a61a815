//! `/v1/billing_portal/configurations` (create, retrieve, update, list) and
//! `/v1/billing_portal/sessions` (create): the customer portal. The portal's page is
//! `browser/portal.rs`.

use serde_json::{Value, json};

use super::context::Ctx;
use super::expand::{check_expand, check_list_expand};
use super::list::{ListQuery, paginate};
use super::values::apply_metadata;
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::params::{Param, Params, ParamsExt, Shape, as_list};
use crate::store::Store;

const FEATURES: Shape = Shape::Map(&[
    ("customer_update", Shape::Any),
    ("invoice_history", Shape::Map(&[("enabled", Shape::Bool)])),
    (
        "payment_method_update",
        Shape::Map(&[
            ("enabled", Shape::Bool),
            ("payment_method_configuration", Shape::Any),
        ]),
    ),
    (
        "subscription_cancel",
        Shape::Map(&[
            ("cancellation_reason", Shape::Any),
            ("enabled", Shape::Bool),
            ("mode", Shape::Str),
            ("proration_behavior", Shape::Str),
        ]),
    ),
    ("subscription_pause", Shape::Any),
    (
        "subscription_update",
        Shape::Map(&[
            ("billing_cycle_anchor", Shape::Any),
            ("default_allowed_updates", Shape::Any),
            ("enabled", Shape::Bool),
            ("products", Shape::Any),
            ("proration_behavior", Shape::Str),
            ("schedule_at_period_end", Shape::Any),
            ("trial_update_behavior", Shape::Any),
        ]),
    ),
]);
const BUSINESS_PROFILE: Shape = Shape::Map(&[
    ("headline", Shape::Str),
    ("privacy_policy_url", Shape::Str),
    ("terms_of_service_url", Shape::Str),
]);

pub const CONFIG_CREATE: &[(&str, Shape)] = &[
    ("business_profile", BUSINESS_PROFILE),
    ("default_return_url", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("features", FEATURES),
    ("login_page", Shape::Any),
    ("metadata", Shape::Dict),
    ("name", Shape::Str),
];
pub const CONFIG_UPDATE: &[(&str, Shape)] = &[
    ("active", Shape::Bool),
    ("business_profile", BUSINESS_PROFILE),
    ("default_return_url", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("features", FEATURES),
    ("login_page", Shape::Any),
    ("metadata", Shape::Dict),
    ("name", Shape::Str),
];
pub const CONFIG_RETRIEVE: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];
pub const CONFIG_LIST: &[(&str, Shape)] = &[
    ("active", Shape::Bool),
    ("ending_before", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("is_default", Shape::Bool),
    ("limit", Shape::Int),
    ("starting_after", Shape::Str),
];
pub const SESSION_CREATE: &[(&str, Shape)] = &[
    ("after_expiration", Shape::Any),
    ("configuration", Shape::Str),
    ("customer", Shape::Str),
    ("customer_account", Shape::Any),
    ("expand", Shape::List(&Shape::Str)),
    ("flow_data", Shape::Any),
    ("locale", Shape::Str),
    ("on_behalf_of", Shape::Any),
    ("return_url", Shape::Str),
];

fn unsimulated(param: &str) -> ApiError {
    ApiError::param_error(
        format!(
            "The Stripe sandbox does not simulate `{param}` in the customer portal; use Stripe's test mode for it."
        ),
        param,
        None,
    )
}

fn url(params: &Params, key: &str) -> Result<Option<String>, ApiError> {
    match params.str(key) {
        None => Ok(None),
        Some("") => Ok(Some(String::new())),
        Some(v) => {
            let ok = reqwest::Url::parse(v)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if ok {
                Ok(Some(v.to_string()))
            } else {
                Err(ApiError::param_error(
                    "Not a valid URL",
                    key,
                    Some("url_invalid"),
                ))
            }
        }
    }
}

fn default_features() -> Value {
    json!({
        "customer_update": { "allowed_updates": [], "enabled": false },
        "invoice_history": { "enabled": false },
        "payment_method_update": { "enabled": false, "payment_method_configuration": null },
        "subscription_cancel": {
            "cancellation_reason": { "enabled": false, "options": [] },
            "enabled": false,
            "mode": "at_period_end",
            "proration_behavior": "none",
        },
        "subscription_pause": { "enabled": false },
        "subscription_update": {
            "billing_cycle_anchor": null,
            "default_allowed_updates": [],
            "enabled": false,
            "products": [],
            "proration_behavior": "none",
            "schedule_at_period_end": { "conditions": [] },
            "trial_update_behavior": "end_trial",
        },
    })
}

/// Applies `features[...]` over `features`, checked as Stripe checks them.
fn apply_features(store: &Store, params: &Params, features: &mut Value) -> Result<(), ApiError> {
    let Some(f) = params.map("features") else {
        return Ok(());
    };
    if f.contains_key("customer_update") {
        return Err(unsimulated("features[customer_update]"));
    }
    if let Some(pause) = f.map("subscription_pause")
        && pause.bool("enabled") == Some(true)
    {
        return Err(unsimulated("features[subscription_pause]"));
    }
    if let Some(h) = f.map("invoice_history")
        && let Some(e) = h.bool("enabled")
    {
        features["invoice_history"]["enabled"] = json!(e);
    }
    if let Some(p) = f.map("payment_method_update") {
        if p.contains_key("payment_method_configuration") {
            return Err(unsimulated(
                "features[payment_method_update][payment_method_configuration]",
            ));
        }
        if let Some(e) = p.bool("enabled") {
            features["payment_method_update"]["enabled"] = json!(e);
        }
    }
    if let Some(c) = f.map("subscription_cancel") {
        if c.contains_key("cancellation_reason") {
            return Err(unsimulated(
                "features[subscription_cancel][cancellation_reason]",
            ));
        }
        if let Some(e) = c.bool("enabled") {
            features["subscription_cancel"]["enabled"] = json!(e);
        }
        match c.str("mode") {
            None => {}
            Some(m @ ("at_period_end" | "immediately")) => {
                features["subscription_cancel"]["mode"] = json!(m)
            }
            Some(_) => {
                return Err(ApiError::param_error(
                    "Invalid features[subscription_cancel][mode]: must be one of at_period_end or immediately",
                    "features[subscription_cancel][mode]",
                    None,
                ));
            }
        }
        match c.str("proration_behavior") {
            None | Some("none") => {}
            Some("create_prorations" | "always_invoice") => {
                return Err(unsimulated(
                    "features[subscription_cancel][proration_behavior]",
                ));
            }
            Some(_) => {
                return Err(ApiError::param_error(
                    "Invalid features[subscription_cancel][proration_behavior]: must be one of always_invoice, create_prorations, or none",
                    "features[subscription_cancel][proration_behavior]",
                    None,
                ));
            }
        }
    }
    if let Some(u) = f.map("subscription_update") {
        for p in [
            "billing_cycle_anchor",
            "schedule_at_period_end",
            "trial_update_behavior",
        ] {
            if u.contains_key(p) {
                return Err(unsimulated(&format!("features[subscription_update][{p}]")));
            }
        }
        if let Some(e) = u.bool("enabled") {
            features["subscription_update"]["enabled"] = json!(e);
        }
        match u.str("proration_behavior") {
            None => {}
            Some(p @ ("none" | "create_prorations" | "always_invoice")) => {
                features["subscription_update"]["proration_behavior"] = json!(p);
            }
            Some(_) => {
                return Err(ApiError::param_error(
                    "Invalid features[subscription_update][proration_behavior]: must be one of always_invoice, create_prorations, or none",
                    "features[subscription_update][proration_behavior]",
                    None,
                ));
            }
        }
        if let Some(v) = u.get("default_allowed_updates") {
            let list = match v {
                Param::Str(s) if s.is_empty() => Vec::new(),
                v => as_list(v).unwrap_or_default(),
            };
            let mut allowed = Vec::new();
            for item in list {
                match item {
                    Param::Str(s) if s == "price" => allowed.push(s),
                    Param::Str(s) if s == "quantity" || s == "promotion_code" => {
                        return Err(unsimulated(&format!(
                            "features[subscription_update][default_allowed_updates]={s}"
                        )));
                    }
                    _ => {
                        return Err(ApiError::param_error(
                            "Invalid features[subscription_update][default_allowed_updates]: must be price, promotion_code or quantity",
                            "features[subscription_update][default_allowed_updates]",
                            None,
                        ));
                    }
                }
            }
            features["subscription_update"]["default_allowed_updates"] = json!(allowed);
        }
        if let Some(v) = u.get("products") {
            let list = match v {
                Param::Str(s) if s.is_empty() => Vec::new(),
                v => as_list(v).unwrap_or_default(),
            };
            let mut products = Vec::new();
            for (i, item) in list.iter().enumerate() {
                let name = |f: &str| format!("features[subscription_update][products][{i}][{f}]");
                let Param::Map(m) = item else {
                    return Err(ApiError::param_error(
                        "Invalid object",
                        &name("product"),
                        None,
                    ));
                };
                if m.contains_key("adjustable_quantity") {
                    return Err(unsimulated(&name("adjustable_quantity")));
                }
                let product = m
                    .str("product")
                    .ok_or_else(|| ApiError::missing_parameter(&name("product")))?;
                if !store.billing.products.contains_key(product) {
                    return Err(ApiError::not_found("product", product, &name("product")));
                }
                let prices = m.strings("prices");
                if prices.is_empty() {
                    return Err(ApiError::missing_parameter(&name("prices")));
                }
                for p in &prices {
                    let price = store
                        .billing
                        .prices
                        .get(p)
                        .ok_or_else(|| ApiError::not_found("price", p, &name("prices")))?;
                    if price.product != product || price.recurring.is_none() {
                        return Err(ApiError::param_error(
                            format!(
                                "The price `{p}` must be a recurring price of the product `{product}`."
                            ),
                            &name("prices"),
                            None,
                        ));
                    }
                }
                products.push(json!({
                    "adjustable_quantity": { "enabled": false, "maximum": null, "minimum": 1 },
                    "prices": prices,
                    "product": product,
                }));
            }
            features["subscription_update"]["products"] = json!(products);
        }
        let on = features["subscription_update"]["enabled"] == json!(true);
        let products = features["subscription_update"]["products"]
            .as_array()
            .is_some_and(|p| !p.is_empty());
        let allowed = features["subscription_update"]["default_allowed_updates"]
            .as_array()
            .is_some_and(|a| !a.is_empty());
        if on && (!products || !allowed) {
            return Err(ApiError::param_error(
                "To enable subscription updates, you must specify `default_allowed_updates` and `products`.",
                "features[subscription_update]",
                None,
            ));
        }
    }
    Ok(())
}

fn business_profile(params: &Params, profile: &mut Value) -> Result<(), ApiError> {
    let Some(b) = params.map("business_profile") else {
        return Ok(());
    };
    if let Some(h) = b.str("headline") {
        if h.chars().count() > 60 {
            return Err(ApiError::param_error(
                "Invalid string: business_profile[headline] must be at most 60 characters",
                "business_profile[headline]",
                None,
            ));
        }
        profile["headline"] = if h.is_empty() { Value::Null } else { json!(h) };
    }
    for key in ["privacy_policy_url", "terms_of_service_url"] {
        if let Some(u) =
            url(b, key).map_err(|e| e.with_param(&format!("business_profile[{key}]")))?
        {
            profile[key] = json!(u);
        }
    }
    Ok(())
}

pub fn create_configuration(
    store: &mut Store,
    _ctx: &Ctx,
    params: &Params,
) -> Result<Value, ApiError> {
    check_expand(params, &[])?;
    if !params.contains_key("features") {
        return Err(ApiError::missing_parameter("features"));
    }
    if let Some(l) = params.map("login_page")
        && l.bool("enabled") == Some(true)
    {
        return Err(unsimulated("login_page"));
    }
    let mut features = default_features();
    apply_features(store, params, &mut features)?;
    let mut profile =
        json!({ "headline": null, "privacy_policy_url": null, "terms_of_service_url": null });
    business_profile(params, &mut profile)?;
    let mut metadata = std::collections::BTreeMap::new();
    apply_metadata(&mut metadata, params)?;
    let created = now();
    let id = new_id("bpc");
    let config = json!({
        "id": id,
        "object": "billing_portal.configuration",
        "active": true,
        "application": null,
        "business_profile": profile,
        "created": created,
        "default_return_url": url(params, "default_return_url")?.filter(|u| !u.is_empty()),
        "features": features,
        "is_default": false,
        "livemode": false,
        "login_page": { "enabled": false, "url": null },
        "metadata": metadata,
        "name": params.str("name").filter(|n| !n.is_empty()),
        "updated": created,
    });
    store.billing.number(&id);
    store
        .billing
        .portal_configurations
        .insert(id, config.clone());
    Ok(config)
}

pub fn retrieve_configuration(
    store: &mut Store,
    ctx: &Ctx,
    params: &Params,
) -> Result<Value, ApiError> {
    check_expand(params, &[])?;
    let id = ctx.segment(2);
    store
        .billing
        .portal_configurations
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("billing_portal.configuration", id, "configuration"))
}

pub fn update_configuration(
    store: &mut Store,
    ctx: &Ctx,
    params: &Params,
) -> Result<Value, ApiError> {
    check_expand(params, &[])?;
    let id = ctx.segment(2).to_string();
    let mut config = retrieve_configuration(store, ctx, &Params::new())?;
    if let Some(l) = params.map("login_page")
        && l.bool("enabled") == Some(true)
    {
        return Err(unsimulated("login_page"));
    }
    let mut features = config["features"].clone();
    apply_features(store, params, &mut features)?;
    business_profile(params, &mut config["business_profile"])?;
    let mut metadata: std::collections::BTreeMap<String, String> =
        serde_json::from_value(config["metadata"].clone()).unwrap_or_default();
    apply_metadata(&mut metadata, params)?;
    if let Some(u) = url(params, "default_return_url")? {
        config["default_return_url"] = if u.is_empty() { Value::Null } else { json!(u) };
    }
    if let Some(n) = params.str("name") {
        config["name"] = if n.is_empty() { Value::Null } else { json!(n) };
    }
    if let Some(a) = params.bool("active") {
        if !a && config["is_default"] == json!(true) {
            return Err(ApiError::invalid(
                "The default configuration cannot be deactivated.",
            ));
        }
        config["active"] = json!(a);
    }
    config["features"] = features;
    config["metadata"] = json!(metadata);
    config["updated"] = json!(now());
    store
        .billing
        .portal_configurations
        .insert(id, config.clone());
    Ok(config)
}

pub fn list_configurations(
    store: &mut Store,
    _ctx: &Ctx,
    params: &Params,
) -> Result<Value, ApiError> {
    check_list_expand(params, &[])?;
    let q = ListQuery::from_params(params)?;
    let mut configs: Vec<&Value> = store
        .billing
        .portal_configurations
        .values()
        .filter(|c| {
            params
                .bool("active")
                .is_none_or(|a| c["active"] == json!(a))
        })
        .filter(|c| {
            params
                .bool("is_default")
                .is_none_or(|d| c["is_default"] == json!(d))
        })
        .collect();
    configs.sort_by_key(|c| {
        store.billing.newest_first(
            c["created"].as_i64().unwrap_or(0),
            c["id"].as_str().unwrap_or(""),
        )
    });
    let rows = configs
        .into_iter()
        .map(|c| (c["id"].as_str().unwrap_or("").to_string(), c.clone()))
        .collect();
    paginate(
        rows,
        &q,
        "/v1/billing_portal/configurations",
        "billing_portal.configuration",
    )
}

/// `POST /v1/billing_portal/sessions`: a portal session for a customer; its `url` is the
/// sandbox's portal page. Without `configuration`, the default configuration; Stripe has
/// one only once the portal's settings were saved in the Dashboard, and refuses otherwise.
pub fn create_session(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, &["configuration"])?;
    for p in [
        "after_expiration",
        "customer_account",
        "flow_data",
        "on_behalf_of",
    ] {
        if params.contains_key(p) {
            return Err(unsimulated(p));
        }
    }
    let customer = params.required_str("customer")?.to_string();
    if !store.customers.contains_key(&customer) {
        return Err(ApiError::not_found("customer", &customer, "customer"));
    }
    let config = match params.str("configuration") {
        Some(id) => {
            let c = store
                .billing
                .portal_configurations
                .get(id)
                .ok_or_else(|| ApiError::not_found("billing_portal.configuration", id, "configuration"))?;
            if c["active"] != json!(true) {
                return Err(ApiError::param_error(
                    format!("The configuration `{id}` is not active."),
                    "configuration",
                    None,
                ));
            }
            c.clone()
        }
        None => store
            .billing
            .portal_configurations
            .values()
            .find(|c| c["is_default"] == json!(true))
            .cloned()
            .ok_or_else(|| {
                ApiError::invalid(
                    "No configuration provided and your test mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.",
                )
            })?,
    };
    let return_url = match url(params, "return_url")?.filter(|u| !u.is_empty()) {
        Some(u) => Some(u),
        None => config["default_return_url"].as_str().map(str::to_string),
    };
    if return_url.is_none() {
        return Err(ApiError::param_error(
            "A return_url is required: pass one, or set a default_return_url on the configuration.",
            "return_url",
            Some("parameter_missing"),
        ));
    }
    let id = format!("bps_{}", crate::ids::random_string(24));
    let session = json!({
        "id": id,
        "object": "billing_portal.session",
        "configuration": config["id"],
        "created": now(),
        "customer": customer,
        "customer_account": null,
        "flow": null,
        "livemode": false,
        "locale": params.str("locale"),
        "on_behalf_of": null,
        "return_url": return_url,
        "url": format!("{}p/session/{id}", ctx.pages),
    });
    store.billing.pages = ctx.pages.clone();
    store.billing.portal_sessions.insert(id, session.clone());
    let mut answer = session;
    if expand.iter().any(|e| e == "configuration") {
        answer["configuration"] = config;
    }
    Ok(answer)
}
