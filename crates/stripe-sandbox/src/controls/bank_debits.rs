//! `/_controls/bank_debits...`: how long SEPA debits take to settle, and settling one now.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::request::{authorized, error_response, int_param, json_response};
use super::settings::settings;
use crate::error::ApiError;
use crate::params::ParamsExt;
use crate::shared::Shared;

/// The longest a debit may be set to take: a day.
const MAX_DELAY_MS: i64 = 24 * 60 * 60 * 1000;

/// `settle_ms` (Stripe's "immediate" test IBANs, default 5 s) and `delayed_settle_ms` (its
/// "after at least 3 minutes" ones, default 3 min): debits submitted from now on.
pub async fn delays(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let mut store = shared.lock();
    let current = store.debit_delays;
    let read = |key: &str, now: Duration| -> Result<Duration, ApiError> {
        let ms = int_param(&p, key, now.as_millis() as i64)?;
        if !(0..=MAX_DELAY_MS).contains(&ms) {
            return Err(ApiError::param_error(
                format!("{key} must be between 0 and {MAX_DELAY_MS} (a day)"),
                key,
                None,
            ));
        }
        Ok(Duration::from_millis(ms as u64))
    };
    let immediate = match read("settle_ms", current.immediate) {
        Ok(d) => d,
        Err(e) => return error_response(e),
    };
    let delayed = match read("delayed_settle_ms", current.delayed) {
        Ok(d) => d,
        Err(e) => return error_response(e),
    };
    store.debit_delays.immediate = immediate;
    store.debit_delays.delayed = delayed;
    json_response(StatusCode::OK, settings(&store))
}

/// `payment_intent`: its debit settles now, as its IBAN says. Answers the intent.
pub async fn settle(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let Some(pi) = p.str("payment_intent") else {
        return error_response(ApiError::missing_parameter("payment_intent"));
    };
    let shared = shared.into_inner();
    shared.start_background_tasks();
    let mut store = shared.lock();
    match store.settle_bank_debit(pi) {
        Ok(pi) => json_response(StatusCode::OK, pi.to_json()),
        Err(e) => error_response(e),
    }
}
