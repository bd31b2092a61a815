//! What happens to money: confirming a PaymentIntent with a card, 3-D Secure outcomes,
//! cancelling, refunding. Every state change here emits its events.

use serde_json::{Value, json};

use super::cards::{self, AUTHENTICATION_REQUIRED, Behaviour, Decline, RefundBehaviour};
use super::error::ApiError;
use super::objects::{Charge, PaymentIntent, PaymentMethod, Refund, Status};
use super::state::{Origin, Store, new_id, now};

/// Where the payment method of a confirmation comes from.
#[derive(Debug, Clone)]
pub enum PaymentMethodSource {
    /// Keep the one already on the intent.
    Attached,
    /// `payment_method=pm_...` (a stored one, or a test id such as `pm_card_visa`).
    Id(String),
    /// `payment_method_data[card][...]`, as Stripe.js sends it.
    Card(CardInput),
}

#[derive(Debug, Clone, Default)]
pub struct CardInput {
    pub number: Option<String>,
    pub exp_month: Option<String>,
    pub exp_year: Option<String>,
    pub cvc: Option<String>,
    pub postal_code: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// A confirmation attempt.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub source: PaymentMethodSource,
    pub return_url: Option<String>,
    pub off_session: bool,
    pub receipt_email: Option<String>,
    /// A fresh challenge id and the absolute URL of its page, used if 3-D Secure is needed.
    pub challenge: (String, String),
    /// The caller sees the intent as Stripe.js does (publishable key).
    pub client_view: bool,
    /// Server-side confirmation (secret key, without `use_stripe_sdk`): a `return_url` is
    /// required when automatic payment methods may redirect, as on Stripe.
    pub require_return_url: bool,
}

pub const AUTHENTICATION_FAILURE_MESSAGE: &str = "We are unable to authenticate your payment method. Please choose a different payment method and try again.";

fn current_year() -> i64 {
    i64::from(time::OffsetDateTime::now_utc().year())
}

/// Stripe's zero-decimal currencies: amounts count whole units.
pub const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

/// Stripe's three-decimal currencies: amounts count thousandths, in steps of ten.
pub const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];

/// Stripe's wording for an amount: `$20.00`, `€5.50`, `¥500`, `12.00 chf`, `5.120 kwd`.
pub fn format_amount(amount: i64, currency: &str) -> String {
    let number = if ZERO_DECIMAL.contains(&currency) {
        amount.to_string()
    } else if THREE_DECIMAL.contains(&currency) {
        format!("{}.{:03}", amount / 1000, (amount % 1000).abs())
    } else {
        format!("{}.{:02}", amount / 100, (amount % 100).abs())
    };
    match currency {
        "usd" => format!("${number}"),
        "eur" => format!("€{number}"),
        "gbp" => format!("£{number}"),
        "jpy" => format!("¥{number}"),
        other => format!("{number} {other}"),
    }
}

impl Store {
    pub fn intent(&self, id: &str) -> Result<&PaymentIntent, ApiError> {
        self.intents
            .get(id)
            .ok_or_else(|| ApiError::not_found("payment_intent", id, "intent"))
    }

    fn intent_mut(&mut self, id: &str) -> Result<&mut PaymentIntent, ApiError> {
        self.intents
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found("payment_intent", id, "intent"))
    }

    pub fn intent_view(&self, pi: &PaymentIntent, client_view: bool) -> Value {
        if client_view {
            pi.to_client_json()
        } else {
            pi.to_json()
        }
    }

    /// Turns the confirmation's payment method into a stored PaymentMethod.
    fn resolve_payment_method(
        &mut self,
        source: &PaymentMethodSource,
        attached: Option<&str>,
        customer: Option<&str>,
    ) -> Result<Option<String>, ApiError> {
        match source {
            PaymentMethodSource::Attached => Ok(attached.map(str::to_string)),
            PaymentMethodSource::Id(id) => {
                if self.payment_methods.contains_key(id) {
                    return Ok(Some(id.clone()));
                }
                let Some(number) = cards::test_payment_method(id) else {
                    return Err(ApiError::not_found("PaymentMethod", id, "payment_method"));
                };
                let pm = PaymentMethod {
                    id: new_id("pm"),
                    created: now(),
                    number: number.to_string(),
                    exp_month: 12,
                    exp_year: current_year() + 1,
                    postal_code: None,
                    name: None,
                    email: None,
                    customer: customer.map(str::to_string),
                };
                let pm_id = pm.id.clone();
                self.payment_methods.insert(pm_id.clone(), pm);
                Ok(Some(pm_id))
            }
            PaymentMethodSource::Card(card) => {
                let pm = card_payment_method(card, customer)?;
                let pm_id = pm.id.clone();
                self.payment_methods.insert(pm_id.clone(), pm);
                Ok(Some(pm_id))
            }
        }
    }

    /// Attaches a payment method without confirming (create or update with `payment_method`).
    pub fn attach_payment_method(
        &mut self,
        pi_id: &str,
        source: &PaymentMethodSource,
    ) -> Result<(), ApiError> {
        let customer = self.intent(pi_id)?.customer.clone();
        let pm_id = self.resolve_payment_method(source, None, customer.as_deref())?;
        let pi = self.intent_mut(pi_id)?;
        if let Some(pm_id) = pm_id {
            pi.payment_method = Some(pm_id);
            pi.status = Status::RequiresConfirmation;
            pi.challenge = None;
        }
        Ok(())
    }

    /// Confirms an intent. A decline is an `Err` (HTTP 402) after the intent went back to
    /// `requires_payment_method`; 3-D Secure leaves it in `requires_action`.
    pub fn confirm(&mut self, pi_id: &str, c: Confirm, origin: &Origin) -> Result<Value, ApiError> {
        let pi = self.intent(pi_id)?;
        let status = pi.status;
        if !matches!(
            status,
            Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::RequiresAction
        ) {
            let message = if status == Status::Succeeded {
                "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.".to_string()
            } else {
                format!(
                    "You cannot confirm this PaymentIntent because it has a status of {}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.",
                    status.as_str()
                )
            };
            return Err(ApiError::invalid(message)
                .with_code("payment_intent_unexpected_state")
                .with_field("payment_intent", self.intent_view(pi, c.client_view)));
        }
        let needs_return_url = c.require_return_url
            && c.return_url.is_none()
            && pi.return_url.is_none()
            && pi
                .automatic_payment_methods
                .as_deref()
                .is_some_and(|r| r != "never");
        if needs_return_url {
            return Err(ApiError::invalid(
                "This PaymentIntent is configured to accept payment methods enabled in your Dashboard. Because some of these payment methods might redirect your customer off of your page, you must provide a `return_url`. If you don't want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.",
            )
            .with_param("return_url"));
        }
        let attached = pi.payment_method.clone();
        let customer = pi.customer.clone();
        let pm_id = match self.resolve_payment_method(
            &c.source,
            attached.as_deref(),
            customer.as_deref(),
        ) {
            Ok(Some(pm_id)) => pm_id,
            Ok(None) => {
                return Err(ApiError::invalid(
                        "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
                    )
                    .with_code("payment_intent_unexpected_state")
                    .with_field("payment_intent", self.intent_view(self.intent(pi_id)?, c.client_view)));
            }
            Err(e) if e.status.as_u16() == 402 => {
                // The card was refused before reaching the network: no charge.
                let decline = Decline {
                    creates_charge: false,
                    ..cards::GENERIC_DECLINE
                };
                return Err(self.fail_attempt(pi_id, None, decline, Some(e), &c, origin));
            }
            Err(e) => return Err(e),
        };
        {
            let pi = self.intent_mut(pi_id)?;
            if let Some(url) = &c.return_url {
                pi.return_url = Some(url.clone());
            }
            if let Some(email) = &c.receipt_email {
                pi.receipt_email = Some(email.clone());
            }
        }
        let number = self
            .payment_methods
            .get(&pm_id)
            .map(|pm| pm.number.clone())
            .unwrap_or_default();
        match cards::behaviour(&number) {
            Behaviour::Succeeds => {
                self.succeed(pi_id, &pm_id, false, origin)?;
            }
            Behaviour::RequiresAuthentication | Behaviour::AlwaysAuthenticate if c.off_session => {
                return Err(self.fail_attempt(
                    pi_id,
                    Some(&pm_id),
                    AUTHENTICATION_REQUIRED,
                    None,
                    &c,
                    origin,
                ));
            }
            Behaviour::RequiresAuthentication | Behaviour::AlwaysAuthenticate => {
                let (challenge_id, url) = c.challenge.clone();
                let pi = self.intent_mut(pi_id)?;
                pi.status = Status::RequiresAction;
                pi.payment_method = Some(pm_id);
                pi.challenge = Some((challenge_id.clone(), url));
                let object = pi.to_json();
                self.challenges.insert(challenge_id, pi_id.to_string());
                self.emit("payment_intent.requires_action", object, origin);
            }
            Behaviour::Declines(decline) => {
                return Err(self.fail_attempt(pi_id, Some(&pm_id), decline, None, &c, origin));
            }
        }
        let pi = self.intent(pi_id)?;
        Ok(self.intent_view(pi, c.client_view))
    }

    /// A successful payment: a charge, then the intent `succeeded`.
    fn succeed(
        &mut self,
        pi_id: &str,
        pm_id: &str,
        authenticated: bool,
        origin: &Origin,
    ) -> Result<(), ApiError> {
        let charge = self.new_charge(pi_id, pm_id, None, authenticated)?;
        let charge_id = charge.id.clone();
        let charge_json = charge.to_json();
        self.charges.insert(charge_id.clone(), charge);
        self.emit("charge.succeeded", charge_json, origin);
        let pi = self.intent_mut(pi_id)?;
        pi.status = Status::Succeeded;
        pi.amount_received = pi.amount;
        pi.latest_charge = Some(charge_id);
        pi.payment_method = Some(pm_id.to_string());
        pi.last_payment_error = None;
        pi.challenge = None;
        let object = pi.to_json();
        self.emit("payment_intent.succeeded", object, origin);
        // Stripe's dispute test cards: the payment succeeds, then the cardholder disputes it.
        let number = self
            .payment_methods
            .get(pm_id)
            .map(|pm| pm.number.clone())
            .unwrap_or_default();
        if let Some((reason, inquiry)) = cards::dispute_after_payment(&number) {
            self.open_dispute(Some(pi_id), None, reason, inquiry, None)?;
        }
        Ok(())
    }

    fn new_charge(
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

    /// A failed attempt: the intent goes back to `requires_payment_method` with
    /// `last_payment_error`; the error answered is the same one, with the intent.
    fn fail_attempt(
        &mut self,
        pi_id: &str,
        pm_id: Option<&str>,
        decline: Decline,
        given: Option<ApiError>,
        c: &Confirm,
        origin: &Origin,
    ) -> ApiError {
        let mut error = given.unwrap_or_else(|| {
            let mut e = ApiError::card(decline.code, decline.decline_code, decline.message);
            if let Some(param) = decline.param {
                e = e.with_param(param);
            }
            e
        });
        let mut charge_id = None;
        if let Some(pm_id) = pm_id {
            if decline.creates_charge
                && let Ok(charge) = self.new_charge(pi_id, pm_id, Some(decline), false)
            {
                let json = charge.to_json();
                charge_id = Some(charge.id.clone());
                self.charges.insert(charge.id.clone(), charge);
                self.emit("charge.failed", json, origin);
            }
            if let Some(pm) = self.payment_methods.get(pm_id) {
                error = error.with_field("payment_method", pm.to_json());
            }
        }
        if let Some(id) = &charge_id {
            error = error.with_field("charge", json!(id));
        }
        let Some(pi) = self.intents.get_mut(pi_id) else {
            return error;
        };
        pi.status = Status::RequiresPaymentMethod;
        pi.payment_method = None;
        pi.challenge = None;
        if charge_id.is_some() {
            pi.latest_charge = charge_id;
        }
        pi.last_payment_error = Some(Value::Object(error.body.clone()));
        let object = pi.to_json();
        let view = if c.client_view {
            pi.to_client_json()
        } else {
            object.clone()
        };
        self.emit("payment_intent.payment_failed", object, origin);
        error.with_field("payment_intent", view)
    }

    /// The shopper's answer on the 3-D Secure page. Returns the intent id, or `None` for an
    /// unknown challenge. An answer to a challenge that is no longer open changes nothing.
    pub fn answer_challenge(&mut self, challenge_id: &str, authenticated: bool) -> Option<String> {
        let pi_id = self.challenges.get(challenge_id)?.clone();
        let pi = self.intents.get(&pi_id)?;
        let open = pi.status == Status::RequiresAction
            && pi
                .challenge
                .as_ref()
                .is_some_and(|(id, _)| id == challenge_id);
        if !open {
            return Some(pi_id);
        }
        let pm_id = pi.payment_method.clone().unwrap_or_default();
        let origin = Origin::default();
        if authenticated {
            // The intent exists (checked above), so this cannot fail.
            let _ = self.succeed(&pi_id, &pm_id, true, &origin);
        } else {
            let pm_json = self.payment_methods.get(&pm_id).map(PaymentMethod::to_json);
            let mut error = ApiError::invalid(AUTHENTICATION_FAILURE_MESSAGE)
                .with_code("payment_intent_authentication_failure");
            if let Some(pm) = pm_json {
                error = error.with_field("payment_method", pm);
            }
            if let Some(pi) = self.intents.get_mut(&pi_id) {
                pi.status = Status::RequiresPaymentMethod;
                pi.payment_method = None;
                pi.challenge = None;
                pi.last_payment_error = Some(Value::Object(error.body));
                let object = pi.to_json();
                self.emit("payment_intent.payment_failed", object, &origin);
            }
        }
        Some(pi_id)
    }

    pub fn cancel(
        &mut self,
        pi_id: &str,
        reason: Option<String>,
        origin: &Origin,
    ) -> Result<Value, ApiError> {
        let pi = self.intent_mut(pi_id)?;
        if matches!(pi.status, Status::Succeeded | Status::Canceled) {
            let message = format!(
                "You cannot cancel this PaymentIntent because it has a status of {}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.",
                pi.status.as_str()
            );
            return Err(ApiError::invalid(message)
                .with_code("payment_intent_unexpected_state")
                .with_field("payment_intent", pi.to_json()));
        }
        pi.status = Status::Canceled;
        pi.canceled_at = Some(now());
        pi.cancellation_reason = reason;
        pi.challenge = None;
        let object = pi.to_json();
        self.emit("payment_intent.canceled", object.clone(), origin);
        Ok(object)
    }

    /// Refunds a charge (given directly or as a PaymentIntent's latest charge); the amount
    /// defaults to what remains.
    pub fn refund(
        &mut self,
        payment_intent: Option<&str>,
        charge: Option<&str>,
        amount: Option<i64>,
        reason: Option<String>,
        metadata: std::collections::BTreeMap<String, String>,
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
}

impl Store {
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
        let kind = if outcome == "failed" {
            "refund.failed"
        } else {
            "refund.updated"
        };
        self.emit(kind, refund.to_json(), &Origin::default());
        Ok(refund)
    }
}

/// Validates raw card data as Stripe does when it creates a card PaymentMethod.
fn card_payment_method(
    card: &CardInput,
    customer: Option<&str>,
) -> Result<PaymentMethod, ApiError> {
    let number: String = card
        .number
        .as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if number.is_empty() {
        return Err(ApiError::missing_parameter(
            "payment_method_data[card][number]",
        ));
    }
    if !cards::luhn_valid(&number) {
        return Err(
            ApiError::card("incorrect_number", None, "Your card number is incorrect.")
                .with_param("number"),
        );
    }
    let exp_month = card
        .exp_month
        .as_deref()
        .and_then(|m| m.trim().parse::<i64>().ok())
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(|| {
            ApiError::card(
                "invalid_expiry_month",
                None,
                "Your card's expiration month is invalid.",
            )
            .with_param("exp_month")
        })?;
    let mut exp_year = card
        .exp_year
        .as_deref()
        .and_then(|y| y.trim().parse::<i64>().ok())
        .ok_or_else(|| {
            ApiError::card(
                "invalid_expiry_year",
                None,
                "Your card's expiration year is invalid.",
            )
            .with_param("exp_year")
        })?;
    if exp_year < 100 {
        exp_year += 2000;
    }
    let today = time::OffsetDateTime::now_utc();
    let this_year = i64::from(today.year());
    let this_month = i64::from(u8::from(today.month()));
    if exp_year < this_year || (exp_year == this_year && exp_month < this_month) {
        return Err(ApiError::card(
            "invalid_expiry_year",
            None,
            "Your card's expiration year is in the past.",
        )
        .with_param("exp_year"));
    }
    if let Some(cvc) = card.cvc.as_deref()
        && (!(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(
            ApiError::card("invalid_cvc", None, "Your card's security code is invalid.")
                .with_param("cvc"),
        );
    }
    Ok(PaymentMethod {
        id: new_id("pm"),
        created: now(),
        number,
        exp_month,
        exp_year,
        postal_code: card.postal_code.clone().filter(|z| !z.is_empty()),
        name: card.name.clone(),
        email: card.email.clone(),
        customer: customer.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::format_amount;

    #[test]
    fn amounts_are_worded_as_stripe_words_them() {
        assert_eq!(format_amount(2500, "usd"), "$25.00");
        assert_eq!(format_amount(2145, "eur"), "€21.45");
        assert_eq!(format_amount(500, "jpy"), "¥500");
        assert_eq!(format_amount(1205, "chf"), "12.05 chf");
        assert_eq!(format_amount(5120, "kwd"), "5.120 kwd");
    }
}
