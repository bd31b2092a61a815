//! `GET /admin/customers`: the accounts, search by email, a page at a time.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::db::{self, CustomerRow};
use crate::admin::format::format_time;
use crate::db::DbPool;
use crate::domain::Money;
use crate::error::{AppError, urlencode};
use crate::page::PageContext;

pub const PAGE_SIZE: i64 = 25;

#[derive(Debug, Deserialize)]
pub struct CustomersQuery {
    q: Option<String>,
    page: Option<String>,
}

pub struct CustomerLine {
    pub row: CustomerRow,
    /// What they paid, less refunds, in each currency they paid in.
    pub paid: Vec<Money>,
}

impl CustomerLine {
    pub fn paid_label(&self) -> String {
        if self.paid.is_empty() {
            return "—".to_owned();
        }
        self.paid
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" + ")
    }

    pub fn joined(&self) -> String {
        format_time(self.row.created_at)
    }

    pub fn last_order(&self) -> String {
        self.row
            .last_order_at
            .map_or_else(|| "Never".to_owned(), format_time)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/customers.html")]
pub struct CustomersPage {
    ctx: PageContext,
    search: String,
    customers: Vec<CustomerLine>,
    matching: i64,
    page: i64,
    pages: i64,
}

impl CustomersPage {
    pub fn page_link(&self, page: i64) -> String {
        let mut link = format!("/admin/customers?page={page}");
        if !self.search.is_empty() {
            link.push_str(&format!("&q={}", urlencode(&self.search)));
        }
        link
    }
}

#[tracing::instrument(skip_all)]
pub async fn customer_list(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    query: web::Query<CustomersQuery>,
) -> Result<CustomersPage, AppError> {
    let query = query.into_inner();
    let search: String = query
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect();
    let page = query
        .page
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    let mut conn = pool.get().await?;
    let (rows, matching) =
        db::customers(&mut conn, &search, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut paid = db::paid_by(&mut conn, &ids).await?;
    let customers = rows
        .into_iter()
        .map(|row| CustomerLine {
            paid: paid.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect();
    Ok(CustomersPage {
        ctx,
        search,
        customers,
        matching,
        page,
        pages: ((matching + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
    })
}
