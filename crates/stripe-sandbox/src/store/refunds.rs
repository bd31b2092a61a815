//! Refunds: made through the API or "in the Dashboard" (a test control), and what happens to
//! them later (pending then succeeded, succeeded then failed), as each card's refunds behave.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Origin, Store};
use crate::cards::{self, RefundBehaviour};
use crate::currency::{THREE_DECIMAL, format_amount};
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::{Charge, Refund, Status};

impl Store {
    /// Refunds a charge (given directly or as a PaymentIntent's latest charge); the amount
    /// defaults to what remains.
    pub fn refund(
        &mut self,
        payment_intent: Option<&str>,
        charge: Option<&str>,
        amount: Option<i64>,
        reason: Option<String>,
        metadata: BTreeMap<String, String>,
        origin: &Origin,
    ) -> Result<Refund, ApiError> {
        let charge_id = match (payment_intent, charge) {
            (_, Some(ch)) => {
                let c = self
                    .charges
                    .get(ch)
                    .ok_or_else(|| ApiError::not_found("charge", ch, "charge"))?;
                if let Some(pi) = payment_intent
                    && c.payment_intent != pi
                {
                    return Err(ApiError::invalid(format!(
                        "The charge {ch} does not belong to the PaymentIntent {pi}."
                    ))
                    .with_param("charge"));
                }
                ch.to_string()
            }
            (Some(pi_id), None) => {
                let pi = self.intents.get(pi_id).ok_or_else(|| {
                    ApiError::not_found("payment_intent", pi_id, "payment_intent")
                })?;
                match (&pi.status, &pi.latest_charge) {
                    (Status::Succeeded, Some(ch)) => ch.clone(),
                    _ => {
                        return Err(ApiError::invalid(format!(
                            "This PaymentIntent ({pi_id}) does not have a successful charge to refund."
                        ))
                        .with_param("payment_intent"));
                    }
                }
            }
            (None, None) => {
                return Err(ApiError::param_error(
                    "One of the following params should be provided for this request: charge or payment_intent.",
                    "charge",
                    None,
                ));
            }
        };
        let charge = self
            .charges
            .get(&charge_id)
            .ok_or_else(|| ApiError::not_found("charge", &charge_id, "charge"))?;
        if !charge.succeeded {
            return Err(ApiError::invalid(format!(
                "Charge {charge_id} has failed and cannot be refunded."
            ))
            .with_param("charge"));
        }
        if self.open_chargeback(&charge_id).is_some() {
            return Err(ApiError::invalid(format!(
                "Charge {charge_id} has been charged back; cannot issue a refund."
            ))
            .with_code("charge_disputed"));
        }
        let remaining = self.refundable(charge);
        if remaining <= 0 {
            return Err(ApiError::invalid(format!(
                "Charge {charge_id} has already been refunded."
            ))
            .with_code("charge_already_refunded"));
        }
        let amount = amount.unwrap_or(remaining);
        if THREE_DECIMAL.contains(&charge.currency.as_str()) && amount % 10 != 0 {
            return Err(ApiError::param_error(
                format!(
                    "Invalid amount: {} amounts must end in 0. See https://stripe.com/docs/currencies#three-decimal.",
                    charge.currency
                ),
                "amount",
                None,
            ));
        }
        if amount <= 0 {
            return Err(ApiError::param_error(
                "Invalid positive integer",
                "amount",
                None,
            ));
        }
        if amount > remaining {
            let message = if charge.amount_refunded == 0 {
                format!(
                    "Refund amount ({}) is greater than charge amount ({})",
                    format_amount(amount, &charge.currency),
                    format_amount(charge.amount, &charge.currency)
                )
            } else {
                format!(
                    "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                    format_amount(amount, &charge.currency),
                    format_amount(remaining, &charge.currency)
                )
            };
            return Err(ApiError::invalid(message)
                .with_code("amount_too_large")
                .with_param("amount"));
        }
        let number = self
            .payment_methods
            .get(&charge.payment_method)
            .map(|pm| pm.number.as_str())
            .unwrap_or_default();
        let (status, later) = match cards::refund_behaviour(number) {
            RefundBehaviour::Succeeds => ("succeeded", None),
            RefundBehaviour::PendingThenSucceeds => ("pending", Some("succeeded".to_owned())),
            RefundBehaviour::SucceedsThenFails => ("succeeded", Some("failed".to_owned())),
        };
        let refund = Refund {
            id: new_id("re"),
            amount,
            charge: charge_id.clone(),
            payment_intent: charge.payment_intent.clone(),
            currency: charge.currency.clone(),
            created: now(),
            reason,
            metadata,
            customer: charge.customer.clone(),
            payment_method: Some(charge.payment_method.clone()),
            status: status.to_owned(),
            failure_reason: None,
            failure_balance_transaction: None,
            later,
        };
        let charge_json = match self.charges.get_mut(&charge_id) {
            Some(c) => {
                c.amount_refunded += amount;
                c.to_json()
            }
            None => Value::Null,
        };
        self.refunds.insert(refund.id.clone(), refund.clone());
        self.charge_refunds
            .entry(charge_id)
            .or_default()
            .push(refund.id.clone());
        self.emit("charge.refunded", charge_json, origin);
        self.emit("refund.created", refund.to_json(), origin);
        Ok(refund)
    }

    /// What happens to a refund later, as on Stripe: a `pending` refund succeeds
    /// (`refund.updated`) or fails, a `succeeded` one can still fail (`refund.failed`); a failed
    /// refund's amount is no longer refunded on its charge. `outcome` defaults to what the
    /// refund's card does (4000 0000 0000 7726 succeeds, 4000 0000 0000 5126 fails).
    pub fn settle_refund(
        &mut self,
        id: &str,
        outcome: Option<&str>,
        failure_reason: Option<&str>,
    ) -> Result<Refund, ApiError> {
        let refund = self
            .refunds
            .get(id)
            .ok_or_else(|| ApiError::not_found("refund", id, "refund"))?;
        let outcome = outcome
            .map(str::to_owned)
            .or_else(|| refund.later.clone())
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "Refund {id} is {} and nothing further happens to it.",
                    refund.status
                ))
            })?;
        let outcome = outcome.as_str();
        let allowed = matches!(
            (refund.status.as_str(), outcome),
            ("pending" | "requires_action", "succeeded" | "failed") | ("succeeded", "failed")
        );
        if !allowed {
            return Err(ApiError::invalid(format!(
                "Refund {id} is {} and cannot become {outcome}.",
                refund.status
            )));
        }
        let (charge_id, amount) = (refund.charge.clone(), refund.amount);
        if outcome == "failed"
            && let Some(charge) = self.charges.get_mut(&charge_id)
        {
            charge.amount_refunded = (charge.amount_refunded - amount).max(0);
        }
        let Some(refund) = self.refunds.get_mut(id) else {
            return Err(ApiError::not_found("refund", id, "refund"));
        };
        let before = refund.to_json();
        refund.status = outcome.to_owned();
        refund.later = None;
        if outcome == "failed" {
            refund.failure_reason = Some(
                failure_reason
                    .unwrap_or("expired_or_canceled_card")
                    .to_owned(),
            );
            refund.failure_balance_transaction = Some(new_id("txn"));
        }
        let refund = refund.clone();
        if outcome == "failed" {
            self.emit("refund.failed", refund.to_json(), &Origin::default());
        } else {
            let previous = super::changed_fields(&before, &refund.to_json());
            self.emit_updated(
                "refund.updated",
                refund.to_json(),
                previous,
                &Origin::default(),
            );
        }
        Ok(refund)
    }

    /// Amount of a charge not yet refunded.
    fn refundable(&self, charge: &Charge) -> i64 {
        if charge.succeeded {
            charge.amount - charge.amount_refunded
        } else {
            0
        }
    }
}
