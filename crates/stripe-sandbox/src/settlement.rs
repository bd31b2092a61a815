//! The background task that settles bank debits when they are due (`store/bank_debits.rs`),
//! expires Checkout Sessions, runs the subscriptions' renewals, trial ends and retries as their
//! time comes (`store/subscriptions.rs`) and finishes advancing test clocks: it looks a few
//! times a second, so each happens within moments of its time, with its events.

use std::sync::Arc;
use std::time::Duration;

use crate::store::SharedStore;

/// How often the task looks for due debits.
const TICK: Duration = Duration::from_millis(100);

/// Runs the task on the current tokio runtime (none runs outside one).
pub fn start(store: &Arc<SharedStore>) {
    if tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    let store = Arc::downgrade(store);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // The sandbox is gone: nothing left to settle.
            let Some(store) = store.upgrade() else { break };
            let mut store = store.lock();
            for session in store.due_checkout_sessions() {
                if let Err(e) = store.expire_session(&session, &crate::store::Origin::default()) {
                    tracing::warn!(session = %session, error = ?e.body.get("message"), "a sandbox Checkout Session did not expire");
                }
            }
            let pages = store.billing.pages.clone();
            store.run_due_billing(None, crate::ids::now(), &pages);
            store.run_advancing_clocks(&pages);
            for pi in store.due_bank_debits() {
                if let Err(e) = store.settle_bank_debit(&pi) {
                    tracing::warn!(payment_intent = %pi, error = ?e.body.get("message"), "a sandbox bank debit did not settle");
                }
            }
        }
    });
}
