//! Stopping the real binary as systemd does (SIGTERM): what is in flight finishes, then the
//! process exits 0.

use std::time::Duration;

use stripe_webhook::Webhook;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{ShopProcess, fresh_database_url, spawn_standalone_stripe, test_app_at};

#[tokio::test]
async fn sigterm_lets_a_webhook_in_flight_finish_and_the_process_exits_cleanly() {
    let stripe = spawn_standalone_stripe().await;
    let database_url = fresh_database_url().await;
    let mut shop = ShopProcess::start(&database_url, &stripe, &[]).await;
    let app = test_app_at(&shop.address, &database_url, &stripe);

    let payload = serde_json::json!({
        "id": "evt_in_flight_at_shutdown",
        "object": "event",
        "api_version": stripe_shared::version::VERSION.as_str(),
        "created": time::OffsetDateTime::now_utc().unix_timestamp(),
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": "storefront.something_new",
        "data": {"object": {"id": "thing_1", "object": "thing"}}
    })
    .to_string();
    let signature = Webhook::generate_test_header(&payload, &stripe.webhook_secret, None);
    let (first_half, second_half) = payload.split_at(payload.len() / 2);

    // A webhook whose body is still arriving when the signal comes.
    let mut delivery = TcpStream::connect(("127.0.0.1", shop.port()))
        .await
        .unwrap_or_else(|e| panic!("connecting to the shop: {e}"));
    let head = format!(
        "POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Stripe-Signature: {signature}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    );
    delivery
        .write_all(format!("{head}{first_half}").as_bytes())
        .await
        .unwrap_or_else(|e| panic!("sending the first half: {e}"));
    tokio::time::sleep(Duration::from_millis(300)).await;

    shop.terminate();
    assert!(
        shop.exited_within(Duration::from_millis(700))
            .await
            .is_none(),
        "the process exited with a request in flight:\n{}",
        shop.log()
    );
    assert!(
        TcpStream::connect(("127.0.0.1", shop.port()))
            .await
            .is_err(),
        "a stopping server still accepts new connections"
    );

    delivery
        .write_all(second_half.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("sending the second half: {e}"));
    let mut answer = String::new();
    delivery
        .read_to_string(&mut answer)
        .await
        .unwrap_or_else(|e| panic!("reading the answer: {e}"));
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "the webhook in flight was not answered: {answer:?}\n{}",
        shop.log()
    );

    let status = shop
        .exited_within(Duration::from_secs(20))
        .await
        .unwrap_or_else(|| panic!("the process did not exit after SIGTERM:\n{}", shop.log()));
    assert!(status.success(), "exit status {status:?}:\n{}", shop.log());
    assert_eq!(
        app.stripe_events().await,
        vec![("storefront.something_new".into(), "unhandled".into())],
        "the webhook in flight was applied before the process ended"
    );
    let log = shop.log();
    assert!(
        log.contains("reconciler stopped") && log.contains("email worker stopped"),
        "the background tasks did not stop cleanly:\n{log}"
    );
}
