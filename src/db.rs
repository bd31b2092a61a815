//! The PostgreSQL pool and the embedded migrations.

use std::time::Duration;

use anyhow::Context;
use deadpool::managed::{Hook, HookError};
use diesel::ConnectionError;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolError as ConnectionPoolError, RecyclingMethod,
};
use diesel_async::{
    AsyncConnection, AsyncMigrationHarness, AsyncPgConnection, SimpleAsyncConnection,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt;

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// No query on the request path may hold a connection for long.
const STATEMENT_TIMEOUT: &str = "SET statement_timeout = '10s'";
/// A pooled connection not taken for this long is checked with a query before it is handed out
/// (the database, or something between, may have closed it meanwhile). One in use is handed out
/// as it is: checking every time costs every request a round trip.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(30);

pub fn pool(database_url: &str, max_size: usize) -> anyhow::Result<DbPool> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(|url| {
        async move {
            let mut conn = AsyncPgConnection::establish(url).await?;
            conn.batch_execute(STATEMENT_TIMEOUT)
                .await
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(Duration::from_secs(10)))
        .create_timeout(Some(Duration::from_secs(10)))
        .runtime(deadpool::Runtime::Tokio1)
        .pre_recycle(Hook::async_fn(|conn: &mut AsyncPgConnection, metrics| {
            let idle = metrics.last_used() >= CHECK_AFTER_IDLE;
            Box::pin(async move {
                if idle {
                    // An error drops the connection; the pool hands out another or a new one.
                    conn.batch_execute("SELECT 1")
                        .await
                        .map_err(|e| HookError::Backend(ConnectionPoolError::QueryError(e)))?;
                }
                Ok(())
            })
        }))
        .build()
        .context("building the database pool")
}

/// Keeps `query` prepared on its connection, as diesel keeps most queries, so PostgreSQL parses
/// and plans it once per connection instead of on every call. Diesel prepares afresh every
/// `sql_query`, `UPDATE`, upsert and insert with an optional column, because their SQL text may
/// differ from call to call; measured with `perf` on PostgreSQL, parsing and planning the cart's
/// one-statement add took half of its CPU. The connection keeps one prepared statement per SQL
/// text, so wrap only a statement whose text takes a few shapes (no list spelled out in it).
pub fn prepared<Q>(query: Q) -> Prepared<Q> {
    Prepared(query)
}

/// A query kept prepared on its connection: see [`prepared`].
pub struct Prepared<Q>(Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

/// Kept by its SQL text and bind types, never by its Rust type: two texts of one type are two
/// statements.
impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

/// Runs the embedded migrations that have not run yet.
pub async fn migrate(pool: &DbPool) -> anyhow::Result<()> {
    let conn = pool.get().await.context("connecting to run migrations")?;
    // The harness drives the async connection with blocking calls, so it runs off the executor.
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut harness = AsyncMigrationHarness::new(conn);
        harness
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("running migrations: {e}"))?;
        Ok(())
    })
    .await
    .context("migration task")?
}

/// A database call that failed: no connection could be had, or the query failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database connection: {0}")]
    Pool(#[from] deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>),
    #[error("database query: {0}")]
    Query(#[from] diesel::result::Error),
}
