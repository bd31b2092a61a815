//! An invoice's hosted page (`M/i/{invoice}`, its `hosted_invoice_url`): the invoice, its
//! lines and, while it is open, a card form that pays it; and its PDF (`M/i/{invoice}/pdf`,
//! its `invoice_pdf`). Anyone with the link may see and pay it, as on Stripe.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{html, pdf};
use crate::currency::format_amount;
use crate::objects::{Invoice, InvoiceStatus};
use crate::shared::Shared;
use crate::store::payment_methods::CardInput;
use crate::store::subscriptions::short_date;

pub const INVOICE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A card as typed into one of the sandbox's own card forms.
#[derive(Deserialize)]
pub struct CardForm {
    pub number: Option<String>,
    /// `MM / YY`, `MM/YY` or `MM/YYYY`.
    pub exp: Option<String>,
    pub cvc: Option<String>,
    pub postal_code: Option<String>,
    pub email: Option<String>,
}

impl CardForm {
    pub fn card(&self) -> CardInput {
        let (month, year) = self
            .exp
            .as_deref()
            .and_then(|e| e.split_once('/'))
            .map(|(m, y)| (m.trim().to_string(), y.trim().to_string()))
            .unwrap_or_default();
        CardInput {
            number: self.number.clone(),
            exp_month: Some(month),
            exp_year: Some(year),
            cvc: self.cvc.clone(),
            postal_code: self.postal_code.clone(),
            line1: None,
            name: None,
            email: self.email.clone(),
        }
    }
}

pub struct Row {
    pub description: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct InvoicePage {
    number: String,
    status: &'static str,
    open: bool,
    amount_due: String,
    total: String,
    email: Option<String>,
    period: String,
    rows: Vec<Row>,
    message: Option<String>,
    pay_url: String,
    pdf_url: String,
}

fn missing() -> HttpResponse {
    HttpResponse::NotFound()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body("This invoice does not exist.")
}

pub fn rows(inv: &Invoice) -> Vec<Row> {
    inv.lines
        .iter()
        .map(|l| Row {
            description: l.description.clone(),
            amount: format_amount(l.amount, &l.currency),
        })
        .collect()
}

fn render(inv: &Invoice, message: Option<String>, status: StatusCode) -> HttpResponse {
    let page = InvoicePage {
        number: inv.number.clone().unwrap_or_else(|| "Draft".into()),
        status: inv.status.as_str(),
        open: inv.status == InvoiceStatus::Open,
        amount_due: format_amount(inv.amount_remaining(), &inv.currency),
        total: format_amount(inv.total(), &inv.currency),
        email: inv.customer_email.clone(),
        period: format!(
            "{} – {}",
            short_date(inv.period_start),
            short_date(inv.period_end)
        ),
        rows: rows(inv),
        message,
        pay_url: inv.id.clone(),
        pdf_url: format!("{}/pdf", inv.id),
    };
    html::page(status, INVOICE_CSP, page.render())
}

pub async fn page(shared: web::Data<Shared>, path: web::Path<String>) -> HttpResponse {
    let store = shared.lock();
    match store.billing.invoices.get(path.as_str()) {
        Some(inv) if inv.status != InvoiceStatus::Draft => render(inv, None, StatusCode::OK),
        _ => missing(),
    }
}

/// Pays the open invoice with the card typed in; a decline shows Stripe's message.
pub async fn pay(
    shared: web::Data<Shared>,
    path: web::Path<String>,
    form: web::Form<CardForm>,
) -> HttpResponse {
    let id = path.into_inner();
    let mut store = shared.lock();
    let Some(inv) = store.billing.invoices.get(&id).cloned() else {
        return missing();
    };
    if inv.status != InvoiceStatus::Open {
        return render(&inv, None, StatusCode::OK);
    }
    let origin = crate::store::Origin::default();
    let result = store.add_card(&form.card(), None, &origin).and_then(|pm| {
        let at = store.customer_now(&inv.customer);
        store.attempt_invoice(&id, at, Some(pm), &origin)
    });
    let message = result.err().map(|e| {
        e.body
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or("The payment failed.")
            .to_string()
    });
    let status = if message.is_some() {
        StatusCode::PAYMENT_REQUIRED
    } else {
        StatusCode::OK
    };
    match store.billing.invoices.get(&id) {
        Some(inv) => render(inv, message, status),
        None => missing(),
    }
}

/// The invoice as a PDF.
pub async fn pdf(shared: web::Data<Shared>, path: web::Path<String>) -> HttpResponse {
    let store = shared.lock();
    let Some(inv) = store
        .billing
        .invoices
        .get(path.as_str())
        .filter(|i| i.status != InvoiceStatus::Draft)
    else {
        return missing();
    };
    let mut lines = vec![
        format!("Invoice number: {}", inv.number.clone().unwrap_or_default()),
        format!("Status: {}", inv.status.as_str()),
        format!(
            "Date of issue: {}",
            short_date(inv.finalized_at.unwrap_or(inv.created))
        ),
        format!(
            "Billed to: {}",
            inv.customer_email
                .clone()
                .unwrap_or_else(|| inv.customer.clone())
        ),
        format!(
            "Period: {} - {}",
            short_date(inv.period_start),
            short_date(inv.period_end)
        ),
        String::new(),
    ];
    for row in rows(inv) {
        lines.push(format!("{}    {}", row.description, row.amount));
    }
    lines.push(String::new());
    lines.push(format!(
        "Total: {}",
        format_amount(inv.total(), &inv.currency)
    ));
    lines.push(format!(
        "Amount paid: {}",
        format_amount(inv.amount_paid, &inv.currency)
    ));
    lines.push(format!(
        "Amount due: {}",
        format_amount(inv.amount_remaining(), &inv.currency)
    ));
    lines.push(String::new());
    lines.push("Test mode: made by the Stripe sandbox.".into());
    let body = pdf::document("Invoice", &lines);
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/pdf"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "inline; filename=\"Invoice-{}.pdf\"",
                inv.number.clone().unwrap_or_default()
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}
