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
    for label in ["Card number", "Expiration date", "Security code", "ZIP"] {
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

    for asset in ["elements.js", "elements.css", "pages.css", "demo.js"] {
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
