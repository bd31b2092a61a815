//! `POST /_controls/billing`: what happens to a subscription once every retry of a failed
//! renewal failed (`after_failed_retries=cancel|unpaid`), the Billing setting that Stripe's
//! Dashboard holds. It starts as `STRIPE_SANDBOX_AFTER_FAILED_RETRIES` says (default `cancel`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::request::{authorized, error_response, json_response};
use super::settings::settings;
use crate::error::ApiError;
use crate::params::ParamsExt;
use crate::shared::Shared;
use crate::store::billing::AfterRetries;

pub async fn billing(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let after = match p.str("after_failed_retries").map(AfterRetries::parse) {
        Some(Some(a)) => a,
        _ => {
            return error_response(ApiError::param_error(
                "after_failed_retries must be cancel or unpaid",
                "after_failed_retries",
                None,
            ));
        }
    };
    let mut store = shared.lock();
    store.billing.after_retries = after;
    json_response(StatusCode::OK, settings(&store))
}
