use stripe_core::payment_intent::{CreatePaymentIntent, RetrievePaymentIntent};
use stripe_types::Currency;

use crate::helpers::{PUBLISHABLE, api_error, spawn_sandbox};

#[tokio::test]
async fn an_unknown_parameter_is_refused_with_its_name() {
    let sb = spawn_sandbox().await;
    let r = sb
        .post(
            "v1/payment_intents",
            &[("amount", "2000"), ("currency", "usd"), ("colour", "red")],
        )
        .await;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert_eq!(
        body["error"]["message"],
        "Received unknown parameter: colour"
    );
    assert_eq!(body["error"]["param"], "colour");

    let r = sb
        .post(
            "v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "usd"),
                ("payment_method_data[type]", "card"),
                ("payment_method_data[card][colour]", "red"),
            ],
        )
        .await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "Received unknown parameter: payment_method_data[card][colour]"
    );
}

#[tokio::test]
async fn a_wrong_type_or_a_missing_parameter_names_the_parameter() {
    let sb = spawn_sandbox().await;
    let r = sb
        .post(
            "v1/payment_intents",
            &[("amount", "lots"), ("currency", "usd")],
        )
        .await;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["param"], "amount");
    assert_eq!(body["error"]["message"], "Invalid integer: lots");

    let r = sb.post("v1/payment_intents", &[("amount", "2000")]).await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["param"], "currency");
    assert_eq!(body["error"]["code"], "parameter_missing");

    let r = sb
        .post(
            "v1/payment_intents",
            &[("amount", "2000"), ("currency", "xyz")],
        )
        .await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["param"], "currency");

    let (e, status) = api_error(
        CreatePaymentIntent::new(10, Currency::USD)
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        e.code.map(|c| c.as_str().to_string()).as_deref(),
        Some("amount_too_small")
    );
}

#[tokio::test]
async fn a_missing_or_wrong_api_key_is_refused_with_401() {
    let sb = spawn_sandbox().await;
    let r = sb
        .http
        .post(sb.url("v1/payment_intents"))
        .form(&[("amount", "2000"), ("currency", "usd")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("You did not provide an API key.")
    );

    let wrong = stripe::ClientBuilder::new("sk_test_wrong_key_0000000000005678")
        .url(sb.base.clone())
        .build()
        .unwrap();
    let (e, status) = api_error(
        CreatePaymentIntent::new(2000, Currency::USD)
            .send(&wrong)
            .await,
    );
    assert_eq!(status, 401);
    assert_eq!(
        e.message.as_deref(),
        Some("Invalid API Key provided: sk_test_**********************5678")
    );
}

#[tokio::test]
async fn the_publishable_key_cannot_create_payment_intents() {
    let sb = spawn_sandbox().await;
    let browser = stripe::ClientBuilder::new(PUBLISHABLE)
        .url(sb.base.clone())
        .build()
        .unwrap();
    let (e, status) = api_error(
        CreatePaymentIntent::new(2000, Currency::USD)
            .send(&browser)
            .await,
    );
    assert_eq!(status, 401);
    assert_eq!(
        e.code.map(|c| c.as_str().to_string()).as_deref(),
        Some("secret_key_required")
    );
}

#[tokio::test]
async fn the_publishable_key_sees_an_intent_only_with_its_client_secret() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let url = sb.url(&format!("v1/payment_intents/{}", intent.id));

    let r = sb
        .http
        .get(&url)
        .query(&[("key", PUBLISHABLE)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let r = sb
        .http
        .get(&url)
        .query(&[("key", PUBLISHABLE), ("client_secret", "pi_x_secret_wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["param"], "client_secret");

    let secret = intent.client_secret.clone().unwrap();
    let r = sb
        .http
        .get(&url)
        .query(&[("key", PUBLISHABLE), ("client_secret", secret.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["id"], intent.id.as_str());
    assert_eq!(body["status"], "requires_payment_method");
    assert!(body.get("metadata").is_none());
    assert!(body.get("customer").is_none());
}

#[tokio::test]
async fn an_unknown_object_is_404_resource_missing() {
    let sb = spawn_sandbox().await;
    let (e, status) = api_error(
        RetrievePaymentIntent::new("pi_doesnotexist")
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        e.code.map(|c| c.as_str().to_string()).as_deref(),
        Some("resource_missing")
    );
    assert_eq!(
        e.message.as_deref(),
        Some("No such payment_intent: 'pi_doesnotexist'")
    );
}

#[tokio::test]
async fn an_unrecognized_url_is_404() {
    let sb = spawn_sandbox().await;
    let r = sb.get("v1/quotes").await;
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Unrecognized request URL (GET: /v1/quotes)")
    );
}

#[tokio::test]
async fn brackets_with_empty_indexes_and_basic_auth_work_as_with_curl() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    sb.confirm_with(&intent, "pm_card_visa").await.unwrap();
    let r = sb
        .http
        .get(sb.url(&format!(
            "v1/payment_intents/{}?expand[]=latest_charge&expand[]=payment_method",
            intent.id
        )))
        .basic_auth(crate::helpers::SECRET, Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["latest_charge"]["object"], "charge");
    assert_eq!(body["payment_method"]["object"], "payment_method");

    let r = sb
        .get(&format!("v1/payment_intents/{}?expand[]=review", intent.id))
        .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn the_api_answers_cors_preflights_as_stripe_does() {
    let sb = spawn_sandbox().await;
    let r = sb
        .http
        .request(
            reqwest::Method::OPTIONS,
            sb.url("v1/payment_intents/pi_x/confirm"),
        )
        .header("Origin", "https://shop.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
}
