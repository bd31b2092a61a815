//! A Checkout Session's hosted page (`M/c/pay/{session}`, as Stripe's
//! `checkout.stripe.com/c/pay/cs_...`): the order's lines and the Payment Element for the
//! session's PaymentIntent, confirmed with the Stripe.js stand-in, so the test cards,
//! 3-D Secure and Stripe's decline messages behave as on the app's own payment page. Paid, it
//! goes to `done`, which sends the shopper to `success_url`; Back goes to `cancel_url`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;

use super::html;
use super::invoice::CardForm;
use crate::currency::format_amount;
use crate::objects::{CheckoutSession, SessionStatus};
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

/// A `subscription`-mode session's page: its recurring lines, the trial, and a card form
/// posted back to the page.
#[derive(Template)]
#[template(path = "checkout_subscription.html")]
struct SubscriptionPage {
    open: bool,
    lines: Vec<Line>,
    due_today: String,
    trial: Option<String>,
    email: Option<String>,
    ask_email: bool,
    cancel_url: Option<String>,
    action: String,
    message: Option<String>,
    closed_message: &'static str,
}

fn subscription_page(
    session: &CheckoutSession,
    prices: &std::collections::HashMap<String, crate::objects::Price>,
    message: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let data = session.subscription_mode.clone().unwrap_or_default();
    let every = |l: &crate::objects::SessionLine| {
        prices
            .get(&l.price_id)
            .or(l.price.as_ref())
            .map(crate::store::subscriptions::interval_words)
            .unwrap_or_default()
    };
    let recurring: i64 = session.lines.iter().map(|l| l.amount()).sum();
    let per = session.lines.first().map(every).unwrap_or_default();
    let trial = match (data.trial_period_days, data.trial_end) {
        (Some(days), _) => Some(format!(
            "{days} days free, then {} per {per}",
            format_amount(recurring, &session.currency)
        )),
        (None, Some(end)) => Some(format!(
            "Free until {}, then {} per {per}",
            crate::store::subscriptions::short_date(end),
            format_amount(recurring, &session.currency)
        )),
        _ => None,
    };
    let page = SubscriptionPage {
        open: session.status == SessionStatus::Open,
        lines: session
            .lines
            .iter()
            .map(|l| Line {
                name: l.name.clone(),
                quantity: l.quantity,
                amount: format!("{} / {}", format_amount(l.amount(), &l.currency), every(l)),
            })
            .collect(),
        due_today: format_amount(session.amount_total(), &session.currency),
        trial,
        email: session.customer_email.clone(),
        ask_email: session.customer.is_none() && session.customer_email.is_none(),
        cancel_url: session.cancel_url.clone(),
        action: session.id.clone(),
        message,
        closed_message: "This checkout session has expired. Go back to the shop to start again.",
    };
    html::page(status, CHECKOUT_CSP, page.render())
}

/// The subscription page's form: the card (and email) typed in start the subscription; a
/// refusal shows Stripe's message on the page again.
pub async fn subscribe(
    shared: web::Data<Shared>,
    req: actix_web::HttpRequest,
    path: web::Path<String>,
    form: web::Form<CardForm>,
) -> HttpResponse {
    let id = path.into_inner();
    let pages = super::challenge::mount_point(&req);
    let mut store = shared.lock();
    let Ok(session) = store.checkout_session(&id).cloned() else {
        return missing();
    };
    if session.subscription_mode.is_none() || session.status != SessionStatus::Open {
        return see_other(&id);
    }
    let email = form
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(e) = email
        && !crate::api::email_is_valid(e)
    {
        return subscription_page(
            &session,
            &store.billing.prices,
            Some("Your email address is invalid.".into()),
            StatusCode::BAD_REQUEST,
        );
    }
    match store.complete_subscription_session(&id, &form.card(), email, &pages) {
        Ok(done) => see_other(&done.success_redirect()),
        Err(e) => {
            let message = e
                .body
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or("The payment failed.")
                .to_string();
            let session = store.checkout_session(&id).cloned().unwrap_or(session);
            subscription_page(&session, &store.billing.prices, Some(message), e.status)
        }
    }
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
        if session.subscription_mode.is_some() {
            return subscription_page(&session, &store.billing.prices, None, StatusCode::OK);
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
