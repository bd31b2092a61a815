//! Every dispute made at Stripe reaches its order: the admin sees it disputed (timeline,
//! dashboard count, amount at stake), and won or lost is recorded.

use crate::helpers::{DISPUTED, TestApp, spawn_app, spawn_app_with};

async fn decide(app: &TestApp, dispute: &str, evidence: &str) {
    app.stripe_post(
        &format!("disputes/{dispute}"),
        &[("evidence[uncategorized_text]", evidence)],
    )
    .await;
    app.webhooks_delivered().await;
}

async fn open_dispute(app: &TestApp, order: uuid::Uuid) -> String {
    let intent = app.order_intent(order).await;
    let dispute = app
        .control("disputes", &[("payment_intent", &intent)])
        .await;
    app.webhooks_delivered().await;
    dispute["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_disputed_order_shows_in_the_admin_and_a_won_dispute_puts_it_back() {
    let app = spawn_app().await;
    app.sign_in_as_admin("owner@example.com").await;
    let order = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "1")
        .await;
    let dispute = open_dispute(&app, order).await;
    app.wait_for_status(order, "disputed").await;

    let dashboard = app.get_html("/admin").await;
    assert!(
        dashboard.contains("data-status=\"disputed\""),
        "a row for disputed orders"
    );
    assert!(
        dashboard.contains("1</strong> order is disputed"),
        "{dashboard}"
    );
    assert!(
        dashboard.contains("data-testid=\"at-stake\">$24.00<"),
        "{dashboard}"
    );
    let page = app.get_html(&format!("/admin/orders/{order}")).await;
    assert!(
        page.contains("data-testid=\"order-status\">Disputed<"),
        "{page}"
    );
    assert!(page.contains(&dispute));
    assert!(
        page.contains("Dispute of $24.00: needs a response"),
        "{page}"
    );
    assert!(
        page.contains("disputed by the cardholder&#39;s bank: $24.00 at stake (fraudulent)"),
        "{page}"
    );

    decide(&app, &dispute, "winning_evidence").await;
    app.wait_for_status(order, "paid").await;
    let page = app.get_html(&format!("/admin/orders/{order}")).await;
    assert!(page.contains("Dispute of $24.00: won"), "{page}");
    let events = app.order_events(order).await;
    assert!(events.contains(&(
        Some("disputed".into()),
        "paid".into(),
        true,
        "webhook".into()
    )));
    assert!(app.get_html("/admin").await.contains("No open disputes."));
}

#[tokio::test]
async fn a_lost_dispute_is_recorded_and_a_won_one_returns_where_the_refunds_say() {
    let app = spawn_app().await;
    let lost = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "1")
        .await;
    let dispute = open_dispute(&app, lost).await;
    app.wait_for_status(lost, "disputed").await;
    decide(&app, &dispute, "losing_evidence").await;
    app.wait_for_status(lost, "dispute_lost").await;
    let notes = app.order_notes(lost).await;
    assert!(
        notes.iter().any(|n| n.contains("dispute lost")),
        "{notes:?}"
    );

    let refunded = app
        .paid_order("grace@example.com", "canvas-tote-bag", "1")
        .await;
    let intent = app.order_intent(refunded).await;
    app.control("refunds", &[("payment_intent", &intent), ("amount", "500")])
        .await;
    app.webhooks_delivered().await;
    app.wait_for_status(refunded, "partially_refunded").await;
    let intent = app.order_intent(refunded).await;
    let dispute = app
        .control(
            "disputes",
            &[("payment_intent", &intent), ("amount", "1350")],
        )
        .await;
    app.webhooks_delivered().await;
    app.wait_for_status(refunded, "disputed").await;
    decide(
        &app,
        dispute["id"].as_str().unwrap_or_default(),
        "winning_evidence",
    )
    .await;
    app.wait_for_order(refunded, ("partially_refunded", 1850, 500))
        .await;
}

#[tokio::test]
async fn a_dispute_test_card_is_disputed_through_the_shop() {
    let app = spawn_app().await;
    app.add_to_cart("merino-beanie", "1").await;
    let order = app.checkout("ada@example.com").await;
    let (status, _) = app.pay_with_card(order, DISPUTED).await;
    assert_eq!(
        status,
        reqwest::StatusCode::OK,
        "the payment itself succeeds"
    );
    app.webhooks_delivered().await;
    app.wait_for_status(order, "disputed").await;
    let events = app.order_events(order).await;
    assert!(events.contains(&(
        Some("paid".into()),
        "disputed".into(),
        true,
        "webhook".into()
    )));
}

#[tokio::test]
async fn a_dispute_whose_webhooks_were_all_lost_reaches_the_order_through_the_reconciler() {
    let app = spawn_app_with(&[
        ("RECONCILE_INTERVAL_SECS", "1"),
        ("RECONCILE_AFTER_SECS", "1"),
    ])
    .await;
    let order = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "1")
        .await;
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "100")])
        .await;
    let dispute = open_dispute(&app, order).await;
    app.wait_for_status(order, "disputed").await;
    decide(&app, &dispute, "winning_evidence").await;
    app.wait_for_status(order, "paid").await;
    assert!(
        !app.stripe_events()
            .await
            .iter()
            .any(|(kind, _)| kind.starts_with("charge.dispute")),
        "no dispute webhook arrived"
    );
}
