//! How many bytes the store keeps per checkout, by component: a measurement, not a check.
//! `CHECKOUTS=4000 cargo test -p stripe-sandbox --lib memory -- --ignored --nocapture`
//!
//! It drives the sandbox as the shop's checkout does (a PaymentIntent create with an
//! idempotency key and the shop's parameters, its `payment_intent.created` delivered to an
//! endpoint that answers 200), then weighs each part of the store by the heap bytes freed when
//! it is dropped.
#![allow(clippy::unwrap_used)]

use std::alloc::System;
use std::net::TcpListener;
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

use crate::{Sandbox, SandboxConfig, WebhookEndpoint};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Heap bytes and blocks live now (a `realloc` already counts in `bytes_allocated` or
/// `bytes_deallocated`).
fn live() -> Heap {
    let s = GLOBAL.stats();
    Heap {
        bytes: s.bytes_allocated as f64 - s.bytes_deallocated as f64,
        blocks: s.allocations as f64 - s.deallocations as f64,
    }
}

#[derive(Clone, Copy)]
struct Heap {
    bytes: f64,
    blocks: f64,
}

impl Heap {
    fn minus(self, other: Heap) -> Heap {
        Heap {
            bytes: self.bytes - other.bytes,
            blocks: self.blocks - other.blocks,
        }
    }

    /// Per checkout: bytes, and the blocks they take (each costs malloc 8-16 bytes more).
    fn per(self, checkouts: usize) -> String {
        let n = checkouts as f64;
        format!("{:.0} B in {:.1} blocks", self.bytes / n, self.blocks / n)
    }
}

/// Heap freed by dropping `value`.
fn weigh<T>(value: T) -> Heap {
    let before = live();
    drop(value);
    before.minus(live())
}

const SECRET: &str = "sk_test_sandbox_memory_0123456789abcdef";

/// The form async-stripe sends for the shop's `create_intent` (src/payments/stripe/client.rs).
fn checkout_form(n: usize) -> String {
    let order = uuid::Uuid::new_v4().to_string();
    let number = (100_000 + n).to_string();
    serde_urlencoded::to_string([
        ("amount", "4599".to_string()),
        ("currency", "eur".to_string()),
        ("description", format!("Storefront order #{number}")),
        ("metadata[order_id]", order),
        ("metadata[order_number]", number),
        ("receipt_email", format!("shopper{n}@example.com")),
        ("shipping[address][city]", "Lyon".to_string()),
        ("shipping[address][country]", "FR".to_string()),
        (
            "shipping[address][line1]",
            "12 rue de la République".to_string(),
        ),
        ("shipping[address][postal_code]", "69002".to_string()),
        ("shipping[name]", "Ada Lovelace".to_string()),
    ])
    .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run it alone with --ignored --nocapture"]
async fn retained_bytes_per_checkout() {
    let checkouts: usize = std::env::var("CHECKOUTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4000);
    let warm_up = 50;

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let receiver = HttpServer::new(|| {
        App::new().route(
            "/webhooks",
            web::post().to(|| async { HttpResponse::Ok().finish() }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(receiver);

    let sandbox = Sandbox::new(SandboxConfig {
        secret_key: SECRET.into(),
        webhook_endpoints: vec![WebhookEndpoint {
            url: format!("http://127.0.0.1:{port}/webhooks"),
            secret: "whsec_memory".into(),
        }],
        ..SandboxConfig::default()
    });
    let server = sandbox.bind("127.0.0.1:0").unwrap();
    let url = format!("{}v1/payment_intents", server.url());
    tokio::spawn(server.run());
    let shared = sandbox.shared().clone();
    let http = reqwest::Client::new();
    let installation = uuid::Uuid::new_v4();

    let settle = || async {
        while shared.lock().outbox.pending() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let mut live_after_warm_up = live();
    for n in 0..checkouts {
        if n == warm_up {
            settle().await;
            live_after_warm_up = live();
        }
        let response = http
            .post(&url)
            .bearer_auth(SECRET)
            .header(
                "Idempotency-Key",
                format!(
                    "storefront-{installation}-order-{}-intent-1",
                    uuid::Uuid::new_v4()
                ),
            )
            .header("Stripe-Version", crate::versions::pinned())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(checkout_form(n))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.bytes().await.unwrap();
    }
    settle().await;
    let retained = live().minus(live_after_warm_up);

    let mut store = shared.lock();
    assert_eq!(store.intents.len(), checkouts);
    let intents = weigh(std::mem::take(&mut store.intents));
    // An answer shares its text with the event of its request: it is weighed with the event.
    let answers = weigh(std::mem::take(&mut store.idempotency));
    let events = weigh((
        std::mem::take(&mut store.events),
        std::mem::take(&mut store.event_index),
    ));
    let log = weigh(std::mem::take(&mut store.outbox.log));
    drop(store);
    println!(
        "{checkouts} checkouts, per checkout: retained {} (after the first {warm_up}); \
         intents {}, events {}, answers {}, delivery log {}",
        retained.per(checkouts - warm_up),
        intents.per(checkouts),
        events.per(checkouts),
        answers.per(checkouts),
        log.per(checkouts),
    );
}
