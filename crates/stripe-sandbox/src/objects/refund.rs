//! A Refund of a charge, whole or partial, and what may happen to it later.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A refund of (part of) a charge.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    pub charge: String,
    pub payment_intent: String,
    pub currency: String,
    pub created: i64,
    pub reason: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub customer: Option<String>,
    pub payment_method: Option<String>,
    /// `pending`, `succeeded`, `failed` (or `canceled`, `requires_action`).
    pub status: String,
    pub failure_reason: Option<String>,
    pub failure_balance_transaction: Option<String>,
    /// What happens to it later, as its card says (see `cards::refund_behaviour`).
    pub later: Option<String>,
}

impl Refund {
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "object": "refund",
            "amount": self.amount,
            "balance_transaction": null,
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "customer": self.customer,
            "customer_account": null,
            "destination_details": {
                "card": { "reference_status": "pending", "reference_type": "acquirer_reference_number", "type": "refund" },
                "type": "card",
            },
            "metadata": self.metadata,
            "payment_intent": self.payment_intent,
            "payment_method": self.payment_method,
            "reason": self.reason,
            "receipt_number": null,
            "source_transfer_reversal": null,
            "status": self.status,
            "transfer_reversal": null,
        });
        if self.status == "pending" {
            v["pending_reason"] = json!("processing");
        }
        if let Some(reason) = &self.failure_reason {
            v["failure_reason"] = json!(reason);
            v["failure_balance_transaction"] = json!(self.failure_balance_transaction);
        }
        v
    }
}
