//! What every test binary needs to start the real app: a fresh PostgreSQL database per test
//! and the app's settings on top of the test defaults.

use std::collections::HashMap;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use storefront::config::Settings;
use uuid::Uuid;

/// The PostgreSQL server the tests create their databases on.
fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    if query.is_empty() {
        format!("{server}/{database}")
    } else {
        format!("{server}/{database}?{query}")
    }
}

async fn fresh_database() -> String {
    let server = server_url();
    let name = format!("storefront_test_{}", Uuid::new_v4().simple());
    let mut conn = AsyncPgConnection::establish(&with_database(&server, "postgres"))
        .await
        .unwrap_or_else(|e| panic!("connecting to PostgreSQL at {server}: {e}"));
    conn.batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|e| panic!("creating the test database: {e}"));
    with_database(&server, &name)
}

/// Settings for an app on a fresh database and port 0 (sandbox mode unless the overrides give
/// Stripe keys), with extra environment-style settings on top. Returns them with the
/// environment they were read from.
pub async fn test_settings(overrides: &[(&str, &str)]) -> (Settings, HashMap<String, String>) {
    if std::env::var("TEST_LOG").is_ok() {
        storefront::telemetry::init("info");
    }
    let upload_dir =
        std::env::temp_dir().join(format!("storefront-uploads-{}", Uuid::new_v4().simple()));
    let sandbox_state = std::env::temp_dir().join(format!(
        "storefront-sandbox-{}.json",
        Uuid::new_v4().simple()
    ));
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), fresh_database().await),
        ("LISTEN_ADDR".into(), "127.0.0.1:0".into()),
        ("UPLOAD_DIR".into(), upload_dir.display().to_string()),
        (
            "SANDBOX_STATE_FILE".into(),
            sandbox_state.display().to_string(),
        ),
    ]);
    for (name, value) in overrides {
        env.insert((*name).into(), (*value).into());
    }
    let settings = Settings::from_lookup(|name| env.get(name).cloned())
        .unwrap_or_else(|e| panic!("test settings: {e}"));
    (settings, env)
}
