//! `POST /cart/items`: adds a product (one of its variants, when it has options) to the
//! session's cart.

use actix_web::{HttpResponse, web};
use diesel_async::AsyncConnection;
use diesel_async::scoped_futures::ScopedFutureExt;
use serde::Deserialize;

use super::count::CartCounts;
use super::current::cart_for_update;
use super::db;
use crate::catalog;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::Quantity;
use crate::error::AppError;
use crate::page::see_other;
use crate::session::{FlashKind, ShopSession};
use crate::stock::{Shelf, name_as_sold};

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
        .map_err(|_| AppError::bad_request("That product is not available."))?;

    let mut conn = pool.get().await?;
    let product = catalog::db::active_product(&mut conn, product_id)
        .await?
        .ok_or_else(|| AppError::bad_request("That product is not available."))?;
    let (shelf, name, stock) = match chosen_variant(form.variant_id.as_deref())? {
        Some(variant_id) => {
            let variant = catalog::db::active_variant(&mut conn, product_id, variant_id)
                .await?
                .ok_or_else(|| AppError::bad_request("That option is not available."))?;
            let name = name_as_sold(&product.name, Some(&variant.name));
            (
                Shelf {
                    product_id,
                    variant_id: Some(variant_id),
                },
                name,
                variant.stock,
            )
        }
        None if catalog::db::has_active_variants(&mut conn, product_id).await? => {
            return Err(AppError::bad_request(
                "Choose an option (a size or a colour) before adding it to your cart.",
            ));
        }
        None => (
            Shelf {
                product_id,
                variant_id: None,
            },
            product.name,
            product.stock,
        ),
    };
    let cart_id = cart_for_update(&mut conn, &session).await?;

    let max_per_order = product.max_per_order;
    conn.transaction::<_, AppError, _>(|conn| {
        async move {
            let in_cart = db::quantity_for_update(conn, cart_id, shelf)
                .await?
                .unwrap_or(0);
            let wanted = in_cart + quantity.get();
            check_quantity(wanted, in_cart, stock, max_per_order)?;
            db::set_quantity(conn, cart_id, shelf, wanted).await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    counts.changed(cart_id).await;

    session.flash(FlashKind::Info, format!("Added {name} to your cart."));
    Ok(see_other("/cart"))
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
