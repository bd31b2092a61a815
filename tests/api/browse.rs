//! Browsing the catalog: categories, full-text search, sorting and pages.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use storefront::schema::{categories, products};

use crate::helpers::{TestApp, location, spawn_app, spawn_app_with, text};

/// The products a listing page shows, in its order.
fn listed_slugs(html: &str) -> Vec<String> {
    html.split(r#"class="product-link" href="/products/"#)
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(slug, _)| slug.to_owned()))
        .collect()
}

async fn active_slugs_by(app: &TestApp, order: &str) -> Vec<String> {
    let mut conn = app.conn().await;
    let query = products::table
        .filter(products::active.eq(true))
        .select(products::slug);
    match order {
        "price-asc" => {
            query
                .order((products::price_minor.asc(), products::name.asc()))
                .load(&mut conn)
                .await
        }
        "price-desc" => {
            query
                .order((products::price_minor.desc(), products::name.asc()))
                .load(&mut conn)
                .await
        }
        _ => query.order(products::name.asc()).load(&mut conn).await,
    }
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Every page of a listing, following its rel=next links.
async fn every_page(app: &TestApp, first: &str) -> Vec<String> {
    let mut slugs = Vec::new();
    let mut next = Some(first.to_owned());
    while let Some(path) = next {
        assert!(slugs.len() < 1000, "the pages end ({path})");
        let html = app.get_html(&path).await;
        slugs.extend(listed_slugs(&html));
        next = html
            .split(r#"<a rel="next" href=""#)
            .nth(1)
            .and_then(|rest| rest.split_once('"'))
            .map(|(href, _)| href.replace("&#38;", "&"));
    }
    slugs
}

#[tokio::test]
async fn the_catalog_comes_in_pages_of_twelve_linked_by_prev_and_next() {
    let app = spawn_app().await;
    let first = app.get_html("/").await;
    assert_eq!(listed_slugs(&first).len(), 12);
    assert!(first.contains(r#"<link rel="next" href="/?page=2">"#));
    assert!(first.contains(r#"<a rel="next" href="/?page=2">"#));
    assert!(!first.contains(r#"rel="prev""#));
    assert!(first.contains("14 products, page 1 of 2"));
    assert!(first.contains(
        r#"href="/" aria-current="page"><span class="visually-hidden">Page </span>1</a>"#
    ));

    let second = app.get_html("/?page=2").await;
    assert_eq!(listed_slugs(&second).len(), 2);
    assert!(second.contains(r#"<link rel="prev" href="/">"#));
    assert!(!second.contains(r#"rel="next""#));

    assert_eq!(
        every_page(&app, "/").await,
        active_slugs_by(&app, "name").await
    );
}

#[tokio::test]
async fn a_page_past_the_last_is_not_found_and_a_page_that_is_no_number_is_refused() {
    let app = spawn_app().await;
    for path in ["/?page=3", "/?page=0", "/category/home?page=2"] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in [
        "/?page=two",
        "/?page=99999999999999999999",
        "/?sort=cheapest",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::BAD_REQUEST,
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_catalog_sorts_by_price_both_ways_and_by_name() {
    let app = spawn_app().await;
    for order in ["price-asc", "price-desc"] {
        let shown = every_page(&app, &format!("/?sort={order}")).await;
        assert_eq!(shown, active_slugs_by(&app, order).await, "{order}");
    }
    assert_eq!(
        every_page(&app, "/?sort=name").await,
        active_slugs_by(&app, "name").await
    );
    let cheapest = app.get_html("/?sort=price-asc").await;
    assert!(cheapest.contains(r#"href="/?sort=price-asc&#38;page=2""#));
    assert!(
        cheapest.contains(r#"href="/?sort=price-asc" aria-current="true">Price, low to high</a>"#)
    );
}

#[tokio::test]
async fn the_newest_product_comes_first_when_sorted_by_newest() {
    let app = spawn_app().await;
    diesel::insert_into(products::table)
        .values((
            products::slug.eq("walnut-spoon"),
            products::name.eq("Walnut Spoon"),
            products::description.eq("Carved from one piece of walnut."),
            products::price_minor.eq(1250),
            products::currency.eq("usd"),
            products::image_path.eq("/static/img/products/linen-notebook.svg"),
            products::stock.eq(5),
        ))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut newest = Vec::new();
    for _ in 0..50 {
        newest = listed_slugs(&app.get_html("/?sort=newest").await);
        if newest.starts_with(&["walnut-spoon".to_owned()]) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        newest.starts_with(&["walnut-spoon".to_owned()]),
        "{newest:?}"
    );
    assert!(!listed_slugs(&app.get_html("/").await).contains(&"walnut-spoon".to_owned()));
}

#[tokio::test]
async fn a_category_lists_exactly_its_active_products() {
    let app = spawn_app().await;
    let home = app.get_html("/").await;
    for (slug, name) in [
        ("drinkware", "Drinkware"),
        ("apparel", "Apparel"),
        ("home", "Home"),
    ] {
        assert!(home.contains(&format!(r#"<a href="/category/{slug}">{name}</a>"#)));
    }
    diesel::update(products::table.filter(products::slug.eq("enamel-camp-mug")))
        .set(products::active.eq(false))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let expected: Vec<String> = products::table
        .inner_join(categories::table)
        .filter(categories::slug.eq("drinkware"))
        .filter(products::active.eq(true))
        .order(products::name.asc())
        .select(products::slug)
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(expected, ["ceramic-pour-over-mug", "glass-water-bottle"]);

    let mut shown = Vec::new();
    for _ in 0..50 {
        let html = app.get_html("/category/drinkware").await;
        assert!(html.contains("<h1>Drinkware</h1>"));
        assert!(html.contains(r#"href="/category/drinkware" aria-current="page""#));
        shown = listed_slugs(&html);
        if shown == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(shown, expected);
    assert_eq!(
        listed_slugs(&app.get_html("/category/drinkware?sort=price-desc").await),
        ["glass-water-bottle", "ceramic-pour-over-mug"]
    );
    assert_eq!(
        app.get("/category/no-such-thing").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn every_demo_product_has_a_category() {
    let app = spawn_app().await;
    let uncategorised: i64 = products::table
        .filter(products::category_id.is_null())
        .count()
        .get_result(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(uncategorised, 0);
}

#[tokio::test]
async fn search_finds_words_in_any_form_and_ranks_the_name_above_the_description() {
    let app = spawn_app().await;
    let home = app.get_html("/").await;
    assert!(
        home.contains(r#"<form class="search-form" role="search" method="get" action="/search">"#)
    );

    // "mugs" finds both mugs (English stemming).
    let mugs = app.get_html("/search?q=mugs").await;
    assert!(mugs.contains("Results for “mugs”"));
    let mut found = listed_slugs(&mugs);
    found.sort();
    assert_eq!(found, ["ceramic-pour-over-mug", "enamel-camp-mug"]);
    assert!(
        mugs.contains(r#"value="mugs""#),
        "the terms stay in the search box"
    );

    // Wool is in the socks' name and the beanie's description; merino the other way round.
    assert_eq!(
        listed_slugs(&app.get_html("/search?q=wool").await),
        ["wool-hiking-socks", "merino-beanie"]
    );
    assert_eq!(
        listed_slugs(&app.get_html("/search?q=merino").await),
        ["merino-beanie", "wool-hiking-socks"]
    );
    // What people type in search boxes: a phrase, an excluded word.
    assert_eq!(
        listed_slugs(&app.get_html("/search?q=mug+-enamel").await),
        ["ceramic-pour-over-mug"]
    );
    assert_eq!(
        listed_slugs(&app.get_html("/search?q=%22camp+stove%22").await),
        ["enamel-camp-mug"]
    );
    // Sorted otherwise on request.
    assert_eq!(
        listed_slugs(&app.get_html("/search?q=mug&sort=price-asc").await),
        ["enamel-camp-mug", "ceramic-pour-over-mug"]
    );
    let nothing = app.get_html("/search?q=submarine").await;
    assert!(listed_slugs(&nothing).is_empty());
    assert!(nothing.contains("Nothing matches your search."));
}

#[tokio::test]
async fn search_follows_a_renamed_product_and_leaves_out_inactive_ones() {
    let app = spawn_app().await;
    diesel::update(products::table.filter(products::slug.eq("linen-notebook")))
        .set(products::name.eq("Linen Journal"))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    diesel::update(products::table.filter(products::slug.eq("merino-beanie")))
        .set(products::active.eq(false))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        listed_slugs(&app.get_html("/search?q=journal").await),
        ["linen-notebook"]
    );
    assert_eq!(
        listed_slugs(&app.get_html("/search?q=merino").await),
        ["wool-hiking-socks"]
    );
}

#[tokio::test]
async fn search_refuses_long_terms_and_sends_empty_ones_to_the_catalog() {
    let app = spawn_app().await;
    let long = "a".repeat(101);
    let response = app.get(&format!("/search?q={long}")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response)
            .await
            .contains("Search for at most 100 characters.")
    );
    assert_eq!(
        app.get(&format!("/search?q={}", "a".repeat(100)))
            .await
            .status(),
        StatusCode::OK
    );
    let empty = app.get("/search?q=+").await;
    assert_eq!(empty.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&empty), "/");
    assert_eq!(
        app.get("/search?q=mug&sort=bogus").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/search?q=mug&page=2").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn searching_too_often_from_one_address_is_answered_429() {
    let app = spawn_app_with(&[("SEARCHES_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        assert_eq!(app.get("/search?q=mug").await.status(), StatusCode::OK);
    }
    let refused = app.get("/search?q=mug").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(text(refused).await.contains("Too many searches"));
    // Browsing from memory is not counted.
    assert_eq!(app.get("/category/home").await.status(), StatusCode::OK);
}

/// Every CSRF token field on a page.
fn csrf_tokens_in(html: &str) -> Vec<&str> {
    html.split(r#"name="csrf_token" value=""#)
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(token, _)| token))
        .collect()
}

#[tokio::test]
async fn the_listing_kept_for_everyone_carries_each_visitors_own_token_and_follows_the_catalog() {
    let app = spawn_app().await;
    let other = app.another_browser();
    let mine = app.get_html("/").await;
    let theirs = other.get_html("/").await;
    assert_eq!(listed_slugs(&mine), listed_slugs(&theirs));
    let (my_tokens, their_tokens) = (csrf_tokens_in(&mine), csrf_tokens_in(&theirs));
    assert!(
        my_tokens.len() > 3,
        "the add-to-cart forms have tokens: {mine}"
    );
    assert!(
        my_tokens.iter().all(|t| *t == my_tokens[0]),
        "{my_tokens:?}"
    );
    assert!(
        their_tokens.iter().all(|t| *t == their_tokens[0]),
        "{their_tokens:?}"
    );
    assert_ne!(my_tokens[0], their_tokens[0]);

    // An add-to-cart form of the listing, as the other browser got it, works for it.
    let mug = app.product_id("ceramic-pour-over-mug").await.to_string();
    let added = other
        .post_form(
            "/cart/items",
            &[
                ("csrf_token", their_tokens[0]),
                ("product_id", &mug),
                ("quantity", "1"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        other.cart_rows().await,
        vec![("ceramic-pour-over-mug".into(), 1)]
    );

    // A price change shows on the listing as soon as the catalog is told of it.
    diesel::update(products::table.filter(products::slug.eq("ceramic-pour-over-mug")))
        .set(products::price_minor.eq(4321))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !app.get_html("/").await.contains("$43.21") {
        assert!(
            std::time::Instant::now() < deadline,
            "the listing still shows the old price"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
