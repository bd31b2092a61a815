//! actix-session's storage: sessions in PostgreSQL, shared by every app server, with an
//! in-memory copy on each so that a page view does not wait on a session query.
//!
//! A session's state is split in two. What only matters to the browser that holds it — the
//! CSRF token, the one-time flash message, the guest orders this browser placed and the revision
//! of its last change to its cart — travels in
//! the (encrypted, authenticated) cookie. The rest — who is signed in, the cart — lives in the
//! `sessions` table, found by the SHA-256 of a random id that only the cookie holds. So a
//! visitor who only browses has no row, a flash message or a placed order costs no write (a
//! row's change notifies every server, and PostgreSQL commits notifying transactions one at a
//! time: checkouts would queue on it), and a row can be revoked: sign-out and a password change
//! delete it, and so does its idle timeout or absolute lifetime (the cookie's part of a session
//! whose row is gone is not read).
//!
//! Each server keeps the rows it has read; a trigger sends `NOTIFY session_changed` with the
//! id's hash whenever a row changes or goes, and every server drops its copy. While the
//! listening connection is down the copies are not used (as for the catalog,
//! `src/catalog/cache.rs`).
//!
//! The cookie's value is `c.<cookie part>` for a session without a row, and
//! `s.<id>.<cookie part>` for one with a row.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::StreamExt;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::db::DbPool;
use crate::schema::sessions;

/// Keys kept in the cookie; every other key of the state is kept in the database.
const COOKIE_KEYS: [&str; 4] = [
    super::CSRF,
    super::FLASH,
    super::GUEST_ORDERS,
    super::CART_REVISION,
];
/// The channel the trigger notifies.
const CHANNEL: &str = "session_changed";
/// Copies kept per server; past it the copies are dropped (and read again when used).
const MAX_CACHED: usize = 100_000;
/// How long the listening connection may stay quiet before it is checked.
const CHECK_EVERY: Duration = Duration::from_secs(10);

type State = HashMap<String, String>;
type Part = BTreeMap<String, String>;
/// A server part as a copy keeps it: its pairs in key order, in one allocation (a `BTreeMap`
/// of one pair allocates a node for eleven, and a server keeps up to [`MAX_CACHED`] copies).
type KeptPart = Arc<[(String, String)]>;

fn kept(part: Part) -> KeptPart {
    part.into_iter().collect()
}

/// How long sessions live.
#[derive(Debug, Clone)]
pub struct SessionLimits {
    /// A session not used for this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after it started (at sign-in, or when it first held
    /// something), however much it is used.
    pub lifetime: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(3 * 24 * 60 * 60),
            lifetime: Duration::from_secs(30 * 24 * 60 * 60),
        }
    }
}

#[derive(Clone)]
pub struct PgSessionStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: DbPool,
    limits: SessionLimits,
    cache: SessionCache,
}

impl std::fmt::Debug for PgSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSessionStore")
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

/// The server part of a session as read from its row.
#[derive(Debug, Clone)]
struct Cached {
    server: KeptPart,
    expires_at: OffsetDateTime,
    last_seen: OffsetDateTime,
}

#[derive(Default)]
struct SessionCache {
    /// Whether notifications are being received; when not, copies are not used.
    listening: AtomicBool,
    entries: RwLock<Entries>,
}

#[derive(Default)]
struct Entries {
    /// Bumped by every notification: a copy read before a notification is not kept.
    epoch: u64,
    by_id: HashMap<String, Cached>,
}

impl SessionCache {
    fn get(&self, id: &str) -> Option<Cached> {
        if !AtomicBool::load(&self.listening, Ordering::Acquire) {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        entries.by_id.get(id).cloned()
    }

    fn epoch(&self) -> u64 {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .epoch
    }

    /// Keeps a copy read at `epoch`, unless a notification came in since.
    fn keep(&self, id: String, cached: Cached, epoch: u64) {
        if !AtomicBool::load(&self.listening, Ordering::Acquire) {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.epoch != epoch {
            return;
        }
        if entries.by_id.len() >= MAX_CACHED {
            entries.by_id.clear();
        }
        entries.by_id.insert(id, cached);
    }

    fn seen(&self, id: &str, at: OffsetDateTime) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(cached) = entries.by_id.get_mut(id) {
            cached.last_seen = at;
        }
    }

    fn drop_one(&self, id: &str) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        entries.epoch += 1;
        entries.by_id.remove(id);
    }

    fn drop_all(&self) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        entries.epoch += 1;
        entries.by_id.clear();
    }
}

/// What a cookie's session key says.
enum Parsed {
    /// No row: the whole state is in the cookie.
    CookieOnly(Part),
    /// A row, found by the hash of the id, plus the cookie's part.
    Row { id: String, cookie: Part },
}

fn parse(key: &SessionKey) -> Option<Parsed> {
    let key = key.as_ref();
    if let Some(cookie) = key.strip_prefix("c.") {
        return serde_json::from_str(cookie).ok().map(Parsed::CookieOnly);
    }
    let (id, cookie) = key.strip_prefix("s.")?.split_once('.')?;
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(Parsed::Row {
        id: id.to_owned(),
        cookie: serde_json::from_str(cookie).ok()?,
    })
}

fn split(state: State) -> (Part, Part) {
    state
        .into_iter()
        .partition(|(key, _)| COOKIE_KEYS.contains(&key.as_str()))
}

fn key_of(id: Option<&str>, cookie: &Part) -> anyhow::Result<SessionKey> {
    let cookie = serde_json::to_string(cookie)?;
    let key = match id {
        Some(id) => format!("s.{id}.{cookie}"),
        None => format!("c.{cookie}"),
    };
    Ok(SessionKey::try_from(key)?)
}

/// The row's key: the SHA-256 of the id, so the table alone opens no session.
fn hashed(id: &str) -> String {
    lower_hex(&Sha256::digest(id.as_bytes()))
}

fn new_id() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    lower_hex(&bytes)
}

/// Every request with a session hashes its id: one allocation, not one per byte.
fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

/// The signed-in user's id, for revoking an account's sessions.
fn user_id(server: &Part) -> Option<i64> {
    let user: super::SessionUser = serde_json::from_str(server.get(super::USER)?).ok()?;
    Some(user.id)
}

fn to_json(part: &Part) -> serde_json::Value {
    serde_json::Value::Object(
        part.iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect(),
    )
}

fn from_json(value: serde_json::Value) -> Part {
    match value {
        serde_json::Value::Object(map) => map
            .into_iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k, s)),
                _ => None,
            })
            .collect(),
        _ => Part::new(),
    }
}

impl PgSessionStore {
    /// The store, listening for changes for as long as the server runs.
    pub fn start(pool: DbPool, database_url: String, limits: SessionLimits) -> Self {
        let store = Self {
            inner: Arc::new(Inner {
                pool: pool.clone(),
                limits,
                cache: SessionCache::default(),
            }),
        };
        spawn_listener(database_url, Arc::downgrade(&store.inner));
        spawn_cleanup(Arc::downgrade(&store.inner));
        store
    }

    fn idle(&self) -> time::Duration {
        time::Duration::try_from(self.inner.limits.idle_timeout).unwrap_or(time::Duration::MAX)
    }

    /// Marks a session as used no more often than this (one write, nobody notified).
    fn touch_every(&self) -> time::Duration {
        let every: time::Duration = self.idle() / 20_i32;
        every.min(time::Duration::minutes(5))
    }

    /// The server part of the row with this hash, if the session is still alive.
    async fn server_part(&self, hash: &str) -> anyhow::Result<Option<KeptPart>> {
        let now = OffsetDateTime::now_utc();
        if let Some(cached) = self.inner.cache.get(hash) {
            if cached.expires_at <= now {
                return Ok(None);
            }
            // Idle here may not be idle everywhere: another server may have seen it since.
            if cached.last_seen + self.idle() > now {
                self.touch(hash, cached.last_seen, now);
                return Ok(Some(cached.server));
            }
        }
        let epoch = self.inner.cache.epoch();
        let mut conn = self.inner.pool.get().await?;
        let row: Option<(serde_json::Value, OffsetDateTime, OffsetDateTime)> = sessions::table
            .find(hash)
            .filter(sessions::expires_at.gt(now))
            .filter(sessions::last_seen_at.gt(now - self.idle()))
            .select((
                sessions::state,
                sessions::expires_at,
                sessions::last_seen_at,
            ))
            .first(&mut conn)
            .await
            .optional()?;
        drop(conn);
        let Some((state, expires_at, last_seen)) = row else {
            return Ok(None);
        };
        let server = kept(from_json(state));
        self.inner.cache.keep(
            hash.to_owned(),
            Cached {
                server: server.clone(),
                expires_at,
                last_seen,
            },
            epoch,
        );
        self.touch(hash, last_seen, now);
        Ok(Some(server))
    }

    /// Records that the session was used, in the background, when the last record is old.
    fn touch(&self, hash: &str, last_seen: OffsetDateTime, now: OffsetDateTime) {
        if now - last_seen < self.touch_every() {
            return;
        }
        self.inner.cache.seen(hash, now);
        let (pool, hash) = (self.inner.pool.clone(), hash.to_owned());
        tokio::spawn(async move {
            let touched = async {
                let mut conn = pool.get().await?;
                diesel::update(sessions::table.find(&hash))
                    .set(sessions::last_seen_at.eq(diesel::dsl::now))
                    .execute(&mut conn)
                    .await?;
                anyhow::Ok(())
            };
            if let Err(e) = touched.await {
                tracing::warn!(error = %e, "could not mark a session as used");
            }
        });
    }

    async fn insert(&self, server: Part, cookie: &Part) -> anyhow::Result<SessionKey> {
        let id = new_id();
        let hash = hashed(&id);
        let now = OffsetDateTime::now_utc();
        let expires_at = now + self.inner.limits.lifetime;
        let mut conn = self.inner.pool.get().await?;
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&hash),
                sessions::user_id.eq(user_id(&server)),
                sessions::state.eq(to_json(&server)),
                sessions::expires_at.eq(expires_at),
            ))
            .execute(&mut conn)
            .await?;
        // A new row was never notified about: its copy can be kept at once.
        let epoch = self.inner.cache.epoch();
        self.inner.cache.keep(
            hash,
            Cached {
                server: kept(server),
                expires_at,
                last_seen: now,
            },
            epoch,
        );
        key_of(Some(&id), cookie)
    }

    async fn save_state(&self, state: State) -> anyhow::Result<SessionKey> {
        let (cookie, server) = split(state);
        if server.is_empty() {
            key_of(None, &cookie)
        } else {
            self.insert(server, &cookie).await
        }
    }

    async fn update_state(&self, key: SessionKey, state: State) -> anyhow::Result<SessionKey> {
        let Some(Parsed::Row { id, .. }) = parse(&key) else {
            return self.save_state(state).await;
        };
        let (cookie, server) = split(state);
        let hash = hashed(&id);
        // Only the cookie's part changed (a flash message, the CSRF token): no write.
        if self.inner.cache.get(&hash).is_some_and(|cached| {
            cached.server.len() == server.len()
                && cached
                    .server
                    .iter()
                    .zip(&server)
                    .all(|((k, v), (key, value))| k == key && v == value)
        }) {
            return key_of(Some(&id), &cookie);
        }
        let mut conn = self.inner.pool.get().await?;
        let updated = diesel::update(
            sessions::table
                .find(&hash)
                .filter(sessions::expires_at.gt(diesel::dsl::now)),
        )
        .set((
            sessions::user_id.eq(user_id(&server)),
            sessions::state.eq(to_json(&server)),
        ))
        .execute(&mut conn)
        .await?;
        self.inner.cache.drop_one(&hash);
        if updated == 0 {
            // Revoked or expired while this request ran: it is not brought back.
            return key_of(None, &cookie);
        }
        key_of(Some(&id), &cookie)
    }
}

impl SessionStore for PgSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<State>, LoadError> {
        match parse(session_key) {
            None => Ok(None),
            Some(Parsed::CookieOnly(cookie)) => Ok(Some(cookie.into_iter().collect())),
            Some(Parsed::Row { id, cookie }) => {
                let server = self
                    .server_part(&hashed(&id))
                    .await
                    .map_err(LoadError::Other)?;
                Ok(server.map(|server| {
                    server
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .chain(cookie)
                        .collect()
                }))
            }
        }
    }

    async fn save(&self, state: State, _ttl: &CookieDuration) -> Result<SessionKey, SaveError> {
        self.save_state(state).await.map_err(SaveError::Other)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        state: State,
        _ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        self.update_state(session_key, state)
            .await
            .map_err(UpdateError::Other)
    }

    async fn update_ttl(&self, _key: &SessionKey, _ttl: &CookieDuration) -> anyhow::Result<()> {
        // The idle timeout is kept by `touch`, the lifetime by the row's `expires_at`.
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> anyhow::Result<()> {
        if let Some(Parsed::Row { id, .. }) = parse(session_key) {
            let hash = hashed(&id);
            let mut conn = self.inner.pool.get().await?;
            diesel::delete(sessions::table.find(&hash))
                .execute(&mut conn)
                .await?;
            self.inner.cache.drop_one(&hash);
        }
        Ok(())
    }
}

/// Ends every session of the account except `keep` (the one that changed the password), on
/// every server.
pub async fn revoke_user_sessions(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    keep: Option<&str>,
) -> QueryResult<usize> {
    let keep = keep.map(hashed).unwrap_or_default();
    diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::id.ne(keep)),
    )
    .execute(conn)
    .await
}

fn spawn_listener(database_url: String, inner: std::sync::Weak<Inner>) {
    tokio::spawn(async move {
        loop {
            let Some(strong) = inner.upgrade() else {
                return;
            };
            let result = listen(&database_url, &inner).await;
            strong.cache.listening.store(false, Ordering::Release);
            strong.cache.drop_all();
            drop(strong);
            if let Err(e) = result {
                tracing::warn!(error = %e, "not listening for session changes: sessions are read from the database until the listener reconnects");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn listen(database_url: &str, inner: &std::sync::Weak<Inner>) -> anyhow::Result<()> {
    let mut conn = AsyncPgConnection::establish(database_url).await?;
    conn.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    {
        let Some(inner) = inner.upgrade() else {
            return Ok(());
        };
        // Whatever changed before LISTEN took effect was not notified to this connection.
        inner.cache.drop_all();
        inner.cache.listening.store(true, Ordering::Release);
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
            Ok(Some(Ok(notification))) => inner.cache.drop_one(&notification.payload),
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(None) => anyhow::bail!("the connection closed"),
            Err(_) => tokio::time::timeout(CHECK_EVERY, conn.batch_execute("SELECT 1"))
                .await
                .map_err(|_| anyhow::anyhow!("the connection stopped answering"))??,
        }
    }
}

/// Deletes ended sessions now and then.
fn spawn_cleanup(inner: std::sync::Weak<Inner>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(10 * 60));
        loop {
            tick.tick().await;
            let Some(inner) = inner.upgrade() else {
                return;
            };
            let idle =
                time::Duration::try_from(inner.limits.idle_timeout).unwrap_or(time::Duration::MAX);
            let now = OffsetDateTime::now_utc();
            let deleted = async {
                let mut conn = inner.pool.get().await?;
                let n = diesel::delete(
                    sessions::table.filter(
                        sessions::expires_at
                            .lt(now)
                            .or(sessions::last_seen_at.lt(now - idle)),
                    ),
                )
                .execute(&mut conn)
                .await?;
                anyhow::Ok(n)
            };
            match deleted.await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "deleted ended sessions"),
                Err(e) => tracing::warn!(error = %e, "could not delete ended sessions"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_token_flash_and_guest_orders_travel_in_the_cookie_the_rest_in_the_database() {
        let state: State = [
            ("csrf".to_owned(), "\"t\"".to_owned()),
            ("flash".to_owned(), "{}".to_owned()),
            ("guest_orders".to_owned(), "[]".to_owned()),
            ("cart_id".to_owned(), "\"c\"".to_owned()),
        ]
        .into_iter()
        .collect();
        let (cookie, server) = split(state);
        assert_eq!(
            cookie.keys().collect::<Vec<_>>(),
            ["csrf", "flash", "guest_orders"]
        );
        assert_eq!(server.keys().collect::<Vec<_>>(), ["cart_id"]);
    }

    #[test]
    fn keys_round_trip_and_forged_ids_are_refused() {
        let cookie: Part = [("csrf".to_owned(), "\"t\"".to_owned())]
            .into_iter()
            .collect();
        let id = new_id();
        let key = key_of(Some(&id), &cookie).unwrap_or_else(|e| panic!("{e}"));
        match parse(&key) {
            Some(Parsed::Row {
                id: parsed,
                cookie: c,
            }) => {
                assert_eq!(parsed, id);
                assert_eq!(c, cookie);
            }
            _ => panic!("not a row key"),
        }
        let bad = SessionKey::try_from("s.xyz.{}".to_owned()).unwrap_or_else(|e| panic!("{e}"));
        assert!(parse(&bad).is_none());
        assert_ne!(hashed(&id), id);
    }
}
