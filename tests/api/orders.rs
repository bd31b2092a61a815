use reqwest::StatusCode;

use crate::helpers::{VISA, location, order_id_from, spawn_app, text};

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn nobody_else_can_see_pay_or_cancel_an_account_order() {
    let app = spawn_app().await;
    app.register("ada@example.com", PASSWORD).await;
    app.add_to_cart("merino-beanie", "1").await;
    let order = order_id_from(&location(&app.submit("/checkout", &[]).await));
    let secret = app.payment_form(order).await.client_secret;

    let grace = app.another_browser();
    grace.register("grace@example.com", PASSWORD).await;
    for path in [
        format!("/orders/{order}"),
        format!("/orders/{order}/pay"),
        format!("/orders/{order}/thanks"),
    ] {
        let response = grace.get(&path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(!text(response).await.contains(&secret));
    }
    let response = grace.submit(&format!("/orders/{order}/cancel"), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(!grace.get_html("/orders").await.contains(&order.to_string()));
    assert_eq!(app.order_status(order).await, "pending");

    let guest = app.another_browser();
    let response = guest.get(&format!("/orders/{order}/pay")).await;
    assert_eq!(
        location(&response),
        format!("/login?next=%2Forders%2F{order}%2Fpay"),
        "a guest is asked to sign in"
    );
}

#[tokio::test]
async fn a_guest_order_link_shows_the_order_but_never_the_payment_form() {
    let app = spawn_app().await;
    app.add_to_cart("merino-beanie", "1").await;
    let order = app.checkout("ada@example.com").await;
    let secret = app.payment_form(order).await.client_secret;
    app.pay_with_card(order, VISA).await;
    app.webhooks_delivered().await;

    let stranger = app.another_browser();
    let html = stranger.get_html(&format!("/orders/{order}")).await;
    assert!(html.contains("Merino Beanie"));
    assert!(html.contains(">Paid<"));
    assert!(!html.contains(&secret));
    for path in [
        format!("/orders/{order}/pay"),
        format!("/orders/{order}/thanks"),
    ] {
        assert_eq!(
            stranger.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_unknown_order_is_not_found() {
    let app = spawn_app().await;
    let response = app.get(&format!("/orders/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/orders/not-a-uuid").await.status(),
        StatusCode::NOT_FOUND
    );
    let response = app.get("/checkout/return?payment_intent=pi_unknown").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
