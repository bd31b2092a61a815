//! The webhook outbox: the endpoints, each with its queue of deliveries, the test mode that
//! drops, duplicates or reorders the next events, and the delivery log. [`Store::emit`]
//! queues every event here; `webhooks.rs` delivers the queues.
//!
//! [`Store::emit`]: super::Store::emit

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, watch};

use crate::ids::now_ms;

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

/// One line of the delivery log; its type and endpoint are shared by the lines that have
/// them (the log keeps up to 12,000).
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub event_id: String,
    #[serde(serialize_with = "as_str")]
    pub event_type: Arc<str>,
    #[serde(serialize_with = "as_str")]
    pub endpoint: Arc<str>,
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

fn as_str<S: serde::Serializer>(text: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(text)
}

/// One event on its way to one endpoint.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub event_id: String,
    pub event_type: Arc<str>,
    pub payload: Arc<String>,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Held back until the next event is sent (`reorder` test mode).
    pub hold: bool,
}

struct Endpoint {
    url: Arc<str>,
    secret: String,
    /// The API version its events are stamped with, when not the account's (the pinned one).
    api_version: Option<String>,
    tx: mpsc::UnboundedSender<Delivery>,
    /// Until its worker is started.
    rx: Option<mpsc::UnboundedReceiver<Delivery>>,
}

/// A long-running demo keeps this many delivery log entries, newest last.
const LOG_KEPT: usize = 10_000;

/// How long after a failed attempt each retry comes. Stripe's test mode makes "3 retries over
/// a few hours" and does not publish the schedule (live mode: up to 3 days with exponential
/// backoff; /webhooks#retries): the sandbox makes 3 retries too, after 1 minute, 10 minutes
/// and 1 hour, so that an app that was down for a moment gets its events within a session.
/// Tests compress it with `POST _controls/webhooks/retries`.
pub const DEFAULT_RETRY_DELAYS: [Duration; 3] = [
    Duration::from_secs(60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(60 * 60),
];
/// Bounds of the retry control: retries per delivery, and the longest wait before one.
pub const MAX_RETRIES: usize = 10;
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(3 * 24 * 60 * 60);

/// Endpoints, their queues, the delivery log and the webhook test controls.
pub struct Outbox {
    endpoints: Vec<Endpoint>,
    mode: Mode,
    mode_remaining: u32,
    pub log: Vec<LogEntry>,
    /// Every event type queued so far, shared by the deliveries and log lines of that type.
    event_types: HashSet<Arc<str>>,
    /// Deliveries queued, in flight or waiting for a retry.
    pending: watch::Sender<usize>,
    /// (event id, endpoint) acknowledged at least once.
    acknowledged: HashSet<(String, usize)>,
    /// The wait before each retry of a failed delivery; its length is the number of retries.
    retry_delays: Vec<Duration>,
}

impl Default for Outbox {
    fn default() -> Self {
        Outbox {
            endpoints: Vec::new(),
            mode: Mode::Normal,
            mode_remaining: 0,
            log: Vec::new(),
            event_types: HashSet::new(),
            pending: watch::channel(0).0,
            acknowledged: HashSet::new(),
            retry_delays: DEFAULT_RETRY_DELAYS.to_vec(),
        }
    }
}

/// An endpoint whose delivery task is not started yet: its index, URL, secret and queue.
pub struct Unstarted {
    pub index: usize,
    pub url: Arc<str>,
    pub secret: String,
    pub rx: mpsc::UnboundedReceiver<Delivery>,
    /// For retries, which go to the back of the queue.
    pub tx: mpsc::UnboundedSender<Delivery>,
}

impl Outbox {
    /// Appends to the delivery log, forgetting the oldest entries past `LOG_KEPT`.
    pub fn record(&mut self, entry: LogEntry) {
        self.log.push(entry);
        if self.log.len() > LOG_KEPT + LOG_KEPT / 5 {
            let excess = self.log.len() - LOG_KEPT;
            self.log.drain(..excess);
        }
    }

    pub fn add_endpoint(&mut self, url: String, secret: String) {
        let (tx, rx) = mpsc::unbounded_channel();
        self.endpoints.push(Endpoint {
            url: url.into(),
            secret,
            api_version: None,
            tx,
            rx: Some(rx),
        });
    }

    /// Stamps the events sent to the endpoint at `url` with `api_version` from now on (`None`:
    /// the pinned version). Returns whether there is such an endpoint.
    pub fn set_api_version(&mut self, url: &str, api_version: Option<String>) -> bool {
        let pinned = crate::versions::pinned();
        let mut found = false;
        for e in self.endpoints.iter_mut().filter(|e| &*e.url == url) {
            e.api_version = api_version.clone().filter(|v| v != pinned);
            found = true;
        }
        found
    }

    /// Each endpoint's URL and the API version its events carry.
    pub fn endpoint_versions(&self) -> Vec<(String, String)> {
        let pinned = crate::versions::pinned();
        self.endpoints
            .iter()
            .map(|e| {
                let version = e.api_version.as_deref().unwrap_or(pinned);
                (e.url.to_string(), version.to_string())
            })
            .collect()
    }

    pub fn endpoint_count(&self) -> usize {
        self.endpoints.len()
    }

    pub fn endpoint_urls(&self) -> Vec<String> {
        self.endpoints.iter().map(|e| e.url.to_string()).collect()
    }

    /// The wait before each retry (test control); `DEFAULT_RETRY_DELAYS` again with `None`.
    pub fn set_retry_delays(&mut self, delays: Option<Vec<Duration>>) {
        self.retry_delays = delays.unwrap_or_else(|| DEFAULT_RETRY_DELAYS.to_vec());
    }

    /// How long to wait before the retry that follows attempt `attempt` (1 for the first), or
    /// `None` when that was the last attempt.
    pub fn retry_delay(&self, attempt: u32) -> Option<Duration> {
        let index = usize::try_from(attempt).ok()?.checked_sub(1)?;
        self.retry_delays.get(index).copied()
    }

    pub fn retry_delays(&self) -> &[Duration] {
        &self.retry_delays
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

    /// Queues one event for every endpoint, applying the current test mode. An endpoint given
    /// another API version gets the event stamped with it (its objects keep the pinned shape).
    pub fn enqueue(&mut self, event_id: &str, event_type: &str, event: &serde_json::Value) {
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
        let event_type = match self.event_types.get(event_type) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<str> = event_type.into();
                self.event_types.insert(shared.clone());
                shared
            }
        };
        if mode == Mode::Drop {
            let urls: Vec<Arc<str>> = self.endpoints.iter().map(|e| e.url.clone()).collect();
            for url in urls {
                self.record(LogEntry {
                    event_id: event_id.to_string(),
                    event_type: event_type.clone(),
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
        let payload = Arc::new(serde_json::to_string_pretty(event).unwrap_or_default());
        for e in &self.endpoints {
            let payload = match &e.api_version {
                Some(version) => {
                    let mut stamped = event.clone();
                    stamped["api_version"] = serde_json::Value::String(version.clone());
                    Arc::new(serde_json::to_string_pretty(&stamped).unwrap_or_default())
                }
                None => payload.clone(),
            };
            for _ in 0..copies {
                let delivery = Delivery {
                    event_id: event_id.to_string(),
                    event_type: event_type.clone(),
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

    /// Forgets the acknowledgements of events the store no longer keeps: nothing reads them.
    pub fn forget_acknowledged(&mut self, events: &HashSet<String>) {
        self.acknowledged.retain(|(id, _)| !events.contains(id));
    }

    /// A delivery is done (acknowledged by endpoint `index`, or given up). Returns whether
    /// this is the endpoint's first acknowledgement of the event.
    pub fn finish(&mut self, acknowledged: Option<(&str, usize)>) -> bool {
        self.pending.send_modify(|n| *n = n.saturating_sub(1));
        match acknowledged {
            Some((event_id, index)) => self.acknowledged.insert((event_id.to_string(), index)),
            None => false,
        }
    }
}
