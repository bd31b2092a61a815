//! SEPA Direct Debit, a delayed payment method (/payments/sepa-debit/accept-a-payment): a
//! confirmed debit leaves the PaymentIntent `processing` with a pending charge
//! (`charge.pending`, `payment_intent.processing`); later it succeeds (`charge.succeeded`,
//! `payment_intent.succeeded`) or fails (`charge.failed`, `payment_intent.payment_failed`, the
//! intent back to `requires_payment_method`), as the account's test IBAN says (`ibans.rs`).
//! The settlement task (`settlement.rs`) settles each debit when it is due; a test control
//! settles one at once or changes how long debits take.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Origin, Store};
use crate::error::ApiError;
use crate::ibans::{self, Settlement};
use crate::ids::{new_id, now, now_ms};
use crate::objects::{Charge, PaymentIntent, PaymentMethod, SepaDebit, Status};

/// The payment method types a PaymentIntent with automatic payment methods offers: cards, and
/// SEPA Direct Debit for euros (its only currency; /payments/sepa-debit#compatibility).
pub fn automatic_types(currency: &str) -> Vec<String> {
    let mut types = vec!["card".to_string()];
    if currency == "eur" {
        types.push("sepa_debit".to_string());
    }
    types
}

/// The payment method types the sandbox simulates, for `payment_method_types`.
pub const SIMULATED_TYPES: &[&str] = &["card", "sepa_debit"];

/// `payment_method_types` that name a method the currency does not support.
pub fn check_currency(types: &[String], currency: &str) -> Result<(), ApiError> {
    if types.iter().any(|t| t == "sepa_debit") && currency != "eur" {
        // The message is unconfirmed; Stripe refuses SEPA Direct Debit in other currencies.
        return Err(ApiError::param_error(
            format!(
                "The currency provided ({currency}) is invalid for one or more payment method types on this PaymentIntent. The payment method type sepa_debit supports only these currencies: eur."
            ),
            "payment_method_types",
            None,
        ));
    }
    Ok(())
}

/// A SEPA debit as the customer gave it (`payment_method_data[sepa_debit][iban]` and the
/// billing details, which SEPA requires), not yet checked.
#[derive(Debug, Clone, Default)]
pub struct SepaInput {
    pub iban: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// Validates a SEPA debit's data as Stripe does when it creates the PaymentMethod.
pub fn sepa_payment_method(input: &SepaInput) -> Result<PaymentMethod, ApiError> {
    let raw = input
        .iban
        .as_deref()
        .filter(|i| !i.trim().is_empty())
        .ok_or_else(|| ApiError::missing_parameter("payment_method_data[sepa_debit][iban]"))?;
    let iban = ibans::normalise(raw).ok_or_else(|| {
        // /error-codes#invalid-bank-account-iban; the message is unconfirmed.
        ApiError::param_error(
            "The IBAN you provided appears to be invalid.",
            "payment_method_data[sepa_debit][iban]",
            Some("invalid_bank_account_iban"),
        )
    })?;
    // /payments/sepa-debit/accept-a-payment: SEPA Direct Debit requires the account holder's
    // name and email.
    let name = input
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::missing_parameter("payment_method_data[billing_details][name]"))?;
    let email = input
        .email
        .clone()
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| {
            ApiError::missing_parameter("payment_method_data[billing_details][email]")
        })?;
    Ok(PaymentMethod {
        id: new_id("pm"),
        created: now(),
        number: String::new(),
        exp_month: 0,
        exp_year: 0,
        postal_code: None,
        line1: None,
        cvc_given: false,
        name: Some(name),
        email: Some(email),
        customer: None,
        sepa_debit: Some(SepaDebit {
            iban,
            mandate: new_id("mandate"),
        }),
    })
}

/// A debit on its way: when it settles.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingDebit {
    pub charge: String,
    /// Unix time in milliseconds.
    pub due_ms: i64,
}

/// How long debits take to settle (test control).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DebitDelays {
    /// Stripe's test IBANs that settle "immediately" (within moments in test mode).
    pub immediate: Duration,
    /// Those that settle "after at least 3 minutes".
    pub delayed: Duration,
}

impl Default for DebitDelays {
    fn default() -> Self {
        Self {
            immediate: Duration::from_secs(5),
            delayed: Duration::from_secs(3 * 60),
        }
    }
}

fn now_ms_i64() -> i64 {
    i64::try_from(now_ms()).unwrap_or(i64::MAX)
}

impl Store {
    /// The intent is confirmed with a SEPA debit: a pending charge, the intent `processing`,
    /// and the debit queued to settle. `mandate` is the accepted mandate's type (`online` or
    /// `offline`); without one Stripe refuses a SEPA debit.
    pub(super) fn submit_bank_debit(
        &mut self,
        pi_id: &str,
        pm_id: &str,
        mandate: Option<&str>,
        client_view: bool,
        origin: &Origin,
    ) -> Result<(), ApiError> {
        let pi = self.intent(pi_id)?;
        if !pi.payment_method_types.iter().any(|t| t == "sepa_debit") {
            return Err(ApiError::invalid(format!(
                "The PaymentMethod provided (sepa_debit) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: {}. Alternatively, update the allowed payment_method_types for this PaymentIntent to include \"sepa_debit\".",
                pi.payment_method_types.join(", ")
            ))
            .with_code("payment_intent_incompatible_payment_method")
            .with_field("payment_intent", self.intent_view(pi, client_view)));
        }
        if mandate.is_none() {
            // /payments/sepa-debit/accept-a-payment: a SEPA debit needs the customer's
            // acceptance of the mandate (Stripe.js sends it; the message is unconfirmed).
            return Err(ApiError::param_error(
                "A mandate is required to confirm a PaymentIntent with a sepa_debit PaymentMethod: provide mandate_data[customer_acceptance].",
                "mandate_data",
                Some("parameter_missing"),
            ));
        }
        self.attach_for_future_usage(pi_id, pm_id, origin);
        let delayed = self
            .payment_methods
            .get(pm_id)
            .and_then(|pm| pm.sepa_debit.as_ref())
            .is_some_and(|s| ibans::test_iban(&s.iban).delayed);
        let charge = self.pending_charge(pi_id, pm_id)?;
        let charge_id = charge.id.clone();
        let charge_json = charge.to_json();
        self.charges.insert(charge_id.clone(), charge);
        self.emit("charge.pending", charge_json, origin);
        let pi = self.intent_mut(pi_id)?;
        pi.status = Status::Processing;
        pi.payment_method = Some(pm_id.to_string());
        pi.latest_charge = Some(charge_id.clone());
        pi.last_payment_error = None;
        pi.challenge = None;
        let object = pi.to_json();
        self.emit("payment_intent.processing", object, origin);
        let wait = if delayed {
            self.debit_delays.delayed
        } else {
            self.debit_delays.immediate
        };
        let due_ms = now_ms_i64().saturating_add(i64::try_from(wait.as_millis()).unwrap_or(0));
        self.bank_debits.insert(
            pi_id.to_string(),
            PendingDebit {
                charge: charge_id,
                due_ms,
            },
        );
        Ok(())
    }

    /// A SEPA debit's charge: id `py_...` as Stripe gives charges of non-card payments,
    /// `pending` until it settles.
    fn pending_charge(&self, pi_id: &str, pm_id: &str) -> Result<Charge, ApiError> {
        let pi = self.intent(pi_id)?;
        let pm = self.payment_methods.get(pm_id);
        Ok(Charge {
            id: new_id("py"),
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
            succeeded: false,
            failure: None,
            billing_details: pm
                .map(PaymentMethod::billing_details)
                .unwrap_or(Value::Null),
            payment_method_details: pm.map(|pm| pm.charge_details(false)).unwrap_or(Value::Null),
            disputed: false,
            balance_transaction: None,
            pending: true,
            risk_level: "normal".to_owned(),
        })
    }

    /// The intents whose debit is due now.
    pub fn due_bank_debits(&self) -> Vec<String> {
        let now = now_ms_i64();
        self.bank_debits
            .iter()
            .filter(|(_, d)| d.due_ms <= now)
            .map(|(pi, _)| pi.clone())
            .collect()
    }

    /// Settles the intent's debit now, as its IBAN says. An intent whose debit is not pending
    /// (settled already, or the intent was cancelled meanwhile) is left as it is.
    pub fn settle_bank_debit(&mut self, pi_id: &str) -> Result<PaymentIntent, ApiError> {
        let debit = self.bank_debits.remove(pi_id).ok_or_else(|| {
            ApiError::invalid(format!(
                "PaymentIntent {pi_id} has no bank debit waiting to settle."
            ))
        })?;
        if self.intent(pi_id)?.status != Status::Processing {
            return Ok(self.intent(pi_id)?.clone());
        }
        let origin = Origin::default();
        let settlement = self
            .charges
            .get(&debit.charge)
            .and_then(|c| self.payment_methods.get(&c.payment_method))
            .and_then(|pm| pm.sepa_debit.as_ref())
            .map_or(Settlement::Succeeds, |s| {
                ibans::test_iban(&s.iban).settlement
            });
        match settlement {
            Settlement::Succeeds | Settlement::SucceedsThenDisputed => {
                let Some(charge) = self.charges.get_mut(&debit.charge) else {
                    return Err(ApiError::not_found("charge", &debit.charge, "charge"));
                };
                charge.pending = false;
                charge.succeeded = true;
                charge.balance_transaction = Some(new_id("txn"));
                let json = charge.to_json();
                self.emit("charge.succeeded", json, &origin);
                let pi = self.intent_mut(pi_id)?;
                pi.status = Status::Succeeded;
                pi.amount_received = pi.amount;
                let object = pi.to_json();
                self.emit("payment_intent.succeeded", object, &origin);
                if settlement == Settlement::SucceedsThenDisputed {
                    self.open_dispute(Some(pi_id), None, "general", false, None, None)?;
                }
            }
            Settlement::Fails(failure) => {
                let Some(charge) = self.charges.get_mut(&debit.charge) else {
                    return Err(ApiError::not_found("charge", &debit.charge, "charge"));
                };
                charge.pending = false;
                charge.failure = Some(crate::objects::ChargeFailure {
                    code: failure.code.to_owned(),
                    decline_code: None,
                    message: failure.message.to_owned(),
                    blocked: None,
                });
                let pm_id = charge.payment_method.clone();
                let json = charge.to_json();
                self.emit("charge.failed", json, &origin);
                // As a real failed SEPA payment reports it: a `card_error` whose code is the
                // failure's, with the PaymentMethod (unconfirmed for the test IBANs).
                let mut error = ApiError::card(failure.code, None, failure.message);
                if let Some(pm) = self.payment_methods.get(&pm_id) {
                    error = error.with_field("payment_method", pm.to_json());
                }
                let pi = self.intent_mut(pi_id)?;
                pi.status = Status::RequiresPaymentMethod;
                pi.payment_method = None;
                pi.last_payment_error = Some(Value::Object(error.body));
                let object = pi.to_json();
                self.emit("payment_intent.payment_failed", object, &origin);
            }
        }
        Ok(self.intent(pi_id)?.clone())
    }
}

/// What `GET _controls` shows of the debits.
pub fn overview(store: &Store) -> Value {
    let pending: BTreeMap<&String, i64> = store
        .bank_debits
        .iter()
        .map(|(pi, d)| (pi, d.due_ms))
        .collect();
    serde_json::json!({
        "settle_ms": store.debit_delays.immediate.as_millis() as u64,
        "delayed_settle_ms": store.debit_delays.delayed.as_millis() as u64,
        "pending": pending,
    })
}
