//! The sandbox's memory: every object, event, idempotent answer and test-control setting,
//! behind one mutex held only for short, synchronous sections.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;
use rand::distributions::Alphanumeric;
use serde_json::Value;

use super::objects::{Charge, Customer, Dispute, Event, PaymentIntent, PaymentMethod, Refund};
use super::webhooks::Webhooks;

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

pub fn random_string(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// A Stripe-looking id: `pi_3Qx...` (prefix, then 24 random characters).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_string(24))
}

/// Who caused a change: an API request (its id and idempotency key) or nobody (the Dashboard,
/// the 3-D Secure page, a trigger), as in an event's `request`.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
}

/// A stored answer for an idempotency key.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StoredResponse {
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
    pub request_id: String,
    pub should_retry: Option<bool>,
    /// When it was stored (Unix seconds): Stripe keeps answers at least 24 hours.
    pub stored_at: i64,
}

/// Faults injected into the API by the test controls.
#[derive(Debug, Clone, Default)]
pub struct ApiFaults {
    pub latency_ms: u64,
    /// The next `count` API calls (whose path starts with `path_prefix`, if set) fail with `status`.
    pub failures: Option<FailurePlan>,
}

#[derive(Debug, Clone)]
pub struct FailurePlan {
    pub remaining: u32,
    pub status: u16,
    pub path_prefix: Option<String>,
    /// Only calls with this method (`GET`, `POST`), if set.
    pub method: Option<String>,
    pub mode: FailureMode,
}

/// Where in a request an injected failure happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailureMode {
    /// Before the endpoint runs: nothing happens, nothing is kept for the idempotency key.
    #[default]
    Before,
    /// Inside the endpoint, before it changed anything: the 500 is kept for the idempotency key
    /// and replayed to every retry with that key, as Stripe keeps answers (errors included)
    /// once an endpoint started executing.
    Stored,
    /// After the endpoint ran: its answer is kept for the idempotency key, but the caller gets
    /// it cut short (an unreadable body), as when the connection breaks or the caller crashes
    /// before it reads the answer.
    Lost,
}

impl FailureMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "before" => Some(Self::Before),
            "stored" => Some(Self::Stored),
            "lost" => Some(Self::Lost),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Before => "before",
            Self::Stored => "stored",
            Self::Lost => "lost",
        }
    }
}

/// How many events the sandbox remembers.
const EVENTS_KEPT: usize = 5_000;
/// How many PaymentIntents (with their charges and refunds) the sandbox remembers.
const INTENTS_KEPT: usize = 10_000;
/// How many customers and idempotent answers it remembers.
const CUSTOMERS_KEPT: usize = 10_000;
const ANSWERS_KEPT: usize = 20_000;
/// Stripe keeps an idempotency key's answer at least this long.
const ANSWER_SECONDS: i64 = 24 * 60 * 60;

#[derive(Default)]
pub struct Store {
    pub intents: HashMap<String, PaymentIntent>,
    pub payment_methods: HashMap<String, PaymentMethod>,
    pub charges: HashMap<String, Charge>,
    pub refunds: HashMap<String, Refund>,
    /// Refund ids per charge, oldest first.
    pub charge_refunds: HashMap<String, Vec<String>>,
    pub disputes: HashMap<String, Dispute>,
    pub customers: HashMap<String, Customer>,
    /// Every event, oldest first.
    pub events: Vec<Event>,
    pub event_index: HashMap<String, usize>,
    /// (API key, idempotency key) -> first answer.
    pub idempotency: HashMap<(String, String), StoredResponse>,
    /// 3-D Secure challenge id -> PaymentIntent id.
    pub challenges: HashMap<String, String>,
    pub faults: ApiFaults,
    pub webhooks: Webhooks,
    /// Counts changes, so the snapshot writer knows when there is something to write.
    pub revision: u64,
}

impl Store {
    /// Records an event and queues its webhook deliveries. Returns the event id.
    pub fn emit(&mut self, type_: &str, object: Value, origin: &Origin) -> String {
        let event = Event {
            id: new_id("evt"),
            type_: type_.to_string(),
            created: now(),
            object,
            request_id: origin.request_id.clone(),
            idempotency_key: origin.idempotency_key.clone(),
            pending_webhooks: self.webhooks.endpoint_count() as i64,
        };
        let id = event.id.clone();
        let payload = serde_json::to_string_pretty(&event.to_json()).unwrap_or_default();
        self.webhooks.enqueue(&event.id, &event.type_, payload);
        self.event_index.insert(id.clone(), self.events.len());
        self.events.push(event);
        self.forget_old_events();
        self.forget_old_objects();
        self.revision += 1;
        id
    }

    /// Keeps a long-running demo's memory (and snapshot) bounded: past `INTENTS_KEPT`
    /// PaymentIntents the oldest are forgotten with their charges, refunds and challenges;
    /// past `CUSTOMERS_KEPT` customers, the oldest; idempotent answers older than Stripe's
    /// 24 hours once there are many.
    fn forget_old_objects(&mut self) {
        if self.intents.len() > INTENTS_KEPT + INTENTS_KEPT / 5 {
            let mut by_age: Vec<(i64, String)> = self
                .intents
                .values()
                .map(|pi| (pi.created, pi.id.clone()))
                .collect();
            by_age.sort();
            let excess = self.intents.len() - INTENTS_KEPT;
            let gone: std::collections::HashSet<String> =
                by_age.into_iter().take(excess).map(|(_, id)| id).collect();
            self.intents.retain(|id, _| !gone.contains(id));
            let charges: Vec<String> = self
                .charges
                .values()
                .filter(|c| gone.contains(&c.payment_intent))
                .map(|c| c.id.clone())
                .collect();
            for charge in &charges {
                self.charges.remove(charge);
                self.charge_refunds.remove(charge);
            }
            self.refunds
                .retain(|_, r| !gone.contains(&r.payment_intent));
            self.challenges.retain(|_, pi| !gone.contains(pi));
            let used: std::collections::HashSet<&String> = self
                .intents
                .values()
                .filter_map(|pi| pi.payment_method.as_ref())
                .chain(self.charges.values().map(|c| &c.payment_method))
                .collect();
            let unused: Vec<String> = self
                .payment_methods
                .keys()
                .filter(|id| !used.contains(id))
                .cloned()
                .collect();
            for id in unused {
                self.payment_methods.remove(&id);
            }
        }
        if self.customers.len() > CUSTOMERS_KEPT + CUSTOMERS_KEPT / 5 {
            let mut by_age: Vec<(i64, String)> = self
                .customers
                .values()
                .map(|c| (c.created, c.id.clone()))
                .collect();
            by_age.sort();
            let excess = self.customers.len() - CUSTOMERS_KEPT;
            for (_, id) in by_age.into_iter().take(excess) {
                self.customers.remove(&id);
            }
        }
        if self.idempotency.len() > ANSWERS_KEPT {
            let cutoff = now() - ANSWER_SECONDS;
            self.idempotency
                .retain(|_, answer| answer.stored_at > cutoff);
        }
    }

    /// Keeps memory bounded in a long-running demo: past `EVENTS_KEPT` events, the oldest are
    /// forgotten (Stripe, too, keeps events for a limited time). Their deliveries already carry
    /// their own payload.
    fn forget_old_events(&mut self) {
        if self.events.len() <= EVENTS_KEPT + EVENTS_KEPT / 5 {
            return;
        }
        let excess = self.events.len() - EVENTS_KEPT;
        for event in self.events.drain(..excess) {
            self.event_index.remove(&event.id);
        }
        for index in self.event_index.values_mut() {
            *index -= excess;
        }
    }

    pub fn event(&self, id: &str) -> Option<&Event> {
        self.event_index.get(id).and_then(|&i| self.events.get(i))
    }

    pub fn event_mut(&mut self, id: &str) -> Option<&mut Event> {
        let i = *self.event_index.get(id)?;
        self.events.get_mut(i)
    }

    /// Amount of a charge not yet refunded.
    pub fn refundable(&self, charge: &Charge) -> i64 {
        if charge.succeeded {
            charge.amount - charge.amount_refunded
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_running_sandbox_forgets_its_oldest_events() {
        let mut store = Store::default();
        let origin = Origin {
            request_id: None,
            idempotency_key: None,
        };
        let ids: Vec<String> = (0..EVENTS_KEPT * 2)
            .map(|i| store.emit("customer.created", serde_json::json!({ "n": i }), &origin))
            .collect();
        assert!(store.events.len() <= EVENTS_KEPT + EVENTS_KEPT / 5);
        assert!(store.event(&ids[0]).is_none(), "the oldest is forgotten");
        let newest = ids.last().map(String::as_str).unwrap_or_default();
        assert_eq!(store.event(newest).map(|e| e.id.as_str()), Some(newest));
        assert_eq!(store.event_index.len(), store.events.len());
    }
}
