//! The admin's category picker on the product form, and the customers list.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use reqwest::multipart::Form;
use storefront::schema::{categories, products};

use crate::helpers::{TestApp, VISA, location, spawn_app, text};

const OWNER: &str = "owner@example.com";

impl TestApp {
    /// Posts the product form with these fields (multipart, no file).
    async fn post_product(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form = Form::new().text("csrf_token", self.csrf_token().await);
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        self.client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    async fn category_id(&self, slug: &str) -> i64 {
        categories::table
            .filter(categories::slug.eq(slug.to_owned()))
            .select(categories::id)
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("category {slug}: {e}"))
    }

    async fn category_of(&self, product: &str) -> Option<i64> {
        products::table
            .filter(products::slug.eq(product.to_owned()))
            .select(products::category_id)
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("product {product}: {e}"))
    }
}

fn listed(html: &str, slug: &str) -> bool {
    html.contains(&format!("href=\"/products/{slug}\""))
}

#[tokio::test]
async fn the_product_form_puts_a_product_in_a_category_or_in_none() {
    let app = spawn_app().await;
    app.sign_in_as_admin(OWNER).await;
    let home = app.category_id("home").await;
    let stationery = app.category_id("stationery").await;
    let notebook = app.product_id("linen-notebook").await;

    let form = app
        .get_html(&format!("/admin/products/{notebook}/edit"))
        .await;
    assert!(
        form.contains(&format!(
            "<option value=\"{stationery}\" selected>Stationery</option>"
        )),
        "the form shows the product's category"
    );
    assert!(form.contains("<option value=\"\">No category</option>"));

    let edit = |category: String| {
        let app = &app;
        async move {
            app.post_product(
                &format!("/admin/products/{notebook}"),
                &[
                    ("name", "Linen Notebook"),
                    ("slug", "linen-notebook"),
                    ("description", "A5, dotted."),
                    ("price", "14.00"),
                    ("stock", "80"),
                    ("stock_was", "80"),
                    ("category", &category),
                ],
            )
            .await
        }
    };
    let response = edit(home.to_string()).await;
    assert_eq!(location(&response), "/admin/products");
    assert_eq!(app.category_of("linen-notebook").await, Some(home));
    assert!(listed(
        &app.get_html("/category/home").await,
        "linen-notebook"
    ));
    assert!(!listed(
        &app.get_html("/category/stationery").await,
        "linen-notebook"
    ));

    // A category that does not exist changes nothing and says so.
    let response = edit("999999".to_owned()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response)
            .await
            .contains("Category: choose one of the categories listed.")
    );
    assert_eq!(app.category_of("linen-notebook").await, Some(home));

    // No category: the product leaves the category pages but stays in the catalog, also
    // after a restart's seeding (the owner's choice stays).
    let response = edit(String::new()).await;
    assert_eq!(location(&response), "/admin/products");
    assert_eq!(app.category_of("linen-notebook").await, None);
    assert!(!listed(
        &app.get_html("/category/home").await,
        "linen-notebook"
    ));
    let mut conn = app.conn().await;
    storefront::seed::catalog(&mut conn, storefront::domain::Currency::usd())
        .await
        .unwrap_or_else(|e| panic!("seeding again: {e}"));
    drop(conn);
    assert_eq!(app.category_of("linen-notebook").await, None);

    // A new product goes straight into its category.
    let response = app
        .post_product(
            "/admin/products",
            &[
                ("name", "Oak Frame"),
                ("price", "30"),
                ("stock", "3"),
                (
                    "image_choice",
                    "/static/img/products/limited-edition-print.svg",
                ),
                ("category", &home.to_string()),
            ],
        )
        .await;
    assert_eq!(location(&response), "/admin/products");
    assert_eq!(app.category_of("oak-frame").await, Some(home));
    assert!(listed(&app.get_html("/category/home").await, "oak-frame"));
}

/// The customer list's rows: (email, order count, paid).
fn customer_rows(html: &str) -> Vec<(String, String, String)> {
    let cell = |row: &str, id: &str| {
        row.split(&format!("data-testid=\"{id}\">"))
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap_or_default()
            .to_owned()
    };
    html.split("<a href=\"/admin/customers/")
        .skip(1)
        .map(|row| {
            let email = row
                .split('>')
                .nth(1)
                .and_then(|rest| rest.split('<').next())
                .unwrap_or_default()
                .to_owned();
            (email, cell(row, "order-count"), cell(row, "paid"))
        })
        .collect()
}

#[tokio::test]
async fn the_customers_list_shows_each_accounts_orders_and_payments_and_finds_by_email() {
    let app = spawn_app().await;
    app.sign_in_as_admin(OWNER).await;
    let nav = app.get_html("/admin").await;
    assert!(nav.contains("<a href=\"/admin/customers\">Customers</a>"));

    // Ada pays for two orders; Bob only registers; a guest's order is nobody's account's.
    let ada = app.another_browser();
    ada.register("ada@example.com", "correct horse battery")
        .await;
    for slug in ["linen-notebook", "canvas-tote-bag"] {
        ada.add_to_cart(slug, "1").await;
        let order = ada.checkout("ada@example.com").await;
        let (status, intent) = ada.pay_with_card(order, VISA).await;
        assert_eq!(status, StatusCode::OK, "{intent}");
        app.webhooks_delivered().await;
        app.wait_for_status(order, "paid").await;
    }
    let bob = app.another_browser();
    bob.register("bob@example.com", "correct horse battery")
        .await;
    app.paid_order("guest@example.com", "linen-notebook", "1")
        .await;

    let html = app.get_html("/admin/customers").await;
    let rows = customer_rows(&html);
    assert_eq!(rows.len(), 3, "three accounts: {rows:?}");
    // The latest to order first; accounts without orders after.
    let (email, count, paid) = &rows[0];
    assert_eq!(email, "ada@example.com");
    assert_eq!(count, "2");
    // $14.00 + $18.50 (the test shop ships for free).
    assert_eq!(paid, "$32.50");
    assert!(
        rows.iter()
            .any(|r| r.0 == "bob@example.com" && r.1 == "0" && r.2 == "—")
    );
    assert!(!html.contains("guest@example.com"));

    let found = customer_rows(&app.get_html("/admin/customers?q=BOB").await);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "bob@example.com");
    let none = app.get_html("/admin/customers?q=%25").await;
    assert!(
        customer_rows(&none).is_empty(),
        "% is a character, not a wildcard"
    );
    assert!(none.contains("No account's email contains"));

    // Ada's page lists her orders, each linked to the admin's order page.
    let ada_id = html
        .split("<a href=\"/admin/customers/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let page = app.get_html(&format!("/admin/customers/{ada_id}")).await;
    assert!(page.contains("ada@example.com"));
    assert_eq!(page.matches("<a href=\"/admin/orders/").count(), 2);
    assert!(page.contains("data-testid=\"paid\">$32.50"));
    assert_eq!(
        app.get("/admin/customers/999999").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/admin/customers/abc").await.status(),
        StatusCode::NOT_FOUND
    );

    // Shoppers can't see it.
    let response = ada.get("/admin/customers").await;
    assert_ne!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_customers_list_comes_in_pages() {
    let app = spawn_app().await;
    app.sign_in_as_admin(OWNER).await;
    {
        use storefront::schema::users;
        let rows: Vec<_> = (0..30)
            .map(|n| {
                (
                    users::email.eq(format!("shopper{n:02}@example.com")),
                    users::password_hash.eq("not a hash"),
                )
            })
            .collect();
        diesel::insert_into(users::table)
            .values(rows)
            .execute(&mut app.conn().await)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let first = app.get_html("/admin/customers?q=shopper").await;
    assert!(first.contains("30 accounts, page 1 of 2"));
    assert_eq!(customer_rows(&first).len(), 25);
    assert!(
        first.contains("href=\"/admin/customers?page=2&amp;q=shopper\"")
            || first.contains("href=\"/admin/customers?page=2&#38;q=shopper\""),
        "{first}"
    );
    let second = app.get_html("/admin/customers?page=2&q=shopper").await;
    assert_eq!(customer_rows(&second).len(), 5);
    let mut all: Vec<String> = customer_rows(&first)
        .into_iter()
        .chain(customer_rows(&second))
        .map(|r| r.0)
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 30, "every account once");
    let beyond = app.get_html("/admin/customers?page=9&q=shopper").await;
    assert!(customer_rows(&beyond).is_empty());
    assert_eq!(
        app.get("/admin/customers?page=x").await.status(),
        StatusCode::OK,
        "a page that is not a number is the first"
    );
}
