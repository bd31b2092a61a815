//! A browser's view of the shop: cookie-keeping clients, pages, forms with their CSRF token,
//! redirects.

use super::*;

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

    /// Posts a form; a checkout gets the test address unless it gives one (`with_shipping`),
    /// and a refund is sent confirmed unless it says otherwise (`confirmed_refund`).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(&super::admin::confirmed_refund(
                path,
                &with_shipping(path, form),
            ))
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

    /// How many carts the database holds, empty ones included.
    pub async fn cart_count_in_database(&self) -> i64 {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::carts;
        carts::table
            .count()
            .get_result(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("counting carts: {e}"))
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

/// The flash message a page shows.
pub fn flash_in(html: &str) -> String {
    let start = html
        .find(r#"<p class="flash"#)
        .unwrap_or_else(|| panic!("no flash message in the page: {html}"));
    let end = html[start..]
        .find("</p>")
        .unwrap_or_else(|| panic!("unterminated flash"));
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
