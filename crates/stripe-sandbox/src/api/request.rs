//! The way every API request goes: authentication, form parameters, routing, the in-flight
//! and stored answers of idempotency keys, injected faults, then the resource's handler with
//! the store locked, and Stripe's headers on the answer.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use serde_json::Value;

use super::auth::{authenticate, presented_key};
use super::context::{Ctx, KeyKind};
use super::routes::route;
use crate::browser::challenge;
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::JsonText;
use crate::params;
use crate::shared::Shared;
use crate::store::faults::FailureMode;
use crate::store::{Origin, StoredResponse};
use crate::versions;

/// Every API request goes through here.
pub async fn dispatch(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let shared = shared.into_inner();
    if req.method() == Method::OPTIONS {
        return preflight();
    }
    shared.start_background_tasks();

    let request_id = new_id("req");
    // A request runs from here (its latency included) to its answer; another request with the
    // same key meanwhile is answered 409, as Stripe answers it.
    let _running = match InFlight::enter(&shared, &req) {
        Ok(running) => running,
        Err(e) => return Answer::error(e, request_id).into_response(),
    };
    let latency = shared.lock().faults.latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }

    let tail = req.match_info().get("tail").unwrap_or("").to_string();
    let path = format!("/v1/{tail}");
    let answer = match handle(&shared, &req, &body, &tail, &path, &request_id) {
        Ok(answer) => answer,
        Err(e) => Answer::error(e, request_id),
    };
    tracing::debug!(
        method = %req.method(),
        path = %path,
        status = answer.status.as_u16(),
        request_id = %answer.request_id,
        replayed = answer.replayed,
        "sandbox API request"
    );
    answer.into_response()
}

/// A keyed POST being executed; leaving the scope (answered, or the caller went away) ends it.
struct InFlight {
    shared: Arc<Shared>,
    key: Option<(String, String)>,
}

impl InFlight {
    fn enter(shared: &Arc<Shared>, req: &HttpRequest) -> Result<InFlight, ApiError> {
        let header = |name| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let key = match (req.method() == Method::POST, header("Idempotency-Key")) {
            (true, Some(key)) => Some((
                header(header::AUTHORIZATION.as_str()).unwrap_or_default(),
                key,
            )),
            _ => None,
        };
        // A key that already has its answer is replayed at once; only a request that will
        // execute holds its key.
        let key = key.filter(|(auth, idempotency)| {
            let api_key = auth
                .strip_prefix("Bearer ")
                .unwrap_or(auth)
                .trim()
                .to_owned();
            shared.lock().stored_answer(&api_key, idempotency).is_none()
        });
        if let Some(key) = &key {
            let mut running = shared
                .in_flight
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !running.insert(key.clone()) {
                return Err(ApiError::idempotency_key_in_use());
            }
        }
        Ok(InFlight {
            shared: shared.clone(),
            key,
        })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.shared
                .in_flight
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&key);
        }
    }
}

/// A response ready to send.
struct Answer {
    status: StatusCode,
    body: String,
    request_id: String,
    idempotency_key: Option<String>,
    replayed: bool,
    should_retry: Option<bool>,
    /// The `Stripe-Version` the request asked for, which the answer is stamped with.
    version: Option<String>,
}

impl Answer {
    fn error(e: ApiError, request_id: String) -> Answer {
        Answer {
            status: e.status,
            body: pretty(&e.to_json()),
            request_id,
            idempotency_key: None,
            replayed: false,
            should_retry: e.should_retry,
            version: None,
        }
    }

    fn into_response(self) -> HttpResponse {
        let mut r = HttpResponseBuilder::new(self.status);
        cors(&mut r);
        r.insert_header((header::CONTENT_TYPE, "application/json"))
            .insert_header((header::CACHE_CONTROL, "no-cache, no-store"))
            .insert_header(("Request-Id", self.request_id))
            .insert_header((
                "Stripe-Version",
                self.version
                    .unwrap_or_else(|| versions::pinned().to_string()),
            ));
        if let Some(key) = self.idempotency_key
            && let Ok(value) = header::HeaderValue::from_str(&key)
        {
            r.insert_header(("Idempotency-Key", value));
        }
        if self.replayed {
            r.insert_header(("Idempotent-Replayed", "true"));
        }
        if let Some(retry) = self.should_retry {
            r.insert_header(("Stripe-Should-Retry", if retry { "true" } else { "false" }));
        }
        r.body(self.body)
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn cors(r: &mut HttpResponseBuilder) {
    r.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            "Request-Id, Idempotency-Key, Idempotent-Replayed, Stripe-Version, Stripe-Should-Retry",
        ));
}

fn preflight() -> HttpResponse {
    let mut r = HttpResponse::NoContent();
    cors(&mut r);
    r.insert_header((
        header::ACCESS_CONTROL_ALLOW_METHODS,
        "GET, POST, DELETE, OPTIONS",
    ))
    .insert_header((
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        "Authorization, Content-Type, Idempotency-Key, Stripe-Version, Stripe-Account",
    ))
    .insert_header((header::ACCESS_CONTROL_MAX_AGE, "300"))
    .finish()
}

fn handle(
    shared: &Arc<Shared>,
    req: &HttpRequest,
    body: &[u8],
    tail: &str,
    path: &str,
    request_id: &str,
) -> Result<Answer, ApiError> {
    let mut params = params::parse(req.query_string().as_bytes())?;
    if req.method() == Method::POST && !body.is_empty() {
        for (k, v) in params::parse(body)? {
            params.insert(k, v);
        }
    }
    let key = presented_key(req, &mut params);
    let (kind, api_key) = authenticate(shared, key)?;
    let version = requested_version(req)?;

    let segments: Vec<&str> = tail.split('/').filter(|s| !s.is_empty()).collect();
    let endpoint = route(req.method(), &segments)
        .ok_or_else(|| ApiError::unrecognized_url(req.method().as_str(), path))?;

    let idempotency_key = if req.method() == Method::POST {
        req.headers()
            .get("Idempotency-Key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    } else {
        None
    };
    if let Some(k) = &idempotency_key
        && k.len() > 255
    {
        return Err(ApiError::param_error(
            "Idempotency-Key header must be at most 255 characters long.",
            "Idempotency-Key",
            None,
        ));
    }

    let ctx = Ctx {
        origin: Origin {
            request_id: Some(request_id.to_string()),
            idempotency_key: idempotency_key.clone(),
        },
        key: kind,
        segments: segments.iter().map(|s| s.to_string()).collect(),
        pages: challenge::mount_point(req),
        challenge: challenge::new_challenge(req),
    };
    let fingerprint = params::fingerprint(req.method().as_str(), path, &params);

    let mut store = shared.lock();

    let mut failure = None;
    if let Some(plan) = &mut store.faults.failures
        && plan
            .path_prefix
            .as_deref()
            .is_none_or(|p| path.starts_with(p))
        && plan
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(req.method().as_str()))
    {
        plan.remaining = plan.remaining.saturating_sub(1);
        failure = Some((plan.status, plan.mode));
        if plan.remaining == 0 {
            store.faults.failures = None;
        }
    }
    let injected = |status: u16| {
        if status == 429 {
            ApiError::rate_limited()
        } else {
            ApiError::internal()
        }
    };
    match failure {
        Some((status, FailureMode::Before)) => return Err(injected(status)),
        Some((status, FailureMode::Stored)) if idempotency_key.is_none() => {
            return Err(injected(status));
        }
        _ => {}
    }

    if kind == KeyKind::Publishable && !endpoint.publishable {
        return Err(ApiError::authentication(
            "This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.",
        )
        .with_code("secret_key_required"));
    }

    if let Some(k) = &idempotency_key
        && let Some(stored) = store.stored_answer(&api_key, k)
    {
        if stored.fingerprint != fingerprint {
            return Err(ApiError::idempotency_mismatch(k));
        }
        return Ok(Answer {
            status: StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
            body: stored.body.to_pretty(),
            request_id: stored.request_id.clone(),
            idempotency_key: Some(k.clone()),
            replayed: true,
            should_retry: stored.should_retry,
            version,
        });
    }

    params::validate(&params, endpoint.schema)?;
    let result = match failure {
        Some((status, FailureMode::Stored)) => Err(ApiError {
            stored: true,
            ..injected(status)
        }),
        _ => (endpoint.handler)(&mut store, &ctx, &params),
    };
    let (status, json, stored, should_retry) = match result {
        Ok(v) => (StatusCode::OK, v, true, None),
        Err(e) => (e.status, e.to_json(), e.stored, e.should_retry),
    };
    let body = pretty(&json);
    if let Some(k) = &idempotency_key
        && stored
    {
        let kept = store.share_with_events(JsonText::new(&json), request_id);
        store.idempotency.insert(
            (api_key, k.clone()),
            StoredResponse {
                fingerprint,
                status: status.as_u16(),
                body: kept,
                request_id: request_id.to_string(),
                should_retry,
                stored_at: now(),
            },
        );
    }
    if req.method() == Method::POST {
        store.revision += 1;
    }
    let body = match failure {
        // The answer is kept whole for replays; this caller reads half of it.
        Some((_, FailureMode::Lost)) => {
            let half = (0..=body.len() / 2)
                .rev()
                .find(|i| body.is_char_boundary(*i))
                .unwrap_or(0);
            body[..half].to_string()
        }
        _ => body,
    };
    Ok(Answer {
        status,
        body,
        request_id: request_id.to_string(),
        idempotency_key,
        replayed: false,
        should_retry,
        version,
    })
}

/// The `Stripe-Version` header, refused as Stripe refuses an unknown version. Beta flags after
/// a `;` are not checked.
fn requested_version(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("Stripe-Version") else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(value.as_bytes());
    let version = text.split(';').next().unwrap_or("").trim().to_string();
    versions::check(&version)?;
    Ok(Some(version))
}
