//! A person at a browser: pages, headings, labels, buttons and links by their names, the card
//! form in its iframe.

use super::*;

/// A person at a browser.
#[derive(Clone)]
pub struct Browser {
    pub client: Client,
    pub(super) base: String,
    pub(super) shots: Arc<Shots>,
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

    /// Clicks the button whose name starts with `prefix` ("Yes, refund $" on "Yes, refund $45.00").
    pub async fn click_button_starting(&self, prefix: &str) {
        click(&self.button_starting(prefix).await, prefix).await;
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

    /// Fills checkout's shipping address with one in the United States (the first country
    /// offered), keeping the shipping method the page chose (Standard).
    pub async fn fill_shipping_address(&self) {
        self.fill("Full name", "Ada Lovelace").await;
        self.fill("Street address", "1 Main Street").await;
        self.fill("Town or city", "Springfield").await;
        self.fill("Postal code", "12345").await;
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

    pub(super) async fn enter_card_form(&self) {
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

    pub(super) async fn leave_frame(&self) {
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

    /// Opens the sandbox mailbox and the newest email whose subject contains `subject`,
    /// reloading while it is on its way (the shop's worker sends it a moment after the change).
    pub async fn open_mail(&self, subject: &str) {
        self.visit("/_sandbox/mail").await;
        self.wait_for_page("Mailbox").await;
        let xpath = format!(
            "//table[@data-testid='mailbox']//a[contains(normalize-space(), {})]",
            literal(subject)
        );
        let link = eventually(&format!("an email {subject:?} in the mailbox"), || async {
            if let Ok(found) = self.client.find(Locator::XPath(&xpath)).await {
                return Some(found);
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            self.reload().await;
            None
        })
        .await;
        click(&link, subject).await;
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
}

pub(super) async fn click(element: &Element, name: &str) {
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
