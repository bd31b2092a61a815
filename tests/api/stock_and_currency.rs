//! Smaller money bugs: a partial refund returns to stock only what the admin chose, an admin's
//! stock edit is a change (reservations made meanwhile stay), and three-decimal currencies are
//! charged in their own minor unit, as Stripe counts them.

use reqwest::StatusCode;
use reqwest::multipart::Form;

use crate::helpers::{TestApp, VISA, csrf_token_in, location, spawn_app, spawn_app_with, text};

async fn product_edit(app: &TestApp, slug: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let id = app.product_id(slug).await;
    let form_page = app.get_html(&format!("/admin/products/{id}/edit")).await;
    let mut form = Form::new().text("csrf_token", csrf_token_in(&form_page));
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    app.client
        .post(app.url(&format!("/admin/products/{id}")))
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The order's item of a product without options (the refund form's fields are per item).
async fn item_of(app: &TestApp, order: uuid::Uuid, product: i64) -> i64 {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use storefront::schema::order_items;
    order_items::table
        .filter(order_items::order_id.eq(order))
        .filter(order_items::product_id.eq(product))
        .select(order_items::id)
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("item of product {product}: {e}"))
}

/// Submits the order page's refund form with `units` of each product to put back.
async fn refund_with_restock(
    app: &TestApp,
    order: uuid::Uuid,
    amount: &str,
    units: &[(i64, i32)],
) -> reqwest::Response {
    let page = app.get_html(&format!("/admin/orders/{order}")).await;
    let mut fields = vec![
        ("csrf_token".to_owned(), csrf_token_in(&page)),
        ("key".to_owned(), input_value(&page, "key")),
        ("amount".to_owned(), amount.to_owned()),
    ];
    for (product, n) in units {
        let item = item_of(app, order, *product).await;
        fields.push((format!("restock_{item}"), n.to_string()));
    }
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post_form(&format!("/admin/orders/{order}/refunds"), &form)
        .await
}

fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in the form"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap_or(0)].to_owned()
}

#[tokio::test]
async fn a_partial_refund_returns_to_stock_only_the_units_the_admin_chose() {
    let app = spawn_app().await;
    app.sign_in_as_admin("owner@example.com").await;
    let shopper = app.another_browser();
    shopper.add_to_cart("ceramic-pour-over-mug", "3").await;
    shopper.add_to_cart("canvas-tote-bag", "2").await;
    let order = shopper.checkout("ada@example.com").await;
    shopper.pay_with_card(order, VISA).await;
    app.webhooks_delivered().await;
    app.wait_for_status(order, "paid").await;
    assert_eq!(app.stock("ceramic-pour-over-mug").await, 37);
    assert_eq!(app.stock("canvas-tote-bag").await, 73);

    let mug = app.product_id("ceramic-pour-over-mug").await;
    let tote = app.product_id("canvas-tote-bag").await;
    let page = app.get_html(&format!("/admin/orders/{order}")).await;
    let mug_item = item_of(&app, order, mug).await;
    assert!(
        page.contains(&format!("name=\"restock_{mug_item}\"")),
        "{page}"
    );
    // One mug comes back: a partial refund of $24.00 returns one unit, not all five.
    let response = refund_with_restock(&app, order, "24.00", &[(mug, 1), (tote, 0)]).await;
    assert_eq!(location(&response), format!("/admin/orders/{order}"));
    let page = app.get_html(&format!("/admin/orders/{order}")).await;
    assert!(page.contains("1 unit is back in stock."), "{page}");
    assert_eq!(app.stock("ceramic-pour-over-mug").await, 38);
    assert_eq!(app.stock("canvas-tote-bag").await, 73);

    // More than is still out is refused and changes nothing.
    let response = refund_with_restock(&app, order, "24.00", &[(mug, 3), (tote, 0)]).await;
    assert_eq!(location(&response), format!("/admin/orders/{order}"));
    let page = app.get_html(&format!("/admin/orders/{order}")).await;
    assert!(
        page.contains("Return to stock: 2 of Ceramic Pour-Over Mug can go back, not 3."),
        "{page}"
    );
    assert_eq!(app.stock("ceramic-pour-over-mug").await, 38);
    app.webhooks_delivered().await;
    app.wait_for_order(order, ("partially_refunded", 10900, 2400))
        .await;
}

#[tokio::test]
async fn an_admin_stock_edit_keeps_the_reservations_made_while_the_form_was_open() {
    let app = spawn_app().await;
    app.sign_in_as_admin("owner@example.com").await;
    let id = app.product_id("ceramic-pour-over-mug").await;
    let form_page = app.get_html(&format!("/admin/products/{id}/edit")).await;
    assert_eq!(input_value(&form_page, "stock_was"), "40");

    // A shopper checks out two mugs while the admin types.
    let shopper = app.another_browser();
    shopper.add_to_cart("ceramic-pour-over-mug", "2").await;
    shopper.checkout("ada@example.com").await;
    assert_eq!(app.stock("ceramic-pour-over-mug").await, 38);

    // The admin adds five to the 40 they saw.
    let fields = [
        ("csrf_token", csrf_token_in(&form_page)),
        ("name", "Ceramic Pour-Over Mug".into()),
        ("slug", "ceramic-pour-over-mug".into()),
        ("description", "A mug.".into()),
        ("price", "24.00".into()),
        ("stock", "45".into()),
        ("stock_was", input_value(&form_page, "stock_was")),
    ];
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text(name, value);
    }
    let response = app
        .client
        .post(app.url(&format!("/admin/products/{id}")))
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(location(&response), "/admin/products");
    assert_eq!(
        app.stock("ceramic-pour-over-mug").await,
        43,
        "five more than what was left, the two reserved stay reserved"
    );
}

#[tokio::test]
async fn an_admin_stock_edit_cannot_take_units_a_checkout_already_took() {
    let app = spawn_app().await;
    app.sign_in_as_admin("owner@example.com").await;
    let id = app.product_id("limited-edition-print").await;
    let form_page = app.get_html(&format!("/admin/products/{id}/edit")).await;
    let shopper = app.another_browser();
    shopper.add_to_cart("limited-edition-print", "1").await;
    shopper.checkout("ada@example.com").await;

    let response = product_edit(
        &app,
        "limited-edition-print",
        &[
            ("name", "Limited Edition Print"),
            ("slug", "limited-edition-print"),
            ("price", "45.00"),
            ("stock", "0"),
            ("stock_was", &input_value(&form_page, "stock_was")),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = text(response).await;
    assert!(html.contains("Stock: only 0 left now"), "{html}");
    assert_eq!(app.stock("limited-edition-print").await, 0);
}

#[tokio::test]
async fn three_decimal_currencies_are_charged_in_their_own_minor_unit() {
    let app = spawn_app_with(&[("CURRENCY", "kwd")]).await;
    app.sign_in_as_admin("owner@example.com").await;
    let token = csrf_token_in(&app.get_html("/admin/products/new").await);
    let mut form = Form::new().text("csrf_token", token.clone());
    for (name, value) in [
        ("name", "Dallah"),
        ("description", "A coffee pot."),
        ("price", "12.345"),
        ("stock", "3"),
        (
            "image_choice",
            "/static/img/products/ceramic-pour-over-mug.svg",
        ),
    ] {
        form = form.text(name, value);
    }
    let response = app
        .client
        .post(app.url("/admin/products"))
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response).await.contains("the last digit must be 0"),
        "Stripe takes KWD amounts in steps of 0.010"
    );

    let mut form = Form::new().text("csrf_token", token);
    for (name, value) in [
        ("name", "Dallah"),
        ("description", "A coffee pot."),
        ("price", "12.340"),
        ("stock", "3"),
        (
            "image_choice",
            "/static/img/products/ceramic-pour-over-mug.svg",
        ),
    ] {
        form = form.text(name, value);
    }
    let response = app
        .client
        .post(app.url("/admin/products"))
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(location(&response), "/admin/products");

    let shopper = app.another_browser();
    shopper.add_to_cart("dallah", "2").await;
    let order = shopper.checkout("ada@example.com").await;
    let form = shopper.payment_form(order).await;
    assert!(form.html.contains("Pay 24.680 KWD"), "{}", form.html);
    let intent = app
        .stripe_get(&format!("payment_intents/{}", form.intent_id()))
        .await;
    assert_eq!(intent["amount"], 24680, "24.680 KWD in fils");
    assert_eq!(intent["currency"], "kwd");
    let (status, _) = shopper.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK);
}

/// Checkout reserves stock last, at the prices it wrote the order at: a price changed while the
/// order was being written refuses the order and takes nothing off the shelf.
#[tokio::test]
async fn a_price_changed_while_the_order_is_written_refuses_it_and_takes_no_stock() {
    use diesel::dsl::sql;
    use diesel::prelude::*;
    use diesel::sql_types::BigInt;
    use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
    use storefront::schema::{order_items, products};

    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "2").await;
    let stock_before = app.stock("ceramic-pour-over-mug").await;
    // The owner's change holds the product's row, uncommitted, while the checkout runs.
    let mut owner = app.conn().await;
    owner
        .batch_execute(
            "BEGIN; UPDATE products SET price_minor = price_minor + 100 \
             WHERE slug = 'ceramic-pour-over-mug'",
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let commit_once_checkout_waits = async {
        let mut watcher = app.conn().await;
        for _ in 0..500 {
            let waiting: i64 = diesel::select(sql::<BigInt>(
                "(SELECT count(*) FROM pg_stat_activity \
                  WHERE wait_event_type = 'Lock' AND datname = current_database())",
            ))
            .get_result(&mut watcher)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            if waiting > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        owner
            .batch_execute("COMMIT")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    };
    let (response, ()) = tokio::join!(
        app.submit("/checkout", &[("email", "ada@example.com")]),
        commit_once_checkout_waits
    );

    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = text(response).await;
    assert!(
        html.contains("The price of Ceramic Pour-Over Mug changed just now"),
        "{html}"
    );
    assert_eq!(app.order_count().await, 0, "no order is kept");
    assert_eq!(app.stock("ceramic-pour-over-mug").await, stock_before);

    // Checked out again, the order is written at the new price.
    let order = app.checkout("ada@example.com").await;
    let mut conn = app.conn().await;
    let charged: i64 = order_items::table
        .filter(order_items::order_id.eq(order))
        .select(order_items::unit_price_minor)
        .first(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let price_now: i64 = products::table
        .filter(products::slug.eq("ceramic-pour-over-mug"))
        .select(products::price_minor)
        .first(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(charged, price_now);
    assert_eq!(app.stock("ceramic-pour-over-mug").await, stock_before - 2);
}
