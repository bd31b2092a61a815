use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use storefront::schema::products;

use crate::helpers::{TestApp, spawn_app, text};

#[tokio::test]
async fn the_listing_shows_every_active_product_with_its_formatted_price() {
    let app = spawn_app().await;
    // Twelve to a page.
    let html = app.get_html("/").await + &app.get_html("/?page=2").await;

    let rows: Vec<(String, String, i64)> = products::table
        .filter(products::active.eq(true))
        .select((products::slug, products::name, products::price_minor))
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        rows.len() >= 12,
        "the demo catalog has at least 12 products"
    );
    for (slug, name, price_minor) in rows {
        assert!(
            html.contains(&format!("href=\"/products/{slug}\"")),
            "{slug} is listed"
        );
        assert!(html.contains(&name), "{name} is listed");
        let price = format!("${}.{:02}", price_minor / 100, price_minor % 100);
        assert!(html.contains(&price), "{name} shows {price}");
    }
    assert!(
        html.contains("$24.00"),
        "the mug's price is formatted as dollars"
    );
    assert!(html.contains("$120.00"));
}

#[tokio::test]
async fn the_listing_offers_add_to_cart_except_for_sold_out_products() {
    let app = spawn_app().await;
    let html = app.get_html("/").await + &app.get_html("/?page=2").await;
    assert!(
        html.contains(r#"Add to cart<span class="visually-hidden">: Ceramic Pour-Over Mug</span>"#)
    );
    assert!(
        !html.contains(r#"Add to cart<span class="visually-hidden">: Vintage Enamel Pin</span>"#)
    );
    assert!(html.contains("Sold out"));
}

#[tokio::test]
async fn a_product_page_shows_its_details() {
    let app = spawn_app().await;
    let html = app.get_html("/products/brass-rollerball-pen").await;
    assert!(html.contains("<h1>Brass Rollerball Pen</h1>"));
    assert!(html.contains("$45.00"));
    assert!(html.contains("Machined from solid brass"));
    assert!(html.contains("In stock"));
    assert!(html.contains("/img/products/brass-rollerball-pen.svg\""));
    assert!(html.contains("<label for=\"quantity\">Quantity</label>"));

    let last = app.get_html("/products/limited-edition-print").await;
    assert!(last.contains("Only 1 left"));
}

#[tokio::test]
async fn an_unknown_product_is_a_404_page_in_the_layout() {
    let app = spawn_app().await;
    let response = app.get("/products/no-such-thing").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = text(response).await;
    assert!(html.contains("Page not found"));
    assert!(
        html.contains("class=\"site-header\""),
        "rendered in the layout"
    );
}

#[tokio::test]
async fn an_inactive_product_is_neither_listed_nor_shown() {
    let app = spawn_app().await;
    diesel::update(products::table.filter(products::slug.eq("linen-notebook")))
        .set(products::active.eq(false))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!app.get_html("/").await.contains("Linen Notebook"));
    assert_eq!(
        app.get("/products/linen-notebook").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn product_images_are_served_by_the_shop_itself() {
    let app = spawn_app().await;
    let response = app
        .get("/static/img/products/ceramic-pour-over-mug.svg")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get("content-type")
            .is_some_and(|ct| ct.to_str().is_ok_and(|ct| ct.starts_with("image/svg+xml")))
    );
}

/// The catalog pages are served from memory; PostgreSQL tells the shop when they change.
async fn eventually_shows(app: &TestApp, path: &str, wanted: impl Fn(&str) -> bool) -> bool {
    for _ in 0..50 {
        if wanted(&app.get_html(path).await) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn a_product_changed_straight_in_the_database_shows_on_the_catalog_pages() {
    let app = spawn_app().await;
    assert!(app.get_html("/").await.contains("Linen Notebook"));
    assert!(
        app.get_html("/products/linen-notebook")
            .await
            .contains("Linen Notebook")
    );
    diesel::update(products::table.filter(products::slug.eq("linen-notebook")))
        .set(products::name.eq("Linen Journal"))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(eventually_shows(&app, "/", |html| html.contains("Linen Journal")).await);
    assert!(
        eventually_shows(&app, "/products/linen-notebook", |html| html
            .contains("Linen Journal"))
        .await
    );
}

#[tokio::test]
async fn buying_the_last_one_shows_it_sold_out_in_the_listing() {
    let app = spawn_app().await;
    let offer = r#"Add to cart<span class="visually-hidden">: Limited Edition Print</span>"#;
    assert!(app.get_html("/").await.contains(offer));
    app.add_to_cart("limited-edition-print", "1").await;
    app.checkout("last@example.com").await;
    assert!(eventually_shows(&app, "/", |html| !html.contains(offer)).await);
    assert!(
        eventually_shows(&app, "/products/limited-edition-print", |html| html
            .contains("Sold out"))
        .await
    );
}
