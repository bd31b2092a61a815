//! `GET /orders`: the signed-in shopper's orders.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use super::db::{self, Order};
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::PageContext;

#[derive(Template, WebTemplate)]
#[template(path = "orders/list.html")]
pub struct MyOrdersPage {
    ctx: PageContext,
    orders: Vec<Order>,
}

#[tracing::instrument(skip_all)]
pub async fn my_orders(
    ctx: PageContext,
    pool: web::Data<DbPool>,
) -> Result<MyOrdersPage, AppError> {
    let user = ctx.user.clone().ok_or_else(|| AppError::SignInRequired {
        next: "/orders".into(),
    })?;
    let mut conn = pool.get().await?;
    let orders = db::for_user(&mut conn, user.id).await?;
    Ok(MyOrdersPage { ctx, orders })
}
