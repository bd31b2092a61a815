use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::{Currency, EventCause, PaymentStatus};
use crate::schema::{order_events, order_items, orders};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orders)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Order {
    pub id: Uuid,
    pub number: i64,
    pub user_id: Option<i64>,
    pub cart_id: Option<Uuid>,
    pub email: String,
    pub status: PaymentStatus,
    pub currency: Currency,
    pub total_minor: i64,
    pub amount_paid_minor: i64,
    pub amount_refunded_minor: i64,
    pub payment_intent_id: Option<String>,
    pub last_payment_error: Option<String>,
    pub reserved_until: OffsetDateTime,
    pub stock_released: bool,
    pub created_at: OffsetDateTime,
    /// Which idempotency key creates the order's PaymentIntent (see `payments::idempotency`).
    pub intent_attempt: i32,
    /// The reconciler's next look at the order; `None` once it is not watched any more.
    pub next_check_at: Option<OffsetDateTime>,
    /// Looks in a row that found nothing new (the reconciler's backoff).
    pub checks: i32,
    pub checked_at: Option<OffsetDateTime>,
    pub paid_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = orders)]
pub struct NewOrder<'a> {
    pub id: Uuid,
    pub user_id: Option<i64>,
    pub cart_id: Option<Uuid>,
    pub email: &'a str,
    pub currency: Currency,
    pub total_minor: i64,
    pub reserved_until: OffsetDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_items)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct OrderItem {
    pub product_id: i64,
    pub product_name: String,
    pub unit_price_minor: i64,
    pub quantity: i32,
    /// Units of it already put back on the shelf.
    pub restocked: i32,
}

impl OrderItem {
    /// Units that can still go back on the shelf.
    pub fn restockable(&self) -> i32 {
        self.quantity - self.restocked
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = order_items)]
pub struct NewOrderItem<'a> {
    pub order_id: Uuid,
    pub product_id: i64,
    pub product_name: &'a str,
    pub unit_price_minor: i64,
    pub quantity: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = order_events)]
pub struct NewOrderEvent<'a> {
    pub order_id: Uuid,
    pub from_status: Option<PaymentStatus>,
    pub to_status: PaymentStatus,
    pub applied: bool,
    pub cause: EventCause,
    pub stripe_event_id: Option<&'a str>,
    pub note: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_events)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct OrderEvent {
    pub from_status: Option<PaymentStatus>,
    pub to_status: PaymentStatus,
    pub applied: bool,
    pub cause: EventCause,
    pub stripe_event_id: Option<String>,
    pub note: Option<String>,
    pub created_at: OffsetDateTime,
}

impl Order {
    pub fn status(&self) -> PaymentStatus {
        self.status
    }
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Order>> {
    orders::table
        .find(id)
        .select(Order::as_select())
        .first(conn)
        .await
        .optional()
}

/// The order, locked until the transaction ends: every status change goes through this lock.
pub async fn find_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Order>> {
    orders::table
        .find(id)
        .select(Order::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn by_payment_intent(
    conn: &mut AsyncPgConnection,
    payment_intent_id: &str,
) -> QueryResult<Option<Order>> {
    orders::table
        .filter(orders::payment_intent_id.eq(payment_intent_id))
        .select(Order::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn items(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<Vec<OrderItem>> {
    order_items::table
        .filter(order_items::order_id.eq(order_id))
        .order(order_items::id.asc())
        .select(OrderItem::as_select())
        .load(conn)
        .await
}

pub async fn events(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<Vec<OrderEvent>> {
    order_events::table
        .filter(order_events::order_id.eq(order_id))
        .order(order_events::id.asc())
        .select(OrderEvent::as_select())
        .load(conn)
        .await
}

pub async fn for_user(conn: &mut AsyncPgConnection, user_id: i64) -> QueryResult<Vec<Order>> {
    orders::table
        .filter(orders::user_id.eq(user_id))
        .order(orders::created_at.desc())
        .select(Order::as_select())
        .limit(100)
        .load(conn)
        .await
}

/// The newest order placed from this cart that still waits for its payment.
pub async fn open_order_for_cart(
    conn: &mut AsyncPgConnection,
    cart_id: Uuid,
) -> QueryResult<Option<Order>> {
    orders::table
        .filter(orders::cart_id.eq(cart_id))
        .filter(orders::status.eq_any(PaymentStatus::AWAITING_PAYMENT))
        .order(orders::created_at.desc())
        .select(Order::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    order: &NewOrder<'_>,
    items: &[NewOrderItem<'_>],
) -> QueryResult<Order> {
    let order = diesel::insert_into(orders::table)
        .values(order)
        .returning(Order::as_returning())
        .get_result(conn)
        .await?;
    diesel::insert_into(order_items::table)
        .values(items)
        .execute(conn)
        .await?;
    Ok(order)
}

/// Records the PaymentIntent of an order that has none yet; `false` if it already had one.
pub async fn attach_payment_intent(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    payment_intent_id: &str,
) -> QueryResult<bool> {
    let updated = diesel::update(
        orders::table
            .find(order_id)
            .filter(orders::payment_intent_id.is_null()),
    )
    .set((
        orders::payment_intent_id.eq(payment_intent_id),
        orders::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Moves the order to its next intent-creation attempt after Stripe answered attempt `from`
/// with an error; `false` when another request moved it already (or the order has an intent).
pub async fn next_intent_attempt(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    from: i32,
) -> QueryResult<bool> {
    let updated = diesel::update(
        orders::table
            .find(order_id)
            .filter(orders::intent_attempt.eq(from))
            .filter(orders::payment_intent_id.is_null()),
    )
    .set(orders::intent_attempt.eq(from + 1))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// The reconciler's next look at the order (`None`: not watched any more), after a look that
/// found something new (`checks` 0) or nothing (`checks` counts them).
pub async fn schedule_check(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    next: Option<OffsetDateTime>,
    checks: i32,
) -> QueryResult<()> {
    diesel::update(orders::table.find(order_id))
        .set((
            orders::next_check_at.eq(next),
            orders::checks.eq(checks),
            orders::checked_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn record_event(
    conn: &mut AsyncPgConnection,
    event: &NewOrderEvent<'_>,
) -> QueryResult<()> {
    diesel::insert_into(order_events::table)
        .values(event)
        .execute(conn)
        .await
        .map(drop)
}

/// Puts every unit of the order still out back on the shelf (a cancellation); `false` when
/// they were all back already. Call it inside a transaction.
pub async fn release_stock(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<bool> {
    let out: Vec<(i64, i32)> = order_items::table
        .filter(order_items::order_id.eq(order_id))
        .select((
            order_items::product_id,
            order_items::quantity - order_items::restocked,
        ))
        .load(conn)
        .await?;
    let returned = restock_items(conn, order_id, &out).await?;
    Ok(returned.iter().any(|(_, units)| *units > 0))
}

/// Puts back up to `wanted` units (product id, units) of the order's items — never more than
/// an item has still out, so a repeated or concurrent call returns nothing twice — and returns
/// what went back. Once every unit is back, the order says so (`stock_released`). Call it
/// inside a transaction.
pub async fn restock_items(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    wanted: &[(i64, i32)],
) -> QueryResult<Vec<(i64, i32)>> {
    // Locked in product order, as checkout locks products, so that the two cannot deadlock.
    let items: Vec<(i64, i64, i32, i32)> = order_items::table
        .filter(order_items::order_id.eq(order_id))
        .order(order_items::product_id.asc())
        .select((
            order_items::id,
            order_items::product_id,
            order_items::quantity,
            order_items::restocked,
        ))
        .for_update()
        .load(conn)
        .await?;
    let mut returned = Vec::new();
    let mut all_back = true;
    for (item_id, product_id, quantity, restocked) in items {
        let asked: i32 = wanted
            .iter()
            .filter(|(p, _)| *p == product_id)
            .map(|(_, units)| (*units).max(0))
            .sum();
        let units = asked.min(quantity - restocked);
        if units > 0 {
            diesel::update(order_items::table.find(item_id))
                .set(order_items::restocked.eq(order_items::restocked + units))
                .execute(conn)
                .await?;
            crate::catalog::db::add_stock(conn, product_id, units).await?;
            returned.push((product_id, units));
        }
        all_back &= restocked + units == quantity;
    }
    if all_back {
        diesel::update(orders::table.find(order_id))
            .set(orders::stock_released.eq(true))
            .execute(conn)
            .await?;
    }
    Ok(returned)
}
