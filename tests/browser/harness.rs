//! The browser under test: one chromedriver per test binary, one headless Chromium session per
//! test, and the ways a person finds things on a page (headings, labels, button and link
//! names, visible text), with bounded waits.

use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::shop::Shop;

/// How long any one wait may take: generous, for a loaded two-core machine.
pub const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(100);

/// Chromium is heavy: at most two run at once, whatever the test threads.
static BROWSERS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));
static DRIVER: OnceLock<Result<String, String>> = OnceLock::new();

const MISSING: &str = "the browser tests need Debian's `chromium` and `chromium-driver` packages \
     (apt-get install -y chromium chromium-driver; scripts/test installs them when missing)";

#[derive(Clone, Copy)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
}

pub const DESKTOP: Viewport = Viewport {
    width: 1280,
    height: 900,
};
pub const PHONE: Viewport = Viewport {
    width: 390,
    height: 844,
};

/// Where the tests leave their screenshots and logs (ignored by git).
pub fn artifacts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts/browser")
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn chromium() -> PathBuf {
    find_program("chromium").unwrap_or_else(|| panic!("Chromium is not installed: {MISSING}"))
}

/// Starts chromedriver once for this test binary. A small shell watchdog in its own process
/// group ends chromedriver and every browser it started when the test process goes away,
/// however it goes.
fn start_driver() -> Result<String, String> {
    let chromedriver =
        find_program("chromedriver").ok_or(format!("chromedriver is not installed: {MISSING}"))?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("finding a free port for chromedriver: {e}"))?
        .port();
    let log = artifacts_dir().join("chromedriver.log");
    std::fs::create_dir_all(artifacts_dir()).map_err(|e| format!("creating artifacts: {e}"))?;
    Command::new("sh")
        .arg("-c")
        .arg(
            r#""$1" --port="$2" >"$4" 2>&1 &
driver=$!
while kill -0 "$3" 2>/dev/null && kill -0 "$driver" 2>/dev/null; do sleep 1; done
kill -TERM 0"#,
        )
        .arg("storefront-chromedriver")
        .arg(&chromedriver)
        .arg(port.to_string())
        .arg(std::process::id().to_string())
        .arg(&log)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", chromedriver.display()))?;
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > WAIT {
            return Err(format!(
                "chromedriver did not answer on port {port} within {WAIT:?}; see {}",
                log.display()
            ));
        }
        std::thread::sleep(POLL);
    }
    Ok(format!("http://127.0.0.1:{port}"))
}

fn driver_url() -> &'static str {
    match DRIVER.get_or_init(start_driver) {
        Ok(url) => url,
        Err(e) => panic!("{e}"),
    }
}

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

struct Shots {
    dir: PathBuf,
    count: AtomicUsize,
}

/// A person at a browser.
#[derive(Clone)]
pub struct Browser {
    pub client: Client,
    base: String,
    shots: Arc<Shots>,
}

/// An XPath string literal for any text (XPath 1.0 has no escapes).
pub fn literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// Polls `check` until it gives a value, for at most [`WAIT`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if started.elapsed() > WAIT {
            panic!("waited {WAIT:?} for {what}");
        }
        tokio::time::sleep(POLL).await;
    }
}

impl Browser {
    pub async fn visit(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    /// The path of the page shown, e.g. `/orders/…/thanks`.
    pub async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .unwrap_or_else(|e| panic!("reading the URL: {e}"))
            .path()
            .to_owned()
    }

    pub async fn reload(&self) {
        self.client
            .refresh()
            .await
            .unwrap_or_else(|e| panic!("reloading: {e}"));
    }

    /// Saves what the screen shows as `NN-step.png` in this test's artifacts.
    pub async fn screenshot(&self, step: &str) {
        let n = self.shots.count.fetch_add(1, Ordering::SeqCst) + 1;
        let path = self.shots.dir.join(format!("{n:02}-{step}.png"));
        match self.client.screenshot().await {
            Ok(png) => {
                if let Err(e) = std::fs::write(&path, png) {
                    eprintln!("could not save {}: {e}", path.display());
                }
            }
            Err(e) => eprintln!("could not take screenshot {step}: {e}"),
        }
    }

    /// Where this test keeps a file of its own among its artefacts.
    pub fn artifact(&self, name: &str) -> PathBuf {
        self.shots.dir.join(name)
    }

    /// The first displayed element that `xpath` finds, waiting for one to appear.
    pub async fn find(&self, what: &str, xpath: &str) -> Element {
        eventually(what, || async {
            let found = self.client.find_all(Locator::XPath(xpath)).await.ok()?;
            for element in found {
                if element.is_displayed().await.unwrap_or(false) {
                    return Some(element);
                }
            }
            None
        })
        .await
    }

    pub async fn heading(&self, text: &str) -> Element {
        self.find(
            &format!("the heading {text:?}"),
            &format!(
                "//*[self::h1 or self::h2][normalize-space()={}]",
                literal(text)
            ),
        )
        .await
    }

    /// A button by its accessible name: its text or its `aria-label`.
    pub async fn button(&self, name: &str) -> Element {
        let name = literal(name);
        self.find(
            &format!("a button named {name}"),
            &format!("//button[normalize-space()={name} or @aria-label={name}]"),
        )
        .await
    }

    /// A button whose name starts with `prefix` ("Pay" on "Pay $45.00").
    pub async fn button_starting(&self, prefix: &str) -> Element {
        let prefix = literal(prefix);
        self.find(
            &format!("a button whose name starts with {prefix}"),
            &format!("//button[starts-with(normalize-space(), {prefix})]"),
        )
        .await
    }

    pub async fn link(&self, name: &str) -> Element {
        let name = literal(name);
        self.find(
            &format!("a link named {name}"),
            &format!("//a[normalize-space()={name} or @aria-label={name}]"),
        )
        .await
    }

    /// A form field by its label (the label's whole text or its first words before a hint).
    pub async fn field(&self, label: &str) -> Element {
        let label = literal(label);
        let labels =
            format!("//label[normalize-space()={label} or normalize-space(text()[1])={label}]");
        self.find(
            &format!("a field labelled {label}"),
            &format!("//*[@id={labels}/@for] | {labels}//input"),
        )
        .await
    }

    pub async fn click_button(&self, name: &str) {
        click(&self.button(name).await, name).await;
    }

    pub async fn click_link(&self, name: &str) {
        click(&self.link(name).await, name).await;
    }

    pub async fn fill(&self, label: &str, value: &str) {
        let field = self.field(label).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clearing {label}: {e}"));
        field
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("typing into {label}: {e}"));
    }

    /// The text a person sees on the page (not inside frames).
    pub async fn text(&self) -> String {
        match self.client.find(Locator::XPath("//body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    pub async fn wait_for_text(&self, text: &str) {
        eventually(&format!("the text {text:?} on the page"), || async {
            self.text().await.contains(text).then_some(())
        })
        .await;
    }

    /// Waits for a page whose main heading is `text`.
    pub async fn wait_for_page(&self, heading: &str) {
        self.heading(heading).await;
    }

    /// Waits for a page whose main heading starts with `prefix` ("Pay for order #1001").
    pub async fn wait_for_page_starting(&self, prefix: &str) {
        let prefix = literal(prefix);
        self.find(
            &format!("a heading starting with {prefix}"),
            &format!("//h1[starts-with(normalize-space(), {prefix})]"),
        )
        .await;
    }

    /// Waits until the card form has loaded in its iframe.
    pub async fn wait_for_card_form(&self) {
        self.enter_card_form().await;
        self.field("Card number").await;
        self.leave_frame().await;
    }

    async fn enter_card_form(&self) {
        let frame = self
            .find(
                "the secure card form",
                "//iframe[@title='Secure payment input frame']",
            )
            .await;
        frame
            .enter_frame()
            .await
            .unwrap_or_else(|e| panic!("entering the card form: {e}"));
    }

    async fn leave_frame(&self) {
        self.client
            .enter_parent_frame()
            .await
            .unwrap_or_else(|e| panic!("leaving the card form: {e}"));
    }

    /// The card form lives in an iframe served by Stripe (here, the sandbox): enter it, fill
    /// the card, come back to the shop's page.
    pub async fn fill_card(&self, number: &str) {
        self.enter_card_form().await;
        self.fill("Card number", number).await;
        self.fill("Expiration date", "12 / 34").await;
        self.fill("Security code", "123").await;
        self.fill("ZIP", "12345").await;
        self.leave_frame().await;
    }

    /// Pays by SEPA Direct Debit: the Payment Element's "SEPA Debit" tab, the account
    /// holder, their email and the IBAN.
    pub async fn fill_sepa_debit(&self, name: &str, email: &str, iban: &str) {
        self.enter_card_form().await;
        self.click_button("SEPA Debit").await;
        self.fill("Full name", name).await;
        self.fill("Email", email).await;
        self.fill("IBAN", iban).await;
        self.leave_frame().await;
    }

    /// The payment methods the Payment Element offers as tabs (none when it offers one).
    pub async fn payment_tabs(&self) -> Vec<String> {
        self.enter_card_form().await;
        let mut names = Vec::new();
        for tab in self
            .client
            .find_all(Locator::XPath("//*[@role='tab']"))
            .await
            .unwrap_or_default()
        {
            if tab.is_displayed().await.unwrap_or(false) {
                names.push(tab.text().await.unwrap_or_default());
            }
        }
        self.leave_frame().await;
        names
    }

    /// Answers 3-D Secure in the dialog Stripe.js shows over the page ("Complete
    /// authentication" or "Fail authentication"), as the shopper's bank asks.
    pub async fn answer_3d_secure(&self, button: &str) {
        let frame = self
            .find(
                "the 3-D Secure dialog",
                "//*[@role='dialog']//iframe[@title='3D Secure authentication']",
            )
            .await;
        self.screenshot("3d-secure-dialog").await;
        frame
            .enter_frame()
            .await
            .unwrap_or_else(|e| panic!("entering the 3-D Secure dialog: {e}"));
        self.click_button(button).await;
        self.client
            .enter_parent_frame()
            .await
            .unwrap_or_else(|e| panic!("leaving the 3-D Secure dialog: {e}"));
    }

    /// Waits until the 3-D Secure dialog has gone from the page.
    pub async fn wait_for_no_dialog(&self) {
        eventually("the 3-D Secure dialog to close", || async {
            let open = self
                .client
                .find_all(Locator::XPath("//*[@role='dialog']"))
                .await
                .ok()?;
            open.is_empty().then_some(())
        })
        .await;
    }

    /// Fills the card form and presses "Pay …".
    pub async fn pay_with_card(&self, number: &str) {
        self.fill_card(number).await;
        self.press_pay().await;
    }

    /// Presses the payment form's "Pay …" button.
    pub async fn press_pay(&self) {
        click(&self.button_starting("Pay ").await, "Pay").await;
    }

    /// On the success page: reloads, as a person would, until the payment status is "Paid"
    /// (it says "Processing" until Stripe's confirmation has arrived).
    pub async fn wait_until_paid(&self) {
        self.wait_until_status("Paid").await;
    }

    /// On the success page: reloads until the payment status is `status`.
    pub async fn wait_until_status(&self, status: &str) {
        self.wait_for_page("Thank you for your order!").await;
        let expected = format!("Payment status: {status}");
        eventually(&format!("the success page to say {status}"), || async {
            if self.text().await.contains(&expected) {
                return Some(());
            }
            tokio::time::sleep(Duration::from_millis(400)).await;
            self.reload().await;
            None
        })
        .await;
    }

    /// The order shown on an `/orders/{id}/…` page.
    pub async fn order_id(&self) -> Uuid {
        let path = self.path().await;
        let id = path
            .trim_start_matches("/orders/")
            .split('/')
            .next()
            .unwrap_or_default();
        Uuid::parse_str(id).unwrap_or_else(|e| panic!("no order in {path}: {e}"))
    }

    // ---- the keyboard alone ----

    /// Presses keys one after the other (text, or a [`Key`] as a char).
    pub async fn keys(&self, keys: &str) {
        let mut actions = KeyActions::new("keyboard".into());
        for key in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client
            .perform_actions(actions)
            .await
            .unwrap_or_else(|e| panic!("pressing {keys:?}: {e}"));
    }

    pub async fn press(&self, key: Key) {
        self.keys(&char::from(key).to_string()).await;
    }

    /// The accessible name of what has the keyboard focus, looking into the card iframe when
    /// focus is inside it.
    pub async fn focused_name(&self) -> String {
        const NAME: &str = r#"
            const el = document.activeElement;
            if (!el || el === document.body) return { name: "" };
            if (el.tagName === "IFRAME") return { frame: true };
            const label = el.getAttribute("aria-label")
                || (el.labels && el.labels.length ? el.labels[0].textContent : "")
                || el.textContent || el.value || "";
            return { name: label.replace(/\s+/g, " ").trim() };
        "#;
        let answer = self
            .client
            .execute(NAME, vec![])
            .await
            .unwrap_or_else(|e| panic!("reading the focus: {e}"));
        if answer["frame"] == true {
            let frame = self
                .client
                .active_element()
                .await
                .unwrap_or_else(|e| panic!("the focused frame: {e}"));
            frame
                .enter_frame()
                .await
                .unwrap_or_else(|e| panic!("entering the focused frame: {e}"));
            let inner = self.client.execute(NAME, vec![]).await;
            self.client
                .enter_parent_frame()
                .await
                .unwrap_or_else(|e| panic!("leaving the frame: {e}"));
            let inner = inner.unwrap_or_else(|e| panic!("reading the focus in the frame: {e}"));
            return inner["name"].as_str().unwrap_or_default().to_owned();
        }
        answer["name"].as_str().unwrap_or_default().to_owned()
    }

    /// Presses Tab until the focus is on something named `name`.
    pub async fn tab_to(&self, name: &str) {
        self.tab_until(name, |focused| focused == name).await;
    }

    /// Presses Tab until the focus is on something whose name starts with `prefix`.
    pub async fn tab_to_starting(&self, prefix: &str) {
        self.tab_until(prefix, |focused| focused.starts_with(prefix))
            .await;
    }

    async fn tab_until(&self, what: &str, reached: impl Fn(&str) -> bool) {
        let mut seen = Vec::new();
        for _ in 0..80 {
            self.press(Key::Tab).await;
            let focused = self.focused_name().await;
            if reached(&focused) {
                return;
            }
            seen.push(focused);
        }
        panic!("Tab never reached {what:?}; the focus went through {seen:?}");
    }
}

async fn click(element: &Element, name: &str) {
    // A click can land while the page is still settling (layout shifts as the card form's
    // iframe resizes); try again briefly before failing.
    let started = Instant::now();
    loop {
        match element.click().await {
            Ok(()) => return,
            Err(e) if started.elapsed() > WAIT => panic!("clicking {name:?}: {e}"),
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}
