//! A Charge: one attempt to move money for a PaymentIntent, succeeded or failed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::cards;

/// A charge, made when a PaymentIntent is confirmed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Charge {
    pub id: String,
    pub amount: i64,
    pub amount_refunded: i64,
    pub currency: String,
    pub created: i64,
    pub payment_intent: String,
    pub payment_method: String,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub receipt_email: Option<String>,
    pub succeeded: bool,
    pub failure: Option<ChargeFailure>,
    pub billing_details: Value,
    pub payment_method_details: Value,
    /// A dispute was opened on it.
    #[serde(default)]
    pub disputed: bool,
    /// `txn_...`, once the money moved: with asynchronous capture (the default) a moment after
    /// `charge.succeeded`, announced by `charge.updated`.
    #[serde(default)]
    pub balance_transaction: Option<String>,
    /// A bank debit submitted and not yet settled (`status: pending`).
    #[serde(default)]
    pub pending: bool,
    /// Radar's risk level: `normal`, `elevated` or `highest`.
    #[serde(default = "normal_risk")]
    pub risk_level: String,
}

fn normal_risk() -> String {
    "normal".to_owned()
}

/// Why a charge failed: its card's decline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeFailure {
    pub code: String,
    pub decline_code: Option<String>,
    pub message: String,
    /// Radar's reason when Radar blocked it rather than the issuer declining it.
    #[serde(default)]
    pub blocked: Option<String>,
}

impl From<cards::Decline> for ChargeFailure {
    fn from(d: cards::Decline) -> Self {
        Self {
            code: d.code.to_owned(),
            decline_code: d.decline_code.map(str::to_owned),
            message: d.message.to_owned(),
            blocked: d.blocked.map(str::to_owned),
        }
    }
}

/// A score in the band of Radar's risk level (0-64 normal, 65-74 elevated, 75-99 highest).
fn risk_score(level: &str) -> i64 {
    match level {
        "elevated" => 70,
        "highest" => 90,
        _ => 32,
    }
}

impl Charge {
    pub fn to_json(&self) -> Value {
        let outcome = match &self.failure {
            None => json!({
                "advice_code": null, "network_advice_code": null, "network_decline_code": null,
                "network_status": "approved_by_network", "reason": null,
                "risk_level": self.risk_level, "risk_score": risk_score(&self.risk_level),
                "seller_message": if self.risk_level == "elevated" {
                    "Stripe evaluated this payment as having elevated risk, and placed it in review."
                } else {
                    "Payment complete."
                },
                "type": "authorized",
            }),
            Some(ChargeFailure {
                blocked: Some(reason),
                ..
            }) => json!({
                "advice_code": null, "network_advice_code": null, "network_decline_code": null,
                "network_status": "not_sent_to_network", "reason": reason,
                "risk_level": self.risk_level, "risk_score": risk_score(&self.risk_level),
                "seller_message": "Stripe blocked this payment.",
                "type": "blocked",
            }),
            Some(d) => json!({
                "advice_code": null, "network_advice_code": null, "network_decline_code": null,
                "network_status": "declined_by_network",
                "reason": d.decline_code.as_deref().unwrap_or(&d.code),
                "risk_level": self.risk_level, "risk_score": risk_score(&self.risk_level),
                "seller_message": "The bank did not return any further details with this decline.",
                "type": "issuer_declined",
            }),
        };
        json!({
            "id": self.id,
            "object": "charge",
            "amount": self.amount,
            "amount_captured": if self.succeeded || self.pending { self.amount } else { 0 },
            "amount_refunded": self.amount_refunded,
            "application": null,
            "application_fee": null,
            "application_fee_amount": null,
            "balance_transaction": self.balance_transaction,
            "billing_details": self.billing_details,
            "calculated_statement_descriptor": "STOREFRONT SANDBOX",
            "captured": self.succeeded || self.pending,
            "created": self.created,
            "currency": self.currency,
            "customer": self.customer,
            "description": self.description,
            "disputed": self.disputed,
            "failure_balance_transaction": null,
            "failure_code": self.failure.as_ref().map(|d| &d.code),
            "failure_message": self.failure.as_ref().map(|d| &d.message),
            "fraud_details": {},
            "livemode": false,
            "metadata": self.metadata,
            "on_behalf_of": null,
            "outcome": outcome,
            "paid": self.succeeded,
            "payment_intent": self.payment_intent,
            "payment_method": self.payment_method,
            "payment_method_details": self.payment_method_details,
            "receipt_email": self.receipt_email,
            "receipt_number": null,
            "receipt_url": null,
            "refunded": self.succeeded && self.amount_refunded >= self.amount,
            "review": null,
            "shipping": null,
            "source": null,
            "source_transfer": null,
            "statement_descriptor": null,
            "statement_descriptor_suffix": null,
            "status": match (self.succeeded, self.pending) {
                (true, _) => "succeeded",
                (false, true) => "pending",
                (false, false) => "failed",
            },
            "transfer_data": null,
            "transfer_group": null,
        })
    }
}
