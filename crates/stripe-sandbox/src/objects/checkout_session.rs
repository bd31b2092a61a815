//! A Checkout Session in `payment` mode (/api/checkout/sessions/object) and its line items
//! (/api/checkout/sessions/line_items), each line priced with `price_data`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// `status`: a session is open until it is paid (or its payment submitted) or it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Open,
    Complete,
    Expired,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Open => "open",
            SessionStatus::Complete => "complete",
            SessionStatus::Expired => "expired",
        }
    }
}

/// One line, priced inline (`line_items[][price_data]`): the sandbox makes the Product and
/// Price Stripe makes for it, kept only as they appear in the line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionLine {
    pub id: String,
    pub price_id: String,
    pub product_id: String,
    pub name: String,
    pub description: Option<String>,
    pub unit_amount: i64,
    pub quantity: u64,
    pub currency: String,
    pub created: i64,
    /// The Price a line names (`line_items[][price]`), or made for a recurring `price_data`.
    #[serde(default)]
    pub price: Option<super::Price>,
}

impl SessionLine {
    pub fn amount(&self) -> i64 {
        self.unit_amount.saturating_mul(self.quantity as i64)
    }

    /// The `item` object, its price with the product id (Stripe expands it only on request).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "item",
            "adjustable_quantity": null,
            "amount_discount": 0,
            "amount_subtotal": self.amount(),
            "amount_tax": 0,
            "amount_total": self.amount(),
            "currency": self.currency,
            "description": self.name,
            "metadata": {},
            "price": if let Some(price) = &self.price { price.to_json() } else { json!({
                "id": self.price_id,
                "object": "price",
                "active": false,
                "billing_scheme": "per_unit",
                "created": self.created,
                "currency": self.currency,
                "custom_unit_amount": null,
                "livemode": false,
                "lookup_key": null,
                "metadata": {},
                "nickname": null,
                "product": self.product_id,
                "recurring": null,
                "tax_behavior": "unspecified",
                "tiers_mode": null,
                "transform_quantity": null,
                "type": "one_time",
                "unit_amount": self.unit_amount,
                "unit_amount_decimal": self.unit_amount.to_string(),
            }) },
            "quantity": self.quantity,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub created: i64,
    pub expires_at: i64,
    pub status: SessionStatus,
    /// `paid` once the payment succeeded; `unpaid` while a delayed one (SEPA) is processing.
    pub paid: bool,
    pub currency: String,
    pub lines: Vec<SessionLine>,
    pub client_reference_id: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// `payment_intent_data[...]`, given to the intent the page creates.
    pub intent_metadata: BTreeMap<String, String>,
    pub intent_description: Option<String>,
    pub customer: Option<String>,
    pub customer_email: Option<String>,
    pub success_url: String,
    pub cancel_url: Option<String>,
    /// The hosted page's absolute URL.
    pub url: String,
    pub payment_intent: Option<String>,
    pub payment_method_types: Vec<String>,
    /// Mode `subscription`: what the subscription starts with, and what it made.
    #[serde(default)]
    pub subscription_mode: Option<SubscriptionData>,
}

/// A `subscription`-mode session's `subscription_data`, and the objects its completion made.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SubscriptionData {
    pub trial_period_days: Option<i64>,
    pub trial_end: Option<i64>,
    pub metadata: BTreeMap<String, String>,
    pub description: Option<String>,
    pub subscription: Option<String>,
    pub invoice: Option<String>,
}

impl CheckoutSession {
    /// What the session charges now: nothing during a subscription's trial.
    pub fn amount_total(&self) -> i64 {
        if self.in_trial() {
            return 0;
        }
        self.lines.iter().map(SessionLine::amount).sum()
    }

    pub fn in_trial(&self) -> bool {
        self.subscription_mode
            .as_ref()
            .is_some_and(|d| d.trial_period_days.is_some() || d.trial_end.is_some())
    }

    /// `success_url` with Stripe's `{CHECKOUT_SESSION_ID}` template filled in.
    pub fn success_redirect(&self) -> String {
        self.success_url.replace("{CHECKOUT_SESSION_ID}", &self.id)
    }

    pub fn payment_status(&self) -> &'static str {
        if self.in_trial() && self.status == SessionStatus::Complete {
            "no_payment_required"
        } else if self.paid {
            "paid"
        } else {
            "unpaid"
        }
    }

    /// The object at the pinned version: every field of the API definition, `line_items` only
    /// when expanded (`expanded_lines`).
    pub fn to_json(&self, expanded_lines: Option<Value>) -> Value {
        let open = self.status == SessionStatus::Open;
        json!({
            "id": self.id,
            "object": "checkout.session",
            "adaptive_pricing": { "enabled": false },
            "after_expiration": null,
            "allow_promotion_codes": null,
            "allowed_payment_method_types": null,
            "amount_subtotal": self.amount_total(),
            "amount_total": self.amount_total(),
            "automatic_tax": { "enabled": false, "liability": null, "provider": null, "status": null },
            "billing_address_collection": null,
            "cancel_url": self.cancel_url,
            "client_reference_id": self.client_reference_id,
            "client_secret": null,
            "collected_information": null,
            "consent": null,
            "consent_collection": null,
            "created": self.created,
            "currency": self.currency,
            "currency_conversion": null,
            "custom_fields": [],
            "custom_text": {
                "after_submit": null, "shipping_address": null, "submit": null,
                "terms_of_service_acceptance": null,
            },
            "customer": self.customer,
            "customer_account": null,
            "customer_creation": if self.customer.is_some() || self.subscription_mode.is_some() { Value::Null } else { json!("if_required") },
            "customer_details": if self.status == SessionStatus::Complete {
                json!({
                    "address": null, "email": self.customer_email, "name": null, "phone": null,
                    "tax_exempt": "none", "tax_ids": [],
                })
            } else if self.customer_email.is_some() {
                json!({
                    "address": null, "email": self.customer_email, "name": null, "phone": null,
                    "tax_exempt": "none", "tax_ids": null,
                })
            } else {
                Value::Null
            },
            "customer_email": self.customer_email,
            "discounts": [],
            "expires_at": self.expires_at,
            "integration_identifier": null,
            "invoice": self.subscription_mode.as_ref().and_then(|d| d.invoice.clone()),
            "invoice_creation": {
                "enabled": false,
                "invoice_data": {
                    "account_tax_ids": null, "custom_fields": null, "description": null,
                    "footer": null, "issuer": null, "metadata": {}, "rendering_options": null,
                },
            },
            "line_items": expanded_lines,
            "livemode": false,
            "locale": null,
            "managed_payments": null,
            "metadata": self.metadata,
            "mode": if self.subscription_mode.is_some() { "subscription" } else { "payment" },
            "origin_context": null,
            "payment_intent": self.payment_intent,
            "payment_link": null,
            "payment_method_collection": if self.subscription_mode.is_some() { "always" } else { "if_required" },
            "payment_method_configuration_details": null,
            "payment_method_options": {},
            "payment_method_types": self.payment_method_types,
            "payment_status": self.payment_status(),
            "permissions": null,
            "phone_number_collection": { "enabled": false },
            "presentment_details": null,
            "recovered_from": null,
            "redirect_on_completion": null,
            "return_url": null,
            "saved_payment_method_options": null,
            "setup_intent": null,
            "shipping_address_collection": null,
            "shipping_cost": null,
            "shipping_options": [],
            "status": self.status.as_str(),
            "submit_type": null,
            "subscription": self.subscription_mode.as_ref().and_then(|d| d.subscription.clone()),
            "success_url": self.success_url,
            "total_details": { "amount_discount": 0, "amount_shipping": 0, "amount_tax": 0 },
            "ui_mode": "hosted",
            "url": if open { json!(self.url) } else { Value::Null },
            "wallet_options": null,
        })
    }
}
