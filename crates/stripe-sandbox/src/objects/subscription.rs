//! A Subscription and its items (/api/subscriptions/object), at the pinned version: the
//! billing period lives on each item (`current_period_start`/`_end`).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Price, Recurring};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubscriptionItem {
    pub id: String,
    pub price: String,
    pub quantity: u64,
    pub created: i64,
    pub metadata: BTreeMap<String, String>,
}

/// `status` (/billing/subscriptions/overview#subscription-statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubStatus {
    Incomplete,
    IncompleteExpired,
    Trialing,
    Active,
    PastDue,
    Canceled,
    Unpaid,
}

impl SubStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubStatus::Incomplete => "incomplete",
            SubStatus::IncompleteExpired => "incomplete_expired",
            SubStatus::Trialing => "trialing",
            SubStatus::Active => "active",
            SubStatus::PastDue => "past_due",
            SubStatus::Canceled => "canceled",
            SubStatus::Unpaid => "unpaid",
        }
    }

    pub fn parse(s: &str) -> Option<SubStatus> {
        Some(match s {
            "incomplete" => SubStatus::Incomplete,
            "incomplete_expired" => SubStatus::IncompleteExpired,
            "trialing" => SubStatus::Trialing,
            "active" => SubStatus::Active,
            "past_due" => SubStatus::PastDue,
            "canceled" => SubStatus::Canceled,
            "unpaid" => SubStatus::Unpaid,
            _ => return None,
        })
    }

    /// A subscription that has ended changes no more.
    pub fn is_final(self) -> bool {
        matches!(self, SubStatus::Canceled | SubStatus::IncompleteExpired)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subscription {
    pub id: String,
    pub customer: String,
    pub created: i64,
    pub start_date: i64,
    pub status: SubStatus,
    pub items: Vec<SubscriptionItem>,
    pub currency: String,
    pub current_period_start: i64,
    pub current_period_end: i64,
    pub billing_cycle_anchor: i64,
    pub trial_start: Option<i64>,
    pub trial_end: Option<i64>,
    pub cancel_at_period_end: bool,
    pub cancel_at: Option<i64>,
    pub canceled_at: Option<i64>,
    pub ended_at: Option<i64>,
    /// `cancellation_details.reason`: `cancellation_requested` or `payment_failed`.
    pub cancellation_reason: Option<String>,
    pub cancellation_comment: Option<String>,
    pub cancellation_feedback: Option<String>,
    pub default_payment_method: Option<String>,
    pub latest_invoice: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub description: Option<String>,
    pub test_clock: Option<String>,
    /// Whether `customer.subscription.trial_will_end` was sent for the current trial.
    pub trial_will_end_sent: bool,
}

impl Subscription {
    /// The sum of the items' prices for one period.
    pub fn period_amount(&self, prices: &HashMap<String, Price>) -> i64 {
        self.items
            .iter()
            .map(|i| {
                prices
                    .get(&i.price)
                    .map_or(0, |p| p.unit_amount.saturating_mul(i.quantity as i64))
            })
            .sum()
    }

    pub fn item_json(&self, item: &SubscriptionItem, prices: &HashMap<String, Price>) -> Value {
        let price = prices.get(&item.price);
        json!({
            "id": item.id,
            "object": "subscription_item",
            "billing_thresholds": null,
            "created": item.created,
            "current_period_end": self.current_period_end,
            "current_period_start": self.current_period_start,
            "current_trial": null,
            "discounts": [],
            "metadata": item.metadata,
            "plan": price.map(plan_json),
            "price": price.map(Price::to_json),
            "quantity": item.quantity,
            "subscription": self.id,
            "tax_rates": [],
        })
    }

    pub fn to_json(&self, prices: &HashMap<String, Price>) -> Value {
        let items: Vec<Value> = self
            .items
            .iter()
            .map(|i| self.item_json(i, prices))
            .collect();
        json!({
            "id": self.id,
            "object": "subscription",
            "application": null,
            "application_fee_percent": null,
            "automatic_tax": { "disabled_reason": null, "enabled": false, "liability": null },
            "billing_cycle_anchor": self.billing_cycle_anchor,
            "billing_cycle_anchor_config": null,
            "billing_mode": { "flexible": null, "type": "classic" },
            "billing_schedules": [],
            "billing_thresholds": null,
            "cancel_at": self.cancel_at,
            "cancel_at_period_end": self.cancel_at_period_end,
            "canceled_at": self.canceled_at,
            "cancellation_details": {
                "comment": self.cancellation_comment,
                "feedback": self.cancellation_feedback,
                "feedback_option": null,
                "reason": self.cancellation_reason,
            },
            "collection_method": "charge_automatically",
            "created": self.created,
            "currency": self.currency,
            "customer": self.customer,
            "customer_account": null,
            "days_until_due": null,
            "default_payment_method": self.default_payment_method,
            "default_source": null,
            "default_tax_rates": [],
            "description": self.description,
            "discounts": [],
            "ended_at": self.ended_at,
            "invoice_settings": {
                "account_tax_ids": null, "custom_fields": null, "description": null,
                "footer": null, "issuer": { "type": "self" },
            },
            "items": {
                "object": "list",
                "data": items,
                "has_more": false,
                "total_count": self.items.len(),
                "url": format!("/v1/subscription_items?subscription={}", self.id),
            },
            "latest_invoice": self.latest_invoice,
            "livemode": false,
            "managed_payments": null,
            "metadata": self.metadata,
            "next_pending_invoice_item_invoice": null,
            "on_behalf_of": null,
            "pause_collection": null,
            "payment_settings": {
                "payment_method_options": null,
                "payment_method_types": null,
                "save_default_payment_method": "off",
            },
            "pending_invoice_item_interval": null,
            "pending_setup_intent": null,
            "pending_update": null,
            "schedule": null,
            "start_date": self.start_date,
            "status": self.status.as_str(),
            "test_clock": self.test_clock,
            "transfer_data": null,
            "trial_end": self.trial_end,
            "trial_settings": { "end_behavior": { "missing_payment_method": "create_invoice" } },
            "trial_start": self.trial_start,
        })
    }
}

/// The legacy `plan` object a subscription item carries beside its price.
fn plan_json(price: &Price) -> Value {
    let this = price;
    let r = this.recurring.clone().unwrap_or(Recurring {
        interval: "month".into(),
        interval_count: 1,
        trial_period_days: None,
    });
    json!({
        "id": this.id,
        "object": "plan",
        "active": this.active,
        "amount": this.unit_amount,
        "amount_decimal": this.unit_amount.to_string(),
        "billing_scheme": "per_unit",
        "created": this.created,
        "currency": this.currency,
        "interval": r.interval,
        "interval_count": r.interval_count,
        "livemode": false,
        "metadata": this.metadata,
        "meter": null,
        "nickname": this.nickname,
        "product": this.product,
        "tiers_mode": null,
        "transform_usage": null,
        "trial_period_days": r.trial_period_days,
        "usage_type": "licensed",
    })
}
