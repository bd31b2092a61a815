//! The stored Stripe events (`stripe_events`, written only here): each event is kept once, what
//! it says is applied in the transaction that marks it processed, and a failure is kept with its
//! error so that it can run again. The admin's lists read it through [`recent`], [`of_order`]
//! and [`find`].

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::observe::Said;
use super::outcome::{Outcome, WAITING};
use crate::club;
use crate::db::DbPool;
use crate::db::prepared;
use crate::domain::PaymentStatus;
use crate::orders::db::{self as orders_db, Order};
use crate::payments::Payments;
use crate::payments::transition::{self, Cause, Observation};
use crate::schema::{orders, stripe_events};

/// An event as the admin sees it (its payload apart).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = stripe_events)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct StoredEvent {
    pub id: String,
    pub event_type: String,
    pub order_id: Option<Uuid>,
    pub received_at: OffsetDateTime,
    pub processed_at: Option<OffsetDateTime>,
    pub outcome: Outcome,
    pub error: Option<String>,
}

pub async fn of_order(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
) -> QueryResult<Vec<StoredEvent>> {
    stripe_events::table
        .filter(stripe_events::order_id.eq(order_id))
        .order(stripe_events::received_at.asc())
        .select(StoredEvent::as_select())
        .load(conn)
        .await
}

/// The most recent deliveries with the number of the order each is about.
pub async fn recent(
    conn: &mut AsyncPgConnection,
    outcome: Option<Outcome>,
    limit: i64,
) -> QueryResult<Vec<(StoredEvent, Option<i64>)>> {
    let mut query = stripe_events::table
        .left_join(orders::table)
        .select((StoredEvent::as_select(), orders::number.nullable()))
        .order(stripe_events::received_at.desc())
        .limit(limit)
        .into_boxed();
    if let Some(outcome) = outcome {
        query = query.filter(stripe_events::outcome.eq(outcome));
    }
    query.load(conn).await
}

/// The event and its payload.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: &str,
) -> QueryResult<Option<(StoredEvent, serde_json::Value)>> {
    stripe_events::table
        .find(id)
        .select((StoredEvent::as_select(), stripe_events::payload))
        .first(conn)
        .await
        .optional()
}

/// Applies what the event says, in order, and stores it with what became of it, in one
/// transaction. `None` when the event was already processed: a duplicate delivery changes
/// nothing.
pub(super) async fn record_and_apply(
    conn: &mut AsyncPgConnection,
    payments: &Payments,
    event_id: &str,
    event_type: &str,
    payload: &str,
    observations: &[Said],
) -> anyhow::Result<Option<Outcome>> {
    let done = conn
        .transaction::<_, RolledBack, _>(|conn| {
            async move {
                let mut outcome = Outcome::Unhandled;
                let mut order_id = None;
                let mut moves = Vec::new();
                for said in observations {
                    match said {
                        Said::Order(observation) => {
                            let (this, order, moved) =
                                apply_observation(conn, event_id, observation).await?;
                            outcome = outcome.max(this);
                            order_id = order_id.or(order);
                            moves.extend(moved);
                        }
                        Said::Club(observation) => {
                            let effect = club::sync::apply_in(
                                conn,
                                payments,
                                observation,
                                club::sync::Cause::Webhook { event_id },
                            )
                            .await?;
                            outcome = outcome.max(match effect {
                                club::sync::Effect::NotOurs => Outcome::Unhandled,
                                club::sync::Effect::Unchanged => Outcome::Ignored,
                                club::sync::Effect::Changed => Outcome::Applied,
                            });
                        }
                    }
                }
                // Written once, with its outcome. A concurrent delivery of the same event waits
                // here (or at the order's lock) for the other to commit; when the other
                // processed it, nothing is written and what this one applied is rolled back.
                if !store_processed(conn, event_id, event_type, payload, outcome, order_id).await? {
                    return Err(RolledBack::Duplicate);
                }
                Ok((outcome, moves))
            }
            .scope_boxed()
        })
        .await;
    let (outcome, moves) = match done {
        Ok(done) => done,
        Err(RolledBack::Duplicate) => return Ok(None),
        Err(RolledBack::Failed(e)) => return Err(e),
    };
    // Counted once committed: a rolled-back event moved nothing.
    for (from, to) in moves {
        crate::metrics::order_transition(from, to, "webhook");
    }
    Ok(Some(outcome))
}

/// Why an event's transaction rolled back.
enum RolledBack {
    /// A concurrent delivery processed the event first.
    Duplicate,
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for RolledBack {
    fn from(e: anyhow::Error) -> Self {
        Self::Failed(e)
    }
}

impl From<diesel::result::Error> for RolledBack {
    fn from(e: diesel::result::Error) -> Self {
        Self::Failed(e.into())
    }
}

/// Stores a processed event, or records what became of one stored waiting (failed before);
/// `false` when it is stored processed already. The payload goes as the text Stripe signed:
/// PostgreSQL reads it into JSONB itself.
async fn store_processed(
    conn: &mut AsyncPgConnection,
    event_id: &str,
    event_type: &str,
    payload: &str,
    outcome: Outcome,
    order_id: Option<Uuid>,
) -> QueryResult<bool> {
    let stored = prepared(
        diesel::sql_query(
            "INSERT INTO stripe_events (id, event_type, payload, outcome, order_id, processed_at) \
         VALUES ($1, $2, $3::jsonb, $4, $5, now()) \
         ON CONFLICT (id) DO UPDATE SET outcome = excluded.outcome, \
         order_id = excluded.order_id, processed_at = excluded.processed_at, error = NULL \
         WHERE stripe_events.outcome IN ($6, $7)",
        )
        .bind::<Text, _>(event_id)
        .bind::<Text, _>(event_type)
        .bind::<Text, _>(payload)
        .bind::<Text, _>(outcome)
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(order_id)
        .bind::<Text, _>(WAITING[0])
        .bind::<Text, _>(WAITING[1]),
    )
    .execute(conn)
    .await?;
    Ok(stored == 1)
}

/// Records what became of an event that was waiting (received, or failed before).
pub(super) async fn mark_processed(
    conn: &mut AsyncPgConnection,
    event_id: &str,
    outcome: Outcome,
    order_id: Option<Uuid>,
) -> QueryResult<()> {
    prepared(
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
        )),
    )
    .execute(conn)
    .await
    .map(drop)
}

/// The event is stored processed already (a failed one is not: it may run again).
pub(super) async fn already_processed(conn: &mut AsyncPgConnection, event_id: &str) -> bool {
    let outcome: QueryResult<Option<Outcome>> = prepared(
        stripe_events::table
            .find(event_id)
            .select(stripe_events::outcome)
            .limit(1),
    )
    .get_result(conn)
    .await
    .optional();
    matches!(outcome, Ok(Some(o)) if !o.is_waiting())
}

/// What the event did to its order, the order, and the order's status before and after.
async fn apply_observation(
    conn: &mut AsyncPgConnection,
    event_id: &str,
    observation: &Observation,
) -> anyhow::Result<(
    Outcome,
    Option<Uuid>,
    Option<(PaymentStatus, PaymentStatus)>,
)> {
    let cause = Cause::Webhook { event_id };
    let applied = match order_for(conn, observation).await? {
        Some(OrderFor::Locked(order)) => {
            transition::apply_locked(conn, *order, observation, cause).await?
        }
        Some(OrderFor::Id(order_id)) => {
            transition::apply_in(conn, order_id, observation, cause).await?
        }
        None => {
            tracing::info!("event names no order of this shop");
            return Ok((Outcome::Unhandled, None, None));
        }
    };
    let order_id = applied.as_ref().map(|a| a.order.id);
    let moved = applied.as_ref().map(|a| (a.from, a.to));
    let outcome = match applied {
        Some(applied) if applied.changed() => Outcome::Applied,
        Some(_) => Outcome::Ignored,
        None => Outcome::Unhandled,
    };
    Ok((outcome, order_id, moved))
}

/// The order an observation is about: found by its intent and locked already, or by its id.
enum OrderFor {
    Locked(Box<Order>),
    Id(Uuid),
}

/// The order an observation is about: by the intent's id (locked for the transition), or —
/// when checkout created the intent but had not stored its id yet — by the intent's
/// `metadata[order_id]`.
async fn order_for(
    conn: &mut AsyncPgConnection,
    observation: &Observation,
) -> anyhow::Result<Option<OrderFor>> {
    let (intent_id, metadata_order) = match observation {
        Observation::Intent(intent) | Observation::IntentMade(intent) => {
            (intent.id.as_str(), intent.order_id.as_deref())
        }
        Observation::Refunds { payment_intent, .. }
        | Observation::Disputes { payment_intent, .. } => (payment_intent.as_str(), None),
        Observation::Cancelled { .. } => return Ok(None),
        Observation::SessionExpired { session_id } => {
            let order = orders_db::by_checkout_session(conn, session_id).await?;
            return Ok(order.map(|order| OrderFor::Id(order.id)));
        }
    };
    if let Some(order) = orders_db::by_payment_intent_for_update(conn, intent_id).await? {
        return Ok(Some(OrderFor::Locked(Box::new(order))));
    }
    let Some(order_id) = metadata_order.and_then(|id| Uuid::parse_str(id).ok()) else {
        return Ok(None);
    };
    Ok(orders_db::find(conn, order_id)
        .await?
        .filter(|order| order.payment_intent_id.is_none())
        .map(|order| OrderFor::Id(order.id)))
}

/// Keeps a failed event with its error so that it can be run again.
pub(super) async fn mark_failed(
    pool: &DbPool,
    event_id: &str,
    event_type: &str,
    payload: &str,
    error: &anyhow::Error,
) {
    let result = async {
        let mut conn = pool.get().await?;
        // A concurrent delivery that succeeded keeps its outcome.
        diesel::sql_query(
            "INSERT INTO stripe_events (id, event_type, payload, outcome, error) \
             VALUES ($1, $2, $3::jsonb, $5, $4) \
             ON CONFLICT (id) DO UPDATE SET outcome = $5, error = excluded.error \
             WHERE stripe_events.outcome IN ($6, $7)",
        )
        .bind::<Text, _>(event_id)
        .bind::<Text, _>(event_type)
        .bind::<Text, _>(payload)
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
