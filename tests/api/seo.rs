//! What search engines and link previews read, compression, and fingerprinted static files.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use storefront::schema::{categories, products};

use crate::helpers::{spawn_app, text};

/// The `content` of `<meta property|name="{name}" content="...">`.
fn meta(html: &str, name: &str) -> Option<String> {
    html.split(&format!(r#""{name}" content=""#))
        .nth(1)
        .and_then(|rest| rest.split_once('"'))
        .map(|(content, _)| content.to_owned())
}

fn canonical(html: &str) -> Option<String> {
    html.split(r#"<link rel="canonical" href=""#)
        .nth(1)
        .and_then(|rest| rest.split_once('"'))
        .map(|(href, _)| href.to_owned())
}

#[tokio::test]
async fn robots_txt_keeps_crawlers_out_of_private_pages_and_names_the_sitemap() {
    let app = spawn_app().await;
    let response = app.get("/robots.txt").await;
    assert_eq!(response.status(), StatusCode::OK);
    let robots = text(response).await;
    for path in ["/admin", "/cart", "/checkout", "/orders", "/_sandbox"] {
        assert!(
            robots
                .lines()
                .any(|line| line == format!("Disallow: {path}")),
            "{path}: {robots}"
        );
    }
    assert!(robots.contains(&format!("Sitemap: {}/sitemap.xml", app.address)));
}

#[tokio::test]
async fn the_sitemap_lists_every_active_product_and_category_with_absolute_urls() {
    let app = spawn_app().await;
    diesel::update(products::table.filter(products::slug.eq("linen-notebook")))
        .set(products::active.eq(false))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut sitemap = String::new();
    for _ in 0..50 {
        let response = app.get("/sitemap.xml").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get("content-type").is_some_and(|ct| {
            ct.to_str()
                .is_ok_and(|ct| ct.starts_with("application/xml"))
        }));
        sitemap = text(response).await;
        if !sitemap.contains("linen-notebook") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(sitemap.contains(r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#));
    assert!(sitemap.contains(&format!("<loc>{}/</loc>", app.address)));
    let mut conn = app.conn().await;
    let active: Vec<String> = products::table
        .filter(products::active.eq(true))
        .select(products::slug)
        .load(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(active.len(), 13);
    for slug in active {
        assert!(sitemap.contains(&format!("<loc>{}/products/{slug}</loc>", app.address)));
    }
    assert!(
        !sitemap.contains("linen-notebook"),
        "inactive products are left out"
    );
    let category_slugs: Vec<String> = categories::table
        .select(categories::slug)
        .load(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(category_slugs.len(), 5);
    for slug in category_slugs {
        assert!(sitemap.contains(&format!("<loc>{}/category/{slug}</loc>", app.address)));
    }
}

#[tokio::test]
async fn a_product_page_has_its_description_canonical_link_and_open_graph_tags() {
    let app = spawn_app().await;
    let html = app.get_html("/products/ceramic-pour-over-mug").await;
    let url = format!("{}/products/ceramic-pour-over-mug", app.address);
    assert_eq!(canonical(&html), Some(url.clone()));
    assert_eq!(meta(&html, "og:url"), Some(url));
    assert_eq!(
        meta(&html, "og:title").as_deref(),
        Some("Ceramic Pour-Over Mug")
    );
    let description = "A hand-glazed stoneware mug with a matching pour-over cone. Holds 350 ml; dishwasher safe.";
    assert_eq!(meta(&html, "description").as_deref(), Some(description));
    assert_eq!(meta(&html, "og:description").as_deref(), Some(description));
    assert_eq!(
        meta(&html, "product:price:amount").as_deref(),
        Some("24.00")
    );

    let image = meta(&html, "og:image").unwrap_or_else(|| panic!("no og:image: {html}"));
    let path = image
        .strip_prefix(&app.address)
        .unwrap_or_else(|| panic!("og:image is absolute on this shop: {image}"));
    assert!(
        path.ends_with("/img/products/ceramic-pour-over-mug.svg"),
        "{path}"
    );
    let picture = app.get(path).await;
    assert_eq!(picture.status(), StatusCode::OK);
    assert_eq!(
        picture.bytes().await.unwrap_or_default(),
        std::fs::read("static/img/products/ceramic-pour-over-mug.svg").unwrap_or_default()
    );
}

#[tokio::test]
async fn listings_have_a_description_and_a_canonical_link_and_search_results_are_not_indexed() {
    let app = spawn_app().await;
    let home = app.get_html("/?sort=price-desc").await;
    assert_eq!(canonical(&home), Some(format!("{}/", app.address)));
    assert!(
        meta(&home, "description").is_some_and(|d| d.starts_with("Storefront: everyday goods"))
    );
    let second = app.get_html("/category/drinkware?sort=newest").await;
    assert_eq!(
        canonical(&second),
        Some(format!("{}/category/drinkware", app.address))
    );
    assert_eq!(
        meta(&second, "description").as_deref(),
        Some("Mugs and bottles for the desk, the kitchen and the trail.")
    );
    assert_eq!(
        canonical(&app.get_html("/?page=2").await),
        Some(format!("{}/?page=2", app.address))
    );
    let search = app.get_html("/search?q=mug").await;
    assert_eq!(meta(&search, "robots").as_deref(), Some("noindex"));
    assert_eq!(canonical(&search), None);
}

#[tokio::test]
async fn pages_are_gzipped_for_clients_that_accept_it() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let gzipped = client
        .get(app.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(gzipped.status(), StatusCode::OK);
    assert_eq!(
        gzipped
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let packed = gzipped.bytes().await.unwrap_or_default();
    let plain = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap_or_default();
    assert!(String::from_utf8_lossy(&plain).contains("<!doctype html>"));
    assert!(
        packed.len() * 3 < plain.len(),
        "{} bytes gzipped, {} plain",
        packed.len(),
        plain.len()
    );
}

#[tokio::test]
async fn static_files_are_linked_by_content_hash_and_cached_for_a_year() {
    let app = spawn_app().await;
    let html = app.get_html("/").await;
    let stylesheet = html
        .split(r#"<link rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|rest| rest.split_once('"'))
        .map(|(href, _)| href.to_owned())
        .unwrap_or_else(|| panic!("no stylesheet: {html}"));
    let hash = stylesheet
        .strip_prefix("/assets/")
        .and_then(|rest| rest.strip_suffix("/css/site.css"))
        .unwrap_or_else(|| panic!("a fingerprinted URL: {stylesheet}"));
    assert_eq!(hash.len(), 12);

    let response = app.get(&stylesheet).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("public, max-age=31536000, immutable")
    );
    assert!(
        response
            .headers()
            .get("content-type")
            .is_some_and(|ct| ct.to_str().is_ok_and(|ct| ct.starts_with("text/css")))
    );
    let css = std::fs::read("static/css/site.css").unwrap_or_default();
    assert_eq!(response.bytes().await.unwrap_or_default(), css);

    // A page from before a deploy asks for an older hash: the current file, revalidated.
    let stale = app.get("/assets/000000000000/css/site.css").await;
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(
        stale
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-cache")
    );
    assert_eq!(
        app.get(&format!("/assets/{hash}/css/nothing.css"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/assets/{hash}/../Cargo.toml"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // The plain URL still answers, without the year-long promise.
    let plain = app.get("/static/css/site.css").await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert!(
        plain
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| !v.contains("immutable"))
    );
}
