//! The objects the sandbox keeps, and their JSON in Stripe's shape at the pinned API version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A PaymentIntent's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Processing,
    Succeeded,
    Canceled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::RequiresPaymentMethod => "requires_payment_method",
            Status::RequiresConfirmation => "requires_confirmation",
            Status::RequiresAction => "requires_action",
            Status::Processing => "processing",
            Status::Succeeded => "succeeded",
            Status::Canceled => "canceled",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub client_secret: String,
    pub amount: i64,
    pub amount_received: i64,
    pub currency: String,
    pub status: Status,
    pub created: i64,
    pub metadata: BTreeMap<String, String>,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub receipt_email: Option<String>,
    /// `Some(allow_redirects)` when automatic payment methods are enabled.
    pub automatic_payment_methods: Option<String>,
    pub payment_method_types: Vec<String>,
    pub capture_method: String,
    pub confirmation_method: String,
    pub payment_method: Option<String>,
    pub latest_charge: Option<String>,
    /// The error object (without `payment_intent`).
    pub last_payment_error: Option<Value>,
    pub return_url: Option<String>,
    /// The open 3-D Secure challenge: (challenge id, absolute URL).
    pub challenge: Option<(String, String)>,
    pub canceled_at: Option<i64>,
    pub cancellation_reason: Option<String>,
    pub setup_future_usage: Option<String>,
    pub shipping: Option<Value>,
    pub statement_descriptor: Option<String>,
    pub statement_descriptor_suffix: Option<String>,
    pub transfer_group: Option<String>,
}

impl PaymentIntent {
    /// A new intent waiting for a payment method, with Stripe's defaults for everything else.
    pub fn new(amount: i64, currency: impl Into<String>) -> PaymentIntent {
        let id = super::state::new_id("pi");
        PaymentIntent {
            client_secret: format!("{id}_secret_{}", super::state::random_string(25)),
            id,
            amount,
            amount_received: 0,
            currency: currency.into(),
            status: Status::RequiresPaymentMethod,
            created: super::state::now(),
            metadata: BTreeMap::new(),
            customer: None,
            description: None,
            receipt_email: None,
            automatic_payment_methods: None,
            payment_method_types: vec!["card".into()],
            capture_method: "automatic_async".into(),
            confirmation_method: "automatic".into(),
            payment_method: None,
            latest_charge: None,
            last_payment_error: None,
            return_url: None,
            challenge: None,
            canceled_at: None,
            cancellation_reason: None,
            setup_future_usage: None,
            shipping: None,
            statement_descriptor: None,
            statement_descriptor_suffix: None,
            transfer_group: None,
        }
    }

    /// The object as the secret key sees it.
    pub fn to_json(&self) -> Value {
        let next_action = match (&self.status, &self.challenge) {
            (Status::RequiresAction, Some((_, url))) => json!({
                "type": "redirect_to_url",
                "redirect_to_url": { "url": url, "return_url": self.return_url },
            }),
            _ => Value::Null,
        };
        let head = json!({
            "id": self.id,
            "object": "payment_intent",
            "amount": self.amount,
            "amount_capturable": 0,
            "amount_details": { "tip": {} },
            "amount_received": self.amount_received,
            "application": null,
            "application_fee_amount": null,
            "automatic_payment_methods": self.automatic_payment_methods.as_ref().map(|r| json!({
                "allow_redirects": r,
                "enabled": true,
            })),
            "canceled_at": self.canceled_at,
            "cancellation_reason": self.cancellation_reason,
            "capture_method": self.capture_method,
            "client_secret": self.client_secret,
            "confirmation_method": self.confirmation_method,
            "created": self.created,
            "currency": self.currency,
            "customer": self.customer,
            "description": self.description,
            "excluded_payment_method_types": null,
            "last_payment_error": self.last_payment_error,
            "latest_charge": self.latest_charge,
        });
        let rest = json!({
            "livemode": false,
            "metadata": self.metadata,
            "next_action": next_action,
            "on_behalf_of": null,
            "payment_method": self.payment_method,
            "payment_method_configuration_details": null,
            "payment_method_options": {
                "card": {
                    "installments": null,
                    "mandate_options": null,
                    "network": null,
                    "request_three_d_secure": "automatic",
                }
            },
            "payment_method_types": self.payment_method_types,
            "processing": null,
            "receipt_email": self.receipt_email,
            "review": null,
            "setup_future_usage": self.setup_future_usage,
            "shipping": self.shipping,
            "source": null,
            "statement_descriptor": self.statement_descriptor,
            "statement_descriptor_suffix": self.statement_descriptor_suffix,
            "status": self.status.as_str(),
            "transfer_data": null,
            "transfer_group": self.transfer_group,
        });
        merge(head, rest)
    }

    /// The object as a publishable key with the client secret sees it (what Stripe.js gets):
    /// no metadata, customer or other server-side fields.
    pub fn to_client_json(&self) -> Value {
        const CLIENT_FIELDS: &[&str] = &[
            "id",
            "object",
            "amount",
            "amount_details",
            "automatic_payment_methods",
            "canceled_at",
            "cancellation_reason",
            "capture_method",
            "client_secret",
            "confirmation_method",
            "created",
            "currency",
            "description",
            "last_payment_error",
            "livemode",
            "next_action",
            "payment_method",
            "payment_method_types",
            "processing",
            "receipt_email",
            "setup_future_usage",
            "shipping",
            "status",
        ];
        let full = self.to_json();
        let mut out = serde_json::Map::new();
        if let Value::Object(map) = full {
            for (k, v) in map {
                if CLIENT_FIELDS.contains(&k.as_str()) {
                    out.insert(k, v);
                }
            }
        }
        Value::Object(out)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentMethod {
    pub id: String,
    pub created: i64,
    pub number: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub postal_code: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub customer: Option<String>,
}

impl PaymentMethod {
    pub fn last4(&self) -> &str {
        self.number
            .get(self.number.len().saturating_sub(4)..)
            .unwrap_or("")
    }

    pub fn billing_details(&self) -> Value {
        json!({
            "address": {
                "city": null, "country": null, "line1": null, "line2": null,
                "postal_code": self.postal_code, "state": null,
            },
            "email": self.email,
            "name": self.name,
            "phone": null,
            "tax_id": null,
        })
    }

    fn fingerprint(&self) -> String {
        // Stable per card number, never revealing it.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.number.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    pub fn to_json(&self) -> Value {
        let brand = super::cards::brand(&self.number);
        json!({
            "id": self.id,
            "object": "payment_method",
            "allow_redisplay": "unspecified",
            "billing_details": self.billing_details(),
            "card": {
                "brand": brand,
                "checks": {
                    "address_line1_check": null,
                    "address_postal_code_check": self.postal_code.as_ref().map(|_| "pass"),
                    "cvc_check": "pass",
                },
                "country": "US",
                "display_brand": brand,
                "exp_month": self.exp_month,
                "exp_year": self.exp_year,
                "fingerprint": self.fingerprint(),
                "funding": super::cards::funding(&self.number),
                "generated_from": null,
                "last4": self.last4(),
                "networks": { "available": [brand], "preferred": null },
                "regulated_status": "unregulated",
                "three_d_secure_usage": { "supported": true },
                "wallet": null,
            },
            "created": self.created,
            "customer": self.customer,
            "livemode": false,
            "metadata": {},
            "type": "card",
        })
    }

    /// `payment_method_details` of a charge.
    pub fn charge_details(&self, authenticated: bool) -> Value {
        let brand = super::cards::brand(&self.number);
        json!({
            "type": "card",
            "card": {
                "amount_authorized": null,
                "brand": brand,
                "checks": {
                    "address_line1_check": null,
                    "address_postal_code_check": self.postal_code.as_ref().map(|_| "pass"),
                    "cvc_check": "pass",
                },
                "country": "US",
                "exp_month": self.exp_month,
                "exp_year": self.exp_year,
                "fingerprint": self.fingerprint(),
                "funding": super::cards::funding(&self.number),
                "installments": null,
                "last4": self.last4(),
                "mandate": null,
                "network": brand,
                "network_token": { "used": false },
                "three_d_secure": if authenticated {
                    json!({ "authentication_flow": "challenge", "result": "authenticated",
                            "result_reason": null, "version": "2.2.0" })
                } else { Value::Null },
                "wallet": null,
            }
        })
    }
}

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
}

/// Why a charge failed: its card's decline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeFailure {
    pub code: String,
    pub decline_code: Option<String>,
    pub message: String,
}

impl From<super::cards::Decline> for ChargeFailure {
    fn from(d: super::cards::Decline) -> Self {
        Self {
            code: d.code.to_owned(),
            decline_code: d.decline_code.map(str::to_owned),
            message: d.message.to_owned(),
        }
    }
}

impl Charge {
    pub fn to_json(&self) -> Value {
        let outcome = match &self.failure {
            None => json!({
                "advice_code": null, "network_advice_code": null, "network_decline_code": null,
                "network_status": "approved_by_network", "reason": null, "risk_level": "normal",
                "risk_score": 32, "seller_message": "Payment complete.", "type": "authorized",
            }),
            Some(d) => json!({
                "advice_code": null, "network_advice_code": null, "network_decline_code": null,
                "network_status": "declined_by_network",
                "reason": d.decline_code.as_deref().unwrap_or(&d.code), "risk_level": "normal",
                "risk_score": 32,
                "seller_message": "The bank did not return any further details with this decline.",
                "type": "issuer_declined",
            }),
        };
        let head = json!({
            "id": self.id,
            "object": "charge",
            "amount": self.amount,
            "amount_captured": if self.succeeded { self.amount } else { 0 },
            "amount_refunded": self.amount_refunded,
            "application": null,
            "application_fee": null,
            "application_fee_amount": null,
            "balance_transaction": null,
            "billing_details": self.billing_details,
            "calculated_statement_descriptor": "STOREFRONT SANDBOX",
            "captured": self.succeeded,
            "created": self.created,
            "currency": self.currency,
            "customer": self.customer,
            "description": self.description,
            "disputed": self.disputed,
            "failure_balance_transaction": null,
            "failure_code": self.failure.as_ref().map(|d| &d.code),
            "failure_message": self.failure.as_ref().map(|d| &d.message),
            "fraud_details": {},
        });
        let rest = json!({
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
            "status": if self.succeeded { "succeeded" } else { "failed" },
            "transfer_data": null,
            "transfer_group": null,
        });
        merge(head, rest)
    }
}

/// Joins two JSON objects (one `json!` call per object would exceed the macro recursion limit).
fn merge(mut head: Value, rest: Value) -> Value {
    if let (Value::Object(h), Value::Object(r)) = (&mut head, rest) {
        h.extend(r);
    }
    head
}

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
}

impl Dispute {
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
            "enhanced_eligibility_types": [],
            "evidence": evidence,
            "evidence_details": {
                "due_by": due_by,
                "enhanced_eligibility": {},
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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub created: i64,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
}

impl Customer {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "customer",
            "address": null,
            "balance": 0,
            "created": self.created,
            "currency": null,
            "default_source": null,
            "delinquent": false,
            "description": self.description,
            "discount": null,
            "email": self.email,
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
        })
    }
}

/// One event, with the object as it was when the event happened.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub type_: String,
    pub created: i64,
    pub object: Value,
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
    /// Endpoints that have not yet acknowledged it.
    pub pending_webhooks: i64,
}

impl Event {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "event",
            "api_version": stripe_shared::version::VERSION.as_str(),
            "created": self.created,
            "data": { "object": self.object },
            "livemode": false,
            "pending_webhooks": self.pending_webhooks,
            "request": { "id": self.request_id, "idempotency_key": self.idempotency_key },
            "type": self.type_,
        })
    }
}
