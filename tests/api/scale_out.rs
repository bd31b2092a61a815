//! Two shop servers (the built binary, twice) on one database behind Debian's nginx, as a
//! deployment scales out: whichever server answers, the shopper's session and cart are theirs;
//! a product changed through one server shows on the other; a webhook Stripe delivers to both
//! is applied once; one reconciler sweeps at a time.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use diesel_async::SimpleAsyncConnection;
use reqwest::StatusCode;
use reqwest::multipart::Form;

use crate::helpers::{
    Proxy, ShopProcess, StandaloneStripe, TestApp, VISA, add_free_test_shipping,
    fresh_database_url, location, spawn_standalone_stripe, test_app_at, text,
};

/// Which server nginx passed the request to.
fn upstream(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("X-Upstream")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no X-Upstream header: did the request go through nginx?"))
        .to_owned()
}

/// Polls `page` on `app` until `check` holds; how long that took, or `None` after `within`.
async fn shows_within(
    app: &TestApp,
    page: &str,
    within: Duration,
    check: impl Fn(&str) -> bool,
) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < within {
        if check(&app.get_html(page).await) {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

fn items_in_cart(count: i64) -> String {
    format!(r#"aria-label="{count} items in cart""#)
}

/// Whether, within `within`, four pages in a row through nginx (both servers, taking turns)
/// contain `expected`.
async fn both_show_within(shopper: &TestApp, within: Duration, expected: &str) -> bool {
    let started = Instant::now();
    let mut in_a_row = 0;
    while started.elapsed() < within {
        if shopper.get_html("/").await.contains(expected) {
            in_a_row += 1;
            if in_a_row == 4 {
                return true;
            }
        } else {
            in_a_row = 0;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    false
}

async fn scrape(server: &ShopProcess) -> String {
    let address = server
        .metrics_address()
        .unwrap_or_else(|| panic!("the server has no metrics address:\n{}", server.log()));
    text(
        reqwest::get(format!("{address}/metrics"))
            .await
            .unwrap_or_else(|e| panic!("scraping: {e}")),
    )
    .await
}

fn counter(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find(|line| line.starts_with(series))
        .and_then(|line| line.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0.0)
}

struct Deployment {
    stripe: StandaloneStripe,
    database_url: String,
    a: ShopProcess,
    b: ShopProcess,
    proxy: Proxy,
}

async fn two_servers_behind_nginx() -> Deployment {
    let stripe = spawn_standalone_stripe().await;
    let database_url = fresh_database_url().await;
    let (public_url, proxy_port) = Proxy::reserve();
    let settings = [
        ("BASE_URL", public_url.as_str()),
        ("TRUSTED_PROXIES", "127.0.0.1"),
        ("RECONCILE_INTERVAL_SECS", "1"),
        ("METRICS_ADDR", "127.0.0.1:0"),
    ];
    // One after the other: the first runs the migrations.
    let a = ShopProcess::start(&database_url, &stripe, &settings).await;
    let b = ShopProcess::start(&database_url, &stripe, &settings).await;
    let pool = storefront::db::pool(&database_url, 1)
        .unwrap_or_else(|e| panic!("test database pool: {e:?}"));
    add_free_test_shipping(&pool, storefront::domain::Currency::usd()).await;
    for server in [&a, &b] {
        stripe.send_webhooks_to(&format!("{}/webhooks/stripe", server.address));
    }
    let proxy = Proxy::start(proxy_port, &[&a.address, &b.address]).await;
    Deployment {
        stripe,
        database_url,
        a,
        b,
        proxy,
    }
}

#[tokio::test]
async fn two_servers_behind_nginx_act_as_one_shop() {
    let shop = two_servers_behind_nginx().await;
    let servers: HashSet<String> = [&shop.a, &shop.b]
        .iter()
        .map(|s| s.address.trim_start_matches("http://").to_owned())
        .collect();
    let shopper = test_app_at(&shop.proxy.address, &shop.database_url, &shop.stripe);

    // A session and a cart, made through whichever servers answered.
    let registered = shopper
        .register("two-servers@example.com", "plum tree ladder 73 quietly")
        .await;
    assert_eq!(registered.status(), StatusCode::SEE_OTHER, "registration");
    let added = shopper.add_to_cart("linen-notebook", "2").await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER, "add to cart");
    let mut answered_by = HashSet::new();
    for _ in 0..6 {
        let response = shopper.get("/cart").await;
        assert_eq!(response.status(), StatusCode::OK);
        answered_by.insert(upstream(&response));
        let page = text(response).await;
        assert!(
            page.contains("Linen Notebook"),
            "the cart holds the notebook"
        );
        assert!(page.contains("Sign out"), "the shopper is still signed in");
    }
    assert_eq!(answered_by, servers, "round robin reached both servers");
    // Both servers count the cart's items (a notification's delivery after the change at most),
    // and keep the count; a change through either shows on both.
    assert!(
        both_show_within(&shopper, Duration::from_secs(2), &items_in_cart(2)).await,
        "a server does not count the cart's items"
    );
    let added = shopper.add_to_cart("ceramic-pour-over-mug", "1").await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER, "add to cart");
    // The shopper's own change shows at once, whichever server answers: their session carries
    // the cart's revision, and a server whose count is older reads it again.
    for _ in 0..4 {
        assert!(
            shopper.get_html("/").await.contains(&items_in_cart(3)),
            "a server shows the cart count from before the shopper's change"
        );
    }

    // Another browser signed in to the same account, on server B, learns of a change made
    // through server A by the notification (its session names no revision of that change).
    let phone = test_app_at(&shop.b.address, &shop.database_url, &shop.stripe);
    let signed_in = phone
        .login("two-servers@example.com", "plum tree ladder 73 quietly")
        .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "sign-in on B");
    assert!(phone.get_html("/").await.contains(&items_in_cart(3)));
    let laptop = test_app_at(&shop.a.address, &shop.database_url, &shop.stripe);
    let signed_in = laptop
        .login("two-servers@example.com", "plum tree ladder 73 quietly")
        .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "sign-in on A");
    let added = laptop.add_to_cart("ceramic-pour-over-mug", "1").await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER, "add to cart on A");
    let shown = shows_within(&phone, "/", Duration::from_secs(2), |page| {
        page.contains(&items_in_cart(4))
    })
    .await;
    assert!(
        shown.is_some(),
        "server B keeps the count from before another browser's change"
    );

    // A product added through server A is on server B's catalog at once (first among the newest),
    // and so is its removal.
    let admin = test_app_at(&shop.a.address, &shop.database_url, &shop.stripe);
    admin.sign_in_as_admin("owner@example.com").await;
    let on_b = test_app_at(&shop.b.address, &shop.database_url, &shop.stripe);
    assert!(
        !on_b
            .get_html("/?sort=newest")
            .await
            .contains("Walnut Spoon")
    );
    let form = Form::new()
        .text("csrf_token", admin.csrf_token().await)
        .text("name", "Walnut Spoon")
        .text("description", "Carved by hand.")
        .text("price", "12.50")
        .text("stock", "5")
        .text("image_choice", "/static/img/products/linen-notebook.svg");
    let created = admin
        .client
        .post(admin.url("/admin/products"))
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("creating a product: {e}"));
    assert_eq!(location(&created), "/admin/products");
    let shown = shows_within(&on_b, "/?sort=newest", Duration::from_secs(1), |page| {
        page.contains("Walnut Spoon")
    })
    .await;
    assert!(
        shown.is_some(),
        "server B does not show the product added on A"
    );
    let id = admin.product_id("walnut-spoon").await;
    let deactivated = admin
        .submit(&format!("/admin/products/{id}/deactivate"), &[])
        .await;
    assert_eq!(deactivated.status(), StatusCode::SEE_OTHER);
    let gone = shows_within(&on_b, "/?sort=newest", Duration::from_secs(1), |page| {
        !page.contains("Walnut Spoon")
    })
    .await;
    assert!(
        gone.is_some(),
        "server B still shows the product removed on A"
    );

    // Stripe delivers every event to both servers; each is stored and applied once.
    let stock_before = shopper.stock("linen-notebook").await;
    let order = shopper.checkout("two-servers@example.com").await;
    let (status, intent) = shopper.pay_with_card(order, VISA).await;
    assert_eq!(status, StatusCode::OK, "{intent}");
    shopper.webhooks_delivered().await;
    shopper.wait_for_status(order, "paid").await;
    // The payment took what it bought out of the cart, whichever server applied it.
    assert!(
        both_show_within(&shopper, Duration::from_secs(2), &items_in_cart(0)).await,
        "a server still counts the items the order bought"
    );
    let deliveries: Vec<String> = shopper
        .webhook_log()
        .await
        .iter()
        .filter(|d| d["event_type"] == "payment_intent.succeeded" && d["outcome"] == "delivered")
        .filter_map(|d| d["endpoint"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        deliveries.len(),
        2,
        "delivered to both servers: {deliveries:?}"
    );
    let stored: Vec<(String, String)> = shopper
        .stripe_events()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "payment_intent.succeeded")
        .collect();
    assert_eq!(
        stored,
        vec![("payment_intent.succeeded".into(), "applied".into())],
        "stored once"
    );
    let made_paid = shopper
        .order_events(order)
        .await
        .into_iter()
        .filter(|(_, to, applied, _)| to == "paid" && *applied)
        .count();
    assert_eq!(made_paid, 1, "the order became paid once");
    assert_eq!(
        shopper.stock("linen-notebook").await,
        stock_before - 2,
        "stock taken once"
    );

    // One reconciler at a time: while another holds the reconciler's lock (as a third server
    // sweeping would), neither server sweeps; once it is released, one of them cancels the
    // expired order, once.
    let later = shopper.another_browser();
    let stock_before = later.stock("linen-notebook").await;
    later.add_to_cart("linen-notebook", "1").await;
    let expired = later.checkout("later@example.com").await;
    let mut holder = {
        use diesel_async::AsyncConnection;
        diesel_async::AsyncPgConnection::establish(&shop.database_url)
            .await
            .unwrap_or_else(|e| panic!("connecting: {e}"))
    };
    let key = storefront::payments::reconciler::LOCK_KEY;
    holder
        .batch_execute(&format!("SELECT pg_advisory_lock({key})"))
        .await
        .unwrap_or_else(|e| panic!("taking the reconciler's lock: {e}"));
    let skipped_before = [
        counter(
            &scrape(&shop.a).await,
            r#"storefront_reconciler_sweeps_total{result="locked_elsewhere"}"#,
        ),
        counter(
            &scrape(&shop.b).await,
            r#"storefront_reconciler_sweeps_total{result="locked_elsewhere"}"#,
        ),
    ];
    later
        .conn()
        .await
        .batch_execute(&format!(
            "UPDATE orders SET reserved_until = now() - interval '1 minute', \
             next_check_at = now() WHERE id = '{expired}'"
        ))
        .await
        .unwrap_or_else(|e| panic!("ending the reservation: {e}"));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        later.order_status(expired).await,
        "pending",
        "a server swept while another held the lock"
    );
    for (server, before) in [&shop.a, &shop.b].into_iter().zip(skipped_before) {
        let skipped = counter(
            &scrape(server).await,
            r#"storefront_reconciler_sweeps_total{result="locked_elsewhere"}"#,
        );
        assert!(
            skipped > before,
            "{} did not find the lock taken ({before} -> {skipped})",
            server.address
        );
    }
    holder
        .batch_execute(&format!("SELECT pg_advisory_unlock({key})"))
        .await
        .unwrap_or_else(|e| panic!("releasing the reconciler's lock: {e}"));
    later.wait_for_status(expired, "cancelled").await;
    // The reconciler cancels the intent at Stripe, then the order; Stripe's
    // payment_intent.canceled may reach a server first, and is then the one that applies.
    let timeline = later.order_events(expired).await;
    let cancellations = timeline
        .iter()
        .filter(|(_, to, applied, _)| to == "cancelled" && *applied)
        .count();
    assert_eq!(cancellations, 1, "cancelled once: {timeline:?}");
    assert_eq!(
        later.stock("linen-notebook").await,
        stock_before,
        "its stock released once"
    );
}
