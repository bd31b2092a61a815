//! `storefront sandbox --port N [--webhook-url URL ...] [--webhook-secret whsec_...]
//! [--state-file PATH]`: the sandbox alone on `127.0.0.1:N`, mounted at `/`, its objects kept
//! in `PATH` across restarts when given.

use std::net::{SocketAddr, TcpListener};

use actix_web::{App, HttpServer};
use anyhow::{Context, bail};

use super::{Sandbox, SandboxConfig, WebhookEndpoint};

/// Well-known keys of the standalone sandbox. They only open this offline sandbox.
pub const DEFAULT_SECRET_KEY: &str = "sk_test_sandbox_offline_0000000000000000";
pub const DEFAULT_PUBLISHABLE_KEY: &str = "pk_test_sandbox_offline_0000000000000000";
pub const DEFAULT_WEBHOOK_SECRET: &str = "whsec_sandbox_offline_00000000000000000000";

/// Command-line arguments of `storefront sandbox`.
#[derive(Clone, PartialEq, Eq)]
pub struct StandaloneArgs {
    /// 0 picks a free port.
    pub port: u16,
    pub webhook_urls: Vec<String>,
    pub webhook_secret: String,
    pub secret_key: String,
    pub publishable_key: String,
    /// Keep the sandbox's objects in this file across restarts.
    pub state_file: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for StandaloneArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandaloneArgs")
            .field("port", &self.port)
            .field("webhook_urls", &self.webhook_urls)
            .finish_non_exhaustive()
    }
}

impl Default for StandaloneArgs {
    fn default() -> Self {
        StandaloneArgs {
            port: 12111,
            webhook_urls: Vec::new(),
            webhook_secret: DEFAULT_WEBHOOK_SECRET.into(),
            secret_key: DEFAULT_SECRET_KEY.into(),
            publishable_key: DEFAULT_PUBLISHABLE_KEY.into(),
            state_file: None,
        }
    }
}

pub const USAGE: &str = "usage: storefront sandbox [--port N] [--webhook-url URL ...] [--webhook-secret whsec_...] [--secret-key sk_test_...] [--publishable-key pk_test_...] [--state-file PATH]";

impl StandaloneArgs {
    /// Parses the arguments after `sandbox`.
    pub fn parse(args: impl IntoIterator<Item = String>) -> anyhow::Result<StandaloneArgs> {
        let mut out = StandaloneArgs::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (arg.clone(), None),
            };
            if name == "--help" || name == "-h" {
                bail!("{USAGE}");
            }
            let mut value = || -> anyhow::Result<String> {
                match inline.clone() {
                    Some(v) => Ok(v),
                    None => args
                        .next()
                        .with_context(|| format!("{name} needs a value\n{USAGE}")),
                }
            };
            match name.as_str() {
                "--port" => {
                    out.port = value()?
                        .parse()
                        .with_context(|| format!("--port must be a port number\n{USAGE}"))?
                }
                "--webhook-url" => out.webhook_urls.push(value()?),
                "--webhook-secret" => out.webhook_secret = value()?,
                "--secret-key" => out.secret_key = value()?,
                "--publishable-key" => out.publishable_key = value()?,
                "--state-file" => out.state_file = Some(value()?.into()),
                other => bail!("unknown argument {other}\n{USAGE}"),
            }
        }
        if !out.secret_key.starts_with("sk_test_") {
            bail!("--secret-key must be a test key (sk_test_...)");
        }
        if !out.publishable_key.starts_with("pk_test_") {
            bail!("--publishable-key must be a test key (pk_test_...)");
        }
        if !out.webhook_secret.starts_with("whsec_") {
            bail!("--webhook-secret must start with whsec_");
        }
        for url in &out.webhook_urls {
            reqwest::Url::parse(url)
                .with_context(|| format!("--webhook-url {url} is not a URL"))?;
        }
        Ok(out)
    }

    fn config(&self) -> SandboxConfig {
        SandboxConfig {
            state_file: self.state_file.clone(),
            secret_key: self.secret_key.clone(),
            publishable_key: self.publishable_key.clone(),
            webhook_endpoints: self
                .webhook_urls
                .iter()
                .map(|url| WebhookEndpoint {
                    url: url.clone(),
                    secret: self.webhook_secret.clone(),
                })
                .collect(),
        }
    }
}

/// Binds `127.0.0.1:port` and returns the server (not yet awaited), its address and the sandbox.
pub fn bind(
    args: &StandaloneArgs,
) -> anyhow::Result<(actix_web::dev::Server, SocketAddr, Sandbox)> {
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    let addr = listener.local_addr()?;
    let sandbox = Sandbox::open(args.config())?;
    let app_sandbox = sandbox.clone();
    let server = HttpServer::new(move || {
        let sandbox = app_sandbox.clone();
        App::new().configure(move |c| sandbox.configure(c))
    })
    .listen(listener)?
    .run();
    Ok((server, addr, sandbox))
}

/// Runs the standalone sandbox until interrupted, after printing what a shop needs to use it.
pub async fn run(args: StandaloneArgs) -> anyhow::Result<()> {
    let (server, addr, _sandbox) = bind(&args)?;
    let base = format!("http://{addr}/");
    println!("Stripe sandbox (offline, test mode only) listening on {base}");
    println!();
    println!("  STRIPE_SECRET_KEY={}", args.secret_key);
    println!("  STRIPE_PUBLISHABLE_KEY={}", args.publishable_key);
    println!("  STRIPE_WEBHOOK_SECRET={}", args.webhook_secret);
    println!("  STRIPE_API_BASE={base}");
    println!("  STRIPE_JS_URL={base}js/v3/stripe.js");
    println!();
    if args.webhook_urls.is_empty() {
        println!(
            "  webhooks: none (add one with --webhook-url or POST {base}_controls/webhooks/endpoints)"
        );
    }
    for url in &args.webhook_urls {
        println!("  webhooks -> {url}");
    }
    println!("  test controls: {base}_controls (Authorization: Bearer <secret key>)");
    println!("  demo payment page: {base}_demo");
    server.await.context("the sandbox server stopped")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> anyhow::Result<StandaloneArgs> {
        StandaloneArgs::parse(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn the_command_line_takes_a_port_several_webhook_urls_and_a_secret() {
        let parsed = args(&[
            "--port",
            "4242",
            "--webhook-url",
            "http://127.0.0.1:8080/webhooks/stripe",
            "--webhook-url=http://127.0.0.1:9090/hook",
            "--webhook-secret",
            "whsec_abc",
        ])
        .ok();
        assert_eq!(parsed.as_ref().map(|a| a.port), Some(4242));
        assert_eq!(parsed.as_ref().map(|a| a.webhook_urls.len()), Some(2));
        assert_eq!(
            parsed.as_ref().map(|a| a.webhook_secret.as_str()),
            Some("whsec_abc")
        );
    }

    #[test]
    fn live_keys_and_unknown_arguments_are_refused() {
        assert!(args(&["--secret-key", "sk_live_x"]).is_err());
        assert!(args(&["--webhook-secret", "nope"]).is_err());
        assert!(args(&["--colour"]).is_err());
        assert!(args(&["--port"]).is_err());
    }
}
