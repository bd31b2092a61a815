//! The catalog's queries, and the one writer of `products`, `product_variants` and
//! `product_images` rows (stock changes through [`crate::stock`]).

use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::domain::{Currency, Money};
use crate::schema::{categories, product_images, product_variants, products};

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
    pub category_id: Option<i64>,
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

/// Puts the product in the category, unless it is in one already or the owner has edited it
/// (an owner's choice, "no category" included, stays).
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
            .filter(products::category_id.is_null())
            .filter(products::updated_at.eq(products::created_at)),
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
    /// `None` takes the product out of its category.
    #[diesel(treat_none_as_null = true)]
    pub category_id: Option<i64>,
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

/// One of a product's images, in the order the product page shows them.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = product_images)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ProductImage {
    pub id: i64,
    pub product_id: i64,
    pub position: i32,
    /// The product page's size.
    pub path: String,
    /// The catalog's size (320×240 shown).
    pub thumb_path: String,
    /// The cart's and order pages' size (80×60 shown).
    pub small_path: String,
    /// What it shows; empty means the product's name.
    pub alt: String,
}

impl ProductImage {
    /// The image's text alternative: its own, or else the product's name.
    pub fn alt_or<'a>(&'a self, product_name: &'a str) -> &'a str {
        if self.alt.is_empty() {
            product_name
        } else {
            &self.alt
        }
    }
}

/// An image's files (its three sizes) and its text alternative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFiles {
    pub path: String,
    pub thumb_path: String,
    pub small_path: String,
}

impl ImageFiles {
    /// A shipped SVG: it scales, so it is all three sizes.
    pub fn shipped(path: &str) -> Self {
        Self {
            path: path.to_owned(),
            thumb_path: path.to_owned(),
            small_path: path.to_owned(),
        }
    }
}

/// The images of every active product, each product's in order (the catalog cache's copy).
pub async fn active_product_images(conn: &mut AsyncPgConnection) -> QueryResult<Vec<ProductImage>> {
    product_images::table
        .inner_join(products::table)
        .filter(products::active.eq(true))
        .order((
            product_images::product_id.asc(),
            product_images::position.asc(),
        ))
        .select(ProductImage::as_select())
        .load(conn)
        .await
}

/// A product's images, in order.
pub async fn product_images(
    conn: &mut AsyncPgConnection,
    product_id: i64,
) -> QueryResult<Vec<ProductImage>> {
    product_images::table
        .filter(product_images::product_id.eq(product_id))
        .order(product_images::position.asc())
        .select(ProductImage::as_select())
        .load(conn)
        .await
}

/// How many images a product may have.
pub const MAX_IMAGES: usize = 12;

/// Adds an image after the product's others; `None` when it has [`MAX_IMAGES`] already.
pub async fn add_image(
    conn: &mut AsyncPgConnection,
    product_id: i64,
    files: &ImageFiles,
    alt: &str,
) -> QueryResult<Option<i64>> {
    conn.transaction(|conn| {
        async move {
            // Locks the product, so that two uploads at once do not take the same position.
            products::table
                .find(product_id)
                .select(products::id)
                .for_update()
                .first::<i64>(conn)
                .await?;
            let (count, last): (i64, Option<i32>) = product_images::table
                .filter(product_images::product_id.eq(product_id))
                .select((
                    diesel::dsl::count_star(),
                    diesel::dsl::max(product_images::position),
                ))
                .first(conn)
                .await?;
            if count >= MAX_IMAGES as i64 {
                return Ok(None);
            }
            let id = diesel::insert_into(product_images::table)
                .values((
                    product_images::product_id.eq(product_id),
                    product_images::position.eq(last.map_or(0, |p| p + 1)),
                    product_images::path.eq(&files.path),
                    product_images::thumb_path.eq(&files.thumb_path),
                    product_images::small_path.eq(&files.small_path),
                    product_images::alt.eq(alt),
                ))
                .returning(product_images::id)
                .get_result(conn)
                .await?;
            sync_cover(conn, product_id).await?;
            Ok(Some(id))
        }
        .scope_boxed()
    })
    .await
}

/// Puts new files in place of the product's first image (the product form's "image" field),
/// or adds them when it has none.
pub async fn replace_cover(
    conn: &mut AsyncPgConnection,
    product_id: i64,
    files: &ImageFiles,
) -> QueryResult<()> {
    let first: Option<i64> = product_images::table
        .filter(product_images::product_id.eq(product_id))
        .order(product_images::position.asc())
        .select(product_images::id)
        .first(conn)
        .await
        .optional()?;
    match first {
        Some(id) => {
            diesel::update(product_images::table.find(id))
                .set((
                    product_images::path.eq(&files.path),
                    product_images::thumb_path.eq(&files.thumb_path),
                    product_images::small_path.eq(&files.small_path),
                    product_images::alt.eq(""),
                ))
                .execute(conn)
                .await?;
            sync_cover(conn, product_id).await
        }
        None => add_image(conn, product_id, files, "").await.map(drop),
    }
}

/// Sets an image's text alternative; false when the product has no such image.
pub async fn set_image_alt(
    conn: &mut AsyncPgConnection,
    product_id: i64,
    image_id: i64,
    alt: &str,
) -> QueryResult<bool> {
    diesel::update(
        product_images::table
            .find(image_id)
            .filter(product_images::product_id.eq(product_id)),
    )
    .set(product_images::alt.eq(alt))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Which way an image moves in its product's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Earlier,
    Later,
}

/// Swaps an image with its neighbour in `direction`; false when the product has no such image
/// or it is already at that end.
pub async fn move_image(
    conn: &mut AsyncPgConnection,
    product_id: i64,
    image_id: i64,
    direction: Direction,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        async move {
            let images: Vec<(i64, i32)> = product_images::table
                .filter(product_images::product_id.eq(product_id))
                .order(product_images::position.asc())
                .select((product_images::id, product_images::position))
                .for_update()
                .load(conn)
                .await?;
            let Some(at) = images.iter().position(|(id, _)| *id == image_id) else {
                return Ok(false);
            };
            let other = match direction {
                Direction::Earlier => at.checked_sub(1),
                Direction::Later => Some(at + 1).filter(|&i| i < images.len()),
            };
            let Some(other) = other else {
                return Ok(false);
            };
            let ((a, a_position), (b, b_position)) = (images[at], images[other]);
            // The unique (product, position) constraint is deferred to the commit.
            diesel::update(product_images::table.find(a))
                .set(product_images::position.eq(b_position))
                .execute(conn)
                .await?;
            diesel::update(product_images::table.find(b))
                .set(product_images::position.eq(a_position))
                .execute(conn)
                .await?;
            sync_cover(conn, product_id).await?;
            Ok(true)
        }
        .scope_boxed()
    })
    .await
}

/// What removing an image did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// Removed; these were its files.
    Removed(ImageFiles),
    /// The product has no such image.
    NotFound,
    /// It is the product's only image: a product always has one.
    LastOne,
}

pub async fn remove_image(
    conn: &mut AsyncPgConnection,
    product_id: i64,
    image_id: i64,
) -> QueryResult<Removal> {
    conn.transaction(|conn| {
        async move {
            let images: Vec<ProductImage> = product_images::table
                .filter(product_images::product_id.eq(product_id))
                .select(ProductImage::as_select())
                .for_update()
                .load(conn)
                .await?;
            let Some(image) = images.iter().find(|i| i.id == image_id) else {
                return Ok(Removal::NotFound);
            };
            if images.len() == 1 {
                return Ok(Removal::LastOne);
            }
            diesel::delete(product_images::table.find(image_id))
                .execute(conn)
                .await?;
            sync_cover(conn, product_id).await?;
            Ok(Removal::Removed(ImageFiles {
                path: image.path.clone(),
                thumb_path: image.thumb_path.clone(),
                small_path: image.small_path.clone(),
            }))
        }
        .scope_boxed()
    })
    .await
}

/// Whether any image (of any product) still uses the file at `path`.
pub async fn image_file_used(conn: &mut AsyncPgConnection, path: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        product_images::table.filter(product_images::path.eq(path.to_owned())),
    ))
    .get_result(conn)
    .await
}

/// The small size of the first image of the product in `lines_table`'s `product_id` column
/// (`cart_items` or `order_items`, part of the query): a cart or order line's picture.
pub fn small_cover_of(lines_table: LinesTable) -> SmallCover {
    let lines_table = match lines_table {
        LinesTable::CartItems => "cart_items",
        LinesTable::OrderItems => "order_items",
    };
    diesel::dsl::sql(&format!(
        "(SELECT small_path FROM product_images \
          WHERE product_images.product_id = {lines_table}.product_id \
          ORDER BY product_images.position LIMIT 1)"
    ))
}

/// The tables whose rows are lines with a product.
#[derive(Debug, Clone, Copy)]
pub enum LinesTable {
    CartItems,
    OrderItems,
}

pub type SmallCover =
    diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Text>>;

/// Copies the first image's path to `products.image_path` (what the listing shows).
async fn sync_cover(conn: &mut AsyncPgConnection, product_id: i64) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE products SET image_path = cover.path \
         FROM (SELECT path FROM product_images WHERE product_id = $1 \
               ORDER BY position LIMIT 1) AS cover \
         WHERE products.id = $1 AND products.image_path <> cover.path",
    )
    .bind::<diesel::sql_types::BigInt, _>(product_id)
    .execute(conn)
    .await
    .map(drop)
}

/// Gives each of the demo products listed that has no image yet its shipped pictures.
pub async fn insert_missing_images(
    conn: &mut AsyncPgConnection,
    pictures: &[(&str, Vec<(String, &str)>)],
) -> QueryResult<usize> {
    let mut added = 0;
    for (slug, paths) in pictures {
        added += conn
            .transaction(|conn| {
                async move {
                    // The product's row is locked before looking, so two servers starting at
                    // once do not both add the pictures.
                    let Some(product_id) = products::table
                        .filter(products::slug.eq(*slug))
                        .select(products::id)
                        .for_update()
                        .first::<i64>(conn)
                        .await
                        .optional()?
                    else {
                        return Ok(0);
                    };
                    let has_images: bool = diesel::select(diesel::dsl::exists(
                        product_images::table.filter(product_images::product_id.eq(product_id)),
                    ))
                    .get_result(conn)
                    .await?;
                    if has_images {
                        return Ok(0);
                    }
                    for (path, alt) in paths {
                        add_image(conn, product_id, &ImageFiles::shipped(path), alt).await?;
                    }
                    Ok::<_, diesel::result::Error>(paths.len())
                }
                .scope_boxed()
            })
            .await?;
    }
    Ok(added)
}
