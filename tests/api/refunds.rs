//! Every refund made at Stripe reaches its order — from the webhook, in any order of arrival,
//! even before the order knew it was paid — and a refund that fails later gives the order its
//! money back.

use crate::helpers::{PENDING_REFUND, REFUND_FAILS, VISA, spawn_app};

#[tokio::test]
async fn a_refund_reported_before_the_order_knew_it_was_paid_is_not_lost() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    // The payment's own events are lost: the order still says pending.
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "2")])
        .await;
    app.pay_with_card(order, VISA).await;
    app.webhooks_delivered().await;
    assert_eq!(app.order_status(order).await, "pending");

    // Refunded in full in the Dashboard: charge.refunded and refund.created arrive.
    let intent = app.order_intent(order).await;
    app.control("refunds", &[("payment_intent", &intent)]).await;
    app.webhooks_delivered().await;

    app.wait_for_order(order, ("refunded", 2400, 2400)).await;
    // Either event refunds the order, whichever arrives first (their order is not guaranteed);
    // the amounts above show the refund was counted once.
    let events = app.stripe_events().await;
    let applied: Vec<&str> = events
        .iter()
        .filter(|(type_, outcome)| {
            outcome == "applied" && (type_ == "charge.refunded" || type_ == "refund.created")
        })
        .map(|(type_, _)| type_.as_str())
        .collect();
    assert!(!applied.is_empty(), "{events:?}");
}

#[tokio::test]
async fn a_refund_that_goes_pending_then_fails_gives_the_order_its_money_back() {
    let app = spawn_app().await;
    let order = app
        .paid_order_with_card(
            "ada@example.com",
            "ceramic-pour-over-mug",
            "1",
            PENDING_REFUND,
        )
        .await;
    let intent = app.order_intent(order).await;
    let refund = app.control("refunds", &[("payment_intent", &intent)]).await;
    assert_eq!(refund["status"], "pending");
    app.webhooks_delivered().await;
    // A pending refund counts as refunded, as Stripe counts it.
    app.wait_for_order(order, ("refunded", 2400, 2400)).await;

    let refund_id = refund["id"].as_str().unwrap_or_default();
    let failed = app
        .control(
            "refunds/settle",
            &[("refund", refund_id), ("outcome", "failed")],
        )
        .await;
    assert_eq!(failed["status"], "failed");
    app.webhooks_delivered().await;

    app.wait_for_order(order, ("paid", 2400, 0)).await;
    let events = app.stripe_events().await;
    assert!(
        events.contains(&("refund.failed".into(), "applied".into())),
        "{events:?}"
    );
    let notes = app.order_notes(order).await;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("a refund failed at Stripe")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn a_pending_refund_that_succeeds_keeps_the_order_refunded() {
    let app = spawn_app().await;
    let order = app
        .paid_order_with_card(
            "ada@example.com",
            "ceramic-pour-over-mug",
            "1",
            PENDING_REFUND,
        )
        .await;
    let intent = app.order_intent(order).await;
    let refund = app.control("refunds", &[("payment_intent", &intent)]).await;
    app.webhooks_delivered().await;
    app.control(
        "refunds/settle",
        &[("refund", refund["id"].as_str().unwrap_or_default())],
    )
    .await;
    app.webhooks_delivered().await;
    app.wait_for_order(order, ("refunded", 2400, 2400)).await;
    assert!(
        app.stripe_events()
            .await
            .contains(&("refund.updated".into(), "applied".into()))
    );
}

#[tokio::test]
async fn a_partial_refund_that_succeeded_and_later_failed_leaves_the_order_paid() {
    let app = spawn_app().await;
    let order = app
        .paid_order_with_card(
            "ada@example.com",
            "ceramic-pour-over-mug",
            "1",
            REFUND_FAILS,
        )
        .await;
    let intent = app.order_intent(order).await;
    let refund = app
        .control("refunds", &[("payment_intent", &intent), ("amount", "400")])
        .await;
    assert_eq!(refund["status"], "succeeded");
    app.webhooks_delivered().await;
    app.wait_for_order(order, ("partially_refunded", 2400, 400))
        .await;

    // What the card does: the refund fails later (refund.failed).
    app.control(
        "refunds/settle",
        &[("refund", refund["id"].as_str().unwrap_or_default())],
    )
    .await;
    app.webhooks_delivered().await;
    app.wait_for_order(order, ("paid", 2400, 0)).await;
}

/// Submits the admin order page's refund form as it is offered (a retried request keeps its
/// key); returns the flash the page shows next.
async fn submit_refund_form(
    app: &crate::helpers::TestApp,
    order: uuid::Uuid,
    amount: &str,
) -> String {
    let page = app.get_html(&format!("/admin/orders/{order}")).await;
    let marker = "name=\"key\" value=\"";
    let start = page
        .find(marker)
        .unwrap_or_else(|| panic!("no refund form"))
        + marker.len();
    let key = page[start..start + 36].to_owned();
    let token = crate::helpers::csrf_token_in(&page);
    let response = app
        .post_form(
            &format!("/admin/orders/{order}/refunds"),
            &[("csrf_token", &token), ("key", &key), ("amount", amount)],
        )
        .await;
    assert_eq!(
        crate::helpers::location(&response),
        format!("/admin/orders/{order}"),
        "{}",
        crate::helpers::text(response).await
    );
    app.get_html(&format!("/admin/orders/{order}")).await
}

#[tokio::test]
async fn a_refund_stripe_answered_with_an_error_it_keeps_is_sent_again_under_a_new_key_once() {
    let app = spawn_app().await;
    app.sign_in_as_admin("owner@example.com").await;
    let order = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "1")
        .await;
    // Stripe fails inside the refund and keeps that 500 for the key.
    app.control(
        "failures",
        &[
            ("count", "1"),
            ("mode", "stored"),
            ("path", "/v1/refunds"),
            ("method", "POST"),
        ],
    )
    .await;
    let page = submit_refund_form(&app, order, "10.00").await;
    assert!(page.contains("is not confirmed"), "{page}");

    let page = submit_refund_form(&app, order, "10.00").await;
    assert!(page.contains("Refund of $10.00 sent to Stripe"), "{page}");
    let intent = app.order_intent(order).await;
    let refunds = app
        .stripe_get(&format!("refunds?payment_intent={intent}"))
        .await;
    assert_eq!(
        refunds["data"].as_array().map(Vec::len),
        Some(1),
        "{refunds}"
    );
    app.webhooks_delivered().await;
    app.wait_for_order(order, ("partially_refunded", 2400, 1000))
        .await;
}

#[tokio::test]
async fn a_refund_whose_answer_was_lost_is_sent_again_and_refunds_once() {
    let app = spawn_app().await;
    app.sign_in_as_admin("owner@example.com").await;
    let order = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "1")
        .await;
    app.control(
        "failures",
        &[
            ("count", "1"),
            ("mode", "lost"),
            ("path", "/v1/refunds"),
            ("method", "POST"),
        ],
    )
    .await;
    let page = submit_refund_form(&app, order, "10.00").await;
    assert!(page.contains("is not confirmed"), "{page}");
    let page = submit_refund_form(&app, order, "10.00").await;
    assert!(page.contains("Refund of $10.00 sent to Stripe"), "{page}");
    let intent = app.order_intent(order).await;
    let refunds = app
        .stripe_get(&format!("refunds?payment_intent={intent}"))
        .await;
    assert_eq!(
        refunds["data"].as_array().map(Vec::len),
        Some(1),
        "{refunds}"
    );
}
