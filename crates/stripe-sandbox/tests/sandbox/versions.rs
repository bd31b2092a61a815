//! The `Stripe-Version` header and the API version of webhook events (/api/versioning,
//! /webhooks/versioning).

use crate::helpers::{SECRET, spawn_receiver, spawn_sandbox, spawn_sandbox_with};

async fn create_with_version(sb: &crate::helpers::TestSandbox, version: &str) -> reqwest::Response {
    sb.http
        .post(sb.url("v1/payment_intents"))
        .bearer_auth(SECRET)
        .header("Stripe-Version", version)
        .form(&[("amount", "2000"), ("currency", "usd")])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_unknown_stripe_version_is_refused_with_stripes_error_and_a_real_one_is_answered_with_it()
 {
    let sb = spawn_sandbox().await;
    for bogus in [
        "2099-13-01",
        "bogus",
        "2025-01-01.zebra",
        "2024-06-20.basil",
    ] {
        let r = create_with_version(&sb, bogus).await;
        assert_eq!(r.status(), 400, "{bogus}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert_eq!(
            body["error"]["message"],
            format!("Invalid Stripe API version: {bogus}")
        );
    }
    // Nothing was created by the refused requests.
    let list: serde_json::Value = sb.get("v1/payment_intents").await.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 0);

    for version in ["2024-06-20", "2025-03-31.basil"] {
        let r = create_with_version(&sb, version).await;
        assert_eq!(r.status(), 200, "{version}");
        assert_eq!(r.headers()["stripe-version"], version);
    }
    let r = sb.get("v1/payment_intents").await;
    assert_eq!(
        r.headers()["stripe-version"],
        stripe_shared::version::VERSION.as_str(),
        "without the header, the pinned version"
    );
}

#[tokio::test]
async fn an_endpoint_given_another_api_version_receives_events_stamped_with_it() {
    let receiver = spawn_receiver(0).await;
    let other = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    let (status, body) = sb
        .control(
            "webhooks/endpoints",
            &[
                ("url", other.url.as_str()),
                ("secret", crate::helpers::WEBHOOK_SECRET),
                ("api_version", "2025-03-31.basil"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = sb
        .control(
            "webhooks/endpoints",
            &[("url", other.url.as_str()), ("api_version", "1999-01-01")],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Invalid Stripe API version: 1999-01-01"
    );

    let intent = sb.card_intent().await;
    sb.confirm_with(&intent, "pm_card_visa").await.unwrap();
    sb.wait_for_webhooks().await;
    let pinned = stripe_shared::version::VERSION.as_str();
    let versions = |r: &crate::helpers::Receiver| -> Vec<String> {
        r.events()
            .iter()
            .map(|e| {
                e.event
                    .api_version
                    .as_ref()
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default()
            })
            .collect()
    };
    assert!(!versions(&receiver).is_empty());
    assert!(versions(&receiver).iter().all(|v| v == pinned));
    assert_eq!(versions(&other).len(), versions(&receiver).len());
    assert!(versions(&other).iter().all(|v| v == "2025-03-31.basil"));

    // The endpoint already known: only its version changes, back to the pinned one.
    let (status, body) = sb
        .control(
            "webhooks/endpoints",
            &[("url", other.url.as_str()), ("api_version", pinned)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["webhooks"]["endpoints"].as_array().unwrap().len(), 2);
    sb.card_intent().await;
    sb.wait_for_webhooks().await;
    assert_eq!(versions(&other).last().map(String::as_str), Some(pinned));

    // Events read through the API keep the version they were created at.
    let events: serde_json::Value = sb.get("v1/events").await.json().await.unwrap();
    assert!(
        events["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["api_version"] == pinned)
    );
}
