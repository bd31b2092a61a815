//! The customer pages' queries: accounts with their orders, read-only.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::{Currency, Money};
use crate::orders::Order;
use crate::schema::{orders, users};

/// An account as the customer list shows it.
#[derive(Debug, Clone, QueryableByName)]
pub struct CustomerRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: time::OffsetDateTime,
    #[diesel(sql_type = BigInt)]
    pub order_count: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_order_at: Option<time::OffsetDateTime>,
}

/// `search` as a case-insensitive "contains" pattern for `ILIKE`.
fn contains_pattern(search: &str) -> String {
    let escaped = search
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A page of accounts whose email contains `search`, the latest to order first (accounts that
/// never ordered last, newest first), and how many match in all.
pub async fn customers(
    conn: &mut AsyncPgConnection,
    search: &str,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<CustomerRow>, i64)> {
    let pattern = contains_pattern(search);
    let total = users::table
        .filter(users::email.ilike(pattern.clone()))
        .count()
        .get_result(conn)
        .await?;
    let rows = diesel::sql_query(
        "SELECT u.id, u.email, u.created_at, \
                count(o.id)::int8 AS order_count, max(o.created_at) AS last_order_at \
         FROM users u LEFT JOIN orders o ON o.user_id = u.id \
         WHERE u.email ILIKE $1 \
         GROUP BY u.id \
         ORDER BY max(o.created_at) DESC NULLS LAST, u.created_at DESC, u.id DESC \
         LIMIT $2 OFFSET $3",
    )
    .bind::<Text, _>(pattern)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await?;
    Ok((rows, total))
}

/// What each of these accounts paid, less what was refunded, in each currency they paid in.
pub async fn paid_by(
    conn: &mut AsyncPgConnection,
    user_ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<Money>>> {
    let rows: Vec<(Option<i64>, Currency, Option<i64>)> = orders::table
        .filter(orders::user_id.eq_any(user_ids))
        .filter(orders::amount_paid_minor.gt(0))
        .group_by((orders::user_id, orders::currency))
        .select((
            orders::user_id,
            orders::currency,
            diesel::dsl::sql::<Nullable<BigInt>>(
                "sum(orders.amount_paid_minor - orders.amount_refunded_minor)::int8",
            ),
        ))
        .order((orders::user_id, orders::currency))
        .load(conn)
        .await?;
    let mut paid: HashMap<i64, Vec<Money>> = HashMap::new();
    for (user_id, currency, minor) in rows {
        if let (Some(user_id), Some(minor)) = (user_id, minor) {
            paid.entry(user_id)
                .or_default()
                .push(Money::new(minor, currency));
        }
    }
    Ok(paid)
}

/// An account's email and when it was made.
pub async fn account(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<(String, time::OffsetDateTime)>> {
    users::table
        .find(id)
        .select((users::email, users::created_at))
        .first(conn)
        .await
        .optional()
}

/// The account's orders, newest first (at most `limit`), and how many it has in all.
pub async fn orders_of(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Order>, i64)> {
    let total = orders::table
        .filter(orders::user_id.eq(user_id))
        .count()
        .get_result(conn)
        .await?;
    let orders = orders::table
        .filter(orders::user_id.eq(user_id))
        .order((orders::created_at.desc(), orders::number.desc()))
        .limit(limit)
        .offset(offset)
        .select(Order::as_select())
        .load(conn)
        .await?;
    Ok((orders, total))
}
