//! The in-process sandbox keeps its keys and objects across a restart of the shop, and an order
//! whose intent Stripe does not know cannot hold stock.

use reqwest::StatusCode;

use crate::helpers::{VISA, spawn_app, spawn_app_process, spawn_app_with, text};

#[tokio::test]
async fn a_pending_order_can_still_be_paid_after_the_shop_restarts_in_sandbox_mode() {
    let state = std::env::temp_dir().join(format!(
        "storefront-restart-{}.json",
        uuid::Uuid::new_v4().simple()
    ));
    let state = state.display().to_string();
    let session_key = "k".repeat(64);
    let (before, process) = spawn_app_process(&[
        ("SANDBOX_STATE_FILE", &state),
        ("SESSION_KEY", &session_key),
    ])
    .await;
    before.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = before.checkout("ada@example.com").await;
    let form = before.payment_form(order).await;
    // The snapshot is written a moment after the change.
    let intent = form.intent_id();
    for _ in 0..50 {
        if std::fs::read_to_string(&state).is_ok_and(|s| s.contains(&intent)) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    process.kill();

    let mut after = spawn_app_with(&[
        ("DATABASE_URL", &before.database_url),
        ("SANDBOX_STATE_FILE", &state),
        ("SESSION_KEY", &session_key),
    ])
    .await;
    after.client = before.client.clone();
    after.cookies = before.cookies.clone();

    let again = after.payment_form(order).await;
    assert_eq!(again.client_secret, form.client_secret);
    assert_eq!(again.publishable_key, form.publishable_key);
    let (status, paid) = after.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    after.webhooks_delivered().await;
    assert_eq!(after.order_status(order).await, "paid");
}

#[tokio::test]
async fn the_payment_page_of_an_order_whose_intent_stripe_cannot_find_releases_it() {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use storefront::schema::orders;
    let app = spawn_app().await;
    app.add_to_cart("limited-edition-print", "1").await;
    let order = app.checkout("ada@example.com").await;
    diesel::update(orders::table.find(order))
        .set(orders::payment_intent_id.eq("pi_unknown_to_this_account"))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let response = app.get(&format!("/orders/{order}/pay")).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = text(response).await;
    assert!(html.contains("This order can no longer be paid"), "{html}");
    assert_eq!(app.order_status(order).await, "cancelled");
    assert_eq!(app.stock("limited-edition-print").await, 1);
    assert_eq!(app.cart_rows().await.len(), 1, "the cart keeps the item");
}
