//! Nobody can take the shop's stock off the shelf without paying: a cap per line, a limit on
//! unpaid orders per session and per address, and a short hold until the shopper pays.

use reqwest::StatusCode;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app, spawn_app_with, text, with_shipping};

impl TestApp {
    pub async fn set_max_per_order(&self, slug: &str, max: i32) {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::products;
        diesel::update(products::table.filter(products::slug.eq(slug)))
            .set(products::max_per_order.eq(max))
            .execute(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("max per order of {slug}: {e}"));
    }

    async fn reserved_for(&self, order: Uuid) -> time::Duration {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::orders;
        let until: OffsetDateTime = orders::table
            .find(order)
            .select(orders::reserved_until)
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("order {order}: {e}"));
        until - OffsetDateTime::now_utc()
    }

    /// A guest in a browser of their own, as if from `client` behind the shop's proxy.
    async fn guest_checkout_from(&self, client: Option<&str>) -> reqwest::Response {
        let guest = self.another_browser();
        guest.add_to_cart("ceramic-pour-over-mug", "1").await;
        let token = guest.csrf_token().await;
        let mut request = guest.client.post(guest.url("/checkout"));
        if let Some(client) = client {
            request = request.header("x-forwarded-for", client);
        }
        request
            .form(&with_shipping(
                "/checkout",
                &[
                    ("csrf_token", token.as_str()),
                    ("email", "guest@example.com"),
                ],
            ))
            .send()
            .await
            .unwrap_or_else(|e| panic!("checkout: {e}"))
    }
}

#[tokio::test]
async fn a_cart_line_holds_at_most_the_products_most_per_order() {
    let app = spawn_app().await;
    let page = app.get_html("/products/ceramic-pour-over-mug").await;
    assert!(
        page.contains(r#"max="10""#),
        "the quantity picker stops at 10"
    );

    let response = app.add_to_cart("ceramic-pour-over-mug", "11").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(
        text(response)
            .await
            .contains("at most 10 of this product at a time")
    );
    assert_eq!(
        app.add_to_cart("ceramic-pour-over-mug", "8").await.status(),
        StatusCode::SEE_OTHER
    );
    let response = app.add_to_cart("ceramic-pour-over-mug", "3").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(text(response).await.contains("8 are already in your cart"));
    assert_eq!(
        app.cart_rows().await,
        vec![("ceramic-pour-over-mug".into(), 8)]
    );

    // The owner lowers the cap: the cart says so, and checkout refuses until it is fixed.
    app.set_max_per_order("ceramic-pour-over-mug", 2).await;
    assert!(app.get_html("/cart").await.contains("At most 2 per order"));
    let stock = app.stock("ceramic-pour-over-mug").await;
    let response = app
        .submit("/checkout", &[("email", "ada@example.com")])
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(text(response).await.contains("at most 2 of Ceramic"));
    assert_eq!(app.stock("ceramic-pour-over-mug").await, stock);
    assert_eq!(app.order_count().await, 0);
}

#[tokio::test]
async fn one_address_holds_a_bounded_number_of_unpaid_orders() {
    let app = spawn_app_with(&[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    for _ in 0..5 {
        let response = app.guest_checkout_from(None).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let stock = app.stock("ceramic-pour-over-mug").await;
    let response = app.guest_checkout_from(None).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    assert!(
        text(response)
            .await
            .contains("Too many orders from your network")
    );
    assert_eq!(
        app.stock("ceramic-pour-over-mug").await,
        stock,
        "nothing more reserved"
    );
    assert_eq!(app.order_count().await, 5);

    // Another shopper behind the same proxy is another address.
    let response = app.guest_checkout_from(Some("198.51.100.7")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn one_session_holds_a_bounded_number_of_unpaid_orders() {
    let app = spawn_app_with(&[("OPEN_ORDERS_PER_SESSION", "1")]).await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    app.checkout("ada@example.com").await;
    // Checking the same cart out again continues its order: still one.
    app.checkout("ada@example.com").await;
    assert_eq!(app.order_count().await, 1);

    // Signed in, the account's cart is another cart; the guest order still waits.
    app.register("ada@example.com", "correct horse battery")
        .await;
    app.add_to_cart("crab-sticker-pack", "1").await;
    let response = app.submit("/checkout", &[]).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        text(response)
            .await
            .contains("You already have an order waiting for payment")
    );
    assert_eq!(app.order_count().await, 1);
}

#[tokio::test]
async fn an_order_holds_its_stock_briefly_until_the_shopper_presses_pay() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    let held = app.reserved_for(order).await;
    assert!(
        held <= time::Duration::minutes(15) && held > time::Duration::minutes(14),
        "{held}"
    );

    // The payment page alone does not extend it: every checkout lands there.
    app.payment_form(order).await;
    assert!(app.reserved_for(order).await <= time::Duration::minutes(15));

    let response = app.submit(&format!("/orders/{order}/paying"), &[]).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let held = app.reserved_for(order).await;
    assert!(
        held > time::Duration::minutes(59) && held <= time::Duration::minutes(60),
        "{held}"
    );

    // Only the order's own browser can, and not for an order that no longer waits.
    let stranger = app.another_browser();
    let response = stranger
        .submit(&format!("/orders/{order}/paying"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    app.submit(&format!("/orders/{order}/cancel"), &[]).await;
    let response = app.submit(&format!("/orders/{order}/paying"), &[]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
}
