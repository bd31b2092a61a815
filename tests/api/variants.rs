//! Products with options (sizes, colours): each variant has its own stock and, optionally, its
//! own price; the cart, the order and the stock history name it; reservations never oversell
//! one; the admin manages them.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use storefront::schema::{order_items, orders, product_variants, products, stock_changes};
use uuid::Uuid;

use crate::helpers::{TestApp, VISA, csrf_token_in, location, spawn_app, spawn_app_with, text};

impl TestApp {
    async fn variant_id(&self, slug: &str, name: &str) -> i64 {
        product_variants::table
            .inner_join(products::table)
            .filter(products::slug.eq(slug))
            .filter(product_variants::name.eq(name))
            .select(product_variants::id)
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("variant {name} of {slug}: {e}"))
    }

    async fn variant_stock(&self, slug: &str, name: &str) -> i32 {
        product_variants::table
            .inner_join(products::table)
            .filter(products::slug.eq(slug))
            .filter(product_variants::name.eq(name))
            .select(product_variants::stock)
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("stock of {name} of {slug}: {e}"))
    }

    async fn add_variant(&self, slug: &str, name: &str, quantity: &str) -> reqwest::Response {
        let product = self.product_id(slug).await.to_string();
        let variant = self.variant_id(slug, name).await.to_string();
        self.submit(
            "/cart/items",
            &[
                ("product_id", &product),
                ("variant_id", &variant),
                ("quantity", quantity),
            ],
        )
        .await
    }

    /// The product's stock history as the database holds it, oldest first:
    /// (variant name, delta, stock after, reason, order, admin id).
    async fn stock_history(
        &self,
        slug: &str,
    ) -> Vec<(Option<String>, i32, i32, String, Option<Uuid>, Option<i64>)> {
        let product = self.product_id(slug).await;
        stock_changes::table
            .left_join(product_variants::table)
            .filter(stock_changes::product_id.eq(product))
            .order(stock_changes::id.asc())
            .select((
                product_variants::name.nullable(),
                stock_changes::delta,
                stock_changes::stock_after,
                stock_changes::reason,
                stock_changes::order_id,
                stock_changes::user_id,
            ))
            .load(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("stock history of {slug}: {e}"))
    }
}

fn added(response: &reqwest::Response) {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "added to the cart"
    );
}

#[tokio::test]
async fn two_sizes_of_a_tee_are_two_lines_each_at_its_own_price_and_named_on_the_order() {
    let app = spawn_app().await;
    added(&app.add_variant("organic-cotton-tee", "M", "2").await);
    added(&app.add_variant("organic-cotton-tee", "XL", "1").await);
    added(&app.add_variant("organic-cotton-tee", "M", "1").await);

    let cart = app.get_html("/cart").await;
    assert!(cart.contains("Organic Cotton Tee — M"), "{cart}");
    assert!(cart.contains("Organic Cotton Tee — XL"), "{cart}");
    // M at the tee's price (28.00 × 3), XL at its own (30.00).
    assert!(cart.contains("$114.00"), "{cart}");
    // Each size's line shows the product's small picture.
    let tee_pictures = |html: &str| {
        html.split("class=\"line-thumb\" src=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .filter(|src| src.ends_with("/img/products/organic-cotton-tee.svg"))
            .count()
    };
    assert_eq!(tee_pictures(&cart), 2, "{cart}");

    // The cart page's forms change and remove one size, not the other.
    let tee = app.product_id("organic-cotton-tee").await.to_string();
    let l = app.variant_id("organic-cotton-tee", "L").await.to_string();
    added(&app.add_variant("organic-cotton-tee", "L", "1").await);
    let updated = app
        .submit(
            &format!("/cart/items/{tee}"),
            &[("variant_id", &l), ("quantity", "4")],
        )
        .await;
    assert_eq!(updated.status(), StatusCode::SEE_OTHER);
    let removed = app
        .submit(&format!("/cart/items/{tee}/remove"), &[("variant_id", &l)])
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let again = app
        .submit(&format!("/cart/items/{tee}/remove"), &[("variant_id", &l)])
        .await;
    assert_eq!(
        again.status(),
        StatusCode::BAD_REQUEST,
        "L is gone, M and XL stay"
    );

    let order = app.checkout("ada@example.com").await;
    let items: Vec<(String, Option<String>, i64, i32)> = order_items::table
        .filter(order_items::order_id.eq(order))
        .order(order_items::unit_price_minor.asc())
        .select((
            order_items::product_name,
            order_items::variant_name,
            order_items::unit_price_minor,
            order_items::quantity,
        ))
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        items,
        vec![
            ("Organic Cotton Tee — M".into(), Some("M".into()), 2800, 3),
            ("Organic Cotton Tee — XL".into(), Some("XL".into()), 3000, 1),
        ]
    );
    assert_eq!(app.variant_stock("organic-cotton-tee", "M").await, 17);
    assert_eq!(app.variant_stock("organic-cotton-tee", "XL").await, 5);
    assert_eq!(app.variant_stock("organic-cotton-tee", "L").await, 18);
    assert_eq!(app.stock("organic-cotton-tee").await, 0);

    let (status, _) = app.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK);
    app.webhooks_delivered().await;
    app.wait_for_status(order, "paid").await;
    let page = app.get_html(&format!("/orders/{order}")).await;
    assert!(page.contains("Organic Cotton Tee — XL"), "{page}");
    assert_eq!(tee_pictures(&page), 2, "{page}");
    let mail = app.wait_for_mail("ada@example.com", "is confirmed").await;
    assert!(
        mail.text.contains("Organic Cotton Tee — M"),
        "{}",
        mail.text
    );
    // What the order bought left the cart.
    assert!(app.cart_rows().await.is_empty());

    let history = app.stock_history("organic-cotton-tee").await;
    let reserved: Vec<_> = history
        .iter()
        .map(|(variant, delta, after, reason, by, _)| {
            (variant.as_deref(), *delta, *after, reason.as_str(), *by)
        })
        .collect();
    assert_eq!(
        reserved,
        vec![
            (Some("M"), -3, 17, "checkout", Some(order)),
            (Some("XL"), -1, 5, "checkout", Some(order)),
        ]
    );
}

#[tokio::test]
async fn a_product_with_options_is_added_only_as_one_of_its_options_on_sale() {
    let app = spawn_app().await;
    let tee = app.product_id("organic-cotton-tee").await.to_string();
    let without = app
        .submit("/cart/items", &[("product_id", &tee), ("quantity", "1")])
        .await;
    assert_eq!(without.status(), StatusCode::BAD_REQUEST);
    assert!(text(without).await.contains("Choose an option"));

    let wallet_tan = app
        .variant_id("leather-card-wallet", "Tan")
        .await
        .to_string();
    let elsewhere = app
        .submit(
            "/cart/items",
            &[("product_id", &tee), ("variant_id", &wallet_tan)],
        )
        .await;
    assert_eq!(
        elsewhere.status(),
        StatusCode::BAD_REQUEST,
        "another product's option"
    );
    let garbage = app
        .submit(
            "/cart/items",
            &[("product_id", &tee), ("variant_id", "1; DROP TABLE")],
        )
        .await;
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.cart_count_in_database().await,
        0,
        "no cart for a refused add"
    );

    let sold_out = app.add_variant("organic-cotton-tee", "XXL", "1").await;
    assert_eq!(sold_out.status(), StatusCode::CONFLICT);
    assert!(text(sold_out).await.contains("sold out"));
    let too_many = app.add_variant("organic-cotton-tee", "XL", "7").await;
    assert_eq!(too_many.status(), StatusCode::CONFLICT, "XL has 6");
    assert!(app.cart_rows().await.is_empty(), "nothing was added");

    // The product page offers each option with its price; a sold-out one cannot be picked.
    let page = app.get_html("/products/organic-cotton-tee").await;
    let xxl = app.variant_id("organic-cotton-tee", "XXL").await;
    let m = app.variant_id("organic-cotton-tee", "M").await;
    assert!(
        page.contains(&format!(
            "id=\"variant-{xxl}\" name=\"variant_id\" value=\"{xxl}\" required disabled"
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "id=\"variant-{m}\" name=\"variant_id\" value=\"{m}\" required>"
        )),
        "{page}"
    );
    assert!(page.contains("XL · $30.00"), "{page}");
}

#[tokio::test]
async fn a_variant_selling_out_leaves_the_other_options_of_the_product_on_sale() {
    let app = spawn_app().await;
    let buyer = app.another_browser();
    added(
        &buyer
            .add_variant("leather-card-wallet", "Oxblood", "3")
            .await,
    );
    let order = buyer.checkout("ada@example.com").await;
    assert_eq!(app.variant_stock("leather-card-wallet", "Oxblood").await, 0);

    let page = app.get_html("/products/leather-card-wallet").await;
    let oxblood = app.variant_id("leather-card-wallet", "Oxblood").await;
    let tan = app.variant_id("leather-card-wallet", "Tan").await;
    assert!(page.contains("Oxblood · $42.00 · sold out"), "{page}");
    assert!(page.contains(&format!("value=\"{oxblood}\" required disabled")));
    assert!(page.contains(&format!("value=\"{tan}\" required>")));
    assert!(page.contains("Add to cart"));
    let listing = app.get_html("/").await;
    assert!(listing.contains("Leather Card Wallet"));

    let refused = app.add_variant("leather-card-wallet", "Oxblood", "1").await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    added(&app.add_variant("leather-card-wallet", "Tan", "1").await);
    let mine = app.checkout("grace@example.com").await;
    assert_ne!(mine, order);
    assert_eq!(app.variant_stock("leather-card-wallet", "Tan").await, 13);

    // The first order is cancelled: its Oxblood wallets are back on sale.
    let cancelled = buyer.submit(&format!("/orders/{order}/cancel"), &[]).await;
    assert_eq!(
        cancelled.status(),
        StatusCode::SEE_OTHER,
        "{}",
        location(&cancelled)
    );
    assert_eq!(app.variant_stock("leather-card-wallet", "Oxblood").await, 3);
    let history = app.stock_history("leather-card-wallet").await;
    let last = history.last().unwrap_or_else(|| panic!("no history"));
    assert_eq!(
        (last.0.as_deref(), last.1, last.2, last.3.as_str(), last.4),
        (Some("Oxblood"), 3, 3, "cancellation", Some(order))
    );
    let page = app.get_html("/products/leather-card-wallet").await;
    assert!(
        page.contains(&format!("value=\"{oxblood}\" required>")),
        "{page}"
    );
}

#[tokio::test]
async fn concurrent_checkouts_never_oversell_a_variant() {
    let app = spawn_app().await;
    // Six shoppers each want one of the three Oxblood wallets, and one a Tan one.
    let shoppers: Vec<TestApp> = (0..6).map(|_| app.another_browser()).collect();
    for shopper in &shoppers {
        added(
            &shopper
                .add_variant("leather-card-wallet", "Oxblood", "1")
                .await,
        );
    }
    let tan_buyer = app.another_browser();
    added(
        &tan_buyer
            .add_variant("leather-card-wallet", "Tan", "1")
            .await,
    );

    let mut forms = Vec::new();
    for (n, shopper) in shoppers.iter().chain([&tan_buyer]).enumerate() {
        forms.push((
            shopper,
            shopper.csrf_token().await,
            format!("s{n}@example.com"),
        ));
    }
    let checkouts = forms.iter().map(|(shopper, token, email)| async move {
        shopper
            .post_form(
                "/checkout",
                &[("csrf_token", token.as_str()), ("email", email.as_str())],
            )
            .await
            .status()
    });
    let statuses = futures_util::future::join_all(checkouts).await;
    let placed = statuses[..6]
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    let refused = statuses[..6]
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((placed, refused), (3, 3), "{statuses:?}");
    assert_eq!(statuses[6], StatusCode::SEE_OTHER, "Tan is another shelf");
    assert_eq!(app.variant_stock("leather-card-wallet", "Oxblood").await, 0);
    assert_eq!(app.variant_stock("leather-card-wallet", "Tan").await, 13);
    let reserved: i32 = app
        .stock_history("leather-card-wallet")
        .await
        .iter()
        .filter(|c| c.0.as_deref() == Some("Oxblood"))
        .map(|c| -c.1)
        .sum();
    assert_eq!(reserved, 3, "the history counts what was taken, once");
}

#[tokio::test]
async fn the_admin_adds_and_edits_options_and_bad_input_changes_nothing() {
    let app = spawn_app().await;
    app.sign_in_as_admin("owner@example.com").await;
    let tote = app.product_id("canvas-tote-bag").await;
    let base = format!("/admin/products/{tote}/variants");

    let bad = app
        .submit(
            &base,
            &[("name", " "), ("price", "12.345"), ("stock", "-2")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body = text(bad).await;
    assert!(body.contains("Option name: enter a name"), "{body}");
    assert!(body.contains("Option price"), "{body}");
    assert!(body.contains("Option stock"), "{body}");
    assert_eq!(app.stock("canvas-tote-bag").await, 75, "nothing changed");

    let natural = app
        .submit(
            &base,
            &[("name", "Natural"), ("price", ""), ("stock", "40")],
        )
        .await;
    assert_eq!(location(&natural), format!("/admin/products/{tote}/edit"));
    let navy = app
        .submit(
            &base,
            &[("name", "Navy"), ("price", "21.00"), ("stock", "5")],
        )
        .await;
    assert_eq!(navy.status(), StatusCode::SEE_OTHER);
    let twice = app
        .submit(&base, &[("name", "Navy"), ("price", ""), ("stock", "1")])
        .await;
    assert_eq!(twice.status(), StatusCode::BAD_REQUEST, "one Navy");
    // From its first option on, the tote is stocked per option.
    assert_eq!(app.stock("canvas-tote-bag").await, 0);
    assert_eq!(app.variant_stock("canvas-tote-bag", "Natural").await, 40);

    let navy_id = app.variant_id("canvas-tote-bag", "Navy").await;
    let edit = format!("{base}/{navy_id}");
    let refused = app
        .submit(
            &edit,
            &[
                ("name", "Navy"),
                ("price", "abc"),
                ("stock", "9"),
                ("stock_was", "5"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.variant_stock("canvas-tote-bag", "Navy").await, 5);

    // A shopper takes two Navy totes while the admin's form still says 5.
    added(
        &app.another_browser()
            .add_variant("canvas-tote-bag", "Navy", "2")
            .await,
    );
    let shopper = app.another_browser();
    added(&shopper.add_variant("canvas-tote-bag", "Navy", "2").await);
    shopper.checkout("ada@example.com").await;
    let saved = app
        .submit(
            &edit,
            &[
                ("name", "Navy blue"),
                ("price", "22.50"),
                ("stock", "8"),
                ("stock_was", "5"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    // +3 on top of what is left (3), and off sale (the box was unticked).
    assert_eq!(app.variant_stock("canvas-tote-bag", "Navy blue").await, 6);
    let page = app.get_html("/products/canvas-tote-bag").await;
    assert!(
        !page.contains(&format!("name=\"variant_id\" value=\"{navy_id}\"")),
        "an option off sale is not offered: {page}"
    );
    assert!(page.contains("Natural · $18.50"), "{page}");

    // The tote's own stock cannot grow again: its units are kept per option.
    let form = app.get_html(&format!("/admin/products/{tote}/edit")).await;
    let refused = reqwest::multipart::Form::new()
        .text("csrf_token", csrf_token_in(&form))
        .text("name", "Canvas Tote Bag")
        .text("slug", "canvas-tote-bag")
        .text("description", "A tote.")
        .text("price", "18.50")
        .text("stock", "5")
        .text("stock_was", "0")
        .text("max_per_order", "10");
    let response = app
        .client
        .post(app.url(&format!("/admin/products/{tote}")))
        .multipart(refused)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(text(response).await.contains("kept per option"));
    assert_eq!(app.stock("canvas-tote-bag").await, 0);

    let list = app.get_html("/admin/products").await;
    assert!(
        list.contains("<td>40 (1 option)</td>"),
        "the options on sale: {list}"
    );
    assert!(
        list.contains("<td>56 (5 options)</td>"),
        "the tee's sizes: {list}"
    );
    let admin_page = app.get_html(&format!("/admin/products/{tote}/edit")).await;
    assert!(admin_page.contains("Stock history"), "{admin_page}");
    assert!(admin_page.contains("Changed by an admin (now stocked per option)"));
    assert!(admin_page.contains("Reserved by an order"));
    assert!(admin_page.contains("owner@example.com"));
    let history = app.stock_history("canvas-tote-bag").await;
    let summary: Vec<(Option<&str>, i32, i32, &str)> = history
        .iter()
        .map(|c| (c.0.as_deref(), c.1, c.2, c.3.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (Some("Natural"), 40, 40, "admin"),
            (None, -75, 0, "admin"),
            (Some("Navy blue"), 5, 5, "admin"),
            (Some("Navy blue"), -2, 3, "checkout"),
            (Some("Navy blue"), 3, 6, "admin"),
        ]
    );
    assert!(
        history
            .iter()
            .filter(|c| c.3 == "admin")
            .all(|c| c.5.is_some())
    );
}

#[tokio::test]
async fn the_hosted_checkout_page_lists_the_variant_at_its_own_price() {
    let app = spawn_app_with(&[("CHECKOUT_MODE", "hosted")]).await;
    added(&app.add_variant("organic-cotton-tee", "XL", "2").await);
    let response = app
        .submit("/checkout", &[("email", "ada@example.com")])
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(response).await
    );
    let session_id: Option<String> = orders::table
        .select(orders::checkout_session_id)
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let session_id = session_id.unwrap_or_else(|| panic!("the order has a Checkout Session"));
    let session = app
        .stripe_get(&format!(
            "checkout/sessions/{session_id}?expand[]=line_items"
        ))
        .await;
    let line = &session["line_items"]["data"][0];
    assert_eq!(line["description"], "Organic Cotton Tee — XL", "{session}");
    assert_eq!(line["price"]["unit_amount"], 3000);
    assert_eq!(line["quantity"], 2);
}

#[tokio::test]
async fn a_refund_returns_the_chosen_variant_to_its_own_shelf_and_the_history_names_the_admin() {
    let app = spawn_app().await;
    app.sign_in_as_admin("owner@example.com").await;
    let shopper = app.another_browser();
    added(&shopper.add_variant("organic-cotton-tee", "M", "1").await);
    added(&shopper.add_variant("organic-cotton-tee", "L", "2").await);
    let order = shopper.checkout("ada@example.com").await;
    shopper.pay_with_card(order, VISA).await;
    app.webhooks_delivered().await;
    app.wait_for_status(order, "paid").await;

    let large = app.variant_id("organic-cotton-tee", "L").await;
    let item: i64 = order_items::table
        .filter(order_items::order_id.eq(order))
        .filter(order_items::variant_id.eq(large))
        .select(order_items::id)
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let page = app.get_html(&format!("/admin/orders/{order}")).await;
    assert!(page.contains("Organic Cotton Tee — L"), "{page}");
    let key_marker = "name=\"key\" value=\"";
    let key_at = page
        .find(key_marker)
        .unwrap_or_else(|| panic!("no refund key in {page}"))
        + key_marker.len();
    let key = &page[key_at..key_at + page[key_at..].find('"').unwrap_or(0)];
    let restock = format!("restock_{item}");
    let response = app
        .post_form(
            &format!("/admin/orders/{order}/refunds"),
            &[
                ("csrf_token", &csrf_token_in(&page)),
                ("key", key),
                ("amount", "28.00"),
                (&restock, "1"),
            ],
        )
        .await;
    assert_eq!(location(&response), format!("/admin/orders/{order}"));
    assert_eq!(app.variant_stock("organic-cotton-tee", "L").await, 17);
    assert_eq!(app.variant_stock("organic-cotton-tee", "M").await, 19);
    let last = app.stock_history("organic-cotton-tee").await.pop();
    let last = last.unwrap_or_else(|| panic!("no history"));
    assert_eq!(
        (last.0.as_deref(), last.1, last.2, last.3.as_str(), last.4),
        (Some("L"), 1, 17, "refund", Some(order))
    );
    assert!(last.5.is_some(), "the admin who refunded");
}

#[tokio::test]
async fn a_guest_cart_merges_into_the_account_cart_size_by_size() {
    let app = spawn_app().await;
    let password = "correct horse battery staple";
    app.register("ada@example.com", password).await;
    added(&app.add_variant("organic-cotton-tee", "M", "1").await);
    app.logout().await;

    added(&app.add_variant("organic-cotton-tee", "M", "2").await);
    added(&app.add_variant("organic-cotton-tee", "L", "1").await);
    app.login("ada@example.com", password).await;

    let lines: Vec<(Option<String>, i32)> = storefront::schema::cart_items::table
        .left_join(product_variants::table)
        .order(product_variants::name.nullable().asc())
        .select((
            product_variants::name.nullable(),
            storefront::schema::cart_items::quantity,
        ))
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lines, vec![(Some("L".into()), 1), (Some("M".into()), 3)]);
}
