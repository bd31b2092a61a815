//! `/v1/prices`: create (for a `product`, or with `product_data`), retrieve, update, list
//! (`lookup_keys[]`, `active`, `product`, `type`, `recurring[interval]`, ...), search.
//! A lookup key belongs to one price at a time; `transfer_lookup_key=true` moves it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::context::Ctx;
use super::expand::{check_expand, check_list_expand, expand_field};
use super::list::{ListQuery, paginate};
use super::values::apply_metadata;
use crate::currency;
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::{Price, Product, Recurring};
use crate::params::{Params, ParamsExt, Shape};
use crate::search;
use crate::store::Store;

pub const RECURRING: Shape = Shape::Map(&[
    ("interval", Shape::Str),
    ("interval_count", Shape::Int),
    ("meter", Shape::Str),
    ("trial_period_days", Shape::Int),
    ("usage_type", Shape::Str),
]);
const PRODUCT_DATA: Shape = Shape::Map(&[
    ("active", Shape::Bool),
    ("id", Shape::Str),
    ("metadata", Shape::Dict),
    ("name", Shape::Str),
    ("statement_descriptor", Shape::Str),
    ("tax_code", Shape::Str),
    ("tax_details", Shape::Any),
    ("unit_label", Shape::Str),
]);

pub const CREATE: &[(&str, Shape)] = &[
    ("active", Shape::Bool),
    ("billing_scheme", Shape::Str),
    ("currency", Shape::Str),
    ("currency_options", Shape::Any),
    ("custom_unit_amount", Shape::Any),
    ("expand", Shape::List(&Shape::Str)),
    ("lookup_key", Shape::Str),
    ("metadata", Shape::Dict),
    ("nickname", Shape::Str),
    ("product", Shape::Str),
    ("product_data", PRODUCT_DATA),
    ("recurring", RECURRING),
    ("tax_behavior", Shape::Str),
    ("tiers", Shape::Any),
    ("tiers_mode", Shape::Str),
    ("transfer_lookup_key", Shape::Bool),
    ("transform_quantity", Shape::Any),
    ("unit_amount", Shape::Int),
    ("unit_amount_decimal", Shape::Str),
];
pub const RETRIEVE: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];
pub const UPDATE: &[(&str, Shape)] = &[
    ("active", Shape::Bool),
    ("currency_options", Shape::Any),
    ("expand", Shape::List(&Shape::Str)),
    ("lookup_key", Shape::Str),
    ("metadata", Shape::Dict),
    ("nickname", Shape::Str),
    ("tax_behavior", Shape::Str),
    ("transfer_lookup_key", Shape::Bool),
];
pub const LIST: &[(&str, Shape)] = &[
    ("active", Shape::Bool),
    ("created", Shape::IntOrRange),
    ("currency", Shape::Str),
    ("ending_before", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("limit", Shape::Int),
    ("lookup_keys", Shape::List(&Shape::Str)),
    ("product", Shape::Str),
    (
        "recurring",
        Shape::Map(&[
            ("interval", Shape::Str),
            ("meter", Shape::Str),
            ("usage_type", Shape::Str),
        ]),
    ),
    ("starting_after", Shape::Str),
    ("type", Shape::Str),
];
pub const SEARCH: &[(&str, Shape)] = &[
    ("expand", Shape::List(&Shape::Str)),
    ("limit", Shape::Int),
    ("page", Shape::Str),
    ("query", Shape::Str),
];

/// Stripe's longest billing period: a year (/api/prices/create#create_price-recurring-interval_count).
const MAX_DAYS: i64 = 365;

fn unsimulated(param: &str) -> ApiError {
    ApiError::param_error(
        format!(
            "The Stripe sandbox does not simulate `{param}` on prices; use Stripe's test mode for it."
        ),
        param,
        None,
    )
}

fn tax_behavior(params: &Params, name: &str) -> Result<Option<String>, ApiError> {
    match params.str("tax_behavior") {
        None => Ok(None),
        Some(v @ ("exclusive" | "inclusive" | "unspecified")) => Ok(Some(v.to_string())),
        Some(_) => Err(ApiError::param_error(
            format!("Invalid {name}: must be one of exclusive, inclusive, or unspecified"),
            name,
            None,
        )),
    }
}

fn lookup_key(params: &Params) -> Result<Option<String>, ApiError> {
    match params.str("lookup_key") {
        None => Ok(None),
        Some(k) if k.chars().count() > 200 => Err(ApiError::param_error(
            "Invalid string: lookup_key must be at most 200 characters",
            "lookup_key",
            None,
        )),
        Some(k) => Ok(Some(k.to_string())),
    }
}

/// A lookup key another price holds is refused unless `transfer_lookup_key` moves it; answers
/// the price to take it from.
fn lookup_key_holder(
    store: &Store,
    key: &str,
    price_id: &str,
    params: &Params,
) -> Result<Option<String>, ApiError> {
    let Some(holder) = store
        .price_with_lookup_key(key)
        .filter(|p| p.id != price_id)
    else {
        return Ok(None);
    };
    if params.bool("transfer_lookup_key") == Some(true) {
        return Ok(Some(holder.id.clone()));
    }
    Err(ApiError::param_error(
        format!("A price (`{}`) already uses that lookup key.", holder.id),
        "lookup_key",
        None,
    ))
}

/// `recurring`, named `base` in errors (`recurring`, `default_price_data[recurring]`).
fn recurring(params: &Params, base: &str) -> Result<Option<Recurring>, ApiError> {
    let Some(r) = params.map("recurring") else {
        if params.str("recurring").is_some() {
            return Err(ApiError::param_error("Invalid hash", base, None));
        }
        return Ok(None);
    };
    let name = |f: &str| format!("{base}[{f}]");
    if r.contains_key("meter") {
        return Err(unsimulated(&name("meter")));
    }
    match r.str("usage_type") {
        None | Some("licensed") => {}
        Some("metered") => return Err(unsimulated(&name("usage_type"))),
        Some(_) => {
            return Err(ApiError::param_error(
                format!(
                    "Invalid {}: must be one of licensed or metered",
                    name("usage_type")
                ),
                &name("usage_type"),
                None,
            ));
        }
    }
    let interval = match r.str("interval") {
        None => return Err(ApiError::missing_parameter(&name("interval"))),
        Some(i @ ("day" | "week" | "month" | "year")) => i.to_string(),
        Some(_) => {
            return Err(ApiError::param_error(
                format!(
                    "Invalid {}: must be one of day, month, week, or year",
                    name("interval")
                ),
                &name("interval"),
                None,
            ));
        }
    };
    let interval_count = r.int("interval_count").unwrap_or(1);
    let most = match interval.as_str() {
        "day" => MAX_DAYS,
        "week" => 52,
        "month" => 12,
        _ => 1,
    };
    if !(1..=most).contains(&interval_count) {
        return Err(ApiError::param_error(
            "The maximum billing frequency is one year (1 year, 12 months, 52 weeks or 365 days).",
            &name("interval_count"),
            None,
        ));
    }
    let trial_period_days = match r.int("trial_period_days") {
        None => None,
        Some(d) if (1..=730).contains(&d) => Some(d),
        Some(_) => {
            return Err(ApiError::param_error(
                format!(
                    "Invalid {}: must be between 1 and 730",
                    name("trial_period_days")
                ),
                &name("trial_period_days"),
                None,
            ));
        }
    };
    Ok(Some(Recurring {
        interval,
        interval_count,
        trial_period_days,
    }))
}

/// A price's amount and terms as given to create (or to `default_price_data`,
/// `price_data` elsewhere), checked before anything is made.
pub struct PriceInput {
    pub currency: String,
    pub unit_amount: i64,
    pub recurring: Option<Recurring>,
    pub tax_behavior: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub product: String,
}

impl PriceInput {
    /// Reads `currency`, `unit_amount` (or `unit_amount_decimal`), `recurring`,
    /// `tax_behavior` and `metadata` under `prefix` (`default_price_data`, or `""`).
    pub fn parse(data: &Params, prefix: &str, product: &str) -> Result<PriceInput, ApiError> {
        let name = |f: &str| {
            if prefix.is_empty() {
                f.to_string()
            } else {
                format!("{prefix}[{f}]")
            }
        };
        for p in [
            "currency_options",
            "custom_unit_amount",
            "tiers",
            "tiers_mode",
            "transform_quantity",
        ] {
            if data.contains_key(p) {
                return Err(unsimulated(&name(p)));
            }
        }
        match data.str("billing_scheme") {
            None | Some("per_unit") => {}
            Some("tiered") => return Err(unsimulated(&name("billing_scheme"))),
            Some(_) => {
                return Err(ApiError::param_error(
                    format!(
                        "Invalid {}: must be one of per_unit or tiered",
                        name("billing_scheme")
                    ),
                    &name("billing_scheme"),
                    None,
                ));
            }
        }
        let currency = match data.str("currency") {
            None => return Err(ApiError::missing_parameter(&name("currency"))),
            Some(c) => currency::parse(c).map_err(|e| e.with_param(&name("currency")))?,
        };
        let unit_amount = match (data.str("unit_amount"), data.str("unit_amount_decimal")) {
            (Some(_), Some(_)) => {
                return Err(ApiError::param_error(
                    format!(
                        "You may only specify one of these parameters: {}, {}.",
                        name("unit_amount"),
                        name("unit_amount_decimal")
                    ),
                    &name("unit_amount"),
                    None,
                ));
            }
            (Some(_), None) => data.int("unit_amount"),
            // Fractions of the smallest unit are not simulated.
            (None, Some(d)) => d.parse::<i64>().ok(),
            (None, None) => {
                return Err(ApiError::param_error(
                    format!(
                        "Missing required param: {}. (The Stripe sandbox does not simulate `custom_unit_amount` or tiered prices.)",
                        name("unit_amount")
                    ),
                    &name("unit_amount"),
                    Some("parameter_missing"),
                ));
            }
        };
        let unit_amount = match unit_amount {
            Some(a) if (0..=99_999_999).contains(&a) => a,
            _ => {
                return Err(ApiError::param_error(
                    "Invalid integer: must be between 0 and 99999999",
                    &name("unit_amount"),
                    None,
                ));
            }
        };
        let recurring = recurring(data, &name("recurring"))?;
        let tax_behavior = tax_behavior(data, &name("tax_behavior"))?;
        let mut metadata = BTreeMap::new();
        apply_metadata(&mut metadata, data).map_err(|e| {
            if prefix.is_empty() {
                e
            } else {
                e.with_param(&name("metadata"))
            }
        })?;
        Ok(PriceInput {
            currency,
            unit_amount,
            recurring,
            tax_behavior,
            metadata,
            product: product.to_string(),
        })
    }

    pub fn into_price(self, _store: &Store, created: i64) -> Result<Price, ApiError> {
        Ok(Price {
            id: new_id("price"),
            created,
            active: true,
            currency: self.currency,
            unit_amount: self.unit_amount,
            product: self.product,
            recurring: self.recurring,
            lookup_key: None,
            nickname: None,
            metadata: self.metadata,
            tax_behavior: self.tax_behavior,
        })
    }
}

/// The price as answered, `product` expanded when asked.
pub fn render(store: &Store, price: &Price, expand: &[String]) -> Value {
    let mut json = price.to_json();
    expand_field(&mut json, "product", expand, |id| {
        store.billing.products.get(id).map(Product::to_json)
    });
    json
}

pub fn create(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, &["product"])?;
    let created = now();
    let new_product = match (params.str("product"), params.map("product_data")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::param_error(
                "You may only specify one of these parameters: product, product_data.",
                "product",
                None,
            ));
        }
        (Some(id), None) => {
            store
                .billing
                .products
                .get(id)
                .ok_or_else(|| ApiError::not_found("product", id, "product"))?;
            None
        }
        (None, Some(data)) => {
            for p in ["tax_details"] {
                if data.contains_key(p) {
                    return Err(unsimulated(&format!("product_data[{p}]")));
                }
            }
            let name = data
                .str("name")
                .filter(|n| !n.is_empty())
                .ok_or_else(|| ApiError::missing_parameter("product_data[name]"))?;
            let id = match data.str("id") {
                Some(id) if store.billing.products.contains_key(id) => {
                    return Err(ApiError::param_error(
                        "Product already exists.",
                        "product_data[id]",
                        Some("resource_already_exists"),
                    ));
                }
                Some(id) if !id.is_empty() => id.to_string(),
                _ => new_id("prod"),
            };
            let mut metadata = BTreeMap::new();
            apply_metadata(&mut metadata, data)
                .map_err(|e| e.with_param("product_data[metadata]"))?;
            Some(Product {
                id,
                created,
                updated: created,
                active: data.bool("active").unwrap_or(true),
                name: name.to_string(),
                description: None,
                images: Vec::new(),
                metadata,
                default_price: None,
                statement_descriptor: data.str("statement_descriptor").map(str::to_string),
                unit_label: data.str("unit_label").map(str::to_string),
                url: None,
                shippable: None,
                tax_code: data.str("tax_code").map(str::to_string),
                marketing_features: Vec::new(),
            })
        }
        (None, None) => {
            return Err(ApiError::param_error(
                "You must specify either `product` or `product_data` when creating a price.",
                "product",
                Some("parameter_missing"),
            ));
        }
    };
    let product_id = match (&new_product, params.str("product")) {
        (Some(p), _) => p.id.clone(),
        (None, Some(id)) => id.to_string(),
        (None, None) => String::new(),
    };
    let input = PriceInput::parse(params, "", &product_id)?;
    let key = lookup_key(params)?;
    let take_from = match &key {
        Some(k) => lookup_key_holder(store, k, "", params)?,
        None => None,
    };
    let nickname = params.str("nickname").filter(|n| !n.is_empty());
    let mut price = input.into_price(store, created)?;
    price.active = params.bool("active").unwrap_or(true);
    price.nickname = nickname.map(str::to_string);
    price.lookup_key = key;
    if let Some(product) = new_product {
        store.add_product(product, &ctx.origin);
    }
    if let Some(old) = take_from {
        release_lookup_key(store, &old, ctx);
    }
    let json = store.add_price(price.clone(), &ctx.origin);
    Ok(if expand.is_empty() {
        json
    } else {
        render(store, &price, &expand)
    })
}

fn release_lookup_key(store: &mut Store, price_id: &str, ctx: &Ctx) {
    if let Some(mut old) = store.billing.prices.get(price_id).cloned() {
        old.lookup_key = None;
        store.update_price(old, &ctx.origin);
    }
}

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, &["product"])?;
    let price = store.price(ctx.segment(1))?;
    Ok(render(store, price, &expand))
}

pub fn update(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, &["product"])?;
    if params.contains_key("currency_options") {
        return Err(unsimulated("currency_options"));
    }
    let mut price = store.price(ctx.segment(1))?.clone();
    let key = lookup_key(params)?;
    let take_from = match key.as_deref() {
        Some(k) if !k.is_empty() => lookup_key_holder(store, k, &price.id, params)?,
        _ => None,
    };
    if let Some(behavior) = tax_behavior(params, "tax_behavior")? {
        if price
            .tax_behavior
            .as_deref()
            .is_some_and(|b| b != "unspecified")
            && price.tax_behavior.as_deref() != Some(behavior.as_str())
        {
            return Err(ApiError::param_error(
                "You cannot change `tax_behavior` on a price once it is set to `inclusive` or `exclusive`.",
                "tax_behavior",
                None,
            ));
        }
        price.tax_behavior = Some(behavior);
    }
    apply_metadata(&mut price.metadata, params)?;
    if let Some(active) = params.bool("active") {
        price.active = active;
    }
    if let Some(nickname) = params.str("nickname") {
        price.nickname = (!nickname.is_empty()).then(|| nickname.to_string());
    }
    if let Some(k) = key {
        price.lookup_key = (!k.is_empty()).then_some(k);
    }
    if let Some(old) = take_from {
        release_lookup_key(store, &old, ctx);
    }
    let price_id = price.id.clone();
    store.update_price(price, &ctx.origin);
    let price = store.price(&price_id)?;
    Ok(render(store, price, &expand))
}

pub fn list(store: &mut Store, _ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_list_expand(params, &["product"])?;
    let q = ListQuery::from_params(params)?;
    let lookup_keys = params.strings("lookup_keys");
    if lookup_keys.len() > 10 {
        return Err(ApiError::param_error(
            "Invalid array: lookup_keys can have at most 10 entries",
            "lookup_keys",
            None,
        ));
    }
    let type_ = match params.str("type") {
        None => None,
        Some(t @ ("one_time" | "recurring")) => Some(t),
        Some(_) => {
            return Err(ApiError::param_error(
                "Invalid type: must be one of one_time or recurring",
                "type",
                None,
            ));
        }
    };
    let currency = match params.str("currency") {
        Some(c) => Some(currency::parse(c)?),
        None => None,
    };
    let interval = params
        .map("recurring")
        .and_then(|r| r.str("interval"))
        .map(str::to_string);
    if let Some(i) = &interval
        && !["day", "week", "month", "year"].contains(&i.as_str())
    {
        return Err(ApiError::param_error(
            "Invalid recurring[interval]: must be one of day, month, week, or year",
            "recurring[interval]",
            None,
        ));
    }
    let mut prices: Vec<&Price> = store
        .billing
        .prices
        .values()
        .filter(|p| q.created_matches(p.created))
        .filter(|p| params.bool("active").is_none_or(|a| p.active == a))
        .filter(|p| currency.as_deref().is_none_or(|c| p.currency == c))
        .filter(|p| params.str("product").is_none_or(|id| p.product == id))
        .filter(|p| type_.is_none_or(|t| (t == "recurring") == p.recurring.is_some()))
        .filter(|p| {
            interval
                .as_deref()
                .is_none_or(|i| p.recurring.as_ref().is_some_and(|r| r.interval == i))
        })
        .filter(|p| {
            lookup_keys.is_empty()
                || p.lookup_key
                    .as_ref()
                    .is_some_and(|k| lookup_keys.contains(k))
        })
        .collect();
    prices.sort_by_key(|p| store.billing.newest_first(p.created, &p.id));
    let rows = prices
        .into_iter()
        .map(|p| (p.id.clone(), render(store, p, &expand)))
        .collect();
    paginate(rows, &q, "/v1/prices", "price")
}

impl search::Searchable for Price {
    fn text(&self, field: &str) -> Option<String> {
        match field {
            "active" => Some(self.active.to_string()),
            "currency" => Some(self.currency.clone()),
            "lookup_key" => self.lookup_key.clone(),
            "product" => Some(self.product.clone()),
            "type" => Some(
                if self.recurring.is_some() {
                    "recurring"
                } else {
                    "one_time"
                }
                .into(),
            ),
            _ => None,
        }
    }

    fn number(&self, field: &str) -> Option<i64> {
        (field == "created").then_some(self.created)
    }

    fn metadata(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }
}

/// `GET /v1/prices/search` (/api/prices/search): `active`, `currency`, `lookup_key`,
/// `product`, `type`, `metadata[...]`, `created`.
pub fn search(store: &mut Store, _ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let query = params.required_str("query")?;
    let parsed = search::parse(
        query,
        "prices",
        &["active", "currency", "lookup_key", "product", "type"],
        &["created"],
    )?;
    let expand = check_list_expand(params, &["product"])?;
    let mut prices: Vec<&Price> = store
        .billing
        .prices
        .values()
        .filter(|p| parsed.matches(*p))
        .collect();
    prices.sort_by_key(|p| store.billing.newest_first(p.created, &p.id));
    let rows: Vec<Value> = prices
        .into_iter()
        .map(|p| render(store, p, &expand))
        .collect();
    search_page(rows, params, "/v1/prices/search")
}

/// A page of search results (`limit`, the opaque `page` cursor, `expand[]=total_count`).
pub fn search_page(rows: Vec<Value>, params: &Params, url: &str) -> Result<Value, ApiError> {
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
    let offset = match params.str("page") {
        None => 0,
        Some(page) => page
            .strip_prefix("sbx_page_")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| ApiError::param_error("Invalid page cursor.", "page", None))?,
    };
    let total = rows.len();
    let data: Vec<Value> = rows.into_iter().skip(offset).take(limit).collect();
    let has_more = total > offset + limit;
    Ok(json!({
        "object": "search_result",
        "data": data,
        "has_more": has_more,
        "next_page": has_more.then(|| format!("sbx_page_{}", offset + limit)),
        "url": url,
    }))
}
