//! `stripe-sandbox [--port N] [--webhook-url URL ...] [--webhook-secret whsec_...]
//! [--secret-key sk_test_...] [--publishable-key pk_test_...] [--state-file PATH]`: the sandbox
//! alone on `127.0.0.1:N`, served at `/`, its objects kept in `PATH` across restarts when given.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, bail};
use stripe_sandbox::{
    DEFAULT_PUBLISHABLE_KEY, DEFAULT_SECRET_KEY, DEFAULT_WEBHOOK_SECRET, Sandbox, SandboxConfig,
    WebhookEndpoint,
};

const USAGE: &str = "usage: stripe-sandbox [--port N] [--webhook-url URL ...] [--webhook-secret whsec_...] [--secret-key sk_test_...] [--publishable-key pk_test_...] [--state-file PATH]";

/// The command line.
#[derive(Clone, PartialEq, Eq)]
struct Options {
    /// 0 picks a free port.
    port: u16,
    webhook_urls: Vec<String>,
    webhook_secret: String,
    secret_key: String,
    publishable_key: String,
    /// Keep the sandbox's objects in this file across restarts.
    state_file: Option<PathBuf>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("port", &self.port)
            .field("webhook_urls", &self.webhook_urls)
            .finish_non_exhaustive()
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: 12111,
            webhook_urls: Vec::new(),
            webhook_secret: DEFAULT_WEBHOOK_SECRET.into(),
            secret_key: DEFAULT_SECRET_KEY.into(),
            publishable_key: DEFAULT_PUBLISHABLE_KEY.into(),
            state_file: None,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Serve(Options),
    Help,
}

impl Options {
    fn parse(args: impl IntoIterator<Item = String>) -> anyhow::Result<Command> {
        let mut out = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (arg.clone(), None),
            };
            if name == "--help" || name == "-h" {
                return Ok(Command::Help);
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
        Ok(Command::Serve(out))
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();

    let options = match Options::parse(std::env::args().skip(1))? {
        Command::Help => {
            println!("{USAGE}");
            return Ok(());
        }
        Command::Serve(options) => options,
    };
    let sandbox = Sandbox::open(options.config())?;
    let server = sandbox
        .bind(("127.0.0.1", options.port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", options.port))?;
    print_banner(&options, &server.url());
    server.run().await.context("the sandbox server stopped")?;
    Ok(())
}

/// What an app needs to use this sandbox instead of Stripe.
fn print_banner(options: &Options, base: &str) {
    println!("Stripe sandbox (offline, test mode only) listening on {base}");
    println!();
    println!("  STRIPE_SECRET_KEY={}", options.secret_key);
    println!("  STRIPE_PUBLISHABLE_KEY={}", options.publishable_key);
    println!("  STRIPE_WEBHOOK_SECRET={}", options.webhook_secret);
    println!("  STRIPE_API_BASE={base}");
    println!("  STRIPE_JS_URL={base}js/v3/stripe.js");
    println!();
    if options.webhook_urls.is_empty() {
        println!(
            "  webhooks: none (add one with --webhook-url or POST {base}_controls/webhooks/endpoints)"
        );
    }
    for url in &options.webhook_urls {
        println!("  webhooks -> {url}");
    }
    println!("  test controls: {base}_controls (Authorization: Bearer <secret key>)");
    println!("  demo payment page: {base}_demo");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> anyhow::Result<Command> {
        Options::parse(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn the_command_line_takes_a_port_several_webhook_urls_and_a_secret() {
        let parsed = match args(&[
            "--port",
            "4242",
            "--webhook-url",
            "http://127.0.0.1:8080/webhooks/stripe",
            "--webhook-url=http://127.0.0.1:9090/hook",
            "--webhook-secret",
            "whsec_abc",
        ]) {
            Ok(Command::Serve(options)) => Some(options),
            _ => None,
        };
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

    #[test]
    fn help_is_not_an_error() {
        assert!(matches!(args(&["--help"]), Ok(Command::Help)));
    }
}
