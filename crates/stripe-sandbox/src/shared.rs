//! What every request handler of one sandbox shares: its keys, its store, the HTTP client its
//! webhooks go out with, and the background tasks that deliver them, settle bank debits and
//! keep the snapshot.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::persist::Persistence;
use crate::store::{SharedStore, Store};
use crate::{settlement, webhooks};

/// One sandbox's state, as its handlers get it (`web::Data<Shared>`).
pub struct Shared {
    /// The secret key (`sk_test_...`) accepted as `Authorization: Bearer`.
    pub secret_key: String,
    /// The publishable key (`pk_test_...`), accepted only where Stripe.js uses it.
    pub publishable_key: String,
    pub store: Arc<SharedStore>,
    /// Where webhooks are POSTed from.
    pub http: reqwest::Client,
    pub persistence: Option<Arc<Persistence>>,
    /// (credentials, idempotency key) of the requests being executed: Stripe answers a second
    /// request with the same key 409 meanwhile.
    pub in_flight: Mutex<HashSet<(String, String)>>,
    /// Whether the task that settles bank debits runs.
    pub settlement_started: AtomicBool,
}

impl Shared {
    /// The state; never held across an `.await`.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock()
    }

    /// Starts the webhook delivery task of every endpoint that has none, and the snapshot
    /// writer, on the current tokio runtime. Called when the sandbox is built and again with
    /// each request, for a sandbox built outside a runtime or given an endpoint later.
    pub fn start_background_tasks(&self) {
        if let Some(persistence) = &self.persistence {
            persistence.start_writer(&self.store);
        }
        webhooks::start_workers(&self.store, &self.http);
        if tokio::runtime::Handle::try_current().is_ok()
            && !self.settlement_started.swap(true, Ordering::SeqCst)
        {
            settlement::start(&self.store);
        }
    }
}
