//! `/v1/products`: create (with `default_price_data`), retrieve, update, list, search.

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::Ctx;
use super::expand::{check_expand, check_list_expand, expand_field};
use super::list::{ListQuery, paginate};
use super::prices::{self, PriceInput};
use super::values::apply_metadata;
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::Product;
use crate::params::{Param, Params, ParamsExt, Shape, as_list};
use crate::search;
use crate::store::Store;

const DEFAULT_PRICE_DATA: Shape = Shape::Map(&[
    ("currency", Shape::Str),
    ("currency_options", Shape::Any),
    ("custom_unit_amount", Shape::Any),
    ("metadata", Shape::Dict),
    ("recurring", prices::RECURRING),
    ("tax_behavior", Shape::Str),
    ("unit_amount", Shape::Int),
    ("unit_amount_decimal", Shape::Str),
]);
const MARKETING_FEATURES: Shape = Shape::List(&Shape::Map(&[("name", Shape::Str)]));

pub const CREATE: &[(&str, Shape)] = &[
    ("active", Shape::Bool),
    ("default_price_data", DEFAULT_PRICE_DATA),
    ("description", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("id", Shape::Str),
    ("images", Shape::List(&Shape::Str)),
    ("marketing_features", MARKETING_FEATURES),
    ("metadata", Shape::Dict),
    ("name", Shape::Str),
    ("package_dimensions", Shape::Any),
    ("shippable", Shape::Bool),
    ("statement_descriptor", Shape::Str),
    ("tax_code", Shape::Str),
    ("tax_details", Shape::Any),
    ("type", Shape::Str),
    ("unit_label", Shape::Str),
    ("url", Shape::Str),
];
pub const RETRIEVE: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];
pub const UPDATE: &[(&str, Shape)] = &[
    ("active", Shape::Bool),
    ("default_price", Shape::Str),
    ("description", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("images", Shape::Any),
    ("marketing_features", Shape::Any),
    ("metadata", Shape::Dict),
    ("name", Shape::Str),
    ("package_dimensions", Shape::Any),
    ("shippable", Shape::Bool),
    ("statement_descriptor", Shape::Str),
    ("tax_code", Shape::Str),
    ("tax_details", Shape::Any),
    ("unit_label", Shape::Str),
    ("url", Shape::Str),
];
pub const LIST: &[(&str, Shape)] = &[
    ("active", Shape::Bool),
    ("created", Shape::IntOrRange),
    ("ending_before", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("ids", Shape::List(&Shape::Str)),
    ("limit", Shape::Int),
    ("shippable", Shape::Bool),
    ("starting_after", Shape::Str),
    ("type", Shape::Str),
    ("url", Shape::Str),
];
pub const SEARCH: &[(&str, Shape)] = &[
    ("expand", Shape::List(&Shape::Str)),
    ("limit", Shape::Int),
    ("page", Shape::Str),
    ("query", Shape::Str),
];

fn unsimulated(param: &str) -> ApiError {
    ApiError::param_error(
        format!(
            "The Stripe sandbox does not simulate `{param}` on products; use Stripe's test mode for it."
        ),
        param,
        None,
    )
}

/// A text field of at most `max` characters; `Some(None)` when unset (`key=`).
fn text(params: &Params, key: &str, max: usize) -> Result<Option<Option<String>>, ApiError> {
    match params.nullable_str(key) {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(v)) if v.chars().count() > max => Err(ApiError::param_error(
            format!("Invalid string: {key} must be at most {max} characters"),
            key,
            None,
        )),
        Some(Some(v)) => Ok(Some(Some(v.to_string()))),
    }
}

fn images(params: &Params) -> Result<Option<Vec<String>>, ApiError> {
    match params.get("images") {
        None => Ok(None),
        Some(Param::Str(s)) if s.is_empty() => Ok(Some(Vec::new())),
        Some(v) => {
            let list =
                as_list(v).ok_or_else(|| ApiError::param_error("Invalid array", "images", None))?;
            if list.len() > 8 {
                return Err(ApiError::param_error(
                    "Invalid array: images can have at most 8 entries",
                    "images",
                    None,
                ));
            }
            Ok(Some(
                list.into_iter()
                    .filter_map(|p| match p {
                        Param::Str(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            ))
        }
    }
}

fn marketing_features(params: &Params) -> Result<Option<Vec<String>>, ApiError> {
    match params.get("marketing_features") {
        None => Ok(None),
        Some(Param::Str(s)) if s.is_empty() => Ok(Some(Vec::new())),
        Some(v) => {
            let list = as_list(v).ok_or_else(|| {
                ApiError::param_error("Invalid array", "marketing_features", None)
            })?;
            let mut names = Vec::new();
            for (i, item) in list.iter().enumerate() {
                let name = match item {
                    Param::Map(m) => m.str("name").filter(|n| !n.is_empty()),
                    _ => None,
                };
                let name = name.ok_or_else(|| {
                    ApiError::missing_parameter(&format!("marketing_features[{i}][name]"))
                })?;
                names.push(name.to_string());
            }
            if names.len() > 15 {
                return Err(ApiError::param_error(
                    "Invalid array: marketing_features can have at most 15 entries",
                    "marketing_features",
                    None,
                ));
            }
            Ok(Some(names))
        }
    }
}

fn statement_descriptor(params: &Params) -> Result<Option<String>, ApiError> {
    let Some(v) = params.str("statement_descriptor") else {
        return Ok(None);
    };
    let n = v.chars().count();
    if !(5..=22).contains(&n)
        || !v.chars().any(|c| c.is_alphabetic())
        || v.contains(['<', '>', '\\', '\'', '"', '*'])
    {
        return Err(ApiError::param_error(
            "Invalid statement_descriptor: must be 5 to 22 characters, with at least one letter and none of < > \\ ' \" *",
            "statement_descriptor",
            None,
        ));
    }
    Ok(Some(v.to_string()))
}

/// What create and update take alike; checked before anything changes.
struct Details {
    description: Option<Option<String>>,
    images: Option<Vec<String>>,
    features: Option<Vec<String>>,
    statement_descriptor: Option<String>,
    unit_label: Option<Option<String>>,
    url: Option<Option<String>>,
    tax_code: Option<Option<String>>,
}

fn details(params: &Params) -> Result<Details, ApiError> {
    for p in ["package_dimensions", "tax_details"] {
        if params.contains_key(p) {
            return Err(unsimulated(p));
        }
    }
    Ok(Details {
        description: text(params, "description", 40_000)?,
        images: images(params)?,
        features: marketing_features(params)?,
        statement_descriptor: statement_descriptor(params)?,
        unit_label: text(params, "unit_label", 12)?,
        url: text(params, "url", 5000)?,
        tax_code: text(params, "tax_code", 5000)?,
    })
}

fn apply(product: &mut Product, d: Details, params: &Params) {
    if let Some(v) = d.description {
        product.description = v;
    }
    if let Some(v) = d.images {
        product.images = v;
    }
    if let Some(v) = d.features {
        product.marketing_features = v;
    }
    if let Some(v) = d.statement_descriptor {
        product.statement_descriptor = Some(v);
    }
    if let Some(v) = d.unit_label {
        product.unit_label = v;
    }
    if let Some(v) = d.url {
        product.url = v;
    }
    if let Some(v) = d.tax_code {
        product.tax_code = v;
    }
    if let Some(v) = params.bool("shippable") {
        product.shippable = Some(v);
    }
    if let Some(v) = params.bool("active") {
        product.active = v;
    }
}

/// The product as answered, `default_price` expanded when asked.
pub fn render(store: &Store, product: &Product, expand: &[String]) -> Value {
    let mut json = product.to_json();
    expand_field(&mut json, "default_price", expand, |id| {
        store.billing.prices.get(id).map(|p| p.to_json())
    });
    json
}

pub fn create(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, &["default_price"])?;
    let name = params.required_str("name")?.to_string();
    if name.chars().count() > 250 {
        return Err(ApiError::param_error(
            "Invalid string: name must be at most 250 characters",
            "name",
            None,
        ));
    }
    if let Some(t) = params.str("type")
        && t != "service"
    {
        return Err(if t == "good" {
            unsimulated("type=good")
        } else {
            ApiError::param_error("Invalid type: must be one of good or service", "type", None)
        });
    }
    let id = match params.str("id") {
        None => new_id("prod"),
        Some("") => return Err(crate::params::empty_string("id")),
        Some(id) => {
            if store.billing.products.contains_key(id) {
                return Err(ApiError::param_error(
                    "Product already exists.",
                    "id",
                    Some("resource_already_exists"),
                ));
            }
            id.to_string()
        }
    };
    let details = details(params)?;
    let mut metadata = BTreeMap::new();
    apply_metadata(&mut metadata, params)?;
    let created = now();
    let default_price = match params.map("default_price_data") {
        Some(data) => Some(
            PriceInput::parse(data, "default_price_data", &id)
                .and_then(|input| input.into_price(store, created))?,
        ),
        None => None,
    };
    let mut product = Product {
        id,
        created,
        updated: created,
        active: true,
        name,
        description: None,
        images: Vec::new(),
        metadata,
        default_price: default_price.as_ref().map(|p| p.id.clone()),
        statement_descriptor: None,
        unit_label: None,
        url: None,
        shippable: None,
        tax_code: None,
        marketing_features: Vec::new(),
    };
    apply(&mut product, details, params);
    store.add_product(product.clone(), &ctx.origin);
    if let Some(price) = default_price {
        store.add_price(price, &ctx.origin);
    }
    Ok(render(store, &product, &expand))
}

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, &["default_price"])?;
    let product = store.product(ctx.segment(1))?;
    Ok(render(store, product, &expand))
}

pub fn update(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, &["default_price"])?;
    let mut product = store.product(ctx.segment(1))?.clone();
    let details = details(params)?;
    if let Some(name) = params.str("name") {
        if name.is_empty() {
            return Err(crate::params::empty_string("name"));
        }
        product.name = name.to_string();
    }
    if let Some(price_id) = params.str("default_price") {
        let price = store
            .billing
            .prices
            .get(price_id)
            .ok_or_else(|| ApiError::not_found("price", price_id, "default_price"))?;
        if price.product != product.id {
            return Err(ApiError::param_error(
                format!(
                    "The price `{price_id}` does not belong to the product `{}`.",
                    product.id
                ),
                "default_price",
                None,
            ));
        }
        if !price.active {
            return Err(ApiError::param_error(
                format!("The price `{price_id}` is not active."),
                "default_price",
                None,
            ));
        }
        product.default_price = Some(price_id.to_string());
    }
    apply_metadata(&mut product.metadata, params)?;
    apply(&mut product, details, params);
    let product_id = product.id.clone();
    store.update_product(product, &ctx.origin);
    let product = store.product(&product_id)?;
    Ok(render(store, product, &expand))
}

pub fn list(store: &mut Store, _ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_list_expand(params, &["default_price"])?;
    let q = ListQuery::from_params(params)?;
    if let Some(t) = params.str("type")
        && t != "service"
        && t != "good"
    {
        return Err(ApiError::param_error(
            "Invalid type: must be one of good or service",
            "type",
            None,
        ));
    }
    let ids = params.strings("ids");
    let mut products: Vec<&Product> = store
        .billing
        .products
        .values()
        .filter(|p| q.created_matches(p.created))
        .filter(|p| params.bool("active").is_none_or(|a| p.active == a))
        .filter(|p| {
            params
                .bool("shippable")
                .is_none_or(|s| p.shippable == Some(s))
        })
        .filter(|p| {
            params
                .str("url")
                .is_none_or(|u| p.url.as_deref() == Some(u))
        })
        .filter(|_| params.str("type").is_none_or(|t| t == "service"))
        .filter(|p| ids.is_empty() || ids.contains(&p.id))
        .collect();
    products.sort_by_key(|p| store.billing.newest_first(p.created, &p.id));
    let rows = products
        .into_iter()
        .map(|p| (p.id.clone(), render(store, p, &expand)))
        .collect();
    paginate(rows, &q, "/v1/products", "product")
}

impl search::Searchable for Product {
    fn text(&self, field: &str) -> Option<String> {
        match field {
            "active" => Some(self.active.to_string()),
            "name" => Some(self.name.clone()),
            "description" => self.description.clone(),
            "shippable" => self.shippable.map(|s| s.to_string()),
            "url" => self.url.clone(),
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

/// `GET /v1/products/search` (/api/products/search): `active`, `description`, `name`,
/// `shippable`, `url`, `metadata[...]`, `created`.
pub fn search(store: &mut Store, _ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let query = params.required_str("query")?;
    let parsed = search::parse(
        query,
        "products",
        &["active", "description", "name", "shippable", "url"],
        &["created"],
    )?;
    let expand = check_list_expand(params, &["default_price"])?;
    let mut products: Vec<&Product> = store
        .billing
        .products
        .values()
        .filter(|p| parsed.matches(*p))
        .collect();
    products.sort_by_key(|p| store.billing.newest_first(p.created, &p.id));
    let rows: Vec<Value> = products
        .into_iter()
        .map(|p| render(store, p, &expand))
        .collect();
    prices::search_page(rows, params, "/v1/products/search")
}
