//! An Invoice, its lines and its payments (/api/invoices/object, /api/invoice-line-item,
//! /api/invoice-payment) at the pinned version: a subscription's invoice names it in
//! `parent.subscription_details`, a line its price in `pricing.price_details`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    Open,
    Paid,
    Uncollectible,
    Void,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Uncollectible => "uncollectible",
            InvoiceStatus::Void => "void",
        }
    }
}

/// One line: a subscription item for a period, or a proration (an invoice item).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub description: String,
    pub price: Option<String>,
    pub product: Option<String>,
    pub quantity: u64,
    pub period_start: i64,
    pub period_end: i64,
    pub proration: bool,
    /// The subscription item a period line bills.
    pub subscription_item: Option<String>,
    /// The invoice item (`ii_...`) a proration line comes from.
    pub invoice_item: Option<String>,
    pub subscription: Option<String>,
}

impl InvoiceLine {
    pub fn to_json(&self, invoice: &str) -> Value {
        let parent = match &self.invoice_item {
            Some(ii) => json!({
                "type": "invoice_item_details",
                "invoice_item_details": {
                    "invoice_item": ii,
                    "proration": self.proration,
                    "proration_details": { "credited_items": null },
                    "subscription": self.subscription,
                },
                "subscription_item_details": null,
            }),
            None => json!({
                "type": "subscription_item_details",
                "invoice_item_details": null,
                "subscription_item_details": {
                    "invoice_item": null,
                    "proration": self.proration,
                    "proration_details": { "credited_items": null },
                    "subscription": self.subscription,
                    "subscription_item": self.subscription_item,
                },
            }),
        };
        let unit = if self.quantity > 0 {
            self.amount / self.quantity as i64
        } else {
            self.amount
        };
        json!({
            "id": self.id,
            "object": "line_item",
            "amount": self.amount,
            "currency": self.currency,
            "description": self.description,
            "discount_amounts": [],
            "discountable": !self.proration,
            "discounts": [],
            "invoice": invoice,
            "livemode": false,
            "metadata": {},
            "parent": parent,
            "period": { "end": self.period_end, "start": self.period_start },
            "pretax_credit_amounts": [],
            "pricing": {
                "type": "price_details",
                "price_details": { "price": self.price, "product": self.product },
                "unit_amount_decimal": unit.to_string(),
            },
            "quantity": self.quantity,
            "quantity_decimal": self.quantity.to_string(),
            "subscription": self.subscription,
            "subtotal": self.amount,
            "taxes": [],
        })
    }
}

/// One attempt to pay an invoice with a PaymentIntent (`in_pay_...`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvoicePayment {
    pub id: String,
    pub payment_intent: String,
    pub amount: i64,
    pub created: i64,
    pub paid_at: Option<i64>,
    pub canceled_at: Option<i64>,
}

impl InvoicePayment {
    pub fn status(&self) -> &'static str {
        if self.paid_at.is_some() {
            "paid"
        } else if self.canceled_at.is_some() {
            "canceled"
        } else {
            "open"
        }
    }

    pub fn to_json(&self, invoice: &str, currency: &str) -> Value {
        json!({
            "id": self.id,
            "object": "invoice_payment",
            "amount_paid": self.paid_at.map(|_| self.amount),
            "amount_requested": self.amount,
            "created": self.created,
            "currency": currency,
            "invoice": invoice,
            "is_default": true,
            "livemode": false,
            "payment": { "type": "payment_intent", "payment_intent": self.payment_intent },
            "status": self.status(),
            "status_transitions": { "canceled_at": self.canceled_at, "paid_at": self.paid_at },
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Invoice {
    pub id: String,
    /// Given when the invoice is finalized.
    pub number: Option<String>,
    pub customer: String,
    pub customer_email: Option<String>,
    pub customer_name: Option<String>,
    pub subscription: Option<String>,
    pub status: InvoiceStatus,
    pub created: i64,
    pub period_start: i64,
    pub period_end: i64,
    pub currency: String,
    pub lines: Vec<InvoiceLine>,
    /// `subscription_create`, `subscription_cycle`, `subscription_update`, `manual`.
    pub billing_reason: String,
    pub attempt_count: u64,
    pub attempted: bool,
    pub next_payment_attempt: Option<i64>,
    pub amount_paid: i64,
    pub finalized_at: Option<i64>,
    pub paid_at: Option<i64>,
    pub voided_at: Option<i64>,
    pub marked_uncollectible_at: Option<i64>,
    /// A draft is finalized (and its payment attempted) at this time, an hour after it was
    /// made (/billing/invoices/subscription#subscription-renewal).
    pub automatically_finalizes_at: Option<i64>,
    pub payments: Vec<InvoicePayment>,
    pub hosted_invoice_url: String,
    pub invoice_pdf: String,
    pub test_clock: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub subscription_metadata: BTreeMap<String, String>,
    /// When a payment failed: its error, as `last_payment_error` shows it.
    pub last_payment_error: Option<Value>,
}

impl Invoice {
    pub fn total(&self) -> i64 {
        self.lines.iter().map(|l| l.amount).sum()
    }

    /// What the customer owes: a negative total (a credit) is owed by nobody.
    pub fn amount_due(&self) -> i64 {
        self.total().max(0)
    }

    pub fn amount_remaining(&self) -> i64 {
        if matches!(self.status, InvoiceStatus::Void) {
            0
        } else {
            (self.amount_due() - self.amount_paid).max(0)
        }
    }

    /// The open PaymentIntent a customer pays this invoice with, if any.
    pub fn open_payment(&self) -> Option<&InvoicePayment> {
        self.payments.iter().rev().find(|p| p.status() == "open")
    }

    pub fn lines_json(&self) -> Vec<Value> {
        self.lines.iter().map(|l| l.to_json(&self.id)).collect()
    }

    /// `payments` is included only when expanded, as on Stripe; `confirmation_secret`
    /// likewise.
    pub fn to_json(&self, payments: bool, confirmation_secret: Option<String>) -> Value {
        let finalized = !matches!(self.status, InvoiceStatus::Draft);
        let mut json = json!({
            "id": self.id,
            "object": "invoice",
            "account_country": "US",
            "account_name": "Stripe sandbox",
            "account_tax_ids": null,
            "amount_due": self.amount_due(),
            "amount_overpaid": 0,
            "amount_paid": self.amount_paid,
            "amount_remaining": self.amount_remaining(),
            "amount_shipping": 0,
            "application": null,
            "attempt_count": self.attempt_count,
            "attempted": self.attempted,
            "auto_advance": matches!(self.status, InvoiceStatus::Draft | InvoiceStatus::Open),
            "automatic_tax": {
                "disabled_reason": null, "enabled": false, "liability": null,
                "provider": null, "status": null,
            },
            "automatically_finalizes_at": if finalized { None } else { self.automatically_finalizes_at },
            "billing_reason": self.billing_reason,
            "collection_method": "charge_automatically",
            "created": self.created,
            "currency": self.currency,
            "custom_fields": null,
            "customer": self.customer,
            "customer_account": null,
            "customer_address": null,
            "customer_email": self.customer_email,
            "customer_name": self.customer_name,
            "customer_phone": null,
            "customer_shipping": null,
            "customer_tax_exempt": "none",
            "customer_tax_ids": [],
            "default_payment_method": null,
            "default_source": null,
            "default_tax_rates": [],
            "description": null,
            "discounts": [],
            "due_date": null,
            "effective_at": self.finalized_at,
            "ending_balance": if finalized { Some(0) } else { None },
            "footer": null,
            "from_invoice": null,
            "hosted_invoice_url": if finalized { Some(&self.hosted_invoice_url) } else { None },
            "invoice_pdf": if finalized { Some(&self.invoice_pdf) } else { None },
            "issuer": { "type": "self" },
            "last_finalization_error": null,
            "latest_revision": null,
            "lines": {
                "object": "list",
                "data": self.lines_json(),
                "has_more": false,
                "total_count": self.lines.len(),
                "url": format!("/v1/invoices/{}/lines", self.id),
            },
            "livemode": false,
            "metadata": self.metadata,
            "next_payment_attempt": self.next_payment_attempt,
            "number": self.number,
            "on_behalf_of": null,
            "parent": self.subscription.as_ref().map(|s| json!({
                "type": "subscription_details",
                "quote_details": null,
                "subscription_details": { "metadata": self.subscription_metadata, "subscription": s },
            })),
            "payment_settings": {
                "default_mandate": null, "payment_method_options": null,
                "payment_method_types": null,
            },
            "period_end": self.period_end,
            "period_start": self.period_start,
            "post_payment_credit_notes_amount": 0,
            "pre_payment_credit_notes_amount": 0,
            "receipt_number": null,
            "rendering": null,
            "shipping_cost": null,
            "shipping_details": null,
            "starting_balance": 0,
            "statement_descriptor": null,
            "status": self.status.as_str(),
            "status_transitions": {
                "finalized_at": self.finalized_at,
                "marked_uncollectible_at": self.marked_uncollectible_at,
                "paid_at": self.paid_at,
                "voided_at": self.voided_at,
            },
            "subscription": self.subscription,
            "subtotal": self.total(),
            "subtotal_excluding_tax": self.total(),
            "test_clock": self.test_clock,
            "total": self.total(),
            "total_discount_amounts": [],
            "total_excluding_tax": self.total(),
            "total_pretax_credit_amounts": [],
            "total_taxes": [],
            "webhooks_delivered_at": self.created,
        });
        if payments {
            json["payments"] = json!({
                "object": "list",
                "data": self.payments.iter().rev().map(|p| p.to_json(&self.id, &self.currency)).collect::<Vec<_>>(),
                "has_more": false,
                "url": format!("/v1/invoice_payments?invoice={}", self.id),
            });
        }
        if let Some(secret) = confirmation_secret {
            json["confirmation_secret"] =
                json!({ "client_secret": secret, "type": "payment_intent" });
        }
        json
    }
}
