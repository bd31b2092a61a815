//! The sandbox itself: built from its configuration (and its state file), mounted in an actix
//! app with [`Sandbox::configure`]. The routes live with their concern: the API (`api/`), the
//! test controls (`controls/`) and what the browser loads (`browser/`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web;

use crate::browser::demo::DemoLimits;
use crate::config::{SandboxConfig, WebhookEndpoint};
use crate::persist::{self, Persistence, SavedKeys};
use crate::shared::Shared;
use crate::store::{SharedStore, Store};
use crate::{api, browser, controls};

/// The sandbox: cheap to clone, all clones share one state.
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
    /// The anonymous demo page's bounds, shared by every worker that serves this sandbox.
    demo: web::Data<DemoLimits>,
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
    /// after each change) and starts from what the file holds, if it exists. A file that is
    /// not a sandbox snapshot is an error, and is left as it is.
    pub fn open(config: SandboxConfig) -> anyhow::Result<Sandbox> {
        let Some(path) = config.state_file.clone() else {
            return Ok(Self::new(config));
        };
        let mut store = Store::default();
        if persist::restore(&path, &mut store)? {
            tracing::info!(path = %path.display(), intents = store.intents.len(), "the sandbox's state was restored");
        }
        let keys = SavedKeys {
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
            Some(Persistence::new(path, keys)),
        ))
    }

    fn build(config: SandboxConfig, mut store: Store, persistence: Option<Persistence>) -> Sandbox {
        store.billing.after_retries = crate::store::billing::AfterRetries::from_env();
        for e in config.webhook_endpoints {
            store.outbox.add_endpoint(e.url, e.secret);
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        let shared = Arc::new(Shared {
            secret_key: config.secret_key,
            publishable_key: config.publishable_key,
            store: Arc::new(SharedStore::new(store)),
            http,
            persistence: persistence.map(Arc::new),
            in_flight: Mutex::default(),
            settlement_started: Default::default(),
        });
        shared.start_background_tasks();
        Sandbox {
            shared,
            demo: web::Data::new(DemoLimits::default()),
        }
    }

    /// Adds a webhook endpoint (for example once the app knows its own port).
    pub fn add_webhook_endpoint(&self, endpoint: WebhookEndpoint) {
        self.shared
            .lock()
            .outbox
            .add_endpoint(endpoint.url, endpoint.secret);
        self.shared.start_background_tasks();
    }

    #[cfg(test)]
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Registers every sandbox route relative to the current scope:
    /// `App::new().configure(|c| sandbox.configure(c))` serves it at `/`,
    /// `web::scope("/_sandbox").configure(|c| sandbox.configure(c))` under `/_sandbox/`. The
    /// pages it serves set their own security headers; an app's defaults do not apply to them.
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::Data::from(self.shared.clone()))
            .app_data(self.demo.clone());
        api::configure(cfg);
        browser::configure(cfg);
        controls::configure(cfg);
    }
}
