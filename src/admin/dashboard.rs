//! `GET /admin`: orders and amounts by payment status for today, 7 and 30 days, revenue, and
//! the order list (filter by status, search by number or email, pages).

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::db::{self, OrderFilter, StatusRow};
use crate::config::Settings;
use crate::db::DbPool;
use crate::domain::{Currency, Money, PaymentStatus};
use crate::error::{AppError, urlencode};
use crate::orders::Order;
use crate::page::PageContext;
use crate::payments::disputes;

pub const PAGE_SIZE: i64 = 20;

#[derive(Debug, Deserialize)]
pub struct DashboardQuery {
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

pub struct SummaryLine {
    pub status: Option<PaymentStatus>,
    pub row: StatusRow,
    currency: Currency,
}

impl SummaryLine {
    pub fn label(&self) -> &'static str {
        self.status.map_or("All orders", PaymentStatus::label)
    }

    pub fn key(&self) -> &'static str {
        self.status.map_or("all", PaymentStatus::as_str)
    }

    pub fn money(&self, minor: &i64) -> Money {
        Money::new(*minor, self.currency)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    ctx: PageContext,
    lines: Vec<SummaryLine>,
    total: SummaryLine,
    statuses: [PaymentStatus; PaymentStatus::ALL.len()],
    /// Orders with an open dispute, and the amount at stake.
    disputed_orders: i64,
    at_stake: Money,
    status: String,
    search: String,
    orders: Vec<Order>,
    matching: i64,
    page: i64,
    pages: i64,
}

impl DashboardPage {
    /// The list's link to another page, keeping the filter.
    pub fn page_link(&self, page: i64) -> String {
        let mut link = format!("/admin?page={page}");
        if !self.status.is_empty() {
            link.push_str(&format!("&status={}", urlencode(&self.status)));
        }
        if !self.search.is_empty() {
            link.push_str(&format!("&q={}", urlencode(&self.search)));
        }
        link
    }

    /// The CSV of every order the list's filter matches (all its pages).
    pub fn csv_link(&self) -> String {
        let mut link = "/admin/orders.csv".to_owned();
        let mut sep = '?';
        if !self.status.is_empty() {
            link.push_str(&format!("{sep}status={}", urlencode(&self.status)));
            sep = '&';
        }
        if !self.search.is_empty() {
            link.push_str(&format!("{sep}q={}", urlencode(&self.search)));
        }
        link
    }

    pub fn is_selected(&self, status: &PaymentStatus) -> bool {
        self.status == status.as_str()
    }
}

/// The order list's filter from its query (`status`, `q`), as the list and its CSV take it.
pub fn order_filter(status: Option<String>, q: Option<String>) -> Result<OrderFilter, AppError> {
    let status = status
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<PaymentStatus>()
                .map_err(|_| AppError::bad_request("There is no such payment status."))
        })
        .transpose()?;
    let search = q
        .map(|q| q.trim().chars().take(200).collect::<String>())
        .filter(|q| !q.is_empty());
    Ok(OrderFilter { status, search })
}

#[tracing::instrument(skip_all)]
pub async fn dashboard(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    query: web::Query<DashboardQuery>,
) -> Result<DashboardPage, AppError> {
    let query = query.into_inner();
    let filter = order_filter(query.status, query.q)?;
    let (status, search) = (filter.status, filter.search.clone());
    let page = query
        .page
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);

    let currency = settings.currency;
    let mut conn = pool.get().await?;
    let rows = db::status_summary(&mut conn, currency).await?;
    let (disputed_orders, at_stake) = disputes::at_stake(&mut conn, currency).await?;
    let (orders, matching) =
        db::list_orders(&mut conn, &filter, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;

    // Statuses without orders have no row: they show zeros.
    let line = |status: Option<PaymentStatus>| SummaryLine {
        status,
        row: rows
            .iter()
            .find(|r| r.status == status)
            .cloned()
            .unwrap_or_default(),
        currency,
    };
    Ok(DashboardPage {
        lines: PaymentStatus::ALL
            .into_iter()
            .map(|s| line(Some(s)))
            .collect(),
        total: line(None),
        statuses: PaymentStatus::ALL,
        disputed_orders,
        at_stake: Money::new(at_stake, currency),
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        search: search.unwrap_or_default(),
        orders,
        matching,
        page,
        pages: ((matching + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        ctx,
    })
}
