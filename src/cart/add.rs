//! `POST /cart/items`: adds a product (one of its variants, when it has options) to the
//! session's cart.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::count::CartCounts;
use super::current::cart_for_update;
use super::db;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::Quantity;
use crate::error::AppError;
use crate::page::see_other;
use crate::session::{FlashKind, ShopSession};
use crate::stock::Shelf;

#[derive(Debug, Deserialize)]
pub struct AddToCart {
    product_id: String,
    /// The option picked on the product page; required for a product with options.
    #[serde(default)]
    variant_id: Option<String>,
    #[serde(default)]
    quantity: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn add_to_cart(
    session: ShopSession,
    pool: web::Data<DbPool>,
    counts: web::Data<CartCounts>,
    CsrfForm(form): CsrfForm<AddToCart>,
) -> Result<HttpResponse, AppError> {
    let quantity = Quantity::parse(form.quantity.as_deref().unwrap_or("1"))
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let product_id: i64 = form
        .product_id
        .trim()
        .parse()
        .map_err(|_| not_available())?;
    let shelf = Shelf {
        product_id,
        variant_id: chosen_variant(form.variant_id.as_deref())?,
    };

    let mut conn = pool.get().await?;
    let mut cart_id = match session.cart_id() {
        Some(cart_id) => cart_id,
        None => {
            // A cart is made only for a product that can be added as asked.
            let for_sale = db::for_sale(&mut conn, shelf)
                .await?
                .ok_or_else(not_available)?;
            check_choice(shelf, &for_sale)?;
            cart_for_update(&mut conn, &session).await?
        }
    };
    let mut added = db::add_to_line(&mut conn, cart_id, shelf, quantity.get())
        .await?
        .ok_or_else(not_available)?;
    if !added.cart_found {
        // The session's cart is gone (merged into an account's, or expired): a new one.
        cart_id = cart_for_update(&mut conn, &session).await?;
        added = db::add_to_line(&mut conn, cart_id, shelf, quantity.get())
            .await?
            .ok_or_else(not_available)?;
    }
    let for_sale = &added.for_sale;
    check_choice(shelf, for_sale)?;
    let Some(revision) = added.revision else {
        check_quantity(
            added.in_cart + quantity.get(),
            added.in_cart,
            for_sale.stock,
            for_sale.max_per_order,
        )?;
        // Within the limits by now: the line changed while it was being added to.
        return Err(AppError::conflict(
            "Your cart changed in the meantime: please try again.",
        ));
    };
    counts.changed(cart_id);
    session.cart_changed(revision);

    let name = for_sale.name();
    session.flash(FlashKind::Info, format!("Added {name} to your cart."));
    Ok(see_other("/cart"))
}

/// Refuses a product with options added without one, or with one not on sale.
fn check_choice(shelf: Shelf, for_sale: &db::ForSale) -> Result<(), AppError> {
    match shelf.variant_id {
        Some(_) if !for_sale.variant_found() => {
            Err(AppError::bad_request("That option is not available."))
        }
        None if for_sale.has_options => Err(AppError::bad_request(
            "Choose an option (a size or a colour) before adding it to your cart.",
        )),
        _ => Ok(()),
    }
}

fn not_available() -> AppError {
    AppError::bad_request("That product is not available.")
}

/// The variant id a form sent, if any; a malformed one is refused.
pub(super) fn chosen_variant(field: Option<&str>) -> Result<Option<i64>, AppError> {
    match field.map(str::trim) {
        None | Some("") => Ok(None),
        Some(id) => id
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad_request("That option is not available.")),
    }
}

/// Refuses a line quantity above the product's most per order or above the stock, saying how
/// many can be had.
pub(super) fn check_quantity(
    wanted: i32,
    in_cart: i32,
    stock: i32,
    max_per_order: i32,
) -> Result<(), AppError> {
    if stock == 0 {
        return Err(AppError::conflict("Sorry, this product is sold out."));
    }
    if wanted > max_per_order && max_per_order < Quantity::MAX && max_per_order <= stock {
        let message = if in_cart == 0 {
            format!("You can order at most {max_per_order} of this product at a time.")
        } else {
            format!(
                "You can order at most {max_per_order} of this product at a time, and {in_cart} are already in your cart."
            )
        };
        return Err(AppError::conflict(message));
    }
    if wanted > stock {
        let more = (stock - in_cart).max(0);
        let message = if in_cart == 0 {
            format!("Sorry, only {stock} left in stock.")
        } else {
            format!(
                "Sorry, only {stock} left in stock and {in_cart} already in your cart: you can add {more} more."
            )
        };
        return Err(AppError::conflict(message));
    }
    if wanted > Quantity::MAX {
        return Err(AppError::bad_request(format!(
            "You can have at most {} of one product in your cart.",
            Quantity::MAX
        )));
    }
    Ok(())
}
