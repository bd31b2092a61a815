//! `GET /admin/orders.csv`: the order list as the dashboard filters it (status, number or
//! email), newest first, for a spreadsheet or the accountant. Amounts are decimals in the
//! order's currency, as the owner typed prices.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;

use super::dashboard::order_filter;
use super::db;
use crate::db::DbPool;
use crate::error::AppError;
use crate::orders::Order;

/// More than a shop of this kind takes in years; the file stays a few megabytes.
const MAX_ROWS: i64 = 50_000;

const HEADER: [&str; 15] = [
    "number",
    "placed_at",
    "email",
    "status",
    "currency",
    "items",
    "discount_code",
    "discount",
    "shipping",
    "tax",
    "total",
    "paid",
    "refunded",
    "ship_country",
    "payment_intent",
];

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    status: Option<String>,
    q: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn orders_csv(
    pool: web::Data<DbPool>,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = order_filter(query.status, query.q)?;
    let mut conn = pool.get().await?;
    let (orders, _) = db::list_orders(&mut conn, &filter, MAX_ROWS, 0).await?;
    let mut csv = String::new();
    push_row(&mut csv, HEADER.iter().map(|h| (*h).to_owned()));
    for order in &orders {
        push_row(&mut csv, row(order));
    }
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((CONTENT_DISPOSITION, "attachment; filename=\"orders.csv\""))
        .body(csv))
}

fn row(order: &Order) -> impl Iterator<Item = String> {
    let money = |minor: i64| crate::domain::Money::new(minor, order.currency).to_input();
    [
        order.number.to_string(),
        order.created_at.format(&Rfc3339).unwrap_or_default(),
        order.email.clone(),
        order.status().as_str().to_owned(),
        order.currency.as_str().to_owned(),
        order.items_subtotal().to_input(),
        order.discount_code.clone().unwrap_or_default(),
        money(order.discount_minor),
        money(order.shipping_minor),
        money(order.tax_minor),
        money(order.total_minor),
        money(order.amount_paid_minor),
        money(order.amount_refunded_minor),
        order.ship_country.clone().unwrap_or_default(),
        order.payment_intent_id.clone().unwrap_or_default(),
    ]
    .into_iter()
}

/// One CSV line (RFC 4180). A text a shopper typed (an email) that starts like a formula is
/// prefixed with `'`, so a spreadsheet shows it rather than runs it.
fn push_row(csv: &mut String, fields: impl Iterator<Item = String>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            csv.push(',');
        }
        let field = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_number(&field) {
            format!("'{field}")
        } else {
            field
        };
        if field.contains([',', '"', '\n', '\r']) {
            csv.push('"');
            csv.push_str(&field.replace('"', "\"\""));
            csv.push('"');
        } else {
            csv.push_str(&field);
        }
    }
    csv.push_str("\r\n");
}

fn is_number(field: &str) -> bool {
    field.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::push_row;

    fn line(fields: &[&str]) -> String {
        let mut csv = String::new();
        push_row(&mut csv, fields.iter().map(|f| (*f).to_owned()));
        csv
    }

    #[test]
    fn quotes_what_needs_quoting_and_defuses_formulas() {
        assert_eq!(
            line(&["1", "a,b", "say \"hi\""]),
            "1,\"a,b\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(
            line(&["=HYPERLINK(\"x\")", "-3.50"]),
            "\"'=HYPERLINK(\"\"x\"\")\",-3.50\r\n"
        );
        assert_eq!(line(&["@evil", "+1"]), "'@evil,+1\r\n");
    }
}
