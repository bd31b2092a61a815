//! The sandbox on a port of its own: [`Sandbox::bind`], and the `stripe-sandbox` binary.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use stripe_core::payment_intent::{CreatePaymentIntent, RetrievePaymentIntent};
use stripe_sandbox::{DEFAULT_SECRET_KEY, Sandbox, SandboxConfig};
use stripe_types::Currency;

#[tokio::test]
async fn the_standalone_sandbox_serves_the_api_and_stripe_js_at_the_root() {
    let server = Sandbox::new(SandboxConfig::default())
        .bind("127.0.0.1:0")
        .unwrap();
    let base = server.url();
    assert_eq!(base, format!("http://{}/", server.addr()));
    tokio::spawn(server.run());
    let client = stripe::ClientBuilder::new(DEFAULT_SECRET_KEY)
        .url(base.clone())
        .build()
        .unwrap();
    let created = CreatePaymentIntent::new(2000, Currency::USD)
        .send(&client)
        .await
        .unwrap();
    let again = RetrievePaymentIntent::new(created.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(again.id, created.id);
    let js = reqwest::get(format!("{base}js/v3/stripe.js"))
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
}

/// The `stripe-sandbox` binary, stopped when dropped.
struct Running {
    child: Child,
    /// What it printed on start.
    banner: Vec<String>,
    /// Kept open: the binary must not write to a closed pipe.
    _stdout: BufReader<ChildStdout>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stripe-sandbox"))
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting stripe-sandbox");
        let mut stdout = BufReader::new(child.stdout.take().expect("its output"));
        let mut banner = Vec::new();
        loop {
            let mut line = String::new();
            let read = stdout.read_line(&mut line).expect("a line of output");
            assert!(read > 0, "stripe-sandbox stopped after printing {banner:?}");
            let last = line.contains("demo payment page");
            banner.push(line.trim_end().to_owned());
            if last {
                break;
            }
        }
        Running {
            child,
            banner,
            _stdout: stdout,
        }
    }

    /// The value printed as `NAME=value`.
    fn setting(&self, name: &str) -> String {
        let prefix = format!("{name}=");
        self.banner
            .iter()
            .find_map(|l| l.trim().strip_prefix(&prefix).map(str::to_owned))
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.banner))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_what_an_app_needs_and_keeps_its_objects_in_the_state_file() {
    let state = std::env::temp_dir().join(format!(
        "sandbox-binary-{}.json",
        uuid::Uuid::new_v4().simple()
    ));
    let state = state.display().to_string();
    let args = [
        "--port",
        "0",
        "--secret-key",
        "sk_test_binary_0123456789",
        "--state-file",
        &state,
    ];
    let first = Running::start(&args);
    assert_eq!(
        first.setting("STRIPE_SECRET_KEY"),
        "sk_test_binary_0123456789"
    );
    let base = first.setting("STRIPE_API_BASE");
    assert_eq!(
        first.setting("STRIPE_JS_URL"),
        format!("{base}js/v3/stripe.js")
    );
    let client = stripe::ClientBuilder::new("sk_test_binary_0123456789")
        .url(base)
        .build()
        .unwrap();
    let created = CreatePaymentIntent::new(2000, Currency::USD)
        .send(&client)
        .await
        .unwrap();
    let mut written = false;
    for _ in 0..50 {
        if std::fs::read_to_string(&state).is_ok_and(|s| s.contains(created.id.as_str())) {
            written = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(written, "the snapshot is written shortly after a change");
    drop(first);

    let second = Running::start(&args);
    let client = stripe::ClientBuilder::new("sk_test_binary_0123456789")
        .url(second.setting("STRIPE_API_BASE"))
        .build()
        .unwrap();
    let again = RetrievePaymentIntent::new(created.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(again.client_secret, created.client_secret);
    let _ = std::fs::remove_file(&state);
}
