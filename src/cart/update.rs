//! `POST /cart/items/{product_id}` and `.../remove`: changes or removes a cart line.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::add::{check_quantity, chosen_variant};
use super::count::CartCounts;
use super::db;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::Quantity;
use crate::error::AppError;
use crate::page::see_other;
use crate::session::{FlashKind, ShopSession};
use crate::stock::Shelf;

#[derive(Debug, Deserialize)]
pub struct UpdateLine {
    quantity: String,
    /// The line's variant, for a product with options.
    #[serde(default)]
    variant_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RemoveLine {
    #[serde(default)]
    variant_id: Option<String>,
}

fn back_to_cart() -> HttpResponse {
    see_other("/cart")
}

fn not_in_cart() -> AppError {
    AppError::bad_request("That product is not in your cart.")
}

#[tracing::instrument(skip(session, pool, counts, form))]
pub async fn update_line(
    session: ShopSession,
    pool: web::Data<DbPool>,
    counts: web::Data<CartCounts>,
    product_id: web::Path<i64>,
    CsrfForm(form): CsrfForm<UpdateLine>,
) -> Result<HttpResponse, AppError> {
    let product_id = product_id.into_inner();
    let quantity =
        Quantity::parse(&form.quantity).map_err(|e| AppError::bad_request(e.to_string()))?;
    let cart_id = session.cart_id().ok_or_else(not_in_cart)?;
    let shelf = Shelf {
        product_id,
        variant_id: chosen_variant(form.variant_id.as_deref())?,
    };
    let mut conn = pool.get().await?;
    let for_sale = db::for_sale(&mut conn, shelf).await?.ok_or_else(|| {
        AppError::bad_request("That product is not available any more: remove it from your cart.")
    })?;
    if shelf.variant_id.is_some() && !for_sale.variant_found() {
        return Err(AppError::bad_request(
            "That option is not available any more: remove it from your cart.",
        ));
    }
    check_quantity(quantity.get(), 0, for_sale.stock, for_sale.max_per_order)?;
    let revision = db::set_line(&mut conn, cart_id, shelf, quantity.get())
        .await?
        .ok_or_else(not_in_cart)?;
    counts.changed(cart_id);
    session.cart_changed(revision);
    let name = for_sale.name();
    session.flash(FlashKind::Info, format!("Updated {name} to {quantity}."));
    Ok(back_to_cart())
}

#[tracing::instrument(skip(session, pool, counts, form))]
pub async fn remove_line(
    session: ShopSession,
    pool: web::Data<DbPool>,
    counts: web::Data<CartCounts>,
    product_id: web::Path<i64>,
    CsrfForm(form): CsrfForm<RemoveLine>,
) -> Result<HttpResponse, AppError> {
    let shelf = Shelf {
        product_id: product_id.into_inner(),
        variant_id: chosen_variant(form.variant_id.as_deref())?,
    };
    let cart_id = session.cart_id().ok_or_else(not_in_cart)?;
    let mut conn = pool.get().await?;
    let revision = db::remove(&mut conn, cart_id, shelf)
        .await?
        .ok_or_else(not_in_cart)?;
    counts.changed(cart_id);
    session.cart_changed(revision);
    session.flash(FlashKind::Info, "Removed from your cart.");
    Ok(back_to_cart())
}
