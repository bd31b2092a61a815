use anyhow::Context;
use storefront::config::Settings;
use storefront::startup::Application;
use storefront::telemetry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env is normal: the environment may set everything.
    let _ = dotenvy::dotenv();
    telemetry::init("info");

    let settings = Settings::from_env().context("configuration")?;
    let app = Application::build(settings).await?;
    tracing::info!(port = app.port(), "storefront is listening");
    app.run_until_stopped().await?;
    Ok(())
}
