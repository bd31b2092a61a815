use crate::helpers::{VISA, spawn_app_with};

const FAST_RECONCILER: [(&str, &str); 2] = [
    ("RECONCILE_INTERVAL_SECS", "1"),
    ("RECONCILE_AFTER_SECS", "1"),
];

#[tokio::test]
async fn when_the_webhook_is_lost_the_reconciler_makes_the_order_paid() {
    let app = spawn_app_with(&FAST_RECONCILER).await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "100")])
        .await;
    app.pay_with_card(order, VISA).await;
    app.webhooks_delivered().await;

    app.wait_for_status(order, "paid").await;
    let events = app.order_events(order).await;
    assert!(
        events.contains(&(
            Some("pending".into()),
            "paid".into(),
            true,
            "reconciler".into()
        )),
        "{events:?}"
    );
    assert!(
        !app.stripe_events()
            .await
            .iter()
            .any(|(kind, _)| kind == "payment_intent.succeeded"),
        "the success webhook never arrived"
    );
}

#[tokio::test]
async fn an_expired_reservation_is_cancelled_and_its_stock_released() {
    let mut settings = FAST_RECONCILER.to_vec();
    settings.push(("RESERVATION_SECS", "1"));
    let app = spawn_app_with(&settings).await;
    app.add_to_cart("limited-edition-print", "1").await;
    let order = app.checkout("ada@example.com").await;
    assert_eq!(app.stock("limited-edition-print").await, 0);

    app.wait_for_status(order, "cancelled").await;
    assert_eq!(app.stock("limited-edition-print").await, 1);
    let intent = app
        .stripe_get(&format!(
            "payment_intents/{}",
            app.order_intent(order).await
        ))
        .await;
    assert_eq!(intent["status"], "canceled");
}

#[tokio::test]
async fn money_that_arrived_is_never_cancelled_by_an_expiring_reservation() {
    let mut settings = FAST_RECONCILER.to_vec();
    settings.push(("RESERVATION_SECS", "2"));
    let app = spawn_app_with(&settings).await;
    app.add_to_cart("limited-edition-print", "1").await;
    let order = app.checkout("ada@example.com").await;
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "100")])
        .await;
    app.pay_with_card(order, VISA).await;

    app.wait_for_status(order, "paid").await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(app.order_status(order).await, "paid");
    assert_eq!(app.stock("limited-edition-print").await, 0);
}
