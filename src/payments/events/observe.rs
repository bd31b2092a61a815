//! What an event says about an order's payment, as observations for the transition function.

use stripe_webhook::EventObject;

use crate::club::{self, ClubObservation};
use crate::payments::sessions::observe_session;
use crate::payments::stripe::{
    DisputeSnapshot, GatewayError, IntentSnapshot, Payments, RefundSnapshot,
};
use crate::payments::transition::Observation;

/// What an event says: about an order's payment, or about a membership.
#[derive(Debug, Clone)]
pub(super) enum Said {
    Order(Observation),
    Club(ClubObservation),
}

/// What an event says, in the order to apply it; nothing for events the shop does not act on.
/// Membership events (subscriptions, invoices, subscription-mode Checkout) are read by the
/// club; the rest are about orders.
pub(super) async fn observations_of(
    payments: &Payments,
    object: &EventObject,
) -> Result<Vec<Said>, GatewayError> {
    if let Some(club) = club::observe::observations_of(payments, object).await? {
        return Ok(club.into_iter().map(Said::Club).collect());
    }
    Ok(order_observations(payments, object)
        .await?
        .into_iter()
        .map(Said::Order)
        .collect())
}

/// What an event says about an order's payment, in the order to apply it; nothing for events
/// the shop does not act on. Intent events are checked against the intent as Stripe has it now
/// ([`current`]). Refund events also bring the intent up to date, so a refund that arrives before
/// the order knew it was paid finds it paid; `charge.refunded` names no refund, so the
/// payment's refunds are read from Stripe (an error when Stripe cannot be read).
async fn order_observations(
    payments: &Payments,
    object: &EventObject,
) -> Result<Vec<Observation>, GatewayError> {
    let intent_snapshot = |intent: &stripe_shared::PaymentIntent| IntentSnapshot::from(intent);
    Ok(match object {
        // Only names the intent, so that an order whose checkout never learned it adopts it;
        // what happened to it since comes with its own events.
        EventObject::PaymentIntentCreated(intent) => {
            vec![Observation::IntentMade(intent_snapshot(intent))]
        }
        EventObject::PaymentIntentSucceeded(intent)
        | EventObject::PaymentIntentPaymentFailed(intent)
        | EventObject::PaymentIntentCanceled(intent)
        | EventObject::PaymentIntentRequiresAction(intent)
        | EventObject::PaymentIntentProcessing(intent) => {
            vec![Observation::Intent(
                current(payments, intent_snapshot(intent)).await,
            )]
        }
        // The hosted page's outcome is its intent's: completed (paid, or a bank debit
        // submitted), a delayed payment's result, or expired.
        EventObject::CheckoutSessionCompleted(session)
        | EventObject::CheckoutSessionAsyncPaymentSucceeded(session)
        | EventObject::CheckoutSessionAsyncPaymentFailed(session)
        | EventObject::CheckoutSessionExpired(session) => {
            let session = payments
                .retrieve_checkout_session(session.id.as_str())
                .await?;
            observe_session(payments, &session)
                .await?
                .into_iter()
                .collect()
        }
        EventObject::ChargeRefunded(charge) => {
            let Some(intent) = charge.payment_intent.as_ref().map(|pi| pi.id().to_string()) else {
                return Ok(Vec::new());
            };
            let refunds = payments.refunds_of(&intent).await?;
            let mut observations = intent_now(payments, &intent).await;
            observations.push(Observation::Refunds {
                payment_intent: intent,
                refunds,
                complete: true,
            });
            observations
        }
        EventObject::RefundCreated(refund)
        | EventObject::RefundUpdated(refund)
        | EventObject::RefundFailed(refund)
        | EventObject::ChargeRefundUpdated(refund) => {
            let Some(snapshot) = RefundSnapshot::from_stripe(refund) else {
                return Ok(Vec::new());
            };
            let Some(intent) = snapshot.payment_intent.clone() else {
                return Ok(Vec::new());
            };
            let mut observations = intent_now(payments, &intent).await;
            observations.push(Observation::Refunds {
                payment_intent: intent,
                refunds: vec![snapshot],
                complete: false,
            });
            observations
        }
        EventObject::ChargeDisputeCreated(dispute)
        | EventObject::ChargeDisputeUpdated(dispute)
        | EventObject::ChargeDisputeClosed(dispute)
        | EventObject::ChargeDisputeFundsWithdrawn(dispute)
        | EventObject::ChargeDisputeFundsReinstated(dispute) => {
            let Some(snapshot) = DisputeSnapshot::from_stripe(dispute) else {
                return Ok(Vec::new());
            };
            let Some(intent) = snapshot.payment_intent.clone() else {
                return Ok(Vec::new());
            };
            let mut observations = intent_now(payments, &intent).await;
            observations.push(Observation::Disputes {
                payment_intent: intent,
                disputes: vec![snapshot],
            });
            observations
        }
        _ => Vec::new(),
    })
}

/// The intent as Stripe has it now, when Stripe can be read.
async fn intent_now(payments: &Payments, intent: &str) -> Vec<Observation> {
    match payments.retrieve_intent(intent).await {
        Ok(intent) => vec![Observation::Intent(IntentSnapshot::from(&intent))],
        Err(e) => {
            tracing::warn!(error = %e, "could not read the intent of a refund event");
            Vec::new()
        }
    }
}

/// Events arrive out of order: a `requires_action` sent before a failure can land after it.
/// An event that says the money arrived or the intent was cancelled is final and applied as it
/// is; one that says the payment is still under way is checked against the intent as Stripe
/// has it now. If Stripe cannot be asked, the event's own copy is used: the state machine still
/// guards money, and the reconciler corrects the rest.
async fn current(payments: &Payments, snapshot: IntentSnapshot) -> IntentSnapshot {
    use crate::domain::PaymentStatus::{Cancelled, Paid};
    if matches!(snapshot.order_status(), Some(Paid | Cancelled)) {
        return snapshot;
    }
    match payments.retrieve_intent(&snapshot.id).await {
        Ok(intent) => IntentSnapshot::from(&intent),
        Err(e) => {
            tracing::warn!(error = %e, "could not re-read the intent; using the event's copy");
            snapshot
        }
    }
}
