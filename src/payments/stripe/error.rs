//! What a call to Stripe can go wrong with, in the shop's words: retry with the same key,
//! retry with another, or refused. Nothing secret is kept in it.

use stripe::StripeError;
use stripe_shared::{ApiErrorsCode, ApiErrorsType};

/// Why a call to Stripe did not give what was asked, without anything secret in it.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// No answer from Stripe (unreachable, timed out, unreadable), or "not now" (429, a
    /// concurrent request with the same key): the same request, with the same idempotency key,
    /// can be sent again.
    #[error("Stripe is unavailable: {0}")]
    Unavailable(String),
    /// Stripe answered with an error of its own (5xx). Stripe keeps that answer under the
    /// idempotency key and replays it, so trying again needs another key — and, for a create,
    /// making sure first that nothing was created.
    #[error("Stripe failed the request (status {status})")]
    Failed { status: u16 },
    /// Stripe refused the request (4xx): nothing was created. `message` is Stripe's, safe to
    /// show for card errors.
    #[error("Stripe refused the request ({status} {kind} {code} {param}): {message}")]
    Refused {
        status: u16,
        kind: String,
        code: String,
        param: String,
        message: String,
    },
}

impl GatewayError {
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Refused { code, .. } => Some(code),
            Self::Unavailable(_) | Self::Failed { .. } => None,
        }
    }

    /// Stripe answered, and keeps the answer under the request's idempotency key.
    pub fn answered(&self) -> bool {
        !matches!(self, Self::Unavailable(_))
    }

    /// Stripe says the object does not exist (in this account, with these keys).
    pub fn is_missing(&self) -> bool {
        matches!(self, Self::Refused { status: 404, .. }) || self.code() == Some("resource_missing")
    }
}

impl From<StripeError> for GatewayError {
    fn from(e: StripeError) -> Self {
        match e {
            StripeError::Stripe(errors, status) => {
                if status == 429 || status == 409 {
                    return Self::Unavailable(format!("status {status}"));
                }
                if status >= 500 || matches!(errors.type_, ApiErrorsType::ApiError) {
                    return Self::Failed { status };
                }
                Self::Refused {
                    status,
                    kind: errors.type_.as_str().to_owned(),
                    code: errors
                        .code
                        .as_ref()
                        .map(ApiErrorsCode::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    param: errors.param.clone().unwrap_or_default(),
                    message: errors.message.clone().unwrap_or_default(),
                }
            }
            // Transport errors and unreadable answers carry no secrets.
            StripeError::ClientError(e) => Self::Unavailable(e),
            StripeError::Timeout => Self::Unavailable("timeout".into()),
            StripeError::JSONDeserialize(e) => Self::Unavailable(format!("unreadable answer: {e}")),
            StripeError::ConfigError(e) => Self::Unavailable(format!("configuration: {e}")),
        }
    }
}
