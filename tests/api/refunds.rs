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
    let events = app.stripe_events().await;
    assert!(
        events.contains(&("charge.refunded".into(), "applied".into())),
        "{events:?}"
    );
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
