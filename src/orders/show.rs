//! `GET /orders/{id}`: an order's page, for its owner or the holder of its link.

use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use uuid::Uuid;

use super::access::{Access, access};
use super::db::{self, Order, OrderItem};
use crate::config::Settings;
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::PageContext;
use crate::session::ShopSession;

#[derive(Template, WebTemplate)]
#[template(path = "orders/show.html")]
pub struct OrderPage {
    ctx: PageContext,
    order: Order,
    items: Vec<OrderItem>,
    is_owner: bool,
    link: String,
}

#[tracing::instrument(skip(ctx, session, pool, settings, req))]
pub async fn order_page(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<OrderPage, AppError> {
    let mut conn = pool.get().await?;
    let order = db::find(&mut conn, *id).await?.ok_or(AppError::NotFound)?;
    let access = access(&order, &session, req.path())?;
    let items = db::items(&mut conn, order.id).await?;
    Ok(OrderPage {
        ctx,
        link: format!("{}/orders/{}", settings.base_url, order.id),
        is_owner: access == Access::Owner,
        order,
        items,
    })
}
