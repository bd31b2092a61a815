//! Recurring billing's objects (Products, Prices, Subscriptions, Invoices, test clocks, the
//! customer portal's configurations), kept together and saved with the sandbox's state.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::objects::{Price, Product};

/// Every billing object, by id. `order` numbers them as they were made, so that lists made
/// within one second still come newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Billing {
    pub products: HashMap<String, Product>,
    pub prices: HashMap<String, Price>,
    pub order: HashMap<String, u64>,
    pub next: u64,
}

impl Billing {
    /// Numbers a new object for the lists' order.
    pub fn number(&mut self, id: &str) {
        self.next += 1;
        self.order.insert(id.to_string(), self.next);
    }

    /// The sort key that lists use, newest first: creation time, then order of creation.
    pub fn newest_first(&self, created: i64, id: &str) -> std::cmp::Reverse<(i64, u64)> {
        std::cmp::Reverse((created, self.order.get(id).copied().unwrap_or(0)))
    }
}
