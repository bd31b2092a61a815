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
    pub name: Option<String>,
    pub email: Option<String>,
    pub customer: Option<String>,
    /// A bank account instead of a card (`number` is empty then).
    #[serde(default)]
    pub sepa_debit: Option<SepaDebit>,
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
                "funding": cards::funding(&self.number),
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
        if let Some(sepa) = &self.sepa_debit {
            return sepa.charge_details();
        }
        let brand = cards::brand(&self.number);
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
                "funding": cards::funding(&self.number),
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
