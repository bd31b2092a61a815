//! A card PaymentMethod, and the card details a charge made with it shows. A SEPA Direct Debit
//! one has its bank account in `sepa_debit` (`sepa_debit.rs`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::sepa_debit::SepaDebit;
use crate::cards;

/// A card, as the shopper entered it (or a test PaymentMethod's card).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentMethod {
    pub id: String,
    pub created: i64,
    pub number: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub postal_code: Option<String>,
    /// The billing address's first line, which the address check compares.
    #[serde(default)]
    pub line1: Option<String>,
    /// A CVC was given (Stripe.js sends one; a test PaymentMethod id stands for a card
    /// tokenized with one), so the CVC check ran.
    #[serde(default = "given")]
    pub cvc_given: bool,
    pub name: Option<String>,
    pub email: Option<String>,
    pub customer: Option<String>,
    /// A bank account instead of a card (`number` is empty then).
    #[serde(default)]
    pub sepa_debit: Option<SepaDebit>,
}

fn given() -> bool {
    true
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
                "city": null, "country": null, "line1": self.line1, "line2": null,
                "postal_code": self.postal_code, "state": null,
            },
            "email": self.email,
            "name": self.name,
            "phone": null,
            "tax_id": null,
        })
    }

    /// `card.checks`: each check's result, or null when its data was not given.
    pub fn checks(&self) -> Value {
        let [cvc, line1, postal_code] = cards::check_results(
            &self.number,
            self.cvc_given,
            self.line1.is_some(),
            self.postal_code.is_some(),
        );
        json!({
            "address_line1_check": line1,
            "address_postal_code_check": postal_code,
            "cvc_check": cvc,
        })
    }

    /// The networks the card can be charged on, the co-badged one first.
    fn networks(&self) -> Value {
        let brand = cards::brand(&self.number);
        match cards::co_brand(&self.number) {
            Some(co) => json!([co, brand]),
            None => json!([brand]),
        }
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
        if let Some(sepa) = &self.sepa_debit {
            return sepa.payment_method_json(self);
        }
        let brand = cards::brand(&self.number);
        json!({
            "id": self.id,
            "object": "payment_method",
            "allow_redisplay": "unspecified",
            "billing_details": self.billing_details(),
            "card": {
                "brand": brand,
                "checks": self.checks(),
                "country": cards::country(&self.number),
                "display_brand": cards::co_brand(&self.number).unwrap_or(brand),
                "exp_month": self.exp_month,
                "exp_year": self.exp_year,
                "fingerprint": self.fingerprint(),
                "funding": cards::funding(&self.number),
                "generated_from": null,
                "last4": self.last4(),
                "networks": { "available": self.networks(), "preferred": null },
                "regulated_status": "unregulated",
                "three_d_secure_usage": { "supported": true },
                "wallet": null,
            },
            "created": self.created,
            "customer": self.customer,
            "customer_account": null,
            "livemode": false,
            "metadata": {},
            "type": "card",
        })
    }

    /// `payment_method_details` of a charge.
    pub fn charge_details(&self, authenticated: bool) -> Value {
        if let Some(sepa) = &self.sepa_debit {
            return sepa.charge_details();
        }
        let brand = cards::brand(&self.number);
        json!({
            "type": "card",
            "card": {
                "amount_authorized": null,
                "authorization_code": null,
                "brand": brand,
                "checks": self.checks(),
                "country": cards::country(&self.number),
                "electronic_commerce_indicator": null,
                "exp_month": self.exp_month,
                "exp_year": self.exp_year,
                "fingerprint": self.fingerprint(),
                "funding": cards::funding(&self.number),
                "installments": null,
                "last4": self.last4(),
                "mandate": null,
                "network": brand,
                "network_token": { "used": false },
                "network_transaction_id": null,
                "regulated_status": "unregulated",
                "three_d_secure": if authenticated {
                    json!({ "authentication_flow": "challenge", "result": "authenticated",
                            "result_reason": null, "version": "2.2.0" })
                } else { Value::Null },
                "transaction_link_id": null,
                "wallet": null,
            }
        })
    }
}
