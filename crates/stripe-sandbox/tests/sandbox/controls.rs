use std::time::{Duration, Instant};

use stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_core::payment_intent::{CreatePaymentIntent, RetrievePaymentIntent};
use stripe_types::Currency;
use stripe_webhook::EventObject;

use crate::helpers::{PUBLISHABLE, api_error, spawn_receiver, spawn_sandbox, spawn_sandbox_with};

#[tokio::test]
async fn the_controls_need_the_secret_key() {
    let sb = spawn_sandbox().await;
    let r = sb.http.get(sb.url("_controls")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = sb
        .http
        .post(sb.url("_controls/latency"))
        .bearer_auth(PUBLISHABLE)
        .form(&[("ms", "10")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = sb.get("_controls").await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn latency_delays_every_api_call_until_turned_off() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let (status, _) = sb.control("latency", &[("ms", "300")]).await;
    assert_eq!(status, 200);
    let start = Instant::now();
    RetrievePaymentIntent::new(intent.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert!(start.elapsed() >= Duration::from_millis(300));
    sb.control("latency", &[("ms", "0")]).await;
    let start = Instant::now();
    RetrievePaymentIntent::new(intent.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert!(start.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn the_next_calls_fail_with_500_then_the_api_recovers() {
    let sb = spawn_sandbox().await;
    sb.control("failures", &[("count", "2"), ("status", "500")])
        .await;
    for _ in 0..2 {
        let (e, status) = api_error(
            CreatePaymentIntent::new(2000, Currency::USD)
                .send(&sb.client)
                .await,
        );
        assert_eq!(status, 500);
        assert_eq!(e.type_.as_str(), "api_error");
    }
    CreatePaymentIntent::new(2000, Currency::USD)
        .send(&sb.client)
        .await
        .expect("recovered");
}

#[tokio::test]
async fn a_429_has_stripes_rate_limit_shape_and_asks_for_a_retry() {
    let sb = spawn_sandbox().await;
    sb.control(
        "failures",
        &[
            ("count", "1"),
            ("status", "429"),
            ("path", "/v1/payment_intents"),
        ],
    )
    .await;
    // Other paths are not affected.
    assert_eq!(sb.get("v1/events").await.status(), 200);
    let r = sb
        .post(
            "v1/payment_intents",
            &[("amount", "2000"), ("currency", "usd")],
        )
        .await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["stripe-should-retry"], "true");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limit");
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn an_injected_failure_is_not_replayed_for_the_same_idempotency_key() {
    let sb = spawn_sandbox().await;
    sb.control("failures", &[("count", "1")]).await;
    let create = || {
        CreatePaymentIntent::new(2000, Currency::USD)
            .customize()
            .request_strategy(RequestStrategy::Idempotent(
                IdempotencyKey::new("order-1").unwrap(),
            ))
    };
    let (_, status) = api_error(create().send(&sb.client).await);
    assert_eq!(status, 500);
    let first = create().send(&sb.client).await.expect("retry succeeds");
    let again = create().send(&sb.client).await.expect("replay");
    assert_eq!(first.id, again.id);
}

#[tokio::test]
async fn dropped_webhooks_are_never_delivered_but_logged() {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    sb.control("webhooks/mode", &[("mode", "drop"), ("count", "1")])
        .await;
    let dropped = sb.card_intent().await;
    let delivered = sb.card_intent().await;
    sb.wait_for_webhooks().await;
    let ids: Vec<String> = receiver
        .events()
        .iter()
        .filter_map(|r| match &r.event.data.object {
            EventObject::PaymentIntentCreated(pi) => Some(pi.id.as_str().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, vec![delivered.id.as_str().to_string()]);
    let log: serde_json::Value = sb.get("_controls/webhooks/log").await.json().await.unwrap();
    assert_eq!(log["data"][0]["outcome"], "dropped");
    let _ = dropped;
}

#[tokio::test]
async fn duplicated_webhooks_are_delivered_twice() {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    sb.control("webhooks/mode", &[("mode", "duplicate")]).await;
    sb.card_intent().await;
    sb.wait_for_webhooks().await;
    let events = receiver.events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].event.id, events[1].event.id);
}

#[tokio::test]
async fn a_reordered_webhook_arrives_after_the_next_one() {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    sb.control("webhooks/mode", &[("mode", "reorder"), ("count", "1")])
        .await;
    let first = sb.card_intent().await;
    let second = sb.card_intent().await;
    sb.wait_for_webhooks().await;
    let ids: Vec<String> = receiver
        .events()
        .iter()
        .filter_map(|r| match &r.event.data.object {
            EventObject::PaymentIntentCreated(pi) => Some(pi.id.as_str().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        ids,
        vec![
            second.id.as_str().to_string(),
            first.id.as_str().to_string()
        ]
    );
}

#[tokio::test]
async fn a_refund_made_in_the_dashboard_emits_charge_refunded_and_refund_created() {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    let intent = sb.card_intent().await;
    let paid = sb.confirm_with(&intent, "pm_card_visa").await.unwrap();
    let (status, refund) = sb
        .control(
            "refunds",
            &[("payment_intent", paid.id.as_str()), ("amount", "800")],
        )
        .await;
    assert_eq!(status, 200, "{refund}");
    assert_eq!(refund["amount"], 800);
    let (status, error) = sb
        .control(
            "refunds",
            &[("payment_intent", paid.id.as_str()), ("amount", "5000")],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], "amount_too_large");
    sb.wait_for_webhooks().await;

    let events = receiver.events();
    let refunded = events
        .iter()
        .find(|r| r.event.type_.as_str() == "charge.refunded")
        .expect("charge.refunded");
    assert!(
        refunded
            .event
            .request
            .as_ref()
            .is_none_or(|q| q.id.is_none())
    );
    match &refunded.event.data.object {
        EventObject::ChargeRefunded(charge) => assert_eq!(charge.amount_refunded, 800),
        other => panic!("{other:?}"),
    }
    assert!(
        events
            .iter()
            .any(|r| r.event.type_.as_str() == "refund.created")
    );
}

#[tokio::test]
async fn a_trigger_runs_a_fresh_flow_or_emits_about_an_existing_intent() {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    let (status, body) = sb
        .control("trigger", &[("type", "payment_intent.succeeded")])
        .await;
    assert_eq!(status, 200, "{body}");
    let types: Vec<&str> = body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec![
            "payment_intent.created",
            "charge.succeeded",
            "payment_intent.succeeded",
            "charge.updated",
        ]
    );

    let intent = sb.card_intent().await;
    let (status, _) = sb
        .control(
            "trigger",
            &[
                ("type", "payment_intent.processing"),
                ("payment_intent", intent.id.as_str()),
            ],
        )
        .await;
    assert_eq!(status, 200);
    sb.wait_for_webhooks().await;
    let processing = receiver
        .events()
        .into_iter()
        .find(|r| r.event.type_.as_str() == "payment_intent.processing")
        .expect("processing event");
    match processing.event.data.object {
        EventObject::PaymentIntentProcessing(pi) => {
            assert_eq!(pi.id, intent.id);
            assert_eq!(pi.status, stripe_shared::PaymentIntentStatus::Processing);
        }
        other => panic!("{other:?}"),
    }
    // The intent itself is unchanged.
    let now = RetrievePaymentIntent::new(intent.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(
        now.status,
        stripe_shared::PaymentIntentStatus::RequiresPaymentMethod
    );

    for t in [
        "payment_intent.payment_failed",
        "payment_intent.requires_action",
        "payment_intent.canceled",
        "payment_intent.processing",
        "charge.pending",
        "charge.refunded",
        "customer.created",
    ] {
        let (status, body) = sb.control("trigger", &[("type", t)]).await;
        assert_eq!(status, 200, "{t}: {body}");
        assert!(
            body["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["type"] == t),
            "{t}: {body}"
        );
    }
    let (status, _) = sb.control("trigger", &[("type", "invoice.paid")]).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn waiting_for_webhooks_times_out_while_deliveries_are_still_retried() {
    let receiver = spawn_receiver(5).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    sb.control("webhooks/retries", &[("delays_ms", "200,400,800,1600")])
        .await;
    sb.card_intent().await;
    let (status, body) = sb.control("webhooks/wait", &[("timeout_ms", "100")]).await;
    assert_eq!(status, 504);
    assert_eq!(body["pending"], 1);
    sb.wait_for_webhooks().await;
}

#[tokio::test]
async fn reset_clears_every_fault() {
    let sb = spawn_sandbox().await;
    sb.control("latency", &[("ms", "200")]).await;
    sb.control("failures", &[("count", "5")]).await;
    sb.control("webhooks/mode", &[("mode", "drop"), ("count", "3")])
        .await;
    let (status, settings) = sb.control("reset", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(settings["latency_ms"], 0);
    assert!(settings["failures"].is_null());
    assert_eq!(settings["webhooks"]["mode"], "normal");
}
