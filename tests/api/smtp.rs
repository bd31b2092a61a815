//! With `SMTP_URL`, emails go to a real SMTP server (Python's aiosmtpd, started by each test on
//! a free port): sent once, tried again with growing waits while the server is down, failed
//! for the owner to see and send again, and sent once by two servers sharing one database.

use reqwest::StatusCode;

use crate::helpers::{SmtpSink, TestApp, VISA, spawn_app_with};

const FROM: &str = "Storefront <shop@storefront.test>";

async fn shop_sending_to(sink: &SmtpSink, extra: &[(&str, &str)]) -> TestApp {
    let url = sink.url();
    let mut settings = vec![("SMTP_URL", url.as_str()), ("MAIL_FROM", FROM)];
    settings.extend_from_slice(extra);
    spawn_app_with(&settings).await
}

/// Asks for a password reset for a new account: one email, written at once.
async fn reset_email_for(app: &TestApp, email: &str) {
    let shopper = app.another_browser();
    assert_eq!(
        shopper
            .register(email, "correct horse battery")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let response = app
        .another_browser()
        .submit("/password/forgot", &[("email", email)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn with_smtp_url_the_confirmation_goes_to_the_smtp_server_and_no_mailbox_is_served() {
    let sink = SmtpSink::start().await;
    let app = shop_sending_to(&sink, &[]).await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    app.pay_with_card(order, VISA).await;
    app.webhooks_delivered().await;
    app.wait_for_status(order, "paid").await;

    let received = sink.wait_for(1).await;
    let mail = &received[0];
    assert_eq!(mail.to, "ada@example.com");
    assert!(mail.subject.ends_with("is confirmed"), "{}", mail.subject);
    assert!(mail.text.contains("Ceramic Pour-Over Mug") && mail.text.contains("$24.00"));
    assert!(mail.html.contains("See your order"));
    assert!(
        mail.text
            .contains(&format!("{}/orders/{order}", app.address))
    );
    assert!(
        mail.message_id.ends_with("@storefront.test>"),
        "{}",
        mail.message_id
    );
    mail.assert_no_secrets();
    // The server answers once it has the message; the outbox says so a moment later.
    let rows = app
        .wait_for_outbox("the confirmation sent", |rows| {
            rows.iter()
                .any(|r| r.kind == "order_confirmation" && r.status == "sent")
        })
        .await;
    assert_eq!(rows[0].attempts, 1);

    // Nothing is caught, and there is no mailbox to read.
    assert!(app.mailbox().await.is_empty());
    assert_eq!(
        app.get("/_sandbox/mail").await.status(),
        StatusCode::NOT_FOUND
    );
    let thanks = app.get_html(&format!("/orders/{order}/thanks")).await;
    assert!(thanks.contains("A confirmation email is on its way to ada@example.com."));
    assert!(!thanks.contains("mailbox"));
}

#[tokio::test]
async fn while_the_smtp_server_is_down_an_email_is_tried_again_waiting_longer_each_time() {
    let mut sink = SmtpSink::start().await;
    let app = shop_sending_to(
        &sink,
        &[("MAIL_RETRY_SECS", "1"), ("MAIL_RETRY_MAX_SECS", "4")],
    )
    .await;
    sink.stop();
    reset_email_for(&app, "ada@example.com").await;

    // Each failed attempt leaves the email pending, with a longer wait before the next.
    let mut waits = Vec::new();
    for attempts in 1..=3 {
        let rows = app
            .wait_for_outbox(&format!("{attempts} failed attempts"), |rows| {
                rows.iter()
                    .any(|r| r.status == "pending" && r.attempts == attempts)
            })
            .await;
        assert!(
            rows[0]
                .last_error
                .as_deref()
                .is_some_and(|e| e.to_lowercase().contains("connect")),
            "{rows:?}"
        );
        waits.push(app.wait_before_next_try(rows[0].id).await);
    }
    assert!(
        waits[0] < waits[1] && waits[1] < waits[2],
        "the waits grow: {waits:?}"
    );
    assert!(sink.messages().is_empty());

    sink.restart().await;
    let received = sink.wait_for(1).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].subject, "Reset your Storefront password");
    let rows = app
        .wait_for_outbox("the email sent", |rows| rows[0].status == "sent")
        .await;
    assert!(rows[0].attempts >= 4, "{rows:?}");
}

#[tokio::test]
async fn an_email_that_fails_every_attempt_is_shown_to_the_owner_who_sends_it_again() {
    let mut sink = SmtpSink::start().await;
    let app = shop_sending_to(
        &sink,
        &[
            ("MAIL_RETRY_SECS", "1"),
            ("MAIL_RETRY_MAX_SECS", "1"),
            ("MAIL_MAX_ATTEMPTS", "2"),
        ],
    )
    .await;
    app.sign_in_as_admin("owner@example.com").await;
    sink.stop();
    reset_email_for(&app, "ada@example.com").await;
    let rows = app
        .wait_for_outbox("a failed email", |rows| {
            rows.iter().any(|r| r.status == "failed")
        })
        .await;
    let failed = rows
        .iter()
        .find(|r| r.status == "failed")
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(failed.attempts, 2);

    let page = app.get_html("/admin/emails?status=failed").await;
    let row = page
        .split(&format!(r#"data-email="{}""#, failed.id))
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("the failed email is not listed: {page}"));
    assert!(row.contains("Reset your Storefront password"), "{row}");
    assert!(row.contains("ada@example.com"));
    assert!(row.contains("<td>2</td>"), "two attempts: {row}");
    assert!(
        row.to_lowercase().contains("connect"),
        "the last error: {row}"
    );
    assert!(row.contains("Send again"));
    assert!(
        !page.contains("/password/reset?token="),
        "no reset link on the owner's page"
    );

    sink.restart().await;
    let response = app
        .submit(&format!("/admin/emails/{}/retry", failed.id), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let received = sink.wait_for(1).await;
    assert_eq!(received[0].to, "ada@example.com");
    app.wait_for_outbox("the email sent", |rows| {
        rows.iter().all(|r| r.status == "sent")
    })
    .await;
    let page = app.get_html("/admin/emails").await;
    assert!(page.contains(r#"data-status="sent""#));
}

#[tokio::test]
async fn an_address_the_smtp_server_refuses_for_good_is_failed_at_once() {
    let sink = SmtpSink::start_refusing("nobody-here").await;
    let app = shop_sending_to(&sink, &[("MAIL_RETRY_SECS", "1")]).await;
    reset_email_for(&app, "nobody-here@example.com").await;
    let rows = app
        .wait_for_outbox("a failed email", |rows| {
            rows.iter().any(|r| r.status == "failed")
        })
        .await;
    assert_eq!(rows[0].attempts, 1, "no retry after a 550: {rows:?}");
    assert!(
        rows[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("550")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn two_servers_on_one_database_send_each_email_once() {
    let sink = SmtpSink::start().await;
    let first = shop_sending_to(&sink, &[]).await;
    let second = shop_sending_to(&sink, &[("DATABASE_URL", &first.database_url)]).await;
    assert_ne!(first.address, second.address);

    // Forty emails become due at once, as a burst of orders would make them.
    const COUNT: usize = 40;
    {
        use diesel_async::AsyncConnection;
        use diesel_async::scoped_futures::ScopedFutureExt;
        let mut conn = first.conn().await;
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            async move {
                for n in 0..COUNT {
                    let recipient = format!("shopper{n}@example.com");
                    storefront::outbox::enqueue(
                        conn,
                        &storefront::outbox::NewMail {
                            key: format!("burst:{n}"),
                            kind: storefront::outbox::Kind::PasswordReset,
                            recipient: &recipient,
                            order_id: None,
                            facts: serde_json::json!({}),
                            written: Some(storefront::outbox::Written {
                                subject: format!("Message {n}"),
                                text: format!("Message {n}"),
                                html: format!("<p>Message {n}</p>"),
                            }),
                            send_after: None,
                        },
                    )
                    .await?;
                }
                Ok(())
            }
            .scope_boxed()
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    }

    let received = sink.wait_for(COUNT).await;
    // Time for any second sending to show.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let received = if sink.messages().len() > received.len() {
        sink.messages()
    } else {
        received
    };
    assert_eq!(received.len(), COUNT, "each email arrived once");
    let mut subjects: Vec<String> = received.iter().map(|m| m.subject.clone()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), COUNT);
    let rows = first.outbox().await;
    assert!(
        rows.iter().all(|r| r.status == "sent" && r.attempts == 1),
        "{rows:?}"
    );
    let mut workers: Vec<_> = rows.iter().filter_map(|r| r.claimed_by).collect();
    workers.sort();
    workers.dedup();
    assert_eq!(workers.len(), 2, "both servers sent some of them");
}

#[tokio::test]
async fn the_owners_list_of_emails_is_for_admins_only() {
    let sink = SmtpSink::start().await;
    let app = shop_sending_to(&sink, &[]).await;
    let response = app.get("/admin/emails").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    app.register("ada@example.com", "correct horse battery")
        .await;
    let response = app.get("/admin/emails").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app.submit("/admin/emails/1/retry", &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
