//! Paying on Stripe's hosted Checkout page (`CHECKOUT_MODE=hosted`, or the shopper's "Pay on
//! Stripe's page"): the session made from the database's order, the order finalised by
//! `checkout.session.*` webhooks or the reconciler, never twice.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use storefront::schema::{order_items, orders};
use uuid::Uuid;

use crate::helpers::{TestApp, VISA, location, spawn_app, spawn_app_with, text};

const HOSTED: (&str, &str) = ("CHECKOUT_MODE", "hosted");

/// Checks the cart out on Stripe's page; returns the order and the page's URL.
async fn hosted_checkout(app: &TestApp, form: &[(&str, &str)]) -> (Uuid, String) {
    let response = app.submit("/checkout", form).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "checkout: {}",
        text(response).await
    );
    let page = location(&response);
    assert!(page.contains("/_sandbox/c/pay/cs_test_"), "{page}");
    let session = page.rsplit('/').next().unwrap_or_default().to_owned();
    let order: Uuid = orders::table
        .filter(orders::checkout_session_id.eq(&session))
        .select(orders::id)
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("no order for {session}: {e}"));
    (order, page)
}

fn attribute<'a>(html: &'a str, name: &str) -> &'a str {
    html.split(&format!("{name}=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no {name} in the hosted page"))
}

/// Pays on the hosted page with a card, as its Stripe.js does; returns the HTTP status.
async fn pay_on_page(app: &TestApp, page: &str, card: &str) -> (StatusCode, serde_json::Value) {
    let html = reqwest::get(page)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let key = attribute(&html, "data-publishable-key");
    let secret = attribute(&html, "data-client-secret");
    let intent = secret.split("_secret_").next().unwrap_or_default();
    let response = reqwest::Client::new()
        .post(format!(
            "{}v1/payment_intents/{intent}/confirm",
            app.stripe.api_base
        ))
        .form(&[
            ("key", key),
            ("client_secret", secret),
            ("payment_method_data[type]", "card"),
            ("payment_method_data[card][number]", card),
            ("payment_method_data[card][exp_month]", "12"),
            ("payment_method_data[card][exp_year]", "2040"),
            ("payment_method_data[card][cvc]", "123"),
            (
                "payment_method_data[billing_details][address][postal_code]",
                "12345",
            ),
            ("return_url", &format!("{page}/done")),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status();
    (
        status,
        response.json().await.unwrap_or_else(|e| panic!("{e}")),
    )
}

async fn session_of(app: &TestApp, order: Uuid) -> String {
    orders::table
        .find(order)
        .select(orders::checkout_session_id)
        .first::<Option<String>>(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("order {order} has no session"))
}

#[tokio::test]
async fn the_session_is_made_from_the_orders_lines_and_amounts_in_the_database() {
    let app = spawn_app_with(&[HOSTED]).await;
    app.add_to_cart("ceramic-pour-over-mug", "2").await;
    app.add_to_cart("canvas-tote-bag", "1").await;
    let (order, page) = hosted_checkout(&app, &[("email", "ada@example.com")]).await;

    let session_id = session_of(&app, order).await;
    let session = app
        .stripe_get(&format!(
            "checkout/sessions/{session_id}?expand[]=line_items"
        ))
        .await;
    let (total, currency, reserved_until, intent): (
        i64,
        String,
        time::OffsetDateTime,
        Option<String>,
    ) = orders::table
        .find(order)
        .select((
            orders::total_minor,
            orders::currency,
            orders::reserved_until,
            orders::payment_intent_id,
        ))
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let items: Vec<(String, i64, i32)> = order_items::table
        .filter(order_items::order_id.eq(order))
        .order(order_items::product_name.asc())
        .select((
            order_items::product_name,
            order_items::unit_price_minor,
            order_items::quantity,
        ))
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(session["amount_total"], total);
    assert_eq!(session["currency"], currency);
    assert_eq!(session["client_reference_id"], order.to_string());
    assert_eq!(session["metadata"]["order_id"], order.to_string());
    assert_eq!(session["customer_email"], "ada@example.com");
    assert_eq!(session["url"], page);
    assert_eq!(session["expires_at"], reserved_until.unix_timestamp());
    assert!(intent.is_none(), "the shop makes no intent of its own");
    let mut lines: Vec<(String, i64, i64)> = session["line_items"]["data"]
        .as_array()
        .unwrap_or_else(|| panic!("the session's line items"))
        .iter()
        .map(|l| {
            (
                l["description"]
                    .as_str()
                    .unwrap_or_else(|| panic!("the session's line items"))
                    .to_owned(),
                l["price"]["unit_amount"]
                    .as_i64()
                    .unwrap_or_else(|| panic!("the session's line items")),
                l["quantity"]
                    .as_i64()
                    .unwrap_or_else(|| panic!("the session's line items")),
            )
        })
        .collect();
    lines.sort();
    let expected: Vec<(String, i64, i64)> = items
        .into_iter()
        .map(|(name, unit, quantity)| (name, unit, i64::from(quantity)))
        .collect();
    assert_eq!(lines, expected);

    // A second press of the button (or another tab) goes to the same session.
    let (again, page_again) = hosted_checkout(&app, &[("email", "ada@example.com")]).await;
    assert_eq!((again, page_again), (order, page));
    let sessions = app.stripe_get("checkout/sessions").await;
    assert_eq!(sessions["data"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn the_shopper_can_choose_stripes_page_on_the_review_page() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let review = app.get_html("/checkout").await;
    assert!(
        review.contains("Pay on Stripe&#x27;s page") || review.contains("Pay on Stripe's page")
    );
    let (order, _) =
        hosted_checkout(&app, &[("email", "ada@example.com"), ("pay_on", "hosted")]).await;
    // The payment page of a hosted order sends the shopper back to Stripe's page.
    let pay = app.get(&format!("/orders/{order}/pay")).await;
    assert_eq!(location(&pay), format!("/orders/{order}/hosted"));
}

#[tokio::test]
async fn the_completed_webhook_makes_the_order_paid_once_and_the_success_url_thanks() {
    let app = spawn_app_with(&[HOSTED]).await;
    let stock_before = app.stock("ceramic-pour-over-mug").await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let (order, page) = hosted_checkout(&app, &[("email", "ada@example.com")]).await;
    app.control("webhooks/mode", &[("mode", "duplicate"), ("count", "20")])
        .await;

    let (status, declined) = pay_on_page(&app, &page, "4000000000000002").await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(declined["error"]["message"], "Your card was declined.");
    let (status, _) = pay_on_page(&app, &page, VISA).await;
    assert_eq!(status, StatusCode::OK);
    app.webhooks_delivered().await;
    app.wait_for_status(order, "paid").await;

    let paid = app
        .order_events(order)
        .await
        .into_iter()
        .filter(|(_, to, applied, _)| to == "paid" && *applied)
        .collect::<Vec<_>>();
    assert_eq!(paid.len(), 1, "{paid:?}");
    assert_eq!(paid[0].3, "webhook");
    let completed: Vec<(String, String)> = app
        .stripe_events()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "checkout.session.completed")
        .collect();
    assert_eq!(completed.len(), 1, "a duplicate delivery is stored once");
    assert_eq!(app.stock("ceramic-pour-over-mug").await, stock_before - 1);
    assert!(
        app.cart_rows().await.is_empty(),
        "what was bought left the cart"
    );

    // Stripe's page sends the shopper to success_url, which thanks them.
    let done = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
        .get(format!("{page}/done"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let success = location(&done);
    let path = success
        .split_once("/checkout/hosted/return")
        .map(|(_, rest)| format!("/checkout/hosted/return{rest}"))
        .unwrap_or_else(|| panic!("success_url {success}"));
    let back = app.get(&path).await;
    assert_eq!(location(&back), format!("/orders/{order}/thanks"));
    let thanks = app.get_html(&format!("/orders/{order}/thanks")).await;
    assert!(
        thanks.contains("data-testid=\"order-status\">Paid<"),
        "{thanks}"
    );
}

#[tokio::test]
async fn an_expired_session_cancels_the_order_and_releases_its_stock() {
    let app = spawn_app_with(&[HOSTED]).await;
    let stock_before = app.stock("ceramic-pour-over-mug").await;
    app.add_to_cart("ceramic-pour-over-mug", "2").await;
    let (order, page) = hosted_checkout(&app, &[("email", "ada@example.com")]).await;
    assert_eq!(app.stock("ceramic-pour-over-mug").await, stock_before - 2);
    // The shopper opened the page (Stripe made its intent), then left.
    let html = reqwest::get(&page)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(html.contains("Pay "));

    let session = session_of(&app, order).await;
    app.stripe_post(&format!("checkout/sessions/{session}/expire"), &[])
        .await;
    app.webhooks_delivered().await;
    app.wait_for_status(order, "cancelled").await;
    assert_eq!(app.stock("ceramic-pour-over-mug").await, stock_before);
    let kinds: Vec<String> = app
        .stripe_events()
        .await
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(
        kinds.contains(&"checkout.session.expired".to_owned()),
        "{kinds:?}"
    );
    assert!(
        !app.cart_rows().await.is_empty(),
        "the cart keeps its items"
    );
}

#[tokio::test]
async fn a_session_that_expires_before_it_was_opened_cancels_the_order() {
    let app = spawn_app_with(&[HOSTED]).await;
    let stock_before = app.stock("ceramic-pour-over-mug").await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let (order, _) = hosted_checkout(&app, &[("email", "ada@example.com")]).await;
    let session = session_of(&app, order).await;
    app.stripe_post(&format!("checkout/sessions/{session}/expire"), &[])
        .await;
    app.webhooks_delivered().await;
    app.wait_for_status(order, "cancelled").await;
    assert_eq!(app.stock("ceramic-pour-over-mug").await, stock_before);
}

#[tokio::test]
async fn when_the_completed_webhook_is_lost_the_reconciler_finds_the_payment() {
    let app = spawn_app_with(&[
        HOSTED,
        ("RECONCILE_INTERVAL_SECS", "1"),
        ("RECONCILE_AFTER_SECS", "1"),
    ])
    .await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let (order, page) = hosted_checkout(&app, &[("email", "ada@example.com")]).await;
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "100")])
        .await;
    let (status, _) = pay_on_page(&app, &page, VISA).await;
    assert_eq!(status, StatusCode::OK);
    app.webhooks_delivered().await;

    app.wait_for_status(order, "paid").await;
    let events = app.order_events(order).await;
    assert!(
        events.contains(&(
            Some("pending".into()),
            "paid".into(),
            true,
            "reconciler".into()
        )),
        "{events:?}"
    );
    assert!(
        !app.stripe_events()
            .await
            .iter()
            .any(|(kind, _)| kind.starts_with("checkout.session")
                || kind == "payment_intent.succeeded"),
        "no webhook arrived"
    );
}

/// Confirms the hosted page's intent by SEPA Direct Debit, as its SEPA Debit tab does.
async fn pay_by_sepa_on_page(app: &TestApp, page: &str, iban: &str) -> String {
    let html = reqwest::get(page)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let key = attribute(&html, "data-publishable-key");
    let secret = attribute(&html, "data-client-secret");
    let intent = secret
        .split("_secret_")
        .next()
        .unwrap_or_default()
        .to_owned();
    let response = reqwest::Client::new()
        .post(format!(
            "{}v1/payment_intents/{intent}/confirm",
            app.stripe.api_base
        ))
        .form(&[
            ("key", key),
            ("client_secret", secret),
            ("payment_method_data[type]", "sepa_debit"),
            ("payment_method_data[sepa_debit][iban]", iban),
            ("payment_method_data[billing_details][name]", "Jenny Rosen"),
            (
                "payment_method_data[billing_details][email]",
                "jenny@example.com",
            ),
            ("mandate_data[customer_acceptance][type]", "online"),
            (
                "mandate_data[customer_acceptance][online][infer_from_client]",
                "true",
            ),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    intent
}

#[tokio::test]
async fn a_bank_debit_on_stripes_page_leaves_the_order_pending_until_it_settles() {
    let app = spawn_app_with(&[HOSTED, ("CURRENCY", "eur")]).await;
    app.control(
        "bank_debits",
        &[("settle_ms", "86400000"), ("delayed_settle_ms", "86400000")],
    )
    .await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let (order, page) = hosted_checkout(&app, &[("email", "ada@example.com")]).await;
    let intent = pay_by_sepa_on_page(&app, &page, "DE89370400440532013000").await;
    app.webhooks_delivered().await;
    let session = app
        .stripe_get(&format!(
            "checkout/sessions/{}",
            session_of(&app, order).await
        ))
        .await;
    assert_eq!(
        (
            session["status"].as_str(),
            session["payment_status"].as_str()
        ),
        (Some("complete"), Some("unpaid"))
    );
    assert_eq!(app.order_status(order).await, "pending");

    app.control("bank_debits/settle", &[("payment_intent", &intent)])
        .await;
    app.webhooks_delivered().await;
    app.wait_for_status(order, "paid").await;
    let kinds: Vec<String> = app
        .stripe_events()
        .await
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(
        kinds.contains(&"checkout.session.async_payment_succeeded".to_owned()),
        "{kinds:?}"
    );
}

/// The lines of a session as Stripe's page lists them: (description, unit amount, quantity).
async fn session_lines(app: &TestApp, order: Uuid) -> (i64, Vec<(String, i64, i64)>) {
    let session_id = session_of(app, order).await;
    let session = app
        .stripe_get(&format!(
            "checkout/sessions/{session_id}?expand[]=line_items"
        ))
        .await;
    let lines = session["line_items"]["data"]
        .as_array()
        .unwrap_or_else(|| panic!("the session's line items: {session}"))
        .iter()
        .map(|l| {
            (
                l["description"].as_str().unwrap_or_default().to_owned(),
                l["price"]["unit_amount"].as_i64().unwrap_or_default(),
                l["quantity"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    (session["amount_total"].as_i64().unwrap_or_default(), lines)
}

/// A mug ($24.00) sent to London by Express ($14.99), with VAT at 20 %.
const LONDON: &[(&str, &str)] = &[
    ("email", "grace@example.com"),
    ("ship_name", "Grace Hopper"),
    ("ship_line1", "10 Downing Street"),
    ("ship_city", "London"),
    ("ship_postal_code", "SW1A 2AA"),
    ("ship_country", "GB"),
    ("shipping_method", "express"),
];

async fn order_total(app: &TestApp, order: Uuid) -> (i64, i64, i64) {
    orders::table
        .find(order)
        .select((
            orders::total_minor,
            orders::shipping_minor,
            orders::tax_minor,
        ))
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn stripes_page_charges_the_items_shipping_and_tax_as_lines_adding_up_to_the_order() {
    let app = spawn_app_with(&[HOSTED]).await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let (order, page) = hosted_checkout(&app, LONDON).await;
    let (total, shipping, tax) = order_total(&app, order).await;
    assert_eq!(shipping, 1499);
    assert_eq!(tax, 480 + 300, "20 % of 24.00 and of 14.99");

    let (amount_total, mut lines) = session_lines(&app, order).await;
    lines.sort();
    assert_eq!(amount_total, total);
    assert_eq!(total, 2400 + 1499 + 780);
    assert_eq!(
        lines,
        vec![
            ("Ceramic Pour-Over Mug".to_owned(), 2400, 1),
            ("Shipping (Express)".to_owned(), 1499, 1),
            ("VAT (20%)".to_owned(), 780, 1),
        ]
    );

    let (status, _) = pay_on_page(&app, &page, VISA).await;
    assert_eq!(status, StatusCode::OK);
    app.webhooks_delivered().await;
    app.wait_for_status(order, "paid").await;
}

#[tokio::test]
async fn an_order_with_a_discount_is_one_line_for_its_total_on_stripes_page_and_is_paid() {
    let app = spawn_app_with(&[HOSTED]).await;
    diesel::insert_into(storefront::schema::discount_codes::table)
        .values((
            storefront::schema::discount_codes::code.eq("TENOFF"),
            storefront::schema::discount_codes::percent_off.eq(Some(10)),
        ))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let mut form = LONDON.to_vec();
    form.push(("discount_code", "TENOFF"));
    let (order, page) = hosted_checkout(&app, &form).await;
    let (total, _, _) = order_total(&app, order).await;

    let (amount_total, lines) = session_lines(&app, order).await;
    assert_eq!(
        amount_total, total,
        "Stripe's page charges the order's total"
    );
    assert_eq!(lines.len(), 1, "{lines:?}");
    let (description, unit, quantity) = &lines[0];
    assert_eq!((*unit, *quantity), (total, 1));
    assert!(
        description.contains("1 item") && description.contains("Discount (TENOFF)"),
        "{description}"
    );

    let (status, _) = pay_on_page(&app, &page, VISA).await;
    assert_eq!(status, StatusCode::OK);
    app.webhooks_delivered().await;
    app.wait_for_status(order, "paid").await;
}
