//! Storefront Club: subscribing on Stripe's Checkout page in `subscription` mode with a trial,
//! the member benefit (free standard shipping) priced by the server, the lifecycle from
//! webhooks as test clocks move time (trial → active, a failed renewal → past_due), the
//! member's own changes (plan switch, cancel at period end, resume), replayed and reordered
//! events, and a lost `invoice.paid` found by the reconciler.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use storefront::schema::{club_events, club_invoices, club_subscriptions, orders, outbox, users};

use crate::helpers::{SHIPPING_ADDRESS, TestApp, location, spawn_app_with, text};

const PASSWORD: &str = "correct horse battery staple";
/// Attaches, then every charge fails (Stripe's `pm_card_chargeCustomerFail`).
const FAILS_LATER: &str = "4000 0000 0000 0341";
const VISA: &str = "4242 4242 4242 4242";
const CLOCKS: (&str, &str) = ("STRIPE_TEST_CLOCKS", "1");
const DAY: i64 = 24 * 3600;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Stored {
    id: String,
    status: String,
    plan: String,
    cancel_at_period_end: bool,
    trial_end: Option<time::OffsetDateTime>,
}

async fn membership(app: &TestApp, email: &str) -> Option<Stored> {
    let row: Option<(String, String, String, bool, Option<time::OffsetDateTime>)> =
        club_subscriptions::table
            .inner_join(users::table)
            .filter(users::email.eq(email))
            .select((
                club_subscriptions::id,
                club_subscriptions::status,
                club_subscriptions::plan,
                club_subscriptions::cancel_at_period_end,
                club_subscriptions::trial_end,
            ))
            .first(&mut app.conn().await)
            .await
            .optional()
            .unwrap_or_else(|e| panic!("membership: {e}"));
    row.map(
        |(id, status, plan, cancel_at_period_end, trial_end)| Stored {
            id,
            status,
            plan,
            cancel_at_period_end,
            trial_end,
        },
    )
}

async fn wait_for_status(app: &TestApp, email: &str, want: &str) -> Stored {
    for _ in 0..200 {
        if let Some(m) = membership(app, email).await
            && m.status == want
        {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "membership of {email} never became {want}: {:?}",
        membership(app, email).await
    );
}

/// Invoices of a subscription: (status, amount due, has hosted URL, has PDF).
async fn invoices(app: &TestApp, subscription: &str) -> Vec<(String, i64, bool, bool)> {
    club_invoices::table
        .filter(club_invoices::subscription_id.eq(subscription))
        .order(club_invoices::stripe_created_at.asc())
        .select((
            club_invoices::status,
            club_invoices::amount_due_minor,
            club_invoices::hosted_invoice_url.is_not_null(),
            club_invoices::invoice_pdf.is_not_null(),
        ))
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("invoices: {e}"))
}

/// (cause, to_status, applied, note) of the subscription's timeline.
async fn timeline(app: &TestApp, subscription: &str) -> Vec<(String, String, bool, String)> {
    club_events::table
        .filter(club_events::subscription_id.eq(subscription))
        .order(club_events::id.asc())
        .select((
            club_events::cause,
            club_events::to_status,
            club_events::applied,
            club_events::note,
        ))
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("timeline: {e}"))
}

/// Registers `email`, chooses `plan` on /club, pays on Stripe's page with `card` and comes
/// back to the shop's welcome page; returns the sandbox's Checkout page URL.
async fn subscribe(app: &TestApp, email: &str, plan: &str, card: &str) -> String {
    app.register(email, PASSWORD).await;
    let response = app.submit("/club/subscribe", &[("plan", plan)]).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(response).await
    );
    let page = location(&response);
    assert!(page.contains("/c/pay/cs_"), "{page}");
    let html = reqwest::get(&page)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(html.contains("14 days free"), "the page offers the trial");
    let back = pay_on(&page, card).await;
    assert!(back.contains("/club/welcome?session_id=cs_"), "{back}");
    let path = back.trim_start_matches(&app.address).to_owned();
    let welcome = app.get(&path).await;
    assert_eq!(welcome.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&welcome), "/account/club");
    page
}

/// The member's Stripe customer's test clock.
async fn clock_of(app: &TestApp, email: &str) -> String {
    let customer: Option<String> = users::table
        .filter(users::email.eq(email))
        .select(users::stripe_customer_id)
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("user: {e}"));
    let customer = customer.unwrap_or_else(|| panic!("{email} has no Stripe customer"));
    let customer = app.stripe_get(&format!("customers/{customer}")).await;
    customer["test_clock"]
        .as_str()
        .unwrap_or_else(|| panic!("the customer is on no test clock: {customer}"))
        .to_owned()
}

/// Advances the clock by `seconds`, waits until it is ready and its webhooks are delivered.
async fn advance(app: &TestApp, clock: &str, seconds: i64) {
    let now = app
        .stripe_get(&format!("test_helpers/test_clocks/{clock}"))
        .await["frozen_time"]
        .as_i64()
        .unwrap_or_default();
    let to = (now + seconds).to_string();
    app.stripe_post(
        &format!("test_helpers/test_clocks/{clock}/advance"),
        &[("frozen_time", to.as_str())],
    )
    .await;
    for _ in 0..200 {
        let clock = app
            .stripe_get(&format!("test_helpers/test_clocks/{clock}"))
            .await;
        if clock["status"] == "ready" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.webhooks_delivered().await;
}

/// Places an order of one mug (12.00, under standard shipping's free threshold) with standard
/// shipping; returns what the order charged for shipping.
async fn standard_shipping_charged(app: &TestApp) -> i64 {
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let mut form: Vec<(&str, &str)> = SHIPPING_ADDRESS
        .iter()
        .copied()
        .filter(|(k, _)| *k != "shipping_method")
        .collect();
    form.push(("shipping_method", "standard"));
    form.push(("pay_on", "payment_element"));
    let response = app.submit("/checkout", &form).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(response).await
    );
    let shipping: Vec<i64> = orders::table
        .order(orders::created_at.desc())
        .select(orders::shipping_minor)
        .limit(1)
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("order: {e}"));
    shipping[0]
}

#[tokio::test]
async fn subscribing_through_checkout_starts_a_trial_and_standard_shipping_becomes_free() {
    let app = spawn_app_with(&[CLOCKS]).await;
    let page = app.get_html("/club").await;
    assert!(page.contains("14 days are free"), "{page}");

    subscribe(&app, "ada@example.com", "monthly", VISA).await;
    let member = wait_for_status(&app, "ada@example.com", "trialing").await;
    assert_eq!(member.plan, "monthly");
    assert!(member.trial_end.is_some());
    assert!(member.id.starts_with("sub_"));

    // The price was made from the shop's plan table, found by its lookup key.
    let prices = app
        .stripe_get("prices?lookup_keys[]=club_monthly&lookup_keys[]=club_yearly")
        .await;
    let amounts: Vec<i64> = prices["data"]
        .as_array()
        .map(|d| d.iter().filter_map(|p| p["unit_amount"].as_i64()).collect())
        .unwrap_or_default();
    assert!(amounts.contains(&500), "{prices}");

    let account = app.get_html("/account/club").await;
    assert!(account.contains("Free trial"), "{account}");
    assert!(account.contains("Free trial until"), "{account}");
    // The trial's $0 invoice, with Stripe's links.
    app.webhooks_delivered().await;
    let bills = invoices(&app, &member.id).await;
    assert_eq!(
        <[_]>::first(&bills),
        Some(&("paid".to_owned(), 0, true, true)),
        "{bills:?}"
    );

    // The benefit: standard shipping free, on the review page and on the order itself.
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let review = app.get_html("/checkout").await;
    assert!(
        review.contains("Storefront Club member benefit"),
        "{review}"
    );
    assert_eq!(standard_shipping_charged(&app).await, 0);

    // A shopper who is not a member pays for it.
    let other = app.another_browser();
    other.register("bob@example.com", PASSWORD).await;
    assert_eq!(standard_shipping_charged(&other).await, 499);

    // One membership at a time: subscribing again goes to the account page.
    let again = app.submit("/club/subscribe", &[("plan", "yearly")]).await;
    assert_eq!(location(&again), "/account/club");
}

#[tokio::test]
async fn the_trial_ends_on_the_test_clock_and_the_membership_becomes_active_and_paid() {
    let app = spawn_app_with(&[CLOCKS]).await;
    subscribe(&app, "ada@example.com", "monthly", VISA).await;
    let member = wait_for_status(&app, "ada@example.com", "trialing").await;
    let clock = clock_of(&app, "ada@example.com").await;

    // Stripe tells three days before the trial ends: an email through the outbox.
    advance(&app, &clock, 12 * DAY).await;
    let kinds: Vec<String> = outbox::table
        .select(outbox::kind)
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(kinds.iter().any(|k| k == "club_trial_ending"), "{kinds:?}");

    advance(&app, &clock, 3 * DAY).await;
    wait_for_status(&app, "ada@example.com", "active").await;
    let bills = invoices(&app, &member.id).await;
    assert!(
        bills
            .iter()
            .any(|(status, due, url, pdf)| status == "paid" && *due == 500 && *url && *pdf),
        "{bills:?}"
    );
    let steps = timeline(&app, &member.id).await;
    assert!(
        steps
            .iter()
            .any(|(cause, to, applied, _)| cause == "webhook" && to == "active" && *applied),
        "{steps:?}"
    );
    assert_eq!(standard_shipping_charged(&app).await, 0);
}

#[tokio::test]
async fn a_failed_renewal_makes_the_membership_past_due_and_ends_the_benefit() {
    let app = spawn_app_with(&[CLOCKS]).await;
    subscribe(&app, "ada@example.com", "monthly", FAILS_LATER).await;
    let member = wait_for_status(&app, "ada@example.com", "trialing").await;
    let clock = clock_of(&app, "ada@example.com").await;

    advance(&app, &clock, 15 * DAY).await;
    wait_for_status(&app, "ada@example.com", "past_due").await;
    let bills = invoices(&app, &member.id).await;
    assert!(
        bills
            .iter()
            .any(|(status, due, _, _)| status == "open" && *due == 500),
        "{bills:?}"
    );
    let mails: Vec<(String, String)> = outbox::table
        .select((outbox::kind, outbox::recipient))
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        mails.contains(&("club_payment_failed".into(), "ada@example.com".into())),
        "{mails:?}"
    );
    let account = app.get_html("/account/club").await;
    assert!(account.contains("Payment overdue"), "{account}");
    assert!(
        account.contains("Paused until the membership is paid"),
        "{account}"
    );
    assert_eq!(standard_shipping_charged(&app).await, 499);
}

#[tokio::test]
async fn a_member_switches_plans_cancels_at_period_end_and_resumes() {
    let app = spawn_app_with(&[CLOCKS]).await;
    subscribe(&app, "ada@example.com", "monthly", VISA).await;
    let member = wait_for_status(&app, "ada@example.com", "trialing").await;

    let switched = app
        .submit("/account/club/plan", &[("plan", "yearly")])
        .await;
    assert_eq!(location(&switched), "/account/club");
    let now = membership(&app, "ada@example.com").await;
    assert_eq!(now.as_ref().map(|m| m.plan.as_str()), Some("yearly"));
    let on_stripe = app
        .stripe_get(&format!("subscriptions/{}", member.id))
        .await;
    assert_eq!(
        on_stripe["items"]["data"][0]["price"]["lookup_key"],
        "club_yearly"
    );
    assert_eq!(on_stripe["items"]["data"][0]["price"]["unit_amount"], 5000);

    // A plan that is not in the table is refused, and changes nothing.
    let bad = app
        .submit("/account/club/plan", &[("plan", "weekly")])
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    app.submit("/account/club/cancel", &[]).await;
    let cancelling = membership(&app, "ada@example.com").await;
    assert_eq!(
        cancelling.as_ref().map(|m| m.cancel_at_period_end),
        Some(true)
    );
    let on_stripe = app
        .stripe_get(&format!("subscriptions/{}", member.id))
        .await;
    assert_eq!(on_stripe["cancel_at_period_end"], true);
    assert!(
        app.get_html("/account/club")
            .await
            .contains("Resume membership")
    );
    // Still a member until the period ends.
    assert_eq!(standard_shipping_charged(&app).await, 0);

    app.submit("/account/club/resume", &[]).await;
    let resumed = membership(&app, "ada@example.com").await;
    assert_eq!(
        resumed.as_ref().map(|m| m.cancel_at_period_end),
        Some(false)
    );
    let on_stripe = app
        .stripe_get(&format!("subscriptions/{}", member.id))
        .await;
    assert_eq!(on_stripe["cancel_at_period_end"], false);

    app.webhooks_delivered().await;
    let steps = timeline(&app, &member.id).await;
    let notes: Vec<&str> = steps.iter().map(|(_, _, _, n)| n.as_str()).collect();
    assert!(
        notes.iter().any(|n| n.contains("plan Monthly → Yearly")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("cancel at the end")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("resumed")), "{notes:?}");
    // Each change was recorded once, by the member's own request: the webhooks that
    // followed said nothing new.
    assert_eq!(
        steps
            .iter()
            .filter(|(_, _, _, n)| n.contains("resumed"))
            .count(),
        1,
        "{steps:?}"
    );
}

#[tokio::test]
async fn replayed_and_reordered_events_change_nothing() {
    let app = spawn_app_with(&[CLOCKS]).await;
    // Every event of the subscription's start is delivered twice, and out of order.
    app.control("webhooks/mode", &[("mode", "duplicate"), ("count", "100")])
        .await;
    subscribe(&app, "ada@example.com", "monthly", VISA).await;
    app.webhooks_delivered().await;
    let member = wait_for_status(&app, "ada@example.com", "trialing").await;
    let before = timeline(&app, &member.id).await;

    app.control("webhooks/mode", &[("mode", "reorder"), ("count", "100")])
        .await;
    let clock = clock_of(&app, "ada@example.com").await;
    advance(&app, &clock, 15 * DAY).await;
    app.control("webhooks/mode", &[("mode", "normal"), ("count", "0")])
        .await;
    app.webhooks_delivered().await;
    let active = wait_for_status(&app, "ada@example.com", "active").await;
    assert_eq!(active.id, member.id);

    let after = timeline(&app, &member.id).await;
    assert!(after.len() > before.len());
    // Never back to trialing after active, whatever order the events came in.
    let statuses: Vec<&str> = after
        .iter()
        .filter(|(_, to, applied, _)| *applied && !to.starts_with("invoice"))
        .map(|(_, to, _, _)| to.as_str())
        .collect();
    let first_active = statuses.iter().position(|s| *s == "active");
    assert!(
        first_active.is_some_and(|i| statuses[i..].iter().all(|s| *s == "active")),
        "{statuses:?}"
    );
    // Each event was stored once, however often it came.
    let events: Vec<String> = storefront::schema::stripe_events::table
        .select(storefront::schema::stripe_events::id)
        .load(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut unique = events.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), events.len());
    // One paid renewal invoice, not two.
    let paid = invoices(&app, &member.id)
        .await
        .into_iter()
        .filter(|(status, due, _, _)| status == "paid" && *due == 500)
        .count();
    assert_eq!(paid, 1);
}

#[tokio::test]
async fn a_lost_invoice_paid_is_found_by_the_reconciler() {
    let app = spawn_app_with(&[
        CLOCKS,
        ("RECONCILE_INTERVAL_SECS", "1"),
        ("RECONCILE_AFTER_SECS", "1"),
        ("RECONCILE_MAX_BACKOFF_SECS", "1"),
    ])
    .await;
    subscribe(&app, "ada@example.com", "monthly", VISA).await;
    let member = wait_for_status(&app, "ada@example.com", "trialing").await;
    app.webhooks_delivered().await;

    let paid_events = || async {
        storefront::schema::stripe_events::table
            .filter(storefront::schema::stripe_events::event_type.eq("invoice.paid"))
            .count()
            .get_result::<i64>(&mut app.conn().await)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let paid_before = paid_events().await;

    app.control("webhooks/mode", &[("mode", "drop"), ("count", "1000")])
        .await;
    let clock = clock_of(&app, "ada@example.com").await;
    advance(&app, &clock, 15 * DAY).await;

    wait_for_status(&app, "ada@example.com", "active").await;
    for _ in 0..200 {
        if invoices(&app, &member.id)
            .await
            .iter()
            .any(|(status, due, _, _)| status == "paid" && *due == 500)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let steps = timeline(&app, &member.id).await;
    assert!(
        steps
            .iter()
            .any(|(cause, to, _, _)| cause == "reconciler" && to == "invoice paid"),
        "{steps:?}"
    );
    assert_eq!(
        paid_events().await,
        paid_before,
        "the renewal's invoice.paid never arrived"
    );
}

#[tokio::test]
async fn the_admin_sees_memberships_by_status_the_mrr_and_a_timeline() {
    let app = spawn_app_with(&[CLOCKS]).await;
    subscribe(&app, "ada@example.com", "yearly", VISA).await;
    let member = wait_for_status(&app, "ada@example.com", "trialing").await;
    let clock = clock_of(&app, "ada@example.com").await;
    advance(&app, &clock, 15 * DAY).await;
    wait_for_status(&app, "ada@example.com", "active").await;

    let admin = app.another_browser();
    admin.sign_in_as_admin("owner@example.com").await;
    let list = admin.get_html("/admin/subscriptions").await;
    assert!(list.contains("ada@example.com"), "{list}");
    // 50.00 a year is 4.16 a month.
    assert!(list.contains("$4.16"), "{list}");
    let trialing = admin.get_html("/admin/subscriptions?status=trialing").await;
    assert!(!trialing.contains("ada@example.com"));
    let page = admin
        .get_html(&format!("/admin/subscriptions/{}", member.id))
        .await;
    assert!(page.contains("membership started: Yearly"), "{page}");
    assert!(page.contains("Free trial → Active"), "{page}");

    // Members see nothing of the admin's pages.
    let refused = app.get("/admin/subscriptions").await;
    assert_ne!(refused.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_member_who_never_comes_back_while_every_webhook_is_lost_is_found_by_the_reconciler() {
    let app = spawn_app_with(&[
        ("RECONCILE_INTERVAL_SECS", "1"),
        ("RECONCILE_AFTER_SECS", "1"),
        ("RECONCILE_MAX_BACKOFF_SECS", "1"),
    ])
    .await;
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "1000")])
        .await;
    app.register("ada@example.com", PASSWORD).await;
    let page = open_membership_page(&app, "yearly").await;
    pay_on(&page, VISA).await;
    // The tab is closed: the welcome page is never visited, and no webhook arrives.

    let member = wait_for_status(&app, "ada@example.com", "trialing").await;
    assert_eq!(member.plan, "yearly");
    let steps = timeline(&app, &member.id).await;
    assert_eq!(
        <[_]>::first(&steps).map(|(cause, _, _, _)| cause.as_str()),
        Some("reconciler"),
        "{steps:?}"
    );
    assert!(app.stripe_events().await.is_empty(), "no webhook arrived");
}

#[tokio::test]
async fn an_older_copy_of_a_subscription_event_delivered_late_changes_nothing() {
    use crate::helpers::spawn_app_with_standalone_sandbox;
    use stripe_webhook::Webhook;

    let (app, secret) = spawn_app_with_standalone_sandbox().await;
    subscribe(&app, "ada@example.com", "monthly", VISA).await;
    let member = wait_for_status(&app, "ada@example.com", "trialing").await;
    app.webhooks_delivered().await;
    let created: serde_json::Value = storefront::schema::stripe_events::table
        .filter(storefront::schema::stripe_events::event_type.eq("customer.subscription.created"))
        .select(storefront::schema::stripe_events::payload)
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("the created event: {e}"));
    assert_eq!(
        created["data"]["object"]["items"]["data"][0]["price"]["lookup_key"],
        "club_monthly"
    );

    app.submit("/account/club/plan", &[("plan", "yearly")])
        .await;
    app.webhooks_delivered().await;
    let before = timeline(&app, &member.id).await;

    // The monthly copy again, as a new event arriving late (Stripe does not order them).
    let mut stale = created.clone();
    stale["id"] = "evt_late_monthly_copy".into();
    let payload = stale.to_string();
    let signature = Webhook::generate_test_header(&payload, &secret, None);
    let response = app.post_webhook(&payload, &signature).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "ignored");
    // The very same delivery again is a duplicate.
    let signature = Webhook::generate_test_header(&payload, &secret, None);
    let again = app.post_webhook(&payload, &signature).await;
    assert_eq!(text(again).await, "duplicate");

    let now = membership(&app, "ada@example.com").await;
    assert_eq!(now.map(|m| m.plan), Some("yearly".to_owned()));
    assert_eq!(timeline(&app, &member.id).await, before);
}

/// Posts a test card on a sandbox Checkout page; where the page sends the browser next.
async fn pay_on(page: &str, card: &str) -> String {
    let paid = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
        .post(page)
        .form(&[
            ("number", card),
            ("exp", "12 / 40"),
            ("cvc", "123"),
            ("postal_code", "12345"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    location(&paid)
}

async fn open_membership_page(app: &TestApp, plan: &str) -> String {
    let response = app.submit("/club/subscribe", &[("plan", plan)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = location(&response);
    assert!(page.contains("/c/pay/cs_"), "{page}");
    page
}

#[tokio::test]
async fn a_page_opened_in_another_window_earlier_takes_no_payment() {
    let app = spawn_app_with(&[]).await;
    app.register("ada@example.com", PASSWORD).await;
    let first = open_membership_page(&app, "monthly").await;
    let second = open_membership_page(&app, "yearly").await;
    assert_ne!(first, second);

    let refused = pay_on(&first, VISA).await;
    assert!(
        !refused.contains("/club/welcome"),
        "the earlier page took a payment: {refused}"
    );
    let html = text(reqwest::get(&first).await.unwrap_or_else(|e| panic!("{e}"))).await;
    assert!(html.contains("has expired"), "{html}");

    let back = pay_on(&second, VISA).await;
    assert!(back.contains("/club/welcome?session_id=cs_"), "{back}");
    let member = wait_for_status(&app, "ada@example.com", "trialing").await;
    assert_eq!(member.plan, "yearly");
    let memberships: i64 = club_subscriptions::table
        .count()
        .get_result(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(memberships, 1);
}

#[tokio::test]
async fn subscribing_again_after_paying_in_another_window_starts_no_second_membership() {
    let app = spawn_app_with(&[]).await;
    // No webhook tells the shop about the first payment: only Stripe's session does.
    app.control("webhooks/mode", &[("mode", "drop"), ("count", "1000")])
        .await;
    app.register("ada@example.com", PASSWORD).await;
    let first = open_membership_page(&app, "monthly").await;
    let back = pay_on(&first, VISA).await;
    assert!(back.contains("/club/welcome?session_id=cs_"), "{back}");
    // The welcome page is never visited (the tab was closed).

    let again = app.submit("/club/subscribe", &[("plan", "yearly")]).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), "/account/club");
    let member = membership(&app, "ada@example.com")
        .await
        .unwrap_or_else(|| panic!("the paid membership was applied"));
    assert_eq!(
        (member.status.as_str(), member.plan.as_str()),
        ("trialing", "monthly")
    );
    let memberships: i64 = club_subscriptions::table
        .count()
        .get_result(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(memberships, 1);
}
