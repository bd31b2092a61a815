//! Recurring billing's objects (Products, Prices, Subscriptions, Invoices, test clocks, the
//! customer portal's configurations), kept together and saved with the sandbox's state.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::objects::{Invoice, Price, Product, Subscription};

/// A proration waiting for the subscription's next invoice (an invoice item, `ii_...`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingItem {
    pub id: String,
    pub subscription: String,
    pub amount: i64,
    pub description: String,
    pub price: String,
    pub product: String,
    pub period_start: i64,
    pub period_end: i64,
}

/// A test clock (/api/test_clocks/object).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestClock {
    pub id: String,
    pub name: Option<String>,
    pub created: i64,
    pub frozen_time: i64,
    pub deletes_after: i64,
    /// `ready`, or `advancing` until the objects on it have caught up with `frozen_time`.
    pub advancing: bool,
}

/// What happens to a subscription once every retry of a failed renewal failed (a Billing
/// setting on Stripe's Dashboard): canceled (Stripe's default) or `unpaid`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterRetries {
    #[default]
    Cancel,
    Unpaid,
}

impl AfterRetries {
    pub fn parse(s: &str) -> Option<AfterRetries> {
        match s {
            "cancel" => Some(AfterRetries::Cancel),
            "unpaid" => Some(AfterRetries::Unpaid),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AfterRetries::Cancel => "cancel",
            AfterRetries::Unpaid => "unpaid",
        }
    }

    /// `STRIPE_SANDBOX_AFTER_FAILED_RETRIES` (`cancel`, the default, or `unpaid`).
    pub fn from_env() -> AfterRetries {
        std::env::var("STRIPE_SANDBOX_AFTER_FAILED_RETRIES")
            .ok()
            .and_then(|v| AfterRetries::parse(v.trim()))
            .unwrap_or_default()
    }
}

/// Every billing object, by id. `order` numbers them as they were made, so that lists made
/// within one second still come newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Billing {
    pub products: HashMap<String, Product>,
    pub prices: HashMap<String, Price>,
    pub subscriptions: HashMap<String, Subscription>,
    pub invoices: HashMap<String, Invoice>,
    pub pending_items: Vec<PendingItem>,
    pub test_clocks: HashMap<String, TestClock>,
    /// Where each advancing clock is going.
    pub clock_targets: HashMap<String, i64>,
    /// Billing portal configurations, as their JSON.
    #[serde(default)]
    pub portal_configurations: HashMap<String, serde_json::Value>,
    /// Customer portal sessions, as their JSON.
    pub portal_sessions: HashMap<String, serde_json::Value>,
    /// When each portal session's page was first opened.
    pub portal_visits: HashMap<String, i64>,
    /// Invoices numbered so far, per customer.
    pub invoice_numbers: HashMap<String, u64>,
    /// The absolute URL of the sandbox's mount point, as the latest API request saw it: the
    /// invoices made in the background link their pages under it.
    pub pages: String,
    #[serde(skip)]
    pub after_retries: AfterRetries,
    /// The PaymentIntent a renewal is charging right now: its events do not settle the
    /// invoice a second time.
    #[serde(skip)]
    pub charging: Option<String>,
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
