//! Test controls: faults and shortcuts that only the sandbox offers, so that fault tests need
//! no change to the shop. Every route needs `Authorization: Bearer <secret key>`, takes its
//! parameters form-encoded (body or query string) and answers JSON. Errors are Stripe-shaped
//! (`{"error": {"type", "message", "param"}}`).
//!
//! | method | path (under the mount point) | parameters | effect |
//! |---|---|---|---|
//! | GET | `/_controls` | | current settings: latency, failures, webhook mode, pending deliveries, endpoints |
//! | POST | `/_controls/latency` | `ms` (0 to turn off) | every API call waits `ms` milliseconds first |
//! | POST | `/_controls/failures` | `count`, `status` (`500` or `429`, default 500), `path` (optional prefix such as `/v1/payment_intents`), `method` (optional, `GET` or `POST`), `mode` (`before`, `stored`, `lost`; default `before`) | the next `count` authenticated API calls (whose path starts with `path`) fail: 500 `api_error` or 429 `rate_limit`, both with `Stripe-Should-Retry: true`. `before`: nothing runs and nothing is kept for the idempotency key. `stored`: nothing runs, but the error is kept for the call's idempotency key and replayed to retries with that key, as Stripe keeps answers (errors included) once an endpoint started. `lost`: the call runs and its answer is kept for its key, but the caller gets it cut short (unreadable), as when the caller crashes or the connection breaks before it reads the answer. `count=0` turns it off |
//! | POST | `/_controls/webhooks/mode` | `mode` (`normal`, `drop`, `duplicate`, `reorder`), `count` (default 1) | the next `count` events are not delivered / delivered twice / held and delivered after the following event (or after 0.5 s if none follows) |
//! | GET | `/_controls/webhooks/log` | `event` (optional id), `type` (optional) | every delivery attempt: `event_id`, `event_type`, `endpoint`, `attempt`, `status`, `error`, `outcome` (`delivered`, `retry_scheduled`, `failed`, `dropped`), `at_ms` |
//! | POST | `/_controls/webhooks/wait` | `timeout_ms` (default 5000, at most 60000) | answers 200 `{"pending": 0}` once every queued delivery and retry is done, or 504 with the number still pending |
//! | POST | `/_controls/webhooks/endpoints` | `url`, `secret` (`whsec_...`) | adds a webhook endpoint |
//! | POST | `/_controls/refunds` | `payment_intent` or `charge`, `amount` (optional, default what remains), `reason` (optional) | a refund made "in the Dashboard": the Refund, with `charge.refunded` and `refund.created` events whose `request.id` is null |
//! | POST | `/_controls/refunds/settle` | `refund`, `outcome` (`succeeded` or `failed`; default what the refund's card does: 4000 0000 0000 7726 succeeds, 4000 0000 0000 5126 fails), `failure_reason` (default `expired_or_canceled_card`) | what happens to a refund later on Stripe: a `pending` one succeeds (`refund.updated`) or fails, a `succeeded` one fails (`refund.failed`, and its amount is no longer refunded on the charge) |
//! | POST | `/_controls/disputes` | `payment_intent` or `charge`, `reason` (default `fraudulent`), `inquiry` (`true` for an inquiry), `amount` (default the charge's) | the cardholder's bank disputes the charge: `charge.dispute.created`, and `charge.dispute.funds_withdrawn` for a chargeback. Decide it through the API: `POST /v1/disputes/{id}` with `evidence[uncategorized_text]=winning_evidence` (won: `charge.dispute.closed`, `charge.dispute.funds_reinstated`) or `losing_evidence`, or `POST /v1/disputes/{id}/close` |
//! | POST | `/_controls/trigger` | `type`, `payment_intent` (optional) | like `stripe trigger`: without `payment_intent`, runs a fresh flow that emits the event (`payment_intent.created`, `.succeeded`, `.payment_failed`, `.requires_action`, `.canceled`, `.processing`, `charge.succeeded`, `charge.failed`, `charge.refunded`, `refund.created`, `customer.created`); with `payment_intent`, emits one event of that type carrying that intent (status set to what the type says) or its latest charge or refund, without changing the intent. Answers `{"events": [{"id", "type"}], "payment_intent"}` |
//! | POST | `/_controls/reset` | | latency 0, no failures, webhook mode normal |
//!
//! Tests synchronise with webhooks through `POST /_controls/webhooks/wait`: once it answers 200,
//! every event emitted before the call has been delivered, or has failed its last attempt
//! (5 attempts, 0.2 s → 1.6 s apart, about 3 s in all), or was dropped by the test mode.

use std::collections::BTreeMap;
use std::time::Duration;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::Shared;
use super::api::CHALLENGE_ROUTE;
use super::error::ApiError;
use super::objects::{PaymentIntent, Status};
use super::params::{self, Params, ParamsExt};
use super::payments::{Confirm, PaymentMethodSource};
use super::state::{FailureMode, FailurePlan, Origin, Store, new_id, now, random_string};
use super::webhooks::{self, Mode};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/_controls", web::get().to(overview))
        .route("/_controls/latency", web::post().to(latency))
        .route("/_controls/failures", web::post().to(failures))
        .route("/_controls/webhooks/mode", web::post().to(webhook_mode))
        .route("/_controls/webhooks/log", web::get().to(webhook_log))
        .route("/_controls/webhooks/wait", web::post().to(webhook_wait))
        .route(
            "/_controls/webhooks/endpoints",
            web::post().to(add_endpoint),
        )
        .route("/_controls/refunds", web::post().to(dashboard_refund))
        .route("/_controls/refunds/settle", web::post().to(settle_refund))
        .route("/_controls/disputes", web::post().to(open_dispute))
        .route("/_controls/trigger", web::post().to(trigger))
        .route("/_controls/reset", web::post().to(reset));
}

fn json_response(status: StatusCode, v: Value) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(serde_json::to_string_pretty(&v).unwrap_or_default())
}

fn error_response(e: ApiError) -> HttpResponse {
    json_response(e.status, e.to_json())
}

/// The secret key and the parameters (query string, then form body).
fn authorized(shared: &Shared, req: &HttpRequest, body: &[u8]) -> Result<Params, ApiError> {
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

fn int_param(p: &Params, key: &str, default: i64) -> Result<i64, ApiError> {
    match p.str(key) {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| ApiError::param_error(format!("Invalid integer: {s}"), key, None)),
    }
}

fn settings(store: &Store) -> Value {
    let (mode, remaining) = store.webhooks.mode();
    json!({
        "latency_ms": store.faults.latency_ms,
        "failures": store.faults.failures.as_ref().map(|f| json!({
            "remaining": f.remaining, "status": f.status, "path": f.path_prefix,
            "method": f.method, "mode": f.mode.as_str(),
        })),
        "webhooks": {
            "mode": mode,
            "remaining": remaining,
            "pending": store.webhooks.pending(),
            "endpoints": store.webhooks.endpoint_urls(),
        },
    })
}

async fn overview(shared: web::Data<Shared>, req: HttpRequest) -> HttpResponse {
    if let Err(e) = authorized(&shared, &req, &[]) {
        return error_response(e);
    }
    json_response(StatusCode::OK, settings(&shared.lock()))
}

async fn latency(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
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

async fn failures(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
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

async fn webhook_mode(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
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
    store.webhooks.set_mode(mode, count);
    json_response(StatusCode::OK, settings(&store))
}

async fn webhook_log(shared: web::Data<Shared>, req: HttpRequest) -> HttpResponse {
    let p = match authorized(&shared, &req, &[]) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let store = shared.lock();
    let entries: Vec<Value> = store
        .webhooks
        .log
        .iter()
        .filter(|e| p.str("event").is_none_or(|id| e.event_id == id))
        .filter(|e| p.str("type").is_none_or(|t| e.event_type == t))
        .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
        .collect();
    json_response(StatusCode::OK, json!({ "object": "list", "data": entries }))
}

async fn webhook_wait(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let timeout = match int_param(&p, "timeout_ms", 5000) {
        Ok(t) => Duration::from_millis(t.clamp(0, 60_000) as u64),
        Err(e) => return error_response(e),
    };
    let shared = shared.into_inner();
    webhooks::start_workers(&shared);
    let mut rx = shared.lock().webhooks.subscribe_pending();
    let done = tokio::time::timeout(timeout, rx.wait_for(|n| *n == 0)).await;
    let pending = shared.lock().webhooks.pending();
    match done {
        Ok(Ok(_)) => json_response(StatusCode::OK, json!({ "pending": pending })),
        _ => json_response(StatusCode::GATEWAY_TIMEOUT, json!({ "pending": pending })),
    }
}

async fn add_endpoint(
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
    let Some(secret) = p.str("secret").filter(|s| !s.is_empty()) else {
        return error_response(ApiError::missing_parameter("secret"));
    };
    let shared = shared.into_inner();
    shared.lock().webhooks.add_endpoint(url, secret.to_string());
    webhooks::start_workers(&shared);
    json_response(StatusCode::OK, settings(&shared.lock()))
}

async fn dashboard_refund(
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
    let shared = shared.into_inner();
    webhooks::start_workers(&shared);
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

async fn settle_refund(
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
    webhooks::start_workers(&shared);
    let result = shared
        .lock()
        .settle_refund(id, outcome, p.str("failure_reason"));
    match result {
        Ok(refund) => json_response(StatusCode::OK, refund.to_json()),
        Err(e) => error_response(e),
    }
}

async fn open_dispute(
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
    webhooks::start_workers(&shared);
    let result = shared.lock().open_dispute(
        p.str("payment_intent"),
        p.str("charge"),
        p.str("reason").unwrap_or("fraudulent"),
        inquiry,
        amount,
    );
    match result {
        Ok(dispute) => json_response(StatusCode::OK, dispute.to_json()),
        Err(e) => error_response(e),
    }
}

async fn reset(shared: web::Data<Shared>, req: HttpRequest) -> HttpResponse {
    if let Err(e) = authorized(&shared, &req, &[]) {
        return error_response(e);
    }
    let mut store = shared.lock();
    store.faults = Default::default();
    store.webhooks.set_mode(Mode::Normal, 0);
    json_response(StatusCode::OK, settings(&store))
}

async fn trigger(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let Some(type_) = p.str("type").map(str::to_string) else {
        return error_response(ApiError::missing_parameter("type"));
    };
    let challenge_id = format!("payatt_{}", random_string(24));
    let challenge_url = req
        .url_for(CHALLENGE_ROUTE, [&challenge_id])
        .map(|u| u.to_string())
        .unwrap_or_default();
    let shared = shared.into_inner();
    webhooks::start_workers(&shared);
    let mut store = shared.lock();
    let before = store.events.len();
    let result = match p.str("payment_intent") {
        Some(pi) => replay_for_intent(&mut store, &type_, pi),
        None => run_flow(&mut store, &type_, (challenge_id, challenge_url)),
    };
    match result {
        Ok(pi) => {
            let events: Vec<Value> = store.events[before..]
                .iter()
                .map(|e| json!({ "id": e.id, "type": e.type_ }))
                .collect();
            json_response(
                StatusCode::OK,
                json!({ "events": events, "payment_intent": pi }),
            )
        }
        Err(e) => error_response(e),
    }
}

fn unsupported_type(type_: &str) -> ApiError {
    ApiError::param_error(
        format!("The sandbox cannot trigger `{type_}`."),
        "type",
        None,
    )
}

/// One event of `type_` about an existing intent, which is left as it is.
fn replay_for_intent(
    store: &mut Store,
    type_: &str,
    pi_id: &str,
) -> Result<Option<String>, ApiError> {
    let pi = store
        .intents
        .get(pi_id)
        .ok_or_else(|| ApiError::not_found("payment_intent", pi_id, "payment_intent"))?;
    let object = match type_ {
        "payment_intent.created" => pi.to_json(),
        "payment_intent.succeeded" => with_status(pi, Status::Succeeded),
        "payment_intent.processing" => with_status(pi, Status::Processing),
        "payment_intent.canceled" => with_status(pi, Status::Canceled),
        "payment_intent.requires_action" => with_status(pi, Status::RequiresAction),
        "payment_intent.payment_failed" => with_status(pi, Status::RequiresPaymentMethod),
        "charge.succeeded" | "charge.failed" | "charge.refunded" => pi
            .latest_charge
            .as_ref()
            .and_then(|c| store.charges.get(c))
            .map(|c| c.to_json())
            .ok_or_else(|| {
                ApiError::param_error("This PaymentIntent has no charge.", "payment_intent", None)
            })?,
        "refund.created" => pi
            .latest_charge
            .as_ref()
            .and_then(|c| store.charge_refunds.get(c))
            .and_then(|r| r.last())
            .and_then(|r| store.refunds.get(r))
            .map(|r| r.to_json())
            .ok_or_else(|| {
                ApiError::param_error("This PaymentIntent has no refund.", "payment_intent", None)
            })?,
        other => return Err(unsupported_type(other)),
    };
    store.emit(type_, object, &Origin::default());
    Ok(Some(pi_id.to_string()))
}

fn with_status(pi: &PaymentIntent, status: Status) -> Value {
    let mut copy = pi.clone();
    copy.status = status;
    if status == Status::Succeeded {
        copy.amount_received = copy.amount;
    }
    copy.to_json()
}

fn fixture_intent(store: &mut Store) -> String {
    let pi = PaymentIntent {
        description: Some("(created by a sandbox trigger)".into()),
        ..PaymentIntent::new(2000, "usd")
    };
    let id = pi.id.clone();
    store.intents.insert(id.clone(), pi.clone());
    store.emit("payment_intent.created", pi.to_json(), &Origin::default());
    id
}

fn confirm_with(
    store: &mut Store,
    pi: &str,
    pm: &str,
    challenge: (String, String),
) -> Result<(), ApiError> {
    let c = Confirm {
        source: PaymentMethodSource::Id(pm.to_string()),
        return_url: None,
        off_session: false,
        receipt_email: None,
        challenge,
        client_view: false,
        require_return_url: false,
    };
    match store.confirm(pi, c, &Origin::default()) {
        Ok(_) => Ok(()),
        // A decline is the point of a failure trigger.
        Err(e) if e.status.as_u16() == 402 => Ok(()),
        Err(e) => Err(e),
    }
}

/// A fresh flow that emits `type_`, like `stripe trigger`.
fn run_flow(
    store: &mut Store,
    type_: &str,
    challenge: (String, String),
) -> Result<Option<String>, ApiError> {
    if type_ == "customer.created" {
        let customer = super::objects::Customer {
            id: new_id("cus"),
            created: now(),
            email: Some("trigger@example.com".into()),
            name: Some("Triggered Customer".into()),
            phone: None,
            description: None,
            metadata: BTreeMap::new(),
        };
        let json = customer.to_json();
        store.customers.insert(customer.id.clone(), customer);
        store.emit("customer.created", json, &Origin::default());
        return Ok(None);
    }
    let known = [
        "payment_intent.created",
        "payment_intent.succeeded",
        "charge.succeeded",
        "payment_intent.payment_failed",
        "charge.failed",
        "payment_intent.requires_action",
        "payment_intent.canceled",
        "payment_intent.processing",
        "charge.refunded",
        "refund.created",
    ];
    if !known.contains(&type_) {
        return Err(unsupported_type(type_));
    }
    let pi = fixture_intent(store);
    match type_ {
        "payment_intent.succeeded" | "charge.succeeded" => {
            confirm_with(store, &pi, "pm_card_visa", challenge)?
        }
        "payment_intent.payment_failed" | "charge.failed" => {
            confirm_with(store, &pi, "pm_card_chargeDeclined", challenge)?
        }
        "payment_intent.requires_action" => {
            confirm_with(store, &pi, "pm_card_threeDSecure2Required", challenge)?
        }
        "payment_intent.canceled" => {
            store.cancel(&pi, None, &Origin::default())?;
        }
        "payment_intent.processing" => {
            let object = store
                .intents
                .get(&pi)
                .map(|p| with_status(p, Status::Processing))
                .unwrap_or(Value::Null);
            store.emit("payment_intent.processing", object, &Origin::default());
        }
        "charge.refunded" | "refund.created" => {
            confirm_with(store, &pi, "pm_card_visa", challenge)?;
            store.refund(
                Some(&pi),
                None,
                None,
                Some("requested_by_customer".into()),
                BTreeMap::new(),
                &Origin::default(),
            )?;
        }
        _ => {}
    }
    Ok(Some(pi))
}
