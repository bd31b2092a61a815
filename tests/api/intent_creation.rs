//! An order has one PaymentIntent, whatever happens while it is being created: a crash or a
//! lost answer (the retry or the reconciler adopts the intent Stripe made), an error Stripe keeps
//! for the idempotency key (the next attempt takes a new key), or two shops on one Stripe
//! account (keys carry the installation's id).

use reqwest::StatusCode;

use crate::helpers::{
    VISA, spawn_app, spawn_app_on, spawn_app_with, spawn_standalone_stripe, text,
};

const CREATE: (&str, &str) = ("path", "/v1/payment_intents");

#[tokio::test]
async fn a_checkout_that_crashed_while_stripe_made_the_intent_is_continued_with_that_intent() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    app.control("failures", &[("count", "1"), ("mode", "lost"), CREATE])
        .await;

    // Stripe makes the intent, but its answer never reaches the shop, and the shop's answer
    // never reaches the browser.
    let lost = app
        .submit_and_lose_the_answer("/checkout", &[("email", "ada@example.com")])
        .await;
    assert_eq!(lost.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.order_count().await, 1);

    // The shopper tries again: the same order, with the intent Stripe already made.
    let order = app.checkout("ada@example.com").await;
    assert_eq!(app.order_count().await, 1, "no second order");
    let intents = app.intents_made_for(order).await;
    assert_eq!(intents.len(), 1, "no second intent: {intents:?}");
    assert_eq!(
        app.order_intent(order).await,
        intents[0]["id"].as_str().unwrap_or_default()
    );
    assert_eq!(
        app.stock("ceramic-pour-over-mug").await,
        39,
        "reserved once"
    );

    let (status, paid) = app.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    app.webhooks_delivered().await;
    assert_eq!(app.order_status(order).await, "paid");
}

#[tokio::test]
async fn the_reconciler_adopts_and_cancels_the_intent_of_a_crashed_checkout_nobody_retried() {
    let app = spawn_app_with(&[
        ("RECONCILE_INTERVAL_SECS", "1"),
        ("RECONCILE_AFTER_SECS", "1"),
        ("RESERVATION_SECS", "2"),
    ])
    .await;
    app.add_to_cart("limited-edition-print", "1").await;
    // The crash also loses the webhook that names the new intent.
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "10")])
        .await;
    app.control("failures", &[("count", "1"), ("mode", "lost"), CREATE])
        .await;
    app.submit_and_lose_the_answer("/checkout", &[("email", "ada@example.com")])
        .await;
    let order: uuid::Uuid = {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        storefront::schema::orders::table
            .select(storefront::schema::orders::id)
            .first(&mut app.conn().await)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(app.stock("limited-edition-print").await, 0);

    // The shopper never comes back: the reservation expires.
    app.wait_for_status(order, "cancelled").await;
    let intents = app.intents_made_for(order).await;
    assert_eq!(intents.len(), 1, "{intents:?}");
    assert_eq!(
        intents[0]["status"], "canceled",
        "the intent Stripe made is not left open"
    );
    assert_eq!(
        app.order_intent(order).await,
        intents[0]["id"].as_str().unwrap_or_default(),
        "the order adopted it"
    );
    assert_eq!(app.stock("limited-edition-print").await, 1);
}

#[tokio::test]
async fn an_error_stripe_keeps_for_the_key_does_not_pin_the_order_and_makes_one_intent() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    // Stripe fails inside the create and replays that 500 for the same key for 24 hours.
    app.control("failures", &[("count", "1"), ("mode", "stored"), CREATE])
        .await;
    let response = app
        .submit("/checkout", &[("email", "ada@example.com")])
        .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(text(response).await.contains("Your cart is safe"));

    let order = app.checkout("ada@example.com").await;
    assert_eq!(app.order_count().await, 1);
    let intents = app.intents_made_for(order).await;
    assert_eq!(intents.len(), 1, "{intents:?}");
    let (status, _) = app.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn two_shops_on_one_stripe_account_never_share_an_idempotency_key() {
    let stripe = spawn_standalone_stripe().await;
    let staging = spawn_app_on(&stripe).await;
    let production = spawn_app_on(&stripe).await;
    // User 1 of each database, with different emails: the same key would be "the same
    // request with other parameters" at Stripe.
    for (shop, email) in [
        (&staging, "tester@example.com"),
        (&production, "ada@example.com"),
    ] {
        shop.register(email, "correct horse battery").await;
        shop.add_to_cart("merino-beanie", "1").await;
        let response = shop.submit("/checkout", &[]).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{email}: {}",
            text(response).await
        );
    }
    let customers = production.stripe_get("payment_intents?limit=10").await;
    let mut owners: Vec<&str> = customers["data"]
        .as_array()
        .map(|a| a.iter().filter_map(|pi| pi["customer"].as_str()).collect())
        .unwrap_or_default();
    owners.sort_unstable();
    owners.dedup();
    assert_eq!(owners.len(), 2, "each shop's user has their own Customer");
}
