//! `/metrics`: Prometheus's text format on METRICS_ADDR, never on the public port. The counters
//! are process-wide and the tests of this binary share the process, so each test looks for
//! series that its own actions must have made, never for exact totals.

use reqwest::StatusCode;

use crate::helpers::{TestApp, spawn_app, spawn_app_with, text};

async fn scrape(app: &TestApp) -> String {
    let address = app
        .metrics_address
        .as_deref()
        .unwrap_or_else(|| panic!("the app was started without METRICS_ADDR"));
    let response = reqwest::get(format!("{address}/metrics"))
        .await
        .unwrap_or_else(|e| panic!("scraping: {e}"));
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/plain; version=0.0.4")),
        "Prometheus's text format"
    );
    text(response).await
}

/// The value of the series whose name and labels start with `series`.
fn value_of(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|line| line.starts_with(series))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn the_public_port_never_serves_metrics() {
    for app in [
        spawn_app().await,
        spawn_app_with(&[("METRICS_ADDR", "127.0.0.1:0")]).await,
    ] {
        let response = app.get("/metrics").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let page = text(response).await;
        assert!(!page.contains("storefront_http_request_duration_seconds"));
    }
}

#[tokio::test]
async fn request_latencies_are_by_route_pattern_and_pool_usage_is_this_servers() {
    let app = spawn_app_with(&[("METRICS_ADDR", "127.0.0.1:0")]).await;
    assert_eq!(
        app.get("/products/linen-notebook").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/products/no-such-product-q7").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/wp-admin-scan-x9").await.status(),
        StatusCode::NOT_FOUND
    );
    let metrics = scrape(&app).await;

    let shown = value_of(
        &metrics,
        r#"storefront_http_request_duration_seconds_count{method="GET",route="/products/{slug}",status="200"}"#,
    );
    assert!(shown.is_some_and(|n| n >= 1.0), "{metrics}");
    let missing = value_of(
        &metrics,
        r#"storefront_http_request_duration_seconds_count{method="GET",route="/products/{slug}",status="404"}"#,
    );
    assert!(missing.is_some_and(|n| n >= 1.0), "{metrics}");
    let unmatched = value_of(
        &metrics,
        r#"storefront_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}"#,
    );
    assert!(unmatched.is_some_and(|n| n >= 1.0), "{metrics}");
    for raw_path in ["linen-notebook", "no-such-product-q7", "wp-admin-scan-x9"] {
        assert!(
            !metrics.contains(raw_path),
            "raw path {raw_path} in a label"
        );
    }

    assert_eq!(
        value_of(&metrics, r#"storefront_db_pool_connections{state="max"}"#),
        Some(16.0),
        "DATABASE_POOL_SIZE's default"
    );
    let in_use = value_of(
        &metrics,
        r#"storefront_db_pool_connections{state="in_use"}"#,
    );
    let idle = value_of(&metrics, r#"storefront_db_pool_connections{state="idle"}"#);
    assert!(
        in_use.is_some() && idle.is_some_and(|n| n >= 1.0),
        "the pages used connections that went back to the pool: {metrics}"
    );
    assert!(
        !metrics.contains("postgres://") && !metrics.contains("sk_test"),
        "no secrets"
    );
}

#[tokio::test]
async fn a_payment_shows_as_a_transition_to_paid_with_its_webhooks_lag() {
    let app = spawn_app_with(&[
        ("METRICS_ADDR", "127.0.0.1:0"),
        ("RECONCILE_INTERVAL_SECS", "1"),
    ])
    .await;
    app.paid_order("metrics@example.com", "linen-notebook", "1")
        .await;
    let metrics = scrape(&app).await;

    let paid: f64 = metrics
        .lines()
        .filter(|l| {
            l.starts_with("storefront_order_transitions_total{") && l.contains(r#"to="paid""#)
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert!(paid >= 1.0, "{metrics}");
    let lag = value_of(
        &metrics,
        r#"storefront_webhook_lag_seconds_count{event_type="payment_intent.succeeded"}"#,
    );
    assert!(lag.is_some_and(|n| n >= 1.0), "{metrics}");
    let handled: f64 = ["applied", "ignored", "unhandled", "duplicate"]
        .iter()
        .filter_map(|o| {
            value_of(
                &metrics,
                &format!(r#"storefront_webhooks_total{{outcome="{o}"}}"#),
            )
        })
        .sum();
    assert!(handled >= 1.0, "{metrics}");

    // The reconciler sweeps every second here.
    let mut swept = None;
    for _ in 0..50 {
        let metrics = scrape(&app).await;
        swept = value_of(
            &metrics,
            r#"storefront_reconciler_sweeps_total{result="swept"}"#,
        )
        .filter(|n| *n >= 1.0);
        if swept.is_some() {
            assert!(
                value_of(
                    &metrics,
                    r#"storefront_reconciler_orders_checked_total{result="unchanged"}"#
                )
                .is_some(),
                "{metrics}"
            );
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(swept.is_some(), "no reconciler sweep counted");
}
