//! Shipping at checkout: the address (checked, kept on the order, sent as the PaymentIntent's
//! `shipping`), the shipping methods from the owner's table, priced on the server, and a
//! signed-in shopper's last address offered again.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use storefront::schema::{orders, shipping_methods};
use uuid::Uuid;

use crate::helpers::{
    FREE_SHIPPING_FROM, STANDARD_SHIPPING, TestApp, VISA, location, order_id_from, spawn_app,
    spawn_app_with, text,
};

/// The mug costs $24.00: below the free-shipping threshold.
const MUG: i64 = 2400;

/// An address in Canada, which has no tax rate: these tests are about shipping alone.
const GRACE: &[(&str, &str)] = &[
    ("email", "grace@example.com"),
    ("ship_name", "Grace Hopper"),
    ("ship_line1", "24 Sussex Drive"),
    ("ship_line2", "Flat 2"),
    ("ship_city", "Ottawa"),
    ("ship_postal_code", "k1m 1m4"),
    ("ship_country", "CA"),
    ("shipping_method", "express"),
];

#[derive(Queryable, Debug)]
struct ShippedOrder {
    total_minor: i64,
    shipping_minor: i64,
    ship_name: Option<String>,
    ship_line1: Option<String>,
    ship_line2: Option<String>,
    ship_city: Option<String>,
    ship_postal_code: Option<String>,
    ship_country: Option<String>,
    shipping_method_name: Option<String>,
}

async fn shipped(app: &TestApp, order: Uuid) -> ShippedOrder {
    orders::table
        .find(order)
        .select((
            orders::total_minor,
            orders::shipping_minor,
            orders::ship_name,
            orders::ship_line1,
            orders::ship_line2,
            orders::ship_city,
            orders::ship_postal_code,
            orders::ship_country,
            orders::shipping_method_name,
        ))
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("order {order}: {e}"))
}

async fn check_out(app: &TestApp, form: &[(&str, &str)]) -> Uuid {
    let response = app.submit("/checkout", form).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(response).await
    );
    order_id_from(&location(&response))
}

#[tokio::test]
async fn checkout_offers_the_configured_countries_and_the_owners_shipping_methods() {
    let app = spawn_app_with(&[("SHIPPING_COUNTRIES", "GB,US")]).await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let html = app.get_html("/checkout").await;
    assert!(html.contains("Shipping address"));
    assert!(html.contains(r#"<option value="GB" selected>United Kingdom</option>"#));
    assert!(html.contains(r#"<option value="US">United States</option>"#));
    assert!(!html.contains("France"), "only the configured countries");
    assert!(html.contains("Standard"));
    assert!(html.contains(r#"data-testid="shipping-price-standard">$4.99<"#));
    assert!(html.contains("(free from $50.00)"));
    assert!(html.contains(r#"data-testid="shipping-price-express">$14.99<"#));

    // The owner's table decides: a method taken off is no longer offered.
    diesel::update(shipping_methods::table.filter(shipping_methods::code.eq("express")))
        .set(shipping_methods::active.eq(false))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let html = app.get_html("/checkout").await;
    assert!(!html.contains("shipping-price-express"));
    let response = app
        .submit(
            "/checkout",
            &[("email", "ada@example.com"), ("shipping_method", "express")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response)
            .await
            .contains("Choose how your order should be shipped.")
    );
    assert_eq!(app.order_count().await, 0);
}

#[tokio::test]
async fn a_bad_address_is_shown_again_with_every_mistake_and_changes_nothing() {
    let app = spawn_app_with(&[("SHIPPING_COUNTRIES", "US,GB")]).await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let response = app
        .submit(
            "/checkout",
            &[
                ("email", "ada@example.com"),
                ("ship_name", "  "),
                ("ship_line1", "1 Main Street"),
                ("ship_city", "Springfield"),
                ("ship_postal_code", "1234"),
                ("ship_country", "FR"),
                ("shipping_method", "standard"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = text(response).await;
    assert!(html.contains("nothing was ordered yet"));
    assert!(html.contains("s full name."), "{html}");
    assert!(html.contains("Choose a country we ship to."));
    // What the shopper typed is kept.
    assert!(html.contains(r#"value="1 Main Street""#));
    assert!(html.contains(r#"aria-invalid="true" aria-describedby="ship_name-error""#));

    let response = app
        .submit(
            "/checkout",
            &[
                ("email", "ada@example.com"),
                ("ship_name", "Ada Lovelace"),
                ("ship_line1", "1 Main Street"),
                ("ship_city", "Springfield"),
                ("ship_postal_code", "1234"),
                ("ship_country", "US"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response)
            .await
            .contains("Enter a US ZIP code, like 12345 or 12345-6789.")
    );

    assert_eq!(app.order_count().await, 0, "no order was placed");
    assert_eq!(
        app.stock("ceramic-pour-over-mug").await,
        40,
        "no stock taken"
    );
    assert!(
        app.stripe_get("payment_intents").await["data"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "no PaymentIntent made"
    );
}

#[tokio::test]
async fn the_order_keeps_the_address_and_its_payment_intent_ships_there_for_items_plus_shipping() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = check_out(&app, GRACE).await;

    let row = shipped(&app, order).await;
    assert_eq!(row.ship_name.as_deref(), Some("Grace Hopper"));
    assert_eq!(row.ship_line1.as_deref(), Some("24 Sussex Drive"));
    assert_eq!(row.ship_line2.as_deref(), Some("Flat 2"));
    assert_eq!(row.ship_city.as_deref(), Some("Ottawa"));
    assert_eq!(row.ship_postal_code.as_deref(), Some("K1M 1M4"));
    assert_eq!(row.ship_country.as_deref(), Some("CA"));
    assert_eq!(row.shipping_method_name.as_deref(), Some("Express"));
    assert_eq!(row.shipping_minor, 1499);
    assert_eq!(row.total_minor, MUG + 1499);

    let intent = app
        .stripe_get(&format!(
            "payment_intents/{}",
            app.order_intent(order).await
        ))
        .await;
    assert_eq!(intent["amount"], MUG + 1499);
    let shipping = &intent["shipping"];
    assert_eq!(shipping["name"], "Grace Hopper");
    assert_eq!(shipping["address"]["line1"], "24 Sussex Drive");
    assert_eq!(shipping["address"]["line2"], "Flat 2");
    assert_eq!(shipping["address"]["city"], "Ottawa");
    assert_eq!(shipping["address"]["postal_code"], "K1M 1M4");
    assert_eq!(shipping["address"]["country"], "CA");

    // Every page shows the same breakdown before and after paying.
    let form = app.payment_form(order).await;
    for page in [
        form.html.clone(),
        app.get_html(&format!("/orders/{order}")).await,
    ] {
        assert!(page.contains(r#"data-testid="subtotal">$24.00<"#), "{page}");
        assert!(page.contains("Shipping (Express)"));
        assert!(page.contains("$14.99"));
        assert!(page.contains(r#"data-testid="total">$38.99<"#));
        assert!(page.contains("24 Sussex Drive"));
        assert!(page.contains("K1M 1M4 Ottawa"));
        assert!(page.contains("Canada"));
    }
    assert!(form.html.contains("Pay $38.99"));

    let (status, _) = app.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK);
    app.wait_for_status(order, "paid").await;
    let thanks = app.get_html(&format!("/orders/{order}/thanks")).await;
    assert!(thanks.contains("Shipping (Express)"));
    assert!(thanks.contains(r#"data-testid="total">$38.99<"#));
    let mail = app.wait_for_mail("grace@example.com", "is confirmed").await;
    assert!(mail.text.contains("Subtotal: $24.00"), "{}", mail.text);
    assert!(mail.text.contains("Shipping (Express): $14.99"));
    assert!(mail.text.contains("Total: $38.99"));
    assert!(mail.text.contains("24 Sussex Drive"));
    assert!(mail.html.contains("Shipping (Express)"));
}

#[tokio::test]
async fn standard_shipping_is_free_from_the_threshold_and_the_rate_is_read_when_the_order_is_placed()
 {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let standard = [
        ("email", "ada@example.com"),
        ("shipping_method", "standard"),
    ];
    let order = check_out(&app, &standard).await;
    assert_eq!(
        shipped(&app, order).await.total_minor,
        MUG + STANDARD_SHIPPING
    );

    // The owner raises the rate: the next checkout of the cart (a new order, since the old one
    // no longer matches) charges the new rate; a price field sent by the browser is ignored.
    diesel::update(shipping_methods::table.filter(shipping_methods::code.eq("express")))
        .set(shipping_methods::price_minor.eq(1999))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let express = check_out(
        &app,
        &[
            ("email", "ada@example.com"),
            ("shipping_method", "express"),
            ("shipping_minor", "0"),
            ("total_minor", "1"),
        ],
    )
    .await;
    assert_ne!(express, order, "a changed shipping method is a new order");
    assert_eq!(app.order_status(order).await, "cancelled");
    assert_eq!(shipped(&app, express).await.total_minor, MUG + 1999);

    // Three mugs come to $72.00, above the threshold: standard shipping is free.
    app.add_to_cart("ceramic-pour-over-mug", "2").await;
    let free = check_out(&app, &standard).await;
    let row = shipped(&app, free).await;
    const { assert!(3 * MUG >= FREE_SHIPPING_FROM) };
    assert_eq!(row.shipping_minor, 0);
    assert_eq!(row.total_minor, 3 * MUG);
    let html = app.payment_form(free).await.html;
    assert!(html.contains("Shipping (Standard)"));
    assert!(html.contains("Free"));
}

#[tokio::test]
async fn checking_out_again_with_the_same_address_continues_the_same_order() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let first = check_out(&app, GRACE).await;
    let again = check_out(&app, GRACE).await;
    assert_eq!(first, again);
    let mut elsewhere = GRACE.to_vec();
    elsewhere[2] = ("ship_line1", "1 Sussex Drive");
    let moved = check_out(&app, &elsewhere).await;
    assert_ne!(moved, first, "another address is another order");
    assert_eq!(app.order_status(first).await, "cancelled");
    assert_eq!(app.stock("ceramic-pour-over-mug").await, 39, "one mug held");
}

#[tokio::test]
async fn a_signed_in_shopper_is_offered_their_last_address_and_a_guest_is_not() {
    let app = spawn_app().await;
    app.register("grace@example.com", "correct horse battery staple")
        .await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let html = app.get_html("/checkout").await;
    assert!(!html.contains("reused-address"), "no order yet");
    check_out(&app, &GRACE[1..]).await;

    let html = app.get_html("/checkout").await;
    assert!(html.contains(r#"data-testid="reused-address""#));
    assert!(html.contains(r#"value="Grace Hopper""#));
    assert!(html.contains(r#"value="24 Sussex Drive""#));
    assert!(html.contains(r#"value="Flat 2""#));
    assert!(html.contains(r#"value="K1M 1M4""#));
    assert!(html.contains(r#"<option value="CA" selected>"#));

    let guest = app.another_browser();
    guest.add_to_cart("ceramic-pour-over-mug", "1").await;
    let html = guest.get_html("/checkout").await;
    assert!(!html.contains("Grace Hopper"));
    assert!(!html.contains("reused-address"));
}
