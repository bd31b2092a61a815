//! Webhook delivery: each event is POSTed to every endpoint, signed with the endpoint's
//! secret, by one background task per endpoint that has up to [`IN_FLIGHT`] deliveries out at
//! once, started in event order. As with Stripe, they may arrive in another order. (One at a
//! time, an endpoint slower than the events queued every payload in memory: a checkout load
//! left thousands waiting.) A non-2xx or
//! unreachable endpoint is retried on the outbox's schedule (3 retries, 1 minute to 1 hour
//! apart, as Stripe's test mode retries a few times over hours; a test control compresses it).
//! The events wait in the store's outbox (`store/outbox.rs`), whose test mode can drop,
//! duplicate or reorder the next deliveries.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc};

use crate::ids::{now, now_ms};
use crate::store::SharedStore;
use crate::store::outbox::{Delivery, LogEntry, Unstarted};

/// How long a held (reordered) event waits for a next one before it is sent anyway.
pub const HOLD_RELEASE: Duration = Duration::from_millis(500);

/// Deliveries to one endpoint under way at the same time. Stripe does not hold an endpoint's
/// events back for one another; with 8, a checkout load of 64 connections queued half of its
/// `payment_intent.created` events until after the load, so the endpoint was spared work it
/// gets from Stripe.
pub const IN_FLIGHT: usize = 32;

pub const USER_AGENT: &str = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";

/// Starts the delivery task of every endpoint that has none, on the current tokio runtime
/// (none runs outside one).
pub fn start_workers(store: &Arc<SharedStore>, http: &reqwest::Client) {
    if tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    let unstarted = store.lock().outbox.take_unstarted();
    for u in unstarted {
        tokio::spawn(run_worker(store.clone(), http.clone(), u));
    }
}

async fn run_worker(store: Arc<SharedStore>, http: reqwest::Client, u: Unstarted) {
    let Unstarted {
        index,
        url,
        secret,
        mut rx,
        tx,
    } = u;
    let endpoint = Arc::new(Endpoint {
        store,
        http,
        index,
        url,
        secret,
        tx,
    });
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut held: Option<Delivery> = None;
    loop {
        let next = if held.is_some() {
            match tokio::time::timeout(HOLD_RELEASE, rx.recv()).await {
                Ok(next) => next,
                Err(_) => {
                    if let Some(h) = held.take() {
                        endpoint.deliver(h).await;
                    }
                    continue;
                }
            }
        } else {
            rx.recv().await
        };
        let Some(delivery) = next else { break };
        if delivery.hold && held.is_none() {
            held = Some(delivery);
            continue;
        }
        if let Some(h) = held.take() {
            // A reordered pair (test mode): the held event goes once the next has arrived.
            endpoint.deliver(delivery).await;
            endpoint.deliver(h).await;
            continue;
        }
        // The semaphore is never closed.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let endpoint = endpoint.clone();
        tokio::spawn(async move {
            endpoint.deliver(delivery).await;
            drop(slot);
        });
    }
}

/// What a delivery to one endpoint needs.
struct Endpoint {
    store: Arc<SharedStore>,
    http: reqwest::Client,
    index: usize,
    url: Arc<str>,
    secret: String,
    tx: mpsc::UnboundedSender<Delivery>,
}

impl Endpoint {
    async fn deliver(&self, delivery: Delivery) {
        deliver(
            &self.store,
            &self.http,
            self.index,
            &self.url,
            &self.secret,
            delivery,
            &self.tx,
        )
        .await;
    }
}

async fn deliver(
    store: &SharedStore,
    http: &reqwest::Client,
    index: usize,
    url: &Arc<str>,
    secret: &str,
    delivery: Delivery,
    tx: &mpsc::UnboundedSender<Delivery>,
) {
    let header =
        stripe_webhook::Webhook::generate_test_header(&delivery.payload, secret, Some(now()));
    let result = http
        .post(&**url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .header(reqwest::header::USER_AGENT, USER_AGENT)
        .header("Stripe-Signature", header)
        .body(delivery.payload.to_string())
        .send()
        .await;
    let (status, error) = match result {
        Ok(response) => (Some(response.status().as_u16()), None),
        Err(e) => (None, Some(describe(&e))),
    };
    let ok = status.is_some_and(|s| (200..300).contains(&s));
    let retry_after = store.lock().outbox.retry_delay(delivery.attempt);
    let last = retry_after.is_none();
    if !ok {
        tracing::debug!(
            event_id = %delivery.event_id,
            endpoint = %url,
            attempt = delivery.attempt,
            status = ?status,
            error = ?error,
            "sandbox webhook delivery failed"
        );
    }
    let outcome = match (ok, last) {
        (true, _) => "delivered",
        (false, false) => "retry_scheduled",
        (false, true) => "failed",
    };
    {
        let mut store = store.lock();
        store.outbox.record(LogEntry {
            event_id: delivery.event_id.clone(),
            event_type: delivery.event_type.clone(),
            endpoint: url.clone(),
            attempt: delivery.attempt,
            status,
            error,
            outcome,
            at_ms: now_ms(),
        });
        if ok || last {
            let first_ack = store
                .outbox
                .finish(ok.then_some((delivery.event_id.as_str(), index)));
            if first_ack && let Some(event) = store.event_mut(&delivery.event_id) {
                event.pending_webhooks = (event.pending_webhooks - 1).max(0);
            }
        }
    }
    if let (false, Some(delay)) = (ok, retry_after) {
        let tx = tx.clone();
        let retry = Delivery {
            attempt: delivery.attempt + 1,
            hold: false,
            ..delivery
        };
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            // The queue lives as long as the sandbox; if it is gone there is no one to tell.
            let _ = tx.send(retry);
        });
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        "request failed".into()
    }
}
