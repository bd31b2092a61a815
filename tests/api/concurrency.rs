//! A cart is paid at most once: however many checkouts of one cart run at the same time, the
//! database holds one open order for it and Stripe one PaymentIntent.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use storefront::schema::orders;

use crate::helpers::{TestApp, location, order_id_from, spawn_app};

/// Every PaymentIntent the shop's Stripe holds, as (id, metadata.order_id).
async fn intents_at_stripe(app: &TestApp) -> Vec<(String, String)> {
    let list = app.stripe_get("payment_intents?limit=100").await;
    list["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no list: {list}"))
        .iter()
        .map(|pi| {
            (
                pi["id"].as_str().unwrap_or_default().to_owned(),
                pi["metadata"]["order_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

async fn ten_checkouts_at_once(app: &TestApp, form: &[(&str, &str)]) -> Vec<String> {
    let token = app.csrf_token().await;
    let mut fields = vec![("csrf_token", token.as_str())];
    fields.extend_from_slice(form);
    let requests = (0..10).map(|_| app.post_form("/checkout", &fields));
    let responses = futures_util::future::join_all(requests).await;
    responses
        .iter()
        .map(|r| {
            assert_eq!(
                r.status(),
                StatusCode::SEE_OTHER,
                "every click gets an answer"
            );
            location(r)
        })
        .collect()
}

#[tokio::test]
async fn ten_concurrent_checkouts_of_a_signed_in_cart_make_one_order_and_one_intent() {
    let app = spawn_app().await;
    app.register("ada@example.com", "correct horse battery")
        .await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    app.add_to_cart("canvas-tote-bag", "2").await;
    // Stripe answers slowly, so the clicks overlap while the intent is being created.
    app.control("latency", &[("ms", "150")]).await;

    let locations = ten_checkouts_at_once(&app, &[]).await;

    let first = order_id_from(&locations[0]);
    assert!(
        locations
            .iter()
            .all(|l| *l == format!("/orders/{first}/pay")),
        "every click continues the same order: {locations:?}"
    );
    assert_eq!(app.order_count().await, 1);
    let stored: Vec<Option<String>> = orders::table
        .select(orders::payment_intent_id)
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let intents = intents_at_stripe(&app).await;
    assert_eq!(
        intents.len(),
        1,
        "Stripe holds one PaymentIntent: {intents:?}"
    );
    assert_eq!(intents[0].1, first.to_string());
    assert_eq!(stored, vec![Some(intents[0].0.clone())]);
    assert_eq!(
        app.stock("ceramic-pour-over-mug").await,
        39,
        "the stock was reserved once"
    );
    assert_eq!(app.stock("canvas-tote-bag").await, 73);
}

#[tokio::test]
async fn ten_concurrent_checkouts_of_a_guest_cart_make_one_order_and_one_intent() {
    let app = spawn_app().await;
    app.add_to_cart("merino-beanie", "1").await;

    let locations = ten_checkouts_at_once(&app, &[("email", "grace@example.com")]).await;

    let first = order_id_from(&locations[0]);
    assert!(
        locations
            .iter()
            .all(|l| *l == format!("/orders/{first}/pay"))
    );
    assert_eq!(app.order_count().await, 1);
    assert_eq!(intents_at_stripe(&app).await.len(), 1);
}

#[tokio::test]
async fn the_database_refuses_a_second_open_order_for_one_cart() {
    let app = spawn_app().await;
    app.add_to_cart("merino-beanie", "1").await;
    let order = app.checkout("grace@example.com").await;

    // Whatever code path tried it, a second open order of the same cart is refused.
    let copy = diesel::sql_query(
        "INSERT INTO orders (id, cart_id, email, currency, total_minor, reserved_until) \
         SELECT gen_random_uuid(), cart_id, email, currency, total_minor, reserved_until \
         FROM orders WHERE id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(order)
    .execute(&mut app.conn().await)
    .await;
    let Err(error) = copy else {
        panic!("a second open order for the cart was accepted");
    };
    assert!(
        error.to_string().contains("orders_one_open_per_cart"),
        "{error}"
    );
}
