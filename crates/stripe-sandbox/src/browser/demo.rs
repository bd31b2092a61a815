//! The demo payment page (`M/_demo`): a $20.00 payment with the Stripe.js stand-in, to try the
//! test cards without an app (`?currency=eur`: €20.00, with SEPA Debit too), and the page it
//! returns to (`M/_demo/return`). It confirms with `redirect: 'if_required'`, so a card's
//! outcome (3-D Secure in a dialog) shows on the page; `?redirect=always` goes to the return
//! page instead. Anyone may open it, so it is bounded ([`DemoLimits`]).

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::{Mutex, PoisonError};

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::html;
use crate::currency::format_amount;
use crate::objects::PaymentIntent;
use crate::shared::Shared;
use crate::store::Origin;

const DEMO_CSP: &str = "default-src 'self'; script-src 'self'; frame-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoPage {
    publishable_key: String,
    client_secret: String,
    amount: String,
    /// `if_required` or `always`, as `stripe.confirmPayment` takes it.
    redirect: &'static str,
    euros: bool,
}

/// `?currency=eur` and `?redirect=always`.
#[derive(Deserialize)]
pub struct DemoQuery {
    currency: Option<String>,
    redirect: Option<String>,
}

/// Demo payments a minute, for everyone together: anyone may open the demo page, and each view
/// creates a PaymentIntent (and its `payment_intent.created` event, which the shop stores).
const DEMO_VIEWS_PER_MINUTE: u32 = 12;
/// Demo PaymentIntents kept in memory; older ones are forgotten.
const DEMO_INTENTS_KEPT: usize = 100;

/// What keeps the anonymous demo page from growing the sandbox's memory, and the events the
/// shop stores, without bound.
pub struct DemoLimits {
    views: governor::DefaultDirectRateLimiter,
    /// The demo's intents, oldest first.
    intents: Mutex<VecDeque<String>>,
}

impl Default for DemoLimits {
    fn default() -> Self {
        let per_minute = NonZeroU32::new(DEMO_VIEWS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        Self {
            views: governor::RateLimiter::direct(governor::Quota::per_minute(per_minute)),
            intents: Mutex::new(VecDeque::new()),
        }
    }
}

impl DemoLimits {
    /// Remembers a new demo intent; returns the one to forget when there are too many.
    fn remember(&self, id: String) -> Option<String> {
        let mut intents = self.intents.lock().unwrap_or_else(PoisonError::into_inner);
        intents.push_back(id);
        (intents.len() > DEMO_INTENTS_KEPT)
            .then(|| intents.pop_front())
            .flatten()
    }
}

/// A page like the shop's payment page, to try the test cards without the shop.
pub async fn page(
    shared: web::Data<Shared>,
    limits: web::Data<DemoLimits>,
    query: web::Query<DemoQuery>,
) -> HttpResponse {
    let euros = query.currency.as_deref() == Some("eur");
    let redirect = if query.redirect.as_deref() == Some("always") {
        "always"
    } else {
        "if_required"
    };
    if let Err(not_until) = limits.views.check() {
        let wait = not_until
            .wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ))
            .as_secs()
            + 1;
        return HttpResponse::TooManyRequests()
            .insert_header((header::RETRY_AFTER, wait.to_string()))
            .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
            .body(format!(
                "The demo page is busy: try again in {wait} seconds."
            ));
    }
    let pi = {
        let mut store = shared.lock();
        let currency = if euros { "eur" } else { "usd" };
        let pi = PaymentIntent {
            description: Some("Sandbox demo payment".into()),
            automatic_payment_methods: Some("always".into()),
            payment_method_types: crate::store::bank_debits::automatic_types(currency),
            ..PaymentIntent::new(2000, currency)
        };
        store.add_intent(pi.clone(), &Origin::default());
        if let Some(old) = limits.remember(pi.id.clone()) {
            store.intents.remove(&old);
        }
        pi
    };
    html::page(
        StatusCode::OK,
        DEMO_CSP,
        DemoPage {
            publishable_key: shared.publishable_key.clone(),
            client_secret: pi.client_secret,
            amount: format_amount(pi.amount, &pi.currency),
            redirect,
            euros,
        }
        .render(),
    )
}

#[derive(Deserialize)]
pub struct DemoReturnQuery {
    payment_intent: Option<String>,
}

#[derive(Template)]
#[template(path = "demo_return.html")]
struct DemoReturn {
    id: String,
    status: String,
    error: String,
}

pub async fn returned(
    shared: web::Data<Shared>,
    query: web::Query<DemoReturnQuery>,
) -> HttpResponse {
    // As the shop does: the query string only names the intent; its status is read from the API.
    let found = query.payment_intent.as_deref().and_then(|id| {
        let store = shared.lock();
        store.intents.get(id).map(|pi| DemoReturn {
            id: pi.id.clone(),
            status: pi.status.as_str().to_string(),
            error: pi
                .last_payment_error
                .as_ref()
                .and_then(|e| e.get("message"))
                .and_then(|m| m.as_str())
                .unwrap_or("")
                .to_string(),
        })
    });
    match found {
        Some(p) => html::page(StatusCode::OK, DEMO_CSP, p.render()),
        None => HttpResponse::NotFound().body("No such payment_intent"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_keeps_only_its_latest_intents() {
        let demo = DemoLimits::default();
        let forgotten: Vec<String> = (0..DEMO_INTENTS_KEPT + 3)
            .filter_map(|i| demo.remember(format!("pi_{i}")))
            .collect();
        assert_eq!(forgotten, ["pi_0", "pi_1", "pi_2"]);
    }
}
