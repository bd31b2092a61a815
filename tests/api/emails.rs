//! The shop's emails, as a shopper finds them in the mailbox of a shop without SMTP: the order
//! confirmation (once, whoever reports the payment), the failed-payment and refund notices, and
//! the outbox's handling of an interrupted send.

use reqwest::StatusCode;

use crate::helpers::{
    DECLINED, VISA, spawn_app, spawn_app_with, spawn_app_with_standalone_sandbox, text,
};

#[tokio::test]
async fn a_paid_order_sends_a_confirmation_with_its_items_total_and_a_link_that_opens_it() {
    let app = spawn_app().await;
    let order = app
        .paid_order("guest@example.com", "ceramic-pour-over-mug", "2")
        .await;
    let number = app.order_number(order).await;

    let mail = app
        .wait_for_mail(
            "guest@example.com",
            &format!("Your order #{number} is confirmed"),
        )
        .await;
    for body in [&mail.text, &mail.html] {
        assert!(body.contains("Ceramic Pour-Over Mug"), "{body}");
        assert!(body.contains("$48.00"), "the total: {body}");
    }
    assert!(mail.text.contains("× 2 at $24.00"), "{}", mail.text);
    mail.assert_no_secrets();
    assert!(
        mail.message_id.ends_with("@localhost>"),
        "{}",
        mail.message_id
    );

    // The guest opens the link in another browser: it shows the order.
    let link = mail.link(&format!("{}/orders/", app.address));
    assert_eq!(link, format!("{}/orders/{order}", app.address));
    let stranger = app.another_browser();
    let page = stranger
        .get_html(link.trim_start_matches(&app.address))
        .await;
    assert!(page.contains(&format!("Order #{number}")));

    // The mailbox shows it in the browser: the list, the email, its HTML on its own.
    let list = app.get_html("/_sandbox/mail").await;
    assert!(list.contains(&mail.subject), "{list}");
    let id = app.mailbox_ids().await[0];
    let shown = app.get_html(&format!("/_sandbox/mail/{id}")).await;
    assert!(
        shown.contains(&format!(r#"<a href="{link}">{link}</a>"#)),
        "{shown}"
    );
    let html = app.get(&format!("/_sandbox/mail/{id}/html")).await;
    assert_eq!(html.status(), StatusCode::OK);
    let csp = html
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(text(html).await.contains("See your order"));

    let written = app.outbox_of_kind("order_confirmation").await;
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].status, "sent");
}

#[tokio::test]
async fn doubled_webhooks_and_the_return_page_write_one_confirmation_between_them() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    app.control("webhooks/mode", &[("mode", "duplicate"), ("count", "20")])
        .await;
    app.pay_with_card(order, VISA).await;
    let back = app.return_from_stripe(order).await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    app.webhooks_delivered().await;
    app.return_from_stripe(order).await;
    app.wait_for_status(order, "paid").await;
    app.wait_for_mail("ada@example.com", "is confirmed").await;
    // The webhook's events were really delivered more than once.
    let doubled = app
        .webhook_log()
        .await
        .iter()
        .filter(|d| d["event_type"] == "payment_intent.succeeded" && d["outcome"] == "delivered")
        .count();
    assert!(doubled >= 2, "{doubled}");

    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let confirmations = app.outbox_of_kind("order_confirmation").await;
    assert_eq!(confirmations.len(), 1, "{confirmations:?}");
    assert_eq!(confirmations[0].order_id, Some(order));
    assert_eq!(app.mailbox().await.len(), 1);
}

#[tokio::test]
async fn an_order_the_reconciler_finds_paid_is_confirmed_too() {
    let app = spawn_app_with(&[
        ("RECONCILE_INTERVAL_SECS", "1"),
        ("RECONCILE_AFTER_SECS", "1"),
    ])
    .await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "100")])
        .await;
    app.pay_with_card(order, VISA).await;
    app.wait_for_status(order, "paid").await;
    app.wait_for_mail("ada@example.com", "is confirmed").await;
    assert_eq!(app.outbox_of_kind("order_confirmation").await.len(), 1);
}

#[tokio::test]
async fn a_declined_payment_is_told_later_unless_the_order_is_paid_meanwhile() {
    let app = spawn_app().await;
    // One order declined and left alone.
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let left = app.checkout("left@example.com").await;
    app.pay_with_card(left, DECLINED).await;
    app.webhooks_delivered().await;
    app.wait_for_status(left, "failed").await;
    // Another declined, then paid with another card at once.
    let shopper = app.another_browser();
    shopper.add_to_cart("linen-notebook", "1").await;
    let retried = shopper.checkout("retried@example.com").await;
    shopper.pay_with_card(retried, DECLINED).await;
    app.webhooks_delivered().await;
    app.wait_for_status(retried, "failed").await;
    shopper.pay_with_card(retried, VISA).await;
    app.webhooks_delivered().await;
    app.wait_for_status(retried, "paid").await;

    // Nothing is told at once: the notices wait.
    let failed = app.outbox_of_kind("payment_failed").await;
    assert_eq!(failed.len(), 2, "{failed:?}");
    let status_of = |order| {
        failed
            .iter()
            .find(|row| row.order_id == Some(order))
            .map(|row| row.status.clone())
            .unwrap_or_default()
    };
    assert_eq!(status_of(left), "pending");
    assert_eq!(status_of(retried), "withdrawn");

    // Ten minutes on, the order left alone gets its notice with Stripe's words.
    app.make_waiting_emails_due().await;
    let number = app.order_number(left).await;
    let mail = app
        .wait_for_mail(
            "left@example.com",
            &format!("Your payment for order #{number} did not go through"),
        )
        .await;
    assert!(
        mail.text.contains("Your card was declined."),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("Nothing was charged."), "{}", mail.text);
    mail.assert_no_secrets();
    // The shopper who paid got their confirmation and no failure notice.
    app.wait_for_mail("retried@example.com", "is confirmed")
        .await;
    assert!(
        !app.mailbox()
            .await
            .iter()
            .any(|m| m.to == "retried@example.com" && m.subject.contains("did not go through"))
    );
}

#[tokio::test]
async fn each_refund_is_told_with_its_amount_once() {
    let app = spawn_app().await;
    let order = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "1")
        .await;
    let intent = app.order_intent(order).await;
    app.control("refunds", &[("payment_intent", &intent), ("amount", "400")])
        .await;
    app.webhooks_delivered().await;
    app.wait_for_order(order, ("partially_refunded", 2400, 400))
        .await;
    let first = app
        .wait_for_mail("ada@example.com", "A refund of $4.00")
        .await;
    assert!(
        first.text.contains("We issued a refund of $4.00"),
        "{}",
        first.text
    );
    first.assert_no_secrets();

    app.control("refunds", &[("payment_intent", &intent)]).await;
    app.webhooks_delivered().await;
    app.wait_for_order(order, ("refunded", 2400, 2400)).await;
    let second = app
        .wait_for_mail("ada@example.com", "A refund of $20.00")
        .await;
    assert!(
        second.text.contains("($24.00 refunded in all)"),
        "{}",
        second.text
    );

    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.outbox_of_kind("refund").await.len(), 2);

    // The owner sees on the order's timeline what the shopper was told.
    app.sign_in_as_admin("owner@example.com").await;
    let page = app.get_html(&format!("/admin/orders/{order}")).await;
    assert!(page.contains("Email: Order confirmation (sent)"), "{page}");
    assert_eq!(page.matches("Email: Refund (sent)").count(), 2, "{page}");
}

#[tokio::test]
async fn an_email_whose_server_stopped_mid_send_is_sent_again_and_the_owner_is_told() {
    let app = spawn_app().await;
    let order = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "1")
        .await;
    app.wait_for_mail("ada@example.com", "is confirmed").await;
    // A worker claimed the refund notice, then its server stopped before it said how it went
    // (written in one transaction, so no worker sees it before it looks claimed).
    {
        use diesel_async::scoped_futures::ScopedFutureExt;
        use diesel_async::{AsyncConnection, RunQueryDsl};
        let mut conn = app.conn().await;
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            async move {
                storefront::outbox::enqueue(
                    conn,
                    &storefront::outbox::NewMail {
                        key: format!("refund:{order}:test"),
                        kind: storefront::outbox::Kind::Refund,
                        recipient: "ada@example.com",
                        order_id: Some(order),
                        facts: serde_json::json!({"refunded_minor": 100, "total_refunded_minor": 100}),
                        written: None,
                        send_after: None,
                    },
                )
                .await?;
                diesel::sql_query(
                    "UPDATE outbox SET status = 'sending', attempts = 1, \
                     claimed_by = gen_random_uuid(), lease_until = now() - interval '1 second' \
                     WHERE kind = 'refund'",
                )
                .execute(conn)
                .await?;
                Ok(())
            }
            .scope_boxed()
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    }
    app.wait_for_mail("ada@example.com", "A refund of $1.00")
        .await;
    let rows = app.outbox_of_kind("refund").await;
    assert_eq!(rows[0].status, "sent");
    assert_eq!(rows[0].attempts, 2);
    assert!(
        rows[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("interrupted")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn with_stripe_test_keys_and_no_smtp_the_emails_are_caught_in_the_mailbox_too() {
    let (app, _) = spawn_app_with_standalone_sandbox().await;
    let home = app.get_html("/").await;
    assert!(home.contains("Test mode:"));
    assert!(home.contains(r#"Emails go to the <a href="/_sandbox/mail">mailbox</a>"#));
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    app.pay_with_card(order, VISA).await;
    app.wait_for_status(order, "paid").await;
    let mail = app.wait_for_mail("ada@example.com", "is confirmed").await;
    let list = app.get_html("/_sandbox/mail").await;
    assert!(list.contains(&mail.subject));
}

#[tokio::test]
async fn the_success_page_says_where_the_confirmation_goes() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    app.pay_with_card(order, VISA).await;
    app.webhooks_delivered().await;
    app.wait_for_status(order, "paid").await;
    let page = app.get_html(&format!("/orders/{order}/thanks")).await;
    assert!(
        page.contains("A confirmation email is on its way to ada@example.com"),
        "{page}"
    );
    assert!(page.contains(r#"it arrives in the <a href="/_sandbox/mail">mailbox</a>"#));
    assert!(!page.contains("receipt"), "{page}");
}
