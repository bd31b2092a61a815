//! The sandbox's memory kept across restarts: a JSON snapshot of its keys and objects, written
//! atomically (a temporary file renamed over the old one) by a background task a moment after
//! each change (less often for a large store, which takes a while to serialise). A shop that restarts in sandbox mode finds its PaymentIntents, charges, refunds,
//! customers and recent events again, with the same keys, so the payment pages of pending
//! orders keep working; bank debits still processing settle after it. Webhook deliveries in flight and test-control settings are not kept
//! (Stripe retries deliveries; the shop's reconciler reads what it missed).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::objects::{
    Charge, CheckoutSession, Customer, Dispute, Event, JsonText, PaymentIntent, PaymentMethod,
    Refund,
};
use crate::store::bank_debits::PendingDebit;
use crate::store::billing::Billing;
use crate::store::{SharedStore, Store, StoredResponse};

/// How soon after a change the snapshot is written.
const WRITE_DELAY: Duration = Duration::from_millis(200);
const FORMAT: u32 = 1;

/// The keys a sandbox accepts, kept with its objects: payment pages made before a restart
/// carry the publishable key and client secrets, and the shop's webhook secret must not change.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedKeys {
    pub secret_key: String,
    pub publishable_key: String,
    pub webhook_secret: String,
}

impl std::fmt::Debug for SavedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SavedKeys")
            .field("publishable_key", &self.publishable_key)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    format: u32,
    keys: SavedKeys,
    intents: Vec<PaymentIntent>,
    payment_methods: Vec<PaymentMethod>,
    charges: Vec<Charge>,
    refunds: Vec<Refund>,
    charge_refunds: HashMap<String, Vec<String>>,
    disputes: Vec<Dispute>,
    customers: Vec<Customer>,
    events: Vec<Event>,
    idempotency: Vec<(String, String, StoredResponse)>,
    challenges: HashMap<String, String>,
    /// Bank debits still to settle (by PaymentIntent).
    #[serde(default)]
    bank_debits: HashMap<String, PendingDebit>,
    #[serde(default)]
    checkout_sessions: Vec<CheckoutSession>,
    #[serde(default)]
    billing: Billing,
}

/// Where a sandbox keeps its snapshot, and whether its writer runs.
pub struct Persistence {
    path: PathBuf,
    keys: SavedKeys,
    writer_started: AtomicBool,
}

impl Persistence {
    pub fn new(path: PathBuf, keys: SavedKeys) -> Self {
        Self {
            path,
            keys,
            writer_started: AtomicBool::new(false),
        }
    }
}

impl SavedKeys {
    /// The keys saved in the snapshot at `path`, if there is one: an app that makes up its
    /// sandbox's keys at the first start finds them again after a restart.
    pub fn read(path: &Path) -> anyhow::Result<Option<SavedKeys>> {
        Ok(read(path)?.map(|snapshot| snapshot.keys))
    }
}

fn read(path: &Path) -> anyhow::Result<Option<Snapshot>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let snapshot: Snapshot = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a sandbox snapshot", path.display()))?;
    if snapshot.format != FORMAT {
        anyhow::bail!(
            "{} was written by another version of the sandbox",
            path.display()
        );
    }
    Ok(Some(snapshot))
}

/// Fills a new store from the snapshot at `path`; `false` when there is none.
pub fn restore(path: &Path, store: &mut Store) -> anyhow::Result<bool> {
    let Some(s) = read(path)? else {
        return Ok(false);
    };
    store.intents = s
        .intents
        .into_iter()
        .map(|o| (o.id.clone(), Box::new(o)))
        .collect();
    store.payment_methods = s
        .payment_methods
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    store.charges = s.charges.into_iter().map(|o| (o.id.clone(), o)).collect();
    store.refunds = s.refunds.into_iter().map(|o| (o.id.clone(), o)).collect();
    store.charge_refunds = s.charge_refunds;
    store.disputes = s.disputes.into_iter().map(|o| (o.id.clone(), o)).collect();
    store.customers = s.customers.into_iter().map(|o| (o.id.clone(), o)).collect();
    store.event_index = s
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.clone(), i))
        .collect();
    store.events = s.events;
    store.idempotency = s
        .idempotency
        .into_iter()
        .map(|(api_key, key, answer)| ((api_key, key), answer))
        .collect();
    // An answer that is an event's object is kept once, as before the restart.
    let objects: HashMap<&str, &JsonText> = store
        .events
        .iter()
        .map(|e| (e.object.as_str(), &e.object))
        .collect();
    for answer in store.idempotency.values_mut() {
        if let Some(object) = objects.get(answer.body.as_str()) {
            answer.body = (*object).clone();
        }
    }
    store.challenges = s.challenges;
    store.bank_debits = s.bank_debits;
    store.checkout_sessions = s
        .checkout_sessions
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    store.billing = s.billing;
    Ok(true)
}

/// A [`Snapshot`] borrowed from the store: written without copying the store first.
#[derive(Serialize)]
struct SnapshotRef<'a> {
    format: u32,
    keys: &'a SavedKeys,
    #[serde(serialize_with = "values")]
    intents: &'a HashMap<String, Box<PaymentIntent>>,
    #[serde(serialize_with = "values")]
    payment_methods: &'a HashMap<String, PaymentMethod>,
    #[serde(serialize_with = "values")]
    charges: &'a HashMap<String, Charge>,
    #[serde(serialize_with = "values")]
    refunds: &'a HashMap<String, Refund>,
    charge_refunds: &'a HashMap<String, Vec<String>>,
    #[serde(serialize_with = "values")]
    disputes: &'a HashMap<String, Dispute>,
    #[serde(serialize_with = "values")]
    customers: &'a HashMap<String, Customer>,
    events: &'a [Event],
    #[serde(serialize_with = "answers")]
    idempotency: &'a HashMap<(String, String), StoredResponse>,
    challenges: &'a HashMap<String, String>,
    bank_debits: &'a HashMap<String, PendingDebit>,
    #[serde(serialize_with = "values")]
    checkout_sessions: &'a HashMap<String, CheckoutSession>,
    billing: &'a Billing,
}

fn values<S: serde::Serializer, V: Serialize>(
    map: &&HashMap<String, V>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(map.values())
}

fn answers<S: serde::Serializer>(
    map: &&HashMap<(String, String), StoredResponse>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(
        map.iter()
            .map(|((api_key, key), answer)| (api_key, key, answer)),
    )
}

fn snapshot<'a>(store: &'a Store, keys: &'a SavedKeys) -> SnapshotRef<'a> {
    SnapshotRef {
        format: FORMAT,
        keys,
        intents: &store.intents,
        payment_methods: &store.payment_methods,
        charges: &store.charges,
        refunds: &store.refunds,
        charge_refunds: &store.charge_refunds,
        disputes: &store.disputes,
        customers: &store.customers,
        events: &store.events,
        idempotency: &store.idempotency,
        challenges: &store.challenges,
        bank_debits: &store.bank_debits,
        checkout_sessions: &store.checkout_sessions,
        billing: &store.billing,
    }
}

/// Writes the store's snapshot unless it is the `written` revision: serialised straight into
/// a temporary file under the store's lock (no copy of the store, no text of it in memory),
/// flushed to disk after the lock is released, then renamed over the old one. Returns the
/// revision written and how long the lock was held.
fn write_snapshot(
    path: &Path,
    store: &SharedStore,
    keys: &SavedKeys,
    written: Option<u64>,
) -> anyhow::Result<Option<(u64, Duration)>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    let (revision, held) = {
        let store = store.lock();
        if written == Some(store.revision) {
            return Ok(None);
        }
        let started = std::time::Instant::now();
        serde_json::to_writer(&mut file, &snapshot(&store, keys))
            .context("serialising the sandbox's state")?;
        (store.revision, started.elapsed())
    };
    let file = file.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    Ok(Some((revision, held)))
}

impl Persistence {
    /// Starts the snapshot writer on the current tokio runtime, once (none runs outside one).
    pub fn start_writer(self: &Arc<Self>, store: &Arc<SharedStore>) {
        if tokio::runtime::Handle::try_current().is_err()
            || self.writer_started.swap(true, Ordering::SeqCst)
        {
            return;
        }
        let persistence = self.clone();
        let store = store.clone();
        tokio::spawn(async move {
            let mut written = None;
            let mut delay = WRITE_DELAY;
            loop {
                tokio::time::sleep(delay).await;
                let (path, store_now, keys) = (
                    persistence.path.clone(),
                    store.clone(),
                    persistence.keys.clone(),
                );
                let result = tokio::task::spawn_blocking(move || {
                    write_snapshot(&path, &store_now, &keys, written)
                })
                .await;
                match result {
                    Ok(Ok(Some((revision, held)))) => {
                        written = Some(revision);
                        // A large store takes a while to serialise, under the lock that every
                        // API request needs: it is written less often, holding the lock for at
                        // most a twentieth of the time.
                        delay = WRITE_DELAY.max(held * 20);
                    }
                    Ok(Ok(None)) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(path = %persistence.path.display(), error = %e, "could not write the sandbox's state");
                    }
                    Err(e) => tracing::warn!(error = %e, "the sandbox's state writer failed"),
                }
            }
        });
    }
}
