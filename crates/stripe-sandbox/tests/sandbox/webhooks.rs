use stripe_core::event::RetrieveEvent;
use stripe_core::payment_intent::CancelPaymentIntent;
use stripe_core::refund::CreateRefund;
use stripe_webhook::EventObject;

use crate::helpers::{eventually, spawn_receiver, spawn_sandbox, spawn_sandbox_with};

#[tokio::test]
async fn every_state_change_is_emitted_in_order_delivered_signed_and_parses_into_typed_events() {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    let intent = sb.card_intent().await;
    let paid = sb.confirm_with(&intent, "pm_card_visa").await.unwrap();
    CreateRefund::new()
        .payment_intent(paid.id.as_str())
        .amount(700)
        .send(&sb.client)
        .await
        .unwrap();
    sb.wait_for_webhooks().await;

    assert_eq!(
        receiver.rejected.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    assert_eq!(
        receiver.types_as_emitted(&sb).await,
        vec![
            "payment_intent.created",
            "charge.succeeded",
            "payment_intent.succeeded",
            "charge.updated",
            "charge.refunded",
            "refund.created",
        ]
    );
    let events = receiver.events();
    for r in &events {
        assert_eq!(
            r.user_agent,
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
        );
        assert_eq!(r.content_type, "application/json; charset=utf-8");
        assert!(r.event.id.as_str().starts_with("evt_"));
        assert!(!r.event.livemode);
        assert_eq!(r.event.pending_webhooks, 1);
        assert_eq!(r.event.api_version, Some(stripe_shared::version::VERSION));
        assert!(r.event.request.as_ref().is_some_and(|q| q.id.is_some()));
    }
    let of_type = |type_: &str| {
        events
            .iter()
            .find(|r| r.event.type_.as_str() == type_)
            .unwrap_or_else(|| panic!("no {type_}"))
    };
    match &of_type("payment_intent.succeeded").event.data.object {
        EventObject::PaymentIntentSucceeded(pi) => {
            assert_eq!(pi.id, paid.id);
            assert_eq!(pi.metadata.get("order_id").map(String::as_str), Some("42"));
        }
        other => panic!("expected payment_intent.succeeded, got {other:?}"),
    }
    match &of_type("charge.refunded").event.data.object {
        EventObject::ChargeRefunded(charge) => {
            assert_eq!(charge.amount_refunded, 700);
            assert!(!charge.refunded);
        }
        other => panic!("expected charge.refunded, got {other:?}"),
    }
    match &of_type("refund.created").event.data.object {
        EventObject::RefundCreated(refund) => assert_eq!(refund.amount, 700),
        other => panic!("expected refund.created, got {other:?}"),
    }

    // Once acknowledged, the event has no pending webhooks.
    let stored = RetrieveEvent::new(events[0].event.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(stored.pending_webhooks, 0);
}

#[tokio::test]
async fn declines_authentication_and_cancellation_emit_their_events() {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    let declined = sb.card_intent().await;
    let _ = sb.confirm_with(&declined, "pm_card_chargeDeclined").await;
    let action = sb.card_intent().await;
    stripe_core::payment_intent::ConfirmPaymentIntent::new(action.id.clone())
        .payment_method("pm_card_threeDSecure2Required")
        .return_url("https://shop.example/return")
        .send(&sb.client)
        .await
        .unwrap();
    CancelPaymentIntent::new(action.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    sb.wait_for_webhooks().await;

    let events = receiver.events();
    let of = |t: &str| {
        events
            .iter()
            .find(|r| r.event.type_.as_str() == t)
            .map(|r| r.event.data.object.clone())
            .unwrap_or_else(|| panic!("no {t}"))
    };
    match of("payment_intent.payment_failed") {
        EventObject::PaymentIntentPaymentFailed(pi) => {
            let e = pi.last_payment_error.expect("last_payment_error");
            assert_eq!(e.decline_code.as_deref(), Some("generic_decline"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(of("charge.failed"), EventObject::ChargeFailed(_)));
    assert!(matches!(
        of("payment_intent.requires_action"),
        EventObject::PaymentIntentRequiresAction(_)
    ));
    assert!(matches!(
        of("payment_intent.canceled"),
        EventObject::PaymentIntentCanceled(_)
    ));
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_with_backoff_until_it_answers_2xx() {
    let receiver = spawn_receiver(2).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    fast_retries(&sb).await;
    let intent = sb.card_intent().await;
    sb.wait_for_webhooks().await;

    assert_eq!(receiver.failed.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(receiver.types(), vec!["payment_intent.created"]);
    let (_, log) = {
        let r = sb.get("_controls/webhooks/log").await;
        (r.status(), r.json::<serde_json::Value>().await.unwrap())
    };
    let attempts: Vec<(u64, String, u64)> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["attempt"].as_u64().unwrap(),
                e["outcome"].as_str().unwrap().to_string(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        vec![
            (1, "retry_scheduled".into(), 500),
            (2, "retry_scheduled".into(), 500),
            (3, "delivered".into(), 200),
        ]
    );
    let times: Vec<u64> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at_ms"].as_u64().unwrap())
        .collect();
    assert!(
        times[1] - times[0] >= 200 && times[2] - times[1] >= 400,
        "{times:?}"
    );
    let _ = intent;
}

#[tokio::test]
async fn an_unreachable_endpoint_is_given_up_after_a_bounded_number_of_attempts() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/webhooks/stripe", closed.local_addr().unwrap());
    drop(closed);
    let sb = spawn_sandbox_with(vec![stripe_sandbox::WebhookEndpoint {
        url,
        secret: crate::helpers::WEBHOOK_SECRET.into(),
    }])
    .await;
    fast_retries(&sb).await;
    sb.card_intent().await;
    sb.wait_for_webhooks().await;
    let log: serde_json::Value = sb.get("_controls/webhooks/log").await.json().await.unwrap();
    let entries = log["data"].as_array().unwrap();
    assert_eq!(entries.len(), 5);
    assert!(
        entries
            .iter()
            .all(|e| e["status"].is_null() && e["error"].is_string())
    );
    assert_eq!(entries[4]["outcome"], "failed");

    let id = entries[0]["event_id"].as_str().unwrap().to_string();
    let event: serde_json::Value = sb
        .get(&format!("v1/events/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(event["pending_webhooks"], 1);
}

#[tokio::test]
async fn an_endpoint_added_at_run_time_receives_later_events() {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(Vec::new()).await;
    sb.card_intent().await;
    let (status, _) = sb
        .control(
            "webhooks/endpoints",
            &[
                ("url", receiver.url.as_str()),
                ("secret", crate::helpers::WEBHOOK_SECRET),
            ],
        )
        .await;
    assert_eq!(status, 200);
    sb.card_intent().await;
    sb.wait_for_webhooks().await;
    assert!(eventually(|| receiver.types().len() == 1).await);
}

/// Four retries, 0.2 s to 1.6 s apart: Stripe's schedule compressed for a test.
async fn fast_retries(sb: &crate::helpers::TestSandbox) {
    let (status, settings) = sb
        .control("webhooks/retries", &[("delays_ms", "200,400,800,1600")])
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(
        settings["webhooks"]["retry_delays_ms"],
        serde_json::json!([200, 400, 800, 1600])
    );
}

/// /webhooks#retries: "In a sandbox, Stripe retries three times over a few hours" (the exact
/// schedule is not published). The sandbox's default: 3 retries, 1 minute, 10 minutes, 1 hour.
#[tokio::test]
async fn by_default_a_failed_delivery_is_retried_three_times_over_an_hour_like_stripes_test_mode() {
    let sb = spawn_sandbox().await;
    let settings: serde_json::Value = sb.get("_controls").await.json().await.unwrap();
    assert_eq!(
        settings["webhooks"]["retry_delays_ms"],
        serde_json::json!([60_000, 600_000, 3_600_000])
    );
    let (status, error) = sb
        .control("webhooks/retries", &[("delays_ms", "1,2,x")])
        .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["param"], "delays_ms");
    fast_retries(&sb).await;
    let (_, settings) = sb.control("reset", &[]).await;
    assert_eq!(
        settings["webhooks"]["retry_delays_ms"],
        serde_json::json!([60_000, 600_000, 3_600_000])
    );
}

/// As Stripe's, the sandbox's deliveries to one endpoint do not wait for each other: a slow
/// endpoint gets several at once (at most 8), and every event once.
#[tokio::test]
async fn a_slow_endpoint_gets_several_deliveries_at_once_and_every_event_once() {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use actix_web::{App, HttpResponse, HttpServer, web};

    #[derive(Default)]
    struct Seen {
        in_flight: AtomicUsize,
        most: AtomicUsize,
        ids: Mutex<Vec<String>>,
    }
    async fn slow(seen: web::Data<Seen>, body: String) -> HttpResponse {
        let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        seen.most.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        seen.in_flight.fetch_sub(1, Ordering::SeqCst);
        let event: serde_json::Value = serde_json::from_str(&body).unwrap();
        seen.ids
            .lock()
            .unwrap()
            .push(event["id"].as_str().unwrap().to_owned());
        HttpResponse::Ok().finish()
    }
    let seen = web::Data::new(Seen::default());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let state = seen.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/webhooks/stripe", web::post().to(slow))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);

    let sb = spawn_sandbox_with(vec![stripe_sandbox::WebhookEndpoint {
        url: format!("http://127.0.0.1:{port}/webhooks/stripe"),
        secret: crate::helpers::WEBHOOK_SECRET.into(),
    }])
    .await;
    for _ in 0..6 {
        sb.card_intent().await;
    }
    sb.wait_for_webhooks().await;

    let most = seen.most.load(Ordering::SeqCst);
    assert!((2..=8).contains(&most), "{most} deliveries at once");
    let mut ids = seen.ids.lock().unwrap().clone();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "every payment_intent.created once");
    assert_eq!(seen.ids.lock().unwrap().len(), 6);
}
