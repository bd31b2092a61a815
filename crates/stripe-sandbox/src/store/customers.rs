//! Customers: kept as they are created (through the API, or by a trigger).

use serde_json::Value;

use super::{Origin, Store};
use crate::objects::Customer;

impl Store {
    /// Keeps a new customer and emits `customer.created`; returns the customer's JSON.
    pub fn add_customer(&mut self, customer: Customer, origin: &Origin) -> Value {
        let json = customer.to_json();
        self.customers.insert(customer.id.clone(), customer);
        self.emit("customer.created", json.clone(), origin);
        json
    }
}
