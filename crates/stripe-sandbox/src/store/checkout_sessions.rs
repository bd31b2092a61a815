//! What happens to a Checkout Session: the hosted page makes its PaymentIntent, the intent's
//! outcome completes the session (`checkout.session.completed`, then for a delayed method
//! `checkout.session.async_payment_succeeded` or `_failed`), and an open session expires at
//! `expires_at` or when asked (`checkout.session.expired`, its intent canceled).

use serde_json::Value;

use super::{Origin, Store};
use crate::error::ApiError;
use crate::ids::now;
use crate::objects::{CheckoutSession, PaymentIntent, SessionStatus, Status};

impl Store {
    pub fn checkout_session(&self, id: &str) -> Result<&CheckoutSession, ApiError> {
        self.checkout_sessions
            .get(id)
            .ok_or_else(|| ApiError::not_found("checkout.session", id, "session"))
    }

    /// The session's JSON, with its line items when `expand[]=line_items` asked for them.
    pub fn session_json(&self, session: &CheckoutSession, expand_lines: bool) -> Value {
        let lines = expand_lines.then(|| {
            serde_json::json!({
                "object": "list",
                "data": session.lines.iter().map(|l| l.to_json()).collect::<Vec<_>>(),
                "has_more": false,
                "url": format!("/v1/checkout/sessions/{}/line_items", session.id),
            })
        });
        session.to_json(lines)
    }

    /// The intent the hosted page confirms: made when the page first needs it (Stripe makes it
    /// when the shopper pays), with `payment_intent_data` and the session's customer.
    pub fn session_intent(&mut self, session_id: &str) -> Result<PaymentIntent, ApiError> {
        let session = self.checkout_session(session_id)?.clone();
        if let Some(pi) = session
            .payment_intent
            .as_deref()
            .and_then(|id| self.intents.get(id))
        {
            return Ok(pi.clone());
        }
        let pi = PaymentIntent {
            metadata: session.intent_metadata.clone(),
            description: session.intent_description.clone(),
            customer: session.customer.clone(),
            automatic_payment_methods: None,
            payment_method_types: session.payment_method_types.clone(),
            ..PaymentIntent::new(session.amount_total(), session.currency.clone())
        };
        if let Some(s) = self.checkout_sessions.get_mut(session_id) {
            s.payment_intent = Some(pi.id.clone());
        }
        self.add_intent(pi.clone(), &Origin::default());
        Ok(pi)
    }

    /// Whether an intent belongs to a Checkout Session (Stripe refuses to cancel those).
    pub fn session_of_intent(&self, pi_id: &str) -> Option<String> {
        self.checkout_sessions
            .values()
            .find(|s| s.payment_intent.as_deref() == Some(pi_id))
            .map(|s| s.id.clone())
    }

    /// Follows a session's intent after each of its events, in Stripe's order: the session
    /// completes after `payment_intent.succeeded` (paid) or `.processing` (unpaid, a bank
    /// debit); a completed unpaid session then learns the debit's outcome.
    pub(super) fn follow_session_intent(&mut self, type_: &str, object: &Value) {
        let Some(pi_id) = object.get("id").and_then(Value::as_str) else {
            return;
        };
        let Some(session_id) = self.session_of_intent(pi_id) else {
            return;
        };
        let Some(session) = self.checkout_sessions.get_mut(&session_id) else {
            return;
        };
        let follow_up = match (session.status, type_) {
            (SessionStatus::Open, "payment_intent.succeeded") => {
                session.status = SessionStatus::Complete;
                session.paid = true;
                "checkout.session.completed"
            }
            (SessionStatus::Open, "payment_intent.processing") => {
                session.status = SessionStatus::Complete;
                "checkout.session.completed"
            }
            (SessionStatus::Complete, "payment_intent.succeeded") if !session.paid => {
                session.paid = true;
                "checkout.session.async_payment_succeeded"
            }
            (SessionStatus::Complete, "payment_intent.payment_failed") if !session.paid => {
                "checkout.session.async_payment_failed"
            }
            _ => return,
        };
        if session.customer_email.is_none() {
            session.customer_email = self
                .intents
                .get(pi_id)
                .and_then(|pi| pi.receipt_email.clone());
        }
        let json = session.to_json(None);
        self.emit(follow_up, json, &Origin::default());
    }

    /// Expires an open session (`POST .../expire`, or its `expires_at` passed): its intent, if
    /// the page made one and it is not paid, is canceled first.
    pub fn expire_session(
        &mut self,
        session_id: &str,
        origin: &Origin,
    ) -> Result<CheckoutSession, ApiError> {
        let session = self.checkout_session(session_id)?.clone();
        if session.status != SessionStatus::Open {
            return Err(ApiError::invalid(format!(
                "Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{}\".",
                session.status.as_str()
            ))
            .with_code("checkout_session_unexpected_state"));
        }
        if let Some(pi_id) = &session.payment_intent {
            let status = self.intent(pi_id).map(|pi| pi.status);
            match status {
                // A payment in flight finishes the session instead.
                Ok(Status::Succeeded | Status::Processing) => {
                    return Err(ApiError::invalid(
                        "This Checkout Session's payment is already complete or processing and the session can no longer be expired.",
                    )
                    .with_code("checkout_session_unexpected_state"));
                }
                Ok(Status::Canceled) | Err(_) => {}
                Ok(_) => {
                    if let Some(pi) = self.intents.get_mut(pi_id) {
                        pi.status = Status::Canceled;
                        pi.canceled_at = Some(now());
                        pi.cancellation_reason = Some("abandoned".into());
                        pi.challenge = None;
                        let json = pi.to_json();
                        self.emit("payment_intent.canceled", json, origin);
                    }
                }
            }
        }
        let Some(s) = self.checkout_sessions.get_mut(session_id) else {
            return Err(ApiError::not_found(
                "checkout.session",
                session_id,
                "session",
            ));
        };
        s.status = SessionStatus::Expired;
        let expired = s.clone();
        self.emit("checkout.session.expired", expired.to_json(None), origin);
        Ok(expired)
    }

    /// Open sessions whose `expires_at` passed.
    pub fn due_checkout_sessions(&self) -> Vec<String> {
        let now = now();
        self.checkout_sessions
            .values()
            .filter(|s| s.status == SessionStatus::Open && s.expires_at <= now)
            .map(|s| s.id.clone())
            .collect()
    }
}
