//! What happens at Stripe outside the API: a refund made in the Dashboard, a refund that
//! settles (or fails) later, a dispute the cardholder's bank opens. Each emits the events Stripe
//! would send, with no request behind them.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::request::{authorized, error_response, int_param, json_response};
use crate::error::ApiError;
use crate::params::ParamsExt;
use crate::shared::Shared;
use crate::store::Origin;

pub async fn refund(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let amount = match p.str("amount") {
        None => None,
        Some(_) => match int_param(&p, "amount", 0) {
            Ok(a) => Some(a),
            Err(e) => return error_response(e),
        },
    };
    let shared = shared.into_inner();
    shared.start_background_tasks();
    let result = shared.lock().refund(
        p.str("payment_intent"),
        p.str("charge"),
        amount,
        p.str("reason").map(str::to_string),
        BTreeMap::new(),
        &Origin::default(),
    );
    match result {
        Ok(refund) => json_response(StatusCode::OK, refund.to_json()),
        Err(e) => error_response(e),
    }
}

pub async fn settle_refund(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let Some(id) = p.str("refund") else {
        return error_response(ApiError::missing_parameter("refund"));
    };
    let outcome = match p.str("outcome") {
        None => None,
        Some(o @ ("succeeded" | "failed")) => Some(o),
        Some(_) => {
            return error_response(ApiError::param_error(
                "outcome must be succeeded or failed",
                "outcome",
                None,
            ));
        }
    };
    let shared = shared.into_inner();
    shared.start_background_tasks();
    let result = shared
        .lock()
        .settle_refund(id, outcome, p.str("failure_reason"));
    match result {
        Ok(refund) => json_response(StatusCode::OK, refund.to_json()),
        Err(e) => error_response(e),
    }
}

pub async fn open_dispute(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let amount = match p.str("amount") {
        None => None,
        Some(_) => match int_param(&p, "amount", 0) {
            Ok(a) => Some(a),
            Err(e) => return error_response(e),
        },
    };
    let inquiry = matches!(p.str("inquiry"), Some("true" | "1" | "yes"));
    let shared = shared.into_inner();
    shared.start_background_tasks();
    let result = shared.lock().open_dispute(
        p.str("payment_intent"),
        p.str("charge"),
        p.str("reason").unwrap_or("fraudulent"),
        inquiry,
        amount,
        None,
    );
    match result {
        Ok(dispute) => json_response(StatusCode::OK, dispute.to_json()),
        Err(e) => error_response(e),
    }
}
