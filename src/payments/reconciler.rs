//! Drives every unpaid order to the truth, whatever happened to webhooks: orders left pending,
//! requiring action or failed for a while are checked with Stripe, and reservations past their
//! lifetime are cancelled (their stock released). One instance at a time across app servers,
//! through a PostgreSQL advisory lock.

use std::sync::Arc;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, RunQueryDsl};
use stripe_shared::PaymentIntentStatus;
use time::OffsetDateTime;
use uuid::Uuid;

use super::transition::{self, Cause, IntentSnapshot, Observation};
use super::{GatewayError, Payments};
use crate::config::ReconcilerSettings;
use crate::db::DbPool;
use crate::orders::db::{self as orders_db, Order};
use crate::schema::orders;

/// The advisory lock's key: any number that no other part of the shop uses.
const LOCK_KEY: i64 = 0x5354_4f52_4543; // "STOREC"
const BATCH: i64 = 100;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub checked: usize,
    pub changed: usize,
    pub expired: usize,
    pub failed: usize,
}

/// Runs [`sweep`] every `settings.interval` until the process ends.
pub fn spawn(pool: DbPool, payments: Arc<Payments>, settings: ReconcilerSettings) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(settings.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match sweep(&pool, &payments, &settings).await {
                Ok(Some(report)) if report != SweepReport::default() => {
                    tracing::info!(?report, "reconciler sweep");
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = ?e, "reconciler sweep failed"),
            }
        }
    });
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// One sweep; `None` when another instance holds the lock.
pub async fn sweep(
    pool: &DbPool,
    payments: &Payments,
    settings: &ReconcilerSettings,
) -> anyhow::Result<Option<SweepReport>> {
    let mut lock_conn = pool.get().await?;
    let Locked { locked } = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<BigInt, _>(LOCK_KEY)
        .get_result(&mut lock_conn)
        .await?;
    if !locked {
        return Ok(None);
    }
    let report = sweep_locked(pool, payments, settings).await;
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(LOCK_KEY)
        .execute(&mut lock_conn)
        .await?;
    report.map(Some)
}

async fn sweep_locked(
    pool: &DbPool,
    payments: &Payments,
    settings: &ReconcilerSettings,
) -> anyhow::Result<SweepReport> {
    let stale_before = OffsetDateTime::now_utc() - settings.stale_after;
    let stale: Vec<Order> = {
        let mut conn = pool.get().await?;
        orders::table
            .filter(orders::status.eq_any(["pending", "requires_action", "failed"]))
            .filter(
                orders::updated_at
                    .lt(stale_before)
                    .or(orders::reserved_until.lt(OffsetDateTime::now_utc())),
            )
            .order(orders::updated_at.asc())
            .limit(BATCH)
            .select(Order::as_select())
            .load(&mut conn)
            .await?
    };
    let mut report = SweepReport::default();
    for order in stale {
        report.checked += 1;
        let order_id = order.id;
        match reconcile_order(pool, payments, order).await {
            Ok(ReconcileResult { changed, expired }) => {
                report.changed += usize::from(changed);
                report.expired += usize::from(expired);
            }
            Err(e) => {
                report.failed += 1;
                tracing::warn!(order = %order_id, error = ?e, "could not reconcile an order");
            }
        }
    }
    Ok(report)
}

struct ReconcileResult {
    changed: bool,
    expired: bool,
}

async fn reconcile_order(
    pool: &DbPool,
    payments: &Payments,
    order: Order,
) -> anyhow::Result<ReconcileResult> {
    let expired = order.reserved_until < OffsetDateTime::now_utc();
    let intent = match &order.payment_intent_id {
        Some(id) => Some(payments.retrieve_intent(id).await?),
        // Checkout may have made the intent without learning its id (a crash, a lost answer):
        // Stripe's search finds it by `metadata[order_id]`, and the order adopts it.
        None => payments.intent_made_for(&order).await?,
    };
    let observation = match intent {
        Some(intent) => {
            let unpaid = matches!(
                intent.status,
                PaymentIntentStatus::RequiresPaymentMethod
                    | PaymentIntentStatus::RequiresConfirmation
                    | PaymentIntentStatus::RequiresAction
            );
            if expired && unpaid {
                Observation::Intent(cancel(payments, intent.id.as_str()).await?)
            } else {
                Observation::Intent(IntentSnapshot::from(&intent))
            }
        }
        None if expired => Observation::Cancelled {
            reason: "the reservation expired before payment started",
        },
        None => {
            return Ok(ReconcileResult {
                changed: false,
                expired: false,
            });
        }
    };
    let order_id = order.id;
    let mut conn = pool.get().await?;
    let applied = conn
        .transaction::<_, anyhow::Error, _>(|conn| {
            async move {
                Ok(transition::apply(conn, order_id, &observation, Cause::Reconciler).await?)
            }
            .scope_boxed()
        })
        .await?;
    drop(conn);
    if order.intent_attempt > 0 {
        cancel_orphans(pool, payments, order_id).await;
    }
    let changed = applied.as_ref().is_some_and(|a| a.changed());
    let cancelled = applied
        .as_ref()
        .is_some_and(|a| a.changed() && a.to == crate::domain::PaymentStatus::Cancelled);
    Ok(ReconcileResult {
        changed,
        expired: cancelled,
    })
}

/// Cancels an intent whose reservation expired. Stripe refuses to cancel an intent that
/// succeeded meanwhile; its status then tells, and money that arrived makes the order paid.
async fn cancel(payments: &Payments, intent_id: &str) -> Result<IntentSnapshot, GatewayError> {
    match payments.cancel_intent(intent_id).await {
        Ok(cancelled) => Ok(IntentSnapshot::from(&cancelled)),
        Err(e) if e.code() == Some("payment_intent_unexpected_state") => Ok(IntentSnapshot::from(
            &payments.retrieve_intent(intent_id).await?,
        )),
        Err(e) => Err(e),
    }
}

/// An order whose intent took more than one attempt may have a second intent at Stripe (made by
/// an attempt whose answer was an error). Nobody ever saw its client secret, so nobody could pay
/// it; it is cancelled so that Stripe holds one open intent per order. One that succeeded all
/// the same is put on the order's timeline (refused), for the owner to refund.
async fn cancel_orphans(pool: &DbPool, payments: &Payments, order_id: Uuid) {
    let result = async {
        let order = {
            let mut conn = pool.get().await?;
            orders_db::find(&mut conn, order_id).await?
        };
        let Some(order) = order else {
            return anyhow::Ok(());
        };
        for intent in payments.intents_of_order(order.id).await? {
            if order.payment_intent_id.as_deref() == Some(intent.id.as_str())
                || intent.status == PaymentIntentStatus::Canceled
            {
                continue;
            }
            let observation = if intent.status == PaymentIntentStatus::Succeeded {
                Observation::Intent(IntentSnapshot::from(&intent))
            } else {
                tracing::info!(order = %order.id, intent = %intent.id, "cancelling a second intent of an order");
                Observation::Intent(cancel(payments, intent.id.as_str()).await?)
            };
            let mut conn = pool.get().await?;
            conn.transaction::<_, anyhow::Error, _>(|conn| {
                async move {
                    transition::apply(conn, order_id, &observation, Cause::Reconciler).await?;
                    Ok(())
                }
                .scope_boxed()
            })
            .await?;
        }
        Ok(())
    };
    if let Err(e) = result.await {
        tracing::warn!(order = %order_id, error = ?e, "could not look for second intents of an order");
    }
}
