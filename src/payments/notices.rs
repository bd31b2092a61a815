//! What a shopper is told when their order's payment changes: the emails the transition writes
//! to the outbox, in its own transaction, under the order's lock. Each is keyed by what it
//! announces, so a replayed webhook, the return page and the reconciler reporting the same
//! change write it once between them (the lock already makes only one of them see the change;
//! the key makes sure of it).

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::refunds;
use crate::domain::PaymentStatus;
use crate::orders::db::Order;
use crate::outbox::{self, FailureFacts, Kind, NewMail, RefundFacts};

/// A failed payment's notice waits this long, and is withdrawn if the order is paid or
/// cancelled meanwhile: a shopper who tries another card at once gets no "did not go through"
/// after their confirmation.
pub const FAILED_NOTICE_DELAY: time::Duration = time::Duration::minutes(10);

fn confirmation_key(order: &Order) -> String {
    format!("order-confirmation:{}", order.id)
}

fn failed_key(order: &Order) -> String {
    format!("payment-failed:{}", order.id)
}

fn notice<'a>(order: &'a Order, key: String, kind: Kind) -> NewMail<'a> {
    NewMail {
        key,
        kind,
        recipient: &order.email,
        order_id: Some(order.id),
        facts: serde_json::json!({}),
        written: None,
        send_after: None,
    }
}

/// The order's payment status moved to `to` (`reason`: Stripe's words for a failure).
pub(super) async fn status_changed(
    conn: &mut AsyncPgConnection,
    order: &Order,
    to: PaymentStatus,
    reason: Option<&str>,
) -> QueryResult<()> {
    match to {
        PaymentStatus::Paid => paid(conn, order).await,
        PaymentStatus::Failed => failed(conn, order, reason).await,
        PaymentStatus::Cancelled => cancelled(conn, order).await,
        _ => Ok(()),
    }
}

/// The order was paid: its confirmation (once per order, ever).
async fn paid(conn: &mut AsyncPgConnection, order: &Order) -> QueryResult<()> {
    outbox::enqueue(
        conn,
        &notice(order, confirmation_key(order), Kind::OrderConfirmation),
    )
    .await?;
    outbox::db::withdraw(conn, &failed_key(order))
        .await
        .map(drop)
}

/// A payment attempt failed: one notice per order, sent [`FAILED_NOTICE_DELAY`] after the last
/// failure with its reason, unless the order is paid or cancelled first.
async fn failed(
    conn: &mut AsyncPgConnection,
    order: &Order,
    reason: Option<&str>,
) -> QueryResult<()> {
    let facts = FailureFacts {
        reason: reason.map(str::to_owned),
    };
    let mut mail = notice(order, failed_key(order), Kind::PaymentFailed);
    mail.facts = serde_json::to_value(facts).unwrap_or_default();
    mail.send_after = Some(OffsetDateTime::now_utc() + FAILED_NOTICE_DELAY);
    outbox::db::enqueue_or_postpone(conn, &mail).await
}

/// The order was cancelled: a failed payment's notice that has not gone stays unsent.
async fn cancelled(conn: &mut AsyncPgConnection, order: &Order) -> QueryResult<()> {
    outbox::db::withdraw(conn, &failed_key(order))
        .await
        .map(drop)
}

/// More of the order was refunded (`before` → `after`): a notice for the refunds that now
/// count, keyed by them, so the same refunds never make two notices.
pub(super) async fn refunded(
    conn: &mut AsyncPgConnection,
    order: &Order,
    before: i64,
    after: i64,
) -> QueryResult<()> {
    let mut counted: Vec<String> = refunds::of_order(conn, order.id)
        .await?
        .into_iter()
        .filter(|r| r.status.counts())
        .map(|r| r.id)
        .collect();
    counted.sort();
    let digest = Sha256::digest(counted.join(",").as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    let facts = RefundFacts {
        refunded_minor: after - before,
        total_refunded_minor: after,
    };
    let mut mail = notice(order, format!("refund:{}:{hex}", order.id), Kind::Refund);
    mail.facts = serde_json::to_value(facts).unwrap_or_default();
    outbox::enqueue(conn, &mail).await.map(drop)
}
