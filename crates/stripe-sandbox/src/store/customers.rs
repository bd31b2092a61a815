//! Customers: kept as they are created (through the API, or by a trigger) and updated.

use serde_json::Value;

use super::{Origin, Store, changed_fields};
use crate::objects::Customer;

impl Store {
    /// Keeps a new customer and emits `customer.created`; returns the customer's JSON.
    pub fn add_customer(&mut self, customer: Customer, origin: &Origin) -> Value {
        let json = customer.to_json();
        self.customers.insert(customer.id.clone(), customer);
        self.emit("customer.created", json.clone(), origin);
        json
    }

    /// Keeps the customer's new state; when something changed, emits `customer.updated` with
    /// the changed fields as they were. Returns the customer's JSON.
    pub fn update_customer(&mut self, customer: Customer, origin: &Origin) -> Value {
        let json = customer.to_json();
        let before = self
            .customers
            .insert(customer.id.clone(), customer)
            .map(|c| c.to_json())
            .unwrap_or(Value::Null);
        let previous = changed_fields(&before, &json);
        if previous.as_object().is_some_and(|m| !m.is_empty()) {
            self.emit_updated("customer.updated", json.clone(), previous, origin);
        }
        json
    }
}
