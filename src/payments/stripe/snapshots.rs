//! What Stripe says of a payment, reduced to plain values the shop decides on: an intent, a
//! refund, a dispute. The client returns them; the transition function and the refund and
//! dispute records take them.

use stripe_shared::{PaymentIntent, PaymentIntentStatus};

use crate::domain::{Currency, DisputeStatus, PaymentStatus, RefundStatus};

/// What Stripe says of an order's PaymentIntent, reduced to what the shop decides on.
#[derive(Debug, Clone)]
pub struct IntentSnapshot {
    pub id: String,
    pub status: PaymentIntentStatus,
    pub amount: i64,
    pub amount_received: i64,
    pub currency: String,
    /// `metadata[order_id]`, set by checkout.
    pub order_id: Option<String>,
    /// Stripe's message for the last failed attempt: safe to show to the shopper.
    pub error: Option<String>,
}

impl From<&PaymentIntent> for IntentSnapshot {
    fn from(intent: &PaymentIntent) -> Self {
        Self {
            id: intent.id.as_str().to_owned(),
            status: intent.status.clone(),
            amount: intent.amount,
            amount_received: intent.amount_received,
            currency: intent.currency.to_string(),
            order_id: intent.metadata.get("order_id").cloned(),
            error: intent
                .last_payment_error
                .as_deref()
                .and_then(shopper_message),
        }
    }
}

/// What the shopper is told of a failed attempt: Stripe's message, except for a failed 3-D
/// Secure authentication, which the API words for developers ("The provided PaymentMethod has
/// failed authentication...") and Stripe.js words for shoppers, as here.
fn shopper_message(error: &stripe_shared::ApiErrors) -> Option<String> {
    if error
        .code
        .as_ref()
        .is_some_and(|c| c.as_str() == "payment_intent_authentication_failure")
    {
        return Some(
            "We are unable to authenticate your payment method. Please choose a different payment method and try again."
                .into(),
        );
    }
    error.message.clone()
}

impl IntentSnapshot {
    /// The order status this intent stands for; `None` for statuses the shop does not use.
    pub fn order_status(&self) -> Option<PaymentStatus> {
        Some(match self.status {
            PaymentIntentStatus::Succeeded => PaymentStatus::Paid,
            PaymentIntentStatus::RequiresAction => PaymentStatus::RequiresAction,
            PaymentIntentStatus::Canceled => PaymentStatus::Cancelled,
            PaymentIntentStatus::RequiresPaymentMethod if self.error.is_some() => {
                PaymentStatus::Failed
            }
            PaymentIntentStatus::RequiresPaymentMethod
            | PaymentIntentStatus::RequiresConfirmation
            | PaymentIntentStatus::Processing => PaymentStatus::Pending,
            _ => return None,
        })
    }
}

/// One refund as Stripe reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundSnapshot {
    pub id: String,
    pub payment_intent: Option<String>,
    pub amount: i64,
    pub currency: Currency,
    pub status: RefundStatus,
    pub failure_reason: Option<String>,
}

impl RefundSnapshot {
    /// `None` for a refund whose status (or currency) the shop does not know (a newer API
    /// version).
    pub fn from_stripe(refund: &stripe_shared::Refund) -> Option<Self> {
        let status = refund.status.as_deref()?.parse().ok()?;
        Some(Self {
            id: refund.id.as_str().to_owned(),
            payment_intent: refund
                .payment_intent
                .as_ref()
                .map(|pi| pi.id().as_str().to_owned()),
            amount: refund.amount,
            currency: Currency::parse(&refund.currency.to_string()).ok()?,
            status,
            failure_reason: refund.failure_reason.clone(),
        })
    }
}

/// One dispute as Stripe reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeSnapshot {
    pub id: String,
    pub payment_intent: Option<String>,
    pub amount: i64,
    pub currency: Currency,
    pub reason: String,
    pub status: DisputeStatus,
}

impl DisputeSnapshot {
    /// `None` for a dispute whose status the shop does not know (a newer API version).
    pub fn from_stripe(dispute: &stripe_shared::Dispute) -> Option<Self> {
        Some(Self {
            id: dispute.id.as_str().to_owned(),
            payment_intent: dispute
                .payment_intent
                .as_ref()
                .map(|pi| pi.id().as_str().to_owned()),
            amount: dispute.amount,
            currency: Currency::parse(&dispute.currency.to_string()).ok()?,
            reason: dispute.reason.clone(),
            status: dispute.status.as_str().parse().ok()?,
        })
    }
}
