//! What the browser loads from the sandbox: the Stripe.js stand-in, the card iframe, the
//! 3-D Secure challenge page and a demo payment page. Each page sets its own
//! Content-Security-Policy and framing headers, so the shop's defaults do not apply to them.
//!
//! | method | path | |
//! |---|---|---|
//! | GET | `M/js/v3/stripe.js` | the Stripe.js stand-in (finds its base URL from its own `src`) |
//! | GET | `M/elements/payment?origin=ORIGIN` | the card iframe (may be framed by ORIGIN) |
//! | GET | `M/assets/{file}` | the iframe's, challenge page's and demo's scripts and styles |
//! | GET | `M/3ds/{challenge}` | the 3-D Secure page ("Complete authentication", "Fail authentication") |
//! | POST | `M/3ds/{challenge}` | `outcome=complete|fail`; then 303 to the intent's `return_url` with `payment_intent`, `payment_intent_client_secret`, `redirect_status` |
//! | GET | `M/_demo` | a demo payment page (creates a $20.00 PaymentIntent; 12 a minute in all, the latest 100 kept) |
//! | GET | `M/_demo/return` | where the demo returns |

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::{Mutex, PoisonError};

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Shared;
use super::api::CHALLENGE_ROUTE;
use super::objects::{PaymentIntent, Status};
use super::payments::format_amount;
use super::state::Origin;

const STRIPE_JS: &str = include_str!("../assets/stripe.js");
const ELEMENTS_HTML: &str = include_str!("../assets/elements.html");

/// Static files under `M/assets/`: name, content type, body.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "elements.js",
        "application/javascript; charset=utf-8",
        include_str!("../assets/elements.js"),
    ),
    (
        "elements.css",
        "text/css; charset=utf-8",
        include_str!("../assets/elements.css"),
    ),
    (
        "pages.css",
        "text/css; charset=utf-8",
        include_str!("../assets/pages.css"),
    ),
    (
        "demo.js",
        "application/javascript; charset=utf-8",
        include_str!("../assets/demo.js"),
    ),
];

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/js/v3/stripe.js", web::get().to(stripe_js))
        .route("/elements/payment", web::get().to(elements_page))
        .route("/assets/{file}", web::get().to(asset))
        .service(
            web::resource("/3ds/{challenge}")
                .name(CHALLENGE_ROUTE)
                .route(web::get().to(challenge_page))
                .route(web::post().to(challenge_answer)),
        )
        .route("/_demo", web::get().to(demo_page))
        .route("/_demo/return", web::get().to(demo_return));
}

async fn stripe_js() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "application/javascript; charset=utf-8",
        ))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(STRIPE_JS)
}

async fn asset(path: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|(name, _, _)| *name == path.as_str()) {
        Some((_, content_type, body)) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, *content_type))
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
            .body(*body),
        None => HttpResponse::NotFound().finish(),
    }
}

/// `scheme://host[:port]` of a URL, if it is an http(s) URL.
fn origin_of(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let origin = u.origin().ascii_serialization();
    (origin != "null").then_some(origin)
}

#[derive(Deserialize)]
struct ElementsQuery {
    origin: Option<String>,
}

/// The card form. It may be framed by the page that loaded Stripe.js (`origin`), and talks
/// only to the sandbox's own API.
async fn elements_page(query: web::Query<ElementsQuery>) -> HttpResponse {
    let ancestors = query
        .origin
        .as_deref()
        .and_then(origin_of)
        .unwrap_or_else(|| "'self'".to_string());
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self' {ancestors}"
    );
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CONTENT_SECURITY_POLICY, csp))
        // Browsers ignore X-Frame-Options when CSP frame-ancestors is present; this value only
        // keeps a server-wide `DENY` default from being added.
        .insert_header((header::X_FRAME_OPTIONS, "SAMEORIGIN"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(ELEMENTS_HTML)
}

#[derive(Template)]
#[template(path = "challenge.html")]
struct ChallengePage {
    amount: String,
    card: String,
    open: bool,
    status: String,
}

fn page(status: StatusCode, csp: &str, html: Result<String, askama::Error>) -> HttpResponse {
    match html {
        Ok(body) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CONTENT_SECURITY_POLICY, csp.to_string()))
            .insert_header((header::X_FRAME_OPTIONS, "DENY"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "sandbox page failed to render");
            HttpResponse::InternalServerError().finish()
        }
    }
}

fn challenge_csp(return_url: Option<&str>) -> String {
    let target = return_url.and_then(origin_of).unwrap_or_default();
    format!(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' {target}; frame-ancestors 'none'; base-uri 'none'"
    )
}

fn not_found_page() -> HttpResponse {
    HttpResponse::NotFound()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body("This authentication request does not exist.")
}

async fn challenge_page(shared: web::Data<Shared>, path: web::Path<String>) -> HttpResponse {
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
        Some((p, return_url)) => page(
            StatusCode::OK,
            &challenge_csp(return_url.as_deref()),
            p.render(),
        ),
        None => not_found_page(),
    }
}

#[derive(Deserialize)]
struct ChallengeForm {
    outcome: String,
}

/// The URL the shopper goes back to: `return_url` with Stripe's query parameters.
pub fn return_location(pi: &PaymentIntent) -> Option<String> {
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
}

async fn challenge_answer(
    shared: web::Data<Shared>,
    path: web::Path<String>,
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
    match return_location(&pi) {
        Some(location) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        None => page(
            StatusCode::OK,
            &challenge_csp(None),
            ChallengeDone {
                status: pi.status.as_str().to_string(),
            }
            .render(),
        ),
    }
}

const DEMO_CSP: &str = "default-src 'self'; script-src 'self'; frame-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoPage {
    publishable_key: String,
    client_secret: String,
    amount: String,
}

/// Demo payments a minute, for everyone together: anyone may open the demo page, and each view
/// creates a PaymentIntent (and its `payment_intent.created` event, which the shop stores).
const DEMO_VIEWS_PER_MINUTE: u32 = 12;
/// Demo PaymentIntents kept in memory; older ones are forgotten.
const DEMO_INTENTS_KEPT: usize = 100;

/// What keeps the anonymous demo page from growing the sandbox's memory, and the events the
/// shop stores, without bound.
pub(crate) struct DemoLimits {
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
async fn demo_page(shared: web::Data<Shared>) -> HttpResponse {
    if let Err(not_until) = shared.demo.views.check() {
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
        let pi = PaymentIntent {
            description: Some("Sandbox demo payment".into()),
            automatic_payment_methods: Some("always".into()),
            ..PaymentIntent::new(2000, "usd")
        };
        let id = pi.id.clone();
        store.intents.insert(id.clone(), pi.clone());
        store.emit("payment_intent.created", pi.to_json(), &Origin::default());
        if let Some(old) = shared.demo.remember(id) {
            store.intents.remove(&old);
        }
        pi
    };
    page(
        StatusCode::OK,
        DEMO_CSP,
        DemoPage {
            publishable_key: shared.publishable_key.clone(),
            client_secret: pi.client_secret,
            amount: format_amount(pi.amount, &pi.currency),
        }
        .render(),
    )
}

#[derive(Deserialize)]
struct DemoReturnQuery {
    payment_intent: Option<String>,
}

#[derive(Template)]
#[template(path = "demo_return.html")]
struct DemoReturn {
    id: String,
    status: String,
    error: String,
}

async fn demo_return(
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
        Some(p) => page(StatusCode::OK, DEMO_CSP, p.render()),
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
