//! `M/_clock`: a form that advances a customer's test clock (for walkthroughs in a browser:
//! subscribe with a customer on a clock, then move its time a day, a month, past a trial's
//! end). The clock is advanced as the API advances it, and is `ready` when the page answers.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::html;
use crate::shared::Shared;
use crate::store::Origin;
use crate::store::subscriptions::short_date;

const CLOCK_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

#[derive(Template)]
#[template(path = "clock.html")]
struct ClockPage {
    message: Option<String>,
    customer: String,
    clocks: Vec<ClockRow>,
}

struct ClockRow {
    id: String,
    name: String,
    time: String,
    customers: String,
}

#[derive(Deserialize)]
pub struct AdvanceForm {
    customer: String,
    days: Option<String>,
    hours: Option<String>,
}

fn render(
    store: &crate::store::Store,
    customer: String,
    message: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let mut clocks: Vec<ClockRow> = store
        .billing
        .test_clocks
        .values()
        .map(|c| ClockRow {
            id: c.id.clone(),
            name: c.name.clone().unwrap_or_default(),
            time: time::OffsetDateTime::from_unix_timestamp(c.frozen_time)
                .map(|t| {
                    format!(
                        "{} {:02}:{:02} UTC",
                        short_date(c.frozen_time),
                        t.hour(),
                        t.minute()
                    )
                })
                .unwrap_or_default(),
            customers: store.clock_customers(&c.id).join(", "),
        })
        .collect();
    clocks.sort_by(|a, b| a.id.cmp(&b.id));
    html::page(
        status,
        CLOCK_CSP,
        ClockPage {
            message,
            customer,
            clocks,
        }
        .render(),
    )
}

pub async fn page(shared: web::Data<Shared>) -> HttpResponse {
    render(&shared.lock(), String::new(), None, StatusCode::OK)
}

pub async fn advance(
    shared: web::Data<Shared>,
    req: HttpRequest,
    form: web::Form<AdvanceForm>,
) -> HttpResponse {
    let pages = super::challenge::mount_point(&req);
    let mut store = shared.lock();
    let customer = form.customer.trim().to_string();
    let number = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<i64>())
    };
    let (days, hours) = match (number(&form.days), number(&form.hours)) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => {
            return render(
                &store,
                customer,
                Some("Days and hours are whole numbers.".into()),
                StatusCode::BAD_REQUEST,
            );
        }
        (d, h) => (
            d.and_then(Result::ok).unwrap_or(0),
            h.and_then(Result::ok).unwrap_or(0),
        ),
    };
    if days < 0 || hours < 0 || days > 800 || days * 24 + hours == 0 {
        return render(
            &store,
            customer,
            Some("Advance by at least an hour (and at most 800 days).".into()),
            StatusCode::BAD_REQUEST,
        );
    }
    if !store.customers.contains_key(&customer) {
        return render(
            &store,
            customer.clone(),
            Some(format!("No such customer: {customer}")),
            StatusCode::BAD_REQUEST,
        );
    }
    let Some(clock) = store.customer_clock(&customer) else {
        return render(&store, customer, Some("This customer is not on a test clock: create it with `test_clock` to move its time.".into()), StatusCode::BAD_REQUEST);
    };
    let Ok(now) = store.test_clock(&clock).map(|c| c.frozen_time) else {
        return render(
            &store,
            customer,
            Some("Its test clock no longer exists.".into()),
            StatusCode::BAD_REQUEST,
        );
    };
    let to = now + days * 24 * 60 * 60 + hours * 60 * 60;
    let message = match store.advance_test_clock(&clock, to, &Origin::default()) {
        Ok(_) => {
            store.run_advancing_clocks(&pages);
            format!("The clock {clock} is now at {}.", short_date(to))
        }
        Err(e) => e
            .body
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or("The clock could not be advanced.")
            .to_string(),
    };
    render(&store, customer, Some(message), StatusCode::OK)
}
