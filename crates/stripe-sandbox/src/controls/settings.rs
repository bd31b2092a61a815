//! `GET /_controls` (the current settings) and `POST /_controls/reset`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::request::{authorized, error_response, json_response};
use crate::shared::Shared;
use crate::store::Store;
use crate::store::outbox::Mode;

/// The current settings, as every control that changes one answers them.
pub fn settings(store: &Store) -> Value {
    let (mode, remaining) = store.outbox.mode();
    json!({
        "latency_ms": store.faults.latency_ms,
        "failures": store.faults.failures.as_ref().map(|f| json!({
            "remaining": f.remaining, "status": f.status, "path": f.path_prefix,
            "method": f.method, "mode": f.mode.as_str(),
        })),
        "webhooks": {
            "mode": mode,
            "remaining": remaining,
            "pending": store.outbox.pending(),
            "retry_delays_ms": store
                .outbox
                .retry_delays()
                .iter()
                .map(|d| d.as_millis() as u64)
                .collect::<Vec<_>>(),
            "endpoints": store.outbox.endpoint_urls(),
            "endpoint_api_versions": store
                .outbox
                .endpoint_versions()
                .into_iter()
                .map(|(url, version)| json!({ "url": url, "api_version": version }))
                .collect::<Vec<_>>(),
        },
        "bank_debits": crate::store::bank_debits::overview(store),
        "billing": { "after_failed_retries": store.billing.after_retries.as_str() },
    })
}

pub async fn overview(shared: web::Data<Shared>, req: HttpRequest) -> HttpResponse {
    if let Err(e) = authorized(&shared, &req, &[]) {
        return error_response(e);
    }
    json_response(StatusCode::OK, settings(&shared.lock()))
}

pub async fn reset(shared: web::Data<Shared>, req: HttpRequest) -> HttpResponse {
    if let Err(e) = authorized(&shared, &req, &[]) {
        return error_response(e);
    }
    let mut store = shared.lock();
    store.faults = Default::default();
    store.outbox.set_mode(Mode::Normal, 0);
    store.outbox.set_retry_delays(None);
    store.debit_delays = Default::default();
    store.billing.after_retries = crate::store::billing::AfterRetries::from_env();
    json_response(StatusCode::OK, settings(&store))
}
