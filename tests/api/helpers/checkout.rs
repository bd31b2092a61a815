//! Shopping and paying as a browser would (test cards, the payment form, the return page), and
//! what the database and the sandbox then say.

use super::*;

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

/// The address and shipping method a test checkout sends unless it says otherwise: checkout
/// asks for both (`with_shipping`). The method is [`FREE_TEST_SHIPPING`], so that tests about
/// payments, refunds and disputes keep the items' prices as their amounts; `tests/api/shipping.rs`
/// checks the shop's own rates.
pub const SHIPPING_ADDRESS: &[(&str, &str)] = &[
    ("ship_name", "Ada Lovelace"),
    ("ship_line1", "1 Main Street"),
    ("ship_city", "Springfield"),
    ("ship_postal_code", "12345"),
    ("ship_country", "US"),
    ("shipping_method", FREE_TEST_SHIPPING),
];

/// A free shipping method every test app's owner has added (`add_free_test_shipping`),
/// offered last.
pub const FREE_TEST_SHIPPING: &str = "test-free";

/// Adds [`FREE_TEST_SHIPPING`] to the app's shipping methods, as an owner would.
pub async fn add_free_test_shipping(pool: &DbPool, currency: storefront::domain::Currency) {
    use diesel_async::RunQueryDsl;
    use storefront::shipping::db::NewShippingMethod;
    let mut conn = pool
        .get()
        .await
        .unwrap_or_else(|e| panic!("test database connection: {e}"));
    diesel::insert_into(storefront::schema::shipping_methods::table)
        .values(NewShippingMethod {
            code: FREE_TEST_SHIPPING,
            name: "Free test delivery",
            delivery: "",
            price_minor: 0,
            free_from_minor: None,
            currency,
            position: 99,
        })
        .on_conflict_do_nothing()
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("adding the free test shipping method: {e}"));
}

/// Standard shipping as the shop starts with it: 4.99, free from 50.00.
pub const STANDARD_SHIPPING: i64 = 499;
pub const FREE_SHIPPING_FROM: i64 = 5000;

/// A form posted to `/checkout` gets [`SHIPPING_ADDRESS`] unless it names an address (or a
/// shipping method) itself; any other form is left as it is.
pub fn with_shipping<'a>(path: &str, form: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = form.to_vec();
    if path == "/checkout" {
        for (name, value) in SHIPPING_ADDRESS {
            let given = form
                .iter()
                .any(|(n, _)| n == name || (*n == "ship_name" && name.starts_with("ship_")));
            if !given {
                fields.push((name, value));
            }
        }
    }
    fields
}

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
            metrics_address: self.metrics_address.clone(),
        }
    }

    /// Posts a form as the page would, but the browser never reads the answer (the shop crashed,
    /// or the connection broke): whatever the answer would have put in the session is lost.
    pub async fn submit_and_lose_the_answer(&self, path: &str, form: &[(&str, &str)]) -> Response {
        use reqwest::cookie::CookieStore;
        let token = self.csrf_token().await;
        let mut fields = vec![("csrf_token", token.as_str())];
        fields.extend(with_shipping(path, form));
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
