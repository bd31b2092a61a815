//! The sandbox's memory kept across restarts: a JSON snapshot of its keys and objects, written
//! atomically (a temporary file renamed over the old one) by a background task a moment after
//! each change. A shop that restarts in sandbox mode finds its PaymentIntents, charges, refunds,
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
    Charge, CheckoutSession, Customer, Dispute, Event, PaymentIntent, PaymentMethod, Refund,
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
    store.intents = s.intents.into_iter().map(|o| (o.id.clone(), o)).collect();
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

fn snapshot(store: &Store, keys: &SavedKeys) -> Snapshot {
    Snapshot {
        format: FORMAT,
        keys: keys.clone(),
        intents: store.intents.values().cloned().collect(),
        payment_methods: store.payment_methods.values().cloned().collect(),
        charges: store.charges.values().cloned().collect(),
        refunds: store.refunds.values().cloned().collect(),
        charge_refunds: store.charge_refunds.clone(),
        disputes: store.disputes.values().cloned().collect(),
        customers: store.customers.values().cloned().collect(),
        events: store.events.clone(),
        idempotency: store
            .idempotency
            .iter()
            .map(|((api_key, key), answer)| (api_key.clone(), key.clone(), answer.clone()))
            .collect(),
        challenges: store.challenges.clone(),
        bank_debits: store.bank_debits.clone(),
        checkout_sessions: store.checkout_sessions.values().cloned().collect(),
        billing: store.billing.clone(),
    }
}

/// Writes `text` to `path` atomically: readers see the old snapshot or the new one, whole.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)
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
            loop {
                tokio::time::sleep(WRITE_DELAY).await;
                let (revision, text) = {
                    let store = store.lock();
                    if written == Some(store.revision) {
                        continue;
                    }
                    let text = serde_json::to_string(&snapshot(&store, &persistence.keys));
                    (store.revision, text)
                };
                let text = match text {
                    Ok(text) => text,
                    Err(e) => {
                        tracing::error!(error = %e, "could not serialise the sandbox's state");
                        continue;
                    }
                };
                let path = persistence.path.clone();
                let result =
                    tokio::task::spawn_blocking(move || write_atomically(&path, &text)).await;
                match result {
                    Ok(Ok(())) => written = Some(revision),
                    Ok(Err(e)) => {
                        tracing::warn!(path = %persistence.path.display(), error = %e, "could not write the sandbox's state");
                    }
                    Err(e) => tracing::warn!(error = %e, "the sandbox's state writer failed"),
                }
            }
        });
    }
}
