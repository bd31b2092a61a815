//! What a phone gets: tables whose stacked rows keep their labels, a cart that sends a new
//! quantity without an Update press, and a short sandbox banner.

use reqwest::StatusCode;

use crate::helpers::{spawn_app, text};

/// The `src` of the page's script whose URL ends with `name`.
fn script_src(html: &str, name: &str) -> Option<String> {
    html.split(r#"<script src=""#)
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(src, _)| src.to_owned()))
        .find(|src| src.ends_with(name))
}

#[tokio::test]
async fn the_cart_labels_its_cells_and_loads_the_script_that_sends_a_changed_quantity() {
    let app = spawn_app().await;
    let empty = app.get_html("/cart").await;
    assert_eq!(
        script_src(&empty, "/js/cart.js"),
        None,
        "no script for an empty cart"
    );

    app.add_to_cart("canvas-tote-bag", "2").await;
    let cart = app.get_html("/cart").await;
    for label in ["Price", "Quantity", "Total"] {
        assert!(
            cart.contains(&format!(r#"<td data-label="{label}">"#)),
            "{label}"
        );
    }
    let src = script_src(&cart, "/js/cart.js").unwrap_or_else(|| panic!("no cart script: {cart}"));
    assert!(src.starts_with("/assets/"), "fingerprinted: {src}");
    let script = app.get(&src).await;
    assert_eq!(script.status(), StatusCode::OK);
    assert!(
        script
            .headers()
            .get("content-type")
            .is_some_and(|ct| ct.to_str().is_ok_and(|ct| ct.contains("javascript")))
    );
    let script = text(script).await;
    assert!(script.contains("form.requestSubmit()"));
    // Without JavaScript the form still has its button, and the quantity posts as before.
    assert!(cart.contains("Update<span class=\"visually-hidden\"> Canvas Tote Bag</span>"));
    let id = app.product_id("canvas-tote-bag").await;
    app.submit(&format!("/cart/items/{id}"), &[("quantity", "3")])
        .await;
    assert_eq!(app.cart_rows().await, [("canvas-tote-bag".to_owned(), 3)]);
}

#[tokio::test]
async fn my_orders_and_an_orders_items_label_their_cells() {
    let app = spawn_app().await;
    app.register("phone@example.com", "correct horse battery staple")
        .await;
    app.add_to_cart("linen-notebook", "1").await;
    let order = app.checkout("phone@example.com").await;
    let list = app.get_html("/orders").await;
    for label in ["Placed", "Total", "Status"] {
        assert!(
            list.contains(&format!(r#"<td data-label="{label}">"#)),
            "{label}"
        );
    }
    let page = app.get_html(&format!("/orders/{order}")).await;
    for label in ["Price", "Quantity", "Total"] {
        assert!(
            page.contains(&format!(r#"<td data-label="{label}">"#)),
            "{label}"
        );
    }
}

#[tokio::test]
async fn on_a_phone_the_sandbox_banner_keeps_to_the_one_card_that_pays() {
    let app = spawn_app().await;
    let home = app.get_html("/").await;
    assert!(home.contains("Sandbox mode:"));
    assert!(home.contains(r#"<span class="banner-more">"#));
    let css = text(app.get("/static/css/site.css").await).await;
    let phone = css
        .split("@media (max-width: 640px)")
        .nth(1)
        .unwrap_or_else(|| panic!("no phone rules"));
    assert!(phone.contains(".mode-banner .banner-more { display: none; }"));
    assert!(phone.contains(".cart-table td[data-label]::before { content: attr(data-label);"));
}
