use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::Currency;
use crate::schema::products;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = products)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Product {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub price_minor: i64,
    pub currency: Currency,
    pub image_path: String,
    pub stock: i32,
    pub active: bool,
    /// At most this many in one order and one cart line.
    pub max_per_order: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = products)]
pub struct NewProduct<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub price_minor: i64,
    pub currency: Currency,
    pub image_path: &'a str,
    pub stock: i32,
    pub max_per_order: i32,
}

pub async fn active_products(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Product>> {
    products::table
        .filter(products::active.eq(true))
        .order((products::name.asc(), products::id.asc()))
        .select(Product::as_select())
        .load(conn)
        .await
}

pub async fn active_product_by_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<Product>> {
    products::table
        .filter(products::slug.eq(slug))
        .filter(products::active.eq(true))
        .select(Product::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn active_product(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Product>> {
    products::table
        .find(id)
        .filter(products::active.eq(true))
        .select(Product::as_select())
        .first(conn)
        .await
        .optional()
}

/// Inserts products whose slug is not taken yet; existing rows (and an owner's edits) stay.
pub async fn insert_missing(
    conn: &mut AsyncPgConnection,
    new: &[NewProduct<'_>],
) -> QueryResult<usize> {
    diesel::insert_into(products::table)
        .values(new)
        .on_conflict(products::slug)
        .do_nothing()
        .execute(conn)
        .await
}

/// Changes a product's stock by `delta` units (a return, a restock, an admin's correction),
/// never below zero; the stock after the change, or `None` when there were too few units (or
/// there is no such product). A change, never a value: reservations made meanwhile stay.
pub async fn add_stock(
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
