//! What Stripe's subscription, invoice and subscription-mode Checkout events say about a
//! membership. Events arrive out of order and more than once, so none is taken at its word:
//! the subscription and the invoice are read from Stripe as they are now, and that is what is
//! applied (an older event then says nothing the shop does not already know).

use stripe_shared::{CheckoutSessionMode, Subscription};
use stripe_webhook::EventObject;

use super::snapshot::{InvoiceSnapshot, SubscriptionSnapshot, subscription_of};
use super::sync::ClubObservation;
use crate::payments::{GatewayError, Payments};

/// `None` for an event that is not about memberships (an order's, or one the shop ignores).
pub async fn observations_of(
    payments: &Payments,
    object: &EventObject,
) -> Result<Option<Vec<ClubObservation>>, GatewayError> {
    Ok(Some(match object {
        EventObject::CustomerSubscriptionCreated(s)
        | EventObject::CustomerSubscriptionUpdated(s)
        | EventObject::CustomerSubscriptionDeleted(s)
        | EventObject::CustomerSubscriptionPaused(s)
        | EventObject::CustomerSubscriptionResumed(s)
        | EventObject::CustomerSubscriptionPendingUpdateApplied(s)
        | EventObject::CustomerSubscriptionPendingUpdateExpired(s) => {
            subscription_now(payments, s.id.as_str()).await?
        }
        EventObject::CustomerSubscriptionTrialWillEnd(s) => {
            let mut said = subscription_now(payments, s.id.as_str()).await?;
            if let Some(ClubObservation::Subscription(snapshot)) = said.first() {
                said.push(ClubObservation::TrialEnding(snapshot.clone()));
            }
            said
        }
        EventObject::InvoiceCreated(i)
        | EventObject::InvoiceFinalized(i)
        | EventObject::InvoicePaid(i)
        | EventObject::InvoicePaymentSucceeded(i)
        | EventObject::InvoicePaymentActionRequired(i)
        | EventObject::InvoiceUpdated(i)
        | EventObject::InvoiceVoided(i)
        | EventObject::InvoiceMarkedUncollectible(i) => match &i.id {
            Some(id) if subscription_of(i).is_some() => invoice_now(payments, id.as_str()).await?,
            _ => Vec::new(),
        },
        EventObject::InvoicePaymentFailed(i) => match &i.id {
            Some(id) if subscription_of(i).is_some() => {
                let mut said = invoice_now(payments, id.as_str()).await?;
                if let Some(ClubObservation::Invoice(invoice)) = said.last() {
                    said.push(ClubObservation::PaymentFailed(invoice.clone()));
                }
                said
            }
            _ => Vec::new(),
        },
        // A subscription-mode session names its subscription once complete (Basil: it is made
        // only after the payment or the trial's card is taken).
        EventObject::CheckoutSessionCompleted(session)
            if session.mode == CheckoutSessionMode::Subscription =>
        {
            let session = payments
                .retrieve_checkout_session(session.id.as_str())
                .await?;
            match &session.subscription {
                Some(subscription) => {
                    let subscription = payments
                        .retrieve_subscription(subscription.id().as_str())
                        .await?;
                    with_latest_invoice(payments, &subscription).await?
                }
                None => Vec::new(),
            }
        }
        _ => return Ok(None),
    }))
}

/// The subscription as Stripe has it now; nothing when it is not a membership.
pub async fn subscription_now(
    payments: &Payments,
    id: &str,
) -> Result<Vec<ClubObservation>, GatewayError> {
    let subscription = payments.retrieve_subscription(id).await?;
    Ok(SubscriptionSnapshot::from_stripe(&subscription)
        .map(ClubObservation::Subscription)
        .into_iter()
        .collect())
}

/// The invoice and its subscription as Stripe has them now: the subscription first, so the
/// invoice finds its membership.
async fn invoice_now(payments: &Payments, id: &str) -> Result<Vec<ClubObservation>, GatewayError> {
    let invoice = payments.retrieve_invoice(id).await?;
    let Some(snapshot) = InvoiceSnapshot::from_stripe(&invoice) else {
        return Ok(Vec::new());
    };
    let mut said = subscription_now(payments, &snapshot.subscription_id).await?;
    if said.is_empty() {
        return Ok(said);
    }
    said.push(ClubObservation::Invoice(snapshot));
    Ok(said)
}

/// The subscription, and its latest invoice (a trial's $0 invoice, or the first payment).
pub async fn with_latest_invoice(
    payments: &Payments,
    subscription: &Subscription,
) -> Result<Vec<ClubObservation>, GatewayError> {
    let Some(snapshot) = SubscriptionSnapshot::from_stripe(subscription) else {
        return Ok(Vec::new());
    };
    let mut said = vec![ClubObservation::Subscription(snapshot)];
    if let Some(latest) = subscription
        .latest_invoice
        .as_ref()
        .and_then(|i| i.id().as_ref())
    {
        let invoice = payments.retrieve_invoice(latest.as_str()).await?;
        if let Some(invoice) = InvoiceSnapshot::from_stripe(&invoice) {
            said.push(ClubObservation::Invoice(invoice));
        }
    }
    Ok(said)
}
