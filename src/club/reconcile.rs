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
    let mut report = ClubSweep::default();
    checkouts(pool, payments, soon, later, &mut report).await?;
    let due = {
        let mut conn = pool.get().await?;
        db::due_for_check(&mut conn, BATCH).await?
    };
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

/// How long Stripe keeps a Checkout Session open (24 hours at most), and a margin.
const CHECKOUT_LIFETIME: time::Duration = time::Duration::hours(25);

/// Membership checkouts the shop opened that no webhook or return page has closed: each is read
/// from Stripe, and a completed one's subscription is applied (found even when the member
/// closed the tab and every webhook was lost).
async fn checkouts(
    pool: &DbPool,
    payments: &Payments,
    soon: Duration,
    later: Duration,
    report: &mut ClubSweep,
) -> anyhow::Result<()> {
    let due = {
        let mut conn = pool.get().await?;
        db::due_checkouts(&mut conn, BATCH).await?
    };
    for (session_id, _user, created_at) in due {
        report.checked += 1;
        let looked = look_at_checkout(pool, payments, &session_id).await;
        let (done, changed) = match looked {
            Ok(found) => found,
            Err(e) => {
                report.failed += 1;
                tracing::warn!(session = %session_id, error = ?e, "could not reconcile a membership checkout");
                (false, false)
            }
        };
        report.changed += usize::from(changed);
        let now = OffsetDateTime::now_utc();
        let next = (!done && now < created_at + CHECKOUT_LIFETIME)
            .then(|| now + if changed { soon } else { later });
        let mut conn = pool.get().await?;
        db::schedule_checkout(&mut conn, &session_id, next).await?;
    }
    Ok(())
}

/// Whether the session is over (complete or expired), and whether applying it changed anything.
pub(super) async fn look_at_checkout(
    pool: &DbPool,
    payments: &Payments,
    session_id: &str,
) -> anyhow::Result<(bool, bool)> {
    use stripe_shared::CheckoutSessionStatus;
    let session = payments.retrieve_checkout_session(session_id).await?;
    let Some(subscription) = &session.subscription else {
        return Ok((session.status != Some(CheckoutSessionStatus::Open), false));
    };
    let subscription = payments
        .retrieve_subscription(subscription.id().as_str())
        .await?;
    let said = super::observe::with_latest_invoice(payments, &subscription).await?;
    let effect = super::apply(pool, payments, &said, Cause::Reconciler).await?;
    Ok((true, effect == Effect::Changed))
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
