//! The 3-D Secure challenge (`M/3ds/{challenge}`): the page where the shopper completes or
//! fails authentication. Opened as a page of its own (the `redirect_to_url` of a confirmation
//! made on a server), it sends the shopper back to the intent's `return_url` as Stripe does;
//! in the Stripe.js stand-in's dialog (`?frame=1&origin=ORIGIN`) it may be framed by ORIGIN
//! and tells that page when the authentication is over.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::html::{self, origin_of};
use crate::currency::format_amount;
use crate::ids::random_string;
use crate::objects::{PaymentIntent, Status};
use crate::shared::Shared;

/// The route name of the challenge page, used to build its absolute URL.
pub const ROUTE: &str = "stripe_sandbox_3ds";

/// A fresh challenge id and the absolute URL of its page (under wherever the sandbox is
/// mounted), for a confirmation that may need 3-D Secure.
pub fn new_challenge(req: &HttpRequest) -> (String, String) {
    let challenge_id = format!("payatt_{}", random_string(24));
    let challenge_url = req
        .url_for(ROUTE, [&challenge_id])
        .map(|u| u.to_string())
        .unwrap_or_default();
    (challenge_id, challenge_url)
}

/// The absolute URL of the sandbox's mount point, ending in `/`, found from the challenge
/// route (mounted at `M/3ds/{challenge}`).
pub fn mount_point(req: &HttpRequest) -> String {
    req.url_for(ROUTE, ["x"])
        .map(|u| u.to_string())
        .ok()
        .and_then(|u| u.strip_suffix("3ds/x").map(str::to_string))
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "challenge.html")]
struct ChallengePage {
    amount: String,
    card: String,
    open: bool,
    status: String,
}

/// `?frame=1&origin=ORIGIN`: the page is in Stripe.js's dialog on ORIGIN's page.
#[derive(Deserialize)]
pub struct FrameQuery {
    frame: Option<String>,
    origin: Option<String>,
}

impl FrameQuery {
    /// The origin of the page whose dialog shows the challenge, if it is one.
    fn dialog_origin(&self) -> Option<String> {
        if self.frame.as_deref() != Some("1") {
            return None;
        }
        self.origin.as_deref().and_then(origin_of)
    }
}

fn challenge_csp(return_url: Option<&str>, dialog: Option<&str>) -> String {
    let target = return_url.and_then(origin_of).unwrap_or_default();
    let ancestors = dialog.unwrap_or("'none'");
    format!(
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self' {target}; frame-ancestors {ancestors}; base-uri 'none'"
    )
}

/// The page, framable by the dialog's page when there is one.
fn challenge_page(
    dialog: Option<&str>,
    return_url: Option<&str>,
    html: Result<String, askama::Error>,
) -> HttpResponse {
    let csp = challenge_csp(return_url, dialog);
    match dialog {
        Some(_) => html::framed_page(StatusCode::OK, &csp, html),
        None => html::page(StatusCode::OK, &csp, html),
    }
}

fn not_found_page() -> HttpResponse {
    HttpResponse::NotFound()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body("This authentication request does not exist.")
}

pub async fn page(
    shared: web::Data<Shared>,
    path: web::Path<String>,
    query: web::Query<FrameQuery>,
) -> HttpResponse {
    let found = {
        let store = shared.lock();
        store
            .challenges
            .get(path.as_str())
            .and_then(|pi_id| store.intents.get(pi_id))
            .map(|pi| {
                let card = pi
                    .payment_method
                    .as_ref()
                    .and_then(|pm| store.payment_methods.get(pm))
                    .map(|pm| format!("•••• {}", pm.last4()))
                    .unwrap_or_default();
                let open = pi.status == Status::RequiresAction
                    && pi
                        .challenge
                        .as_ref()
                        .is_some_and(|(id, _)| id == path.as_str());
                (
                    ChallengePage {
                        amount: format_amount(pi.amount, &pi.currency),
                        card,
                        open,
                        status: pi.status.as_str().to_string(),
                    },
                    pi.return_url.clone(),
                )
            })
    };
    match found {
        Some((p, return_url)) => challenge_page(
            query.dialog_origin().as_deref(),
            return_url.as_deref(),
            p.render(),
        ),
        None => not_found_page(),
    }
}

#[derive(Deserialize)]
pub struct ChallengeForm {
    outcome: String,
}

/// The URL the shopper goes back to: `return_url` with Stripe's query parameters.
fn return_location(pi: &PaymentIntent) -> Option<String> {
    let mut url = reqwest::Url::parse(pi.return_url.as_deref()?).ok()?;
    let redirect_status = match pi.status {
        Status::Succeeded => "succeeded",
        Status::Processing => "processing",
        _ => "failed",
    };
    url.query_pairs_mut()
        .append_pair("payment_intent", &pi.id)
        .append_pair("payment_intent_client_secret", &pi.client_secret)
        .append_pair("redirect_status", redirect_status);
    Some(url.to_string())
}

#[derive(Template)]
#[template(path = "challenge_done.html")]
struct ChallengeDone {
    status: String,
    /// The dialog's page, told that the authentication is over (`assets/challenge.js`).
    dialog_origin: Option<String>,
}

pub async fn answer(
    shared: web::Data<Shared>,
    path: web::Path<String>,
    query: web::Query<FrameQuery>,
    form: web::Form<ChallengeForm>,
) -> HttpResponse {
    let authenticated = match form.outcome.as_str() {
        "complete" => true,
        "fail" => false,
        _ => return HttpResponse::BadRequest().body("outcome must be complete or fail"),
    };
    let after = {
        let mut store = shared.lock();
        store
            .answer_challenge(path.as_str(), authenticated)
            .and_then(|id| store.intents.get(&id).cloned())
    };
    let Some(pi) = after else {
        return not_found_page();
    };
    let dialog = query.dialog_origin();
    match (&dialog, return_location(&pi)) {
        (None, Some(location)) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        _ => challenge_page(
            dialog.as_deref(),
            None,
            ChallengeDone {
                status: pi.status.as_str().to_string(),
                dialog_origin: dialog.clone(),
            }
            .render(),
        ),
    }
}
