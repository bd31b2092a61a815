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

/// Units taken off the shelf for one line, with the product (and variant) as the catalog has
/// it now.
#[derive(Debug, Clone)]
pub struct Reserved {
    pub product_id: i64,
    pub variant_id: Option<i64>,
    /// The line's name as sold: the product's, and the variant's after " — ".
    pub name: String,
    pub variant_name: Option<String>,
    /// The variant's own price, or the product's.
    pub price_minor: i64,
    pub currency: Currency,
    pub quantity: i32,
}

/// Why a line could not be reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortage {
    /// The product (or the variant) was taken off sale.
    Inactive { shelf: Shelf },
    /// Fewer units than asked are left (`left` may be 0).
    Short { shelf: Shelf, left: i32 },
}

/// The name a line is sold under: "Merino jumper — M".
pub fn name_as_sold(product: &str, variant: Option<&str>) -> String {
    match variant {
        Some(variant) => format!("{product} — {variant}"),
        None => product.to_owned(),
    }
}

/// Takes each line's units off its shelf for the order, in one go or not at all (call it in a
/// transaction: a shortage leaves the units already taken to the rollback).
pub async fn reserve(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    lines: &[(Shelf, i32)],
) -> QueryResult<Result<Vec<Reserved>, Shortage>> {
    let mut lines = lines.to_vec();
    lines.sort_by_key(|(shelf, _)| *shelf);
    let by = ChangedBy {
        reason: StockReason::Checkout,
        order_id: Some(order_id),
        user_id: None,
        note: None,
    };
    let mut reserved = Vec::with_capacity(lines.len());
    for (shelf, quantity) in lines {
        let taken = match shelf.variant_id {
            None => take_product(conn, shelf.product_id, quantity).await?,
            Some(variant_id) => take_variant(conn, shelf.product_id, variant_id, quantity).await?,
        };
        let Some((stock_after, line)) = taken else {
            return Ok(Err(shortage(conn, shelf).await?));
        };
        record(conn, shelf, -quantity, stock_after, by).await?;
        reserved.push(line);
    }
    Ok(Ok(reserved))
}

async fn take_product(
    conn: &mut AsyncPgConnection,
    product_id: i64,
    quantity: i32,
) -> QueryResult<Option<(i32, Reserved)>> {
    let taken: Option<(i32, String, i64, Currency)> = prepared(
        diesel::update(
            products::table
                .find(product_id)
                .filter(products::active.eq(true))
                .filter(products::stock.ge(quantity)),
        )
        .set(products::stock.eq(products::stock - quantity))
        .returning((
            products::stock,
            products::name,
            products::price_minor,
            products::currency,
        )),
    )
    .get_result(conn)
    .await
    .optional()?;
    Ok(taken.map(|(stock, name, price_minor, currency)| {
        (
            stock,
            Reserved {
                product_id,
                variant_id: None,
                name,
                variant_name: None,
                price_minor,
                currency,
                quantity,
            },
        )
    }))
}

async fn take_variant(
    conn: &mut AsyncPgConnection,
    product_id: i64,
    variant_id: i64,
    quantity: i32,
) -> QueryResult<Option<(i32, Reserved)>> {
    let product_on_sale = diesel::dsl::exists(
        products::table
            .find(product_id)
            .filter(products::active.eq(true)),
    );
    let taken: Option<(i32, String, Option<i64>)> = prepared(
        diesel::update(
            product_variants::table
                .find(variant_id)
                .filter(product_variants::product_id.eq(product_id))
                .filter(product_variants::active.eq(true))
                .filter(product_variants::stock.ge(quantity))
                .filter(product_on_sale),
        )
        .set(product_variants::stock.eq(product_variants::stock - quantity))
        .returning((
            product_variants::stock,
            product_variants::name,
            product_variants::price_minor,
        )),
    )
    .get_result(conn)
    .await
    .optional()?;
    let Some((stock, variant_name, own_price)) = taken else {
        return Ok(None);
    };
    let (product_name, product_price, currency): (String, i64, Currency) = products::table
        .find(product_id)
        .select((products::name, products::price_minor, products::currency))
        .first(conn)
        .await?;
    Ok(Some((
        stock,
        Reserved {
            product_id,
            variant_id: Some(variant_id),
            name: name_as_sold(&product_name, Some(&variant_name)),
            variant_name: Some(variant_name),
            price_minor: own_price.unwrap_or(product_price),
            currency,
            quantity,
        },
    )))
}

/// Why a shelf could not give what was asked.
async fn shortage(conn: &mut AsyncPgConnection, shelf: Shelf) -> QueryResult<Shortage> {
    let product: Option<(bool, i32)> = products::table
        .find(shelf.product_id)
        .select((products::active, products::stock))
        .first(conn)
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
                .first(conn)
                .await
                .optional()?;
            match variant {
                Some((variant_active, stock)) => (product_active && variant_active, stock),
                None => (false, 0),
            }
        }
    };
    Ok(if active {
        Shortage::Short { shelf, left }
    } else {
        Shortage::Inactive { shelf }
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
    conn: &mut AsyncPgConnection,
    shelf: Shelf,
    delta: i32,
    stock_after: i32,
    by: ChangedBy<'_>,
) -> QueryResult<()> {
    diesel::insert_into(stock_changes::table)
        .values((
            stock_changes::product_id.eq(shelf.product_id),
            stock_changes::variant_id.eq(shelf.variant_id),
            stock_changes::delta.eq(delta),
            stock_changes::stock_after.eq(stock_after),
            stock_changes::reason.eq(by.reason),
            stock_changes::order_id.eq(by.order_id),
            stock_changes::user_id.eq(by.user_id),
            stock_changes::note.eq(by.note),
        ))
        .execute(conn)
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
