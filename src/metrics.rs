//! Prometheus metrics, served at `/metrics` on `METRICS_ADDR` only: a listener of its own that
//! is off by default and never on the public port, so the shop's traffic figures are not
//! public (bind it to loopback or a private network the Prometheus server reaches).
//!
//! The counters are process-wide, like the logger: what Prometheus scrapes is a process, and
//! code deep in the payment path records outcomes without every caller carrying a handle. The
//! connection-pool gauges are read from the server's own pool when scraped.
//!
//! Labels come from small fixed sets (route patterns, never raw paths; known methods; order
//! statuses; webhook outcomes), so no visitor can grow the series without bound.

use std::net::TcpListener;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{App, Error, HttpResponse, HttpServer, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::db::DbPool;
use crate::domain::PaymentStatus;

pub struct Metrics {
    registry: Registry,
    requests: HistogramVec,
    transitions: IntCounterVec,
    webhooks: IntCounterVec,
    webhook_lag: HistogramVec,
    sweeps: IntCounterVec,
    orders_checked: IntCounterVec,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

impl Metrics {
    fn new() -> Self {
        let registry = Registry::new();
        let requests = HistogramVec::new(
            HistogramOpts::new(
                "storefront_http_request_duration_seconds",
                "Time to answer a request, by method, route pattern and status",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route", "status"],
        );
        let transitions = IntCounterVec::new(
            Opts::new(
                "storefront_order_transitions_total",
                "Orders that changed status, by old and new status and what changed them",
            ),
            &["from", "to", "cause"],
        );
        let webhooks = IntCounterVec::new(
            Opts::new(
                "storefront_webhooks_total",
                "Stripe webhooks received, by what became of them (refused, failed and postponed are failures; Stripe retries the last two)",
            ),
            &["outcome"],
        );
        let webhook_lag = HistogramVec::new(
            HistogramOpts::new(
                "storefront_webhook_lag_seconds",
                "Time from an event's creation at Stripe to its arrival here, by event type",
            )
            .buckets(vec![
                0.1, 0.5, 1.0, 2.0, 5.0, 15.0, 60.0, 300.0, 1800.0, 3600.0, 86400.0,
            ]),
            &["event_type"],
        );
        let sweeps = IntCounterVec::new(
            Opts::new(
                "storefront_reconciler_sweeps_total",
                "Reconciler sweeps, by result (locked_elsewhere: another server was sweeping)",
            ),
            &["result"],
        );
        let orders_checked = IntCounterVec::new(
            Opts::new(
                "storefront_reconciler_orders_checked_total",
                "Orders the reconciler checked with Stripe, by result",
            ),
            &["result"],
        );
        let metrics = Self {
            registry,
            requests: ok_or_unreachable(requests),
            transitions: ok_or_unreachable(transitions),
            webhooks: ok_or_unreachable(webhooks),
            webhook_lag: ok_or_unreachable(webhook_lag),
            sweeps: ok_or_unreachable(sweeps),
            orders_checked: ok_or_unreachable(orders_checked),
        };
        for collector in [
            Box::new(metrics.requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(metrics.transitions.clone()),
            Box::new(metrics.webhooks.clone()),
            Box::new(metrics.webhook_lag.clone()),
            Box::new(metrics.sweeps.clone()),
            Box::new(metrics.orders_checked.clone()),
        ] {
            if let Err(e) = metrics.registry.register(collector) {
                tracing::error!(error = %e, "a metric could not be registered");
            }
        }
        metrics
    }
}

/// The metric definitions above are constants that prometheus accepts; a mistake in them
/// shows in the first test that starts the app.
fn ok_or_unreachable<T>(metric: prometheus::Result<T>) -> T {
    metric.unwrap_or_else(|e| panic!("invalid metric definition: {e}"))
}

fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Middleware: times every request under its route pattern (`/products/{slug}`), or
/// `unmatched` for paths no route knows (scans, typos), whatever their number.
pub async fn time_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    // The request is not cloned before routing: the router needs it unshared to record the
    // match. Handlers' errors arrive as responses; an `Err` here is a middleware's.
    let response = next.call(req).await;
    let (route, status) = match &response {
        Ok(response) => (response.request().match_pattern(), response.status()),
        Err(e) => (None, e.as_response_error().status_code()),
    };
    METRICS
        .requests
        .with_label_values(&[
            method,
            route.as_deref().unwrap_or("unmatched"),
            status.as_str(),
        ])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// An order's status changed (after the change committed).
pub fn order_transition(from: PaymentStatus, to: PaymentStatus, cause: &str) {
    if from != to {
        METRICS
            .transitions
            .with_label_values(&[from.as_str(), to.as_str(), cause])
            .inc();
    }
}

/// What became of a webhook delivery: `refused`, `duplicate`, `failed`, `postponed`,
/// `unreadable`, or the stored outcome (`applied`, `ignored`, `unhandled`).
pub fn webhook(outcome: &str) {
    METRICS.webhooks.with_label_values(&[outcome]).inc();
}

/// A signed event arrived `lag` after Stripe created it.
pub fn webhook_lag(event_type: &str, lag: Duration) {
    // Event types are Stripe's fixed list; an unknown one is counted as such.
    let event_type = if event_type.len() <= 64
        && event_type
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
    {
        event_type
    } else {
        "other"
    };
    METRICS
        .webhook_lag
        .with_label_values(&[event_type])
        .observe(lag.as_secs_f64());
}

/// A reconciler sweep ended: `swept`, `locked_elsewhere` or `failed`.
pub fn reconciler_sweep(result: &str) {
    METRICS.sweeps.with_label_values(&[result]).inc();
}

/// Orders a sweep checked, by result.
pub fn reconciler_orders(unchanged: usize, changed: usize, failed: usize) {
    for (result, count) in [
        ("unchanged", unchanged),
        ("changed", changed),
        ("failed", failed),
    ] {
        METRICS
            .orders_checked
            .with_label_values(&[result])
            .inc_by(u64::try_from(count).unwrap_or(u64::MAX));
    }
}

/// Makes the counters exist from the start, so dashboards show zeros rather than gaps.
fn touch_counters() {
    for result in ["swept", "locked_elsewhere", "failed"] {
        let _: IntCounter = METRICS.sweeps.with_label_values(&[result]);
    }
    reconciler_orders(0, 0, 0);
}

/// `GET /metrics`: every metric in Prometheus's text format, with this server's pool usage.
async fn scrape(pool: web::Data<DbPool>) -> HttpResponse {
    let pool_gauges = match pool_usage(&pool) {
        Ok(gauges) => gauges,
        Err(e) => {
            tracing::error!(error = %e, "pool gauges");
            return HttpResponse::InternalServerError().finish();
        }
    };
    let mut families = METRICS.registry.gather();
    families.extend(pool_gauges.gather());
    let mut body = Vec::new();
    let encoder = TextEncoder::new();
    if let Err(e) = encoder.encode(&families, &mut body) {
        tracing::error!(error = %e, "encoding metrics");
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type(encoder.format_type())
        .body(body)
}

fn pool_usage(pool: &DbPool) -> prometheus::Result<Registry> {
    let registry = Registry::new();
    let connections = IntGaugeVec::new(
        Opts::new(
            "storefront_db_pool_connections",
            "This server's PostgreSQL pool: connections in use, idle, the most it opens, and requests waiting for one",
        ),
        &["state"],
    )?;
    let status = pool.status();
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    connections
        .with_label_values(&["in_use"])
        .set(as_i64(status.size.saturating_sub(status.available)));
    connections
        .with_label_values(&["idle"])
        .set(as_i64(status.available));
    connections
        .with_label_values(&["max"])
        .set(as_i64(status.max_size));
    connections
        .with_label_values(&["waiting"])
        .set(as_i64(status.waiting));
    registry.register(Box::new(connections))?;
    Ok(registry)
}

/// The metrics listener: one worker, `/metrics` only. It ignores signals; the application
/// stops it once the shop's own server has stopped.
pub fn serve(listener: TcpListener, pool: DbPool) -> std::io::Result<Server> {
    touch_counters();
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(pool.clone()))
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run())
}
