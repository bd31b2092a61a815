//! The shelf: the one writer of `products.stock`. Checkout reserves units when it places an
//! order, a cancellation releases what the order still holds, a refund returns the units the
//! owner chose, and the owner's product form changes the stock by a difference. Every change
//! is relative (`stock = stock ± n`, never below zero), so concurrent reservations, returns and
//! edits all count.
//!
//! Products are locked in id order (and an order's items in product order), so a checkout and a
//! release of the same products cannot deadlock.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::Currency;
use crate::orders::db as orders_db;
use crate::schema::products;

/// Units taken off the shelf for one line, with the product as the catalog has it now.
#[derive(Debug, Clone)]
pub struct Reserved {
    pub product_id: i64,
    pub name: String,
    pub price_minor: i64,
    pub currency: Currency,
    pub quantity: i32,
}

/// Why a line could not be reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortage {
    /// The product was taken off sale.
    Inactive { product_id: i64 },
    /// Fewer units than asked are left (`left` may be 0).
    Short { product_id: i64, left: i32 },
}

/// Takes each `(product id, units)` off the shelf, in one go or not at all (call it in a
/// transaction: a shortage leaves the units already taken to the rollback).
pub async fn reserve(
    conn: &mut AsyncPgConnection,
    lines: &[(i64, i32)],
) -> QueryResult<Result<Vec<Reserved>, Shortage>> {
    let mut lines = lines.to_vec();
    lines.sort_by_key(|(product_id, _)| *product_id);
    let mut reserved = Vec::with_capacity(lines.len());
    for (product_id, quantity) in lines {
        let taken: Option<(String, i64, Currency)> = diesel::update(
            products::table
                .find(product_id)
                .filter(products::active.eq(true))
                .filter(products::stock.ge(quantity)),
        )
        .set(products::stock.eq(products::stock - quantity))
        .returning((products::name, products::price_minor, products::currency))
        .get_result(conn)
        .await
        .optional()?;
        let Some((name, price_minor, currency)) = taken else {
            let (active, left): (bool, i32) = products::table
                .find(product_id)
                .select((products::active, products::stock))
                .first(conn)
                .await?;
            return Ok(Err(if active {
                Shortage::Short { product_id, left }
            } else {
                Shortage::Inactive { product_id }
            }));
        };
        reserved.push(Reserved {
            product_id,
            name,
            price_minor,
            currency,
            quantity,
        });
    }
    Ok(Ok(reserved))
}

/// Puts every unit of the order still out back on the shelf (a cancellation); `false` when
/// they were all back already. Call it inside a transaction.
pub async fn release(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<bool> {
    let out: Vec<(i64, i32)> = orders_db::items(conn, order_id)
        .await?
        .iter()
        .map(|item| (item.product_id, item.restockable()))
        .collect();
    let returned = give_back(conn, order_id, &out).await?;
    Ok(returned.iter().any(|(_, units)| *units > 0))
}

/// Puts back up to `wanted` units (product id, units) of the order's items — never more than
/// an item has still out, so a repeated or concurrent call returns nothing twice — and returns
/// what went back. Once every unit is back, the order says so (`stock_released`). Call it
/// inside a transaction.
pub async fn give_back(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    wanted: &[(i64, i32)],
) -> QueryResult<Vec<(i64, i32)>> {
    let items = orders_db::items_for_update(conn, order_id).await?;
    let mut returned = Vec::new();
    let mut all_back = true;
    for item in items {
        let asked: i32 = wanted
            .iter()
            .filter(|(p, _)| *p == item.product_id)
            .map(|(_, units)| (*units).max(0))
            .sum();
        let units = asked.min(item.quantity - item.restocked);
        if units > 0 {
            orders_db::count_restocked(conn, item.id, units).await?;
            change(conn, item.product_id, units).await?;
            returned.push((item.product_id, units));
        }
        all_back &= item.restocked + units == item.quantity;
    }
    if all_back {
        orders_db::mark_stock_released(conn, order_id).await?;
    }
    Ok(returned)
}

/// Changes a product's stock by `delta` units (a return, a restock, an admin's correction),
/// never below zero; the stock after the change, or `None` when there were too few units (or
/// there is no such product). A change, never a value: reservations made meanwhile stay.
pub async fn change(
    conn: &mut AsyncPgConnection,
    product_id: i64,
    delta: i32,
) -> QueryResult<Option<i32>> {
    diesel::update(
        products::table
            .find(product_id)
            .filter((products::stock + delta).ge(0)),
    )
    .set(products::stock.eq(products::stock + delta))
    .returning(products::stock)
    .get_result(conn)
    .await
    .optional()
}
