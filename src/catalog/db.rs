//! The catalog's queries, and the one writer of `products` and `product_variants` rows (their
//! stock changes through [`crate::stock`]).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::{Currency, Money};
use crate::schema::{categories, product_variants, products};

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
    pub category_id: Option<i64>,
    pub created_at: time::OffsetDateTime,
}

impl Product {
    pub fn price(&self) -> Money {
        Money::new(self.price_minor, self.currency)
    }

    /// The listing's image: an upload's thumbnail, or the shipped image itself.
    pub fn thumbnail_path(&self) -> String {
        super::images::thumbnail_of(&self.image_path)
    }

    pub fn stock_label(&self) -> String {
        match self.stock {
            0 => "Sold out".into(),
            1..=5 => format!("Only {} left", self.stock),
            _ => "In stock".into(),
        }
    }
}

/// One of a product's options (a size, a colour): its own stock, and its own price or the
/// product's.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = product_variants)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Variant {
    pub id: i64,
    pub product_id: i64,
    pub name: String,
    pub price_minor: Option<i64>,
    pub stock: i32,
    pub active: bool,
    pub position: i32,
}

impl Variant {
    /// Its own price, or the product's.
    pub fn price(&self, product: &Product) -> Money {
        Money::new(
            self.price_minor.unwrap_or(product.price_minor),
            product.currency,
        )
    }
}

/// The active variants of every product, in each product's order.
pub async fn active_variants(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Variant>> {
    product_variants::table
        .filter(product_variants::active.eq(true))
        .order((
            product_variants::product_id.asc(),
            product_variants::position.asc(),
            product_variants::id.asc(),
        ))
        .select(Variant::as_select())
        .load(conn)
        .await
}

/// A product's variants, taken off sale too (the admin's list).
pub async fn variants_of(
    conn: &mut AsyncPgConnection,
    product_id: i64,
) -> QueryResult<Vec<Variant>> {
    product_variants::table
        .filter(product_variants::product_id.eq(product_id))
        .order((product_variants::position.asc(), product_variants::id.asc()))
        .select(Variant::as_select())
        .load(conn)
        .await
}

/// Whether the product has variants on sale (and is then bought as one of them).
pub async fn has_active_variants(
    conn: &mut AsyncPgConnection,
    product_id: i64,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        product_variants::table
            .filter(product_variants::product_id.eq(product_id))
            .filter(product_variants::active.eq(true)),
    ))
    .get_result(conn)
    .await
}

/// The product's variant, when it is on sale.
pub async fn active_variant(
    conn: &mut AsyncPgConnection,
    product_id: i64,
    variant_id: i64,
) -> QueryResult<Option<Variant>> {
    product_variants::table
        .find(variant_id)
        .filter(product_variants::product_id.eq(product_id))
        .filter(product_variants::active.eq(true))
        .select(Variant::as_select())
        .first(conn)
        .await
        .optional()
}

/// A demo product's option.
pub struct SeedVariant<'a> {
    pub name: &'a str,
    pub price_minor: Option<i64>,
    pub stock: i32,
}

/// Gives the demo product its options, in this order, if it has none and none of its own
/// stock: a shop's own product (or one the owner stocked) is left alone.
pub async fn seed_variants(
    conn: &mut AsyncPgConnection,
    product_slug: &str,
    variants: &[SeedVariant<'_>],
) -> QueryResult<usize> {
    let product: Option<(i64, i32)> = products::table
        .filter(products::slug.eq(product_slug))
        .select((products::id, products::stock))
        .first(conn)
        .await
        .optional()?;
    let Some((product_id, 0)) = product else {
        return Ok(0);
    };
    if !variants_of(conn, product_id).await?.is_empty() {
        return Ok(0);
    }
    let rows: Vec<NewVariant<'_>> = variants
        .iter()
        .zip(0..)
        .map(|(v, position)| NewVariant {
            product_id,
            name: v.name,
            price_minor: v.price_minor,
            stock: v.stock,
            position,
        })
        .collect();
    diesel::insert_into(product_variants::table)
        .values(&rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

#[derive(Debug, Insertable)]
#[diesel(table_name = product_variants)]
pub struct NewVariant<'a> {
    pub product_id: i64,
    pub name: &'a str,
    pub price_minor: Option<i64>,
    pub stock: i32,
    pub position: i32,
}

/// Adds a variant; `None` when the product already has one of that name.
pub async fn insert_variant(
    conn: &mut AsyncPgConnection,
    new: &NewVariant<'_>,
) -> QueryResult<Option<i64>> {
    diesel::insert_into(product_variants::table)
        .values(new)
        .on_conflict((product_variants::product_id, product_variants::name))
        .do_nothing()
        .returning(product_variants::id)
        .get_result(conn)
        .await
        .optional()
}

/// Renames a variant, sets its price (or the product's) and whether it is on sale; `false`
/// when the product has no such variant.
pub async fn update_variant(
    conn: &mut AsyncPgConnection,
    product_id: i64,
    variant_id: i64,
    name: &str,
    price_minor: Option<i64>,
    active: bool,
) -> QueryResult<bool> {
    diesel::update(
        product_variants::table
            .find(variant_id)
            .filter(product_variants::product_id.eq(product_id)),
    )
    .set((
        product_variants::name.eq(name),
        product_variants::price_minor.eq(price_minor),
        product_variants::active.eq(active),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Whether another variant of the product than `except` has the name.
pub async fn variant_name_taken(
    conn: &mut AsyncPgConnection,
    product_id: i64,
    name: &str,
    except: Option<i64>,
) -> QueryResult<bool> {
    let mut query = product_variants::table
        .filter(product_variants::product_id.eq(product_id))
        .filter(product_variants::name.eq(name.to_owned()))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(product_variants::id.ne(id));
    }
    diesel::select(diesel::dsl::exists(query))
        .get_result(conn)
        .await
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

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = categories)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Category {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// The categories in the order the shop lists them.
pub async fn categories(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Category>> {
    categories::table
        .order((categories::position.asc(), categories::name.asc()))
        .select(Category::as_select())
        .load(conn)
        .await
}

/// A category of the demo catalog, inserted unless its slug is taken.
#[derive(Debug, Insertable)]
#[diesel(table_name = categories)]
pub struct NewCategory<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub position: i32,
}

pub async fn insert_missing_categories(
    conn: &mut AsyncPgConnection,
    new: &[NewCategory<'_>],
) -> QueryResult<usize> {
    diesel::insert_into(categories::table)
        .values(new)
        .on_conflict(categories::slug)
        .do_nothing()
        .execute(conn)
        .await
}

/// Puts the product in the category, unless it is in one already (an owner's choice stays).
pub async fn place_uncategorised(
    conn: &mut AsyncPgConnection,
    product_slug: &str,
    category_slug: &str,
) -> QueryResult<usize> {
    let category = categories::table
        .filter(categories::slug.eq(category_slug.to_owned()))
        .select(categories::id)
        .single_value();
    diesel::update(
        products::table
            .filter(products::slug.eq(product_slug))
            .filter(products::category_id.is_null()),
    )
    .set(products::category_id.eq(category))
    .execute(conn)
    .await
}

diesel::define_sql_function! {
    fn ts_rank(vector: crate::domain::sql::Tsvector, query: TsQuery) -> diesel::sql_types::Float;
}

diesel::infix_operator!(Matches, " @@ ", backend: diesel::pg::Pg);

/// PostgreSQL's `tsquery`.
#[derive(Debug, Clone, Copy, diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(name = "tsquery"))]
pub struct TsQuery;

/// The ids of the active products matching `terms` (English stemming, so "mugs" finds
/// "Mug"), best match first: a word in the name counts more than one in the description. At
/// most `limit` of them.
pub async fn search_active(
    conn: &mut AsyncPgConnection,
    terms: &str,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    // PostgreSQL's parser for what people type in search boxes: words, "quoted phrases", `or`,
    // `-excluded`; never a syntax error. In the column's configuration (english).
    let query = diesel::dsl::sql::<TsQuery>("websearch_to_tsquery('english', ")
        .bind::<diesel::sql_types::Text, _>(terms.to_owned())
        .sql(")");
    products::table
        .filter(products::active.eq(true))
        .filter(Matches::new(products::search, query.clone()))
        .order((
            ts_rank(products::search, query).desc(),
            products::name.asc(),
            products::id.asc(),
        ))
        .select(products::id)
        .limit(limit)
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

pub async fn all_products(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Product>> {
    products::table
        .order((
            products::active.desc(),
            products::name.asc(),
            products::id.asc(),
        ))
        .select(Product::as_select())
        .load(conn)
        .await
}

pub async fn product(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Product>> {
    products::table
        .find(id)
        .select(Product::as_select())
        .first(conn)
        .await
        .optional()
}

/// Whether another product than `except` uses the slug.
pub async fn slug_taken(
    conn: &mut AsyncPgConnection,
    slug: &str,
    except: Option<i64>,
) -> QueryResult<bool> {
    let mut query = products::table
        .filter(products::slug.eq(slug.to_owned()))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(products::id.ne(id));
    }
    diesel::select(diesel::dsl::exists(query))
        .get_result(conn)
        .await
}

#[derive(Debug, AsChangeset)]
#[diesel(table_name = products)]
pub struct ProductChanges<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub price_minor: i64,
    pub max_per_order: i32,
    pub image_path: &'a str,
}

pub async fn update_product(
    conn: &mut AsyncPgConnection,
    id: i64,
    changes: &ProductChanges<'_>,
) -> QueryResult<bool> {
    diesel::update(products::table.find(id))
        .set((changes, products::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await
        .map(|n| n == 1)
}

pub async fn set_product_active(
    conn: &mut AsyncPgConnection,
    id: i64,
    active: bool,
) -> QueryResult<bool> {
    diesel::update(products::table.find(id))
        .set((
            products::active.eq(active),
            products::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(|n| n == 1)
}

pub async fn insert_product(
    conn: &mut AsyncPgConnection,
    new: &NewProduct<'_>,
) -> QueryResult<i64> {
    diesel::insert_into(products::table)
        .values(new)
        .returning(products::id)
        .get_result(conn)
        .await
}
