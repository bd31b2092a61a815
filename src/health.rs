//! Health endpoints for load balancers and orchestrators, neither behind a rate limit nor a
//! session, and neither saying more than what a prober needs (no addresses, no error text):
//! - `GET /healthz` (liveness): the process answers. It touches nothing else, so a database
//!   outage does not get every server restarted.
//! - `GET /readyz` (readiness): the database answers and every migration this build embeds has
//!   been applied; 503 otherwise, so a proxy sends shoppers elsewhere.

use std::collections::HashSet;
use std::sync::LazyLock;

use actix_web::{HttpResponse, web};
use diesel::QueryableByName;
use diesel::migration::MigrationSource;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;

use crate::db::{DbPool, MIGRATIONS};

pub async fn healthz() -> HttpResponse {
    plain(HttpResponse::Ok(), "ok")
}

pub async fn readyz(pool: web::Data<DbPool>) -> HttpResponse {
    match readiness(&pool).await {
        Ok(Readiness::Ready) => plain(HttpResponse::Ok(), "ready"),
        Ok(Readiness::MigrationsPending(count)) => {
            tracing::warn!(pending = count, "not ready: migrations not applied");
            plain(
                HttpResponse::ServiceUnavailable(),
                "not ready: database migrations pending",
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            plain(
                HttpResponse::ServiceUnavailable(),
                "not ready: database unavailable",
            )
        }
    }
}

fn plain(mut response: actix_web::HttpResponseBuilder, body: &'static str) -> HttpResponse {
    response
        .content_type("text/plain")
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

#[derive(Debug, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// This many of the build's migrations are not in the database.
    MigrationsPending(usize),
}

/// The versions of the migrations built into this binary (`migrations/`).
static EMBEDDED: LazyLock<Vec<String>> = LazyLock::new(|| {
    MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map(|all| all.iter().map(|m| m.name().version().to_string()).collect())
        .unwrap_or_default()
});

#[derive(QueryableByName)]
struct Applied {
    #[diesel(sql_type = Text)]
    version: String,
}

/// Whether this server can serve: asks the database which migrations it has applied.
pub async fn readiness(pool: &DbPool) -> anyhow::Result<Readiness> {
    let mut conn = pool.get().await?;
    let applied: HashSet<String> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
            .load::<Applied>(&mut conn)
            .await?
            .into_iter()
            .map(|a| a.version)
            .collect();
    let pending = EMBEDDED.iter().filter(|v| !applied.contains(*v)).count();
    Ok(if pending == 0 {
        Readiness::Ready
    } else {
        Readiness::MigrationsPending(pending)
    })
}
