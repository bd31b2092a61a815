//! A SEPA Direct Debit PaymentMethod's details, and what a charge made with it shows
//! (/api/payment_methods/object#payment_method_object-sepa_debit,
//! /api/charges/object#charge_object-payment_method_details-sepa_debit).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::PaymentMethod;
use crate::ibans;

/// The bank account a SEPA debit comes from, and the mandate the customer accepted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SepaDebit {
    /// Normalised: no spaces, upper case.
    pub iban: String,
    /// `mandate_...`, accepted when the PaymentMethod was confirmed.
    pub mandate: String,
}

impl SepaDebit {
    fn fingerprint(&self) -> String {
        // Stable per account, never revealing it.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.iban.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    /// The PaymentMethod's `sepa_debit` hash.
    fn details(&self) -> Value {
        let (country, bank_code, branch_code, last4) = ibans::parts(&self.iban);
        json!({
            "bank_code": bank_code,
            "branch_code": branch_code,
            "country": country,
            "fingerprint": self.fingerprint(),
            "generated_from": { "charge": null, "setup_attempt": null },
            "last4": last4,
        })
    }

    /// The whole PaymentMethod (`type: sepa_debit`).
    pub fn payment_method_json(&self, pm: &PaymentMethod) -> Value {
        json!({
            "id": pm.id,
            "object": "payment_method",
            "allow_redirect": null,
            "allow_redisplay": "unspecified",
            "billing_details": pm.billing_details(),
            "created": pm.created,
            "customer": pm.customer,
            "customer_account": null,
            "livemode": false,
            "metadata": {},
            "sepa_debit": self.details(),
            "type": "sepa_debit",
        })
    }

    /// `payment_method_details` of a charge made with it.
    pub fn charge_details(&self) -> Value {
        let (country, bank_code, branch_code, last4) = ibans::parts(&self.iban);
        json!({
            "type": "sepa_debit",
            "sepa_debit": {
                "bank_code": bank_code,
                "branch_code": branch_code,
                "country": country,
                "expected_debit_date": null,
                "fingerprint": self.fingerprint(),
                "last4": last4,
                "mandate": self.mandate,
            }
        })
    }
}
