//! `POST /admin/webhooks/{id}/rerun`: runs a failed webhook event again.
//!
//! Its payload was verified when it arrived, so it is parsed again from storage and goes
//! through the same path as a live delivery (`record_and_apply`): that recovers events whose
//! processing failed (the database was down, a bug since fixed). When async-stripe still
//! cannot read the payload (an API version it does not know), the event cannot tell the shop
//! anything, so its order's PaymentIntent and refunds are read again from Stripe, as the
//! reconciler would, and applied through the transition function. Either way nothing but the
//! transition function changes the order.

use actix_web::{HttpResponse, web};
use diesel_async::AsyncConnection;
use diesel_async::scoped_futures::ScopedFutureExt;
use stripe_webhook::Webhook;

use super::AdminUser;
use super::db::{self, StripeEventRow};
use crate::csrf::{CsrfForm, NoFields};
use crate::db::DbPool;
use crate::error::AppError;
use crate::orders::db as orders_db;
use crate::page::see_other;
use crate::payments::transition::{self, Cause, IntentSnapshot, Observation};
use crate::payments::webhook::{self, Outcome};
use crate::payments::{GatewayError, Payments};
use crate::session::{FlashKind, ShopSession};

#[tracing::instrument(skip(admin, session, pool, payments, _form), fields(admin = admin.id))]
pub async fn rerun(
    admin: AdminUser,
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    id: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let back = "/admin/webhooks?outcome=failed";
    let (event, payload) = {
        let mut conn = pool.get().await?;
        db::stripe_event(&mut conn, &id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    if event.outcome != Outcome::Failed {
        session.flash(
            FlashKind::Info,
            format!(
                "Only a failed event can be run again; {} was {}.",
                event.id, event.outcome
            ),
        );
        return Ok(see_other(back));
    }

    let text = serde_json::to_string(&payload).map_err(|e| AppError::Unexpected(e.into()))?;
    let result = match Webhook::insecure(&text) {
        Ok(parsed) => {
            // Exactly as a live delivery: what the event says, checked with Stripe.
            match webhook::observations_of(&payments, &parsed.data.object).await {
                Ok(observations) => webhook::record_and_apply(
                    &pool,
                    &event.id,
                    &event.event_type,
                    &payload,
                    &observations,
                )
                .await
                .map(|outcome| {
                    Ok(match outcome {
                        Some(outcome) => format!(
                            "Event {} ran again from its stored payload: {}.",
                            event.id,
                            outcome.as_str()
                        ),
                        None => format!("Event {} was processed already.", event.id),
                    })
                }),
                Err(e) => Err(anyhow::Error::new(e).context("reading Stripe for the event")),
            }
        }
        Err(_) => re_read_from_stripe(&pool, &payments, &event, &payload).await,
    };
    match result {
        Ok(Ok(message)) => {
            tracing::info!(event_id = %event.id, "webhook event run again");
            session.flash(FlashKind::Info, message);
        }
        Ok(Err(reason)) => {
            session.flash(
                FlashKind::Error,
                format!("Event {} cannot be run again: {reason}", event.id),
            );
        }
        Err(e) => {
            tracing::error!(event_id = %event.id, error = ?e, "running a webhook event again failed");
            webhook::mark_failed(&pool, &event.id, &event.event_type, &payload, &e).await;
            session.flash(
                FlashKind::Error,
                format!(
                    "Running event {} again failed; it stays failed. Try again later.",
                    event.id
                ),
            );
        }
    }
    Ok(see_other(back))
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

/// `Ok(Err(reason))` when the event names nothing the shop can bring up to date.
async fn re_read_from_stripe(
    pool: &DbPool,
    payments: &Payments,
    event: &StripeEventRow,
    payload: &serde_json::Value,
) -> anyhow::Result<Result<String, String>> {
    let Some(intent_id) = intent_of(payload) else {
        return Ok(Err(
            "its payload is unreadable and names no PaymentIntent.".into()
        ));
    };
    let order = {
        let mut conn = pool.get().await?;
        orders_db::by_payment_intent(&mut conn, intent_id).await?
    };
    let Some(order) = order else {
        return Ok(Err(format!("no order of this shop has {intent_id}.")));
    };
    let intent = match payments.retrieve_intent(intent_id).await {
        Ok(intent) => intent,
        Err(GatewayError::Refused { message, .. }) => return Ok(Err(message)),
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
                        transition::apply(conn, order_id, observation, Cause::Admin).await?;
                    changed |= applied.is_some_and(|a| a.changed());
                }
                let outcome = if changed {
                    Outcome::Applied
                } else {
                    Outcome::Ignored
                };
                webhook::mark_processed(conn, &event_id, outcome, Some(order_id)).await?;
                Ok(outcome)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Ok(format!(
        "Event {} is unreadable, so order #{} was brought up to date from Stripe instead: {}.",
        event.id,
        order.number,
        outcome.as_str()
    )))
}
