//! A Dispute: a chargeback or an inquiry the cardholder's bank opens on a charge, its
//! statuses, evidence and balance transactions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ids::{new_id, now};

/// A dispute (chargeback or inquiry) of a charge, as the cardholder's bank opens it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dispute {
    pub id: String,
    pub amount: i64,
    pub charge: String,
    pub payment_intent: String,
    pub currency: String,
    pub created: i64,
    pub reason: String,
    /// `needs_response`, `under_review`, `won`, `lost`; `warning_needs_response`,
    /// `warning_under_review`, `warning_closed` for inquiries.
    pub status: String,
    pub metadata: BTreeMap<String, String>,
    /// Evidence given so far (`uncategorized_text` and the like).
    pub evidence: BTreeMap<String, String>,
    pub submission_count: i64,
    pub brand: String,
    /// Balance transactions: the withdrawal, and the reinstatement once won.
    pub balance_transactions: Vec<Value>,
    /// The network programme it is eligible for: `visa_compelling_evidence_3` or
    /// `visa_compliance`.
    #[serde(default)]
    pub enhanced_eligibility: Option<String>,
}

impl Dispute {
    /// `evidence_details.enhanced_eligibility`: what the programme still needs. Nothing has
    /// been given yet when the dispute opens.
    fn enhanced_eligibility_details(&self) -> Value {
        match self.enhanced_eligibility.as_deref() {
            Some("visa_compelling_evidence_3") => json!({
                "visa_compelling_evidence_3": {
                    "required_actions": [
                        "missing_customer_identifiers",
                        "missing_disputed_transaction_description",
                        "missing_merchandise_or_services",
                        "missing_prior_undisputed_transaction_description",
                        "missing_prior_undisputed_transactions",
                    ],
                    "status": "requires_action",
                }
            }),
            Some("visa_compliance") => json!({
                "visa_compliance": { "status": "requires_fee_acknowledgement" }
            }),
            _ => json!({}),
        }
    }

    /// The reasons Stripe gives a dispute.
    pub const REASONS: &[&str] = &[
        "bank_cannot_process",
        "check_returned",
        "credit_not_processed",
        "customer_initiated",
        "debit_not_authorized",
        "duplicate",
        "fraudulent",
        "general",
        "incorrect_account_details",
        "insufficient_funds",
        "noncompliant",
        "product_not_received",
        "product_unacceptable",
        "subscription_canceled",
        "unrecognized",
    ];

    pub fn is_inquiry(&self) -> bool {
        self.status.starts_with("warning_")
    }

    pub fn is_open(&self) -> bool {
        matches!(
            self.status.as_str(),
            "needs_response" | "under_review" | "warning_needs_response" | "warning_under_review"
        )
    }

    pub fn to_json(&self) -> Value {
        const EVIDENCE_FIELDS: &[&str] = &[
            "access_activity_log",
            "billing_address",
            "cancellation_policy",
            "cancellation_policy_disclosure",
            "cancellation_rebuttal",
            "customer_communication",
            "customer_email_address",
            "customer_name",
            "customer_purchase_ip",
            "customer_signature",
            "duplicate_charge_documentation",
            "duplicate_charge_explanation",
            "duplicate_charge_id",
            "product_description",
            "receipt",
            "refund_policy",
            "refund_policy_disclosure",
            "refund_refusal_explanation",
            "service_date",
            "service_documentation",
            "shipping_address",
            "shipping_carrier",
            "shipping_date",
            "shipping_documentation",
            "shipping_tracking_number",
            "uncategorized_file",
            "uncategorized_text",
        ];
        let mut evidence = serde_json::Map::new();
        for field in EVIDENCE_FIELDS {
            evidence.insert(
                (*field).to_owned(),
                self.evidence.get(*field).map_or(Value::Null, |v| json!(v)),
            );
        }
        evidence.insert("enhanced_evidence".into(), json!({}));
        let due_by = (self.is_open()).then_some(self.created + 7 * 24 * 60 * 60);
        json!({
            "id": self.id,
            "object": "dispute",
            "amount": self.amount,
            "balance_transactions": self.balance_transactions,
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "enhanced_eligibility_types": self.enhanced_eligibility.iter().collect::<Vec<_>>(),
            "evidence": evidence,
            "evidence_details": {
                "due_by": due_by,
                "enhanced_eligibility": self.enhanced_eligibility_details(),
                "has_evidence": !self.evidence.is_empty(),
                "past_due": false,
                "submission_count": self.submission_count,
                "submission_method": if self.submission_count > 0 { "manual" } else { "not_submitted" },
            },
            "intended_submission_method": null,
            "is_charge_refundable": self.is_inquiry(),
            "livemode": false,
            "metadata": self.metadata,
            "network_reason_code": null,
            "payment_intent": self.payment_intent,
            "payment_method_details": {
                "card": {
                    "brand": self.brand,
                    "case_type": if self.is_inquiry() { "inquiry" } else { "chargeback" },
                    "network": self.brand,
                    "network_reason_code": null,
                },
                "type": "card",
            },
            "reason": self.reason,
            "status": self.status,
        })
    }

    /// A balance transaction of the dispute: the withdrawal (negative) or the reinstatement.
    pub fn balance_transaction(&self, amount: i64, description: &str) -> Value {
        json!({
            "id": new_id("txn"),
            "object": "balance_transaction",
            "amount": amount,
            "available_on": now(),
            "balance_type": "payments",
            "created": now(),
            "currency": self.currency,
            "description": description,
            "exchange_rate": null,
            "fee": 0,
            "fee_details": [],
            "net": amount,
            "reporting_category": "dispute",
            "source": self.id,
            "status": "available",
            "type": "adjustment",
        })
    }
}
