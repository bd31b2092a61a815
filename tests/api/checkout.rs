use reqwest::StatusCode;

use crate::helpers::{
    DECLINED, INSUFFICIENT_FUNDS, THREE_D_SECURE, TestApp, VISA, location, order_id_from,
    spawn_app, text,
};

/// A guest with a mug and two totes in the cart: $24.00 + 2 × $18.50 = $61.00.
async fn guest_with_cart() -> TestApp {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    app.add_to_cart("canvas-tote-bag", "2").await;
    app
}

#[tokio::test]
async fn checkout_reviews_the_cart_and_asks_a_guest_for_an_email() {
    let app = guest_with_cart().await;
    let html = app.get_html("/checkout").await;
    assert!(html.contains("1 × Ceramic Pour-Over Mug"));
    assert!(html.contains("2 × Canvas Tote Bag"));
    assert!(html.contains("$61.00"));
    assert!(html.contains("Email for your receipt"));

    let response = app.submit("/checkout", &[("email", "not an email")]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(text(response).await.contains("Enter a valid email address"));
    assert!(
        app.order_events_all().await.is_empty(),
        "no order was placed"
    );
}

#[tokio::test]
async fn an_empty_cart_cannot_be_checked_out() {
    let app = spawn_app().await;
    let response = app.get("/checkout").await;
    assert_eq!(location(&response), "/cart");
    let response = app
        .submit("/checkout", &[("email", "ada@example.com")])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(text(response).await.contains("Your cart is empty."));
}

#[tokio::test]
async fn paying_with_4242_makes_the_order_paid_through_the_webhook() {
    let app = guest_with_cart().await;
    let order = app.checkout("ada@example.com").await;

    // Checkout reserved the stock and priced the order from the database.
    assert_eq!(app.stock("ceramic-pour-over-mug").await, 39);
    assert_eq!(app.stock("canvas-tote-bag").await, 73);
    let form = app.payment_form(order).await;
    assert!(form.html.contains("Pay $61.00"));
    assert!(form.html.contains("/_sandbox/js/v3/stripe.js"));
    assert!(form.client_secret.starts_with("pi_"));
    assert_eq!(app.order_status(order).await, "pending");

    let (status, intent) = app.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK, "{intent}");
    assert_eq!(intent["status"], "succeeded");
    assert_eq!(
        intent["amount"], 6100,
        "the intent's amount is the order's total"
    );

    // The shopper closes the tab here: the webhook alone makes the order paid.
    app.webhooks_delivered().await;
    assert_eq!(app.order_status(order).await, "paid");
    let events = app.order_events(order).await;
    assert!(
        events.contains(&(
            Some("pending".into()),
            "paid".into(),
            true,
            "webhook".into()
        )),
        "{events:?}"
    );
    assert!(
        app.stripe_events()
            .await
            .contains(&("payment_intent.succeeded".into(), "applied".into()))
    );
    assert!(
        app.cart_rows().await.is_empty(),
        "what was bought left the cart"
    );

    // Coming back later shows the success page with the real status.
    let response = app.return_from_stripe(order).await;
    assert_eq!(location(&response), format!("/orders/{order}/thanks"));
    let html = app.get_html(&format!("/orders/{order}/thanks")).await;
    assert!(html.contains("Thank you for your order!"));
    assert!(html.contains("data-testid=\"order-status\">Paid<"));
    assert!(html.contains("$61.00"));
    assert!(
        html.contains(&format!("/orders/{order}")),
        "the guest's link to the order"
    );
}

#[tokio::test]
async fn the_return_page_confirms_the_payment_even_before_the_webhook() {
    let app = guest_with_cart().await;
    let order = app.checkout("ada@example.com").await;
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "100")])
        .await;
    app.pay_with_card(order, VISA).await;

    let response = app.return_from_stripe(order).await;
    assert_eq!(location(&response), format!("/orders/{order}/thanks"));
    assert_eq!(app.order_status(order).await, "paid");
    let events = app.order_events(order).await;
    assert!(events.contains(&(Some("pending".into()), "paid".into(), true, "return".into())));
}

#[tokio::test]
async fn a_declined_card_says_so_and_another_card_pays_the_same_order() {
    let app = guest_with_cart().await;
    let order = app.checkout("ada@example.com").await;

    let (status, answer) = app.pay_with_card(order, DECLINED).await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(answer["error"]["type"], "card_error");
    assert_eq!(answer["error"]["message"], "Your card was declined.");
    app.webhooks_delivered().await;
    assert_eq!(app.order_status(order).await, "failed");
    let html = app.payment_form(order).await.html;
    assert!(
        html.contains("Your card was declined."),
        "the pay page says why"
    );

    let (_, answer) = app.pay_with_card(order, INSUFFICIENT_FUNDS).await;
    assert_eq!(
        answer["error"]["message"],
        "Your card has insufficient funds."
    );

    let (status, intent) = app.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(intent["status"], "succeeded");
    app.webhooks_delivered().await;
    assert_eq!(app.order_status(order).await, "paid");
}

#[tokio::test]
async fn a_failed_payment_sends_the_shopper_back_to_pay_with_stripes_message() {
    let app = guest_with_cart().await;
    let order = app.checkout("ada@example.com").await;
    app.pay_with_card(order, DECLINED).await;
    let response = app.return_from_stripe(order).await;
    assert_eq!(location(&response), format!("/orders/{order}/pay"));
    let html = app.get_html(&format!("/orders/{order}/pay")).await;
    assert!(html.contains("Your card was declined."));
}

#[tokio::test]
async fn three_d_secure_completed_pays_the_order() {
    let app = guest_with_cart().await;
    let order = app.checkout("ada@example.com").await;
    let (status, intent) = app.pay_with_card(order, THREE_D_SECURE).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(intent["status"], "requires_action");
    app.webhooks_delivered().await;
    assert_eq!(app.order_status(order).await, "requires_action");

    let back_to_shop = app.answer_challenge(&intent, "complete").await;
    assert!(back_to_shop.starts_with(&format!("{}/checkout/return?", app.address)));
    assert!(back_to_shop.contains("redirect_status=succeeded"));
    let response = app.get(back_to_shop.trim_start_matches(&app.address)).await;
    assert_eq!(location(&response), format!("/orders/{order}/thanks"));
    assert_eq!(app.order_status(order).await, "paid");
}

#[tokio::test]
async fn three_d_secure_failed_leaves_the_order_unpaid_with_a_clear_error() {
    let app = guest_with_cart().await;
    let order = app.checkout("ada@example.com").await;
    let (_, intent) = app.pay_with_card(order, THREE_D_SECURE).await;
    let back_to_shop = app.answer_challenge(&intent, "fail").await;
    assert!(back_to_shop.contains("redirect_status=failed"));
    let response = app.get(back_to_shop.trim_start_matches(&app.address)).await;
    assert_eq!(location(&response), format!("/orders/{order}/pay"));
    assert_eq!(app.order_status(order).await, "failed");
    let html = app.get_html(&format!("/orders/{order}/pay")).await;
    // Stripe's message for a failed authentication is written for developers ("The provided
    // PaymentMethod has failed authentication..."): the shopper reads Stripe.js's words.
    assert!(
        html.contains("The last attempt did not go through: We are unable to authenticate your payment method. Please choose a different payment method and try again."),
        "{html}"
    );
    assert!(!html.contains("The provided PaymentMethod"), "{html}");
}

#[tokio::test]
async fn cancelling_releases_the_stock_and_keeps_the_cart() {
    let app = guest_with_cart().await;
    let order = app.checkout("ada@example.com").await;
    assert_eq!(app.stock("ceramic-pour-over-mug").await, 39);
    let intent = app.order_intent(order).await;

    let response = app.submit(&format!("/orders/{order}/cancel"), &[]).await;
    assert_eq!(location(&response), format!("/orders/{order}/cancelled"));
    let html = app.get_html(&format!("/orders/{order}/cancelled")).await;
    assert!(html.contains("Order cancelled"));
    assert!(html.contains("you have not been charged"));

    assert_eq!(app.order_status(order).await, "cancelled");
    assert_eq!(app.stock("ceramic-pour-over-mug").await, 40);
    assert_eq!(app.stock("canvas-tote-bag").await, 75);
    assert_eq!(
        app.cart_rows().await,
        vec![
            ("canvas-tote-bag".into(), 2),
            ("ceramic-pour-over-mug".into(), 1)
        ]
    );
    let retrieved = app.stripe_get(&format!("payment_intents/{intent}")).await;
    assert_eq!(
        retrieved["status"], "canceled",
        "the intent was cancelled at Stripe"
    );

    // A cancelled order cannot be paid any more.
    let response = app.get(&format!("/orders/{order}/pay")).await;
    assert_eq!(location(&response), format!("/orders/{order}"));
}

#[tokio::test]
async fn stripe_failing_on_create_gives_a_clear_message_and_the_retry_makes_one_intent() {
    let app = guest_with_cart().await;
    app.control(
        "failures",
        &[
            ("count", "1"),
            ("status", "500"),
            ("path", "/v1/payment_intents"),
        ],
    )
    .await;
    let response = app
        .submit("/checkout", &[("email", "ada@example.com")])
        .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = text(response).await;
    assert!(html.contains("Payments are unavailable right now"));
    assert!(html.contains("Your cart is safe"));
    assert_eq!(app.cart_rows().await.len(), 2, "the cart is intact");

    // The shopper tries again: the same order continues, and Stripe makes one intent.
    let order = app.checkout("ada@example.com").await;
    let again = app.checkout("ada@example.com").await;
    assert_eq!(
        order, again,
        "checking out the same cart continues the same order"
    );
    assert_eq!(app.order_count().await, 1);
    app.webhooks_delivered().await;
    let created = app
        .stripe_events()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "payment_intent.created")
        .count();
    assert_eq!(created, 1, "exactly one PaymentIntent");
    let (status, _) = app.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn changing_the_cart_after_checkout_replaces_the_open_order() {
    let app = guest_with_cart().await;
    let first = app.checkout("ada@example.com").await;
    app.add_to_cart("linen-notebook", "1").await;
    let second = app.checkout("ada@example.com").await;
    assert_ne!(first, second);
    assert_eq!(app.order_status(first).await, "cancelled");
    assert_eq!(
        app.stock("ceramic-pour-over-mug").await,
        39,
        "reserved once, by the new order"
    );
}

#[tokio::test]
async fn two_shoppers_racing_for_the_last_unit_make_one_order() {
    let app = spawn_app().await;
    let rival = app.another_browser();
    app.add_to_cart("limited-edition-print", "1").await;
    rival.add_to_cart("limited-edition-print", "1").await;
    let (mine, theirs) = tokio::join!(
        app.submit("/checkout", &[("email", "ada@example.com")]),
        rival.submit("/checkout", &[("email", "grace@example.com")]),
    );
    let mut statuses = [mine.status(), theirs.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    let loser = if mine.status() == StatusCode::CONFLICT {
        mine
    } else {
        theirs
    };
    assert!(
        text(loser)
            .await
            .contains("Limited Edition Print just sold out")
    );
    assert_eq!(app.order_count().await, 1);
    assert_eq!(app.stock("limited-edition-print").await, 0);
}

#[tokio::test]
async fn a_signed_in_shopper_sees_the_paid_order_in_my_orders() {
    let app = spawn_app().await;
    app.register("ada@example.com", "correct horse battery")
        .await;
    app.add_to_cart("merino-beanie", "1").await;
    let response = app.submit("/checkout", &[]).await;
    let order = order_id_from(&location(&response));
    app.pay_with_card(order, VISA).await;
    app.webhooks_delivered().await;

    let html = app.get_html("/orders").await;
    assert!(html.contains(&format!("/orders/{order}")));
    assert!(html.contains("$32.00"));
    assert!(html.contains(">Paid<"));
    let html = app.get_html(&format!("/orders/{order}")).await;
    assert!(html.contains("Merino Beanie"));

    // The account has a Stripe Customer, made once and used for the intent.
    let intent = app
        .stripe_get(&format!(
            "payment_intents/{}",
            app.order_intent(order).await
        ))
        .await;
    assert!(
        intent["customer"]
            .as_str()
            .is_some_and(|c| c.starts_with("cus_")),
        "{intent}"
    );
}

#[tokio::test]
async fn my_orders_needs_an_account() {
    let app = spawn_app().await;
    let response = app.get("/orders").await;
    assert_eq!(location(&response), "/login?next=%2Forders");
}
