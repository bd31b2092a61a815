//! Stripe's error objects: `{"error": {"type", "code", "decline_code", "message", "param", ...}}`.

use actix_web::http::StatusCode;
use serde_json::{Map, Value, json};

/// An error answered in Stripe's shape.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// The inner object of `{"error": ...}`.
    pub body: Map<String, Value>,
    /// Whether an idempotent replay stores this answer. Stripe keeps answers only once an
    /// endpoint started executing: not for validation errors, rate limits or (here) injected faults.
    pub stored: bool,
    /// Extra response headers (`Stripe-Should-Retry`).
    pub should_retry: Option<bool>,
}

impl ApiError {
    fn new(status: StatusCode, type_: &str, message: impl Into<String>) -> Self {
        let mut body = Map::new();
        body.insert("type".into(), json!(type_));
        body.insert("message".into(), json!(message.into()));
        ApiError {
            status,
            body,
            stored: true,
            should_retry: None,
        }
    }

    /// `invalid_request_error`, HTTP 400.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }

    /// A parameter problem found before the endpoint runs (not stored for idempotent replays).
    pub fn param_error(message: impl Into<String>, param: &str, code: Option<&str>) -> Self {
        let mut e = Self::invalid(message).with_param(param);
        if let Some(code) = code {
            e = e.with_code(code);
        }
        e.stored = false;
        e
    }

    pub fn unknown_parameter(name: &str) -> Self {
        Self::param_error(
            format!("Received unknown parameter: {name}"),
            name,
            Some("parameter_unknown"),
        )
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::param_error(
            format!("Missing required param: {name}."),
            name,
            Some("parameter_missing"),
        )
    }

    pub fn not_found(kind: &str, id: &str, param: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            format!("No such {kind}: '{id}'"),
        )
        .with_code("resource_missing")
        .with_param(param)
    }

    pub fn unrecognized_url(method: &str, path: &str) -> Self {
        let mut e = Self::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            format!(
                "Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
            ),
        );
        e.stored = false;
        e
    }

    /// HTTP 401 for a missing or unknown API key. Stripe answers these with
    /// `type: invalid_request_error`; its client libraries raise them as authentication errors.
    pub fn authentication(message: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::UNAUTHORIZED, "invalid_request_error", message);
        e.stored = false;
        e
    }

    pub fn idempotency_mismatch(key: &str) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "idempotency_error",
            format!(
                "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
            ),
        );
        e.stored = false;
        e
    }

    /// HTTP 409: another request with the same idempotency key is being executed.
    pub fn idempotency_key_in_use() -> Self {
        let mut e = Self::new(
            StatusCode::CONFLICT,
            "invalid_request_error",
            "There is currently another in-progress request using this Idempotent Key (probably means you sent two requests simultaneously). Please try again later.",
        )
        .with_code("idempotency_key_in_use");
        e.stored = false;
        e.should_retry = Some(true);
        e
    }

    /// An injected HTTP 500 (`api_error`).
    pub fn internal() -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            "An unknown error occurred",
        );
        e.stored = false;
        e.should_retry = Some(true);
        e
    }

    /// An injected HTTP 429.
    pub fn rate_limited() -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "invalid_request_error",
            "Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.",
        )
        .with_code("rate_limit");
        e.stored = false;
        e.should_retry = Some(true);
        e
    }

    /// A card error, HTTP 402.
    pub fn card(code: &str, decline_code: Option<&str>, message: &str) -> Self {
        let mut e = Self::new(StatusCode::PAYMENT_REQUIRED, "card_error", message).with_code(code);
        if let Some(dc) = decline_code {
            e.body.insert("decline_code".into(), json!(dc));
        }
        e
    }

    pub fn with_code(mut self, code: &str) -> Self {
        self.body.insert("code".into(), json!(code));
        self.body.insert(
            "doc_url".into(),
            json!(format!(
                "https://stripe.com/docs/error-codes/{}",
                code.replace('_', "-")
            )),
        );
        self
    }

    pub fn with_param(mut self, param: &str) -> Self {
        self.body.insert("param".into(), json!(param));
        self
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn with_field(mut self, name: &str, value: Value) -> Self {
        self.body.insert(name.into(), value);
        self
    }

    /// The whole `{"error": {...}}` document.
    pub fn to_json(&self) -> Value {
        json!({ "error": Value::Object(self.body.clone()) })
    }
}
