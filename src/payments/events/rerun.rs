//! Runs a failed event again.
//!
//! Its payload was verified when it arrived, so it is parsed again from storage and goes
//! through the same path as a live delivery: that recovers events whose processing failed (the
//! database was down, a bug since fixed). When async-stripe still cannot read the payload (an
//! API version it does not know), the event cannot tell the shop anything, so its order's
//! PaymentIntent and refunds are read again from Stripe, as the reconciler would, and applied
//! through the transition function. Either way nothing but the transition function changes
//! the order.

use diesel_async::AsyncConnection;
use diesel_async::scoped_futures::ScopedFutureExt;
use stripe_webhook::Webhook;

use super::observe::observations_of;
use super::outcome::Outcome;
use super::store::{self, StoredEvent, mark_failed, mark_processed, record_and_apply};
use crate::db::DbPool;
use crate::orders::db as orders_db;
use crate::payments::stripe::{GatewayError, IntentSnapshot, Payments};
use crate::payments::transition::{self, Cause, Observation};

/// What running an event again did, in words for the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rerun {
    /// No such event.
    NotFound,
    /// Only a failed event runs again; this one was not.
    NotFailed { id: String, outcome: Outcome },
    /// It ran: what became of it.
    Ran(String),
    /// It names nothing the shop can bring up to date: why.
    Cannot(String),
}

/// Runs the failed event `id` again. An error (Stripe or the database unavailable) is kept on
/// the event, which stays failed, and returned.
pub async fn rerun(pool: &DbPool, payments: &Payments, id: &str) -> anyhow::Result<Rerun> {
    let found = {
        let mut conn = pool.get().await?;
        store::find(&mut conn, id).await?
    };
    let Some((event, payload)) = found else {
        return Ok(Rerun::NotFound);
    };
    if event.outcome != Outcome::Failed {
        return Ok(Rerun::NotFailed {
            id: event.id,
            outcome: event.outcome,
        });
    }
    let result = run(pool, payments, &event, &payload).await;
    if let Err(e) = &result {
        mark_failed(pool, &event.id, &event.event_type, &payload.to_string(), e).await;
    }
    result
}

async fn run(
    pool: &DbPool,
    payments: &Payments,
    event: &StoredEvent,
    payload: &serde_json::Value,
) -> anyhow::Result<Rerun> {
    let text = serde_json::to_string(payload)?;
    let Ok(parsed) = Webhook::insecure(&text) else {
        return re_read_from_stripe(pool, payments, event, payload).await;
    };
    // Exactly as a live delivery: what the event says, checked with Stripe.
    let observations = observations_of(payments, &parsed.data.object)
        .await
        .map_err(|e| anyhow::Error::new(e).context("reading Stripe for the event"))?;
    let outcome = record_and_apply(
        &mut *pool.get().await?,
        payments,
        &event.id,
        &event.event_type,
        &text,
        &observations,
    )
    .await?;
    Ok(Rerun::Ran(match outcome {
        Some(outcome) => format!(
            "Event {} ran again from its stored payload: {}.",
            event.id,
            outcome.as_str()
        ),
        None => format!("Event {} was processed already.", event.id),
    }))
}

/// The PaymentIntent an event is about, from its raw payload.
fn intent_of(payload: &serde_json::Value) -> Option<&str> {
    let object = &payload["data"]["object"];
    match object["object"].as_str()? {
        "payment_intent" => object["id"].as_str(),
        _ => object["payment_intent"]
            .as_str()
            .or_else(|| object["payment_intent"]["id"].as_str()),
    }
}

async fn re_read_from_stripe(
    pool: &DbPool,
    payments: &Payments,
    event: &StoredEvent,
    payload: &serde_json::Value,
) -> anyhow::Result<Rerun> {
    let Some(intent_id) = intent_of(payload) else {
        return Ok(Rerun::Cannot(
            "its payload is unreadable and names no PaymentIntent.".into(),
        ));
    };
    let order = {
        let mut conn = pool.get().await?;
        orders_db::by_payment_intent(&mut conn, intent_id).await?
    };
    let Some(order) = order else {
        return Ok(Rerun::Cannot(format!(
            "no order of this shop has {intent_id}."
        )));
    };
    let intent = match payments.retrieve_intent(intent_id).await {
        Ok(intent) => intent,
        Err(GatewayError::Refused { message, .. }) => return Ok(Rerun::Cannot(message)),
        Err(e) => return Err(e.into()),
    };
    let refunds = if intent.amount_received > 0 {
        payments.refunds_of(intent_id).await?
    } else {
        Vec::new()
    };
    let observations = [
        Some(Observation::Intent(IntentSnapshot::from(&intent))),
        (!refunds.is_empty()).then(|| Observation::Refunds {
            payment_intent: intent_id.to_owned(),
            refunds,
            complete: true,
        }),
    ];
    let event_id = event.id.clone();
    let order_id = order.id;
    let mut conn = pool.get().await?;
    let outcome = conn
        .transaction::<_, anyhow::Error, _>(|conn| {
            async move {
                let mut changed = false;
                for observation in observations.iter().flatten() {
                    let applied =
                        transition::apply_in(conn, order_id, observation, Cause::Admin).await?;
                    changed |= applied.is_some_and(|a| a.changed());
                }
                let outcome = if changed {
                    Outcome::Applied
                } else {
                    Outcome::Ignored
                };
                mark_processed(conn, &event_id, outcome, Some(order_id)).await?;
                Ok(outcome)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Rerun::Ran(format!(
        "Event {} is unreadable, so order #{} was brought up to date from Stripe instead: {}.",
        event.id,
        order.number,
        outcome.as_str()
    )))
}
