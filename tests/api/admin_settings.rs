//! The owner's settings pages for what checkout uses: discount codes, shipping methods and tax rates. Each change is made
//! through the page's form and checked in the database and at checkout; bad input changes
//! nothing and shows the form again with what to fix.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use storefront::schema::{discount_codes, orders, shipping_methods, tax_rates};
use time::OffsetDateTime;

use crate::helpers::{
    TestApp, assert_redirect, flash_in, location, order_id_from, spawn_app, text,
};

async fn admin_app() -> TestApp {
    let app = spawn_app().await;
    app.sign_in_as_admin("owner@example.com").await;
    app
}

type CodeRow = (
    Option<i32>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<OffsetDateTime>,
    Option<i32>,
    bool,
);

async fn code_row(app: &TestApp, code: &str) -> Option<CodeRow> {
    discount_codes::table
        .filter(discount_codes::code.eq(code))
        .select((
            discount_codes::percent_off,
            discount_codes::amount_off_minor,
            discount_codes::currency,
            discount_codes::min_items_minor,
            discount_codes::expires_at,
            discount_codes::usage_limit,
            discount_codes::active,
        ))
        .first(&mut app.conn().await)
        .await
        .optional()
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn code_count(app: &TestApp) -> i64 {
    discount_codes::table
        .count()
        .get_result(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The list row of discount `code`, from its `<tr>` to its `</tr>`.
fn list_row(html: &str, code: &str) -> String {
    list_row_of(html, "data-code", code)
}

/// The list row whose `attribute` is `value`, from its `<tr>` to its `</tr>`.
fn list_row_of(html: &str, attribute: &str, value: &str) -> String {
    let start = html
        .find(&format!("{attribute}=\"{value}\""))
        .unwrap_or_else(|| panic!("no row for {value}"));
    let end = html[start..].find("</tr>").unwrap_or(0) + start;
    html[start..end].to_owned()
}

#[tokio::test]
async fn the_owner_makes_percent_and_fixed_codes_and_the_list_shows_their_terms() {
    let app = admin_app().await;
    let page = app.get_html("/admin").await;
    assert!(
        page.contains(r#"href="/admin/discounts""#),
        "the admin nav links to it"
    );

    let response = app
        .submit(
            "/admin/discounts",
            &[
                ("code", " spring-10 "),
                ("percent_off", "10"),
                ("amount_off", ""),
                ("minimum", "30.00"),
                ("expires_on", "2099-12-31"),
                ("usage_limit", "50"),
            ],
        )
        .await;
    assert_redirect(&response, "/admin/discounts");
    let response = app
        .submit(
            "/admin/discounts",
            &[("code", "FIVE"), ("percent_off", ""), ("amount_off", "5")],
        )
        .await;
    assert_redirect(&response, "/admin/discounts");

    assert_eq!(
        code_row(&app, "SPRING-10").await,
        Some((
            Some(10),
            None,
            None,
            Some(3000),
            Some(time::macros::datetime!(2100-01-01 00:00 UTC)),
            Some(50),
            true
        ))
    );
    assert_eq!(
        code_row(&app, "FIVE").await,
        Some((
            None,
            Some(500),
            Some("usd".to_owned()),
            None,
            None,
            None,
            true
        ))
    );

    let html = app.get_html("/admin/discounts").await;
    assert!(flash_in(&html).contains("FIVE is made"));
    assert!(html.contains("orders already placed keep the discount"));
    let spring = list_row(&html, "SPRING-10");
    for shown in [
        "10% off",
        "$30.00",
        "2100-01-01 00:00:00 UTC",
        "0 of 50",
        "Active",
    ] {
        assert!(spring.contains(shown), "{shown} in {spring}");
    }
    let five = list_row(&html, "FIVE");
    for shown in ["$5.00 off", "none", "never", "0 (no limit)", "Active"] {
        assert!(five.contains(shown), "{shown} in {five}");
    }

    // A shopper can use the new code at checkout: a mug is $24.00, $5.00 off.
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let response = app
        .submit(
            "/checkout",
            &[("email", "ada@example.com"), ("discount_code", "five")],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(response).await
    );
    let order = order_id_from(&location(&response));
    let discount: i64 = orders::table
        .find(order)
        .select(orders::discount_minor)
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(discount, 500);
    let html = app.get_html("/admin/discounts").await;
    assert!(list_row(&html, "FIVE").contains("1 (no limit)"));
}

#[tokio::test]
async fn a_bad_or_duplicate_code_is_refused_with_the_form_shown_again_and_nothing_saved() {
    let app = admin_app().await;
    app.submit(
        "/admin/discounts",
        &[("code", "TAKEN"), ("percent_off", "20")],
    )
    .await;
    assert_eq!(code_count(&app).await, 1);

    let cases: [(&[(&str, &str)], &str); 8] = [
        (
            &[
                ("code", "BOTH"),
                ("percent_off", "10"),
                ("amount_off", "5.00"),
            ],
            "fill in either a percent off or an amount off, not both",
        ),
        (
            &[("code", "NEITHER")],
            "fill in either a percent off or an amount off, not both",
        ),
        (
            &[("code", "TOOMUCH"), ("percent_off", "101")],
            "Percent off: a whole number from 1 to 100.",
        ),
        (&[("code", "FREE"), ("amount_off", "0")], "Amount off:"),
        (
            &[("code", "has space"), ("percent_off", "10")],
            "Code: use 3 to 32 letters, digits or dashes",
        ),
        (
            &[
                ("code", "PAST"),
                ("percent_off", "10"),
                ("expires_on", "2001-01-01"),
            ],
            "Last day: choose today or a later day.",
        ),
        (
            &[
                ("code", "NOLIMIT"),
                ("percent_off", "10"),
                ("usage_limit", "0"),
            ],
            "Use limit: a whole number of at least 1",
        ),
        (
            &[("code", "taken"), ("amount_off", "3.00")],
            "Code: TAKEN exists already",
        ),
    ];
    for (form, error) in cases {
        let response = app.submit("/admin/discounts", form).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{form:?}");
        let html = text(response).await;
        assert!(html.contains("Nothing was saved"), "{form:?}");
        assert!(html.contains(error), "{error} for {form:?}");
        // The form comes back as typed.
        let typed = form[0].1;
        assert!(
            html.contains(&format!(r#"name="code" type="text" value="{typed}""#)),
            "{form:?}"
        );
    }
    assert_eq!(code_count(&app).await, 1, "nothing was saved");
    assert_eq!(
        code_row(&app, "TAKEN").await.map(|row| (row.0, row.1)),
        Some((Some(20), None)),
        "the existing code is unchanged"
    );
}

#[tokio::test]
async fn a_deactivated_code_stays_on_record_but_new_orders_cannot_use_it() {
    let app = admin_app().await;
    app.submit(
        "/admin/discounts",
        &[("code", "GONE"), ("percent_off", "10")],
    )
    .await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let response = app
        .submit(
            "/checkout",
            &[("email", "ada@example.com"), ("discount_code", "GONE")],
        )
        .await;
    let first = order_id_from(&location(&response));

    let response = app.submit("/admin/discounts/GONE/deactivate", &[]).await;
    assert_redirect(&response, "/admin/discounts");
    assert_eq!(code_row(&app, "GONE").await.map(|row| row.6), Some(false));
    let html = app.get_html("/admin/discounts").await;
    let row = list_row(&html, "GONE");
    assert!(
        row.contains("Deactivated") && row.contains("1 (no limit)"),
        "{row}"
    );
    assert!(!row.contains("/deactivate"), "no second deactivate button");

    // The order placed with it keeps its discount; a new order cannot use it.
    let kept: (Option<String>, i64) = orders::table
        .find(first)
        .select((orders::discount_code, orders::discount_minor))
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept, (Some("GONE".to_owned()), 240));
    let shopper = app.another_browser();
    shopper.add_to_cart("ceramic-pour-over-mug", "1").await;
    let response = shopper
        .submit(
            "/checkout",
            &[("email", "bob@example.com"), ("discount_code", "GONE")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response)
            .await
            .contains("There is no discount code GONE.")
    );

    let unknown = app.submit("/admin/discounts/NOSUCH/deactivate", &[]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

/// An address in Canada, which has no tax rate: the shipping tests are about shipping alone.
const GRACE: &[(&str, &str)] = &[
    ("email", "grace@example.com"),
    ("ship_name", "Grace Hopper"),
    ("ship_line1", "24 Sussex Drive"),
    ("ship_city", "Ottawa"),
    ("ship_postal_code", "k1m 1m4"),
    ("ship_country", "CA"),
    ("shipping_method", "express"),
];

/// `code`'s id, price, free-from threshold and whether it is offered.
async fn method(app: &TestApp, code: &str) -> (i64, i64, Option<i64>, bool) {
    shipping_methods::table
        .filter(shipping_methods::code.eq(code))
        .select((
            shipping_methods::id,
            shipping_methods::price_minor,
            shipping_methods::free_from_minor,
            shipping_methods::active,
        ))
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{code}: {e}"))
}

async fn method_count(app: &TestApp) -> i64 {
    shipping_methods::table
        .count()
        .get_result(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn the_owners_shipping_changes_reach_new_orders_and_placed_orders_keep_theirs() {
    let app = admin_app().await;
    assert!(
        app.get_html("/admin")
            .await
            .contains(r#"href="/admin/shipping""#)
    );
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let response = app.submit("/checkout", GRACE).await;
    let before = order_id_from(&location(&response));

    let (express, ..) = method(&app, "express").await;
    let (standard, ..) = method(&app, "standard").await;
    let response = app
        .submit(
            &format!("/admin/shipping/{express}"),
            &[("price", "9.50"), ("free_from", "20"), ("active", "on")],
        )
        .await;
    assert_redirect(&response, "/admin/shipping");
    // Unticked: no `active` field.
    let response = app
        .submit(
            &format!("/admin/shipping/{standard}"),
            &[("price", "4.99"), ("free_from", "")],
        )
        .await;
    assert_redirect(&response, "/admin/shipping");
    let response = app
        .submit(
            "/admin/shipping",
            &[
                ("code", "Next-Day"),
                ("name", "Next day"),
                ("delivery", "1 business day"),
                ("price", "19"),
                ("free_from", ""),
            ],
        )
        .await;
    assert_redirect(&response, "/admin/shipping");
    assert_eq!(
        method(&app, "express").await,
        (express, 950, Some(2000), true)
    );
    assert_eq!(method(&app, "standard").await, (standard, 499, None, false));
    let (_, next_day_price, next_day_free, next_day_offered) = method(&app, "next-day").await;
    assert_eq!(
        (next_day_price, next_day_free, next_day_offered),
        (1900, None, true)
    );

    let html = app.get_html("/admin/shipping").await;
    assert!(flash_in(&html).contains("Next day is added"));
    assert!(html.contains("orders already placed keep the shipping they were charged"));

    // Checkout offers what the owner set: express free for a $24.00 mug, no standard.
    let html = app.get_html("/checkout").await;
    assert!(
        html.contains(r#"data-testid="shipping-price-next-day">$19.00<"#),
        "{html}"
    );
    assert!(!html.contains("shipping-price-standard"));
    let shopper = app.another_browser();
    shopper.add_to_cart("ceramic-pour-over-mug", "1").await;
    let response = shopper.submit("/checkout", GRACE).await;
    let after = order_id_from(&location(&response));
    let shipping = |order| {
        let app = &app;
        async move {
            orders::table
                .find(order)
                .select(orders::shipping_minor)
                .first::<i64>(&mut app.conn().await)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    assert_eq!(shipping(after).await, 0, "free from $20.00 now");
    assert_eq!(
        shipping(before).await,
        1499,
        "the placed order keeps its shipping"
    );
}

#[tokio::test]
async fn bad_shipping_input_is_refused_with_the_form_shown_again_and_nothing_saved() {
    let app = admin_app().await;
    let (express, ..) = method(&app, "express").await;
    let was = method(&app, "express").await;
    for (form, error) in [
        (
            [("price", "cheap"), ("free_from", ""), ("active", "on")],
            "Express: Price: Enter an amount such as 24.00.",
        ),
        (
            [("price", "9.999"), ("free_from", ""), ("active", "on")],
            "Express: Price: Enter an amount with at most 2 digits",
        ),
        (
            [("price", "9.00"), ("free_from", "-5"), ("active", "on")],
            "Express: Free from:",
        ),
    ] {
        let response = app
            .submit(&format!("/admin/shipping/{express}"), &form)
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{form:?}");
        let html = text(response).await;
        assert!(html.contains("Nothing was saved"), "{form:?}");
        assert!(html.contains(error), "{error} in {html}");
        assert!(
            html.contains(&format!(r#"value="{}""#, form[0].1)),
            "shown as typed"
        );
    }
    assert_eq!(method(&app, "express").await, was, "unchanged");

    let count = method_count(&app).await;
    for (form, error) in [
        (
            [("code", "standard"), ("name", "Another"), ("price", "1.00")],
            "a method with the code standard exists already",
        ),
        (
            [("code", "two words"), ("name", "Bad"), ("price", "1.00")],
            "Code: use 1 to 40 letters, digits or dashes",
        ),
        (
            [("code", "no-name"), ("name", " "), ("price", "1.00")],
            "Name: 1 to 80 characters",
        ),
        (
            [("code", "no-price"), ("name", "No price"), ("price", "")],
            "Price: Enter an amount",
        ),
    ] {
        let response = app.submit("/admin/shipping", &form).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{form:?}");
        let html = text(response).await;
        assert!(html.contains(error), "{error} in {html}");
    }
    assert_eq!(method_count(&app).await, count, "nothing added");
    assert_eq!(
        method(&app, "standard").await.1,
        499,
        "the existing method is unchanged"
    );

    let missing = app
        .submit("/admin/shipping/999999", &[("price", "1.00")])
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn rates(app: &TestApp) -> Vec<(String, String, i32)> {
    tax_rates::table
        .order(tax_rates::country.asc())
        .select((tax_rates::country, tax_rates::name, tax_rates::rate_bp))
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn order_tax(app: &TestApp, order: uuid::Uuid) -> i64 {
    orders::table
        .find(order)
        .select(orders::tax_minor)
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A shopper in the US (the test address) orders a $24.00 mug with free shipping.
async fn us_order(app: &TestApp) -> uuid::Uuid {
    let shopper = app.another_browser();
    shopper.add_to_cart("ceramic-pour-over-mug", "1").await;
    let response = shopper
        .submit("/checkout", &[("email", "ada@example.com")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    order_id_from(&location(&response))
}

#[tokio::test]
async fn the_owner_sets_and_removes_a_countrys_tax_rate_for_new_orders_only() {
    let app = admin_app().await;
    let html = app.get_html("/admin/tax").await;
    assert!(
        html.contains(r#"href="/admin/tax""#),
        "the admin nav links to it"
    );
    assert!(list_row_of(&html, "data-country", "GB").contains("20%"));
    assert!(
        html.contains("United States (US)"),
        "US is shipped to without a rate"
    );
    let untaxed_order = us_order(&app).await;
    assert_eq!(order_tax(&app, untaxed_order).await, 0);

    let response = app
        .submit(
            "/admin/tax",
            &[
                ("country", "us"),
                ("name", "Sales tax"),
                ("percent", "7.25"),
            ],
        )
        .await;
    assert_redirect(&response, "/admin/tax");
    let response = app
        .submit(
            "/admin/tax",
            &[("country", "GB"), ("name", "VAT"), ("percent", "17.5")],
        )
        .await;
    assert_redirect(&response, "/admin/tax");
    let all = rates(&app).await;
    assert!(
        all.contains(&("US".into(), "Sales tax".into(), 725)),
        "{all:?}"
    );
    assert!(all.contains(&("GB".into(), "VAT".into(), 1750)), "{all:?}");
    let html = app.get_html("/admin/tax").await;
    assert!(flash_in(&html).contains("VAT (17.5%) is charged for GB"));
    assert!(html.contains("orders already placed keep the tax they were charged"));
    let us = list_row_of(&html, "data-country", "US");
    assert!(
        us.contains("United States (US)") && us.contains("Sales tax") && us.contains("7.25%"),
        "{us}"
    );

    // $24.00 at 7.25 % is $1.74; the order placed before keeps no tax.
    let taxed_order = us_order(&app).await;
    assert_eq!(order_tax(&app, taxed_order).await, 174);
    assert_eq!(order_tax(&app, untaxed_order).await, 0);

    let response = app.submit("/admin/tax/US/remove", &[]).await;
    assert_redirect(&response, "/admin/tax");
    assert!(
        !rates(&app)
            .await
            .iter()
            .any(|(country, ..)| country == "US")
    );
    assert_eq!(order_tax(&app, us_order(&app).await).await, 0);
    assert_eq!(
        order_tax(&app, taxed_order).await,
        174,
        "the placed order keeps its tax"
    );

    let unknown = app.submit("/admin/tax/US/remove", &[]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_tax_rate_is_refused_with_the_form_shown_again_and_nothing_saved() {
    let app = admin_app().await;
    let before = rates(&app).await;
    for (form, error) in [
        (
            [("country", "XX"), ("name", "VAT"), ("percent", "20")],
            "Country: a two-letter country code",
        ),
        (
            [("country", "GB"), ("name", " "), ("percent", "20")],
            "Name: 1 to 40 characters",
        ),
        (
            [("country", "GB"), ("name", "VAT"), ("percent", "101")],
            "Rate: a percentage from 0 to 100",
        ),
        (
            [("country", "GB"), ("name", "VAT"), ("percent", "7.255")],
            "Rate: a percentage from 0 to 100",
        ),
        (
            [("country", "GB"), ("name", "VAT"), ("percent", "-5")],
            "Rate: a percentage from 0 to 100",
        ),
    ] {
        let response = app.submit("/admin/tax", &form).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{form:?}");
        let html = text(response).await;
        assert!(html.contains("Nothing was saved"), "{form:?}");
        assert!(html.contains(error), "{error} for {form:?}");
        assert!(
            html.contains(&format!(
                r#"name="percent" type="text" inputmode="decimal" value="{}""#,
                form[2].1
            )),
            "shown as typed: {form:?}"
        );
    }
    assert_eq!(rates(&app).await, before, "nothing changed");
}
