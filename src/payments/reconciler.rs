//! Drives every order to the truth, whatever happened to webhooks. Unpaid orders left alone for
//! a while are checked with Stripe (an order without an intent is looked up by its metadata),
//! and reservations past their lifetime are cancelled (their stock released) — on time, also
//! when their intent can no longer be found; money that arrived is never cancelled. Paid orders
//! are watched for refunds and disputes for `watch_paid` after their payment, disputed ones
//! until the dispute is decided.
//!
//! The sweep is fair: each order has its own next check (`orders.next_check_at`), with a
//! backoff that doubles from `stale_after` up to `max_backoff` while nothing changes, and due
//! orders are taken oldest-due first until none is due. An order that never changes (abandoned,
//! failing) waits longer and longer between looks, so it cannot starve the others; a reservation
//! that ends is looked at when it ends, whatever the schedule says. One instance at a time across
//! app servers, through a PostgreSQL advisory lock.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use diesel_async::RunQueryDsl;
use stripe_shared::{CheckoutSessionStatus, PaymentIntentStatus};
use time::OffsetDateTime;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::sessions::observe_session;
use super::stripe::{IntentSnapshot, Payments};
use super::transition::{self, Cause, Observation};
use crate::config::ReconcilerSettings;
use crate::db::DbPool;
use crate::domain::PaymentStatus;
use crate::metrics;
use crate::orders::db::{self as orders_db, Order};
use crate::schema::orders;

/// The advisory lock's key: any number that no other part of the shop uses.
pub const LOCK_KEY: i64 = 0x5354_4f52_4543; // "STOREC"
const BATCH: i64 = 100;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub checked: usize,
    pub changed: usize,
    pub expired: usize,
    pub failed: usize,
}

/// Runs a sweep every `settings.interval` until `stop` is cancelled. A sweep under way then
/// ends after the order it is looking at (each look is its own transaction), so shutting down
/// never leaves an order half-reconciled; the next sweep, on any server, goes on from there.
pub fn spawn(
    pool: DbPool,
    payments: Arc<Payments>,
    settings: ReconcilerSettings,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(settings.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                () = stop.cancelled() => break,
            }
            match sweep_until(&pool, &payments, &settings, &stop).await {
                Ok(Some(report)) => {
                    metrics::reconciler_sweep("swept");
                    metrics::reconciler_orders(
                        report
                            .checked
                            .saturating_sub(report.changed + report.failed),
                        report.changed,
                        report.failed,
                    );
                    if report != SweepReport::default() {
                        tracing::info!(?report, "reconciler sweep");
                    }
                }
                Ok(None) => metrics::reconciler_sweep("locked_elsewhere"),
                Err(e) => {
                    metrics::reconciler_sweep("failed");
                    tracing::error!(error = ?e, "reconciler sweep failed");
                }
            }
        }
        tracing::info!("reconciler stopped");
    })
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
    sweep_until(pool, payments, settings, &CancellationToken::new()).await
}

/// One sweep that ends early, between two orders, once `stop` is cancelled.
async fn sweep_until(
    pool: &DbPool,
    payments: &Payments,
    settings: &ReconcilerSettings,
    stop: &CancellationToken,
) -> anyhow::Result<Option<SweepReport>> {
    let mut lock_conn = pool.get().await?;
    let Locked { locked } = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<BigInt, _>(LOCK_KEY)
        .get_result(&mut lock_conn)
        .await?;
    if !locked {
        return Ok(None);
    }
    let report = sweep_locked(pool, payments, settings, stop).await;
    // Memberships too, under the same lock (`crate::club::reconcile`).
    if !stop.is_cancelled() {
        match crate::club::reconcile::sweep(
            pool,
            payments,
            settings.stale_after,
            settings.max_backoff,
        )
        .await
        {
            Ok(club) if club != crate::club::reconcile::ClubSweep::default() => {
                tracing::info!(?club, "reconciler sweep of memberships");
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = ?e, "reconciler sweep of memberships failed"),
        }
    }
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
    stop: &CancellationToken,
) -> anyhow::Result<SweepReport> {
    let started = Instant::now();
    // A sweep runs until no order is due, or for one interval, so a long backlog cannot make
    // sweeps overlap; the next sweep continues oldest-due first.
    let budget = settings.interval.max(Duration::from_secs(5));
    let mut seen = HashSet::new();
    let mut report = SweepReport::default();
    while started.elapsed() < budget {
        let due = due_orders(pool).await?;
        let due: Vec<Order> = due.into_iter().filter(|o| seen.insert(o.id)).collect();
        if due.is_empty() {
            break;
        }
        for order in due {
            if stop.is_cancelled() {
                return Ok(report);
            }
            let order_id = order.id;
            match look(pool, payments, settings, order).await {
                Ok(Look::Skipped) => {}
                Ok(Look::Checked { changed, expired }) => {
                    report.checked += 1;
                    report.changed += usize::from(changed);
                    report.expired += usize::from(expired);
                }
                Err(e) => {
                    report.checked += 1;
                    report.failed += 1;
                    tracing::warn!(order = %order_id, error = ?e, "could not reconcile an order");
                }
            }
        }
    }
    Ok(report)
}

const OPEN: [PaymentStatus; 3] = PaymentStatus::AWAITING_PAYMENT;

/// Orders whose next check is due, and open orders whose reservation ended since they were last
/// looked at; oldest-due first.
async fn due_orders(pool: &DbPool) -> anyhow::Result<Vec<Order>> {
    let now = OffsetDateTime::now_utc();
    let mut conn = pool.get().await?;
    let reservation_ended = orders::status
        .eq_any(OPEN)
        .and(orders::reserved_until.le(now))
        .and(
            orders::checked_at
                .is_null()
                .or(orders::checked_at.lt(orders::reserved_until.nullable())),
        );
    Ok(orders::table
        .filter(
            orders::next_check_at
                .le(now)
                .or(reservation_ended.nullable()),
        )
        .order(orders::next_check_at.asc().nulls_first())
        .limit(BATCH)
        .select(Order::as_select())
        .load(&mut conn)
        .await?)
}

enum Look {
    /// Nothing to ask Stripe yet (the order changed recently); only rescheduled.
    Skipped,
    Checked {
        changed: bool,
        expired: bool,
    },
}

/// Looks at one order, as its status calls for, and schedules its next look.
async fn look(
    pool: &DbPool,
    payments: &Payments,
    settings: &ReconcilerSettings,
    order: Order,
) -> anyhow::Result<Look> {
    let now = OffsetDateTime::now_utc();
    let status = order.status();
    let fresh_until = order.updated_at + settings.stale_after;
    let expired = status.awaits_payment() && order.reserved_until <= now;
    if status == PaymentStatus::Cancelled {
        reschedule(pool, settings, order.id, false).await?;
        return Ok(Look::Skipped);
    }
    if fresh_until > now && !expired {
        // The shopper (or a webhook) moved it moments ago: look again once it is stale.
        let mut next = fresh_until;
        if status.awaits_payment() {
            next = next.min(order.reserved_until);
        }
        let mut conn = pool.get().await?;
        orders_db::schedule_check(&mut conn, order.id, Some(next), order.checks).await?;
        return Ok(Look::Skipped);
    }
    let order_id = order.id;
    let checked = if status.awaits_payment() {
        reconcile_open(pool, payments, order).await
    } else {
        reconcile_paid(pool, payments, order).await
    };
    let changed = checked.as_ref().is_ok_and(|c| c.changed);
    reschedule(pool, settings, order_id, changed).await?;
    let ReconcileResult { changed, expired } = checked?;
    Ok(Look::Checked { changed, expired })
}

/// The next look at an order after one: soon after a change, later and later while nothing
/// changes; never after an open order's reservation ends; never again for a cancelled order,
/// or for a paid one whose watch is over.
async fn reschedule(
    pool: &DbPool,
    settings: &ReconcilerSettings,
    order_id: Uuid,
    changed: bool,
) -> anyhow::Result<()> {
    let mut conn = pool.get().await?;
    let Some(order) = orders_db::find(&mut conn, order_id).await? else {
        return Ok(());
    };
    let now = OffsetDateTime::now_utc();
    let checks = if changed {
        0
    } else {
        order.checks.saturating_add(1)
    };
    let next = now + backoff(settings, checks);
    let status = order.status();
    let next = if status == PaymentStatus::Cancelled {
        None
    } else if status.awaits_payment() {
        Some(if order.reserved_until > now {
            next.min(order.reserved_until)
        } else {
            next
        })
    } else if status == PaymentStatus::Disputed {
        // Watched until the dispute is decided, however long the bank takes.
        Some(next)
    } else {
        let watched_until = order.paid_at.unwrap_or(order.updated_at) + settings.watch_paid;
        (watched_until > now).then_some(next)
    };
    orders_db::schedule_check(&mut conn, order_id, next, checks).await?;
    Ok(())
}

/// `stale_after`, doubled for each look in a row that found nothing, at most `max_backoff`.
fn backoff(settings: &ReconcilerSettings, checks: i32) -> Duration {
    let doublings = u32::try_from(checks.clamp(0, 20)).unwrap_or(0);
    settings
        .stale_after
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(settings.max_backoff)
}

struct ReconcileResult {
    changed: bool,
    expired: bool,
}

async fn reconcile_open(
    pool: &DbPool,
    payments: &Payments,
    order: Order,
) -> anyhow::Result<ReconcileResult> {
    let expired = order.reserved_until < OffsetDateTime::now_utc();
    if let Some(session) = order.checkout_session_id.clone() {
        return reconcile_hosted(pool, payments, order, &session, expired).await;
    }
    let intent = match &order.payment_intent_id {
        Some(id) => match payments.retrieve_intent(id).await {
            Ok(intent) => Some(intent),
            // Stripe does not know the intent (the keys changed, test data was deleted): it
            // cannot be paid, and the order waits for nothing but the end of its reservation.
            Err(e) if e.is_missing() => {
                tracing::warn!(order = %order.id, intent = %id, "the order's PaymentIntent cannot be found at Stripe");
                None
            }
            Err(e) => return Err(e.into()),
        },
        // Checkout may have made the intent without learning its id (a crash, a lost answer):
        // Stripe's search finds it by `metadata[order_id]`, and the order adopts it.
        None => {
            payments
                .intent_made_for(order.id, order.total_minor, order.currency)
                .await?
        }
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
                Observation::Intent(IntentSnapshot::from(
                    &payments.cancel_unless_paid(intent.id.as_str()).await?,
                ))
            } else {
                Observation::Intent(IntentSnapshot::from(&intent))
            }
        }
        None if expired && order.payment_intent_id.is_some() => Observation::Cancelled {
            reason: "the reservation expired; its PaymentIntent cannot be found at Stripe",
        },
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
    let applied = transition::apply(pool, order.id, &observation, Cause::Reconciler).await?;
    if order.intent_attempt > 0 {
        cancel_orphans(pool, payments, order.id).await;
    }
    let changed = applied.as_ref().is_some_and(|a| a.changed());
    let cancelled = applied
        .as_ref()
        .is_some_and(|a| a.changed() && a.to == PaymentStatus::Cancelled);
    Ok(ReconcileResult {
        changed,
        expired: cancelled,
    })
}

/// An open order paid on Stripe's hosted page: its Checkout Session as Stripe has it now (a
/// `checkout.session.completed` or `.expired` whose webhook was lost), expired once the
/// reservation ended unless its payment completed.
async fn reconcile_hosted(
    pool: &DbPool,
    payments: &Payments,
    order: Order,
    session: &str,
    expired: bool,
) -> anyhow::Result<ReconcileResult> {
    let session = match payments.retrieve_checkout_session(session).await {
        Ok(session) => Some(session),
        Err(e) if e.is_missing() => {
            tracing::warn!(order = %order.id, session, "the order's Checkout Session cannot be found at Stripe");
            None
        }
        Err(e) => return Err(e.into()),
    };
    let session = match session {
        Some(s) if expired && s.status == Some(CheckoutSessionStatus::Open) => Some(
            payments
                .expire_checkout_session_unless_paid(s.id.as_str())
                .await?,
        ),
        other => other,
    };
    let observation = match &session {
        Some(session) => observe_session(payments, session).await?,
        None if expired => Some(Observation::Cancelled {
            reason: "the reservation expired; its Checkout Session cannot be found at Stripe",
        }),
        None => None,
    };
    let Some(observation) = observation else {
        return Ok(ReconcileResult {
            changed: false,
            expired: false,
        });
    };
    let applied = transition::apply(pool, order.id, &observation, Cause::Reconciler).await?;
    let changed = applied.as_ref().is_some_and(|a| a.changed());
    let cancelled = applied
        .as_ref()
        .is_some_and(|a| a.changed() && a.to == PaymentStatus::Cancelled);
    Ok(ReconcileResult {
        changed,
        expired: cancelled,
    })
}

/// A paid order: its refunds and disputes as Stripe has them now (a `charge.refunded` or
/// `charge.dispute.*` whose webhook was lost, a refund that failed later).
async fn reconcile_paid(
    pool: &DbPool,
    payments: &Payments,
    order: Order,
) -> anyhow::Result<ReconcileResult> {
    let Some(intent) = order.payment_intent_id.clone() else {
        return Ok(ReconcileResult {
            changed: false,
            expired: false,
        });
    };
    let observations = [
        Observation::Refunds {
            payment_intent: intent.clone(),
            refunds: payments.refunds_of(&intent).await?,
            complete: true,
        },
        Observation::Disputes {
            disputes: payments.disputes_of(&intent).await?,
            payment_intent: intent,
        },
    ];
    let mut changed = false;
    for observation in &observations {
        changed |= transition::apply(pool, order.id, observation, Cause::Reconciler)
            .await?
            .is_some_and(|a| a.changed());
    }
    Ok(ReconcileResult {
        changed,
        expired: false,
    })
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
                Observation::Intent(IntentSnapshot::from(
                    &payments.cancel_unless_paid(intent.id.as_str()).await?,
                ))
            };
            transition::apply(pool, order_id, &observation, Cause::Reconciler).await?;
        }
        Ok(())
    };
    if let Err(e) = result.await {
        tracing::warn!(order = %order_id, error = ?e, "could not look for second intents of an order");
    }
}
