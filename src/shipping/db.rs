//! The one writer of `shipping_methods`. Rates are in the shop's currency; a method is free
//! when the items come to its `free_from_minor` or more.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::{Currency, Money};
use crate::schema::shipping_methods;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = shipping_methods)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ShippingMethod {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// How long it takes, in the shopper's words ("3–5 business days").
    pub delivery: String,
    pub price_minor: i64,
    pub free_from_minor: Option<i64>,
    pub currency: Currency,
}

impl ShippingMethod {
    /// What this method costs for items worth `items_minor`.
    pub fn price_for(&self, items_minor: i64) -> i64 {
        match self.free_from_minor {
            Some(threshold) if items_minor >= threshold => 0,
            _ => self.price_minor,
        }
    }

    pub fn price(&self) -> Money {
        Money::new(self.price_minor, self.currency)
    }

    pub fn free_from(&self) -> Option<Money> {
        self.free_from_minor.map(|m| Money::new(m, self.currency))
    }
}

/// A method as the owner's list shows it, offered or not.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = shipping_methods)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct OwnedShippingMethod {
    #[diesel(embed)]
    pub method: ShippingMethod,
    pub active: bool,
}

/// What the owner changes on a method.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = shipping_methods)]
#[diesel(treat_none_as_null = true)]
pub struct ShippingChanges {
    pub price_minor: i64,
    pub free_from_minor: Option<i64>,
    pub active: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = shipping_methods)]
pub struct NewShippingMethod<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub delivery: &'a str,
    pub price_minor: i64,
    pub free_from_minor: Option<i64>,
    pub currency: Currency,
    pub position: i32,
}

/// The methods checkout offers in `currency`, in the owner's order.
pub async fn active(
    conn: &mut AsyncPgConnection,
    currency: Currency,
) -> QueryResult<Vec<ShippingMethod>> {
    shipping_methods::table
        .filter(shipping_methods::active.eq(true))
        .filter(shipping_methods::currency.eq(currency))
        .order((shipping_methods::position.asc(), shipping_methods::id.asc()))
        .select(ShippingMethod::as_select())
        .load(conn)
        .await
}

/// An offered method by its code.
pub async fn find_active(
    mut conn: &AsyncPgConnection,
    code: &str,
    currency: Currency,
) -> QueryResult<Option<ShippingMethod>> {
    shipping_methods::table
        .filter(shipping_methods::code.eq(code))
        .filter(shipping_methods::active.eq(true))
        .filter(shipping_methods::currency.eq(currency))
        .select(ShippingMethod::as_select())
        .first(&mut conn)
        .await
        .optional()
}

/// Gives a shop with no shipping method in `currency` the default ones (a shop cannot sell
/// without one); a shop that has any, active or not, is left as its owner made it.
pub async fn ensure_some(
    conn: &mut AsyncPgConnection,
    currency: Currency,
    defaults: &[NewShippingMethod<'_>],
) -> QueryResult<usize> {
    let existing: i64 = shipping_methods::table
        .filter(shipping_methods::currency.eq(currency))
        .count()
        .get_result(conn)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    diesel::insert_into(shipping_methods::table)
        .values(defaults)
        .on_conflict((shipping_methods::currency, shipping_methods::code))
        .do_nothing()
        .execute(conn)
        .await
}

/// Every method, offered or not, in the owner's order.
pub async fn all(conn: &mut AsyncPgConnection) -> QueryResult<Vec<OwnedShippingMethod>> {
    shipping_methods::table
        .order((
            shipping_methods::currency.asc(),
            shipping_methods::position.asc(),
            shipping_methods::id.asc(),
        ))
        .select(OwnedShippingMethod::as_select())
        .load(conn)
        .await
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<OwnedShippingMethod>> {
    shipping_methods::table
        .find(id)
        .select(OwnedShippingMethod::as_select())
        .first(conn)
        .await
        .optional()
}

/// Changes a method's rate, threshold and whether it is offered. Orders placed with it keep
/// the shipping they recorded (`orders.shipping_minor`).
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: i64,
    changes: &ShippingChanges,
) -> QueryResult<bool> {
    let changed = diesel::update(shipping_methods::table.find(id))
        .set(changes)
        .execute(conn)
        .await?;
    Ok(changed == 1)
}

/// Adds a method after the others of its currency; `false` when its code is taken there.
pub async fn add(conn: &mut AsyncPgConnection, new: &NewShippingMethod<'_>) -> QueryResult<bool> {
    let inserted = diesel::insert_into(shipping_methods::table)
        .values(new)
        .on_conflict((shipping_methods::currency, shipping_methods::code))
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

/// The position after the last method in `currency`.
pub async fn next_position(conn: &mut AsyncPgConnection, currency: Currency) -> QueryResult<i32> {
    let last: Option<i32> = shipping_methods::table
        .filter(shipping_methods::currency.eq(currency))
        .select(diesel::dsl::max(shipping_methods::position))
        .first(conn)
        .await?;
    Ok(last.map_or(0, |p| p + 1))
}
