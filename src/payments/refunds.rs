//! The refunds Stripe reports for an order's payment, one row per Stripe refund (table
//! `refunds`). Reports arrive in any order and more than once, from webhooks
//! (`refund.created`, `refund.updated`, `refund.failed`), from Stripe's list of a payment's
//! refunds (read on `charge.refunded`, by the reconciler and by the admin's re-run) and from
//! the admin's own refund requests; a row only ever moves forward ([`RefundStatus::may_become`]),
//! so the order's refunded amount is the same whatever the order of arrival.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::stripe::RefundSnapshot;
use crate::domain::RefundStatus;
use crate::schema::refunds;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refunds)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct RefundRow {
    pub id: String,
    pub amount_minor: i64,
    pub status: RefundStatus,
    pub failure_reason: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Records what Stripe reports of an order's refunds; `true` when something changed. With
/// `complete` (Stripe's whole list), the single row that stood for refunds made before this
/// table existed gives way to the real ones. Call it inside the transaction that locks the
/// order.
pub async fn record(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    reported: &[RefundSnapshot],
    complete: bool,
) -> QueryResult<bool> {
    let mut changed = false;
    if complete {
        changed |= diesel::delete(
            refunds::table
                .filter(refunds::order_id.eq(order_id))
                .filter(refunds::id.like("legacy\\_%")),
        )
        .execute(conn)
        .await?
            > 0;
    }
    for refund in reported {
        let known: Option<RefundStatus> = refunds::table
            .find(&refund.id)
            .select(refunds::status)
            .for_update()
            .first(conn)
            .await
            .optional()?;
        match known {
            None => {
                let inserted = diesel::insert_into(refunds::table)
                    .values((
                        refunds::id.eq(&refund.id),
                        refunds::order_id.eq(order_id),
                        refunds::amount_minor.eq(refund.amount),
                        refunds::currency.eq(refund.currency),
                        refunds::status.eq(refund.status),
                        refunds::failure_reason.eq(&refund.failure_reason),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                changed |= inserted > 0;
            }
            Some(status) if status.may_become(refund.status) => {
                diesel::update(refunds::table.find(&refund.id))
                    .set((
                        refunds::status.eq(refund.status),
                        refunds::failure_reason.eq(&refund.failure_reason),
                        refunds::updated_at.eq(diesel::dsl::now),
                    ))
                    .execute(conn)
                    .await?;
                changed = true;
            }
            Some(_) => {}
        }
    }
    Ok(changed)
}

/// What has been refunded of the order's payment, or is on its way back.
pub async fn counted_total(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<i64> {
    let counting: Vec<RefundStatus> = RefundStatus::ALL
        .into_iter()
        .filter(|s| s.counts())
        .collect();
    let amounts: Vec<i64> = refunds::table
        .filter(refunds::order_id.eq(order_id))
        .filter(refunds::status.eq_any(counting))
        .select(refunds::amount_minor)
        .load(conn)
        .await?;
    Ok(amounts.iter().sum())
}

pub async fn of_order(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<Vec<RefundRow>> {
    refunds::table
        .filter(refunds::order_id.eq(order_id))
        .order(refunds::created_at.asc())
        .select(RefundRow::as_select())
        .load(conn)
        .await
}
