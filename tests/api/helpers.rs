use reqwest::{Response, StatusCode};
use storefront::db::{DbConn, DbPool};
use storefront::startup::Application;
use uuid::Uuid;

pub struct TestApp {
    pub address: String,
    pub pool: DbPool,
    /// The test's own database.
    pub database_url: String,
    /// Where this app stores uploaded images (a fresh temporary directory).
    pub upload_dir: std::path::PathBuf,
    /// A browser: keeps cookies, does not follow redirects (tests look at them).
    pub client: reqwest::Client,
    /// The browser's cookies.
    pub cookies: std::sync::Arc<reqwest::cookie::Jar>,
    /// Where the shop's Stripe is, and the secret key its test controls accept.
    pub stripe: StripeUnderTest,
}

#[derive(Clone)]
pub struct StripeUnderTest {
    /// The API base, ending in `/` (async-stripe's form).
    pub api_base: String,
    pub secret_key: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the app with extra environment-style settings on top of the test defaults.
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    let (settings, env) = crate::common::test_settings(overrides).await;
    let database_url = env.get("DATABASE_URL").cloned().unwrap_or_default();
    let upload_dir = std::path::PathBuf::from(env.get("UPLOAD_DIR").cloned().unwrap_or_default());
    let app = Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("building the app: {e:?}"));
    let address = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool().clone();
    let stripe = match app.sandbox_key() {
        Some(key) => StripeUnderTest {
            api_base: format!("{address}/_sandbox/"),
            secret_key: key.expose().to_owned(),
        },
        None => StripeUnderTest {
            api_base: env
                .get("STRIPE_API_BASE")
                .cloned()
                .unwrap_or_else(|| panic!("tests never talk to real Stripe")),
            secret_key: env.get("STRIPE_SECRET_KEY").cloned().unwrap_or_default(),
        },
    };
    tokio::spawn(app.run_until_stopped());
    let (client, cookies) = browser_with_cookies();
    TestApp {
        address,
        pool,
        database_url,
        upload_dir,
        client,
        cookies,
        stripe,
    }
}

/// An app running on a runtime of its own, so that stopping it ends every task it started —
/// server, reconciler, in-process sandbox — as a crash or a restart of the process would.
pub struct AppProcess {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl AppProcess {
    /// Ends the app and everything it runs.
    pub fn kill(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub async fn spawn_app_process(overrides: &[(&str, &str)]) -> (TestApp, AppProcess) {
    let (settings, env) = crate::common::test_settings(overrides).await;
    let database_url = env.get("DATABASE_URL").cloned().unwrap_or_default();
    let upload_dir = std::path::PathBuf::from(env.get("UPLOAD_DIR").cloned().unwrap_or_default());
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("a runtime for the app: {e}"));
        runtime.block_on(async move {
            let app = Application::build(settings)
                .await
                .unwrap_or_else(|e| panic!("building the app: {e:?}"));
            let key = app.sandbox_key().map(|k| k.expose().to_owned());
            let _ = ready_tx.send((app.port(), key));
            tokio::select! {
                _ = app.run_until_stopped() => {}
                _ = stop_rx => {}
            }
        });
        runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    });
    let (port, key) = ready_rx
        .await
        .unwrap_or_else(|e| panic!("the app did not start: {e}"));
    let address = format!("http://127.0.0.1:{port}");
    let pool = storefront::db::pool(&database_url, 4)
        .unwrap_or_else(|e| panic!("test database pool: {e:?}"));
    let (client, cookies) = browser_with_cookies();
    let app = TestApp {
        stripe: StripeUnderTest {
            api_base: format!("{address}/_sandbox/"),
            secret_key: key.unwrap_or_default(),
        },
        address,
        pool,
        database_url,
        upload_dir,
        client,
        cookies,
    };
    (
        app,
        AppProcess {
            stop: Some(stop_tx),
            thread: Some(thread),
        },
    )
}

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

pub fn browser() -> reqwest::Client {
    browser_with_cookies().0
}

pub fn browser_with_cookies() -> (reqwest::Client, std::sync::Arc<reqwest::cookie::Jar>) {
    let cookies = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(cookies.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("building the HTTP client: {e}"));
    (client, cookies)
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn get_html(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        text(response).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// The CSRF token this browser's session has (loads a page to get one).
    pub async fn csrf_token(&self) -> String {
        let html = self.get_html("/").await;
        csrf_token_in(&html)
    }

    /// Posts a form as the page would, with the session's CSRF token.
    pub async fn submit(&self, path: &str, form: &[(&str, &str)]) -> Response {
        let token = self.csrf_token().await;
        let mut fields = vec![("csrf_token", token.as_str())];
        fields.extend_from_slice(form);
        self.post_form(path, &fields).await
    }

    pub async fn conn(&self) -> DbConn {
        self.pool
            .get()
            .await
            .unwrap_or_else(|e| panic!("test database connection: {e}"))
    }

    pub async fn product_id(&self, slug: &str) -> i64 {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::products;
        products::table
            .filter(products::slug.eq(slug))
            .select(products::id)
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("product {slug}: {e}"))
    }

    pub async fn add_to_cart(&self, slug: &str, quantity: &str) -> Response {
        let id = self.product_id(slug).await.to_string();
        self.submit(
            "/cart/items",
            &[("product_id", &id), ("quantity", quantity)],
        )
        .await
    }

    pub async fn register(&self, email: &str, password: &str) -> Response {
        self.submit(
            "/register",
            &[
                ("email", email),
                ("password", password),
                ("password_confirmation", password),
            ],
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.submit("/login", &[("email", email), ("password", password)])
            .await
    }

    pub async fn logout(&self) -> Response {
        self.submit("/logout", &[]).await
    }

    /// Every (product slug, quantity) in every cart, as the database holds them.
    pub async fn cart_rows(&self) -> Vec<(String, i32)> {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::{cart_items, products};
        cart_items::table
            .inner_join(products::table)
            .select((products::slug, cart_items::quantity))
            .order(products::slug)
            .load(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("cart rows: {e}"))
    }
}

pub async fn text(response: Response) -> String {
    response
        .text()
        .await
        .unwrap_or_else(|e| panic!("reading the body: {e}"))
}

pub fn csrf_token_in(html: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no CSRF token in the page"))
        + marker.len();
    let end = html[start..]
        .find('"')
        .unwrap_or_else(|| panic!("unterminated CSRF token"));
    html[start..start + end].to_owned()
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub fn assert_redirect(response: &Response, to: &str) {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(response), to);
}

/// A card as the Payment Element would send it.
pub const VISA: &str = "4242424242424242";
pub const DECLINED: &str = "4000000000000002";
pub const INSUFFICIENT_FUNDS: &str = "4000000000009995";
pub const THREE_D_SECURE: &str = "4000002500003155";
/// Its refunds start pending and later succeed.
pub const PENDING_REFUND: &str = "4000000000007726";
/// Its refunds succeed, then fail later.
pub const REFUND_FAILS: &str = "4000000000005126";
/// Paid, then disputed as fraudulent.
pub const DISPUTED: &str = "4000000000000259";

/// What the payment page gives Stripe.js.
pub struct PaymentForm {
    pub client_secret: String,
    pub publishable_key: String,
    pub return_url: String,
    pub html: String,
}

impl PaymentForm {
    pub fn intent_id(&self) -> String {
        self.client_secret
            .split("_secret_")
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

fn attribute(html: &str, name: &str) -> String {
    let marker = format!("{name}=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in the page"))
        + marker.len();
    let end = html[start..]
        .find('"')
        .unwrap_or_else(|| panic!("unterminated {name}"));
    html[start..start + end]
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
}

pub fn order_id_from(location: &str) -> Uuid {
    let id = location
        .trim_start_matches("/orders/")
        .split('/')
        .next()
        .unwrap_or_default();
    Uuid::parse_str(id).unwrap_or_else(|e| panic!("no order id in {location:?}: {e}"))
}

impl TestApp {
    /// Checks the cart out as a guest and returns the order's id (the payment page's redirect).
    pub async fn checkout(&self, email: &str) -> Uuid {
        let response = self.submit("/checkout", &[("email", email)]).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "checkout: {}",
            text(response).await
        );
        let location = location(&response);
        assert!(location.ends_with("/pay"), "{location}");
        order_id_from(&location)
    }

    pub async fn payment_form(&self, order: Uuid) -> PaymentForm {
        let html = self.get_html(&format!("/orders/{order}/pay")).await;
        PaymentForm {
            client_secret: attribute(&html, "data-client-secret"),
            publishable_key: attribute(&html, "data-publishable-key"),
            return_url: attribute(&html, "data-return-url"),
            html,
        }
    }

    /// Confirms the order's PaymentIntent with a card, as the sandbox's card form does from the
    /// browser: only the publishable key and the client secret. Returns Stripe's answer.
    pub async fn pay_with_card(&self, order: Uuid, card: &str) -> (StatusCode, serde_json::Value) {
        let form = self.payment_form(order).await;
        let url = format!(
            "{}v1/payment_intents/{}/confirm",
            self.stripe.api_base,
            form.intent_id()
        );
        let response = reqwest::Client::new()
            .post(url)
            .form(&[
                ("key", form.publishable_key.as_str()),
                ("client_secret", form.client_secret.as_str()),
                ("payment_method_data[type]", "card"),
                ("payment_method_data[card][number]", card),
                ("payment_method_data[card][exp_month]", "12"),
                ("payment_method_data[card][exp_year]", "2034"),
                ("payment_method_data[card][cvc]", "123"),
                (
                    "payment_method_data[billing_details][address][postal_code]",
                    "12345",
                ),
                ("return_url", form.return_url.as_str()),
            ])
            .send()
            .await
            .unwrap_or_else(|e| panic!("confirming: {e}"));
        let status = response.status();
        let json = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("confirm answer: {e}"));
        (status, json)
    }

    /// Answers the sandbox's 3-D Secure challenge of a confirmed intent; returns where the
    /// challenge sends the browser (the shop's return URL).
    pub async fn answer_challenge(&self, confirmed: &serde_json::Value, outcome: &str) -> String {
        let url = confirmed["next_action"]["redirect_to_url"]["url"]
            .as_str()
            .unwrap_or_else(|| panic!("no challenge in {confirmed}"));
        let response = browser()
            .post(url)
            .form(&[("outcome", outcome)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("answering the challenge: {e}"));
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        location(&response)
    }

    /// The shopper's browser comes back from Stripe to the return URL.
    pub async fn return_from_stripe(&self, order: Uuid) -> Response {
        let intent = self.order_intent(order).await;
        self.get(&format!(
            "/checkout/return?payment_intent={intent}&payment_intent_client_secret=ignored&redirect_status=succeeded"
        ))
        .await
    }

    /// Calls one of the sandbox's test controls.
    pub async fn control(&self, path: &str, form: &[(&str, &str)]) -> serde_json::Value {
        let response = reqwest::Client::new()
            .post(format!("{}_controls/{path}", self.stripe.api_base))
            .bearer_auth(&self.stripe.secret_key)
            .form(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("control {path}: {e}"));
        let status = response.status();
        let json: serde_json::Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("control {path} answer: {e}"));
        assert!(status.is_success(), "control {path}: {status} {json}");
        json
    }

    /// Waits until the sandbox has delivered every webhook it has queued.
    pub async fn webhooks_delivered(&self) {
        self.control("webhooks/wait", &[("timeout_ms", "10000")])
            .await;
    }

    pub async fn order_status(&self, order: Uuid) -> String {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::orders;
        orders::table
            .find(order)
            .select(orders::status)
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("order {order}: {e}"))
    }

    pub async fn order_intent(&self, order: Uuid) -> String {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::orders;
        orders::table
            .find(order)
            .select(orders::payment_intent_id)
            .first::<Option<String>>(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("order {order}: {e}"))
            .unwrap_or_else(|| panic!("order {order} has no PaymentIntent"))
    }

    /// Polls the order's status until it is `want` (a webhook or the reconciler is on its way).
    pub async fn wait_for_status(&self, order: Uuid, want: &str) {
        for _ in 0..100 {
            if self.order_status(order).await == want {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "order {order} is {}, not {want}",
            self.order_status(order).await
        );
    }

    pub async fn stock(&self, slug: &str) -> i32 {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::products;
        products::table
            .filter(products::slug.eq(slug))
            .select(products::stock)
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("stock of {slug}: {e}"))
    }

    /// The order's timeline: (from, to, applied, cause).
    pub async fn order_events(&self, order: Uuid) -> Vec<(Option<String>, String, bool, String)> {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::order_events;
        order_events::table
            .filter(order_events::order_id.eq(order))
            .order(order_events::id.asc())
            .select((
                order_events::from_status,
                order_events::to_status,
                order_events::applied,
                order_events::cause,
            ))
            .load(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("events of {order}: {e}"))
    }

    /// The Stripe events the shop stored: (type, outcome).
    pub async fn stripe_events(&self) -> Vec<(String, String)> {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::stripe_events;
        stripe_events::table
            .order(stripe_events::received_at.asc())
            .select((stripe_events::event_type, stripe_events::outcome))
            .load(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("stripe events: {e}"))
    }

    pub async fn order_count(&self) -> i64 {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::orders;
        orders::table
            .count()
            .get_result(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("counting orders: {e}"))
    }

    /// Every order event of every order.
    pub async fn order_events_all(&self) -> Vec<String> {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::order_events;
        order_events::table
            .select(order_events::to_status)
            .load(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("order events: {e}"))
    }

    /// Reads an object from the shop's Stripe with the secret key, as the Dashboard would.
    pub async fn stripe_get(&self, path: &str) -> serde_json::Value {
        reqwest::Client::new()
            .get(format!("{}v1/{path}", self.stripe.api_base))
            .bearer_auth(&self.stripe.secret_key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("GET {path} answer: {e}"))
    }

    /// Posts to the shop's Stripe with the secret key, as the Dashboard would; returns the JSON.
    pub async fn stripe_post(&self, path: &str, form: &[(&str, &str)]) -> serde_json::Value {
        let response = reqwest::Client::new()
            .post(format!("{}v1/{path}", self.stripe.api_base))
            .bearer_auth(&self.stripe.secret_key)
            .form(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        assert!(
            response.status().is_success(),
            "POST {path}: {}",
            response.status()
        );
        response
            .json()
            .await
            .unwrap_or_else(|e| panic!("POST {path} answer: {e}"))
    }

    pub async fn post_webhook(&self, payload: &str, signature: &str) -> Response {
        self.client
            .post(self.url("/webhooks/stripe"))
            .header("content-type", "application/json")
            .header("Stripe-Signature", signature)
            .body(payload.to_owned())
            .send()
            .await
            .unwrap_or_else(|e| panic!("posting a webhook: {e}"))
    }

    /// The sandbox's delivery log.
    pub async fn webhook_log(&self) -> Vec<serde_json::Value> {
        let log: serde_json::Value = reqwest::Client::new()
            .get(format!("{}_controls/webhooks/log", self.stripe.api_base))
            .bearer_auth(&self.stripe.secret_key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("webhook log: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("webhook log answer: {e}"));
        log["data"].as_array().cloned().unwrap_or_default()
    }

    /// The notes on the order's timeline.
    pub async fn order_notes(&self, order: Uuid) -> Vec<String> {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::order_events;
        order_events::table
            .filter(order_events::order_id.eq(order))
            .select(order_events::note)
            .load::<Option<String>>(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("notes of {order}: {e}"))
            .into_iter()
            .flatten()
            .collect()
    }

    /// A second browser on the same shop.
    pub fn another_browser(&self) -> TestApp {
        let (client, cookies) = browser_with_cookies();
        TestApp {
            address: self.address.clone(),
            pool: self.pool.clone(),
            database_url: self.database_url.clone(),
            upload_dir: self.upload_dir.clone(),
            client,
            cookies,
            stripe: self.stripe.clone(),
        }
    }

    /// Posts a form as the page would, but the browser never reads the answer (the shop crashed,
    /// or the connection broke): whatever the answer would have put in the session is lost.
    pub async fn submit_and_lose_the_answer(&self, path: &str, form: &[(&str, &str)]) -> Response {
        use reqwest::cookie::CookieStore;
        let token = self.csrf_token().await;
        let mut fields = vec![("csrf_token", token.as_str())];
        fields.extend_from_slice(form);
        let url = self.url(path);
        let cookie = self
            .cookies
            .cookies(&url.parse().unwrap_or_else(|e| panic!("{url}: {e}")))
            .unwrap_or_else(|| panic!("the browser has no session yet"));
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
            .post(url)
            .header(reqwest::header::COOKIE, cookie)
            .form(&fields)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// Every PaymentIntent the shop's Stripe holds for the order (Stripe's search).
    pub async fn intents_made_for(&self, order: Uuid) -> Vec<serde_json::Value> {
        let found = self
            .stripe_get(&format!(
                "payment_intents/search?query=metadata%5B%27order_id%27%5D%3A%27{order}%27&limit=100"
            ))
            .await;
        found["data"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("no search result: {found}"))
    }
}

impl TestApp {
    /// Creates an admin account with the library function `storefront admin create` uses, and
    /// signs this browser in with it.
    pub async fn sign_in_as_admin(&self, email: &str) {
        storefront::admin::cli::create_admin(&self.pool, email, "correct horse battery")
            .await
            .unwrap_or_else(|e| panic!("creating admin {email}: {e:?}"));
        let response = self.login(email, "correct horse battery").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "admin sign-in");
    }

    /// A guest pays for a cart of `quantity` × `slug` with 4242 and the webhook makes it paid.
    pub async fn paid_order(&self, email: &str, slug: &str, quantity: &str) -> Uuid {
        self.paid_order_with_card(email, slug, quantity, VISA).await
    }

    /// A guest pays for a cart of `quantity` × `slug` with `card`; the order is paid.
    pub async fn paid_order_with_card(
        &self,
        email: &str,
        slug: &str,
        quantity: &str,
        card: &str,
    ) -> Uuid {
        let shopper = self.another_browser();
        shopper.add_to_cart(slug, quantity).await;
        let order = shopper.checkout(email).await;
        let (status, intent) = shopper.pay_with_card(order, card).await;
        assert_eq!(status, StatusCode::OK, "{intent}");
        self.webhooks_delivered().await;
        self.wait_for_status(order, "paid").await;
        order
    }

    /// (amount paid, amount refunded) of the order, as the database holds them.
    pub async fn order_amounts(&self, order: Uuid) -> (i64, i64) {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::orders;
        orders::table
            .find(order)
            .select((orders::amount_paid_minor, orders::amount_refunded_minor))
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("order {order}: {e}"))
    }

    /// Polls until `check` holds for the order's (status, paid, refunded).
    pub async fn wait_for_order(&self, order: Uuid, want: (&str, i64, i64)) {
        let mut now = (String::new(), 0, 0);
        for _ in 0..100 {
            let (paid, refunded) = self.order_amounts(order).await;
            now = (self.order_status(order).await, paid, refunded);
            if (now.0.as_str(), now.1, now.2) == want {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("order {order} is {now:?}, not {want:?}");
    }
}
