//! A Checkout Session's hosted page (`M/c/pay/{session}`, as Stripe's
//! `checkout.stripe.com/c/pay/cs_...`): the order's lines and the Payment Element for the
//! session's PaymentIntent, confirmed with the Stripe.js stand-in, so the test cards,
//! 3-D Secure and Stripe's decline messages behave as on the app's own payment page. Paid, it
//! goes to `done`, which sends the shopper to `success_url`; Back goes to `cancel_url`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;

use super::html;
use crate::currency::format_amount;
use crate::objects::SessionStatus;
use crate::shared::Shared;

const CHECKOUT_CSP: &str = "default-src 'self'; script-src 'self'; frame-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";

struct Line {
    name: String,
    quantity: u64,
    amount: String,
}

#[derive(Template)]
#[template(path = "checkout.html")]
struct CheckoutPage {
    open: bool,
    amount: String,
    lines: Vec<Line>,
    email: Option<String>,
    cancel_url: Option<String>,
    publishable_key: String,
    client_secret: String,
    done_url: String,
    closed_message: &'static str,
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

fn missing() -> HttpResponse {
    HttpResponse::NotFound()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body("This Checkout Session does not exist.")
}

pub async fn page(shared: web::Data<Shared>, path: web::Path<String>) -> HttpResponse {
    let id = path.into_inner();
    let page = {
        let mut store = shared.lock();
        let Ok(session) = store.checkout_session(&id).cloned() else {
            return missing();
        };
        if session.status == SessionStatus::Complete {
            return see_other(&session.success_redirect());
        }
        let open = session.status == SessionStatus::Open;
        let client_secret = if open {
            match store.session_intent(&id) {
                Ok(pi) => pi.client_secret,
                Err(_) => return missing(),
            }
        } else {
            String::new()
        };
        CheckoutPage {
            open,
            amount: format_amount(session.amount_total(), &session.currency),
            lines: session
                .lines
                .iter()
                .map(|l| Line {
                    name: l.name.clone(),
                    quantity: l.quantity,
                    amount: format_amount(l.amount(), &l.currency),
                })
                .collect(),
            email: session.customer_email.clone(),
            cancel_url: session.cancel_url.clone(),
            publishable_key: shared.publishable_key.clone(),
            client_secret,
            done_url: format!("{id}/done"),
            closed_message: "This checkout session has expired. Go back to the shop to start again.",
        }
    };
    html::page(StatusCode::OK, CHECKOUT_CSP, page.render())
}

/// Where the page goes once Stripe.js answers: the session's state decides, never the browser.
pub async fn done(shared: web::Data<Shared>, path: web::Path<String>) -> HttpResponse {
    let id = path.into_inner();
    let store = shared.lock();
    match store.checkout_session(&id) {
        Ok(s) if s.status == SessionStatus::Complete => see_other(&s.success_redirect()),
        Ok(_) => see_other(&format!("../{id}")),
        Err(_) => missing(),
    }
}
