//! `GET /cart`: the cart page.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use super::db;
use super::summary::CartSummary;
use crate::config::Settings;
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::PageContext;
use crate::session::ShopSession;

#[derive(Template, WebTemplate)]
#[template(path = "cart/show.html")]
pub struct CartPage {
    ctx: PageContext,
    cart: CartSummary,
    /// The shopper is a Storefront Club member: standard shipping is free.
    member: bool,
}

#[tracing::instrument(skip_all)]
pub async fn cart_page(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
) -> Result<CartPage, AppError> {
    let conn = pool.get().await?;
    let lines = match session.cart_id() {
        Some(cart_id) => db::lines(&conn, cart_id).await?,
        None => Vec::new(),
    };
    let member = match &ctx.user {
        Some(user) => crate::club::db::has_benefit(&conn, user.id).await?,
        None => false,
    };
    Ok(CartPage {
        ctx,
        cart: CartSummary::new(lines, settings.currency),
        member,
    })
}
