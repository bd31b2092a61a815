//! What the sandbox's pages share: their answer with its own security headers, and the origin
//! of a URL they may be framed by or send the browser to.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};

/// `scheme://host[:port]` of a URL, if it is an http(s) URL.
pub fn origin_of(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let origin = u.origin().ascii_serialization();
    (origin != "null").then_some(origin)
}

/// A rendered page with its Content-Security-Policy, never framed nor cached.
pub fn page(status: StatusCode, csp: &str, html: Result<String, askama::Error>) -> HttpResponse {
    render(status, csp, "DENY", html)
}

/// A page that the CSP's `frame-ancestors` lets some page frame (the 3-D Secure dialog).
pub fn framed_page(
    status: StatusCode,
    csp: &str,
    html: Result<String, askama::Error>,
) -> HttpResponse {
    // Browsers ignore X-Frame-Options when CSP frame-ancestors is present; this value only
    // keeps an app-wide `DENY` default from being added.
    render(status, csp, "SAMEORIGIN", html)
}

fn render(
    status: StatusCode,
    csp: &str,
    frame_options: &'static str,
    html: Result<String, askama::Error>,
) -> HttpResponse {
    match html {
        Ok(body) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CONTENT_SECURITY_POLICY, csp.to_string()))
            .insert_header((header::X_FRAME_OPTIONS, frame_options))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "sandbox page failed to render");
            HttpResponse::InternalServerError().finish()
        }
    }
}
