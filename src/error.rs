//! What a failed request looks like: one error type for the whole shop, rendered as a page in
//! the site's layout (by [`crate::error_page`]). Internals (SQL, error chains, Stripe payloads) go to the log, never to
//! the page.

use crate::payments::stripe::error::GatewayError;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Input the shopper can fix; the message is shown to them as it is.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("missing or forged CSRF token")]
    Csrf,
    #[error("forbidden")]
    Forbidden,
    /// The request was fine but the shop's state refuses it (out of stock, already paid).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("sign-in required")]
    SignInRequired { next: String },
    #[error("payments unavailable")]
    PaymentsUnavailable,
    /// Too many attempts from this client or at this account: try again after `retry_after`
    /// seconds (429, with `Retry-After`).
    #[error("too many requests: {message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    /// The shop is at a limit it keeps to stay up (its password hashing threads are all busy):
    /// 503 with `Retry-After`.
    #[error("busy")]
    Busy,
    /// The shopper came back from paying, and Stripe could not be asked how it went.
    #[error("payment not confirmed yet")]
    PaymentNotConfirmed { order_number: i64 },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest(message.into())
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    /// The heading and sentence a person reads on the error page.
    pub fn page_text(&self) -> (&'static str, String) {
        match self {
            Self::NotFound => page_text_for(StatusCode::NOT_FOUND),
            Self::BadRequest(message) => ("That didn't work", message.clone()),
            Self::Csrf => (
                "This form has expired",
                "Go back, reload the page and try again.".into(),
            ),
            Self::Forbidden => page_text_for(StatusCode::FORBIDDEN),
            Self::Conflict(message) => ("That can't be done right now", message.clone()),
            Self::SignInRequired { .. } => ("Please sign in", "Sign in to continue.".into()),
            Self::PaymentsUnavailable => (
                "Payments are unavailable right now",
                "Your cart is safe, and nothing is ever charged twice. Please try again in a moment."
                    .into(),
            ),
            Self::TooManyRequests { message, .. } => ("Please wait a moment", message.clone()),
            Self::Busy => (
                "Busy right now",
                "Too many people are signing in at this moment. Please try again in a few seconds."
                    .into(),
            ),
            Self::PaymentNotConfirmed { order_number } => (
                "We are confirming your payment",
                format!(
                    "Stripe could not tell us how your payment for order #{order_number} went \
                     just now. If your card was charged, the order is confirmed automatically \
                     within a few minutes: please do not pay again. Reload this page in a moment \
                     to see where it stands, or find the order under My orders (or, as a \
                     guest, with Find an order)."
                ),
            ),
            Self::Unexpected(_) => page_text_for(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

/// The heading and sentence of an error page with no [`AppError`] behind it (actix's own 404,
/// 405, 413).
pub fn page_text_for(status: StatusCode) -> (&'static str, String) {
    match status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            "We couldn't find that page. It may have moved, or the link may be wrong.".into(),
        ),
        StatusCode::FORBIDDEN => (
            "Not allowed",
            "You don't have permission to see this page.".into(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "That didn't work",
            "This page can't be used that way.".into(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("That didn't work", "What you sent is too large.".into()),
        s if s.is_client_error() => (
            "That didn't work",
            "The request could not be understood. Go back and try again.".into(),
        ),
        _ => (
            "Something went wrong",
            "Sorry, something went wrong on our side. Nothing was charged. Please try again in a moment."
                .into(),
        ),
    }
}

impl From<GatewayError> for AppError {
    fn from(e: GatewayError) -> Self {
        tracing::warn!(error = %e, "a Stripe call failed");
        match e {
            GatewayError::Unavailable(_)
            | GatewayError::Failed { .. }
            | GatewayError::Refused { .. } => Self::PaymentsUnavailable,
        }
    }
}

impl From<crate::db::DbError> for AppError {
    fn from(e: crate::db::DbError) -> Self {
        Self::Unexpected(e.into())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Unexpected(anyhow::Error::new(e).context("database query"))
    }
}

impl From<deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>> for AppError {
    fn from(e: deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>) -> Self {
        Self::Unexpected(anyhow::Error::new(e).context("database connection"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Csrf | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::SignInRequired { .. } => StatusCode::SEE_OTHER,
            Self::PaymentsUnavailable | Self::Busy | Self::PaymentNotConfirmed { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::SignInRequired { next } = self {
            let location = format!("/login?next={}", urlencode(next));
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        if let Self::Unexpected(e) = self {
            tracing::error!(error = ?e, "request failed");
        }
        // A bare page; `error_page::render_error_page` replaces it with one in the site's layout.
        let (title, message) = self.page_text();
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::TooManyRequests {
                retry_after_secs, ..
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::Busy => {
                response.insert_header((header::RETRY_AFTER, "2"));
            }
            _ => {}
        }
        response.content_type(ContentType::html()).body(format!(
            "<!doctype html><title>{title}</title><h1>{title}</h1><p>{}</p>",
            escape_html(&message)
        ))
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
