use stripe_core::payment_intent::{ConfirmPaymentIntent, RetrievePaymentIntent};
use stripe_shared::{PaymentIntent, PaymentIntentStatus};

use crate::helpers::{TestSandbox, api_error, spawn_sandbox};

const RETURN_URL: &str = "https://shop.example/checkout/return?order=9";

fn challenge_url(pi: &PaymentIntent) -> String {
    let next = pi.next_action.as_ref().expect("next_action");
    assert_eq!(next.type_, "redirect_to_url");
    let redirect = next.redirect_to_url.as_ref().expect("redirect_to_url");
    assert_eq!(redirect.return_url.as_deref(), Some(RETURN_URL));
    redirect.url.clone().expect("url")
}

async fn requires_action(sb: &TestSandbox, pm: &str) -> (PaymentIntent, String) {
    let intent = sb.card_intent().await;
    let pi = ConfirmPaymentIntent::new(intent.id.clone())
        .payment_method(pm)
        .return_url(RETURN_URL)
        .send(&sb.client)
        .await
        .expect("confirm");
    assert_eq!(pi.status, PaymentIntentStatus::RequiresAction);
    let url = challenge_url(&pi);
    (pi, url)
}

async fn answer(sb: &TestSandbox, url: &str, outcome: &str) -> String {
    let page = sb.http.get(url).send().await.expect("challenge page");
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("form-action 'self' https://shop.example"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("Complete authentication"));
    assert!(html.contains("Fail authentication"));
    assert!(html.contains("$20.00"));

    let r = sb
        .http
        .post(url)
        .form(&[("outcome", outcome)])
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 303);
    r.headers()["location"].to_str().unwrap().to_string()
}

fn query(location: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[tokio::test]
async fn completing_authentication_succeeds_and_returns_to_the_shop() {
    let sb = spawn_sandbox().await;
    let (pi, url) = requires_action(&sb, "pm_card_threeDSecure2Required").await;
    assert!(url.starts_with(&format!("{}3ds/", sb.base)), "{url}");

    let location = answer(&sb, &url, "complete").await;
    assert!(location.starts_with("https://shop.example/checkout/return?order=9&"));
    let q = query(&location);
    assert!(q.contains(&("payment_intent".into(), pi.id.as_str().into())));
    assert!(q.contains(&(
        "payment_intent_client_secret".into(),
        pi.client_secret.clone().unwrap()
    )));
    assert!(q.contains(&("redirect_status".into(), "succeeded".into())));

    let after = RetrievePaymentIntent::new(pi.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(after.status, PaymentIntentStatus::Succeeded);
    assert!(after.latest_charge.is_some());
    assert!(after.next_action.is_none());
}

#[tokio::test]
async fn failing_authentication_returns_the_intent_for_another_card() {
    let sb = spawn_sandbox().await;
    let (pi, url) = requires_action(&sb, "pm_card_authenticationRequiredOnSetup").await;
    let location = answer(&sb, &url, "fail").await;
    assert!(query(&location).contains(&("redirect_status".into(), "failed".into())));

    let after = RetrievePaymentIntent::new(pi.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(after.status, PaymentIntentStatus::RequiresPaymentMethod);
    let e = after.last_payment_error.expect("last_payment_error");
    assert_eq!(
        e.code.map(|c| c.as_str().to_string()).as_deref(),
        Some("payment_intent_authentication_failure")
    );
    // /error-codes#payment-intent-authentication-failure: an `invalid_request_error` worded
    // for developers (the same object is in stripe-android's PaymentIntent fixtures).
    assert_eq!(e.type_.as_str(), "invalid_request_error");
    assert_eq!(
        e.message.as_deref(),
        Some(
            "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again."
        )
    );
    assert!(e.payment_method.is_some());

    // Answering again changes nothing; another card works.
    let r = sb
        .http
        .post(&url)
        .form(&[("outcome", "complete")])
        .send()
        .await
        .unwrap();
    assert!(
        query(r.headers()["location"].to_str().unwrap())
            .contains(&("redirect_status".into(), "failed".into()))
    );
    let paid = sb.confirm_with(&pi, "pm_card_visa").await.unwrap();
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
}

#[tokio::test]
async fn cards_that_require_authentication_do_so_from_the_browser_too() {
    let sb = spawn_sandbox().await;
    for number in ["4000002500003155", "4000002760003184", "4000000000003220"] {
        let intent = sb.card_intent().await;
        let (status, body) = sb
            .confirm_card_from_browser(&intent, number, Some(RETURN_URL))
            .await;
        assert_eq!(status, 200, "{number}: {body}");
        assert_eq!(body["status"], "requires_action", "{number}");
        assert_eq!(body["next_action"]["type"], "redirect_to_url");
    }
}

#[tokio::test]
async fn the_always_authenticate_card_is_declined_off_session() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let (e, status) = api_error(
        ConfirmPaymentIntent::new(intent.id.clone())
            .payment_method("pm_card_authenticationRequired")
            .off_session(stripe_core::payment_intent::ConfirmPaymentIntentOffSession::Bool(true))
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 402);
    assert_eq!(e.decline_code.as_deref(), Some("authentication_required"));
}

#[tokio::test]
async fn the_challenge_url_follows_the_host_the_browser_used() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let secret = intent.client_secret.clone().unwrap();
    let r = sb
        .http
        .post(sb.url(&format!("v1/payment_intents/{}/confirm", intent.id)))
        .header("X-Forwarded-Host", "demo.example.org")
        .header("X-Forwarded-Proto", "https")
        .form(&[
            ("key", crate::helpers::PUBLISHABLE),
            ("client_secret", secret.as_str()),
            ("payment_method_data[type]", "card"),
            ("payment_method_data[card][number]", "4000002500003155"),
            ("payment_method_data[card][exp_month]", "12"),
            ("payment_method_data[card][exp_year]", "40"),
            ("payment_method_data[card][cvc]", "123"),
            ("return_url", RETURN_URL),
        ])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    let url = body["next_action"]["redirect_to_url"]["url"]
        .as_str()
        .unwrap();
    assert!(
        url.starts_with("https://demo.example.org/_sandbox/3ds/payatt_"),
        "{url}"
    );
}

/// Stripe.js shows the challenge in a dialog on the shop's page (@stripe/stripe-js:
/// confirmPayment "authenticating your user by displaying a 3DS dialog"): there the page may be
/// framed by that page only, and once answered it tells that page instead of redirecting.
#[tokio::test]
async fn in_stripe_js_dialog_the_challenge_is_framed_by_the_shop_and_tells_it_when_done() {
    let sb = spawn_sandbox().await;
    let (pi, url) = requires_action(&sb, "pm_card_threeDSecure2Required").await;
    let framed = format!("{url}?frame=1&origin=https%3A%2F%2Fshop.example");
    let page = sb.http.get(&framed).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("frame-ancestors https://shop.example;"),
        "{csp}"
    );
    assert_ne!(page.headers()["x-frame-options"], "DENY");
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Complete authentication")
    );

    let r = sb
        .http
        .post(&framed)
        .form(&[("outcome", "complete")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "no redirect inside the dialog");
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = r.text().await.unwrap();
    assert!(
        html.contains(r#"src="../assets/challenge.js" data-origin="https://shop.example""#),
        "{html}"
    );
    let after = RetrievePaymentIntent::new(pi.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(after.status, PaymentIntentStatus::Succeeded);

    // Only an http(s) origin may frame it.
    let (_, url) = requires_action(&sb, "pm_card_threeDSecure2Required").await;
    let page = sb
        .http
        .get(format!("{url}?frame=1&origin=javascript:alert(1)"))
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
}
