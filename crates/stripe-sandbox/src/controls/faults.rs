//! `POST /_controls/latency` and `POST /_controls/failures`: faults injected into the API.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::request::{authorized, error_response, int_param, json_response};
use super::settings::settings;
use crate::error::ApiError;
use crate::params::ParamsExt;
use crate::shared::Shared;
use crate::store::faults::{FailureMode, FailurePlan};

pub async fn latency(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let ms = match int_param(&p, "ms", 0) {
        Ok(ms) if (0..=60_000).contains(&ms) => ms as u64,
        Ok(_) => {
            return error_response(ApiError::param_error(
                "ms must be between 0 and 60000",
                "ms",
                None,
            ));
        }
        Err(e) => return error_response(e),
    };
    let mut store = shared.lock();
    store.faults.latency_ms = ms;
    json_response(StatusCode::OK, settings(&store))
}

pub async fn failures(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let count = match int_param(&p, "count", 1) {
        Ok(c) if c >= 0 => c as u32,
        Ok(_) => return error_response(ApiError::param_error("count must be >= 0", "count", None)),
        Err(e) => return error_response(e),
    };
    let status = match int_param(&p, "status", 500) {
        Ok(s @ (500 | 429)) => s as u16,
        Ok(_) => {
            return error_response(ApiError::param_error(
                "status must be 500 or 429",
                "status",
                None,
            ));
        }
        Err(e) => return error_response(e),
    };
    let mode = match p.str("mode") {
        None => FailureMode::Before,
        Some(m) => match FailureMode::parse(m) {
            Some(mode) => mode,
            None => {
                return error_response(ApiError::param_error(
                    "mode must be one of before, stored, lost",
                    "mode",
                    None,
                ));
            }
        },
    };
    let method = match p.str("method") {
        None => None,
        Some(m @ ("GET" | "POST" | "get" | "post")) => Some(m.to_ascii_uppercase()),
        Some(_) => {
            return error_response(ApiError::param_error(
                "method must be GET or POST",
                "method",
                None,
            ));
        }
    };
    let mut store = shared.lock();
    store.faults.failures = (count > 0).then(|| FailurePlan {
        remaining: count,
        status,
        path_prefix: p.str("path").map(str::to_string),
        method,
        mode,
    });
    json_response(StatusCode::OK, settings(&store))
}

/// `POST /_controls/idempotency/expire`: the kept answers of `key` (every key without it) age
/// 24 hours, as if that long had passed: the key then starts a new request, as on Stripe.
pub async fn expire_idempotency_keys(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let expired = shared.lock().age_idempotency_keys(p.str("key"));
    json_response(StatusCode::OK, serde_json::json!({ "expired": expired }))
}
