//! The built `storefront` binary as a process of its own, as systemd runs it: for what only a
//! real process shows (signals, several servers on one database).

use std::io::BufRead;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;

pub struct ShopProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`, the port it bound.
    pub address: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl ShopProcess {
    /// Starts the binary on a port of its choosing with `database_url`, paying through
    /// `stripe`, with `extra` settings on top; returns once it listens.
    pub async fn start(
        database_url: &str,
        stripe: &StandaloneStripe,
        extra: &[(&str, &str)],
    ) -> Self {
        let workdir =
            std::env::temp_dir().join(format!("storefront-process-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&workdir)
            .unwrap_or_else(|e| panic!("creating {}: {e}", workdir.display()));
        // The shop serves (and fingerprints at start-up) ./static, as deployed beside it.
        std::os::unix::fs::symlink(
            concat!(env!("CARGO_MANIFEST_DIR"), "/static"),
            workdir.join("static"),
        )
        .unwrap_or_else(|e| panic!("linking static into {}: {e}", workdir.display()));
        let js_url = format!("{}js/v3/stripe.js", stripe.api_base);
        let mut command = Command::new(env!("CARGO_BIN_EXE_storefront"));
        // Only these settings: no developer's environment, and no .env (it runs elsewhere).
        command
            .env_clear()
            .current_dir(&workdir)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "info")
            .env("DATABASE_URL", database_url)
            .env("LISTEN_ADDR", "127.0.0.1:0")
            .env("UPLOAD_DIR", workdir.join("uploads"))
            .env("SANDBOX_STATE_FILE", "none")
            .env("STRIPE_SECRET_KEY", &stripe.secret_key)
            .env("STRIPE_PUBLISHABLE_KEY", &stripe.publishable_key)
            .env("STRIPE_WEBHOOK_SECRET", &stripe.webhook_secret)
            .env("STRIPE_API_BASE", &stripe.api_base)
            .env("STRIPE_JS_URL", &js_url);
        for (name, value) in extra {
            command.env(name, value);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting the storefront binary: {e}"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let stderr = child
            .stderr
            .take()
            .unwrap_or_else(|| panic!("the binary's stderr"));
        {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if let Some((_, port)) = line.split_once("storefront is listening port=") {
                        let _ = port_tx.send(port.trim().to_owned());
                    }
                    log.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                }
            });
        }
        let port =
            tokio::task::spawn_blocking(move || port_rx.recv_timeout(Duration::from_secs(60)))
                .await
                .ok()
                .and_then(Result::ok);
        let mut process = Self {
            child,
            address: String::new(),
            log,
        };
        match port {
            Some(port) => process.address = format!("http://127.0.0.1:{port}"),
            None => panic!("the binary did not start:\n{}", process.log()),
        }
        process
    }

    pub fn port(&self) -> u16 {
        self.address
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {}", self.address))
    }

    /// Where it serves `/metrics`, when started with `METRICS_ADDR`.
    pub fn metrics_address(&self) -> Option<String> {
        self.log()
            .lines()
            .find_map(|line| line.split_once("metrics are served at /metrics port="))
            .map(|(_, port)| format!("http://127.0.0.1:{}", port.trim()))
    }

    /// What it logged so far.
    pub fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .join("\n")
    }

    /// Sends SIGTERM, as systemd does to stop a service.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap_or_else(|e| panic!("running kill: {e}"));
        assert!(status.success(), "kill -TERM failed");
    }

    /// Its exit status once it has exited; `None` if it still runs after `within`.
    pub async fn exited_within(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(status) = self
                .child
                .try_wait()
                .unwrap_or_else(|e| panic!("waiting for the binary: {e}"))
            {
                return Some(status);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ShopProcess {
    fn drop(&mut self) {
        // A failed test must not leave a server running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A fresh database for servers the test starts itself.
pub async fn fresh_database_url() -> String {
    let (_, env) = crate::common::test_settings(&[]).await;
    env.get("DATABASE_URL")
        .cloned()
        .unwrap_or_else(|| panic!("no DATABASE_URL in the test settings"))
}

/// A browser (and a database pool) on a shop at `address` whose database is `database_url`.
pub fn test_app_at(address: &str, database_url: &str, stripe: &StandaloneStripe) -> TestApp {
    let pool = storefront::db::pool(database_url, 4)
        .unwrap_or_else(|e| panic!("test database pool: {e:?}"));
    let (client, cookies) = browser_with_cookies();
    TestApp {
        address: address.to_owned(),
        pool,
        database_url: database_url.to_owned(),
        upload_dir: std::env::temp_dir(),
        client,
        cookies,
        stripe: StripeUnderTest {
            api_base: stripe.api_base.clone(),
            secret_key: stripe.secret_key.clone(),
        },
        metrics_address: None,
    }
}
