//! How a sandbox is set up: its keys, its webhook endpoints, where it keeps its state.

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
    /// Where the sandbox keeps its keys and objects across restarts ([`Sandbox::open`](crate::Sandbox::open)).
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
