//! `/_controls/webhooks/...`: the test mode of the next deliveries, the retry schedule, the
//! delivery log, waiting until every delivery is done, and adding an endpoint.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::request::{authorized, error_response, int_param, json_response};
use super::settings::settings;
use crate::error::ApiError;
use crate::params::ParamsExt;
use crate::shared::Shared;
use crate::store::outbox::{MAX_RETRIES, MAX_RETRY_DELAY, Mode};
use crate::versions;

pub async fn mode(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let Some(mode) = p.str("mode").and_then(Mode::parse) else {
        return error_response(ApiError::param_error(
            "mode must be one of normal, drop, duplicate, reorder",
            "mode",
            None,
        ));
    };
    let count = match int_param(&p, "count", 1) {
        Ok(c) if c >= 0 => c as u32,
        Ok(_) => return error_response(ApiError::param_error("count must be >= 0", "count", None)),
        Err(e) => return error_response(e),
    };
    let mut store = shared.lock();
    store.outbox.set_mode(mode, count);
    json_response(StatusCode::OK, settings(&store))
}

/// `delays_ms`: the waits before each retry, comma-separated (`200,400,800`: 3 retries; empty:
/// none), or `default` for the sandbox's own schedule.
pub async fn retries(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let delays = match parse_delays(p.str("delays_ms")) {
        Ok(d) => d,
        Err(e) => return error_response(e),
    };
    let mut store = shared.lock();
    store.outbox.set_retry_delays(delays);
    json_response(StatusCode::OK, settings(&store))
}

fn parse_delays(value: Option<&str>) -> Result<Option<Vec<Duration>>, ApiError> {
    let invalid = || {
        ApiError::param_error(
            format!(
                "delays_ms must be `default` or at most {MAX_RETRIES} comma-separated waits in milliseconds, each at most {} (3 days)",
                MAX_RETRY_DELAY.as_millis()
            ),
            "delays_ms",
            None,
        )
    };
    let value = value.ok_or_else(|| ApiError::missing_parameter("delays_ms"))?;
    if value == "default" {
        return Ok(None);
    }
    let delays = value
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse::<u64>().map(Duration::from_millis))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| invalid())?;
    if delays.len() > MAX_RETRIES || delays.iter().any(|d| *d > MAX_RETRY_DELAY) {
        return Err(invalid());
    }
    Ok(Some(delays))
}

pub async fn log(shared: web::Data<Shared>, req: HttpRequest) -> HttpResponse {
    let p = match authorized(&shared, &req, &[]) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let store = shared.lock();
    let entries: Vec<Value> = store
        .outbox
        .log
        .iter()
        .filter(|e| p.str("event").is_none_or(|id| e.event_id == id))
        .filter(|e| p.str("type").is_none_or(|t| &*e.event_type == t))
        .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
        .collect();
    json_response(StatusCode::OK, json!({ "object": "list", "data": entries }))
}

pub async fn wait(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let timeout = match int_param(&p, "timeout_ms", 5000) {
        Ok(t) => Duration::from_millis(t.clamp(0, 60_000) as u64),
        Err(e) => return error_response(e),
    };
    let shared = shared.into_inner();
    shared.start_background_tasks();
    let mut rx = shared.lock().outbox.subscribe_pending();
    let done = tokio::time::timeout(timeout, rx.wait_for(|n| *n == 0)).await;
    let pending = shared.lock().outbox.pending();
    match done {
        Ok(Ok(_)) => json_response(StatusCode::OK, json!({ "pending": pending })),
        _ => json_response(StatusCode::GATEWAY_TIMEOUT, json!({ "pending": pending })),
    }
}

/// Adds an endpoint (`url`, `secret`), or, for an endpoint's `url` already known, changes
/// only its `api_version`: the version its events are stamped with from now on (Stripe sets an
/// endpoint's version when it is created; this control lets a test see an app receive events
/// from a version it cannot read). An unknown version is refused as the API refuses it.
pub async fn add_endpoint(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let url = match p.str("url") {
        Some(u) if reqwest::Url::parse(u).is_ok() => u.to_string(),
        _ => return error_response(ApiError::param_error("url must be a URL", "url", None)),
    };
    let api_version = p.str("api_version").map(str::to_string);
    if let Some(version) = &api_version
        && let Err(e) = versions::check(version)
    {
        return error_response(e.with_param("api_version"));
    }
    let shared = shared.into_inner();
    {
        let mut store = shared.lock();
        let known = store.outbox.endpoint_urls().contains(&url);
        if !known {
            let Some(secret) = p.str("secret").filter(|s| !s.is_empty()) else {
                return error_response(ApiError::missing_parameter("secret"));
            };
            store.outbox.add_endpoint(url.clone(), secret.to_string());
        }
        if api_version.is_some() || !known {
            store.outbox.set_api_version(&url, api_version);
        }
    }
    shared.start_background_tasks();
    json_response(StatusCode::OK, settings(&shared.lock()))
}
