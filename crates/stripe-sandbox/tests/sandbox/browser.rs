//! What the browser gets: Stripe.js, the card iframe and the demo page, with their own
//! security headers (the shop's defaults would forbid framing).

use crate::helpers::spawn_sandbox;

#[tokio::test]
async fn stripe_js_is_served_as_javascript_that_finds_its_own_base_url() {
    let sb = spawn_sandbox().await;
    let r = sb.http.get(sb.url("js/v3/stripe.js")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/javascript")
    );
    let js = r.text().await.unwrap();
    assert!(js.contains("document.currentScript"));
    assert!(js.contains("confirmPayment"));
    assert!(js.contains("retrievePaymentIntent"));
}

#[tokio::test]
async fn the_card_iframe_has_labelled_fields_and_may_be_framed_by_the_page_that_loads_it() {
    let sb = spawn_sandbox().await;
    let r = sb
        .http
        .get(sb.url("elements/payment"))
        .query(&[("origin", "https://shop.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("frame-ancestors 'self' https://shop.example"),
        "{csp}"
    );
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert_ne!(r.headers()["x-frame-options"], "DENY");
    let html = r.text().await.unwrap();
    for label in [
        "Card number",
        "Expiration date",
        "Security code",
        "ZIP",
        "Full name",
        "Email",
        "IBAN",
    ] {
        assert!(html.contains(&format!("\">{label}</label>")), "{label}");
    }
    assert!(!html.contains("<script>"), "no inline script");
    assert!(!html.contains("style="), "no inline style");

    let r = sb
        .http
        .get(sb.url("elements/payment"))
        .query(&[("origin", "javascript:alert(1)")])
        .send()
        .await
        .unwrap();
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(!csp.contains("javascript"), "{csp}");

    for asset in [
        "elements.js",
        "elements.css",
        "pages.css",
        "demo.js",
        "challenge.js",
    ] {
        let r = sb
            .http
            .get(sb.url(&format!("assets/{asset}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{asset}");
    }
}

#[tokio::test]
async fn the_demo_page_loads_stripe_js_from_the_sandbox_and_has_a_client_secret() {
    let sb = spawn_sandbox().await;
    let r = sb.http.get(sb.url("_demo")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let html = r.text().await.unwrap();
    assert!(html.contains("src=\"js/v3/stripe.js\""));
    assert!(html.contains("data-client-secret=\"pi_"));
}

/// The index shows what a developer needs to use the sandbox by hand: its test keys (the
/// secret key opens nothing but this sandbox and the controls need it), its endpoints, each
/// control with a curl line, the demos.
#[tokio::test]
async fn the_index_shows_the_test_keys_the_controls_and_the_demos() {
    let sb = crate::helpers::spawn_sandbox_with(vec![stripe_sandbox::WebhookEndpoint {
        url: "http://127.0.0.1:9/webhooks/stripe".into(),
        secret: crate::helpers::WEBHOOK_SECRET.into(),
    }])
    .await;
    let r = sb.http.get(sb.url("")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let html = r.text().await.unwrap();
    assert!(html.contains(crate::helpers::PUBLISHABLE));
    assert!(html.contains(crate::helpers::SECRET));
    assert!(
        !html.contains(crate::helpers::WEBHOOK_SECRET),
        "the endpoint's signing secret stays the app's"
    );
    assert!(html.contains("http://127.0.0.1:9/webhooks/stripe"));
    assert!(html.contains(&format!(
        "curl -X POST {}_controls/webhooks/retries -H &#39;Authorization: Bearer {}&#39; -d &#39;delays_ms=200,400,800&#39;",
        sb.base,
        crate::helpers::SECRET
    )), "{html}");
    for link in ["_demo\"", "_demo?currency=eur", "_demo?redirect=always"] {
        assert!(
            html.contains(&format!("href=\"{}{link}", sb.base)),
            "{link}"
        );
    }
    for control in [
        "_controls/bank_debits/settle",
        "_controls/refunds",
        "_controls/reset",
    ] {
        assert!(html.contains(control), "{control}");
    }
}

#[tokio::test]
async fn the_demo_pays_in_euros_with_sepa_debit_and_confirms_on_the_page_or_redirects() {
    let sb = spawn_sandbox().await;
    let html = sb
        .http
        .get(sb.url("_demo?currency=eur"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Pay €20.00"), "{html}");
    assert!(html.contains("data-redirect=\"if_required\""));
    assert!(html.contains("DE89 3704 0044 0532 0130 00"));
    let start = html.find("data-client-secret=\"").unwrap() + "data-client-secret=\"".len();
    let secret = &html[start..start + html[start..].find('"').unwrap()];
    let id = secret.split("_secret_").next().unwrap();
    let intent: serde_json::Value = sb
        .get(&format!("v1/payment_intents/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        intent["payment_method_types"],
        serde_json::json!(["card", "sepa_debit"])
    );

    let html = sb
        .http
        .get(sb.url("_demo?redirect=always"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Pay $20.00"));
    assert!(html.contains("data-redirect=\"always\""));
}
