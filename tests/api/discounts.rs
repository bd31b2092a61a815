//! Discount codes at checkout: percent or fixed, a minimum, an expiry and a usage limit that
//! concurrent checkouts cannot pass, recorded on the order, and given back when an unpaid
//! order is cancelled.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use storefront::schema::{discount_codes, orders};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::helpers::{TestApp, VISA, location, order_id_from, spawn_app, text};

/// The owner's code: `percent_off` or `amount_off` cents, with its limits.
async fn make_code(
    app: &TestApp,
    code: &str,
    percent_off: Option<i32>,
    amount_off: Option<i64>,
    min_items: Option<i64>,
    expires_at: Option<OffsetDateTime>,
    usage_limit: Option<i32>,
) {
    diesel::insert_into(discount_codes::table)
        .values((
            discount_codes::code.eq(code),
            discount_codes::percent_off.eq(percent_off),
            discount_codes::amount_off_minor.eq(amount_off),
            discount_codes::currency.eq(amount_off.map(|_| "usd")),
            discount_codes::min_items_minor.eq(min_items),
            discount_codes::expires_at.eq(expires_at),
            discount_codes::usage_limit.eq(usage_limit),
        ))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn times_used(app: &TestApp, code: &str) -> i32 {
    discount_codes::table
        .filter(discount_codes::code.eq(code))
        .select(discount_codes::times_used)
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn order_discount(app: &TestApp, order: Uuid) -> (Option<String>, i64, i64) {
    orders::table
        .find(order)
        .select((
            orders::discount_code,
            orders::discount_minor,
            orders::total_minor,
        ))
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A mug and two totes: $61.00.
async fn with_cart(app: &TestApp) {
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    app.add_to_cart("canvas-tote-bag", "2").await;
}

#[tokio::test]
async fn a_percent_code_is_recorded_on_the_order_and_taken_off_the_amount_charged() {
    let app = spawn_app().await;
    make_code(&app, "TENOFF", Some(10), None, None, None, None).await;
    with_cart(&app).await;
    let html = app.get_html("/checkout").await;
    assert!(html.contains("Discount code"));
    // Typed as a shopper would: any case, spaces around it.
    let response = app
        .submit(
            "/checkout",
            &[("email", "ada@example.com"), ("discount_code", " tenOff ")],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(response).await
    );
    let order = order_id_from(&location(&response));
    assert_eq!(
        order_discount(&app, order).await,
        (Some("TENOFF".to_owned()), 610, 6100 - 610)
    );
    assert_eq!(times_used(&app, "TENOFF").await, 1);
    let intent = app
        .stripe_get(&format!(
            "payment_intents/{}",
            app.order_intent(order).await
        ))
        .await;
    assert_eq!(intent["amount"], 5490);
    let form = app.payment_form(order).await;
    assert!(form.html.contains("Discount (TENOFF)"));
    assert!(form.html.contains("-$6.10"));
    assert!(form.html.contains(r#"data-testid="subtotal">$61.00<"#));
    assert!(form.html.contains("Pay $54.90"));

    // Checking out again with the same code continues the order and counts nothing more.
    let again = app
        .submit(
            "/checkout",
            &[("email", "ada@example.com"), ("discount_code", "TENOFF")],
        )
        .await;
    assert_eq!(order_id_from(&location(&again)), order);
    assert_eq!(times_used(&app, "TENOFF").await, 1);

    let (status, _) = app.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK);
    app.wait_for_status(order, "paid").await;
    let mail = app.wait_for_mail("ada@example.com", "is confirmed").await;
    assert!(
        mail.text.contains("Discount (TENOFF): -$6.10"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("Total: $54.90"));
    assert_eq!(
        times_used(&app, "TENOFF").await,
        1,
        "a paid order keeps its use"
    );
}

#[tokio::test]
async fn a_fixed_code_below_its_minimum_expired_or_unknown_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    make_code(&app, "FIVE", None, Some(500), Some(7000), None, None).await;
    make_code(
        &app,
        "OLD",
        Some(50),
        None,
        None,
        Some(OffsetDateTime::now_utc() - time::Duration::days(1)),
        None,
    )
    .await;
    with_cart(&app).await;
    for (code, message) in [
        (
            "FIVE",
            "The discount code FIVE needs items worth at least $70.00.",
        ),
        ("OLD", "The discount code OLD has expired."),
        ("NOPE", "There is no discount code NOPE."),
    ] {
        let response = app
            .submit(
                "/checkout",
                &[("email", "ada@example.com"), ("discount_code", code)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(text(response).await.contains(message), "{code}");
    }
    assert_eq!(app.order_count().await, 0);
    assert_eq!(app.stock("canvas-tote-bag").await, 75);

    // With a third tote the items come to $79.50: $5.00 off.
    app.add_to_cart("canvas-tote-bag", "1").await;
    let response = app
        .submit(
            "/checkout",
            &[("email", "ada@example.com"), ("discount_code", "FIVE")],
        )
        .await;
    let order = order_id_from(&location(&response));
    assert_eq!(
        order_discount(&app, order).await,
        (Some("FIVE".to_owned()), 500, 7950 - 500)
    );
}

#[tokio::test]
async fn concurrent_checkouts_use_a_limited_code_exactly_as_often_as_its_limit() {
    let app = spawn_app().await;
    make_code(&app, "FIRST3", Some(20), None, None, None, Some(3)).await;
    let mut shoppers = Vec::new();
    for _ in 0..8 {
        let shopper = app.another_browser();
        shopper.add_to_cart("ceramic-pour-over-mug", "1").await;
        let token = shopper.csrf_token().await;
        shoppers.push((shopper, token));
    }
    let responses =
        futures_util::future::join_all(shoppers.iter().map(|(shopper, token)| async move {
            shopper
                .post_form(
                    "/checkout",
                    &[
                        ("csrf_token", token.as_str()),
                        ("email", "shopper@example.com"),
                        ("discount_code", "FIRST3"),
                    ],
                )
                .await
        }))
        .await;
    let placed: Vec<Uuid> = responses
        .iter()
        .filter(|r| r.status() == StatusCode::SEE_OTHER)
        .map(|r| order_id_from(&location(r)))
        .collect();
    let refused = responses
        .iter()
        .filter(|r| r.status() == StatusCode::BAD_REQUEST || r.status() == StatusCode::CONFLICT)
        .count();
    assert_eq!(placed.len(), 3, "exactly the limit got the code");
    assert_eq!(refused, 5);
    assert_eq!(times_used(&app, "FIRST3").await, 3);
    let holding: i64 = orders::table
        .filter(orders::discount_code.eq("FIRST3"))
        .count()
        .get_result(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(holding, 3);
    assert_eq!(
        app.stock("ceramic-pour-over-mug").await,
        40 - 3,
        "refused checkouts hold no stock"
    );

    // An unpaid order cancelled gives its use back, once.
    let (first, _) = shoppers
        .iter()
        .zip(&responses)
        .find(|(_, r)| r.status() == StatusCode::SEE_OTHER)
        .map(|((shopper, token), _)| (shopper, token))
        .unwrap_or_else(|| panic!("no shopper placed an order"));
    let first_order = order_id_from(&location(
        responses
            .iter()
            .find(|r| r.status() == StatusCode::SEE_OTHER)
            .unwrap_or_else(|| panic!("no order")),
    ));
    let cancelled = first
        .submit(&format!("/orders/{first_order}/cancel"), &[])
        .await;
    assert_eq!(cancelled.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.order_status(first_order).await, "cancelled");
    assert_eq!(times_used(&app, "FIRST3").await, 2);
    let again = first
        .submit(&format!("/orders/{first_order}/cancel"), &[])
        .await;
    assert!(again.status().is_redirection() || again.status().is_client_error());
    assert_eq!(times_used(&app, "FIRST3").await, 2, "released once");
}

#[tokio::test]
async fn tax_is_on_what_each_line_costs_after_its_share_of_the_discount() {
    let app = spawn_app().await;
    make_code(&app, "TENOFF", Some(10), None, None, None, None).await;
    with_cart(&app).await;
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
                ("discount_code", "TENOFF"),
            ],
        )
        .await;
    let order = order_id_from(&location(&response));
    // $6.10 off, shared $2.40 / $3.70: 20 % VAT on $21.60 and $33.30, and on $14.99 shipping.
    let taxes: Vec<i64> = storefront::schema::order_items::table
        .filter(storefront::schema::order_items::order_id.eq(order))
        .order(storefront::schema::order_items::product_name.asc())
        .select(storefront::schema::order_items::tax_minor)
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(taxes, [666, 432]);
    let total = 6100 + 1499 + (666 + 432 + 300) - 610;
    assert_eq!(
        order_discount(&app, order).await,
        (Some("TENOFF".to_owned()), 610, total)
    );
    let html = app.payment_form(order).await.html;
    assert!(html.contains("Discount (TENOFF)"));
    assert!(html.contains("VAT (20%)"));
    assert!(html.contains("$13.98"));
    assert!(html.contains(r#"data-testid="total">$83.87<"#));
}
