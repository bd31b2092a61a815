use stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_core::payment_intent::CreatePaymentIntent;
use stripe_types::Currency;

use crate::helpers::{SECRET, api_error, spawn_sandbox};

fn key(k: &str) -> RequestStrategy {
    RequestStrategy::Idempotent(IdempotencyKey::new(k).unwrap())
}

#[tokio::test]
async fn the_same_key_and_parameters_replay_the_first_answer() {
    let sb = spawn_sandbox().await;
    let create = || {
        CreatePaymentIntent::new(2000, Currency::USD)
            .metadata([("order_id".to_string(), "7".to_string())])
    };
    let first = create()
        .customize()
        .request_strategy(key("order-7-attempt-1"))
        .send(&sb.client)
        .await
        .unwrap();
    let second = create()
        .customize()
        .request_strategy(key("order-7-attempt-1"))
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(first.client_secret, second.client_secret);

    let send = || {
        sb.http
            .post(sb.url("v1/payment_intents"))
            .bearer_auth(SECRET)
            .header("Idempotency-Key", "raw-key")
            .form(&[("amount", "2000"), ("currency", "usd")])
            .send()
    };
    let a = send().await.unwrap();
    assert!(a.headers().get("idempotent-replayed").is_none());
    let a_request = a.headers()["request-id"].clone();
    let a_body = a.text().await.unwrap();
    // The intent changes after the first answer: the replay is still that answer, byte for byte.
    let created: serde_json::Value = serde_json::from_str(&a_body).unwrap();
    let id = created["id"].as_str().unwrap();
    let updated = sb
        .http
        .post(sb.url(&format!("v1/payment_intents/{id}")))
        .bearer_auth(SECRET)
        .form(&[("metadata[later]", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);
    let b = send().await.unwrap();
    assert_eq!(b.status(), 200);
    assert_eq!(b.headers()["idempotent-replayed"], "true");
    assert_eq!(b.headers()["idempotency-key"], "raw-key");
    assert_eq!(b.headers()["request-id"], a_request);
    assert_eq!(b.text().await.unwrap(), a_body);
}

#[tokio::test]
async fn the_same_key_with_other_parameters_is_an_idempotency_error() {
    let sb = spawn_sandbox().await;
    CreatePaymentIntent::new(2000, Currency::USD)
        .customize()
        .request_strategy(key("order-8"))
        .send(&sb.client)
        .await
        .unwrap();
    let (e, status) = api_error(
        CreatePaymentIntent::new(2500, Currency::USD)
            .customize()
            .request_strategy(key("order-8"))
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(e.type_.as_str(), "idempotency_error");
    assert!(e.message.unwrap().contains("'order-8'"));
}

#[tokio::test]
async fn a_declined_confirmation_is_replayed_with_its_402() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let send = || {
        sb.http
            .post(sb.url(&format!("v1/payment_intents/{}/confirm", intent.id)))
            .bearer_auth(SECRET)
            .header("Idempotency-Key", "confirm-1")
            .form(&[("payment_method", "pm_card_chargeDeclined")])
            .send()
    };
    let a = send().await.unwrap();
    assert_eq!(a.status(), 402);
    let a_body: serde_json::Value = a.json().await.unwrap();
    let b = send().await.unwrap();
    assert_eq!(b.status(), 402);
    assert_eq!(b.headers()["idempotent-replayed"], "true");
    let b_body: serde_json::Value = b.json().await.unwrap();
    assert_eq!(a_body, b_body);
    assert_eq!(b_body["error"]["decline_code"], "generic_decline");
}

#[tokio::test]
async fn a_request_refused_by_validation_is_not_stored() {
    let sb = spawn_sandbox().await;
    let send = |amount: &'static str| {
        sb.http
            .post(sb.url("v1/payment_intents"))
            .bearer_auth(SECRET)
            .header("Idempotency-Key", "fix-and-retry")
            .form(&[("amount", amount), ("currency", "usd")])
            .send()
    };
    assert_eq!(send("abc").await.unwrap().status(), 400);
    assert_eq!(send("abc").await.unwrap().status(), 400);
}

#[tokio::test]
async fn a_stored_failure_is_replayed_for_its_key_and_a_new_key_succeeds() {
    let sb = spawn_sandbox().await;
    sb.control(
        "failures",
        &[
            ("count", "1"),
            ("mode", "stored"),
            ("path", "/v1/payment_intents"),
        ],
    )
    .await;
    let create = || CreatePaymentIntent::new(2000, Currency::USD);
    for _ in 0..2 {
        let error = create()
            .customize()
            .request_strategy(key("pinned"))
            .send(&sb.client)
            .await;
        assert!(
            matches!(error, Err(stripe::StripeError::Stripe(_, 500))),
            "the 500 is replayed for the key: {error:?}"
        );
    }
    let list = stripe_core::payment_intent::ListPaymentIntent::new()
        .send(&sb.client)
        .await
        .unwrap();
    assert!(list.data.is_empty(), "the failed create made nothing");
    let made = create()
        .customize()
        .request_strategy(key("pinned-2"))
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(made.amount, 2000);
}

#[tokio::test]
async fn a_lost_answer_is_unreadable_but_the_object_exists_and_the_key_replays_it() {
    let sb = spawn_sandbox().await;
    sb.control(
        "failures",
        &[
            ("count", "1"),
            ("mode", "lost"),
            ("path", "/v1/payment_intents"),
        ],
    )
    .await;
    let create = || {
        CreatePaymentIntent::new(2000, Currency::USD)
            .metadata([("order_id".to_string(), "lost-1".to_string())])
    };
    let lost = create()
        .customize()
        .request_strategy(key("lost-1"))
        .send(&sb.client)
        .await;
    assert!(
        matches!(lost, Err(stripe::StripeError::JSONDeserialize(_))),
        "{lost:?}"
    );
    let replayed = create()
        .customize()
        .request_strategy(key("lost-1"))
        .send(&sb.client)
        .await
        .unwrap();
    let list = stripe_core::payment_intent::ListPaymentIntent::new()
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(list.data.len(), 1, "one intent was made");
    assert_eq!(list.data[0].id, replayed.id);
}

#[tokio::test]
async fn a_second_request_with_a_key_in_use_is_answered_409_and_not_kept() {
    let sb = spawn_sandbox().await;
    sb.control("latency", &[("ms", "300")]).await;
    let send = || {
        sb.http
            .post(sb.url("v1/payment_intents"))
            .bearer_auth(SECRET)
            .header("Idempotency-Key", "busy-key")
            .form(&[("amount", "2000"), ("currency", "usd")])
            .send()
    };
    let (first, second) = tokio::join!(send(), async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        send().await
    });
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.status(), 200);
    assert_eq!(second.status(), 409);
    assert_eq!(second.headers()["stripe-should-retry"], "true");
    let body: serde_json::Value = second.json().await.unwrap();
    assert_eq!(body["error"]["code"], "idempotency_key_in_use");
    // Once the first is answered, the key replays its answer.
    let again = send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
}

#[tokio::test]
async fn an_error_answer_is_kept_with_its_key_and_replayed_even_once_the_request_would_succeed() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let refund = || {
        sb.http
            .post(sb.url("v1/refunds"))
            .bearer_auth(SECRET)
            .header("Idempotency-Key", "refund-order-42")
            .form(&[("payment_intent", intent.id.as_str())])
            .send()
    };
    let first = refund().await.unwrap();
    assert_eq!(first.status(), 400, "nothing is paid yet");
    let first_body: serde_json::Value = first.json().await.unwrap();

    sb.confirm_with(&intent, "pm_card_visa").await.unwrap();
    let replay = refund().await.unwrap();
    assert_eq!(replay.status(), 400);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replay_body: serde_json::Value = replay.json().await.unwrap();
    assert_eq!(replay_body, first_body);
}

#[tokio::test]
async fn a_key_24_hours_old_starts_a_new_request() {
    let sb = spawn_sandbox().await;
    let create = || {
        CreatePaymentIntent::new(2000, Currency::USD)
            .customize()
            .request_strategy(key("nightly-order-1"))
            .send(&sb.client)
    };
    let first = create().await.unwrap();
    assert_eq!(
        create().await.unwrap().id,
        first.id,
        "replayed within 24 hours"
    );

    let (status, body) = sb
        .control("idempotency/expire", &[("key", "nightly-order-1")])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expired"], 1);
    let fresh = create().await.unwrap();
    assert_ne!(fresh.id, first.id, "the pruned key made a new intent");
    assert_eq!(
        create().await.unwrap().id,
        fresh.id,
        "and keeps the new answer"
    );

    // Expired, the key no longer holds its old parameters either.
    sb.control("idempotency/expire", &[]).await;
    let other = CreatePaymentIntent::new(3000, Currency::USD)
        .customize()
        .request_strategy(key("nightly-order-1"))
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(other.amount, 3000);
}
