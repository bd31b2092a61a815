use std::collections::HashMap;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use reqwest::{Response, StatusCode};
use storefront::config::Settings;
use storefront::db::{DbConn, DbPool};
use storefront::startup::Application;
use uuid::Uuid;

pub struct TestApp {
    pub address: String,
    pub pool: DbPool,
    /// A browser: keeps cookies, does not follow redirects (tests look at them).
    pub client: reqwest::Client,
}

/// The PostgreSQL server the tests create their databases on.
fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    if query.is_empty() {
        format!("{server}/{database}")
    } else {
        format!("{server}/{database}?{query}")
    }
}

async fn fresh_database() -> String {
    let server = server_url();
    let name = format!("storefront_test_{}", Uuid::new_v4().simple());
    let mut conn = AsyncPgConnection::establish(&with_database(&server, "postgres"))
        .await
        .unwrap_or_else(|e| panic!("connecting to PostgreSQL at {server}: {e}"));
    conn.batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|e| panic!("creating the test database: {e}"));
    with_database(&server, &name)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the app with extra environment-style settings on top of the test defaults.
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        storefront::telemetry::init("info");
    }
    let database_url = fresh_database().await;
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), database_url),
        ("LISTEN_ADDR".into(), "127.0.0.1:0".into()),
    ]);
    for (name, value) in overrides {
        env.insert((*name).into(), (*value).into());
    }
    let settings = Settings::from_lookup(|name| env.get(name).cloned())
        .unwrap_or_else(|e| panic!("test settings: {e}"));
    let app = Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("building the app: {e:?}"));
    let address = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        pool,
        client: browser(),
    }
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("building the HTTP client: {e}"))
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
