//! Charges: the one a confirmation makes, succeeded or failed.

use serde_json::Value;

use serde_json::json;

use super::{Origin, Store};
use crate::cards::{self, Decline};
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::{Charge, PaymentMethod};

impl Store {
    /// The money of a succeeded charge reached the balance: its `balance_transaction` is set
    /// and `charge.updated` says so, with `previous_attributes: {balance_transaction: null}`.
    /// With asynchronous capture (Stripe's default) this follows `payment_intent.succeeded`
    /// (/payments/payment-intents/asynchronous-capture).
    pub(super) fn record_balance_transaction(&mut self, charge_id: &str, origin: &Origin) {
        let Some(charge) = self.charges.get_mut(charge_id) else {
            return;
        };
        if charge.balance_transaction.is_some() {
            return;
        }
        charge.balance_transaction = Some(new_id("txn"));
        let object = charge.to_json();
        self.emit_updated(
            "charge.updated",
            object,
            json!({ "balance_transaction": null }),
            origin,
        );
    }

    /// A charge of the intent's amount with the payment method; failed when `failure` is given.
    pub(super) fn new_charge(
        &self,
        pi_id: &str,
        pm_id: &str,
        failure: Option<Decline>,
        authenticated: bool,
    ) -> Result<Charge, ApiError> {
        let pi = self.intent(pi_id)?;
        let pm = self.payment_methods.get(pm_id);
        // Synchronous capture moves the money at once; asynchronous capture a moment later.
        let settled = failure.is_none() && pi.capture_method == "automatic";
        let number = pm.map(|pm| pm.number.as_str()).unwrap_or("");
        let risk_level = match failure {
            Some(Decline {
                blocked: Some("highest_risk_level"),
                ..
            }) => "highest",
            _ => cards::risk_level(number),
        };
        Ok(Charge {
            id: new_id("ch"),
            amount: pi.amount,
            amount_refunded: 0,
            currency: pi.currency.clone(),
            created: now(),
            payment_intent: pi.id.clone(),
            payment_method: pm_id.to_string(),
            customer: pi.customer.clone(),
            description: pi.description.clone(),
            metadata: pi.metadata.to_map(),
            receipt_email: pi.receipt_email.clone(),
            succeeded: failure.is_none(),
            failure: failure.map(Into::into),
            billing_details: pm
                .map(PaymentMethod::billing_details)
                .unwrap_or(Value::Null),
            payment_method_details: pm
                .map(|pm| pm.charge_details(authenticated))
                .unwrap_or(Value::Null),
            disputed: false,
            balance_transaction: settled.then(|| new_id("txn")),
            pending: false,
            risk_level: risk_level.to_owned(),
        })
    }
}
