//! The reconciler's look at memberships: each one that has not ended is read from Stripe on its
//! own schedule (`club_subscriptions.next_check_at`), with its invoices, and what Stripe has is
//! applied through [`super::sync`]. So a lost `invoice.paid` or `customer.subscription.updated`
//! is found without its webhook. Called by the payments reconciler under its lock.

use std::time::Duration;

use time::OffsetDateTime;

use super::db;
use super::snapshot::{InvoiceSnapshot, SubscriptionSnapshot};
use super::sync::{Cause, ClubObservation, Effect};
use crate::db::DbPool;
use crate::payments::Payments;

const BATCH: i64 = 100;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ClubSweep {
    pub checked: usize,
    pub changed: usize,
    pub failed: usize,
}

/// Looks at every membership that is due; `soon` after a change, `later` when nothing changed.
pub async fn sweep(
    pool: &DbPool,
    payments: &Payments,
    soon: Duration,
    later: Duration,
) -> anyhow::Result<ClubSweep> {
    let due = {
        let mut conn = pool.get().await?;
        db::due_for_check(&mut conn, BATCH).await?
    };
    let mut report = ClubSweep::default();
    for membership in due {
        report.checked += 1;
        let changed = match look(pool, payments, &membership.id).await {
            Ok(changed) => changed,
            Err(e) => {
                report.failed += 1;
                tracing::warn!(subscription = %membership.id, error = ?e, "could not reconcile a membership");
                false
            }
        };
        report.changed += usize::from(changed);
        let wait = if changed { soon } else { later };
        let next = OffsetDateTime::now_utc() + wait;
        let mut conn = pool.get().await?;
        // An ended membership is not looked at again.
        if let Some(now) = db::find(&mut conn, &membership.id).await? {
            let at = (!now.status.is_final()).then_some(next);
            db::schedule_check(&mut conn, &membership.id, at).await?;
        }
    }
    Ok(report)
}

/// Reads one membership and its invoices from Stripe and applies them; whether anything changed.
async fn look(pool: &DbPool, payments: &Payments, id: &str) -> anyhow::Result<bool> {
    let subscription = payments.retrieve_subscription(id).await?;
    let Some(snapshot) = SubscriptionSnapshot::from_stripe(&subscription) else {
        return Ok(false);
    };
    let mut said = vec![ClubObservation::Subscription(snapshot)];
    let mut invoices = payments.invoices_of(id).await?;
    // Oldest first, so the timeline reads in order.
    invoices.sort_by_key(|i| i.created);
    said.extend(
        invoices
            .iter()
            .filter_map(InvoiceSnapshot::from_stripe)
            .map(ClubObservation::Invoice),
    );
    let effect = super::apply(pool, payments, &said, Cause::Reconciler).await?;
    Ok(effect == Effect::Changed)
}
