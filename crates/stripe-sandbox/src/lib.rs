//! An offline Stripe: the parts of Stripe's API, Stripe.js and webhooks that a shop uses,
//! faithful enough that an app runs unchanged against it and against Stripe.
//!
//! Mount it in any actix-web app, under any scope, with [`Sandbox::configure`] (the shop serves
//! it under `/_sandbox` in sandbox mode), or serve it on a port of its own with
//! [`Sandbox::bind`] (the `stripe-sandbox` binary, tests). Under that mount point M:
//!
//! - `M/v1/...` — the API ([`api`]): PaymentIntents, Refunds, Customers, Events, Charges.
//! - `M/js/v3/stripe.js` — the Stripe.js stand-in; `M/elements/payment` — its card iframe;
//!   `M/3ds/{challenge}` — the 3-D Secure page ([`js`]).
//! - `M/_controls/...` — test controls ([`controls`]); `M/_demo` — a demo payment page.
//!
//! State lives in memory, and in a JSON snapshot when given a state file ([`persist`]);
//! webhooks are delivered by background tasks ([`webhooks`]).

pub mod api;
pub mod cards;
pub mod controls;
pub mod disputes;
pub mod error;
pub mod js;
pub mod objects;
pub mod params;
pub mod payments;
pub mod persist;
pub mod search;
mod serve;
pub mod state;
pub mod webhooks;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use actix_web::web;

use state::Store;

pub use serve::Standalone;

/// Well-known keys of [`SandboxConfig::default`]. They open nothing but this offline sandbox.
pub const DEFAULT_SECRET_KEY: &str = "sk_test_sandbox_offline_0000000000000000";
pub const DEFAULT_PUBLISHABLE_KEY: &str = "pk_test_sandbox_offline_0000000000000000";
pub const DEFAULT_WEBHOOK_SECRET: &str = "whsec_sandbox_offline_00000000000000000000";

/// How a sandbox is set up.
#[derive(Clone)]
pub struct SandboxConfig {
    /// The secret key (`sk_test_...`) accepted as `Authorization: Bearer`.
    pub secret_key: String,
    /// The publishable key (`pk_test_...`), accepted only where Stripe.js uses it.
    pub publishable_key: String,
    /// Where events are POSTed; may be empty.
    pub webhook_endpoints: Vec<WebhookEndpoint>,
    /// Where the sandbox keeps its keys and objects across restarts ([`Sandbox::open`]).
    pub state_file: Option<std::path::PathBuf>,
}

impl Default for SandboxConfig {
    /// The well-known test keys ([`DEFAULT_SECRET_KEY`], [`DEFAULT_PUBLISHABLE_KEY`]), no
    /// webhook endpoint, state in memory only.
    fn default() -> Self {
        SandboxConfig {
            secret_key: DEFAULT_SECRET_KEY.into(),
            publishable_key: DEFAULT_PUBLISHABLE_KEY.into(),
            webhook_endpoints: Vec::new(),
            state_file: None,
        }
    }
}

/// A webhook endpoint and its signing secret.
#[derive(Clone)]
pub struct WebhookEndpoint {
    pub url: String,
    /// `whsec_...`
    pub secret: String,
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("publishable_key", &self.publishable_key)
            .field(
                "webhook_endpoints",
                &self
                    .webhook_endpoints
                    .iter()
                    .map(|e| &e.url)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// What every handler shares.
pub struct Shared {
    pub(crate) secret_key: String,
    pub(crate) publishable_key: String,
    store: Mutex<Store>,
    pub(crate) http: reqwest::Client,
    /// The anonymous demo page's bounds.
    pub(crate) demo: js::DemoLimits,
    pub(crate) persistence: Option<persist::Persistence>,
    /// (credentials, idempotency key) of the requests being executed: Stripe answers a second
    /// request with the same key 409 meanwhile.
    pub(crate) in_flight: Mutex<std::collections::HashSet<(String, String)>>,
}

impl Shared {
    /// The state; never held across an `.await`.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The sandbox: cheap to clone, all clones share one state.
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").finish_non_exhaustive()
    }
}

impl Sandbox {
    /// A fresh sandbox that keeps its state in memory only. Webhook delivery tasks start here
    /// when called inside a tokio runtime, otherwise with the first request.
    pub fn new(config: SandboxConfig) -> Sandbox {
        Self::build(config, Store::default(), None)
    }

    /// A sandbox that keeps its keys and objects in `config.state_file` (written a moment
    /// after each change) and starts from what the file holds, if it exists.
    pub fn open(config: SandboxConfig) -> anyhow::Result<Sandbox> {
        let Some(path) = config.state_file.clone() else {
            return Ok(Self::new(config));
        };
        let mut store = Store::default();
        if persist::restore(&path, &mut store)? {
            tracing::info!(path = %path.display(), intents = store.intents.len(), "the sandbox's state was restored");
        }
        let keys = persist::SavedKeys {
            secret_key: config.secret_key.clone(),
            publishable_key: config.publishable_key.clone(),
            webhook_secret: config
                .webhook_endpoints
                .first()
                .map(|e| e.secret.clone())
                .unwrap_or_default(),
        };
        // Whatever it holds is written again, with these keys.
        store.revision += 1;
        Ok(Self::build(
            config,
            store,
            Some(persist::Persistence::new(path, keys)),
        ))
    }

    fn build(
        config: SandboxConfig,
        mut store: Store,
        persistence: Option<persist::Persistence>,
    ) -> Sandbox {
        for e in config.webhook_endpoints {
            store.webhooks.add_endpoint(e.url, e.secret);
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        let shared = Arc::new(Shared {
            secret_key: config.secret_key,
            publishable_key: config.publishable_key,
            store: Mutex::new(store),
            http,
            demo: js::DemoLimits::default(),
            persistence,
            in_flight: Mutex::default(),
        });
        webhooks::start_workers(&shared);
        Sandbox { shared }
    }

    /// Adds a webhook endpoint (for example once the shop knows its own port).
    pub fn add_webhook_endpoint(&self, endpoint: WebhookEndpoint) {
        self.shared
            .lock()
            .webhooks
            .add_endpoint(endpoint.url, endpoint.secret);
        webhooks::start_workers(&self.shared);
    }

    /// Registers every sandbox route relative to the current scope:
    /// `App::new().configure(|c| sandbox.configure(c))` serves it at `/`,
    /// `web::scope("/_sandbox").configure(|c| sandbox.configure(c))` under `/_sandbox/`. The
    /// pages it serves set their own security headers; an app's defaults do not apply to them.
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::Data::from(self.shared.clone()));
        api::configure(cfg);
        js::configure(cfg);
        controls::configure(cfg);
    }
}
