//! The shelf: the one writer of `products.stock`, `product_variants.stock` and the stock
//! history (`stock_changes`). Checkout reserves units when it places an order, a cancellation
//! releases what the order still holds, a refund returns the units the owner chose, and the
//! owner's product form changes the stock by a difference. Every change is relative
//! (`stock = stock ± n`, never below zero), so concurrent reservations, returns and edits all
//! count, and every change is recorded with its reason and who or what made it, in the
//! transaction that makes it.
//!
//! A product without variants keeps its units in `products.stock`; a product with variants
//! keeps them per variant (its own stock stays 0). A [`Shelf`] names either.
//!
//! Shelves are locked in (product id, variant id) order, the product's own row first (and an
//! order's items in the same order), so a checkout and a release of the same shelves cannot
//! deadlock.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::prepared;
use crate::domain::{Currency, StockReason};
use crate::orders::db as orders_db;
use crate::schema::{product_variants, products, stock_changes, users};

/// Where units are kept: a product without variants, or one variant of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shelf {
    pub product_id: i64,
    pub variant_id: Option<i64>,
}

/// Who or what changed a stock, for its history.
#[derive(Debug, Clone, Copy)]
pub struct ChangedBy<'a> {
    pub reason: StockReason,
    pub order_id: Option<Uuid>,
    /// The admin who made the change.
    pub user_id: Option<i64>,
    pub note: Option<&'a str>,
}

impl<'a> ChangedBy<'a> {
    pub fn admin(user_id: i64, note: &'a str) -> Self {
        Self {
            reason: StockReason::Admin,
            order_id: None,
            user_id: Some(user_id),
            note: Some(note),
        }
    }
}

/// A line to take off its shelf for an order, at the price and in the currency the order charges
/// for it.
#[derive(Debug, Clone, Copy)]
pub struct Wanted {
    pub shelf: Shelf,
    pub quantity: i32,
    pub price_minor: i64,
    pub currency: Currency,
}

/// Why a line could not be reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortage {
    /// The product (or the variant) was taken off sale.
    Inactive { shelf: Shelf },
    /// Fewer units than asked are left (`left` may be 0).
    Short { shelf: Shelf, left: i32 },
    /// Its price (or currency) is no longer the one the order charges.
    Repriced { shelf: Shelf },
}

/// The name a line is sold under: "Merino jumper — M".
pub fn name_as_sold(product: &str, variant: Option<&str>) -> String {
    match variant {
        Some(variant) => format!("{product} — {variant}"),
        None => product.to_owned(),
    }
}

/// Takes each line's units off its shelf for the order, in one go or not at all (call it in a
/// transaction: a shortage leaves the units already taken to the rollback), provided each shelf
/// is on sale at the price the order charges. Checkout calls it last, just before its commit:
/// the shelves' rows stay locked from here to the commit, and every checkout of the same
/// product waits for them.
pub async fn reserve(
    conn: &AsyncPgConnection,
    order_id: Uuid,
    lines: &[Wanted],
) -> QueryResult<Result<(), Shortage>> {
    let mut lines = lines.to_vec();
    lines.sort_by_key(|line| line.shelf);
    let by = ChangedBy {
        reason: StockReason::Checkout,
        order_id: Some(order_id),
        user_id: None,
        note: None,
    };
    for line in lines {
        let taken = match line.shelf.variant_id {
            None => take_product(conn, &line).await?,
            Some(variant_id) => take_variant(conn, variant_id, &line).await?,
        };
        let Some(stock_after) = taken else {
            return Ok(Err(shortage(conn, line.shelf, line.quantity).await?));
        };
        record(conn, line.shelf, -line.quantity, stock_after, by).await?;
    }
    Ok(Ok(()))
}

/// The product's stock after taking the line's units, if it is on sale at the line's price.
async fn take_product(mut conn: &AsyncPgConnection, line: &Wanted) -> QueryResult<Option<i32>> {
    prepared(
        diesel::update(
            products::table
                .find(line.shelf.product_id)
                .filter(products::active.eq(true))
                .filter(products::stock.ge(line.quantity))
                .filter(products::price_minor.eq(line.price_minor))
                .filter(products::currency.eq(line.currency)),
        )
        .set(products::stock.eq(products::stock - line.quantity))
        .returning(products::stock),
    )
    .get_result(&mut conn)
    .await
    .optional()
}

/// The variant's stock after taking the line's units, if it and its product are on sale at the
/// line's price (the variant's own, or the product's).
async fn take_variant(
    mut conn: &AsyncPgConnection,
    variant_id: i64,
    line: &Wanted,
) -> QueryResult<Option<i32>> {
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = Integer)]
        stock: i32,
    }
    let taken: Option<Taken> = prepared(
        diesel::sql_query(
            "UPDATE product_variants v SET stock = v.stock - $3 \
             FROM products p \
             WHERE v.id = $2 AND v.product_id = $1 AND p.id = $1 \
               AND v.active AND p.active AND v.stock >= $3 \
               AND coalesce(v.price_minor, p.price_minor) = $4 AND p.currency = $5 \
             RETURNING v.stock",
        )
        .bind::<BigInt, _>(line.shelf.product_id)
        .bind::<BigInt, _>(variant_id)
        .bind::<Integer, _>(line.quantity)
        .bind::<BigInt, _>(line.price_minor)
        .bind::<Text, _>(line.currency),
    )
    .get_result(&mut conn)
    .await
    .optional()?;
    Ok(taken.map(|taken| taken.stock))
}

/// Why a shelf could not give `quantity` units at the price asked.
async fn shortage(
    mut conn: &AsyncPgConnection,
    shelf: Shelf,
    quantity: i32,
) -> QueryResult<Shortage> {
    let product: Option<(bool, i32)> = products::table
        .find(shelf.product_id)
        .select((products::active, products::stock))
        .first(&mut conn)
        .await
        .optional()?;
    let Some((product_active, product_stock)) = product else {
        return Ok(Shortage::Inactive { shelf });
    };
    let (active, left) = match shelf.variant_id {
        None => (product_active, product_stock),
        Some(variant_id) => {
            let variant: Option<(bool, i32)> = product_variants::table
                .find(variant_id)
                .filter(product_variants::product_id.eq(shelf.product_id))
                .select((product_variants::active, product_variants::stock))
                .first(&mut conn)
                .await
                .optional()?;
            match variant {
                Some((variant_active, stock)) => (product_active && variant_active, stock),
                None => (false, 0),
            }
        }
    };
    Ok(if !active {
        Shortage::Inactive { shelf }
    } else if left < quantity {
        Shortage::Short { shelf, left }
    } else {
        Shortage::Repriced { shelf }
    })
}

/// Puts every unit of the order still out back on its shelf (a cancellation; `note` says
/// what cancelled it); `false` when they were all back already. Call it inside a transaction.
pub async fn release(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    note: &str,
) -> QueryResult<bool> {
    let out: Vec<(i64, i32)> = orders_db::items(conn, order_id)
        .await?
        .iter()
        .map(|item| (item.id, item.restockable()))
        .collect();
    let by = ChangedBy {
        reason: StockReason::Cancellation,
        order_id: Some(order_id),
        user_id: None,
        note: Some(note),
    };
    let returned = put_back(conn, order_id, &out, by).await?;
    Ok(returned.iter().any(|(_, units)| *units > 0))
}

/// Puts back up to `wanted` units (order item id, units) of the order's items for a refund the
/// admin `user_id` made — never more than an item has still out, so a repeated or concurrent
/// call returns nothing twice — and returns what went back. Call it inside a transaction.
pub async fn give_back(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    wanted: &[(i64, i32)],
    user_id: Option<i64>,
) -> QueryResult<Vec<(i64, i32)>> {
    let by = ChangedBy {
        reason: StockReason::Refund,
        order_id: Some(order_id),
        user_id,
        note: None,
    };
    put_back(conn, order_id, wanted, by).await
}

/// Once every unit is back, the order says so (`stock_released`).
async fn put_back(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    wanted: &[(i64, i32)],
    by: ChangedBy<'_>,
) -> QueryResult<Vec<(i64, i32)>> {
    let items = orders_db::items_for_update(conn, order_id).await?;
    let mut returned = Vec::new();
    let mut all_back = true;
    for item in items {
        let asked: i32 = wanted
            .iter()
            .filter(|(id, _)| *id == item.id)
            .map(|(_, units)| (*units).max(0))
            .sum();
        let units = asked.min(item.quantity - item.restocked);
        if units > 0 {
            orders_db::count_restocked(conn, item.id, units).await?;
            let shelf = Shelf {
                product_id: item.product_id,
                variant_id: item.variant_id,
            };
            change(conn, shelf, units, by).await?;
            returned.push((item.id, units));
        }
        all_back &= item.restocked + units == item.quantity;
    }
    if all_back {
        orders_db::mark_stock_released(conn, order_id).await?;
    }
    Ok(returned)
}

/// Changes a shelf's stock by `delta` units (a return, a restock, an admin's correction),
/// never below zero, and records it; the stock after the change, or `None` when there were
/// too few units (or there is no such shelf). A change, never a value: reservations made
/// meanwhile stay.
pub async fn change(
    conn: &mut AsyncPgConnection,
    shelf: Shelf,
    delta: i32,
    by: ChangedBy<'_>,
) -> QueryResult<Option<i32>> {
    if delta == 0 {
        return Ok(None);
    }
    let after: Option<i32> = match shelf.variant_id {
        None => diesel::update(
            products::table
                .find(shelf.product_id)
                .filter((products::stock + delta).ge(0)),
        )
        .set(products::stock.eq(products::stock + delta))
        .returning(products::stock)
        .get_result(conn)
        .await
        .optional()?,
        Some(variant_id) => diesel::update(
            product_variants::table
                .find(variant_id)
                .filter(product_variants::product_id.eq(shelf.product_id))
                .filter((product_variants::stock + delta).ge(0)),
        )
        .set(product_variants::stock.eq(product_variants::stock + delta))
        .returning(product_variants::stock)
        .get_result(conn)
        .await
        .optional()?,
    };
    if let Some(after) = after {
        record(conn, shelf, delta, after, by).await?;
    }
    Ok(after)
}

/// Records a variant's first units (its stock as the admin created it).
pub async fn record_initial(
    conn: &mut AsyncPgConnection,
    shelf: Shelf,
    stock: i32,
    by: ChangedBy<'_>,
) -> QueryResult<()> {
    if stock > 0 {
        record(conn, shelf, stock, stock, by).await?;
    }
    Ok(())
}

async fn record(
    mut conn: &AsyncPgConnection,
    shelf: Shelf,
    delta: i32,
    stock_after: i32,
    by: ChangedBy<'_>,
) -> QueryResult<()> {
    prepared(diesel::insert_into(stock_changes::table).values((
        stock_changes::product_id.eq(shelf.product_id),
        stock_changes::variant_id.eq(shelf.variant_id),
        stock_changes::delta.eq(delta),
        stock_changes::stock_after.eq(stock_after),
        stock_changes::reason.eq(by.reason),
        stock_changes::order_id.eq(by.order_id),
        stock_changes::user_id.eq(by.user_id),
        stock_changes::note.eq(by.note),
    )))
    .execute(&mut conn)
    .await
    .map(drop)
}

/// One change of a product's stock, as the admin's product page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct StockChange {
    pub at: OffsetDateTime,
    pub variant_name: Option<String>,
    pub delta: i32,
    pub stock_after: i32,
    pub reason: StockReason,
    pub order_id: Option<Uuid>,
    pub order_number: Option<i64>,
    pub admin_email: Option<String>,
    pub note: Option<String>,
}

/// The product's latest stock changes (all its variants'), newest first.
pub async fn history(
    conn: &mut AsyncPgConnection,
    product_id: i64,
    limit: i64,
) -> QueryResult<Vec<StockChange>> {
    use crate::schema::orders;
    stock_changes::table
        .left_join(product_variants::table)
        .left_join(orders::table.on(orders::id.nullable().eq(stock_changes::order_id)))
        .left_join(users::table.on(users::id.nullable().eq(stock_changes::user_id)))
        .filter(stock_changes::product_id.eq(product_id))
        .order(stock_changes::id.desc())
        .limit(limit)
        .select((
            stock_changes::created_at,
            product_variants::name.nullable(),
            stock_changes::delta,
            stock_changes::stock_after,
            stock_changes::reason,
            stock_changes::order_id,
            orders::number.nullable(),
            users::email.nullable(),
            stock_changes::note,
        ))
        .load(conn)
        .await
}
