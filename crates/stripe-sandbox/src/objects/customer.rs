//! A Customer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A customer, with the few fields the sandbox keeps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub created: i64,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// Fields given that the sandbox keeps as they are shown (`address`, `shipping`,
    /// `invoice_settings`, `preferred_locales`, ...), over their defaults.
    #[serde(default)]
    pub details: BTreeMap<String, Value>,
}

impl Customer {
    pub fn to_json(&self) -> Value {
        let mut object = json!({
            "id": self.id,
            "object": "customer",
            "address": null,
            "balance": 0,
            "business_name": null,
            "created": self.created,
            "currency": null,
            "default_source": null,
            "delinquent": false,
            "description": self.description,
            "discount": null,
            "email": self.email,
            "individual_name": null,
            "invoice_prefix": self.id.trim_start_matches("cus_").chars().take(8).collect::<String>().to_uppercase(),
            "invoice_settings": {
                "custom_fields": null, "default_payment_method": null, "footer": null,
                "rendering_options": null,
            },
            "livemode": false,
            "metadata": self.metadata,
            "name": self.name,
            "next_invoice_sequence": 1,
            "phone": self.phone,
            "preferred_locales": [],
            "shipping": null,
            "tax_exempt": "none",
            "test_clock": null,
        });
        for (field, value) in &self.details {
            object[field] = value.clone();
        }
        object
    }
}
