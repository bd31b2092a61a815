use reqwest::StatusCode;

use crate::helpers::{assert_redirect, spawn_app, text};

#[tokio::test]
async fn adding_a_product_puts_it_in_the_cart_page_and_the_database() {
    let app = spawn_app().await;
    let response = app.add_to_cart("ceramic-pour-over-mug", "2").await;
    assert_redirect(&response, "/cart");

    let html = app.get_html("/cart").await;
    assert!(html.contains("Added Ceramic Pour-Over Mug to your cart."));
    assert!(html.contains("Ceramic Pour-Over Mug"));
    assert!(html.contains("value=\"2\""));
    assert!(html.contains("$48.00"), "subtotal of 2 × $24.00");
    assert!(html.contains("aria-label=\"2 items in cart\""));
    assert_eq!(
        app.cart_rows().await,
        vec![("ceramic-pour-over-mug".into(), 2)]
    );

    // Adding the same product again adds to the line.
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    assert_eq!(
        app.cart_rows().await,
        vec![("ceramic-pour-over-mug".into(), 3)]
    );
}

#[tokio::test]
async fn updating_and_removing_lines_changes_the_cart() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    app.add_to_cart("canvas-tote-bag", "1").await;
    let mug = app.product_id("ceramic-pour-over-mug").await;
    let tote = app.product_id("canvas-tote-bag").await;

    let response = app
        .submit(&format!("/cart/items/{mug}"), &[("quantity", "5")])
        .await;
    assert_redirect(&response, "/cart");
    let html = app.get_html("/cart").await;
    assert!(html.contains("$120.00"), "5 × $24.00");
    assert!(html.contains("$138.50"), "subtotal with the $18.50 tote");

    let response = app.submit(&format!("/cart/items/{tote}/remove"), &[]).await;
    assert_redirect(&response, "/cart");
    assert_eq!(
        app.cart_rows().await,
        vec![("ceramic-pour-over-mug".into(), 5)]
    );
    let html = app.get_html("/cart").await;
    assert!(!html.contains("Canvas Tote Bag"));
}

#[tokio::test]
async fn bad_quantities_are_refused_with_a_clear_page_and_change_nothing() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let mug = app.product_id("ceramic-pour-over-mug").await;

    for bad in ["0", "-1", "100", "abc", "", "2.5"] {
        let response = app.add_to_cart("canvas-tote-bag", bad).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "add {bad:?}");
        let html = text(response).await;
        assert!(
            html.contains("Quantity must be a whole number from 1 to 99."),
            "{bad:?}"
        );

        let response = app
            .submit(&format!("/cart/items/{mug}"), &[("quantity", bad)])
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "update {bad:?}");
    }
    assert_eq!(
        app.cart_rows().await,
        vec![("ceramic-pour-over-mug".into(), 1)]
    );
}

#[tokio::test]
async fn quantities_above_the_stock_are_refused() {
    let app = spawn_app().await;
    // The limited print has one left.
    let response = app.add_to_cart("limited-edition-print", "2").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(text(response).await.contains("only 1 left in stock"));

    app.add_to_cart("limited-edition-print", "1").await;
    let response = app.add_to_cart("limited-edition-print", "1").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(text(response).await.contains("1 already in your cart"));

    let response = app.add_to_cart("vintage-enamel-pin", "1").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(text(response).await.contains("sold out"));

    assert_eq!(
        app.cart_rows().await,
        vec![("limited-edition-print".into(), 1)]
    );
}

#[tokio::test]
async fn more_than_99_of_one_product_is_refused() {
    let app = spawn_app().await;
    app.set_max_per_order("crab-sticker-pack", 99).await;
    app.add_to_cart("crab-sticker-pack", "99").await;
    let response = app.add_to_cart("crab-sticker-pack", "1").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(text(response).await.contains("at most 99"));
    assert_eq!(
        app.cart_rows().await,
        vec![("crab-sticker-pack".into(), 99)]
    );
}

#[tokio::test]
async fn unknown_and_inactive_products_cannot_be_added() {
    let app = spawn_app().await;
    for id in ["999999", "abc", "-3"] {
        let response = app
            .submit("/cart/items", &[("product_id", id), ("quantity", "1")])
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{id}");
        assert!(
            text(response)
                .await
                .contains("That product is not available.")
        );
    }
    assert_eq!(
        app.cart_count_in_database().await,
        0,
        "no cart for a refused add"
    );

    {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::products;
        diesel::update(products::table.filter(products::slug.eq("merino-beanie")))
            .set(products::active.eq(false))
            .execute(&mut app.conn().await)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let response = app.add_to_cart("merino-beanie", "1").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(app.cart_rows().await.is_empty());
}

#[tokio::test]
async fn a_form_without_the_right_csrf_token_is_refused() {
    let app = spawn_app().await;
    let mug = app.product_id("ceramic-pour-over-mug").await.to_string();
    app.get("/").await; // the session exists and has a token

    let missing = app
        .post_form("/cart/items", &[("product_id", &mug), ("quantity", "1")])
        .await;
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert!(text(missing).await.contains("This form has expired"));

    let forged = app
        .post_form(
            "/cart/items",
            &[
                ("csrf_token", "0123456789abcdef0123456789abcdef"),
                ("product_id", &mug),
                ("quantity", "1"),
            ],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // Another browser's valid token does not work in this session.
    let other = crate::helpers::browser();
    let other_page = other
        .get(app.url("/"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let other_token = crate::helpers::csrf_token_in(&text(other_page).await);
    let stolen = app
        .post_form(
            "/cart/items",
            &[
                ("csrf_token", &other_token),
                ("product_id", &mug),
                ("quantity", "1"),
            ],
        )
        .await;
    assert_eq!(stolen.status(), StatusCode::FORBIDDEN);

    assert!(app.cart_rows().await.is_empty());
}

#[tokio::test]
async fn two_browsers_have_separate_carts() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let other = crate::helpers::browser();
    let html = text(
        other
            .get(app.url("/cart"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    assert!(html.contains("Your cart is empty."));
}

/// Adding answers once the other servers have been told of the change; telling them must never
/// wait for a pooled connection that the adding requests themselves hold.
#[tokio::test]
async fn more_shoppers_adding_at_once_than_the_pool_has_connections_are_all_answered() {
    let app = crate::helpers::spawn_app_with(&[("DATABASE_POOL_SIZE", "2")]).await;
    let shoppers: Vec<_> = (0..8).map(|_| app.another_browser()).collect();
    for shopper in &shoppers {
        // Each has its session and CSRF token before the adds race.
        shopper.csrf_token().await;
    }
    let started = std::time::Instant::now();
    let adds = shoppers
        .iter()
        .map(|shopper| shopper.add_to_cart("ceramic-pour-over-mug", "1"));
    for response in futures_util::future::join_all(adds).await {
        assert_redirect(&response, "/cart");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "the adds waited {:?}",
        started.elapsed()
    );
}

/// Adds race on one line: each is counted, and together they never take it past the most per
/// order.
#[tokio::test]
async fn adds_at_once_to_one_line_all_count_and_stop_at_the_limit() {
    let app = spawn_app().await;
    app.set_max_per_order("ceramic-pour-over-mug", 4).await;
    assert_redirect(
        &app.add_to_cart("ceramic-pour-over-mug", "1").await,
        "/cart",
    );

    let adds = (0..6).map(|_| app.add_to_cart("ceramic-pour-over-mug", "1"));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(adds)
        .await
        .iter()
        .map(reqwest::Response::status)
        .collect();
    let added = statuses
        .iter()
        .filter(|status| **status == StatusCode::SEE_OTHER)
        .count();
    let refused = statuses
        .iter()
        .filter(|status| **status == StatusCode::CONFLICT)
        .count();
    assert_eq!((added, refused), (3, 3), "{statuses:?}");
    assert_eq!(
        app.cart_rows().await,
        vec![("ceramic-pour-over-mug".into(), 4)]
    );
}
