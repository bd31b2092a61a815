//! The shop against a standalone sandbox on its own port, as against a Stripe account.

use super::*;

/// A sandbox on its own port, as a Stripe account that several shops can share.
pub struct StandaloneStripe {
    sandbox: stripe_sandbox::Sandbox,
    pub secret_key: String,
    pub publishable_key: String,
    pub webhook_secret: String,
    pub api_base: String,
}

pub async fn spawn_standalone_stripe() -> StandaloneStripe {
    use stripe_sandbox::{Sandbox, SandboxConfig};
    let secret_key = format!("sk_test_{}", Uuid::new_v4().simple());
    let publishable_key = format!("pk_test_{}", Uuid::new_v4().simple());
    let webhook_secret = format!("whsec_{}", Uuid::new_v4().simple());
    let sandbox = Sandbox::new(SandboxConfig {
        secret_key: secret_key.clone(),
        publishable_key: publishable_key.clone(),
        webhook_endpoints: Vec::new(),
        state_file: None,
    });
    let server = sandbox
        .bind("127.0.0.1:0")
        .unwrap_or_else(|e| panic!("binding the sandbox: {e}"));
    let api_base = server.url();
    tokio::spawn(server.run());
    StandaloneStripe {
        sandbox,
        secret_key,
        publishable_key,
        webhook_secret,
        api_base,
    }
}

impl StandaloneStripe {
    /// Sends this account's webhooks to `url` too, as an endpoint added in Stripe's dashboard.
    pub fn send_webhooks_to(&self, url: &str) {
        self.sandbox
            .add_webhook_endpoint(stripe_sandbox::WebhookEndpoint {
                url: url.to_owned(),
                secret: self.webhook_secret.clone(),
            });
    }
}

/// The shop configured with Stripe keys, as a developer runs it against real Stripe, but
/// pointed at `stripe` (a standalone sandbox); its webhook endpoint is added to the sandbox.
pub async fn spawn_app_on(stripe: &StandaloneStripe) -> TestApp {
    use stripe_sandbox::WebhookEndpoint;
    let js_url = format!("{}js/v3/stripe.js", stripe.api_base);
    let app = spawn_app_with(&[
        ("STRIPE_SECRET_KEY", &stripe.secret_key),
        ("STRIPE_PUBLISHABLE_KEY", &stripe.publishable_key),
        ("STRIPE_WEBHOOK_SECRET", &stripe.webhook_secret),
        ("STRIPE_API_BASE", &stripe.api_base),
        ("STRIPE_JS_URL", &js_url),
    ])
    .await;
    stripe.sandbox.add_webhook_endpoint(WebhookEndpoint {
        url: format!("{}/webhooks/stripe", app.address),
        secret: stripe.webhook_secret.clone(),
    });
    app
}

/// The shop configured with Stripe keys, as a developer runs it against real Stripe, but
/// pointed at a standalone sandbox on its own port. Returns the app and its webhook secret.
pub async fn spawn_app_with_standalone_sandbox() -> (TestApp, String) {
    let stripe = spawn_standalone_stripe().await;
    let app = spawn_app_on(&stripe).await;
    (app, stripe.webhook_secret)
}
