use std::time::Duration;

use stripe_core::payment_intent::{RetrievePaymentIntent, SearchPaymentIntent};
use stripe_core::refund::{CreateRefund, RetrieveRefund};

use crate::helpers::{SECRET, TestSandbox, WEBHOOK_SECRET, spawn_sandbox_on};

#[tokio::test]
async fn a_sandbox_on_the_same_state_file_finds_the_objects_and_keys_of_the_one_before() {
    let path = std::env::temp_dir().join(format!(
        "sandbox-persistence-{}.json",
        uuid::Uuid::new_v4().simple()
    ));
    let endpoint = stripe_sandbox::WebhookEndpoint {
        url: "http://127.0.0.1:9/unused".into(),
        secret: WEBHOOK_SECRET.into(),
    };
    let first = spawn_sandbox_on(vec![endpoint], Some(path.clone())).await;
    let intent = first.card_intent().await;
    let paid = first.confirm_with(&intent, "pm_card_visa").await.unwrap();
    let refund = CreateRefund::new()
        .payment_intent(paid.id.as_str())
        .amount(500)
        .send(&first.client)
        .await
        .unwrap();
    let mut written = false;
    for _ in 0..50 {
        if std::fs::read_to_string(&path).is_ok_and(|s| s.contains(refund.id.as_str())) {
            written = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(written, "the snapshot is written shortly after a change");
    let saved = stripe_sandbox::SavedKeys::read(&path)
        .unwrap()
        .expect("keys in the snapshot");
    assert_eq!(saved.webhook_secret, WEBHOOK_SECRET);

    let second = spawn_sandbox_on(Vec::new(), Some(path.clone())).await;
    let again = RetrievePaymentIntent::new(paid.id.clone())
        .send(&second.client)
        .await
        .unwrap();
    assert_eq!(again.status, stripe_shared::PaymentIntentStatus::Succeeded);
    assert_eq!(again.client_secret, paid.client_secret);
    let refund = RetrieveRefund::new(refund.id.clone())
        .send(&second.client)
        .await
        .unwrap();
    assert_eq!(refund.amount, 500);
    let found = SearchPaymentIntent::new("metadata['order_id']:'42'")
        .send(&second.client)
        .await
        .unwrap();
    assert_eq!(found.data.len(), 1);
    // The rest of the charge can still be refunded, and no more.
    let rest = CreateRefund::new()
        .payment_intent(paid.id.as_str())
        .send(&second.client)
        .await
        .unwrap();
    assert_eq!(rest.amount, 1500);
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_state_file_that_is_not_a_snapshot_stops_the_sandbox_instead_of_being_overwritten() {
    let path = std::env::temp_dir().join(format!(
        "sandbox-not-a-snapshot-{}.json",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&path, "my notes").unwrap();
    let opened = stripe_sandbox::Sandbox::open(stripe_sandbox::SandboxConfig {
        secret_key: "sk_test_x".into(),
        publishable_key: "pk_test_x".into(),
        webhook_endpoints: Vec::new(),
        state_file: Some(path.clone()),
    });
    assert!(opened.is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "my notes");
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_bank_debit_still_processing_settles_after_a_restart() {
    let path = std::env::temp_dir().join(format!(
        "sandbox-debit-{}.json",
        uuid::Uuid::new_v4().simple()
    ));
    let first = spawn_sandbox_on(Vec::new(), Some(path.clone())).await;
    first
        .control("bank_debits", &[("settle_ms", "86400000")])
        .await;
    let intent: serde_json::Value = first
        .post(
            "v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "eur"),
                ("confirm", "true"),
                ("payment_method_data[type]", "sepa_debit"),
                (
                    "payment_method_data[sepa_debit][iban]",
                    "DE89370400440532013000",
                ),
                ("payment_method_data[billing_details][name]", "Jenny Rosen"),
                (
                    "payment_method_data[billing_details][email]",
                    "jenny@example.com",
                ),
                ("mandate_data[customer_acceptance][type]", "offline"),
                ("return_url", "https://shop.example/return"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(intent["status"], "processing", "{intent}");
    let id = intent["id"].as_str().unwrap().to_owned();
    let mut written = false;
    for _ in 0..50 {
        if std::fs::read_to_string(&path)
            .is_ok_and(|s| s.contains("bank_debits") && s.contains(&id))
        {
            written = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(written);

    let second = spawn_sandbox_on(Vec::new(), Some(path.clone())).await;
    let (status, settled) = second
        .control("bank_debits/settle", &[("payment_intent", id.as_str())])
        .await;
    assert_eq!(status, 200, "{settled}");
    assert_eq!(settled["status"], "succeeded");
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn subscriptions_invoices_and_test_clocks_survive_a_restart() {
    use stripe_billing::subscription::{
        CreateSubscription, CreateSubscriptionItems, RetrieveSubscription,
    };
    let path = std::env::temp_dir().join(format!(
        "sandbox-billing-persistence-{}.json",
        uuid::Uuid::new_v4().simple()
    ));
    let first = spawn_sandbox_on(Vec::new(), Some(path.clone())).await;
    let price = crate::billing_catalog::monthly_price(&first, "club_monthly").await;
    let cus = crate::billing_subscriptions::customer(&first, "ada@example.com").await;
    let mut item = CreateSubscriptionItems::new();
    item.price = Some(price.id.as_str().to_string());
    let sub = CreateSubscription::new()
        .customer(cus.id.as_str())
        .items(vec![item])
        .trial_period_days(14u32)
        .send(&first.client)
        .await
        .unwrap();
    let mut written = false;
    for _ in 0..50 {
        if std::fs::read_to_string(&path).is_ok_and(|s| s.contains(sub.id.as_str())) {
            written = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(written);
    let second = spawn_sandbox_on(Vec::new(), Some(path.clone())).await;
    let again = RetrieveSubscription::new(sub.id.clone())
        .send(&second.client)
        .await
        .unwrap();
    assert_eq!(again.status, sub.status);
    assert!(again.latest_invoice.is_some());
    let found: serde_json::Value = second
        .get("v1/prices?lookup_keys[]=club_monthly")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["data"][0]["id"], price.id.as_str());
    let _ = std::fs::remove_file(&path);
}

/// A state file from before answers and events were kept as compact text (pretty answer
/// bodies, fingerprints as their full text) restores: its key replays the first answer byte
/// for byte, and its event reads the same.
#[tokio::test]
async fn an_older_state_file_replays_its_answers_byte_for_byte_and_keeps_its_events() {
    let path = std::env::temp_dir().join(format!(
        "sandbox-older-{}.json",
        uuid::Uuid::new_v4().simple()
    ));
    let create = |sb: &TestSandbox| {
        sb.http
            .post(sb.url("v1/payment_intents"))
            .bearer_auth(SECRET)
            .header("Idempotency-Key", "older-key")
            .form(&[("amount", "2000"), ("currency", "usd")])
            .send()
    };
    let events = |sb: &TestSandbox| {
        sb.http
            .get(sb.url("v1/events?type=payment_intent.created"))
            .bearer_auth(SECRET)
            .send()
    };
    let first = spawn_sandbox_on(Vec::new(), Some(path.clone())).await;
    let answer = create(&first).await.unwrap().text().await.unwrap();
    let listed = events(&first).await.unwrap().text().await.unwrap();
    let mut text = String::new();
    for _ in 0..50 {
        text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains("older-key") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut snapshot: serde_json::Value = serde_json::from_str(&text).unwrap();
    for entry in snapshot["idempotency"].as_array_mut().unwrap() {
        let stored = &mut entry[2];
        let body: serde_json::Value =
            serde_json::from_str(stored["body"].as_str().unwrap()).unwrap();
        stored["body"] = serde_json::to_string_pretty(&body).unwrap().into();
        stored["fingerprint"] =
            r#"POST /v1/payment_intents {"amount": Str("2000"), "currency": Str("usd")}"#.into();
    }
    std::fs::write(&path, snapshot.to_string()).unwrap();

    let second = spawn_sandbox_on(Vec::new(), Some(path.clone())).await;
    let replay = create(&second).await.unwrap();
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.text().await.unwrap(), answer);
    assert_eq!(events(&second).await.unwrap().text().await.unwrap(), listed);
    let _ = std::fs::remove_file(&path);
}
