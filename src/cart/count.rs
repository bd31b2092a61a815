//! The header's cart count, kept in memory on each server so that a page view costs no query.
//!
//! Every change to a cart's lines adds one to its revision (`carts.revision`), and the request
//! that made the change puts the new revision in the shopper's session cookie. A server's copy
//! remembers the revision it was read at, and is not used for a shopper whose cookie names a
//! later one: whichever server answers the shopper's next page, it shows their change.
//!
//! Changes the shopper's own browser did not make (another browser signed in to the same
//! account) reach the other servers as `NOTIFY cart_changed` (the carts' ids), sent after the
//! change has committed by a background task that gathers the changes of a moment into one
//! notification; every server drops its copies when it hears one. The notification is not sent by a
//! trigger in the changing transaction: PostgreSQL commits notifying transactions one at a
//! time, so every add to cart would queue behind the one before it (10× fewer commits per
//! second here). Every server listens on a connection of its own; while it is down, copies are
//! not used.
//!
//! The one change that is not made through a shopper's request is the payment of an order,
//! which takes what it bought out of its cart (a webhook, the reconciler, any server): so the
//! count of a cart with an order waiting for payment is never kept, and placing an order is a
//! change. A copy is also never older than [`MAX_AGE`], in case a server stopped between a
//! change's commit and its notification.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock, Weak};
use std::time::{Duration, Instant};

use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::StreamExt;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::db::{self, Revision};
use crate::db::{DbError, DbPool};

/// The channel changes are announced on.
const CHANNEL: &str = "cart_changed";
/// Copies kept per server; past it they are dropped (and read again when used).
const MAX_CACHED: usize = 100_000;
/// The oldest copy served.
const MAX_AGE: Duration = Duration::from_secs(60);
/// Carts announced in one notification at most (ids joined by commas, within PostgreSQL's
/// 8,000-byte payload).
const BATCH: usize = 200;
/// How long changes are gathered before they are announced together. Every notifying commit
/// takes a lock that every other notifying commit waits for, and wakes every listening
/// connection on the database: one notification per change cost adding to cart a third of its
/// speed. Nobody waits for it: the shopper's own browser knows of its change (the revision).
const GATHER: Duration = Duration::from_millis(50);
/// How long an announcement may take before the connection is given up.
const ANNOUNCE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the listening connection may stay quiet before it is checked.
const CHECK_EVERY: Duration = Duration::from_secs(10);

/// The item counts of carts, as this server last read them.
#[derive(Clone)]
pub struct CartCounts {
    inner: Arc<Inner>,
}

struct Inner {
    /// Whether notifications are being received; when not, copies are not used.
    listening: AtomicBool,
    entries: RwLock<Entries>,
    /// Carts this server changed, for the other servers to hear about.
    announce: mpsc::UnboundedSender<Uuid>,
}

#[derive(Default)]
struct Entries {
    /// Bumped by every change: a count read before a change is not kept.
    epoch: u64,
    by_cart: HashMap<Uuid, Copy>,
}

struct Copy {
    items: i64,
    revision: Revision,
    read_at: Instant,
}

impl CartCounts {
    /// The counts, listening for (and announcing) changes for as long as the server runs.
    pub fn start(database_url: String) -> Self {
        let (announce, changed) = mpsc::unbounded_channel();
        let counts = Self {
            inner: Arc::new(Inner {
                listening: AtomicBool::new(false),
                entries: RwLock::new(Entries::default()),
                announce,
            }),
        };
        spawn_listener(database_url.clone(), Arc::downgrade(&counts.inner));
        tokio::spawn(announce_changes(database_url, changed));
        counts
    }

    /// How many items the cart holds. `seen` is the revision of the shopper's last change to
    /// it (from their session), if they made one: an older copy is not used.
    pub async fn count(
        &self,
        pool: &DbPool,
        cart_id: Uuid,
        seen: Option<Revision>,
    ) -> Result<i64, DbError> {
        if let Some(count) = self.inner.cached(cart_id, seen.unwrap_or(0)) {
            return Ok(count);
        }
        let epoch = self.inner.epoch();
        let mut conn = pool.get().await?;
        let read = db::item_count(&mut conn, cart_id).await?;
        if !read.awaiting_payment {
            self.inner.keep(cart_id, read.items, read.revision, epoch);
        }
        Ok(read.items)
    }

    /// This server changed the cart (call it once the change has committed): its copy goes now,
    /// and the other servers are told in a moment.
    pub fn changed(&self, cart_id: Uuid) {
        self.inner.drop_one(cart_id);
        // The receiver lives as long as the runtime; a send fails only while shutting down.
        let _ = self.inner.announce.send(cart_id);
    }
}

impl Inner {
    fn cached(&self, cart_id: Uuid, seen: Revision) -> Option<i64> {
        if !AtomicBool::load(&self.listening, Ordering::Acquire) {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        let copy = entries.by_cart.get(&cart_id)?;
        (copy.revision >= seen && copy.read_at.elapsed() < MAX_AGE).then_some(copy.items)
    }

    fn epoch(&self) -> u64 {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .epoch
    }

    /// Keeps a count read at `epoch`, unless a change came in since.
    fn keep(&self, cart_id: Uuid, items: i64, revision: Revision, epoch: u64) {
        if !AtomicBool::load(&self.listening, Ordering::Acquire) {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.epoch != epoch {
            return;
        }
        if entries.by_cart.len() >= MAX_CACHED {
            entries.by_cart.clear();
        }
        entries.by_cart.insert(
            cart_id,
            Copy {
                items,
                revision,
                read_at: Instant::now(),
            },
        );
    }

    fn drop_one(&self, cart_id: Uuid) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        entries.epoch += 1;
        entries.by_cart.remove(&cart_id);
    }

    fn drop_all(&self) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        entries.epoch += 1;
        entries.by_cart.clear();
    }
}

/// Sends `NOTIFY cart_changed` for the carts this server changed: the changes of [`GATHER`]
/// go in one notification, their ids joined by commas. It has a connection of its own, so that
/// announcing never waits for a pooled connection behind the requests.
async fn announce_changes(database_url: String, mut changed: mpsc::UnboundedReceiver<Uuid>) {
    let mut carts = Vec::with_capacity(BATCH);
    let mut connection: Option<AsyncPgConnection> = None;
    while changed.recv_many(&mut carts, BATCH).await > 0 {
        let gathered = tokio::time::sleep(GATHER);
        tokio::pin!(gathered);
        while carts.len() < BATCH {
            let room = BATCH - carts.len();
            tokio::select! {
                () = &mut gathered => break,
                received = changed.recv_many(&mut carts, room) => {
                    if received == 0 {
                        break;
                    }
                }
            }
        }
        let mut ids: Vec<String> = carts.drain(..).map(|id| id.to_string()).collect();
        ids.sort_unstable();
        ids.dedup();
        let sent = tokio::time::timeout(ANNOUNCE_TIMEOUT, async {
            let conn = match &mut connection {
                Some(conn) => conn,
                None => connection.insert(AsyncPgConnection::establish(&database_url).await?),
            };
            diesel::sql_query("SELECT pg_notify($1, $2)")
                .bind::<Text, _>(CHANNEL)
                .bind::<Text, _>(ids.join(","))
                .execute(conn)
                .await?;
            Ok::<_, anyhow::Error>(())
        })
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("no answer in {ANNOUNCE_TIMEOUT:?}")));
        if let Err(e) = sent {
            // The other servers' copies of these carts age out instead (MAX_AGE).
            tracing::warn!(error = %e, carts = ids.len(), "could not announce cart changes");
            connection = None;
        }
    }
}

fn spawn_listener(database_url: String, inner: Weak<Inner>) {
    tokio::spawn(async move {
        loop {
            let result = listen(&database_url, &inner).await;
            let Some(strong) = inner.upgrade() else {
                return;
            };
            strong.listening.store(false, Ordering::Release);
            strong.drop_all();
            drop(strong);
            if let Err(e) = result {
                tracing::warn!(error = %e, "not listening for cart changes: cart counts are read from the database until the listener reconnects");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn listen(database_url: &str, inner: &Weak<Inner>) -> anyhow::Result<()> {
    let mut conn = AsyncPgConnection::establish(database_url).await?;
    conn.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    {
        let Some(inner) = inner.upgrade() else {
            return Ok(());
        };
        // Whatever changed before LISTEN took effect was not notified to this connection.
        inner.drop_all();
        inner.listening.store(true, Ordering::Release);
    }
    loop {
        let next = {
            let mut notifications = std::pin::pin!(conn.notifications_stream());
            tokio::time::timeout(CHECK_EVERY, notifications.next()).await
        };
        let Some(inner) = inner.upgrade() else {
            return Ok(());
        };
        match next {
            Ok(Some(Ok(notification))) => {
                let carts: Result<Vec<Uuid>, _> = notification
                    .payload
                    .split(',')
                    .map(Uuid::parse_str)
                    .collect();
                match carts {
                    Ok(carts) => carts
                        .into_iter()
                        .for_each(|cart_id| inner.drop_one(cart_id)),
                    Err(_) => inner.drop_all(),
                }
            }
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(None) => anyhow::bail!("the connection closed"),
            Err(_) => tokio::time::timeout(CHECK_EVERY, conn.batch_execute("SELECT 1"))
                .await
                .map_err(|_| anyhow::anyhow!("the connection stopped answering"))??,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts() -> Inner {
        let (announce, _) = mpsc::unbounded_channel();
        Inner {
            listening: AtomicBool::new(true),
            entries: RwLock::new(Entries::default()),
            announce,
        }
    }

    #[test]
    fn a_copy_older_than_the_shoppers_last_change_is_not_used() {
        let counts = counts();
        let cart = Uuid::new_v4();
        counts.keep(cart, 2, 5, counts.epoch());
        assert_eq!(
            counts.cached(cart, 0),
            Some(2),
            "no change of the shopper's own"
        );
        assert_eq!(
            counts.cached(cart, 5),
            Some(2),
            "read at the shopper's last change"
        );
        assert_eq!(
            counts.cached(cart, 6),
            None,
            "read before the shopper's last change"
        );
    }

    #[test]
    fn a_count_read_while_a_change_came_in_is_not_kept() {
        let counts = counts();
        let cart = Uuid::new_v4();
        let epoch = counts.epoch();
        counts.drop_one(Uuid::new_v4());
        counts.keep(cart, 2, 5, epoch);
        assert_eq!(counts.cached(cart, 0), None);
    }

    #[test]
    fn nothing_is_used_while_not_listening() {
        let counts = counts();
        let cart = Uuid::new_v4();
        counts.keep(cart, 2, 5, counts.epoch());
        counts.listening.store(false, Ordering::Release);
        assert_eq!(counts.cached(cart, 0), None);
    }
}
