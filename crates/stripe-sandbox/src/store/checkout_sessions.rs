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
            return Ok((**pi).clone());
        }
        let pi = PaymentIntent {
            metadata: session.intent_metadata.clone().into(),
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

impl Store {
    /// A `subscription`-mode session paid on its hosted page with a card, as Checkout does it:
    /// the customer (made from the email typed in if the session names none:
    /// `customer.created`), the card attached (`payment_method.attached`) and made its default
    /// for invoices (`customer.updated`), the subscription with its first invoice (charged
    /// unless it is a trial), then the session complete (`checkout.session.completed`). A
    /// card refused on the way is answered as Stripe's error, the session still open; only
    /// a customer and card made before it stay.
    pub fn complete_subscription_session(
        &mut self,
        session_id: &str,
        card: &super::payment_methods::CardInput,
        email: Option<&str>,
        pages: &str,
    ) -> Result<CheckoutSession, ApiError> {
        let origin = Origin::default();
        let session = self.checkout_session(session_id)?.clone();
        let Some(data) = session.subscription_mode.clone() else {
            return Err(ApiError::invalid(
                "This Checkout Session is not in subscription mode.",
            ));
        };
        if session.status != SessionStatus::Open {
            return Err(ApiError::invalid(
                "This Checkout Session is no longer open.",
            ));
        }
        let number: String = card
            .number
            .as_deref()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // Checkout saves the card before it charges it: a card the issuer refuses outright
        // fails here; 4000 0000 0000 0341 attaches and fails only when charged.
        match crate::cards::behaviour(&number) {
            crate::cards::Behaviour::Declines(d) if number != "4000000000000341" => {
                return Err(ApiError::card(d.code, d.decline_code, d.message));
            }
            crate::cards::Behaviour::Succeeds | crate::cards::Behaviour::Declines(_) => {}
            _ => {
                return Err(ApiError::card(
                    "authentication_required",
                    Some("authentication_required"),
                    "The Stripe sandbox's subscription page does not run 3-D Secure: use a card that does not ask for it (4242 4242 4242 4242, 4000 0000 0000 0341).",
                ));
            }
        }
        let email = session
            .customer_email
            .clone()
            .or_else(|| email.map(str::to_string).filter(|e| !e.is_empty()));
        if session.customer.is_none() && email.is_none() {
            return Err(ApiError::invalid("Your email address is incomplete.").with_param("email"));
        }
        // The card is checked before anything is made.
        super::payment_methods::check_card(card)?;
        let customer = match &session.customer {
            Some(c) => c.clone(),
            None => {
                let customer = crate::objects::Customer {
                    id: crate::ids::new_id("cus"),
                    created: now(),
                    email: email.clone(),
                    name: None,
                    phone: None,
                    description: None,
                    metadata: Default::default(),
                    details: Default::default(),
                };
                let id = customer.id.clone();
                self.add_customer(customer, &origin);
                id
            }
        };
        let pm = self.add_card(card, Some(&customer), &origin)?;
        if let Some(mut c) = self.customers.get(&customer).cloned() {
            c.details.insert(
                "invoice_settings".into(),
                serde_json::json!({
                    "custom_fields": null, "default_payment_method": pm, "footer": null,
                    "rendering_options": null,
                }),
            );
            self.update_customer(c, &origin);
        }
        let at = self.customer_now(&customer);
        let trial_end = data
            .trial_end
            .or(data.trial_period_days.map(|d| at + d * 24 * 60 * 60));
        let sub_id = self.create_subscription(
            super::subscriptions::NewSubscription {
                customer: customer.clone(),
                items: session
                    .lines
                    .iter()
                    .map(|l| (l.price_id.clone(), l.quantity, Default::default()))
                    .collect(),
                trial_end,
                default_payment_method: Some(pm),
                payment_behavior: super::subscriptions::PaymentBehavior::ErrorIfIncomplete,
                metadata: data.metadata.clone(),
                description: data.description.clone(),
                cancel_at_period_end: false,
            },
            pages,
            &origin,
        )?;
        let invoice = self.subscription(&sub_id)?.latest_invoice.clone();
        let Some(s) = self.checkout_sessions.get_mut(session_id) else {
            return Err(ApiError::not_found(
                "checkout.session",
                session_id,
                "session",
            ));
        };
        s.status = SessionStatus::Complete;
        s.paid = true;
        s.customer = Some(customer);
        s.customer_email = email;
        if let Some(d) = s.subscription_mode.as_mut() {
            d.subscription = Some(sub_id);
            d.invoice = invoice;
        }
        let done = s.clone();
        self.emit("checkout.session.completed", done.to_json(None), &origin);
        Ok(done)
    }
}
