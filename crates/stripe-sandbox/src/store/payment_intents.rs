//! What happens to a PaymentIntent: attaching a payment method, confirming it with a card
//! (success, decline, 3-D Secure), the shopper's answer to the 3-D Secure challenge, and
//! cancelling. Every change emits its events.

use serde_json::{Value, json};

use super::payment_methods::PaymentMethodSource;
use super::{Origin, Store};
use crate::cards::{self, AUTHENTICATION_REQUIRED, Behaviour, Decline};
use crate::error::ApiError;
use crate::ids::now;
use crate::objects::{PaymentIntent, PaymentMethod, Status};

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
    /// The type of the mandate the customer accepted (`mandate_data[customer_acceptance]`:
    /// `online` or `offline`), which a bank debit needs.
    pub mandate: Option<String>,
}

/// `last_payment_error.message` after a failed 3-D Secure authentication, with type
/// `invalid_request_error` and code `payment_intent_authentication_failure`, as the API words it
/// (/error-codes#payment-intent-authentication-failure; the same object appears in
/// stripe-android's PaymentIntent fixtures and in webhook payloads published by integrators).
/// It is written for developers: Stripe.js shows the shopper its own sentence instead
/// (`assets/stripe.js`).
pub const AUTHENTICATION_FAILURE_MESSAGE: &str = "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.";

impl Store {
    /// The intent as the caller sees it: Stripe.js (a publishable key) sees fewer fields.
    pub fn intent_view(&self, pi: &PaymentIntent, client_view: bool) -> Value {
        if client_view {
            pi.to_client_json()
        } else {
            pi.to_json()
        }
    }

    /// Keeps a new intent and emits `payment_intent.created` (the demo page, triggers).
    pub fn add_intent(&mut self, pi: PaymentIntent, origin: &Origin) {
        let json = pi.to_json();
        self.intents.insert(pi.id.clone(), Box::new(pi));
        self.emit("payment_intent.created", json, origin);
    }

    /// Attaches a payment method without confirming (create or update with `payment_method`).
    pub fn attach_payment_method(
        &mut self,
        pi_id: &str,
        source: &PaymentMethodSource,
    ) -> Result<(), ApiError> {
        let pm_id = self.resolve_payment_method(source, None)?;
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
        let pm_id = match self.resolve_payment_method(&c.source, attached.as_deref()) {
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
                return Err(self.fail_attempt(
                    pi_id,
                    None,
                    decline,
                    Some(e),
                    c.client_view,
                    origin,
                ));
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
        if self
            .payment_methods
            .get(&pm_id)
            .is_some_and(|pm| pm.sepa_debit.is_some())
        {
            self.submit_bank_debit(pi_id, &pm_id, c.mandate.as_deref(), c.client_view, origin)?;
            let pi = self.intent(pi_id)?;
            return Ok(self.intent_view(pi, c.client_view));
        }
        let number = self
            .payment_methods
            .get(&pm_id)
            .map(|pm| pm.number.clone())
            .unwrap_or_default();
        // Radar's default rules block a payment whose CVC or postal code check failed.
        let blocked = self.payment_methods.get(&pm_id).and_then(|pm| {
            cards::blocked_by_checks(&number, pm.cvc_given, pm.postal_code.is_some())
        });
        if let Some(decline) = blocked {
            return Err(self.fail_attempt(
                pi_id,
                Some(&pm_id),
                decline,
                None,
                c.client_view,
                origin,
            ));
        }
        match cards::behaviour(&number) {
            Behaviour::Succeeds => {
                self.succeed(pi_id, &pm_id, false, origin)?;
            }
            Behaviour::AuthenticateOnSession if c.off_session => {
                self.succeed(pi_id, &pm_id, false, origin)?;
            }
            Behaviour::RequiresAuthentication
            | Behaviour::AlwaysAuthenticate
            | Behaviour::AuthenticateThenDecline(_)
                if c.off_session =>
            {
                return Err(self.fail_attempt(
                    pi_id,
                    Some(&pm_id),
                    AUTHENTICATION_REQUIRED,
                    None,
                    c.client_view,
                    origin,
                ));
            }
            Behaviour::RequiresAuthentication
            | Behaviour::AlwaysAuthenticate
            | Behaviour::AuthenticateOnSession
            | Behaviour::AuthenticateThenDecline(_) => {
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
                return Err(self.fail_attempt(
                    pi_id,
                    Some(&pm_id),
                    decline,
                    None,
                    c.client_view,
                    origin,
                ));
            }
        }
        let pi = self.intent(pi_id)?;
        Ok(self.intent_view(pi, c.client_view))
    }

    /// A successful payment, in Stripe's order: the payment method saved for later if asked
    /// (`payment_method.attached`), `charge.succeeded`, `payment_intent.succeeded`, then the
    /// charge's balance transaction (`charge.updated`; /payments/payment-intents/verifying-status,
    /// /payments/payment-intents/asynchronous-capture).
    fn succeed(
        &mut self,
        pi_id: &str,
        pm_id: &str,
        authenticated: bool,
        origin: &Origin,
    ) -> Result<(), ApiError> {
        self.attach_for_future_usage(pi_id, pm_id, origin);
        let charge = self.new_charge(pi_id, pm_id, None, authenticated)?;
        let charge_id = charge.id.clone();
        let charge_json = charge.to_json();
        self.charges.insert(charge_id.clone(), charge);
        self.emit("charge.succeeded", charge_json, origin);
        let pi = self.intent_mut(pi_id)?;
        pi.status = Status::Succeeded;
        pi.amount_received = pi.amount;
        pi.latest_charge = Some(charge_id.clone());
        pi.payment_method = Some(pm_id.to_string());
        pi.last_payment_error = None;
        pi.challenge = None;
        let object = pi.to_json();
        let asynchronous = pi.capture_method == "automatic_async";
        self.emit("payment_intent.succeeded", object, origin);
        if asynchronous {
            self.record_balance_transaction(&charge_id, origin);
        }
        // Stripe's dispute test cards: the payment succeeds, then the cardholder disputes it.
        let number = self
            .payment_methods
            .get(pm_id)
            .map(|pm| pm.number.clone())
            .unwrap_or_default();
        if let Some(dispute) = cards::dispute_after_payment(&number) {
            self.open_dispute(
                Some(pi_id),
                None,
                dispute.reason,
                dispute.inquiry,
                None,
                dispute.enhanced_eligibility,
            )?;
        }
        if cards::early_fraud_warning(&number) {
            // The issuer reports the payment as fraud (/testing#disputes; /radar/early-fraud-warnings).
            let warning = json!({
                "id": crate::ids::new_id("issfr"),
                "object": "radar.early_fraud_warning",
                "actionable": true,
                "charge": charge_id,
                "created": now(),
                "fraud_type": "made_with_stolen_card",
                "livemode": false,
                "payment_intent": pi_id,
            });
            self.emit("radar.early_fraud_warning.created", warning, origin);
        }
        Ok(())
    }

    /// A failed attempt: the intent goes back to `requires_payment_method` with
    /// `last_payment_error`; the error answered is the same one, with the intent.
    fn fail_attempt(
        &mut self,
        pi_id: &str,
        pm_id: Option<&str>,
        decline: Decline,
        given: Option<ApiError>,
        client_view: bool,
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
        let view = if client_view {
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
        let number = self
            .payment_methods
            .get(&pm_id)
            .map(|pm| pm.number.clone())
            .unwrap_or_default();
        if let (true, Behaviour::AuthenticateThenDecline(decline)) =
            (authenticated, cards::behaviour(&number))
        {
            // The shopper authenticated; the issuer declines the payment all the same.
            let _ = self.fail_attempt(&pi_id, Some(&pm_id), decline, None, false, &origin);
        } else if authenticated {
            // The intent exists (checked above), so this cannot fail.
            let _ = self.succeed(&pi_id, &pm_id, true, &origin);
        } else {
            let pm_json = self.payment_methods.get(&pm_id).map(PaymentMethod::to_json);
            let mut error = ApiError::invalid(AUTHENTICATION_FAILURE_MESSAGE)
                .with_code("payment_intent_authentication_failure")
                .with_field(
                    "doc_url",
                    json!(
                        "https://stripe.com/docs/error-codes/payment-intent-authentication-failure"
                    ),
                );
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
        if self.bank_debits.contains_key(pi_id) && self.intent(pi_id)?.status == Status::Processing
        {
            // /api/payment_intents/cancel: a processing intent can be canceled only "in rare
            // cases"; a submitted SEPA debit is not one of them (the message is unconfirmed).
            let pi = self.intent(pi_id)?;
            return Err(ApiError::invalid(
                "You cannot cancel this PaymentIntent because it has a status of processing: its sepa_debit payment was already submitted to the bank.",
            )
            .with_code("payment_intent_unexpected_state")
            .with_field("payment_intent", pi.to_json()));
        }
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
}
