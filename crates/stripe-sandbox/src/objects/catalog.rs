//! Products and Prices (/api/products/object, /api/prices/object): what a shop sells and what
//! it costs, once or on a recurring interval.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    pub created: i64,
    pub updated: i64,
    pub active: bool,
    pub name: String,
    pub description: Option<String>,
    pub images: Vec<String>,
    pub metadata: BTreeMap<String, String>,
    pub default_price: Option<String>,
    pub statement_descriptor: Option<String>,
    pub unit_label: Option<String>,
    pub url: Option<String>,
    pub shippable: Option<bool>,
    pub tax_code: Option<String>,
    /// `marketing_features[][name]`.
    pub marketing_features: Vec<String>,
}

impl Product {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "product",
            "active": self.active,
            "created": self.created,
            "default_price": self.default_price,
            "description": self.description,
            "images": self.images,
            "livemode": false,
            "marketing_features": self.marketing_features.iter().map(|name| json!({ "name": name })).collect::<Vec<_>>(),
            "metadata": self.metadata,
            "name": self.name,
            "package_dimensions": null,
            "shippable": self.shippable,
            "statement_descriptor": self.statement_descriptor,
            "tax_code": self.tax_code,
            "tax_details": null,
            "type": "service",
            "unit_label": self.unit_label,
            "updated": self.updated,
            "url": self.url,
        })
    }
}

/// How often a recurring price bills: every `interval_count` `interval`s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurring {
    /// `day`, `week`, `month` or `year`.
    pub interval: String,
    pub interval_count: i64,
    pub trial_period_days: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Price {
    pub id: String,
    pub created: i64,
    pub active: bool,
    pub currency: String,
    pub unit_amount: i64,
    pub product: String,
    pub recurring: Option<Recurring>,
    pub lookup_key: Option<String>,
    pub nickname: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub tax_behavior: Option<String>,
}

impl Price {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "price",
            "active": self.active,
            "billing_scheme": "per_unit",
            "created": self.created,
            "currency": self.currency,
            "custom_unit_amount": null,
            "livemode": false,
            "lookup_key": self.lookup_key,
            "metadata": self.metadata,
            "nickname": self.nickname,
            "product": self.product,
            "recurring": self.recurring.as_ref().map(|r| json!({
                "interval": r.interval,
                "interval_count": r.interval_count,
                "meter": null,
                "trial_period_days": r.trial_period_days,
                "usage_type": "licensed",
            })),
            "tax_behavior": self.tax_behavior.as_deref().unwrap_or("unspecified"),
            "tiers_mode": null,
            "transform_quantity": null,
            "type": if self.recurring.is_some() { "recurring" } else { "one_time" },
            "unit_amount": self.unit_amount,
            "unit_amount_decimal": self.unit_amount.to_string(),
        })
    }
}
