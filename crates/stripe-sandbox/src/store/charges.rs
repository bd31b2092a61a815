//! Charges: the one a confirmation makes, succeeded or failed.

use serde_json::Value;

use super::Store;
use crate::cards::Decline;
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::{Charge, PaymentMethod};

impl Store {
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
            metadata: pi.metadata.clone(),
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
        })
    }
}
