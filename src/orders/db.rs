//! Orders and what belongs to them: the one writer of `orders`, `order_items`, `order_events`
//! and `order_origins`. Only the transition function moves an order's status (`set_status`,
//! `set_cancelled`, `settle`); stock is put back by [`crate::stock`], which counts it here.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::prepared;
use crate::domain::{Currency, EventCause, Money, PaymentStatus};
use crate::schema::{order_events, order_items, order_origins, orders};

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
    /// Where it goes (all set, or none for orders placed before shipping existed).
    pub ship_name: Option<String>,
    pub ship_line1: Option<String>,
    pub ship_line2: Option<String>,
    pub ship_city: Option<String>,
    pub ship_postal_code: Option<String>,
    pub ship_country: Option<String>,
    /// The shipping method chosen, and its name then.
    pub shipping_method_code: Option<String>,
    pub shipping_method_name: Option<String>,
    /// What shipping cost; part of `total_minor`.
    pub shipping_minor: i64,
    /// The destination's tax then ("VAT", 2000 = 20 %); none where no tax was charged.
    pub tax_name: Option<String>,
    pub tax_rate_bp: Option<i32>,
    /// The tax on shipping, part of `tax_minor`.
    pub shipping_tax_minor: i64,
    /// The lines' tax and the shipping's; part of `total_minor`.
    pub tax_minor: i64,
    /// The discount code the order holds, and what it took off the items.
    pub discount_code: Option<String>,
    pub discount_minor: i64,
    /// The Checkout Session of an order paid on Stripe's hosted page (its intent is then
    /// `payment_intent_id`, once Stripe made it).
    pub checkout_session_id: Option<String>,
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
    pub ship_name: &'a str,
    pub ship_line1: &'a str,
    pub ship_line2: Option<&'a str>,
    pub ship_city: &'a str,
    pub ship_postal_code: &'a str,
    pub ship_country: &'a str,
    pub shipping_method_code: &'a str,
    pub shipping_method_name: &'a str,
    pub shipping_minor: i64,
    pub tax_name: Option<&'a str>,
    pub tax_rate_bp: Option<i32>,
    pub shipping_tax_minor: i64,
    pub tax_minor: i64,
    pub discount_code: Option<&'a str>,
    pub discount_minor: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_items)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct OrderItem {
    pub id: i64,
    pub product_id: i64,
    pub variant_id: Option<i64>,
    /// The line's name as sold, the variant's included ("Merino jumper — M").
    pub product_name: String,
    pub variant_name: Option<String>,
    pub unit_price_minor: i64,
    pub quantity: i32,
    /// Units of it already put back on the shelf.
    pub restocked: i32,
    /// The tax on this line (its unit price × quantity at the order's rate).
    pub tax_minor: i64,
    /// The small size of the product's first image now.
    #[diesel(select_expression = crate::catalog::db::small_cover_of(crate::catalog::db::LinesTable::OrderItems))]
    #[diesel(select_expression_type = crate::catalog::db::SmallCover)]
    pub small_image_path: Option<String>,
}

impl OrderItem {
    /// Units that can still go back on the shelf.
    pub fn restockable(&self) -> i32 {
        self.quantity - self.restocked
    }
}

/// An item as the stock module reads it to put units back.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_items)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct LockedItem {
    pub id: i64,
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub quantity: i32,
    pub restocked: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = order_items)]
pub struct NewOrderItem<'a> {
    pub order_id: Uuid,
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub product_name: &'a str,
    pub variant_name: Option<&'a str>,
    pub unit_price_minor: i64,
    pub quantity: i32,
    pub tax_minor: i64,
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

impl Order {
    fn currency_code(&self) -> Currency {
        self.currency
    }

    pub fn total(&self) -> Money {
        Money::new(self.total_minor, self.currency_code())
    }

    pub fn tax(&self) -> Money {
        Money::new(self.tax_minor, self.currency_code())
    }

    pub fn shipping(&self) -> Money {
        Money::new(self.shipping_minor, self.currency_code())
    }

    /// The shipping address as it is printed on a parcel, a line each; empty for orders
    /// placed before shipping existed.
    pub fn address_lines(&self) -> Vec<String> {
        let Some(name) = &self.ship_name else {
            return Vec::new();
        };
        let country = self.ship_country.as_deref().unwrap_or_default();
        let country = crate::domain::Country::from_code(country)
            .map_or_else(|| country.to_owned(), |c| c.name().to_owned());
        let town = format!(
            "{} {}",
            self.ship_postal_code.as_deref().unwrap_or_default(),
            self.ship_city.as_deref().unwrap_or_default()
        );
        [
            Some(name.clone()),
            self.ship_line1.clone(),
            self.ship_line2.clone(),
        ]
        .into_iter()
        .flatten()
        .chain([town.trim().to_owned(), country])
        .collect()
    }

    pub fn amount_paid(&self) -> Money {
        Money::new(self.amount_paid_minor, self.currency_code())
    }

    pub fn amount_refunded(&self) -> Money {
        Money::new(self.amount_refunded_minor, self.currency_code())
    }

    /// What the shopper reads as the order's state; a paid-but-unconfirmed order reads
    /// "Processing" rather than "Awaiting payment" on the success page.
    pub fn status_label(&self) -> &'static str {
        self.status().label()
    }

    pub fn placed_on(&self) -> String {
        let format = time::macros::format_description!("[day] [month repr:short] [year]");
        self.created_at.format(&format).unwrap_or_default()
    }
}

impl OrderItem {
    pub fn unit_price(&self, order: &Order) -> Money {
        Money::new(self.unit_price_minor, order.currency_code())
    }

    pub fn line_total(&self, order: &Order) -> Money {
        Money::new(
            self.unit_price_minor * i64::from(self.quantity),
            order.currency_code(),
        )
    }
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Order>> {
    prepared(orders::table.find(id).select(Order::as_select()).limit(1))
        .get_result(conn)
        .await
        .optional()
}

/// The order, locked until the transaction ends: every status change goes through this lock.
pub async fn find_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Order>> {
    prepared(
        orders::table
            .find(id)
            .select(Order::as_select())
            .for_update()
            .limit(1),
    )
    .get_result(conn)
    .await
    .optional()
}

pub async fn by_payment_intent(
    conn: &mut AsyncPgConnection,
    payment_intent_id: &str,
) -> QueryResult<Option<Order>> {
    prepared(
        orders::table
            .filter(orders::payment_intent_id.eq(payment_intent_id))
            .select(Order::as_select())
            .limit(1),
    )
    .get_result(conn)
    .await
    .optional()
}

/// The order of this PaymentIntent, locked until the transaction ends.
pub async fn by_payment_intent_for_update(
    conn: &mut AsyncPgConnection,
    payment_intent_id: &str,
) -> QueryResult<Option<Order>> {
    prepared(
        orders::table
            .filter(orders::payment_intent_id.eq(payment_intent_id))
            .select(Order::as_select())
            .for_update()
            .limit(1),
    )
    .get_result(conn)
    .await
    .optional()
}

/// The address a signed-in shopper's latest order went to, to offer it again.
pub async fn last_address(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> QueryResult<Option<crate::domain::AddressForm>> {
    let row: Option<(String, String, Option<String>, String, String, String)> = orders::table
        .filter(orders::user_id.eq(user_id))
        .filter(orders::ship_name.is_not_null())
        .order(orders::created_at.desc())
        .select((
            orders::ship_name.assume_not_null(),
            orders::ship_line1.assume_not_null(),
            orders::ship_line2,
            orders::ship_city.assume_not_null(),
            orders::ship_postal_code.assume_not_null(),
            orders::ship_country.assume_not_null(),
        ))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(
        |(ship_name, ship_line1, ship_line2, ship_city, ship_postal_code, ship_country)| {
            crate::domain::AddressForm {
                ship_name,
                ship_line1,
                ship_line2: ship_line2.unwrap_or_default(),
                ship_city,
                ship_postal_code,
                ship_country,
            }
        },
    ))
}

pub async fn items(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<Vec<OrderItem>> {
    prepared(
        order_items::table
            .filter(order_items::order_id.eq(order_id))
            .order(order_items::id.asc())
            .select(OrderItem::as_select()),
    )
    .load(conn)
    .await
}

pub async fn events(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<Vec<OrderEvent>> {
    prepared(
        order_events::table
            .filter(order_events::order_id.eq(order_id))
            .order(order_events::id.asc())
            .select(OrderEvent::as_select()),
    )
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

/// `orders.status` is one that awaits payment ([`PaymentStatus::AWAITING_PAYMENT`]), written
/// as the predicate of the partial index `orders_one_open_per_cart`: with the statuses as bind
/// values, PostgreSQL cannot use that index in a prepared statement's generic plan and plans
/// the query again on every call.
pub fn awaits_payment() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql(AWAITING_PAYMENT_SQL)
}

const AWAITING_PAYMENT_SQL: &str = "orders.status IN ('pending', 'requires_action', 'failed')";

/// The newest order placed from this cart that still waits for its payment.
pub async fn open_order_for_cart(
    mut conn: &AsyncPgConnection,
    cart_id: Uuid,
) -> QueryResult<Option<Order>> {
    prepared(
        orders::table
            .filter(orders::cart_id.eq(cart_id))
            .filter(awaits_payment())
            .order(orders::created_at.desc())
            .select(Order::as_select())
            .limit(1),
    )
    .get_result(&mut conn)
    .await
    .optional()
}

pub async fn insert(mut conn: &AsyncPgConnection, order: &NewOrder<'_>) -> QueryResult<Order> {
    prepared(
        diesel::insert_into(orders::table)
            .values(order)
            .returning(Order::as_returning()),
    )
    .get_result(&mut conn)
    .await
}

/// Writes the order's items, one statement each, sent together: one statement of fixed shape
/// stays prepared, where a statement of all the rows would be parsed and planned every time.
pub async fn insert_items(conn: &AsyncPgConnection, items: &[NewOrderItem<'_>]) -> QueryResult<()> {
    futures_util::future::try_join_all(items.iter().map(|item| async move {
        prepared(diesel::insert_into(order_items::table).values(item))
            .execute(&mut &*conn)
            .await
    }))
    .await
    .map(drop)
}

pub async fn by_checkout_session(
    conn: &mut AsyncPgConnection,
    checkout_session_id: &str,
) -> QueryResult<Option<Order>> {
    prepared(
        orders::table
            .filter(orders::checkout_session_id.eq(checkout_session_id))
            .select(Order::as_select())
            .limit(1),
    )
    .get_result(conn)
    .await
    .optional()
}

/// Records the Checkout Session of an order that has neither a session nor an intent of its
/// own; `false` otherwise (an order is paid through one or the other).
pub async fn attach_checkout_session(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    checkout_session_id: &str,
) -> QueryResult<bool> {
    let updated = prepared(
        diesel::update(
            orders::table
                .find(order_id)
                .filter(orders::checkout_session_id.is_null())
                .filter(orders::payment_intent_id.is_null()),
        )
        .set((
            orders::checkout_session_id.eq(checkout_session_id),
            orders::updated_at.eq(diesel::dsl::now),
        )),
    )
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Records the PaymentIntent of an order that has none yet; `false` if it already had one.
pub async fn attach_payment_intent(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    payment_intent_id: &str,
) -> QueryResult<bool> {
    let updated = prepared(
        diesel::update(
            orders::table
                .find(order_id)
                .filter(orders::payment_intent_id.is_null()),
        )
        .set((
            orders::payment_intent_id.eq(payment_intent_id),
            orders::updated_at.eq(diesel::dsl::now),
        )),
    )
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
    prepared(diesel::update(orders::table.find(order_id)).set((
        orders::next_check_at.eq(next),
        orders::checks.eq(checks),
        orders::checked_at.eq(diesel::dsl::now),
    )))
    .execute(conn)
    .await
    .map(drop)
}

pub async fn record_event(
    mut conn: &AsyncPgConnection,
    event: &NewOrderEvent<'_>,
) -> QueryResult<()> {
    prepared(diesel::insert_into(order_events::table).values(event))
        .execute(&mut conn)
        .await
        .map(drop)
}

/// An order's items with their row ids, locked until the transaction ends, in product order (as
/// checkout locks products, so that the two cannot deadlock).
pub async fn items_for_update(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
) -> QueryResult<Vec<LockedItem>> {
    prepared(
        order_items::table
            .filter(order_items::order_id.eq(order_id))
            // The stock module's lock order: product, then its own row before its variants'.
            .order((
                order_items::product_id.asc(),
                order_items::variant_id.asc().nulls_first(),
            ))
            .select(LockedItem::as_select())
            .for_update(),
    )
    .load(conn)
    .await
}

/// Counts `units` more of an item as back on the shelf (the stock module puts them there).
pub async fn count_restocked(
    conn: &mut AsyncPgConnection,
    item_id: i64,
    units: i32,
) -> QueryResult<()> {
    diesel::update(order_items::table.find(item_id))
        .set(order_items::restocked.eq(order_items::restocked + units))
        .execute(conn)
        .await
        .map(drop)
}

/// Every unit of the order is back on the shelf.
pub async fn mark_stock_released(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<()> {
    diesel::update(orders::table.find(order_id))
        .set(orders::stock_released.eq(true))
        .execute(conn)
        .await
        .map(drop)
}

/// The shopper pressed Pay: the order holds its stock until `until` (never less than it held
/// already). The new end, or `None` if the order no longer waits for payment.
pub async fn extend_reservation(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    until: OffsetDateTime,
) -> QueryResult<Option<OffsetDateTime>> {
    prepared(
        diesel::update(
            orders::table
                .find(order_id)
                .filter(orders::status.eq_any(PaymentStatus::AWAITING_PAYMENT)),
        )
        .set(
            orders::reserved_until.eq(diesel::dsl::sql::<diesel::sql_types::Timestamptz>(
                "GREATEST(reserved_until, ",
            )
            .bind::<diesel::sql_types::Timestamptz, _>(until)
            .sql(")")),
        )
        .returning(orders::reserved_until),
    )
    .get_result(conn)
    .await
    .optional()
}

/// Remembers where an order was placed from (call it in the order's transaction).
pub async fn record_origin(
    mut conn: &AsyncPgConnection,
    order_id: Uuid,
    ip: std::net::IpAddr,
) -> QueryResult<()> {
    prepared(
        diesel::insert_into(order_origins::table)
            .values((
                order_origins::order_id.eq(order_id),
                order_origins::placed_from.eq(ip.to_string()),
            ))
            .on_conflict_do_nothing(),
    )
    .execute(&mut conn)
    .await
    .map(drop)
}

/// Moves the order to a new status as an observation of its PaymentIntent says: the shopper's
/// error message and the amount received go with it.
pub async fn set_status(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    to: PaymentStatus,
    last_payment_error: Option<&str>,
    amount_paid_minor: i64,
) -> QueryResult<()> {
    prepared(diesel::update(orders::table.find(order_id)).set((
        orders::status.eq(to),
        orders::updated_at.eq(diesel::dsl::now),
        orders::last_payment_error.eq(last_payment_error),
        orders::amount_paid_minor.eq(amount_paid_minor),
    )))
    .execute(conn)
    .await
    .map(drop)
}

/// Cancels the order (its stock is released by the stock module in the same transaction).
pub async fn set_cancelled(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<()> {
    prepared(diesel::update(orders::table.find(order_id)).set((
        orders::status.eq(PaymentStatus::Cancelled),
        orders::updated_at.eq(diesel::dsl::now),
    )))
    .execute(conn)
    .await
    .map(drop)
}

/// A repeated failure still updates the message the shopper sees.
pub async fn set_last_payment_error(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    error: Option<&str>,
) -> QueryResult<()> {
    prepared(diesel::update(orders::table.find(order_id)).set(orders::last_payment_error.eq(error)))
        .execute(conn)
        .await
        .map(drop)
}

/// A paid order's status and refunded amount, as its refunds and disputes settle them.
pub async fn settle(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    to: PaymentStatus,
    amount_refunded_minor: i64,
) -> QueryResult<()> {
    prepared(diesel::update(orders::table.find(order_id)).set((
        orders::status.eq(to),
        orders::amount_refunded_minor.eq(amount_refunded_minor),
        orders::updated_at.eq(diesel::dsl::now),
    )))
    .execute(conn)
    .await
    .map(drop)
}

/// The reconciler looks at the order again from the start of its backoff (`next`: `None` once
/// it is not watched any more); `paid_at` starts the watch for refunds and disputes.
pub async fn watch_from(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    next: Option<OffsetDateTime>,
    paid_at: Option<OffsetDateTime>,
) -> QueryResult<()> {
    prepared(diesel::update(orders::table.find(order_id)).set((
        orders::next_check_at.eq(next),
        orders::checks.eq(0),
        orders::paid_at.eq(paid_at),
    )))
    .execute(conn)
    .await
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::AWAITING_PAYMENT_SQL;
    use crate::domain::PaymentStatus;

    #[test]
    fn the_written_predicate_names_exactly_the_statuses_that_await_payment() {
        let quoted: Vec<String> = PaymentStatus::AWAITING_PAYMENT
            .iter()
            .map(|status| format!("'{}'", status.as_str()))
            .collect();
        assert_eq!(
            AWAITING_PAYMENT_SQL,
            format!("orders.status IN ({})", quoted.join(", "))
        );
    }
}
