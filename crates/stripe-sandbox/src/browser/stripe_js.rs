//! The Stripe.js stand-in (`M/js/v3/stripe.js`), its card iframe (`M/elements/payment`) and
//! their scripts and styles (`M/assets/{file}`), from the crate's `assets/` folder.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::html::origin_of;

const STRIPE_JS: &str = include_str!("../../assets/stripe.js");
const ELEMENTS_HTML: &str = include_str!("../../assets/elements.html");

/// Static files under `M/assets/`: name, content type, body.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "elements.js",
        "application/javascript; charset=utf-8",
        include_str!("../../assets/elements.js"),
    ),
    (
        "elements.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/elements.css"),
    ),
    (
        "pages.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/pages.css"),
    ),
    (
        "demo.js",
        "application/javascript; charset=utf-8",
        include_str!("../../assets/demo.js"),
    ),
    (
        "checkout.js",
        "application/javascript; charset=utf-8",
        include_str!("../../assets/checkout.js"),
    ),
    (
        "challenge.js",
        "application/javascript; charset=utf-8",
        include_str!("../../assets/challenge.js"),
    ),
];

pub async fn stripe_js() -> HttpResponse {
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

pub async fn asset(path: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|(name, _, _)| *name == path.as_str()) {
        Some((_, content_type, body)) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, *content_type))
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
            .body(*body),
        None => HttpResponse::NotFound().finish(),
    }
}

#[derive(Deserialize)]
/// `?origin=`: the page that loaded Stripe.js.
pub struct ElementsQuery {
    origin: Option<String>,
}

/// The card form. It may be framed by the page that loaded Stripe.js (`origin`), and talks
/// only to the sandbox's own API.
pub async fn elements_page(query: web::Query<ElementsQuery>) -> HttpResponse {
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
