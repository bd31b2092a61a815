//! What every control does with its request: the secret key, the parameters (query string,
//! then form body), and JSON answers, errors in Stripe's shape.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

use crate::error::ApiError;
use crate::params::{self, Params, ParamsExt};
use crate::shared::Shared;

pub fn json_response(status: StatusCode, v: Value) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(serde_json::to_string_pretty(&v).unwrap_or_default())
}

pub fn error_response(e: ApiError) -> HttpResponse {
    json_response(e.status, e.to_json())
}

/// The secret key and the parameters (query string, then form body).
pub fn authorized(shared: &Shared, req: &HttpRequest, body: &[u8]) -> Result<Params, ApiError> {
    let key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim);
    if key != Some(shared.secret_key.as_str()) || shared.secret_key.is_empty() {
        return Err(ApiError::authentication(
            "The test controls need `Authorization: Bearer <the sandbox's secret key>`.",
        ));
    }
    let mut p = params::parse(req.query_string().as_bytes())?;
    if !body.is_empty() {
        p.extend(params::parse(body)?);
    }
    Ok(p)
}

pub fn int_param(p: &Params, key: &str, default: i64) -> Result<i64, ApiError> {
    match p.str(key) {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| ApiError::param_error(format!("Invalid integer: {s}"), key, None)),
    }
}
