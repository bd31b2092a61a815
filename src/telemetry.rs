//! Structured logs. Each request gets a span with a request id from tracing-actix-web.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (several test apps in one process) are no-ops.
pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
