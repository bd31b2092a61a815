//! `GET /v1/payment_intents/search`: Stripe's search query language over the intents.

use serde_json::Value;

use super::schema::SERVER_EXPANSIONS;
use super::view::render;
use crate::api::context::Ctx;
use crate::error::ApiError;
use crate::objects::PaymentIntent;
use crate::params::{Params, ParamsExt};
use crate::search;
use crate::store::Store;

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
        self.metadata.get(key)
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
        .map(|pi| &**pi)
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
