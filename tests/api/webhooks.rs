use reqwest::StatusCode;
use stripe_webhook::Webhook;

use crate::helpers::{VISA, spawn_app, spawn_app_with_standalone_sandbox, text};

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn event_json(id: &str, kind: &str, object: serde_json::Value) -> String {
    serde_json::json!({
        "id": id,
        "object": "event",
        "api_version": stripe_shared::version::VERSION.as_str(),
        "created": unix_now(),
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": kind,
        "data": {"object": object}
    })
    .to_string()
}

#[tokio::test]
async fn a_bad_or_missing_signature_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let payload = event_json(
        "evt_forged",
        "customer.created",
        serde_json::json!({"id": "cus_1", "object": "customer"}),
    );
    let cases: [Option<String>; 4] = [
        None,
        Some("t=1,v1=abc".into()),
        Some(Webhook::generate_test_header(
            &payload,
            "whsec_not_the_shops",
            None,
        )),
        Some("garbage".into()),
    ];
    for signature in cases {
        let mut request = app
            .client
            .post(app.url("/webhooks/stripe"))
            .header("content-type", "application/json")
            .body(payload.clone());
        if let Some(signature) = &signature {
            request = request.header("Stripe-Signature", signature);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{signature:?}");
    }
    assert!(app.stripe_events().await.is_empty());
}

#[tokio::test]
async fn a_stale_timestamp_is_refused_even_with_the_right_secret() {
    let (app, secret) = spawn_app_with_standalone_sandbox().await;
    let payload = event_json(
        "evt_stale",
        "storefront.something_new",
        serde_json::json!({"id": "thing_1"}),
    );
    let signature = Webhook::generate_test_header(&payload, &secret, Some(unix_now() - 600));
    let response = app.post_webhook(&payload, &signature).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let fresh = Webhook::generate_test_header(&payload, &secret, None);
    let response = app.post_webhook(&payload, &fresh).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the same event, signed now, is accepted"
    );
}

#[tokio::test]
async fn an_unknown_event_type_is_stored_and_acknowledged() {
    let (app, secret) = spawn_app_with_standalone_sandbox().await;
    let payload = event_json(
        "evt_unknown_kind",
        "storefront.something_new",
        serde_json::json!({"id": "thing_1", "object": "thing"}),
    );
    let signature = Webhook::generate_test_header(&payload, &secret, None);
    let response = app.post_webhook(&payload, &signature).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.stripe_events().await,
        vec![("storefront.something_new".into(), "unhandled".into())]
    );
}

#[tokio::test]
async fn a_signed_event_async_stripe_cannot_read_is_kept_and_acknowledged() {
    let (app, secret) = spawn_app_with_standalone_sandbox().await;
    // A customer object missing nearly every field, as a newer API version might send.
    let payload = event_json(
        "evt_unreadable",
        "customer.created",
        serde_json::json!({"id": "cus_1", "object": "customer"}),
    );
    let signature = Webhook::generate_test_header(&payload, &secret, None);
    let response = app.post_webhook(&payload, &signature).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.stripe_events().await,
        vec![("customer.created".into(), "failed".into())]
    );
}

#[tokio::test]
async fn the_same_event_delivered_twice_is_applied_once() {
    let (app, secret) = spawn_app_with_standalone_sandbox().await;
    let payload = event_json(
        "evt_twice",
        "storefront.something_new",
        serde_json::json!({"id": "thing_1"}),
    );
    let signature = Webhook::generate_test_header(&payload, &secret, None);
    let first = app.post_webhook(&payload, &signature).await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = app.post_webhook(&payload, &signature).await;
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(text(second).await, "duplicate");
    assert_eq!(app.stripe_events().await.len(), 1);
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/webhooks/stripe"))
        .header("Stripe-Signature", "t=1,v1=00")
        .body(vec![b'x'; 300 * 1024])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(app.stripe_events().await.is_empty());
}

#[tokio::test]
async fn duplicated_deliveries_from_stripe_change_the_order_once() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    app.control("webhooks/mode", &[("mode", "duplicate"), ("count", "20")])
        .await;
    app.pay_with_card(order, VISA).await;
    app.webhooks_delivered().await;

    assert_eq!(app.order_status(order).await, "paid");
    let paid = app
        .order_events(order)
        .await
        .into_iter()
        .filter(|(_, to, applied, _)| to == "paid" && *applied)
        .count();
    assert_eq!(paid, 1);
    let log = app.webhook_log().await;
    let succeeded_deliveries = log
        .iter()
        .filter(|d| d["event_type"] == "payment_intent.succeeded" && d["outcome"] == "delivered")
        .count();
    assert!(
        succeeded_deliveries >= 2,
        "the event really was delivered twice: {log:?}"
    );
    let stored = app
        .stripe_events()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "payment_intent.succeeded")
        .count();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn a_late_failure_or_processing_event_never_demotes_a_paid_order() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    app.pay_with_card(order, VISA).await;
    app.webhooks_delivered().await;
    assert_eq!(app.order_status(order).await, "paid");

    let intent = app.order_intent(order).await;
    for kind in [
        "payment_intent.payment_failed",
        "payment_intent.processing",
        "payment_intent.requires_action",
    ] {
        app.control("trigger", &[("type", kind), ("payment_intent", &intent)])
            .await;
    }
    app.webhooks_delivered().await;
    assert_eq!(app.order_status(order).await, "paid");
    let late: Vec<_> = app
        .stripe_events()
        .await
        .into_iter()
        .filter(|(kind, _)| {
            [
                "payment_intent.payment_failed",
                "payment_intent.processing",
                "payment_intent.requires_action",
            ]
            .contains(&kind.as_str())
        })
        .collect();
    assert_eq!(late.len(), 3, "{late:?}");
    assert!(
        late.iter().all(|(_, outcome)| outcome == "ignored"),
        "{late:?}"
    );
    let demotions = app
        .order_events(order)
        .await
        .into_iter()
        .filter(|(from, _, applied, _)| from.as_deref() == Some("paid") && *applied)
        .count();
    assert_eq!(demotions, 0);
}

#[tokio::test]
async fn an_intent_whose_amount_does_not_match_never_makes_the_order_paid() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    let intent = app.order_intent(order).await;
    // Someone changes the amount outside the shop.
    let response = reqwest::Client::new()
        .post(format!(
            "{}v1/payment_intents/{intent}",
            app.stripe.api_base
        ))
        .bearer_auth(&app.stripe.secret_key)
        .form(&[("amount", "100")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);

    let (status, confirmed) = app.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(confirmed["amount"], 100);
    app.webhooks_delivered().await;
    app.return_from_stripe(order).await;

    assert_ne!(app.order_status(order).await, "paid");
    let notes = app.order_notes(order).await;
    assert!(
        notes.iter().any(|n| n.contains("amount mismatch")),
        "kept for the admin: {notes:?}"
    );
}

#[tokio::test]
async fn events_about_intents_of_no_order_are_stored_as_unhandled() {
    let app = spawn_app().await;
    app.control("trigger", &[("type", "payment_intent.succeeded")])
        .await;
    app.webhooks_delivered().await;
    let events = app.stripe_events().await;
    assert!(
        events.contains(&("payment_intent.succeeded".into(), "unhandled".into())),
        "{events:?}"
    );
}

#[tokio::test]
async fn refunds_made_in_the_dashboard_reach_the_order() {
    let app = spawn_app().await;
    app.add_to_cart("canvas-tote-bag", "2").await;
    let order = app.checkout("ada@example.com").await;
    app.pay_with_card(order, VISA).await;
    app.webhooks_delivered().await;
    let intent = app.order_intent(order).await;

    app.control(
        "refunds",
        &[("payment_intent", &intent), ("amount", "1000")],
    )
    .await;
    app.webhooks_delivered().await;
    assert_eq!(app.order_status(order).await, "partially_refunded");

    app.control("refunds", &[("payment_intent", &intent)]).await;
    app.webhooks_delivered().await;
    assert_eq!(app.order_status(order).await, "refunded");
    let html = app.get_html(&format!("/orders/{order}")).await;
    assert!(html.contains("Refunded: $37.00 of $37.00."), "{html}");
}

#[tokio::test]
async fn with_stripe_keys_the_shop_runs_unchanged_against_a_stripe_compatible_server() {
    let (app, _) = spawn_app_with_standalone_sandbox().await;
    let home = app.get("/").await;
    let csp = home
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains(app.stripe.api_base.trim_end_matches('/')),
        "Stripe.js's origin is allowed: {csp}"
    );
    let html = text(home).await;
    assert!(
        html.contains("Test mode:"),
        "test keys show the test-mode banner"
    );

    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    let form = app.payment_form(order).await;
    assert!(
        form.html
            .contains(&format!("{}js/v3/stripe.js", app.stripe.api_base))
    );
    app.pay_with_card(order, VISA).await;
    app.wait_for_status(order, "paid").await;
}

/// Delivers the same signed payload `times` times at once; the shop's answers.
async fn deliver_at_once(
    app: &crate::helpers::TestApp,
    payload: &str,
    signature: &str,
    times: usize,
) -> Vec<String> {
    let mut deliveries = tokio::task::JoinSet::new();
    for _ in 0..times {
        let (shop, payload, signature) = (
            app.another_browser(),
            payload.to_owned(),
            signature.to_owned(),
        );
        deliveries.spawn(async move {
            let response = shop.post_webhook(&payload, &signature).await;
            assert_eq!(response.status(), StatusCode::OK);
            text(response).await
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = deliveries.join_next().await {
        answers.push(answer.unwrap_or_else(|e| panic!("a delivery: {e}")));
    }
    answers.sort();
    answers
}

#[tokio::test]
async fn the_same_event_delivered_several_times_at_once_pays_the_order_once() {
    let (app, secret) = spawn_app_with_standalone_sandbox().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    let intent = app.payment_form(order).await.intent_id();
    // The intent as Stripe would report it once paid (without paying it, so that no other
    // event about it arrives).
    let mut object = app.stripe_get(&format!("payment_intents/{intent}")).await;
    object["status"] = "succeeded".into();
    object["amount_received"] = object["amount"].clone();
    let payload = event_json("evt_at_once", "payment_intent.succeeded", object);
    let signature = Webhook::generate_test_header(&payload, &secret, None);

    let answers = deliver_at_once(&app, &payload, &signature, 8).await;

    let mut expected = vec!["duplicate".to_owned(); 7];
    expected.push("applied".into());
    expected.sort();
    assert_eq!(answers, expected, "one delivery applied it");
    assert_eq!(app.order_status(order).await, "paid");
    let paid = app
        .order_events(order)
        .await
        .into_iter()
        .filter(|(_, to, applied, _)| to == "paid" && *applied)
        .count();
    assert_eq!(paid, 1);
    let stored: Vec<_> = app
        .stripe_events()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "payment_intent.succeeded")
        .collect();
    assert_eq!(
        stored,
        vec![("payment_intent.succeeded".into(), "applied".into())]
    );
}

#[tokio::test]
async fn an_event_about_no_order_delivered_several_times_at_once_is_stored_once() {
    let (app, secret) = spawn_app_with_standalone_sandbox().await;
    let payload = event_json(
        "evt_unknown_at_once",
        "storefront.something_new",
        serde_json::json!({"id": "thing_1", "object": "thing"}),
    );
    let signature = Webhook::generate_test_header(&payload, &secret, None);

    let answers = deliver_at_once(&app, &payload, &signature, 8).await;

    let mut expected = vec!["duplicate".to_owned(); 7];
    expected.push("unhandled".into());
    expected.sort();
    assert_eq!(answers, expected, "one delivery stored it");
    assert_eq!(
        app.stripe_events().await,
        vec![("storefront.something_new".into(), "unhandled".into())]
    );
}
