//! The shopper reads what is known: a payment Stripe could not confirm is not called
//! "not charged", and an order Stripe will never take is released at once, saying why.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use storefront::schema::products;

use crate::helpers::{TestApp, VISA, spawn_app, text};

async fn set_price(app: &TestApp, slug: &str, price_minor: i64) {
    diesel::update(products::table.filter(products::slug.eq(slug)))
        .set(products::price_minor.eq(price_minor))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn a_payment_stripe_could_not_confirm_on_the_return_page_is_never_called_not_charged() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "100")])
        .await;
    let (status, _) = app.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK, "the card was charged");
    app.control(
        "failures",
        &[("count", "10"), ("path", "/v1/payment_intents")],
    )
    .await;

    let response = app.return_from_stripe(order).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = text(response).await;
    assert!(!html.contains("not been charged"), "{html}");
    assert!(html.contains("We are confirming your payment"), "{html}");
    assert!(html.contains("please do not pay again"), "{html}");

    // Once Stripe answers again, the same page confirms it.
    app.control("reset", &[]).await;
    let response = app.return_from_stripe(order).await;
    assert_eq!(
        crate::helpers::location(&response),
        format!("/orders/{order}/thanks")
    );
    assert_eq!(app.order_status(order).await, "paid");
}

#[tokio::test]
async fn a_total_above_stripes_largest_payment_releases_the_order_and_says_why() {
    let app = spawn_app().await;
    set_price(&app, "merino-beanie", 60_000_000).await;
    app.add_to_cart("merino-beanie", "2").await;
    let stock = app.stock("merino-beanie").await;

    let response = app
        .submit("/checkout", &[("email", "ada@example.com")])
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = text(response).await;
    assert!(html.contains("more than its largest"), "{html}");
    assert!(html.contains("$1,200,000.00"), "{html}");
    assert!(!html.contains("try again in a moment"), "{html}");

    assert_eq!(app.stock("merino-beanie").await, stock, "the stock is back");
    assert_eq!(app.order_count().await, 1);
    assert_eq!(
        app.order_events_all().await.last().map(String::as_str),
        Some("cancelled")
    );
    assert_eq!(app.cart_rows().await, vec![("merino-beanie".into(), 2)]);
}

#[tokio::test]
async fn a_total_below_stripes_smallest_payment_releases_the_order() {
    let app = spawn_app().await;
    set_price(&app, "merino-beanie", 10).await;
    app.add_to_cart("merino-beanie", "1").await;
    let stock = app.stock("merino-beanie").await;
    let response = app
        .submit("/checkout", &[("email", "ada@example.com")])
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(text(response).await.contains("as small as $0.10"));
    assert_eq!(app.stock("merino-beanie").await, stock);
}

#[tokio::test]
async fn an_email_stripe_refuses_releases_the_order_and_the_shopper_can_fix_it() {
    let app = spawn_app().await;
    app.add_to_cart("merino-beanie", "1").await;
    let stock = app.stock("merino-beanie").await;
    let response = app
        .submit("/checkout", &[("email", "ada..lovelace@example.com")])
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = text(response).await;
    assert!(
        html.contains("Stripe does not accept the email address ada..lovelace@example.com"),
        "{html}"
    );
    assert_eq!(app.stock("merino-beanie").await, stock);

    let order = app.checkout("ada.lovelace@example.com").await;
    let (status, _) = app.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK);
}
