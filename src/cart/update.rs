//! `POST /cart/items/{product_id}` and `.../remove`: changes or removes a cart line.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::add::check_quantity;
use super::count::CartCounts;
use super::db;
use crate::catalog;
use crate::csrf::{CsrfForm, NoFields};
use crate::db::DbPool;
use crate::domain::Quantity;
use crate::error::AppError;
use crate::page::see_other;
use crate::session::{FlashKind, ShopSession};

#[derive(Debug, Deserialize)]
pub struct UpdateLine {
    quantity: String,
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
    let mut conn = pool.get().await?;
    let product = catalog::db::active_product(&mut conn, product_id)
        .await?
        .ok_or_else(|| {
            AppError::bad_request(
                "That product is not available any more: remove it from your cart.",
            )
        })?;
    if db::quantity_for_update(&mut conn, cart_id, product_id)
        .await?
        .is_none()
    {
        return Err(not_in_cart());
    }
    check_quantity(quantity.get(), 0, product.stock, product.max_per_order)?;
    db::set_quantity(&mut conn, cart_id, product_id, quantity.get()).await?;
    counts.changed(cart_id).await;
    session.flash(
        FlashKind::Info,
        format!("Updated {} to {quantity}.", product.name),
    );
    Ok(back_to_cart())
}

#[tracing::instrument(skip(session, pool, counts, _form))]
pub async fn remove_line(
    session: ShopSession,
    pool: web::Data<DbPool>,
    counts: web::Data<CartCounts>,
    product_id: web::Path<i64>,
    CsrfForm(_form): CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let cart_id = session.cart_id().ok_or_else(not_in_cart)?;
    let mut conn = pool.get().await?;
    let removed = db::remove(&mut conn, cart_id, product_id.into_inner()).await?;
    counts.changed(cart_id).await;
    if removed == 0 {
        return Err(not_in_cart());
    }
    session.flash(FlashKind::Info, "Removed from your cart.");
    Ok(back_to_cart())
}
