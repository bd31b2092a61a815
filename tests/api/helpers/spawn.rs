//! Starting the shop for a test: on port 0, with a fresh database, the in-process sandbox as
//! Stripe; or on a runtime of its own, to be stopped as a crash would stop it.

use super::*;

pub struct TestApp {
    pub address: String,
    pub pool: DbPool,
    /// The test's own database.
    pub database_url: String,
    /// Where this app stores uploaded images (a fresh temporary directory).
    pub upload_dir: std::path::PathBuf,
    /// A browser: keeps cookies, does not follow redirects (tests look at them).
    pub client: reqwest::Client,
    /// The browser's cookies.
    pub cookies: std::sync::Arc<reqwest::cookie::Jar>,
    /// Where the shop's Stripe is, and the secret key its test controls accept.
    pub stripe: StripeUnderTest,
    /// Where `/metrics` is served, when the test set `METRICS_ADDR`.
    pub metrics_address: Option<String>,
}

#[derive(Clone)]
pub struct StripeUnderTest {
    /// The API base, ending in `/` (async-stripe's form).
    pub api_base: String,
    pub secret_key: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the app with extra environment-style settings on top of the test defaults.
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    let (settings, env) = crate::common::test_settings(overrides).await;
    let database_url = env.get("DATABASE_URL").cloned().unwrap_or_default();
    let upload_dir = std::path::PathBuf::from(env.get("UPLOAD_DIR").cloned().unwrap_or_default());
    let currency = settings.currency;
    let app = Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("building the app: {e:?}"));
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    let pool = app.pool().clone();
    add_free_test_shipping(&pool, currency).await;
    let stripe = match app.sandbox_key() {
        Some(key) => StripeUnderTest {
            api_base: format!("{address}/_sandbox/"),
            secret_key: key.expose().to_owned(),
        },
        None => StripeUnderTest {
            api_base: env
                .get("STRIPE_API_BASE")
                .cloned()
                .unwrap_or_else(|| panic!("tests never talk to real Stripe")),
            secret_key: env.get("STRIPE_SECRET_KEY").cloned().unwrap_or_default(),
        },
    };
    tokio::spawn(app.run_until_stopped());
    let (client, cookies) = browser_with_cookies();
    TestApp {
        address,
        pool,
        database_url,
        upload_dir,
        client,
        cookies,
        stripe,
        metrics_address,
    }
}

/// An app running on a runtime of its own, so that stopping it ends every task it started —
/// server, reconciler, in-process sandbox — as a crash or a restart of the process would.
pub struct AppProcess {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl AppProcess {
    /// Ends the app and everything it runs.
    pub fn kill(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub async fn spawn_app_process(overrides: &[(&str, &str)]) -> (TestApp, AppProcess) {
    let (settings, env) = crate::common::test_settings(overrides).await;
    let database_url = env.get("DATABASE_URL").cloned().unwrap_or_default();
    let upload_dir = std::path::PathBuf::from(env.get("UPLOAD_DIR").cloned().unwrap_or_default());
    let currency = settings.currency;
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("a runtime for the app: {e}"));
        runtime.block_on(async move {
            let app = Application::build(settings)
                .await
                .unwrap_or_else(|e| panic!("building the app: {e:?}"));
            let key = app.sandbox_key().map(|k| k.expose().to_owned());
            let _ = ready_tx.send((app.port(), key));
            tokio::select! {
                _ = app.run_until_stopped() => {}
                _ = stop_rx => {}
            }
        });
        runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    });
    let (port, key) = ready_rx
        .await
        .unwrap_or_else(|e| panic!("the app did not start: {e}"));
    let address = format!("http://127.0.0.1:{port}");
    let pool = storefront::db::pool(&database_url, 4)
        .unwrap_or_else(|e| panic!("test database pool: {e:?}"));
    add_free_test_shipping(&pool, currency).await;
    let (client, cookies) = browser_with_cookies();
    let app = TestApp {
        stripe: StripeUnderTest {
            api_base: format!("{address}/_sandbox/"),
            secret_key: key.unwrap_or_default(),
        },
        address,
        pool,
        database_url,
        upload_dir,
        client,
        cookies,
        metrics_address: None,
    };
    (
        app,
        AppProcess {
            stop: Some(stop_tx),
            thread: Some(thread),
        },
    )
}
