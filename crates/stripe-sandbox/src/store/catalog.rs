//! Products and Prices: kept as they are created and updated, each change with its event.

use serde_json::Value;

use super::{Origin, Store, changed_fields};
use crate::error::ApiError;
use crate::objects::{Price, Product};

impl Store {
    pub fn product(&self, id: &str) -> Result<&Product, ApiError> {
        self.billing
            .products
            .get(id)
            .ok_or_else(|| ApiError::not_found("product", id, "id"))
    }

    pub fn price(&self, id: &str) -> Result<&Price, ApiError> {
        self.billing
            .prices
            .get(id)
            .ok_or_else(|| ApiError::not_found("price", id, "id"))
    }

    /// Keeps a new product and emits `product.created`.
    pub fn add_product(&mut self, product: Product, origin: &Origin) -> Value {
        let json = product.to_json();
        self.billing.number(&product.id);
        self.billing.products.insert(product.id.clone(), product);
        self.emit("product.created", json.clone(), origin);
        json
    }

    /// Keeps a new price and emits `price.created`.
    pub fn add_price(&mut self, price: Price, origin: &Origin) -> Value {
        let json = price.to_json();
        self.billing.number(&price.id);
        self.billing.prices.insert(price.id.clone(), price);
        self.emit("price.created", json.clone(), origin);
        json
    }

    /// Keeps a product's new state; emits `product.updated` when something changed.
    pub fn update_product(&mut self, mut product: Product, origin: &Origin) -> Value {
        let before = self
            .billing
            .products
            .get(&product.id)
            .map(Product::to_json)
            .unwrap_or(Value::Null);
        let mut json = product.to_json();
        let mut previous = changed_fields(&before, &json);
        if let Some(changes) = previous.as_object_mut()
            && !changes.is_empty()
        {
            product.updated = crate::ids::now();
            json = product.to_json();
            changes.insert("updated".into(), before["updated"].clone());
            if changes.get("updated") == json.get("updated") {
                changes.remove("updated");
            }
        }
        self.billing.products.insert(product.id.clone(), product);
        if previous.as_object().is_some_and(|m| !m.is_empty()) {
            self.emit_updated("product.updated", json.clone(), previous, origin);
        }
        json
    }

    /// Keeps a price's new state; emits `price.updated` when something changed.
    pub fn update_price(&mut self, price: Price, origin: &Origin) -> Value {
        let json = price.to_json();
        let before = self
            .billing
            .prices
            .insert(price.id.clone(), price)
            .map(|p| p.to_json())
            .unwrap_or(Value::Null);
        let previous = changed_fields(&before, &json);
        if previous.as_object().is_some_and(|m| !m.is_empty()) {
            self.emit_updated("price.updated", json.clone(), previous, origin);
        }
        json
    }

    /// The active price that holds `lookup_key`, if any (a lookup key is unique among prices).
    pub fn price_with_lookup_key(&self, lookup_key: &str) -> Option<&Price> {
        self.billing
            .prices
            .values()
            .find(|p| p.lookup_key.as_deref() == Some(lookup_key))
    }
}
