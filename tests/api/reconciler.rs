use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use storefront::schema::orders;
use time::OffsetDateTime;

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

#[tokio::test]
async fn a_backlog_of_orders_that_never_change_does_not_starve_a_newer_one() {
    let app = spawn_app_with(&FAST_RECONCILER).await;
    // 150 abandoned orders whose intents Stripe cannot find: looking at them never changes
    // anything, and they are older than everything else.
    diesel::sql_query(
        "INSERT INTO orders (id, email, currency, total_minor, payment_intent_id, \
                             reserved_until, created_at, updated_at) \
         SELECT gen_random_uuid(), 'gone@example.com', 'usd', 2400, 'pi_gone_' || n, \
                now() + interval '1 hour', now() - interval '1 hour', now() - interval '1 hour' \
         FROM generate_series(1, 150) AS n",
    )
    .execute(&mut app.conn().await)
    .await
    .unwrap_or_else(|e| panic!("{e}"));

    // A newer order whose webhooks are lost.
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "100")])
        .await;
    app.pay_with_card(order, VISA).await;

    app.wait_for_status(order, "paid").await;
    // The abandoned ones are looked at less and less often.
    let backed_off: i64 = orders::table
        .filter(orders::email.eq("gone@example.com"))
        .filter(orders::checks.ge(1))
        .count()
        .get_result(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(backed_off, 150);
}

#[tokio::test]
async fn a_refund_whose_webhooks_were_all_lost_reaches_the_paid_order() {
    let app = spawn_app_with(&FAST_RECONCILER).await;
    let order = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "1")
        .await;
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "100")])
        .await;
    let intent = app.order_intent(order).await;
    app.control("refunds", &[("payment_intent", &intent), ("amount", "900")])
        .await;
    assert!(
        !app.stripe_events()
            .await
            .iter()
            .any(|(kind, _)| kind.starts_with("charge.refund") || kind.starts_with("refund.")),
        "no refund webhook arrived"
    );
    app.wait_for_order(order, ("partially_refunded", 2400, 900))
        .await;
    let events = app.order_events(order).await;
    assert!(events.contains(&(
        Some("paid".into()),
        "partially_refunded".into(),
        true,
        "reconciler".into()
    )));
}

#[tokio::test]
async fn an_order_that_never_changes_is_looked_at_less_often_up_to_the_longest_wait() {
    let app = spawn_app_with(&[
        ("RECONCILE_INTERVAL_SECS", "1"),
        ("RECONCILE_AFTER_SECS", "1"),
        ("RECONCILE_MAX_BACKOFF_SECS", "3"),
    ])
    .await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    let mut waits = Vec::new();
    for _ in 0..60 {
        let (checks, checked_at, next): (i32, Option<OffsetDateTime>, Option<OffsetDateTime>) =
            orders::table
                .find(order)
                .select((orders::checks, orders::checked_at, orders::next_check_at))
                .first(&mut app.conn().await)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        if let (Some(at), Some(next)) = (checked_at, next)
            && checks > 0
            && waits.last().is_none_or(|(c, _)| *c != checks)
        {
            waits.push((checks, (next - at).whole_milliseconds()));
        }
        if checks >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(waits.len() >= 2, "{waits:?}");
    let (first, last) = (waits[0].1, waits[waits.len() - 1].1);
    assert!(last > first, "the wait grows: {waits:?}");
    assert!(
        last <= 3_100,
        "never longer than the longest wait: {waits:?}"
    );
    assert_eq!(app.order_status(order).await, "pending");
}

#[tokio::test]
async fn a_paid_order_is_watched_for_refunds_for_a_bounded_time() {
    let app = spawn_app_with(&[
        ("RECONCILE_INTERVAL_SECS", "1"),
        ("RECONCILE_AFTER_SECS", "1"),
        ("RECONCILE_WATCH_SECS", "2"),
    ])
    .await;
    let order = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "1")
        .await;
    let watched = || async {
        orders::table
            .find(order)
            .select(orders::next_check_at)
            .first::<Option<OffsetDateTime>>(&mut app.conn().await)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_some()
    };
    assert!(watched().await, "watched right after the payment");
    for _ in 0..60 {
        if !watched().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the paid order is still watched after RECONCILE_WATCH_SECS");
}

#[tokio::test]
async fn an_order_whose_intent_stripe_cannot_find_expires_on_time_and_releases_its_stock() {
    let mut settings = FAST_RECONCILER.to_vec();
    settings.push(("RESERVATION_SECS", "2"));
    let app = spawn_app_with(&settings).await;
    app.add_to_cart("limited-edition-print", "1").await;
    let order = app.checkout("ada@example.com").await;
    // The shop's Stripe keys changed (or its test data was deleted): Stripe answers 404.
    diesel::update(orders::table.find(order))
        .set(orders::payment_intent_id.eq("pi_unknown_to_this_account"))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(app.stock("limited-edition-print").await, 0);

    app.wait_for_status(order, "cancelled").await;
    assert_eq!(app.stock("limited-edition-print").await, 1);
    let notes = app.order_notes(order).await;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("cannot be found at Stripe")),
        "{notes:?}"
    );
}
