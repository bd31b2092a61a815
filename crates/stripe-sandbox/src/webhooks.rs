//! Webhook delivery: each event is POSTed to every endpoint, signed with the endpoint's
//! secret, by one background task per endpoint (first attempts in event order). A non-2xx or
//! unreachable endpoint is retried with exponential backoff, at most [`MAX_ATTEMPTS`] times.
//! The test controls can drop, duplicate or reorder the next deliveries.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, watch};

use super::Shared;
use super::state::{now, now_ms};

/// Attempts per delivery, the first included.
pub const MAX_ATTEMPTS: u32 = 5;
/// Delay before the first retry; doubled for each further one (0.2 s, 0.4 s, 0.8 s, 1.6 s).
pub const FIRST_RETRY_DELAY: Duration = Duration::from_millis(200);
/// How long a held (reordered) event waits for a next one before it is sent anyway.
pub const HOLD_RELEASE: Duration = Duration::from_millis(500);

pub const USER_AGENT: &str = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";

/// What the next deliveries suffer (test control).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Normal,
    /// The event is never sent.
    Drop,
    /// The event is sent twice.
    Duplicate,
    /// The event is held and sent after the next one.
    Reorder,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "normal" => Some(Mode::Normal),
            "drop" => Some(Mode::Drop),
            "duplicate" => Some(Mode::Duplicate),
            "reorder" => Some(Mode::Reorder),
            _ => None,
        }
    }
}

/// One line of the delivery log.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub event_id: String,
    pub event_type: String,
    pub endpoint: String,
    /// 1 for the first attempt; 0 for a dropped event.
    pub attempt: u32,
    /// The endpoint's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why no answer came (connection refused, timeout).
    pub error: Option<String>,
    /// `delivered`, `retry_scheduled`, `failed` (last attempt) or `dropped`.
    pub outcome: &'static str,
    /// Unix time in milliseconds.
    pub at_ms: u128,
}

#[derive(Debug, Clone)]
pub struct Delivery {
    event_id: String,
    event_type: String,
    payload: Arc<String>,
    attempt: u32,
    hold: bool,
}

struct Endpoint {
    url: String,
    secret: String,
    tx: mpsc::UnboundedSender<Delivery>,
    /// Until its worker is started.
    rx: Option<mpsc::UnboundedReceiver<Delivery>>,
}

/// Endpoints, their queues, the delivery log and the webhook test controls.
/// A long-running demo keeps this many delivery log entries, newest last.
const LOG_KEPT: usize = 10_000;

pub struct Webhooks {
    endpoints: Vec<Endpoint>,
    mode: Mode,
    mode_remaining: u32,
    pub log: Vec<LogEntry>,
    /// Deliveries queued, in flight or waiting for a retry.
    pending: watch::Sender<usize>,
    /// (event id, endpoint) acknowledged at least once.
    acknowledged: HashSet<(String, usize)>,
}

impl Default for Webhooks {
    fn default() -> Self {
        Webhooks {
            endpoints: Vec::new(),
            mode: Mode::Normal,
            mode_remaining: 0,
            log: Vec::new(),
            pending: watch::channel(0).0,
            acknowledged: HashSet::new(),
        }
    }
}

/// A worker to start: (endpoint index, url, secret, queue).
pub struct Unstarted {
    index: usize,
    url: String,
    secret: String,
    rx: mpsc::UnboundedReceiver<Delivery>,
    tx: mpsc::UnboundedSender<Delivery>,
}

impl Webhooks {
    /// Appends to the delivery log, forgetting the oldest entries past `LOG_KEPT`.
    fn record(&mut self, entry: LogEntry) {
        self.log.push(entry);
        if self.log.len() > LOG_KEPT + LOG_KEPT / 5 {
            let excess = self.log.len() - LOG_KEPT;
            self.log.drain(..excess);
        }
    }

    pub fn add_endpoint(&mut self, url: String, secret: String) {
        let (tx, rx) = mpsc::unbounded_channel();
        self.endpoints.push(Endpoint {
            url,
            secret,
            tx,
            rx: Some(rx),
        });
    }

    pub fn endpoint_count(&self) -> usize {
        self.endpoints.len()
    }

    pub fn endpoint_urls(&self) -> Vec<String> {
        self.endpoints.iter().map(|e| e.url.clone()).collect()
    }

    pub fn set_mode(&mut self, mode: Mode, count: u32) {
        self.mode = mode;
        self.mode_remaining = if mode == Mode::Normal { 0 } else { count };
    }

    /// (mode, remaining count).
    pub fn mode(&self) -> (Mode, u32) {
        (self.mode, self.mode_remaining)
    }

    pub fn pending(&self) -> usize {
        *self.pending.borrow()
    }

    pub fn subscribe_pending(&self) -> watch::Receiver<usize> {
        self.pending.subscribe()
    }

    /// Queues one event for every endpoint, applying the current test mode.
    pub fn enqueue(&mut self, event_id: &str, event_type: &str, payload: String) {
        if self.endpoints.is_empty() {
            return;
        }
        let mode = if self.mode_remaining > 0 {
            self.mode_remaining -= 1;
            let mode = self.mode;
            if self.mode_remaining == 0 {
                self.mode = Mode::Normal;
            }
            mode
        } else {
            Mode::Normal
        };
        if mode == Mode::Drop {
            let urls: Vec<String> = self.endpoints.iter().map(|e| e.url.clone()).collect();
            for url in urls {
                self.record(LogEntry {
                    event_id: event_id.to_string(),
                    event_type: event_type.to_string(),
                    endpoint: url,
                    attempt: 0,
                    status: None,
                    error: None,
                    outcome: "dropped",
                    at_ms: now_ms(),
                });
            }
            return;
        }
        let copies = if mode == Mode::Duplicate { 2 } else { 1 };
        let payload = Arc::new(payload);
        for e in &self.endpoints {
            for _ in 0..copies {
                let delivery = Delivery {
                    event_id: event_id.to_string(),
                    event_type: event_type.to_string(),
                    payload: payload.clone(),
                    attempt: 1,
                    hold: mode == Mode::Reorder,
                };
                if e.tx.send(delivery).is_ok() {
                    self.pending.send_modify(|n| *n += 1);
                }
            }
        }
    }

    /// Workers not started yet (no runtime was running when their endpoint was added).
    pub fn take_unstarted(&mut self) -> Vec<Unstarted> {
        self.endpoints
            .iter_mut()
            .enumerate()
            .filter_map(|(index, e)| {
                e.rx.take().map(|rx| Unstarted {
                    index,
                    url: e.url.clone(),
                    secret: e.secret.clone(),
                    rx,
                    tx: e.tx.clone(),
                })
            })
            .collect()
    }

    fn finish(&mut self, acknowledged: Option<(&str, usize)>) -> bool {
        self.pending.send_modify(|n| *n = n.saturating_sub(1));
        match acknowledged {
            Some((event_id, index)) => self.acknowledged.insert((event_id.to_string(), index)),
            None => false,
        }
    }
}

/// Starts the delivery task of every endpoint that has none (and the snapshot writer), on the
/// current tokio runtime.
pub fn start_workers(shared: &Arc<Shared>) {
    if tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    super::persist::start_writer(shared);
    let unstarted = shared.lock().webhooks.take_unstarted();
    for u in unstarted {
        tokio::spawn(run_worker(shared.clone(), u));
    }
}

async fn run_worker(shared: Arc<Shared>, u: Unstarted) {
    let Unstarted {
        index,
        url,
        secret,
        mut rx,
        tx,
    } = u;
    let mut held: Option<Delivery> = None;
    loop {
        let next = if held.is_some() {
            match tokio::time::timeout(HOLD_RELEASE, rx.recv()).await {
                Ok(next) => next,
                Err(_) => {
                    if let Some(h) = held.take() {
                        deliver(&shared, index, &url, &secret, h, &tx).await;
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
        deliver(&shared, index, &url, &secret, delivery, &tx).await;
        if let Some(h) = held.take() {
            deliver(&shared, index, &url, &secret, h, &tx).await;
        }
    }
}

async fn deliver(
    shared: &Arc<Shared>,
    index: usize,
    url: &str,
    secret: &str,
    delivery: Delivery,
    tx: &mpsc::UnboundedSender<Delivery>,
) {
    let header =
        stripe_webhook::Webhook::generate_test_header(&delivery.payload, secret, Some(now()));
    let result = shared
        .http
        .post(url)
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
    let last = delivery.attempt >= MAX_ATTEMPTS;
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
        let mut store = shared.lock();
        store.webhooks.record(LogEntry {
            event_id: delivery.event_id.clone(),
            event_type: delivery.event_type.clone(),
            endpoint: url.to_string(),
            attempt: delivery.attempt,
            status,
            error,
            outcome,
            at_ms: now_ms(),
        });
        if ok || last {
            let first_ack = store
                .webhooks
                .finish(ok.then_some((delivery.event_id.as_str(), index)));
            if first_ack && let Some(event) = store.event_mut(&delivery.event_id) {
                event.pending_webhooks = (event.pending_webhooks - 1).max(0);
            }
        }
    }
    if !ok && !last {
        let delay = FIRST_RETRY_DELAY * 2u32.saturating_pow(delivery.attempt - 1);
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
