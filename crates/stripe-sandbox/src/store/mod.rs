//! The sandbox's memory: every object, event, idempotent answer and test-control setting,
//! behind one mutex held only for short, synchronous sections ([`SharedStore`]).
//!
//! This file holds the maps and what every change shares: [`Store::emit`] records an event and
//! queues its webhooks in the [`outbox`]. What changes the objects of each resource is in a file
//! of its own (`payment_intents.rs`, `refunds.rs`, ...); each change emits its events.

pub mod bank_debits;
pub mod billing;
mod catalog;
mod charges;
pub mod checkout_sessions;
pub mod customers;
pub mod disputes;
pub mod faults;
pub mod outbox;
pub mod payment_intents;
pub mod payment_methods;
pub mod refunds;
pub mod subscriptions;
mod test_clocks;

pub use test_clocks::CUSTOMERS_PER_CLOCK;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::{
    Charge, CheckoutSession, Customer, Dispute, Event, JsonText, PaymentIntent, PaymentMethod,
    Refund,
};
use crate::params::Fingerprint;
use faults::ApiFaults;
use outbox::Outbox;

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
    pub fingerprint: Fingerprint,
    pub status: u16,
    /// The JSON answered, replayed as the same pretty text; often the object an event of the
    /// same request holds, shared with it ([`Store::share_with_events`]).
    #[serde(with = "crate::objects::json_text::as_string")]
    pub body: JsonText,
    pub request_id: String,
    pub should_retry: Option<bool>,
    /// When it was stored (Unix seconds): Stripe keeps answers at least 24 hours.
    pub stored_at: i64,
}

/// How many events the sandbox remembers.
const EVENTS_KEPT: usize = 5_000;
/// How many PaymentIntents (with their charges and refunds) the sandbox remembers.
const INTENTS_KEPT: usize = 10_000;
/// How many customers (and Checkout Sessions) and idempotent answers it remembers.
const CUSTOMERS_KEPT: usize = 10_000;
const ANSWERS_KEPT: usize = 20_000;
/// Stripe keeps an idempotency key's answer this long (/api/idempotent_requests: keys "can be
/// pruned" once at least 24 hours old); after it, the key starts a new request.
const ANSWER_SECONDS: i64 = 24 * 60 * 60;

/// Everything one sandbox knows.
#[derive(Default)]
pub struct Store {
    /// Boxed: a map's empty slots then cost a pointer each, not a whole PaymentIntent.
    pub intents: HashMap<String, Box<PaymentIntent>>,
    pub payment_methods: HashMap<String, PaymentMethod>,
    pub charges: HashMap<String, Charge>,
    pub refunds: HashMap<String, Refund>,
    /// Refund ids per charge, oldest first.
    pub charge_refunds: HashMap<String, Vec<String>>,
    pub disputes: HashMap<String, Dispute>,
    pub customers: HashMap<String, Customer>,
    pub checkout_sessions: HashMap<String, CheckoutSession>,
    /// Every event, oldest first.
    pub events: Vec<Event>,
    pub event_index: HashMap<String, usize>,
    /// (API key, idempotency key) -> first answer.
    pub idempotency: HashMap<(String, String), StoredResponse>,
    /// 3-D Secure challenge id -> PaymentIntent id.
    pub challenges: HashMap<String, String>,
    /// PaymentIntent id -> its bank debit waiting to settle.
    pub bank_debits: HashMap<String, bank_debits::PendingDebit>,
    /// How long bank debits take to settle (test control).
    pub debit_delays: bank_debits::DebitDelays,
    pub faults: ApiFaults,
    /// Products, Prices, Subscriptions, Invoices, test clocks and portal configurations.
    pub billing: billing::Billing,
    /// Events waiting for their webhook deliveries, and the delivery log.
    pub outbox: Outbox,
    /// Counts changes, so the snapshot writer knows when there is something to write.
    pub revision: u64,
}

impl Store {
    /// The answer kept for an idempotency key, unless it is 24 hours old: then the key is
    /// free again, as on Stripe.
    pub fn stored_answer(&self, api_key: &str, key: &str) -> Option<&StoredResponse> {
        self.idempotency
            .get(&(api_key.to_string(), key.to_string()))
            .filter(|answer| answer.stored_at > now() - ANSWER_SECONDS)
    }

    /// Makes the kept answers of `key` (of every key if `None`) 24 hours older, as if that
    /// long had passed. Returns how many there were.
    pub fn age_idempotency_keys(&mut self, key: Option<&str>) -> usize {
        let mut aged = 0;
        for ((_, k), answer) in self.idempotency.iter_mut() {
            if key.is_none_or(|key| key == k) {
                answer.stored_at -= ANSWER_SECONDS;
                aged += 1;
            }
        }
        aged
    }

    /// `text`, or the same text held by the object of an event that request `request_id`
    /// emitted (the answer to a create is the object of its `*.created` event), so that the
    /// two are kept once.
    pub fn share_with_events(&self, text: JsonText, request_id: &str) -> JsonText {
        self.events
            .iter()
            .rev()
            .take_while(|e| e.request_id.as_deref() == Some(request_id))
            .find(|e| e.object == text)
            .map_or(text, |e| e.object.clone())
    }

    /// Records an event and queues its webhook deliveries. Returns the event id.
    pub fn emit(&mut self, type_: &str, object: Value, origin: &Origin) -> String {
        self.record_event(type_, object, None, origin)
    }

    /// Records a `*.updated` event whose `data.previous_attributes` holds the changed fields
    /// as they were before (/api/events/object#event_object-data-previous_attributes).
    pub fn emit_updated(
        &mut self,
        type_: &str,
        object: Value,
        previous_attributes: Value,
        origin: &Origin,
    ) -> String {
        self.record_event(type_, object, Some(previous_attributes), origin)
    }

    fn record_event(
        &mut self,
        type_: &str,
        object: Value,
        previous_attributes: Option<Value>,
        origin: &Origin,
    ) -> String {
        let event = Event {
            id: new_id("evt"),
            type_: type_.to_string(),
            created: now(),
            object: JsonText::new(&object),
            request_id: origin.request_id.clone(),
            idempotency_key: origin.idempotency_key.clone(),
            pending_webhooks: self.outbox.endpoint_count() as i64,
            previous_attributes: previous_attributes.as_ref().map(JsonText::new),
        };
        let id = event.id.clone();
        let follows_intent = type_.starts_with("payment_intent.");
        let json = event.json_with(object, previous_attributes);
        self.outbox.enqueue(&event.id, &event.type_, &json);
        self.event_index.insert(id.clone(), self.events.len());
        self.events.push(event);
        self.forget_old_events();
        self.forget_old_objects();
        self.revision += 1;
        if follows_intent {
            let object = &json["data"]["object"];
            self.follow_session_intent(type_, object);
            self.follow_invoice_intent(type_, object);
        }
        id
    }

    /// Keeps a long-running demo's memory (and snapshot) bounded: past `INTENTS_KEPT`
    /// PaymentIntents the oldest are forgotten with their charges, refunds and challenges;
    /// past `CUSTOMERS_KEPT` customers (or Checkout Sessions), the oldest; idempotent answers
    /// older than Stripe's 24 hours once there are many.
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
        if self.checkout_sessions.len() > CUSTOMERS_KEPT + CUSTOMERS_KEPT / 5 {
            let mut by_age: Vec<(i64, String)> = self
                .checkout_sessions
                .values()
                .map(|s| (s.created, s.id.clone()))
                .collect();
            by_age.sort();
            let excess = self.checkout_sessions.len() - CUSTOMERS_KEPT;
            for (_, id) in by_age.into_iter().take(excess) {
                self.checkout_sessions.remove(&id);
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
        let mut gone = std::collections::HashSet::new();
        for event in self.events.drain(..excess) {
            self.event_index.remove(&event.id);
            gone.insert(event.id);
        }
        self.outbox.forget_acknowledged(&gone);
        for index in self.event_index.values_mut() {
            *index -= excess;
        }
    }

    pub fn intent(&self, id: &str) -> Result<&PaymentIntent, ApiError> {
        self.intents
            .get(id)
            .map(|pi| &**pi)
            .ok_or_else(|| ApiError::not_found("payment_intent", id, "intent"))
    }

    pub fn intent_mut(&mut self, id: &str) -> Result<&mut PaymentIntent, ApiError> {
        self.intents
            .get_mut(id)
            .map(|pi| &mut **pi)
            .ok_or_else(|| ApiError::not_found("payment_intent", id, "intent"))
    }

    pub fn event(&self, id: &str) -> Option<&Event> {
        self.event_index.get(id).and_then(|&i| self.events.get(i))
    }

    pub fn event_mut(&mut self, id: &str) -> Option<&mut Event> {
        let i = *self.event_index.get(id)?;
        self.events.get_mut(i)
    }
}

/// `previous_attributes` of an update: the fields that differ between `before` and `after`
/// with their old values (`null` for a key that was not there), and within objects (such as
/// `evidence`, `metadata`) only the keys that changed, as Stripe shows them (/api/events/object#event_object-data-previous_attributes).
pub fn changed_fields(before: &Value, after: &Value) -> Value {
    let (Value::Object(before), Value::Object(after)) = (before, after) else {
        return Value::Object(Map::new());
    };
    let mut changed = Map::new();
    let keys = before
        .keys()
        .chain(after.keys().filter(|k| !before.contains_key(*k)));
    for key in keys {
        let old = before.get(key).unwrap_or(&Value::Null);
        let new = after.get(key).unwrap_or(&Value::Null);
        if old == new {
            continue;
        }
        let value = match (old, new) {
            (Value::Object(_), Value::Object(_)) => changed_fields(old, new),
            _ => old.clone(),
        };
        changed.insert(key.clone(), value);
    }
    Value::Object(changed)
}

/// The store behind its lock, shared by the request handlers and the background tasks.
#[derive(Default)]
pub struct SharedStore(Mutex<Store>);

impl SharedStore {
    pub fn new(store: Store) -> Self {
        Self(Mutex::new(store))
    }

    /// The state; never held across an `.await`.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previous_attributes_hold_only_what_changed_with_its_old_value() {
        let before = serde_json::json!({
            "id": "cus_1", "email": "a@example.com", "name": null,
            "metadata": { "kept": "1", "changed": "old", "removed": "x" },
        });
        let after = serde_json::json!({
            "id": "cus_1", "email": "b@example.com", "name": "Ada",
            "metadata": { "kept": "1", "changed": "new", "added": "y" },
        });
        assert_eq!(
            changed_fields(&before, &after),
            serde_json::json!({
                "email": "a@example.com", "name": null,
                "metadata": { "changed": "old", "removed": "x", "added": null },
            })
        );
    }

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
