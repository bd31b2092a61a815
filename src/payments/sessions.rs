//! What a Checkout Session (Stripe's hosted page) says about its order's payment. The session's
//! PaymentIntent is what counts: it is applied like any intent, with the same checks of amount,
//! currency and `metadata[order_id]` before the order becomes paid. A session that expired
//! before Stripe made an intent gives the order up.

use stripe_shared::{CheckoutSession, CheckoutSessionStatus};

use super::stripe::{GatewayError, IntentSnapshot, Payments};
use super::transition::Observation;

/// The observation a session stands for, read from Stripe now (the intent is retrieved, never
/// taken from a payload); `None` while it is open and no payment was tried.
pub async fn observe_session(
    payments: &Payments,
    session: &CheckoutSession,
) -> Result<Option<Observation>, GatewayError> {
    if let Some(intent) = &session.payment_intent {
        let intent = payments.retrieve_intent(intent.id().as_str()).await?;
        return Ok(Some(Observation::Intent(IntentSnapshot::from(&intent))));
    }
    if session.status == Some(CheckoutSessionStatus::Expired) {
        return Ok(Some(Observation::SessionExpired {
            session_id: session.id.as_str().to_owned(),
        }));
    }
    Ok(None)
}
