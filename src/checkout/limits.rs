//! What keeps one visitor from holding the shop's stock without paying, chosen so that a real
//! shopper never meets it:
//!
//! - a cart line, and so an order line, holds at most the product's `max_per_order`;
//! - a session (or account) has at most `OPEN_ORDERS_PER_SESSION` orders waiting for payment,
//!   and a client address at most `OPEN_ORDERS_PER_ADDRESS` (each checkout of one cart continues
//!   or replaces that cart's open order, so a shopper has one);
//! - an order holds its stock for `RESERVATION_SECS` (15 minutes) after it is placed; when the
//!   shopper presses Pay the hold becomes `PAYMENT_RESERVATION_SECS` (an hour) from then — for
//!   3-D Secure, a declined card and another try — but never beyond that long after the
//!   short hold ends. The reconciler cancels what is left unpaid at `reserved_until`.

use std::net::IpAddr;
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::cart::CartLine;
use crate::config::Settings;
use crate::db::prepared;
use crate::domain::PaymentStatus;
use crate::error::AppError;
use crate::orders::Order;
use crate::orders::db as orders_db;
use crate::schema::{order_origins, orders};
use crate::session::ShopSession;

const OPEN: [PaymentStatus; 3] = PaymentStatus::AWAITING_PAYMENT;

/// Refuses a cart whose lines break the product's most per order (the cart page says so too).
pub fn check_lines(lines: &[CartLine]) -> Result<(), AppError> {
    match lines.iter().find(|l| l.quantity > l.max_per_order) {
        Some(line) => Err(AppError::conflict(format!(
            "You can order at most {} of {} at a time. Lower the quantity in your cart to check out.",
            line.max_per_order, line.name
        ))),
        None => Ok(()),
    }
}

/// Refuses a new order when this session or this address already has too many waiting for
/// payment. The cart's own open order does not count: checking out again continues or
/// replaces it.
pub async fn check_open_orders(
    conn: &mut AsyncPgConnection,
    settings: &Settings,
    session: &ShopSession,
    cart_id: Uuid,
    ip: IpAddr,
) -> Result<(), AppError> {
    let limits = &settings.limits;
    let now = OffsetDateTime::now_utc();
    let open = || {
        orders::table
            .filter(orders::status.eq_any(OPEN))
            .filter(orders::reserved_until.gt(now))
            .filter(orders::cart_id.ne(cart_id).or(orders::cart_id.is_null()))
            .into_boxed()
    };
    let guest_orders = session.guest_orders();
    let user = session.user();
    let held: i64 = match &user {
        // A guest's first order: nothing to count.
        None if guest_orders.is_empty() => 0,
        None => {
            prepared(open().filter(orders::id.eq_any(&guest_orders)).count())
                .get_result(conn)
                .await?
        }
        Some(user) => {
            prepared(
                open()
                    .filter(
                        orders::id
                            .eq_any(&guest_orders)
                            .or(orders::user_id.eq(user.id)),
                    )
                    .count(),
            )
            .get_result(conn)
            .await?
        }
    };
    let retry_after_secs = settings.reconciler.reservation.as_secs();
    if held >= limits.open_orders_per_session {
        return Err(AppError::TooManyRequests {
            message: format!(
                "You already have {} waiting for payment. Pay for one or cancel it (see My \
                 orders, or the order's own page) before placing another.",
                if held == 1 {
                    "an order".to_owned()
                } else {
                    format!("{held} orders")
                }
            ),
            retry_after_secs,
        });
    }
    // No order placed longer ago than both holds together can still hold stock.
    let oldest = now - settings.reconciler.reservation - limits.payment_reservation;
    let from_address: i64 = prepared(
        orders::table
            .inner_join(order_origins::table)
            .filter(order_origins::placed_from.eq(ip.to_string()))
            .filter(order_origins::placed_at.gt(oldest))
            .filter(orders::status.eq_any(OPEN))
            .filter(orders::reserved_until.gt(now))
            .filter(orders::cart_id.ne(cart_id).or(orders::cart_id.is_null()))
            .count(),
    )
    .get_result(conn)
    .await?;
    if from_address >= limits.open_orders_per_address {
        tracing::info!(%ip, from_address, "checkout refused: too many unpaid orders from one address");
        return Err(AppError::TooManyRequests {
            message: "Too many orders from your network are waiting for payment. Please pay for \
                      or cancel one, or try again in a few minutes."
                .into(),
            retry_after_secs,
        });
    }
    Ok(())
}

/// The shopper pressed Pay: the order holds its stock for `payment` from now, never more than
/// `short + payment` after it was placed. Returns the new end, or `None` if the order no
/// longer waits for payment.
pub async fn extend_for_payment(
    conn: &mut AsyncPgConnection,
    order: &Order,
    short: Duration,
    payment: Duration,
) -> QueryResult<Option<OffsetDateTime>> {
    let until = (OffsetDateTime::now_utc() + payment).min(order.created_at + short + payment);
    orders_db::extend_reservation(conn, order.id, until).await
}
