//! `POST /webhooks/stripe`: verifies the signature, stores every event once, and applies what
//! it says through the transition function, in one transaction.

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Text};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use stripe_webhook::{EventObject, Webhook, WebhookError};
use uuid::Uuid;

use super::Payments;
use super::disputes::DisputeSnapshot;
use super::refunds::RefundSnapshot;
use super::transition::{self, Cause, IntentSnapshot, Observation};
use crate::db::DbPool;
use crate::orders::db as orders_db;
use crate::schema::stripe_events;

pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What became of an event, as stored in `stripe_events.outcome`. The processed outcomes are
/// ordered from least to most (an event that says several things takes the most any of them
/// did).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Outcome {
    /// Stored, not processed yet (or being processed).
    Received,
    /// Processing failed; kept with its error to be run again.
    Failed,
    /// An event type the shop does not act on, or about no order of this shop.
    Unhandled,
    /// It was about an order but changed nothing (a duplicate state, a refused transition).
    Ignored,
    /// It changed an order.
    Applied,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Self::Received,
        Self::Applied,
        Self::Ignored,
        Self::Unhandled,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Failed => "failed",
            Self::Applied => "applied",
            Self::Ignored => "ignored",
            Self::Unhandled => "unhandled",
        }
    }

    /// Not processed yet: a delivery (or a re-run) may still process it.
    pub fn is_waiting(self) -> bool {
        matches!(self, Self::Received | Self::Failed)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown event outcome")]
pub struct UnknownOutcome;

impl std::str::FromStr for Outcome {
    type Err = UnknownOutcome;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == s)
            .ok_or(UnknownOutcome)
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::domain::sql::text_column!(Outcome, "webhook event outcome");

const WAITING: [Outcome; 2] = [Outcome::Received, Outcome::Failed];

#[tracing::instrument(skip_all, fields(event_id, event_type))]
pub async fn receive_event(
    req: HttpRequest,
    body: Bytes,
    pool: Data<DbPool>,
    payments: Data<Payments>,
) -> HttpResponse {
    let Some(signature) = req
        .headers()
        .get("Stripe-Signature")
        .and_then(|v| v.to_str().ok())
    else {
        tracing::warn!("webhook refused: no Stripe-Signature header");
        return HttpResponse::BadRequest().body("missing Stripe-Signature header");
    };
    let Ok(payload) = std::str::from_utf8(&body) else {
        tracing::warn!("webhook refused: the body is not UTF-8");
        return HttpResponse::BadRequest().body("body is not UTF-8");
    };
    let event =
        match Webhook::construct_event(payload, signature, payments.webhook_secret().expose()) {
            Ok(event) => event,
            // The signature was good (it is checked first), but async-stripe cannot read the event
            // (an API version it does not know): kept for the admin and acknowledged, or Stripe
            // would retry it for days. The reconciler still brings its order up to date.
            Err(WebhookError::BadParse(reason)) => {
                return store_unreadable(&pool, payload, &reason).await;
            }
            Err(e) => {
                // The error names the check that failed; neither the secret nor the signature.
                tracing::warn!(reason = %e, "webhook refused");
                return HttpResponse::BadRequest().body("invalid signature or payload");
            }
        };
    let event_id = event.id.as_str().to_owned();
    let event_type = event.type_.as_str().to_owned();
    tracing::Span::current().record("event_id", event_id.as_str());
    tracing::Span::current().record("event_type", event_type.as_str());
    let payload: serde_json::Value = match serde_json::from_str(payload) {
        Ok(value) => value,
        Err(_) => return HttpResponse::BadRequest().body("payload is not JSON"),
    };

    if already_processed(&pool, &event_id).await {
        tracing::info!("duplicate webhook delivery acknowledged");
        return HttpResponse::Ok().body("duplicate");
    }
    let observations = match observations_of(&payments, &event.data.object).await {
        Ok(observations) => observations,
        Err(e) => {
            // The event needs Stripe's current view (a charge.refunded names no refund), and
            // Stripe cannot be read now: Stripe delivers the event again later.
            let e = anyhow::Error::new(e).context("reading Stripe for the event");
            tracing::warn!(error = ?e, "webhook processing postponed; Stripe will retry");
            mark_failed(&pool, &event_id, &event_type, &payload, &e).await;
            return HttpResponse::ServiceUnavailable().body("Stripe unavailable");
        }
    };

    match record_and_apply(&pool, &event_id, &event_type, &payload, &observations).await {
        Ok(Some(outcome)) => {
            tracing::info!(outcome = outcome.as_str(), "webhook processed");
            HttpResponse::Ok().body(outcome.as_str())
        }
        Ok(None) => {
            tracing::info!("duplicate webhook delivery acknowledged");
            HttpResponse::Ok().body("duplicate")
        }
        Err(e) => {
            tracing::error!(error = ?e, "webhook processing failed; Stripe will retry");
            mark_failed(&pool, &event_id, &event_type, &payload, &e).await;
            HttpResponse::InternalServerError().body("processing failed")
        }
    }
}

/// Stores the event and applies what it says, in order, in one transaction. `None` when the
/// event was already processed: a duplicate delivery changes nothing.
pub async fn record_and_apply(
    pool: &DbPool,
    event_id: &str,
    event_type: &str,
    payload: &serde_json::Value,
    observations: &[Observation],
) -> anyhow::Result<Option<Outcome>> {
    let mut conn = pool.get().await?;
    let outcome = conn
        .transaction::<_, anyhow::Error, _>(|conn| {
            async move {
                diesel::insert_into(stripe_events::table)
                    .values((
                        stripe_events::id.eq(event_id),
                        stripe_events::event_type.eq(event_type),
                        stripe_events::payload.eq(payload),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                // Locks the event: a concurrent delivery of the same event waits here, then
                // sees it processed.
                let outcome: Outcome = stripe_events::table
                    .find(event_id)
                    .select(stripe_events::outcome)
                    .for_update()
                    .first(conn)
                    .await?;
                if !outcome.is_waiting() {
                    return Ok(None);
                }
                let mut outcome = Outcome::Unhandled;
                let mut order_id = None;
                for observation in observations {
                    let (this, order) = apply_observation(conn, event_id, observation).await?;
                    outcome = outcome.max(this);
                    order_id = order_id.or(order);
                }
                mark_processed(conn, event_id, outcome, order_id).await?;
                Ok(Some(outcome))
            }
            .scope_boxed()
        })
        .await?;
    Ok(outcome)
}

/// Records what became of an event that was waiting (received, or failed before).
pub(crate) async fn mark_processed(
    conn: &mut AsyncPgConnection,
    event_id: &str,
    outcome: Outcome,
    order_id: Option<Uuid>,
) -> QueryResult<()> {
    diesel::update(
        stripe_events::table
            .find(event_id)
            .filter(stripe_events::outcome.eq_any(WAITING)),
    )
    .set((
        stripe_events::outcome.eq(outcome),
        stripe_events::order_id.eq(order_id),
        stripe_events::processed_at.eq(diesel::dsl::now),
        stripe_events::error.eq(None::<String>),
    ))
    .execute(conn)
    .await
    .map(drop)
}

/// What an event says about an order's payment, in the order to apply it; nothing for events
/// the shop does not act on. Intent events are checked against the intent as Stripe has it now
/// ([`current`]). Refund events also bring the intent up to date, so a refund that arrives before
/// the order knew it was paid finds it paid; `charge.refunded` names no refund, so the
/// payment's refunds are read from Stripe (an error when Stripe cannot be read).
pub(crate) async fn observations_of(
    payments: &Payments,
    object: &EventObject,
) -> Result<Vec<Observation>, super::GatewayError> {
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
pub(crate) async fn current(payments: &Payments, snapshot: IntentSnapshot) -> IntentSnapshot {
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

async fn already_processed(pool: &DbPool, event_id: &str) -> bool {
    let outcome = async {
        let mut conn = pool.get().await?;
        let outcome: Option<Outcome> = stripe_events::table
            .find(event_id)
            .select(stripe_events::outcome)
            .first(&mut conn)
            .await
            .optional()?;
        anyhow::Ok(outcome)
    };
    matches!(outcome.await, Ok(Some(o)) if !o.is_waiting())
}

async fn apply_observation(
    conn: &mut AsyncPgConnection,
    event_id: &str,
    observation: &Observation,
) -> anyhow::Result<(Outcome, Option<Uuid>)> {
    let Some(order_id) = order_for(conn, observation).await? else {
        tracing::info!("event names no order of this shop");
        return Ok((Outcome::Unhandled, None));
    };
    let applied =
        transition::apply(conn, order_id, observation, Cause::Webhook { event_id }).await?;
    let outcome = match applied {
        Some(applied) if applied.changed() => Outcome::Applied,
        Some(_) => Outcome::Ignored,
        None => Outcome::Unhandled,
    };
    Ok((outcome, Some(order_id)))
}

/// The order an observation is about: by the intent's id, or — when checkout created the
/// intent but had not stored its id yet — by the intent's `metadata[order_id]`.
async fn order_for(
    conn: &mut AsyncPgConnection,
    observation: &Observation,
) -> anyhow::Result<Option<Uuid>> {
    let (intent_id, metadata_order) = match observation {
        Observation::Intent(intent) | Observation::IntentMade(intent) => {
            (intent.id.as_str(), intent.order_id.as_deref())
        }
        Observation::Refunds { payment_intent, .. }
        | Observation::Disputes { payment_intent, .. } => (payment_intent.as_str(), None),
        Observation::Cancelled { .. } => return Ok(None),
    };
    if let Some(order) = orders_db::by_payment_intent(conn, intent_id).await? {
        return Ok(Some(order.id));
    }
    let Some(order_id) = metadata_order.and_then(|id| Uuid::parse_str(id).ok()) else {
        return Ok(None);
    };
    Ok(orders_db::find(conn, order_id)
        .await?
        .filter(|order| order.payment_intent_id.is_none())
        .map(|order| order.id))
}

async fn store_unreadable(pool: &DbPool, payload: &str, reason: &str) -> HttpResponse {
    let value: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    let (Some(id), Some(kind)) = (value["id"].as_str(), value["type"].as_str()) else {
        tracing::warn!(reason, "webhook refused: signed, but not an event");
        return HttpResponse::BadRequest().body("not an event");
    };
    tracing::warn!(
        event_id = id,
        event_type = kind,
        reason,
        "stored an event async-stripe cannot read"
    );
    let error = anyhow::anyhow!("unreadable event: {reason}");
    mark_failed(pool, id, kind, &value, &error).await;
    HttpResponse::Ok().body("stored unreadable event")
}

/// Keeps a failed event with its error so that it can be run again.
pub(crate) async fn mark_failed(
    pool: &DbPool,
    event_id: &str,
    event_type: &str,
    payload: &serde_json::Value,
    error: &anyhow::Error,
) {
    let result = async {
        let mut conn = pool.get().await?;
        // A concurrent delivery that succeeded keeps its outcome.
        diesel::sql_query(
            "INSERT INTO stripe_events (id, event_type, payload, outcome, error) \
             VALUES ($1, $2, $3, $5, $4) \
             ON CONFLICT (id) DO UPDATE SET outcome = $5, error = excluded.error \
             WHERE stripe_events.outcome IN ($6, $7)",
        )
        .bind::<Text, _>(event_id)
        .bind::<Text, _>(event_type)
        .bind::<Jsonb, _>(payload)
        .bind::<Text, _>(error.to_string())
        .bind::<Text, _>(Outcome::Failed)
        .bind::<Text, _>(WAITING[0])
        .bind::<Text, _>(WAITING[1])
        .execute(&mut conn)
        .await?;
        anyhow::Ok(())
    };
    if let Err(e) = result.await {
        tracing::error!(error = ?e, "could not record the failed webhook");
    }
}
