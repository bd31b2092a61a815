//! `GET /admin/customers/{id}`: an account and its orders, newest first.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::db;
use crate::admin::format::format_time;
use crate::db::DbPool;
use crate::domain::Money;
use crate::error::AppError;
use crate::orders::Order;
use crate::page::PageContext;

pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Deserialize)]
pub struct CustomerQuery {
    page: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/customer.html")]
pub struct CustomerPage {
    ctx: PageContext,
    id: i64,
    email: String,
    joined: String,
    paid: Vec<Money>,
    orders: Vec<Order>,
    order_count: i64,
    page: i64,
    pages: i64,
}

impl CustomerPage {
    pub fn paid_label(&self) -> String {
        if self.paid.is_empty() {
            return "nothing yet".to_owned();
        }
        self.paid
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" + ")
    }

    pub fn page_link(&self, page: i64) -> String {
        format!("/admin/customers/{}?page={page}", self.id)
    }
}

#[tracing::instrument(skip(ctx, pool, query))]
pub async fn customer_page(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    query: web::Query<CustomerQuery>,
) -> Result<CustomerPage, AppError> {
    let id = *id;
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    let mut conn = pool.get().await?;
    let (email, created_at) = db::account(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (orders, order_count) =
        db::orders_of(&mut conn, id, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let paid = db::paid_by(&mut conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(CustomerPage {
        ctx,
        id,
        email,
        joined: format_time(created_at),
        paid,
        orders,
        order_count,
        page,
        pages: ((order_count + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
    })
}
