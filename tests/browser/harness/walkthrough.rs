//! One walkthrough: the shop on a fresh database, a fresh headless Chromium, the scenario,
//! and the screenshots it leaves.

use super::*;

/// Runs one walkthrough: the real shop on a fresh database, a fresh headless Chromium, and
/// the scenario. Whatever the scenario does, the browser is closed afterwards; when it fails,
/// the last screen is saved as `failure.png`.
pub async fn walkthrough<F, Fut>(name: &str, viewport: Viewport, scenario: F)
where
    F: FnOnce(Shop, Browser) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    walkthrough_with(name, viewport, &[], scenario).await;
}

/// A walkthrough of a shop started with extra settings (`CURRENCY`, ...).
pub async fn walkthrough_with<F, Fut>(
    name: &str,
    viewport: Viewport,
    settings: &[(&str, &str)],
    scenario: F,
) where
    F: FnOnce(Shop, Browser) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let binary = chromium();
    let driver = driver_url();
    let _permit = BROWSERS
        .acquire()
        .await
        .unwrap_or_else(|e| panic!("browser semaphore: {e}"));
    let shop = Shop::start(settings).await;

    let profile = std::env::temp_dir().join(format!("storefront-chromium-{}", Uuid::new_v4()));
    let mut args = vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.push(format!(
        "--window-size={},{}",
        viewport.width, viewport.height
    ));
    let mut chrome_options = json!({ "binary": binary, "args": args });
    // Chromium's windows are at least 500 pixels wide: a phone's screen is emulated.
    if viewport.width < 500 {
        chrome_options["mobileEmulation"] = json!({
            "deviceMetrics": { "width": viewport.width, "height": viewport.height, "pixelRatio": 1 }
        });
    }
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": chrome_options,
        "timeouts": { "script": 30_000, "pageLoad": 30_000, "implicit": 0 },
    });
    let capabilities = match capabilities {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("capabilities are an object"),
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(driver)
        .await
        .unwrap_or_else(|e| panic!("starting Chromium through chromedriver at {driver}: {e}"));

    let dir = artifacts_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    let browser = Browser {
        client: client.clone(),
        base: shop.address.clone(),
        shots: Arc::new(Shots {
            dir,
            count: AtomicUsize::new(0),
        }),
    };

    let outcome = tokio::spawn(scenario(shop, browser.clone())).await;
    if outcome.is_err() {
        browser.screenshot("failure").await;
    }
    let _ = client.close().await;
    let _ = std::fs::remove_dir_all(&profile);
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            Err(e) => panic!("the scenario did not finish: {e}"),
        }
    }
}

pub(super) struct Shots {
    pub(super) dir: PathBuf,
    pub(super) count: AtomicUsize,
}
