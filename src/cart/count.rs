//! The header's cart count, kept in memory on each server so that a page view costs no query.
//!
//! A server that changes a cart (add, update, remove, the merge at sign-in, an order placed
//! from it) drops its own copy at once and, once the change has committed, tells the other
//! servers with `NOTIFY cart_changed` (the cart's id), sent by a background task that sends
//! whatever changed meanwhile in one statement; the request answers once that is committed, so
//! the shopper's next page, on whichever server, is not older than the change (give or take
//! the notification's delivery, as for sessions and the catalog). The notification is not sent by a trigger in
//! the changing transaction: PostgreSQL commits notifying transactions one at a time, so every
//! add to cart would queue behind the one before it (10× fewer commits per second here).
//! Every server listens on a connection of its own; while it is down, copies are not used.
//!
//! The one change that is not made through a shopper's request is the payment of an order,
//! which takes what it bought out of its cart (a webhook, the reconciler, any server): so the
//! count of a cart with an order waiting for payment is never kept, and placing an order drops
//! the copies. A copy is also never older than [`MAX_AGE`], in case a server stopped between a
//! change's commit and its notification.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock, Weak};
use std::time::{Duration, Instant};

use diesel::sql_types::{Array, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::db;
use crate::db::{DbError, DbPool};

/// The channel changes are announced on.
const CHANNEL: &str = "cart_changed";
/// Copies kept per server; past it they are dropped (and read again when used).
const MAX_CACHED: usize = 100_000;
/// The oldest copy served.
const MAX_AGE: Duration = Duration::from_secs(60);
/// Carts announced in one statement at most.
const BATCH: usize = 200;
/// How long a request waits at most for its change to be announced.
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
    /// Carts this server changed, for the other servers to hear about, and who waits for it.
    announce: mpsc::UnboundedSender<(Uuid, oneshot::Sender<()>)>,
}

#[derive(Default)]
struct Entries {
    /// Bumped by every change: a count read before a change is not kept.
    epoch: u64,
    by_cart: HashMap<Uuid, (i64, Instant)>,
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

    /// How many items the cart holds.
    pub async fn count(&self, pool: &DbPool, cart_id: Uuid) -> Result<i64, DbError> {
        if let Some(count) = self.inner.cached(cart_id) {
            return Ok(count);
        }
        let epoch = self.inner.epoch();
        let mut conn = pool.get().await?;
        let (count, awaiting_payment) = db::item_count(&mut conn, cart_id).await?;
        if !awaiting_payment {
            self.inner.keep(cart_id, count, epoch);
        }
        Ok(count)
    }

    /// This server changed the cart (call it once the change has committed): its copy goes now,
    /// and the other servers are told before this returns.
    pub async fn changed(&self, cart_id: Uuid) {
        self.inner.drop_one(cart_id);
        let (done, announced) = oneshot::channel();
        // The receiver lives as long as the runtime; a send fails only while shutting down.
        if self.inner.announce.send((cart_id, done)).is_ok() {
            let _ = announced.await;
        }
    }
}

impl Inner {
    fn cached(&self, cart_id: Uuid) -> Option<i64> {
        if !AtomicBool::load(&self.listening, Ordering::Acquire) {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        let (count, read_at) = entries.by_cart.get(&cart_id)?;
        (read_at.elapsed() < MAX_AGE).then_some(*count)
    }

    fn epoch(&self) -> u64 {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .epoch
    }

    /// Keeps a count read at `epoch`, unless a change came in since.
    fn keep(&self, cart_id: Uuid, count: i64, epoch: u64) {
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
        entries.by_cart.insert(cart_id, (count, Instant::now()));
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

/// Sends `NOTIFY cart_changed` for the carts this server changed: whatever came in while the
/// previous statement ran goes in the next one, so under load one commit announces many carts.
/// It has a connection of its own, not one of the pool's: the requests waiting for it may hold
/// every pooled connection.
async fn announce_changes(
    database_url: String,
    mut changed: mpsc::UnboundedReceiver<(Uuid, oneshot::Sender<()>)>,
) {
    let mut carts = Vec::with_capacity(BATCH);
    let mut connection: Option<AsyncPgConnection> = None;
    while changed.recv_many(&mut carts, BATCH).await > 0 {
        let (ids, waiting): (Vec<Uuid>, Vec<oneshot::Sender<()>>) = carts.drain(..).unzip();
        let mut ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        ids.sort_unstable();
        ids.dedup();
        let sent = tokio::time::timeout(ANNOUNCE_TIMEOUT, async {
            let conn = match &mut connection {
                Some(conn) => conn,
                None => connection.insert(AsyncPgConnection::establish(&database_url).await?),
            };
            diesel::sql_query("SELECT pg_notify($1, id) FROM unnest($2) AS id")
                .bind::<Text, _>(CHANNEL)
                .bind::<Array<Text>, _>(&ids)
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
        for done in waiting {
            let _ = done.send(());
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
            Ok(Some(Ok(notification))) => match Uuid::parse_str(&notification.payload) {
                Ok(cart_id) => inner.drop_one(cart_id),
                Err(_) => inner.drop_all(),
            },
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(None) => anyhow::bail!("the connection closed"),
            Err(_) => tokio::time::timeout(CHECK_EVERY, conn.batch_execute("SELECT 1"))
                .await
                .map_err(|_| anyhow::anyhow!("the connection stopped answering"))??,
        }
    }
}
