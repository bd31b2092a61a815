//! The cart's queries: the one writer of `carts` and `cart_items`.

use diesel::dsl::sum;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::{Currency, PaymentStatus};
use crate::schema::{cart_items, carts, orders, products};

/// One line of a cart, with what the catalog says about its product now.
#[derive(Debug, Clone, Queryable)]
pub struct CartLine {
    pub product_id: i64,
    pub slug: String,
    pub name: String,
    pub image_path: String,
    pub price_minor: i64,
    pub currency: Currency,
    pub stock: i32,
    pub active: bool,
    pub max_per_order: i32,
    pub quantity: i32,
    /// The small size of the product's first image.
    pub small_image_path: Option<String>,
}

/// How many items the cart holds (the header's count), and whether an order placed from it
/// waits for payment (its payment takes what it bought out of the cart).
pub async fn item_count(conn: &mut AsyncPgConnection, cart_id: Uuid) -> QueryResult<(i64, bool)> {
    let (total, awaiting_payment): (Option<i64>, bool) = diesel::select((
        cart_items::table
            .filter(cart_items::cart_id.eq(cart_id))
            .select(sum(cart_items::quantity))
            .single_value(),
        diesel::dsl::exists(
            orders::table
                .filter(orders::cart_id.eq(cart_id))
                .filter(orders::status.eq_any(PaymentStatus::AWAITING_PAYMENT)),
        ),
    ))
    .get_result(conn)
    .await?;
    Ok((total.unwrap_or(0), awaiting_payment))
}

pub async fn lines(conn: &mut AsyncPgConnection, cart_id: Uuid) -> QueryResult<Vec<CartLine>> {
    cart_items::table
        .inner_join(products::table)
        .filter(cart_items::cart_id.eq(cart_id))
        .order((cart_items::added_at.asc(), products::name.asc()))
        .select((
            products::id,
            products::slug,
            products::name,
            products::image_path,
            products::price_minor,
            products::currency,
            products::stock,
            products::active,
            products::max_per_order,
            cart_items::quantity,
            crate::catalog::db::small_cover_of(crate::catalog::db::LinesTable::CartItems),
        ))
        .load(conn)
        .await
}

pub async fn exists(conn: &mut AsyncPgConnection, cart_id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(carts::table.find(cart_id)))
        .get_result(conn)
        .await
}

pub async fn create_guest_cart(conn: &mut AsyncPgConnection) -> QueryResult<Uuid> {
    diesel::insert_into(carts::table)
        .values(carts::id.eq(Uuid::new_v4()))
        .returning(carts::id)
        .get_result(conn)
        .await
}

/// The account's cart, created on first use.
pub async fn user_cart(conn: &mut AsyncPgConnection, user_id: i64) -> QueryResult<Uuid> {
    diesel::insert_into(carts::table)
        .values((carts::id.eq(Uuid::new_v4()), carts::user_id.eq(user_id)))
        .on_conflict(carts::user_id)
        .do_update()
        .set(carts::updated_at.eq(diesel::dsl::now))
        .returning(carts::id)
        .get_result(conn)
        .await
}

/// Locks the cart row until the transaction ends; `false` when there is no such cart. Checkout
/// holds it while it decides between continuing the cart's open order and placing one, so that
/// concurrent submissions of one cart make one order.
pub async fn lock(conn: &mut AsyncPgConnection, cart_id: Uuid) -> QueryResult<bool> {
    carts::table
        .find(cart_id)
        .select(carts::id)
        .for_update()
        .first::<Uuid>(conn)
        .await
        .optional()
        .map(|cart| cart.is_some())
}

/// The line's quantity, locking the line until the transaction ends.
pub async fn quantity_for_update(
    conn: &mut AsyncPgConnection,
    cart_id: Uuid,
    product_id: i64,
) -> QueryResult<Option<i32>> {
    cart_items::table
        .find((cart_id, product_id))
        .select(cart_items::quantity)
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn set_quantity(
    conn: &mut AsyncPgConnection,
    cart_id: Uuid,
    product_id: i64,
    quantity: i32,
) -> QueryResult<()> {
    diesel::insert_into(cart_items::table)
        .values((
            cart_items::cart_id.eq(cart_id),
            cart_items::product_id.eq(product_id),
            cart_items::quantity.eq(quantity),
        ))
        .on_conflict((cart_items::cart_id, cart_items::product_id))
        .do_update()
        .set(cart_items::quantity.eq(excluded(cart_items::quantity)))
        .execute(conn)
        .await?;
    touch(conn, cart_id).await
}

pub async fn remove(
    conn: &mut AsyncPgConnection,
    cart_id: Uuid,
    product_id: i64,
) -> QueryResult<usize> {
    let removed = diesel::delete(cart_items::table.find((cart_id, product_id)))
        .execute(conn)
        .await?;
    touch(conn, cart_id).await?;
    Ok(removed)
}

/// Takes these products out of the cart (what an order bought, once it is paid).
pub async fn remove_products(
    conn: &mut AsyncPgConnection,
    cart_id: Uuid,
    product_ids: &[i64],
) -> QueryResult<()> {
    diesel::delete(
        cart_items::table
            .filter(cart_items::cart_id.eq(cart_id))
            .filter(cart_items::product_id.eq_any(product_ids)),
    )
    .execute(conn)
    .await
    .map(drop)
}

pub async fn clear(conn: &mut AsyncPgConnection, cart_id: Uuid) -> QueryResult<usize> {
    diesel::delete(cart_items::table.filter(cart_items::cart_id.eq(cart_id)))
        .execute(conn)
        .await
}

async fn touch(conn: &mut AsyncPgConnection, cart_id: Uuid) -> QueryResult<()> {
    diesel::update(carts::table.find(cart_id))
        .set(carts::updated_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
        .map(drop)
}

/// Moves a guest cart's lines into an account's cart and deletes the guest cart. Quantities of
/// a product in both add up, capped at the product's most per order and at the stock.
pub async fn merge(conn: &mut AsyncPgConnection, from: Uuid, into: Uuid) -> QueryResult<()> {
    if from == into {
        return Ok(());
    }
    let guest_lines: Vec<(i64, i32, i32, i32)> = cart_items::table
        .inner_join(products::table)
        .filter(cart_items::cart_id.eq(from))
        .select((
            cart_items::product_id,
            cart_items::quantity,
            products::stock,
            products::max_per_order,
        ))
        .load(conn)
        .await?;
    for (product_id, quantity, stock, max_per_order) in guest_lines {
        let existing = quantity_for_update(conn, into, product_id)
            .await?
            .unwrap_or(0);
        let merged = (existing + quantity)
            .min(crate::domain::Quantity::MAX)
            .min(max_per_order)
            .min(stock);
        if merged >= 1 {
            set_quantity(conn, into, product_id, merged).await?;
        }
    }
    diesel::delete(carts::table.find(from))
        .execute(conn)
        .await?;
    Ok(())
}
