use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use storefront::orders::db::{self as orders_db, NewOrder, NewOrderItem};
use storefront::schema::{orders, stripe_events, users};
use stripe_webhook::Webhook;
use uuid::Uuid;

use crate::helpers::{
    DECLINED, TestApp, csrf_token_in, location, spawn_app, spawn_app_with_standalone_sandbox, text,
};

const OWNER: &str = "owner@example.com";

async fn admin_app() -> TestApp {
    let app = spawn_app().await;
    app.sign_in_as_admin(OWNER).await;
    app
}

/// The value of the first `data-testid="{id}"` element after `data-status="{status}"`.
fn summary_cell(html: &str, status: &str, id: &str) -> String {
    let row = html
        .find(&format!("data-status=\"{status}\""))
        .unwrap_or_else(|| panic!("no {status} row"));
    let marker = format!("data-testid=\"{id}\">");
    let start = html[row..]
        .find(&marker)
        .unwrap_or_else(|| panic!("no {id} in the {status} row"))
        + row
        + marker.len();
    let end = html[start..].find('<').unwrap_or(0) + start;
    html[start..end].to_owned()
}

/// The refund form's `restock_<order item>` inputs and the most units each accepts.
fn restock_fields(html: &str) -> Vec<(String, String)> {
    html.split("name=\"restock_")
        .skip(1)
        .map(|rest| {
            let product = rest.split('"').next().unwrap_or_default();
            let max = rest
                .split("max=\"")
                .nth(1)
                .and_then(|m| m.split('"').next())
                .unwrap_or_default();
            (format!("restock_{product}"), max.to_owned())
        })
        .collect()
}

fn field_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field"))
        + marker.len();
    let end = html[start..].find('"').unwrap_or(0) + start;
    html[start..end].to_owned()
}

impl TestApp {
    /// Submits the order page's refund form as the admin would.
    async fn refund(&self, order: Uuid, amount: &str, restock: bool) -> reqwest::Response {
        let page = self.get_html(&format!("/admin/orders/{order}")).await;
        let key = field_value(&page, "key");
        let mut form = vec![
            ("csrf_token", csrf_token_in(&page)),
            ("key", key),
            ("amount", amount.to_owned()),
        ];
        // Every unit the form offers to put back.
        let offered = restock_fields(&page);
        if restock {
            for (name, max) in &offered {
                form.push((name.as_str(), max.clone()));
            }
        }
        let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = self
            .post_form(&format!("/admin/orders/{order}/refunds"), &fields)
            .await;
        assert_eq!(location(&response), format!("/admin/orders/{order}"));
        response
    }

    async fn admin_order_page(&self, order: Uuid) -> String {
        self.get_html(&format!("/admin/orders/{order}")).await
    }

    async fn amount_refunded(&self, order: Uuid) -> i64 {
        orders::table
            .find(order)
            .select(orders::amount_refunded_minor)
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Posts the product form (multipart) to `path`.
    async fn product_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        image: Option<(&str, Vec<u8>)>,
    ) -> reqwest::Response {
        let mut form = Form::new().text("csrf_token", self.csrf_token().await);
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        if let Some((file_name, bytes)) = image {
            form = form.part(
                "image_file",
                Part::bytes(bytes)
                    .file_name(file_name.to_owned())
                    .mime_str("image/png")
                    .unwrap_or_else(|e| panic!("{e}")),
            );
        }
        self.client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    async fn uploaded_files(&self) -> usize {
        std::fs::read_dir(&self.upload_dir).map_or(0, |dir| dir.count())
    }
}

fn admin_gets(order: Uuid, product: i64) -> Vec<String> {
    vec![
        "/admin".into(),
        "/admin?status=paid&q=ada".into(),
        format!("/admin/orders/{order}"),
        "/admin/products".into(),
        "/admin/products/new".into(),
        format!("/admin/products/{product}/edit"),
        "/admin/discounts".into(),
        "/admin/shipping".into(),
        "/admin/tax".into(),
        "/admin/webhooks".into(),
        "/admin/orders.csv".into(),
    ]
}

fn admin_posts(order: Uuid, product: i64) -> Vec<String> {
    vec![
        format!("/admin/orders/{order}/refunds"),
        "/admin/products".into(),
        format!("/admin/products/{product}"),
        format!("/admin/products/{product}/deactivate"),
        format!("/admin/products/{product}/activate"),
        "/admin/discounts".into(),
        "/admin/discounts/SPRING-10/deactivate".into(),
        "/admin/shipping".into(),
        "/admin/shipping/1".into(),
        "/admin/tax".into(),
        "/admin/tax/GB/remove".into(),
        "/admin/webhooks/evt_123/rerun".into(),
    ]
}

#[tokio::test]
async fn guests_are_sent_to_sign_in_from_every_admin_route() {
    let app = spawn_app().await;
    let product = app.product_id("canvas-tote-bag").await;
    let order = Uuid::new_v4();
    for path in admin_gets(order, product) {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "GET {path}");
        let to = location(&response);
        assert!(to.starts_with("/login?next=%2Fadmin"), "GET {path} -> {to}");
    }
    for path in admin_posts(order, product) {
        let response = app.submit(&path, &[("amount", "1.00")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "POST {path}");
        assert_eq!(location(&response), "/login?next=%2Fadmin", "POST {path}");
    }
    assert_eq!(app.stock("canvas-tote-bag").await, 75, "nothing changed");
}

#[tokio::test]
async fn signed_in_shoppers_are_refused_every_admin_route() {
    let app = spawn_app().await;
    app.register("shopper@example.com", "a long password").await;
    let product = app.product_id("canvas-tote-bag").await;
    let order = Uuid::new_v4();
    for path in admin_gets(order, product) {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "GET {path}");
        assert!(text(response).await.contains("Not allowed"), "GET {path}");
    }
    for path in admin_posts(order, product) {
        let response = app.submit(&path, &[("amount", "1.00")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    let home = app.get_html("/").await;
    assert!(
        !home.contains("href=\"/admin\""),
        "no admin link for shoppers"
    );
}

#[tokio::test]
async fn the_admin_flag_is_checked_in_the_database_on_every_request() {
    let app = admin_app().await;
    let product = app.product_id("canvas-tote-bag").await;
    for path in admin_gets(Uuid::new_v4(), product) {
        let response = app.get(&path).await;
        // An unknown order is a 404 page for an admin; every other page opens.
        let expected = if path.starts_with("/admin/orders/") {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(response.status(), expected, "GET {path}");
    }
    assert!(app.get_html("/").await.contains("href=\"/admin\""));

    // Demoted while signed in: the session still says admin, the database does not.
    diesel::update(users::table.filter(users::email.eq(OWNER)))
        .set(users::is_admin.eq(false))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(app.get("/admin").await.status(), StatusCode::FORBIDDEN);
    let response = app
        .submit(&format!("/admin/products/{product}/deactivate"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Promoted while signed in: the database decides the other way too.
    let shopper = app.another_browser();
    shopper
        .register("promoted@example.com", "a long password")
        .await;
    assert_eq!(shopper.get("/admin").await.status(), StatusCode::FORBIDDEN);
    diesel::update(users::table.filter(users::email.eq("promoted@example.com")))
        .set(users::is_admin.eq(true))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shopper.get("/admin").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_dashboard_counts_orders_by_status_and_revenue_as_paid_minus_refunded() {
    let app = admin_app().await;
    let mug = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "1")
        .await;
    let totes = app
        .paid_order("grace@example.com", "canvas-tote-bag", "2")
        .await;
    let pending = app.another_browser();
    pending.add_to_cart("merino-beanie", "1").await;
    pending.checkout("pending@example.com").await;
    let declined = app.another_browser();
    declined.add_to_cart("merino-beanie", "1").await;
    let failed = declined.checkout("declined@example.com").await;
    declined.pay_with_card(failed, DECLINED).await;

    app.refund(totes, "10.00", false).await;
    app.webhooks_delivered().await;
    app.wait_for_status(totes, "partially_refunded").await;
    app.wait_for_status(failed, "failed").await;

    let html = app.get_html("/admin").await;
    for (status, count) in [
        ("pending", "1"),
        ("requires_action", "0"),
        ("paid", "1"),
        ("failed", "1"),
        ("partially_refunded", "1"),
        ("refunded", "0"),
        ("cancelled", "0"),
    ] {
        for window in ["count-today", "count-7d", "count-30d"] {
            assert_eq!(
                summary_cell(&html, status, window),
                count,
                "{status} {window}"
            );
        }
    }
    // $24.00 + 2 × $18.50 paid, $10.00 refunded.
    for window in ["revenue-today", "revenue-7d", "revenue-30d"] {
        assert_eq!(summary_cell(&html, "revenue", window), "$51.00", "{window}");
    }
    assert!(html.contains(&format!("/admin/orders/{mug}")));
    assert!(html.contains("grace@example.com"));

    // Orders older than 30 days don't count; older than 7 only in the 30-day column.
    diesel::update(orders::table.find(mug))
        .set(orders::created_at.eq(time::OffsetDateTime::now_utc() - time::Duration::days(10)))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let html = app.get_html("/admin").await;
    assert_eq!(summary_cell(&html, "paid", "count-7d"), "0");
    assert_eq!(summary_cell(&html, "paid", "count-30d"), "1");
    assert_eq!(summary_cell(&html, "revenue", "revenue-7d"), "$27.00");
    assert_eq!(summary_cell(&html, "revenue", "revenue-30d"), "$51.00");
}

#[tokio::test]
async fn the_order_list_filters_by_status_searches_and_pages() {
    let app = admin_app().await;
    let product = app.product_id("canvas-tote-bag").await;
    let mut numbers = Vec::new();
    {
        let mut conn = app.conn().await;
        for i in 0..25 {
            let email = if i % 5 == 0 {
                format!("ada{i}@example.com")
            } else {
                format!("shopper{i}@example.com")
            };
            let id = Uuid::new_v4();
            let order = orders_db::insert(
                &conn,
                &NewOrder {
                    id,
                    user_id: None,
                    cart_id: None,
                    email: &email,
                    currency: storefront::domain::Currency::usd(),
                    total_minor: 1850,
                    reserved_until: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
                    ship_name: "Ada Lovelace",
                    ship_line1: "1 Main Street",
                    ship_line2: None,
                    ship_city: "Springfield",
                    ship_postal_code: "12345",
                    ship_country: "US",
                    shipping_method_code: "standard",
                    shipping_method_name: "Standard",
                    shipping_minor: 0,
                    tax_name: None,
                    tax_rate_bp: None,
                    shipping_tax_minor: 0,
                    tax_minor: 0,
                    discount_code: None,
                    discount_minor: 0,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            orders_db::insert_items(
                &conn,
                &[NewOrderItem {
                    order_id: id,
                    product_id: product,
                    variant_id: None,
                    product_name: "Canvas Tote Bag",
                    variant_name: None,
                    unit_price_minor: 1850,
                    quantity: 1,
                    tax_minor: 0,
                }],
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            if i < 3 {
                diesel::update(orders::table.find(order.id))
                    .set(orders::status.eq("paid"))
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            numbers.push(order.number);
        }
    }

    let html = app.get_html("/admin").await;
    assert!(html.contains("25 orders"));
    assert!(html.contains("Page 1 of 2"));
    assert_eq!(html.matches("/admin/orders/").count(), 20);
    assert!(html.contains("/admin?page=2"));
    let page_two = app.get_html("/admin?page=2").await;
    assert_eq!(page_two.matches("/admin/orders/").count(), 5);
    assert!(page_two.contains("Page 2 of 2"));

    let paid = app.get_html("/admin?status=paid").await;
    assert!(paid.contains("3 orders"));
    assert!(!paid.contains("Awaiting payment</span>"));

    let search = app.get_html("/admin?q=ADA").await;
    assert!(
        search.contains("5 orders"),
        "emails match case-insensitively"
    );
    let number = numbers[7];
    let by_number = app.get_html(&format!("/admin?q=%23{number}")).await;
    assert!(by_number.contains("1 order<"));
    assert!(by_number.contains(&format!(">#{number}<")));
    let both = app.get_html("/admin?status=paid&q=ada").await;
    assert!(both.contains("1 order<"), "ada0 is the only paid ada");
    let none = app.get_html("/admin?q=100%25").await;
    assert!(
        none.contains("0 orders"),
        "% is searched for, not a wildcard"
    );

    let response = app.get("/admin?status=shipped").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // The CSV holds every order the filter matches, on one sheet.
    assert!(
        both.contains("/admin/orders.csv?status=paid&#38;q=ada"),
        "{both}"
    );
    let all = app.get("/admin/orders.csv").await;
    assert_eq!(all.status(), StatusCode::OK);
    assert!(
        all.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/csv")),
    );
    let all = text(all).await;
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines.len(), 26, "a header and 25 orders");
    assert!(lines[0].starts_with("number,placed_at,email,status,currency,items,"));
    let paid_ada = text(app.get("/admin/orders.csv?status=paid&q=ada").await).await;
    let rows: Vec<&str> = paid_ada.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{paid_ada}");
    let fields: Vec<&str> = rows[0].split(',').collect();
    assert_eq!(fields[0], numbers[0].to_string());
    assert_eq!(&fields[2..6], ["ada0@example.com", "paid", "usd", "18.50"]);
    assert_eq!(fields[10], "18.50", "the total");
    let response = app.get("/admin/orders.csv?status=shipped").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_full_refund_changes_the_order_only_when_stripe_reports_it_and_can_restock() {
    let app = admin_app().await;
    let order = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "2")
        .await;
    assert_eq!(app.stock("ceramic-pour-over-mug").await, 38);
    let page = app.admin_order_page(order).await;
    assert!(page.contains("data-testid=\"order-status\">Paid<"));
    assert!(page.contains(&app.order_intent(order).await));
    assert!(page.contains("ada@example.com"));
    assert!(page.contains("2 × ") || page.contains(r#"<td data-label="Quantity">2</td>"#));
    assert!(page.contains(">Refund</button>"));
    assert!(page.contains("Return items to stock"));
    assert!(page.contains(">Amount"));
    assert!(page.contains("Stripe event payment_intent.succeeded"));
    assert!(page.contains("Awaiting payment → Paid"));
    assert!(
        !page.contains("Open in the Stripe Dashboard"),
        "no Dashboard link in sandbox mode"
    );

    // Stripe's events about the refund are held back for now.
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "2")])
        .await;
    app.refund(order, "48.00", true).await;
    let page = app.admin_order_page(order).await;
    assert!(page.contains("Refund of $48.00 sent to Stripe"), "{page}");
    assert!(page.contains("2 units are back in stock."), "{page}");
    assert!(page.contains(&format!("Refund of $48.00 asked by {OWNER}")));
    assert_eq!(app.stock("ceramic-pour-over-mug").await, 40);
    app.webhooks_delivered().await;
    assert_eq!(
        app.order_status(order).await,
        "paid",
        "no webhook, no change"
    );
    assert_eq!(app.amount_refunded(order).await, 0);
    let refunds = app
        .stripe_get(&format!(
            "refunds?payment_intent={}",
            app.order_intent(order).await
        ))
        .await;
    assert_eq!(refunds["data"].as_array().map(Vec::len), Some(1));

    // Stripe's charge.refunded arrives.
    app.control(
        "trigger",
        &[
            ("type", "charge.refunded"),
            ("payment_intent", &app.order_intent(order).await),
        ],
    )
    .await;
    app.webhooks_delivered().await;
    app.wait_for_status(order, "refunded").await;
    assert_eq!(app.amount_refunded(order).await, 4800);
    let page = app.admin_order_page(order).await;
    assert!(page.contains("data-testid=\"order-status\">Refunded<"));
    assert!(page.contains("Paid → Refunded"));
    assert!(!page.contains(">Refund</button>"), "nothing left to refund");
    assert_eq!(
        app.stock("ceramic-pour-over-mug").await,
        40,
        "restocked once, not again by the webhook"
    );
}

#[tokio::test]
async fn a_partial_refund_is_limited_to_what_remains_and_a_resubmitted_form_refunds_once() {
    let app = admin_app().await;
    let order = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "1")
        .await;

    let response = app.refund(order, "ten dollars", false).await;
    drop(response);
    let page = app.admin_order_page(order).await;
    assert!(
        page.contains("Amount: Enter an amount such as 24.00."),
        "{page}"
    );

    // The same form submitted twice (a double click) makes one refund.
    let form_page = app.admin_order_page(order).await;
    let key = field_value(&form_page, "key");
    for _ in 0..2 {
        let response = app
            .post_form(
                &format!("/admin/orders/{order}/refunds"),
                &[
                    ("csrf_token", &csrf_token_in(&form_page)),
                    ("key", &key),
                    ("amount", "10.00"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let page = app.admin_order_page(order).await;
    assert!(page.contains("This refund was already sent to Stripe."));
    app.webhooks_delivered().await;
    app.wait_for_status(order, "partially_refunded").await;
    assert_eq!(app.amount_refunded(order).await, 1000);
    let page = app.admin_order_page(order).await;
    assert!(page.contains("data-testid=\"refundable\">$14.00<"));
    assert!(page.contains("Paid → Partially refunded"));

    app.refund(order, "20.00", false).await;
    let page = app.admin_order_page(order).await;
    assert!(
        page.contains(
            "You can refund at most $14.00 on this order: $10.00 of $24.00 has been refunded already."
        ),
        "{page}"
    );

    // Before Stripe's webhook arrives, Stripe's own count still limits the next refund.
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "2")])
        .await;
    app.refund(order, "4.00", false).await;
    app.refund(order, "11.00", false).await;
    let page = app.admin_order_page(order).await;
    assert!(page.contains("You can refund at most $10.00"), "{page}");
    assert_eq!(app.amount_refunded(order).await, 1000);

    app.webhooks_delivered().await;
    app.refund(order, "10.00", false).await;
    app.webhooks_delivered().await;
    app.wait_for_status(order, "refunded").await;
    assert_eq!(app.amount_refunded(order).await, 2400);
    assert_eq!(
        app.stock("ceramic-pour-over-mug").await,
        39,
        "not restocked"
    );
}

#[tokio::test]
async fn a_refund_made_in_the_stripe_dashboard_shows_on_the_admin_pages() {
    let app = admin_app().await;
    let order = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "1")
        .await;
    let intent = app.order_intent(order).await;
    app.control("refunds", &[("payment_intent", &intent), ("amount", "500")])
        .await;
    app.webhooks_delivered().await;
    app.wait_for_status(order, "partially_refunded").await;

    let page = app.admin_order_page(order).await;
    assert!(page.contains("data-testid=\"amount-refunded\">$5.00<"));
    assert!(page.contains("Stripe event charge.refunded"));
    assert!(page.contains("data-testid=\"refundable\">$19.00<"));
    let deliveries = app.get_html("/admin/webhooks").await;
    assert!(deliveries.contains("charge.refunded"));
    let html = app.get_html("/admin").await;
    assert_eq!(summary_cell(&html, "revenue", "revenue-today"), "$19.00");
}

/// A PNG of one transparent pixel.
fn png() -> Vec<u8> {
    encoded(
        image::DynamicImage::new_rgba8(1, 1),
        image::ImageFormat::Png,
    )
}

#[tokio::test]
async fn products_are_created_edited_and_deactivated_with_clear_errors() {
    let app = admin_app().await;
    assert!(
        app.get_html("/admin/products")
            .await
            .contains("Ceramic Pour-Over Mug")
    );
    let form = app.get_html("/admin/products/new").await;
    assert!(form.contains("canvas-tote-bag.svg"));
    assert!(form.contains("enctype=\"multipart/form-data\""));

    let response = app
        .product_form(
            "/admin/products",
            &[("name", ""), ("price", "12.345"), ("stock", "-1")],
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = text(response).await;
    for message in [
        "Name: enter the product&#39;s name.",
        "Price: Enter an amount with at most 2 digits after the decimal point.",
        "Stock: enter a whole number from 0 to 1000000.",
        "Image: choose an image or upload one.",
    ] {
        assert!(html.contains(message), "{message} in {html}");
    }
    assert!(html.contains("value=\"12.345\""), "what was typed stays");

    let response = app
        .product_form(
            "/admin/products",
            &[
                ("name", "Walnut Spoon"),
                ("description", "Carved by hand."),
                ("price", "12.50"),
                ("stock", "5"),
                ("image_choice", "/static/img/products/linen-notebook.svg"),
            ],
            None,
        )
        .await;
    assert_eq!(location(&response), "/admin/products");
    let catalog = app.get_html("/?sort=newest").await;
    assert!(catalog.contains("Walnut Spoon"));
    let product = app.get_html("/products/walnut-spoon").await;
    assert!(product.contains("$12.50"));
    assert!(product.contains("/img/products/linen-notebook.svg\""));

    let duplicate = app
        .product_form(
            "/admin/products",
            &[
                ("name", "Walnut spoon"),
                ("price", "3"),
                ("stock", "1"),
                ("image_choice", "/static/img/products/linen-notebook.svg"),
            ],
            None,
        )
        .await;
    assert_eq!(duplicate.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(duplicate)
            .await
            .contains("Web address: another product already uses /products/walnut-spoon.")
    );
    let foreign = app
        .product_form(
            "/admin/products",
            &[
                ("name", "Sneaky"),
                ("price", "3"),
                ("stock", "1"),
                ("image_choice", "/etc/passwd"),
            ],
            None,
        )
        .await;
    assert_eq!(foreign.status(), StatusCode::BAD_REQUEST);

    let id = app.product_id("walnut-spoon").await;
    let edit = app.get_html(&format!("/admin/products/{id}/edit")).await;
    assert!(edit.contains("value=\"12.50\""));
    let response = app
        .product_form(
            &format!("/admin/products/{id}"),
            &[
                ("name", "Walnut Spoon"),
                ("slug", "walnut-spoon"),
                ("description", "Carved by hand from walnut."),
                ("price", "30"),
                ("stock", "0"),
                ("stock_was", "5"),
                ("image_choice", ""),
            ],
            None,
        )
        .await;
    assert_eq!(location(&response), "/admin/products");
    let product = app.get_html("/products/walnut-spoon").await;
    assert!(product.contains("$30.00"));
    assert!(product.contains("Sold out"));
    assert!(
        product.contains("/img/products/linen-notebook.svg\""),
        "the image is kept"
    );

    let response = app
        .submit(&format!("/admin/products/{id}/deactivate"), &[])
        .await;
    assert_eq!(location(&response), "/admin/products");
    let list = app.get_html("/admin/products").await;
    assert!(list.contains("Walnut Spoon is deactivated: it no longer shows in the catalog."));
    assert!(list.contains("No (deactivated)"));
    assert!(!app.get_html("/?sort=newest").await.contains("Walnut Spoon"));
    assert_eq!(
        app.get("/products/walnut-spoon").await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        app.get_html("/admin/products")
            .await
            .contains("No (deactivated)")
    );
    app.submit(&format!("/admin/products/{id}/activate"), &[])
        .await;
    assert!(
        app.get_html("/admin/products")
            .await
            .contains("Walnut Spoon is in the catalog again.")
    );
    assert!(app.get_html("/?sort=newest").await.contains("Walnut Spoon"));
}

#[tokio::test]
async fn an_uploaded_image_must_be_a_real_image_of_bounded_size() {
    let app = admin_app().await;
    let id = app.product_id("canvas-tote-bag").await;
    let path = format!("/admin/products/{id}");
    let fields = [
        ("name", "Canvas Tote Bag"),
        ("slug", "canvas-tote-bag"),
        ("description", "Twelve-ounce canvas."),
        ("price", "18.50"),
        ("stock", "75"),
        ("stock_was", "75"),
    ];

    let response = app
        .product_form(
            &path,
            &fields,
            Some(("tote.png", b"this is not an image".to_vec())),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response)
            .await
            .contains("Image: upload a PNG, JPEG or WebP image.")
    );

    let mut oversized = png();
    oversized.resize(3 * 1024 * 1024, 0);
    let response = app
        .product_form(&path, &fields, Some(("big.png", oversized)))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response)
            .await
            .contains("Image: upload an image of at most 2048 KiB.")
    );
    assert_eq!(app.uploaded_files().await, 0, "nothing refused is stored");

    let response = app
        .product_form(&path, &fields, Some(("My Tote!.png", png())))
        .await;
    assert_eq!(location(&response), "/admin/products");
    assert_eq!(
        app.uploaded_files().await,
        3,
        "the image, its thumbnail and its small size"
    );
    let image = uploaded_image_on(&app.get_html("/products/canvas-tote-bag").await);
    assert!(
        image.ends_with(".png") && !image.contains("Tote"),
        "a transparent image stays a PNG, under a random name: {image}"
    );
    let response = app.get(&image).await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap_or_else(|e| panic!("{e}"));
    let decoded = image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((decoded.width(), decoded.height()), (1, 1));
}

/// The first uploaded image a page shows.
fn uploaded_image_on(page: &str) -> String {
    let start = page
        .find("/static/uploads/")
        .unwrap_or_else(|| panic!("no uploaded image on the page"));
    let end = page[start..].find('"').unwrap_or(0) + start;
    page[start..end].to_owned()
}

fn encoded(image: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut out), format)
        .unwrap_or_else(|e| panic!("{e}"));
    out
}

#[tokio::test]
async fn uploads_are_decoded_and_encoded_again_so_nothing_hidden_in_them_is_served() {
    let app = admin_app().await;
    let id = app.product_id("canvas-tote-bag").await;
    let path = format!("/admin/products/{id}");
    let fields = [
        ("name", "Canvas Tote Bag"),
        ("slug", "canvas-tote-bag"),
        ("description", "Twelve-ounce canvas."),
        ("price", "18.50"),
        ("stock", "75"),
        ("stock_was", "75"),
    ];
    let script = b"<html><body><script>alert(document.cookie)</script></body></html>";
    let mut polyglot = encoded(
        image::DynamicImage::new_rgb8(1600, 1600),
        image::ImageFormat::Jpeg,
    );
    polyglot.extend_from_slice(script);
    let mut webp = encoded(
        image::DynamicImage::new_rgb8(300, 200),
        image::ImageFormat::WebP,
    );
    webp.extend_from_slice(b"alert(document.cookie)//");

    for (file, bytes, kind) in [("tote.jpg", polyglot, ".jpg"), ("tote.webp", webp, ".jpg")] {
        let response = app.product_form(&path, &fields, Some((file, bytes))).await;
        assert_eq!(location(&response), "/admin/products", "{file}");
        let image = uploaded_image_on(&app.get_html("/products/canvas-tote-bag").await);
        assert!(image.ends_with(kind), "{image}");
        let thumbnail = uploaded_image_on(&app.get_html("/").await);
        assert!(thumbnail.ends_with(&format!("-thumb{kind}")), "{thumbnail}");
        for (url, size) in [(&image, None), (&thumbnail, Some((640, 480)))] {
            let bytes = app
                .get(url)
                .await
                .bytes()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(
                !bytes.windows(6).any(|w| w == b"script"),
                "{file}: {url} carries the script"
            );
            assert!(
                !bytes.windows(5).any(|w| w == b"alert"),
                "{file}: {url} carries the script"
            );
            let decoded = image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{e}"));
            if let Some(size) = size {
                assert_eq!(
                    (decoded.width(), decoded.height()),
                    size,
                    "thumbnails fill 640×480"
                );
            } else {
                assert!(decoded.width() <= 1280 && decoded.height() <= 960);
            }
        }
    }
}

#[tokio::test]
async fn a_failed_webhook_runs_again_from_its_stored_payload() {
    let app = admin_app().await;
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "100")])
        .await;
    let shopper = app.another_browser();
    shopper.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = shopper.checkout("ada@example.com").await;
    shopper.pay_with_card(order, crate::helpers::VISA).await;
    app.webhooks_delivered().await;
    assert_eq!(app.order_status(order).await, "pending");

    // The event arrived, but processing it failed (say the database went away).
    let intent = app.order_intent(order).await;
    let object = app.stripe_get(&format!("payment_intents/{intent}")).await;
    let event = serde_json::json!({
        "id": "evt_failed_once",
        "object": "event",
        "api_version": stripe_shared::version::VERSION.as_str(),
        "created": time::OffsetDateTime::now_utc().unix_timestamp(),
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": "payment_intent.succeeded",
        "data": {"object": object}
    });
    diesel::insert_into(stripe_events::table)
        .values((
            stripe_events::id.eq("evt_failed_once"),
            stripe_events::event_type.eq("payment_intent.succeeded"),
            stripe_events::payload.eq(&event),
            stripe_events::outcome.eq("failed"),
            stripe_events::error.eq("database connection lost"),
        ))
        .execute(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let deliveries = app.get_html("/admin/webhooks?outcome=failed").await;
    assert!(deliveries.contains("evt_failed_once"));
    assert!(deliveries.contains("database connection lost"));
    assert!(deliveries.contains("Run again"));

    let response = app
        .submit("/admin/webhooks/evt_failed_once/rerun", &[])
        .await;
    assert_eq!(location(&response), "/admin/webhooks?outcome=failed");
    assert_eq!(app.order_status(order).await, "paid");
    let deliveries = app.get_html("/admin/webhooks").await;
    assert!(deliveries.contains("ran again from its stored payload: applied"));
    assert!(
        app.stripe_events()
            .await
            .contains(&("payment_intent.succeeded".into(), "applied".into()))
    );
    assert!(!deliveries.contains("Run again"));
    let page = app.admin_order_page(order).await;
    assert!(page.contains("evt_failed_once"));

    // Only failed events run again.
    app.submit("/admin/webhooks/evt_failed_once/rerun", &[])
        .await;
    let deliveries = app.get_html("/admin/webhooks").await;
    assert!(deliveries.contains("Only a failed event can be run again"));
}

#[tokio::test]
async fn an_unreadable_failed_webhook_brings_its_order_up_to_date_from_stripe() {
    let (app, secret) = spawn_app_with_standalone_sandbox().await;
    app.sign_in_as_admin(OWNER).await;
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "100")])
        .await;
    let shopper = app.another_browser();
    shopper.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = shopper.checkout("ada@example.com").await;
    shopper.pay_with_card(order, crate::helpers::VISA).await;
    let intent = app.order_intent(order).await;

    // Signed, but in a shape async-stripe cannot read (a newer API version, say).
    let payload = serde_json::json!({
        "id": "evt_unreadable_success",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": intent, "object": "payment_intent"}}
    })
    .to_string();
    let signature = Webhook::generate_test_header(&payload, &secret, None);
    let response = app.post_webhook(&payload, &signature).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.order_status(order).await, "pending");
    assert!(
        app.get_html("/admin/webhooks?outcome=failed")
            .await
            .contains("evt_unreadable_success")
    );

    app.submit("/admin/webhooks/evt_unreadable_success/rerun", &[])
        .await;
    assert_eq!(app.order_status(order).await, "paid");
    let deliveries = app.get_html("/admin/webhooks").await;
    assert!(deliveries.contains("brought up to date from Stripe instead: applied"));
    let events = app.order_events(order).await;
    assert!(
        events.contains(&(Some("pending".into()), "paid".into(), true, "admin".into())),
        "{events:?}"
    );
}

#[tokio::test]
async fn admin_create_makes_a_new_admin_or_promotes_an_account() {
    let app = spawn_app().await;
    app.register("grace@example.com", "a long password").await;
    app.logout().await;
    let create = |email: &'static str, password: &'static str| {
        let pool = app.pool.clone();
        async move { storefront::admin::cli::create_admin(&pool, email, password).await }
    };
    assert!(create("not an email", "a long password").await.is_err());
    assert!(create("boss@example.com", "short").await.is_err());
    create("grace@example.com", "a new long password")
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        app.login("grace@example.com", "a long password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "the old password is replaced"
    );
    app.login("grace@example.com", "a new long password").await;
    assert_eq!(app.get("/admin").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_storefront_binary_creates_an_admin_with_a_password_from_stdin() {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let app = spawn_app().await;
    let database_url = app.database_url.clone();
    let output = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_storefront"))
            .args(["admin", "create", "--email", "Boss@Example.com"])
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting storefront: {e}"));
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(b"from stdin, not echoed\n")
                .unwrap_or_else(|e| panic!("{e}"));
        }
        child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("waiting for storefront: {e}"))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("boss@example.com is an admin"), "{stdout}");
    assert!(!stdout.contains("not echoed") && !stderr.contains("not echoed"));

    app.login("boss@example.com", "from stdin, not echoed")
        .await;
    assert_eq!(app.get("/admin").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_refund_is_shown_for_confirmation_with_its_amount_formatted_before_it_is_sent() {
    let app = admin_app().await;
    let order = app
        .paid_order("ada@example.com", "ceramic-pour-over-mug", "2")
        .await;
    let page = app.admin_order_page(order).await;
    let key = field_value(&page, "key");
    let offered = restock_fields(&page);
    let (restock_field, _) = <[_]>::first(&offered).unwrap_or_else(|| panic!("no restock field"));
    let path = format!("/admin/orders/{order}/refunds");
    let form = [
        ("csrf_token", csrf_token_in(&page)),
        ("key", key.clone()),
        ("amount", "12.5".to_owned()),
        (restock_field.as_str(), "1".to_owned()),
        // As the order page's form sends it: not yet confirmed.
        ("confirmed", String::new()),
    ];
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = app.post_form(&path, &fields).await;
    assert_eq!(response.status(), StatusCode::OK);
    let confirmation = text(response).await;
    assert!(
        confirmation.contains("Refund $12.50 on order #"),
        "{confirmation}"
    );
    assert!(confirmation.contains(r#"data-testid="refund-amount">$12.50<"#));
    assert!(confirmation.contains("1 × Ceramic Pour-Over Mug"));
    assert!(confirmation.contains("Yes, refund $12.50"));
    assert!(confirmation.contains(&format!(r#"name="key" value="{key}""#)));
    // Nothing was sent or changed.
    assert!(
        app.stripe_get("refunds").await["data"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    assert_eq!(app.stock("ceramic-pour-over-mug").await, 38);
    assert!(!app.admin_order_page(order).await.contains("sent to Stripe"));

    // The confirmation's own form sends it, once.
    let confirm: Vec<(String, String)> = confirmation
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.split("value=\"").nth(1)?.split('"').next()?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect();
    let fields: Vec<(&str, &str)> = confirm
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert!(fields.contains(&("confirmed", "yes")));
    for _ in 0..2 {
        let response = app.post_form(&path, &fields).await;
        assert_eq!(location(&response), format!("/admin/orders/{order}"));
    }
    let refunds = app.stripe_get("refunds").await;
    let refunds = refunds["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["amount"], 1250);
    assert_eq!(app.stock("ceramic-pour-over-mug").await, 39);
}
