//! The disputes Stripe reports for an order's payment, one row per Stripe dispute (table
//! `disputes`), from webhooks (`charge.dispute.*`) and from Stripe's list of a payment's
//! disputes (the reconciler). A decided dispute is never reopened by an older report
//! ([`DisputeStatus::may_become`]).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::stripe::DisputeSnapshot;
use crate::domain::{Currency, DisputeStatus};
use crate::schema::disputes;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disputes)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct DisputeRow {
    pub id: String,
    pub amount_minor: i64,
    pub reason: String,
    pub status: DisputeStatus,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Records what Stripe reports of an order's disputes; `true` when something changed. Call it
/// inside the transaction that locks the order.
pub async fn record(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    reported: &[DisputeSnapshot],
) -> QueryResult<bool> {
    let mut changed = false;
    for dispute in reported {
        let known: Option<DisputeStatus> = disputes::table
            .find(&dispute.id)
            .select(disputes::status)
            .for_update()
            .first(conn)
            .await
            .optional()?;
        match known {
            None => {
                changed |= diesel::insert_into(disputes::table)
                    .values((
                        disputes::id.eq(&dispute.id),
                        disputes::order_id.eq(order_id),
                        disputes::amount_minor.eq(dispute.amount),
                        disputes::currency.eq(dispute.currency),
                        disputes::reason.eq(&dispute.reason),
                        disputes::status.eq(dispute.status),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?
                    > 0;
            }
            Some(status) if status.may_become(dispute.status) => {
                diesel::update(disputes::table.find(&dispute.id))
                    .set((
                        disputes::status.eq(dispute.status),
                        disputes::amount_minor.eq(dispute.amount),
                        disputes::updated_at.eq(diesel::dsl::now),
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

pub async fn of_order(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
) -> QueryResult<Vec<DisputeRow>> {
    disputes::table
        .filter(disputes::order_id.eq(order_id))
        .order(disputes::created_at.asc())
        .select(DisputeRow::as_select())
        .load(conn)
        .await
}

/// Open disputes of orders in `currency`: how many orders, and the amount at stake.
pub async fn at_stake(conn: &mut AsyncPgConnection, currency: Currency) -> QueryResult<(i64, i64)> {
    let open: Vec<DisputeStatus> = DisputeStatus::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .collect();
    let rows: Vec<(Uuid, i64)> = disputes::table
        .filter(disputes::status.eq_any(open))
        .filter(disputes::currency.eq(currency))
        .select((disputes::order_id, disputes::amount_minor))
        .load(conn)
        .await?;
    let mut orders: Vec<Uuid> = rows.iter().map(|(order, _)| *order).collect();
    orders.sort_unstable();
    orders.dedup();
    Ok((orders.len() as i64, rows.iter().map(|(_, a)| a).sum()))
}
