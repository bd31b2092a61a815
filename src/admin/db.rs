//! The admin's queries: aggregates by payment status, the order list, an order's timeline
//! sources and refund requests (the one writer of `refund_requests`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::{Currency, PaymentStatus, RefundRequestStatus};
use crate::orders::Order;
use crate::schema::{orders, refund_requests, users};

/// Orders and amounts of one status (or of all, `status = None`) in three windows: placed
/// today (UTC), in the last 7 days and in the last 30 days.
#[derive(Debug, Clone, Default, QueryableByName)]
pub struct StatusRow {
    #[diesel(sql_type = Nullable<Text>)]
    pub status: Option<PaymentStatus>,
    #[diesel(sql_type = BigInt)]
    pub count_today: i64,
    #[diesel(sql_type = BigInt)]
    pub count_7d: i64,
    #[diesel(sql_type = BigInt)]
    pub count_30d: i64,
    #[diesel(sql_type = BigInt)]
    pub amount_today: i64,
    #[diesel(sql_type = BigInt)]
    pub amount_7d: i64,
    #[diesel(sql_type = BigInt)]
    pub amount_30d: i64,
    /// Paid minus refunded.
    #[diesel(sql_type = BigInt)]
    pub revenue_today: i64,
    #[diesel(sql_type = BigInt)]
    pub revenue_7d: i64,
    #[diesel(sql_type = BigInt)]
    pub revenue_30d: i64,
}

/// One row per status, plus a row with `status = None` over every status (the grand total).
pub async fn status_summary(
    conn: &mut AsyncPgConnection,
    currency: Currency,
) -> QueryResult<Vec<StatusRow>> {
    diesel::sql_query(
        "WITH windowed AS ( \
           SELECT status, total_minor, amount_paid_minor - amount_refunded_minor AS net, \
                  created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS today, \
                  created_at >= now() - interval '7 days' AS week \
           FROM orders \
           WHERE currency = $1 AND created_at >= now() - interval '30 days' \
         ) \
         SELECT status, \
           count(*) FILTER (WHERE today) AS count_today, \
           count(*) FILTER (WHERE week) AS count_7d, \
           count(*) AS count_30d, \
           coalesce(sum(total_minor) FILTER (WHERE today), 0)::int8 AS amount_today, \
           coalesce(sum(total_minor) FILTER (WHERE week), 0)::int8 AS amount_7d, \
           coalesce(sum(total_minor), 0)::int8 AS amount_30d, \
           coalesce(sum(net) FILTER (WHERE today), 0)::int8 AS revenue_today, \
           coalesce(sum(net) FILTER (WHERE week), 0)::int8 AS revenue_7d, \
           coalesce(sum(net), 0)::int8 AS revenue_30d \
         FROM windowed \
         GROUP BY GROUPING SETS ((status), ())",
    )
    .bind::<Text, _>(currency)
    .load(conn)
    .await
}

/// What the order list shows.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<PaymentStatus>,
    /// An order number (`1042` or `#1042`) or part of an email address.
    pub search: Option<String>,
}

fn filtered(filter: &OrderFilter) -> orders::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = orders::table.into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(orders::status.eq(*status));
    }
    if let Some(search) = &filter.search {
        let escaped = search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let email = orders::email.ilike(format!("%{escaped}%"));
        query = match search.trim_start_matches('#').parse::<i64>() {
            Ok(number) => query.filter(orders::number.eq(number).or(email)),
            Err(_) => query.filter(email),
        };
    }
    query
}

/// A page of orders, newest first, and how many match in all.
pub async fn list_orders(
    conn: &mut AsyncPgConnection,
    filter: &OrderFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Order>, i64)> {
    let total = filtered(filter).count().get_result(conn).await?;
    let orders = filtered(filter)
        .order((orders::created_at.desc(), orders::number.desc()))
        .limit(limit)
        .offset(offset)
        .select(Order::as_select())
        .load(conn)
        .await?;
    Ok((orders, total))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refund_requests)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct RefundRequest {
    pub id: i64,
    pub key: Uuid,
    pub order_id: Uuid,
    pub amount_minor: i64,
    pub restock: bool,
    pub restock_quantities: serde_json::Value,
    /// Which idempotency key sends it (see `payments::idempotency`).
    pub attempt: i32,
    pub status: RefundRequestStatus,
    pub stripe_refund_id: Option<String>,
    pub error: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = refund_requests)]
pub struct NewRefundRequest {
    pub key: Uuid,
    pub order_id: Uuid,
    pub admin_id: i64,
    pub amount_minor: i64,
    pub currency: Currency,
    pub restock: bool,
    pub restock_quantities: serde_json::Value,
}

/// `{"<order item id>": units}`, as `refund_requests.restock_quantities` keeps them.
pub fn restock_quantities_json(units: &[(i64, i32)]) -> serde_json::Value {
    serde_json::Value::Object(
        units
            .iter()
            .map(|(item, n)| (item.to_string(), serde_json::json!(n)))
            .collect(),
    )
}

/// The units a refund request asked to return, per order item.
pub fn restock_quantities_of(request: &RefundRequest) -> Vec<(i64, i32)> {
    request
        .restock_quantities
        .as_object()
        .map(|units| {
            units
                .iter()
                .filter_map(|(item, n)| {
                    Some((item.parse().ok()?, i32::try_from(n.as_i64()?).ok()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The order's refund requests with the email of the admin who made each.
pub async fn refund_requests_of_order(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
) -> QueryResult<Vec<(RefundRequest, Option<String>)>> {
    refund_requests::table
        .left_join(users::table)
        .filter(refund_requests::order_id.eq(order_id))
        .order(refund_requests::id.asc())
        .select((RefundRequest::as_select(), users::email.nullable()))
        .load(conn)
        .await
}

pub async fn refund_request_by_key(
    conn: &mut AsyncPgConnection,
    key: Uuid,
) -> QueryResult<Option<RefundRequest>> {
    refund_requests::table
        .filter(refund_requests::key.eq(key))
        .select(RefundRequest::as_select())
        .first(conn)
        .await
        .optional()
}

/// Records the request once; a second submission of the same form finds the first.
pub async fn insert_refund_request(
    conn: &mut AsyncPgConnection,
    new: &NewRefundRequest,
) -> QueryResult<RefundRequest> {
    diesel::insert_into(refund_requests::table)
        .values(new)
        .on_conflict(refund_requests::key)
        .do_nothing()
        .execute(conn)
        .await?;
    refund_requests::table
        .filter(refund_requests::key.eq(new.key))
        .select(RefundRequest::as_select())
        .first(conn)
        .await
}

pub async fn finish_refund_request(
    conn: &mut AsyncPgConnection,
    id: i64,
    status: RefundRequestStatus,
    stripe_refund_id: Option<&str>,
    error: Option<&str>,
) -> QueryResult<()> {
    diesel::update(refund_requests::table.find(id))
        .set((
            refund_requests::status.eq(status),
            refund_requests::stripe_refund_id.eq(stripe_refund_id),
            refund_requests::error.eq(error),
            refund_requests::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The request of this order that was sent to Stripe without an answer, if any: its form is
/// offered again with the same key, so that retrying it cannot refund twice.
pub async fn unanswered_refund_request(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
) -> QueryResult<Option<RefundRequest>> {
    refund_requests::table
        .filter(refund_requests::order_id.eq(order_id))
        .filter(refund_requests::status.eq(RefundRequestStatus::Requested))
        .order(refund_requests::id.desc())
        .select(RefundRequest::as_select())
        .first(conn)
        .await
        .optional()
}

/// Moves an unanswered request to its next idempotency key after Stripe answered attempt
/// `from` with an error of its own; `false` when another submission moved it already.
pub async fn next_refund_attempt(
    conn: &mut AsyncPgConnection,
    id: i64,
    from: i32,
) -> QueryResult<bool> {
    diesel::update(
        refund_requests::table
            .find(id)
            .filter(refund_requests::attempt.eq(from))
            .filter(refund_requests::status.eq(RefundRequestStatus::Requested)),
    )
    .set(refund_requests::attempt.eq(from + 1))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Whether this refund actually put the items back (the request only asked for it).
pub async fn set_refund_restocked(
    conn: &mut AsyncPgConnection,
    id: i64,
    restocked: bool,
) -> QueryResult<()> {
    diesel::update(refund_requests::table.find(id))
        .set(refund_requests::restock.eq(restocked))
        .execute(conn)
        .await
        .map(drop)
}
