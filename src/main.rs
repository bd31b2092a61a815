//! The `storefront` binary: serves the shop, or runs one of its commands (see `USAGE`).

use anyhow::Context;
use storefront::config::Settings;
use storefront::startup::Application;
use storefront::telemetry;

const USAGE: &str = "usage: storefront [serve]   (the shop; settings from the environment and .env)
       storefront admin create --email EMAIL   (password from stdin, or a prompt)";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env is normal: the environment may set everything.
    let _ = dotenvy::dotenv();
    telemetry::init("info");

    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        None | Some("serve") => serve().await,
        Some("sandbox") => anyhow::bail!(
            "the Stripe sandbox runs on its own: cargo run -p stripe-sandbox -- --port 12111 (see crates/stripe-sandbox/README.md)"
        ),
        Some("admin") => storefront::admin::cli::run(args).await,
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => anyhow::bail!("unknown command {other:?}\n{USAGE}"),
    }
}

async fn serve() -> anyhow::Result<()> {
    let settings = Settings::from_env().context("configuration")?;
    let app = Application::build(settings).await?;
    tracing::info!(port = app.port(), "storefront is listening");
    app.run_until_stopped().await?;
    Ok(())
}
