//! A PaymentIntent: its statuses and its JSON, as the secret key and as Stripe.js (publishable
//! key and client secret) see it.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{JsonText, Metadata};
use crate::ids::{new_id, now, random_string};

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
    pub metadata: Metadata,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub receipt_email: Option<String>,
    /// `Some(allow_redirects)` when automatic payment methods are enabled.
    pub automatic_payment_methods: Option<String>,
    pub payment_method_types: Vec<String>,
    /// `allowed_payment_method_types`, as given.
    #[serde(default)]
    pub allowed_payment_method_types: Option<Vec<String>>,
    /// `excluded_payment_method_types`, as given.
    #[serde(default)]
    pub excluded_payment_method_types: Option<Vec<String>>,
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
    /// Kept as text: it is only ever read whole.
    pub shipping: Option<JsonText>,
    pub statement_descriptor: Option<String>,
    pub statement_descriptor_suffix: Option<String>,
    pub transfer_group: Option<String>,
}

impl PaymentIntent {
    /// A new intent waiting for a payment method, with Stripe's defaults for everything else.
    pub fn new(amount: i64, currency: impl Into<String>) -> PaymentIntent {
        let id = new_id("pi");
        PaymentIntent {
            client_secret: format!("{id}_secret_{}", random_string(25)),
            id,
            amount,
            amount_received: 0,
            currency: currency.into(),
            status: Status::RequiresPaymentMethod,
            created: now(),
            metadata: Metadata::default(),
            customer: None,
            description: None,
            receipt_email: None,
            automatic_payment_methods: None,
            payment_method_types: vec!["card".into()],
            allowed_payment_method_types: None,
            excluded_payment_method_types: None,
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
        json!({
            "id": self.id,
            "object": "payment_intent",
            "amount": self.amount,
            "amount_capturable": 0,
            "allowed_payment_method_types": self.allowed_payment_method_types,
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
            "customer_account": null,
            "description": self.description,
            "excluded_payment_method_types": self.excluded_payment_method_types,
            "last_payment_error": self.last_payment_error,
            "latest_charge": self.latest_charge,
            "livemode": false,
            "managed_payments": null,
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
            "payment_record": null,
            "processing": null,
            "receipt_email": self.receipt_email,
            "review": null,
            "setup_future_usage": self.setup_future_usage,
            "shipping": self.shipping.as_ref().map(JsonText::to_value),
            "source": null,
            "statement_descriptor": self.statement_descriptor,
            "statement_descriptor_suffix": self.statement_descriptor_suffix,
            "status": self.status.as_str(),
            "transfer_data": null,
            "transfer_group": self.transfer_group,
        })
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
