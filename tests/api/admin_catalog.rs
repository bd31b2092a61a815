//! The admin's category picker on the product form.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use reqwest::multipart::Form;
use storefront::schema::{categories, products};

use crate::helpers::{TestApp, location, spawn_app, text};

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
