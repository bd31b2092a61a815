//! The cart's queries: the one writer of `carts` and `cart_items`.

use diesel::dsl::sum;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text};
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::prepared;
use crate::domain::Currency;
use crate::schema::{cart_items, carts, orders, product_variants, products};
use crate::stock::{Shelf, name_as_sold};

/// A cart's change counter (`carts.revision`): every change to its lines adds one.
pub type Revision = i64;

/// One line of a cart, with what the catalog says about its product (and variant) now.
#[derive(Debug, Clone)]
pub struct CartLine {
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub slug: String,
    /// The name it is sold under, the variant's included ("Merino jumper — M").
    pub name: String,
    /// The variant's own name ("M").
    pub variant_name: Option<String>,
    pub image_path: String,
    /// The variant's own price, or the product's.
    pub price_minor: i64,
    pub currency: Currency,
    /// The variant's stock, or the product's.
    pub stock: i32,
    /// Whether the product, and its variant, are on sale.
    pub active: bool,
    pub max_per_order: i32,
    pub quantity: i32,
    /// The small size of the product's first image.
    pub small_image_path: Option<String>,
}

impl CartLine {
    /// Tells the line apart on the cart page: two sizes of one product are two lines.
    pub fn key(&self) -> String {
        match self.variant_id {
            Some(variant_id) => format!("{}-{variant_id}", self.product_id),
            None => self.product_id.to_string(),
        }
    }

    pub fn shelf(&self) -> Shelf {
        Shelf {
            product_id: self.product_id,
            variant_id: self.variant_id,
        }
    }
}

type LineRow = (
    (i64, String, String, String, i64, Currency, i32, bool, i32),
    (i32, Option<i64>, Option<String>),
    Option<(String, Option<i64>, i32, bool)>,
);

fn cart_line(row: LineRow) -> CartLine {
    let (
        (product_id, slug, name, image_path, price_minor, currency, stock, active, max_per_order),
        (quantity, variant_id, small_image_path),
        variant,
    ) = row;
    let (name, variant_name, price_minor, stock, active) = match (&variant_id, variant) {
        (None, _) => (name, None, price_minor, stock, active),
        (Some(_), Some((variant_name, own_price, variant_stock, variant_active))) => (
            name_as_sold(&name, Some(&variant_name)),
            Some(variant_name),
            own_price.unwrap_or(price_minor),
            variant_stock,
            active && variant_active,
        ),
        // The foreign key keeps the variant; read as gone should it ever be.
        (Some(_), None) => (name, None, price_minor, 0, false),
    };
    CartLine {
        product_id,
        variant_id,
        slug,
        name,
        variant_name,
        image_path,
        price_minor,
        currency,
        stock,
        active,
        max_per_order,
        quantity,
        small_image_path,
    }
}

/// A shelf as a shopper's cart change sees it: the product on sale, the variant named (when it
/// is on sale too), the shelf's stock and the product's most per order.
#[derive(Debug, QueryableByName)]
pub struct ForSale {
    #[diesel(sql_type = Text)]
    product_name: String,
    /// `None` when no variant was named, or the one named is not on sale.
    #[diesel(sql_type = Nullable<Text>)]
    variant_name: Option<String>,
    /// The named variant's stock (0 when it is not on sale), or the product's.
    #[diesel(sql_type = Integer)]
    pub stock: i32,
    #[diesel(sql_type = Integer)]
    pub max_per_order: i32,
    /// Whether the product is sold as one of its variants.
    #[diesel(sql_type = Bool)]
    pub has_options: bool,
}

impl ForSale {
    /// Whether the variant named is on sale.
    pub fn variant_found(&self) -> bool {
        self.variant_name.is_some()
    }

    /// The name the line is sold under.
    pub fn name(&self) -> String {
        name_as_sold(&self.product_name, self.variant_name.as_deref())
    }
}

/// The shelf (the product and variant parameters named) as [`ForSale`] reads it: one row when
/// the product is on sale.
macro_rules! shelf_for_sale {
    (product = $product:literal, variant = $variant:literal) => {
        concat!(
            "SELECT p.name AS product_name, v.name AS variant_name, \
                    CASE WHEN ",
            $variant,
            "::int8 IS NULL THEN p.stock \
                         ELSE coalesce(v.stock, 0) END AS stock, \
                    p.max_per_order, \
                    EXISTS (SELECT 1 FROM product_variants o \
                            WHERE o.product_id = p.id AND o.active) AS has_options \
             FROM products p \
             LEFT JOIN product_variants v \
                 ON v.id = ",
            $variant,
            " AND v.product_id = p.id AND v.active \
             WHERE p.id = ",
            $product,
            " AND p.active"
        )
    };
}

/// The CTE `changed`: marks changed the cart of each line the CTE `line` returns, and returns the
/// cart's new revision.
macro_rules! changed_cte {
    () => {
        "changed AS ( \
             UPDATE carts SET updated_at = now(), revision = revision + 1 \
             WHERE id IN (SELECT cart_id FROM line) \
             RETURNING revision \
         )"
    };
}

/// A statement that changes cart `$1` through its CTE `line` (which returns the `cart_id` of each
/// line it changed), then marks the cart changed and returns its new revision.
///
/// Its commit does not wait for the disk (`synchronous_commit` off until the statement's own
/// transaction ends): a crash of PostgreSQL may lose the last fraction of a second of cart
/// changes, never a placed order (an order's commit flushes every change before it) or a
/// payment. Waiting for the disk on every add to cart was what bounded it: its commits queued on
/// the WAL flush. Setting it inside the statement keeps the change one round trip, with no
/// transaction around it.
macro_rules! cart_change {
    ($line:expr) => {
        concat!(
            "WITH line AS (",
            $line,
            "), ",
            changed_cte!(),
            " SELECT (SELECT revision FROM changed) AS revision, \
                    set_config('synchronous_commit', 'off', true) AS commit_without_flush"
        )
    };
}

/// The shelf, if its product is on sale.
pub async fn for_sale(conn: &mut AsyncPgConnection, shelf: Shelf) -> QueryResult<Option<ForSale>> {
    prepared(
        diesel::sql_query(shelf_for_sale!(product = "$1", variant = "$2"))
            .bind::<BigInt, _>(shelf.product_id)
            .bind::<Nullable<BigInt>, _>(shelf.variant_id),
    )
    .get_result(conn)
    .await
    .optional()
}

/// What adding to a cart line found, and did.
#[derive(Debug, QueryableByName)]
pub struct Added {
    #[diesel(embed)]
    pub for_sale: ForSale,
    /// Whether the cart exists (it may have been merged into an account's, or expired).
    #[diesel(sql_type = Bool)]
    pub cart_found: bool,
    /// The line's quantity before the add.
    #[diesel(sql_type = Integer)]
    pub in_cart: i32,
    /// The cart's new revision; `None` when nothing was added.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub revision: Option<Revision>,
}

/// Adds `quantity` to the cart's line of `shelf` (making the line if there is none) and marks
/// the cart changed, in one statement, when the shelf may be added as named (an option named
/// exactly when the product has options) and the line then holds no more than the stock, the
/// product's most per order and [`Quantity::MAX`](crate::domain::Quantity::MAX): two adds at
/// once both count, and neither can take the line past its limit. `None` when the product is
/// not on sale. Its commit does not wait for the disk, as [`cart_change!`]'s.
pub async fn add_to_line(
    conn: &mut AsyncPgConnection,
    cart_id: Uuid,
    shelf: Shelf,
    quantity: i32,
) -> QueryResult<Option<Added>> {
    prepared(
        diesel::sql_query(concat!(
            "WITH shelf AS (",
            shelf_for_sale!(product = "$2", variant = "$3"),
            "), room AS ( \
             SELECT least(stock, max_per_order, $5) AS most FROM shelf \
             WHERE CASE WHEN $3::int8 IS NULL THEN NOT has_options \
                        ELSE variant_name IS NOT NULL END \
         ), line AS ( \
             INSERT INTO cart_items (cart_id, product_id, variant_id, quantity) \
             SELECT carts.id, $2, $3, $4 FROM carts, room WHERE carts.id = $1 AND $4 <= room.most \
             ON CONFLICT (cart_id, product_id, variant_id) DO UPDATE \
                 SET quantity = cart_items.quantity + excluded.quantity \
                 WHERE cart_items.quantity + excluded.quantity <= (SELECT most FROM room) \
             RETURNING cart_id \
         ), ",
            changed_cte!(),
            " SELECT shelf.*, \
                EXISTS (SELECT 1 FROM carts WHERE id = $1) AS cart_found, \
                coalesce((SELECT quantity FROM cart_items WHERE cart_id = $1 AND product_id = $2 \
                          AND variant_id IS NOT DISTINCT FROM $3), 0) AS in_cart, \
                (SELECT revision FROM changed) AS revision, \
                set_config('synchronous_commit', 'off', true) AS commit_without_flush \
         FROM shelf"
        ))
        .bind::<diesel::sql_types::Uuid, _>(cart_id)
        .bind::<BigInt, _>(shelf.product_id)
        .bind::<Nullable<BigInt>, _>(shelf.variant_id)
        .bind::<Integer, _>(quantity)
        .bind::<Integer, _>(crate::domain::Quantity::MAX),
    )
    .get_result(conn)
    .await
    .optional()
}

/// A cart's revision after a change.
#[derive(QueryableByName)]
struct Changed {
    #[diesel(sql_type = Nullable<BigInt>)]
    revision: Option<Revision>,
}

/// Sets the quantity of a line the cart holds, and marks the cart changed: its new revision, or
/// `None` when the cart holds no such line.
pub async fn set_line(
    conn: &mut AsyncPgConnection,
    cart_id: Uuid,
    shelf: Shelf,
    quantity: i32,
) -> QueryResult<Option<Revision>> {
    prepared(
        diesel::sql_query(cart_change!(
            "UPDATE cart_items SET quantity = $4 \
         WHERE cart_id = $1 AND product_id = $2 AND variant_id IS NOT DISTINCT FROM $3 \
         RETURNING cart_id"
        ))
        .bind::<diesel::sql_types::Uuid, _>(cart_id)
        .bind::<BigInt, _>(shelf.product_id)
        .bind::<Nullable<BigInt>, _>(shelf.variant_id)
        .bind::<Integer, _>(quantity),
    )
    .get_result::<Changed>(conn)
    .await
    .map(|changed| changed.revision)
}

/// What the header's count needs of a cart: how many items it holds, whether an order placed
/// from it waits for payment (its payment takes what it bought out of the cart), and its
/// revision.
pub struct ItemCount {
    pub items: i64,
    pub awaiting_payment: bool,
    pub revision: Revision,
}

pub async fn item_count(conn: &mut AsyncPgConnection, cart_id: Uuid) -> QueryResult<ItemCount> {
    let (total, awaiting_payment, revision): (Option<i64>, bool, Option<i64>) =
        prepared(diesel::select((
            cart_items::table
                .filter(cart_items::cart_id.eq(cart_id))
                .select(sum(cart_items::quantity))
                .single_value(),
            diesel::dsl::exists(
                orders::table
                    .filter(orders::cart_id.eq(cart_id))
                    .filter(crate::orders::db::awaits_payment()),
            ),
            carts::table
                .find(cart_id)
                .select(carts::revision)
                .single_value(),
        )))
        .get_result(conn)
        .await?;
    Ok(ItemCount {
        items: total.unwrap_or(0),
        awaiting_payment,
        revision: revision.unwrap_or(0),
    })
}

pub async fn lines(mut conn: &AsyncPgConnection, cart_id: Uuid) -> QueryResult<Vec<CartLine>> {
    let rows: Vec<LineRow> = prepared(
        cart_items::table
            .inner_join(products::table)
            .left_join(
                product_variants::table
                    .on(product_variants::id.nullable().eq(cart_items::variant_id)),
            )
            .filter(cart_items::cart_id.eq(cart_id))
            .order((
                cart_items::added_at.asc(),
                products::name.asc(),
                product_variants::position.nullable().asc(),
                cart_items::id.asc(),
            ))
            .select((
                (
                    products::id,
                    products::slug,
                    products::name,
                    products::image_path,
                    products::price_minor,
                    products::currency,
                    products::stock,
                    products::active,
                    products::max_per_order,
                ),
                (
                    cart_items::quantity,
                    cart_items::variant_id,
                    crate::catalog::db::small_cover_of(crate::catalog::db::LinesTable::CartItems),
                ),
                (
                    product_variants::name,
                    product_variants::price_minor,
                    product_variants::stock,
                    product_variants::active,
                )
                    .nullable(),
            )),
    )
    .load(&mut conn)
    .await?;
    Ok(rows.into_iter().map(cart_line).collect())
}

pub async fn exists(conn: &mut AsyncPgConnection, cart_id: Uuid) -> QueryResult<bool> {
    prepared(diesel::select(diesel::dsl::exists(
        carts::table.find(cart_id),
    )))
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

/// Locks the cart row until the transaction ends, marking it changed (an order placed from it
/// changes what its count may keep): its new revision, or `None` when there is no such cart.
/// Checkout holds it while it decides between continuing the cart's open order and placing one,
/// so that concurrent submissions of one cart make one order.
pub async fn lock(conn: &mut AsyncPgConnection, cart_id: Uuid) -> QueryResult<Option<Revision>> {
    touch(conn, cart_id).await.optional()
}

/// The line's quantity, locking the line until the transaction ends.
pub async fn quantity_for_update(
    conn: &mut AsyncPgConnection,
    cart_id: Uuid,
    shelf: Shelf,
) -> QueryResult<Option<i32>> {
    cart_items::table
        .filter(cart_items::cart_id.eq(cart_id))
        .filter(cart_items::product_id.eq(shelf.product_id))
        .filter(cart_items::variant_id.is_not_distinct_from(shelf.variant_id))
        .select(cart_items::quantity)
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn set_quantity(
    conn: &mut AsyncPgConnection,
    cart_id: Uuid,
    shelf: Shelf,
    quantity: i32,
) -> QueryResult<()> {
    diesel::insert_into(cart_items::table)
        .values((
            cart_items::cart_id.eq(cart_id),
            cart_items::product_id.eq(shelf.product_id),
            cart_items::variant_id.eq(shelf.variant_id),
            cart_items::quantity.eq(quantity),
        ))
        // The line's key; a missing variant is one value (NULLS NOT DISTINCT).
        .on_conflict((
            cart_items::cart_id,
            cart_items::product_id,
            cart_items::variant_id,
        ))
        .do_update()
        .set(cart_items::quantity.eq(excluded(cart_items::quantity)))
        .execute(conn)
        .await?;
    touch(conn, cart_id).await.map(drop)
}

/// Removes a line and marks the cart changed: its new revision, or `None` when the cart holds
/// no such line.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    cart_id: Uuid,
    shelf: Shelf,
) -> QueryResult<Option<Revision>> {
    prepared(
        diesel::sql_query(cart_change!(
            "DELETE FROM cart_items \
         WHERE cart_id = $1 AND product_id = $2 AND variant_id IS NOT DISTINCT FROM $3 \
         RETURNING cart_id"
        ))
        .bind::<diesel::sql_types::Uuid, _>(cart_id)
        .bind::<BigInt, _>(shelf.product_id)
        .bind::<Nullable<BigInt>, _>(shelf.variant_id),
    )
    .get_result::<Changed>(conn)
    .await
    .map(|changed| changed.revision)
}

/// Takes these lines out of the cart (what an order bought, once it is paid).
pub async fn remove_bought(
    conn: &mut AsyncPgConnection,
    cart_id: Uuid,
    bought: &[Shelf],
) -> QueryResult<()> {
    for shelf in bought {
        diesel::delete(
            cart_items::table
                .filter(cart_items::cart_id.eq(cart_id))
                .filter(cart_items::product_id.eq(shelf.product_id))
                .filter(cart_items::variant_id.is_not_distinct_from(shelf.variant_id)),
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

pub async fn clear(conn: &mut AsyncPgConnection, cart_id: Uuid) -> QueryResult<usize> {
    diesel::delete(cart_items::table.filter(cart_items::cart_id.eq(cart_id)))
        .execute(conn)
        .await
}

/// Marks the cart changed: its new revision.
pub async fn touch(conn: &mut AsyncPgConnection, cart_id: Uuid) -> QueryResult<Revision> {
    prepared(
        diesel::update(carts::table.find(cart_id))
            .set((
                carts::updated_at.eq(diesel::dsl::now),
                carts::revision.eq(carts::revision + 1),
            ))
            .returning(carts::revision),
    )
    .get_result(conn)
    .await
}

/// Moves a guest cart's lines into an account's cart and deletes the guest cart. Quantities of
/// a product (or variant) in both add up, capped at the product's most per order and at the
/// stock.
pub async fn merge(conn: &mut AsyncPgConnection, from: Uuid, into: Uuid) -> QueryResult<()> {
    if from == into {
        return Ok(());
    }
    for line in lines(conn, from).await? {
        let shelf = line.shelf();
        let existing = quantity_for_update(conn, into, shelf).await?.unwrap_or(0);
        let merged = (existing + line.quantity)
            .min(crate::domain::Quantity::MAX)
            .min(line.max_per_order)
            .min(line.stock);
        if merged >= 1 {
            set_quantity(conn, into, shelf, merged).await?;
        }
    }
    diesel::delete(carts::table.find(from))
        .execute(conn)
        .await?;
    Ok(())
}
