//! Tax by destination: the owner's rate for the country an order ships to, shown before paying,
//! added to each order line and to shipping, and part of the one total the PaymentIntent
//! charges.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use storefront::schema::{order_items, orders, tax_rates};
use uuid::Uuid;

use crate::helpers::{TestApp, VISA, location, order_id_from, spawn_app, spawn_app_with, text};

/// A mug ($24.00) and two totes (2 × $18.50) sent to London by Express ($14.99).
async fn london_order(app: &TestApp) -> Uuid {
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    app.add_to_cart("canvas-tote-bag", "2").await;
    let response = app
        .submit(
            "/checkout",
            &[
                ("email", "grace@example.com"),
                ("ship_name", "Grace Hopper"),
                ("ship_line1", "10 Downing Street"),
                ("ship_city", "London"),
                ("ship_postal_code", "SW1A 2AA"),
                ("ship_country", "GB"),
                ("shipping_method", "express"),
            ],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(response).await
    );
    order_id_from(&location(&response))
}

async fn line_taxes(app: &TestApp, order: Uuid) -> Vec<(String, i64)> {
    order_items::table
        .filter(order_items::order_id.eq(order))
        .order(order_items::product_name.asc())
        .select((order_items::product_name, order_items::tax_minor))
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn order_tax(app: &TestApp, order: Uuid) -> (i64, i64, i64) {
    orders::table
        .find(order)
        .select((
            orders::shipping_tax_minor,
            orders::tax_minor,
            orders::total_minor,
        ))
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn the_review_page_shows_the_tax_of_each_country_before_paying() {
    let app = spawn_app_with(&[("SHIPPING_COUNTRIES", "US,GB,DE")]).await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let html = app.get_html("/checkout").await;
    assert!(html.contains("<li>United Kingdom: 20% VAT</li>"), "{html}");
    assert!(html.contains("<li>Germany: 19% VAT</li>"));
    assert!(html.contains("<li>Elsewhere: no tax</li>"));
    assert!(
        !html.contains("France"),
        "only the countries the shop ships to"
    );
}

#[tokio::test]
async fn tax_is_kept_per_line_and_on_shipping_and_the_intent_charges_items_shipping_and_tax() {
    let app = spawn_app().await;
    let order = london_order(&app).await;

    // 20 % VAT: $4.80 on the mug, $7.40 on the totes, $3.00 on $14.99 of shipping ($2.998).
    assert_eq!(
        line_taxes(&app, order).await,
        [
            ("Canvas Tote Bag".to_owned(), 740),
            ("Ceramic Pour-Over Mug".to_owned(), 480)
        ]
    );
    let (shipping_tax, tax, total) = order_tax(&app, order).await;
    assert_eq!(shipping_tax, 300);
    assert_eq!(tax, 740 + 480 + 300);
    assert_eq!(total, 6100 + 1499 + 1520);
    let intent = app
        .stripe_get(&format!(
            "payment_intents/{}",
            app.order_intent(order).await
        ))
        .await;
    assert_eq!(intent["amount"], total);

    let form = app.payment_form(order).await;
    for page in [
        form.html.clone(),
        app.get_html(&format!("/orders/{order}")).await,
    ] {
        assert!(page.contains(r#"data-testid="subtotal">$61.00<"#), "{page}");
        assert!(page.contains("Shipping (Express)"));
        assert!(page.contains("VAT (20%)"));
        assert!(page.contains("$15.20"));
        assert!(page.contains(r#"data-testid="total">$91.19<"#));
    }
    assert!(form.html.contains("Pay $91.19"));

    let (status, _) = app.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK);
    app.wait_for_status(order, "paid").await;
    let mail = app.wait_for_mail("grace@example.com", "is confirmed").await;
    assert!(mail.text.contains("Subtotal: $61.00"), "{}", mail.text);
    assert!(mail.text.contains("Shipping (Express): $14.99"));
    assert!(mail.text.contains("VAT (20%): $15.20"));
    assert!(mail.text.contains("Total: $91.19"));
}

#[tokio::test]
async fn the_owners_rate_is_read_when_the_order_is_placed_and_each_line_is_rounded_on_its_own() {
    let app = spawn_app().await;
    diesel::update(tax_rates::table.find("GB"))
        .set((tax_rates::rate_bp.eq(725), tax_rates::name.eq("Sales tax")))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let order = london_order(&app).await;
    // 7.25 %: $1.74 on $24.00; $2.6825 on $37.00 rounds to $2.68; $1.0868 on $14.99 to $1.09.
    assert_eq!(
        line_taxes(&app, order).await,
        [
            ("Canvas Tote Bag".to_owned(), 268),
            ("Ceramic Pour-Over Mug".to_owned(), 174)
        ]
    );
    let (shipping_tax, tax, total) = order_tax(&app, order).await;
    assert_eq!(shipping_tax, 109);
    assert_eq!(tax, 268 + 174 + 109);
    assert_eq!(total, 6100 + 1499 + tax);
    let html = app.payment_form(order).await.html;
    assert!(html.contains("Sales tax (7.25%)"));
}

#[tokio::test]
async fn an_order_to_a_country_without_a_rate_has_no_tax_line() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    // The shared helpers send a US address, and the US has no rate.
    let order = app.checkout("ada@example.com").await;
    let (_, tax, total) = order_tax(&app, order).await;
    assert_eq!((tax, total), (0, 2400));
    assert_eq!(
        line_taxes(&app, order).await,
        [("Ceramic Pour-Over Mug".to_owned(), 0)]
    );
    let html = app.payment_form(order).await.html;
    assert!(!html.contains("VAT"));
    assert!(html.contains("Pay $24.00"));
}
