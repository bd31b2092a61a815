//! The customer portal (/customer-management, /api/customer_portal): configurations and
//! sessions through async-stripe's types, and the sandbox's portal page doing what its
//! configuration allows — switch plan with proration, cancel at the period's end and renew,
//! update the card (paying a past-due renewal), list invoices — with the API's events.

use serde_json::Value;
use stripe_billing::billing_portal_configuration::{
    ListBillingPortalConfiguration, RetrieveBillingPortalConfiguration,
};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_billing::invoice::ListInvoice;
use stripe_billing::subscription::{
    CreateSubscription, CreateSubscriptionItems, RetrieveSubscription,
};
use stripe_billing::test_helpers_test_clock::{
    AdvanceTestHelpersTestClock, CreateTestHelpersTestClock, RetrieveTestHelpersTestClock,
};
use stripe_shared::{SubscriptionStatus, TestHelpersTestClockStatus};

use crate::billing_catalog::monthly_price;
use crate::billing_subscriptions::{attach_default_card, customer, event_types};
use crate::helpers::{TestSandbox, api_error, spawn_sandbox};

/// A configuration that lets the customer switch between `prices` of `product` (invoiced at
/// once), cancel at the period's end, update the card and see invoices.
async fn configuration(sb: &TestSandbox, product: &str, prices: &[&str]) -> String {
    let mut form: Vec<(String, String)> = [
        ("features[invoice_history][enabled]", "true"),
        ("features[payment_method_update][enabled]", "true"),
        ("features[subscription_cancel][enabled]", "true"),
        ("features[subscription_cancel][mode]", "at_period_end"),
        ("features[subscription_update][enabled]", "true"),
        (
            "features[subscription_update][default_allowed_updates][0]",
            "price",
        ),
        (
            "features[subscription_update][proration_behavior]",
            "always_invoice",
        ),
        (
            "features[subscription_update][products][0][product]",
            product,
        ),
        ("default_return_url", "https://shop.example/account"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (i, p) in prices.iter().enumerate() {
        form.push((
            format!("features[subscription_update][products][0][prices][{i}]"),
            p.to_string(),
        ));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = sb.post("v1/billing_portal/configurations", &form).await;
    let body: Value = r.json().await.unwrap();
    body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string()
}

async fn act(sb: &TestSandbox, url: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = sb.http.post(url).form(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn configurations_and_sessions_read_back_through_async_stripe() {
    let sb = spawn_sandbox().await;
    let price = monthly_price(&sb, "club_monthly").await;
    let product = match &price.product {
        stripe_types::Expandable::Id(id) => id.as_str().to_string(),
        stripe_types::Expandable::Object(p) => p.id.as_str().to_string(),
    };
    let ada = customer(&sb, "ada@example.com").await;
    // Without a configuration, Stripe needs the default one saved in the Dashboard.
    let (e, status) = api_error(
        CreateBillingPortalSession::new()
            .customer(ada.id.as_str())
            .return_url("https://shop.example/account")
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert!(
        e.message
            .unwrap_or_default()
            .contains("default configuration")
    );

    let id = configuration(&sb, &product, &[price.id.as_str()]).await;
    let config = RetrieveBillingPortalConfiguration::new(id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert!(config.features.subscription_update.enabled);
    assert!(!config.is_default);
    let listed = ListBillingPortalConfiguration::new()
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 1);
    let r = sb
        .post(
            &format!("v1/billing_portal/configurations/{id}"),
            &[("features[subscription_cancel][mode]", "immediately")],
        )
        .await;
    let updated: Value = r.json().await.unwrap();
    assert_eq!(
        updated["features"]["subscription_cancel"]["mode"],
        "immediately"
    );

    let session = CreateBillingPortalSession::new()
        .customer(ada.id.as_str())
        .configuration(id.as_str())
        .send(&sb.client)
        .await
        .expect("session");
    assert_eq!(
        session.return_url.as_deref(),
        Some("https://shop.example/account"),
        "the configuration's default"
    );
    assert!(session.url.contains("/_sandbox/p/session/bps_"));
    let page = sb
        .http
        .get(&session.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("ada@example.com") && page.contains("https://shop.example/account"));

    // Enabling plan switches without products is refused as Stripe refuses it.
    let r = sb
        .post(
            "v1/billing_portal/configurations",
            &[("features[subscription_update][enabled]", "true")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 400);
}

#[tokio::test]
async fn the_portal_switches_plan_cancels_at_period_end_and_renews_with_the_apis_events() {
    let sb = spawn_sandbox().await;
    let monthly = monthly_price(&sb, "club_monthly").await;
    let product = match &monthly.product {
        stripe_types::Expandable::Id(id) => id.as_str().to_string(),
        stripe_types::Expandable::Object(p) => p.id.as_str().to_string(),
    };
    let r = sb
        .post(
            "v1/prices",
            &[
                ("currency", "usd"),
                ("unit_amount", "1500"),
                ("recurring[interval]", "month"),
                ("product", product.as_str()),
                ("lookup_key", "club_plus"),
            ],
        )
        .await;
    let plus: Value = r.json().await.unwrap();
    let plus = plus["id"].as_str().unwrap().to_string();
    let config = configuration(&sb, &product, &[monthly.id.as_str(), plus.as_str()]).await;
    let ada = customer(&sb, "ada@example.com").await;
    attach_default_card(&sb, ada.id.as_str(), "pm_card_visa").await;
    let mut item = CreateSubscriptionItems::new();
    item.price = Some(monthly.id.as_str().to_string());
    let sub = CreateSubscription::new()
        .customer(ada.id.as_str())
        .items(vec![item])
        .send(&sb.client)
        .await
        .unwrap();
    let session = CreateBillingPortalSession::new()
        .customer(ada.id.as_str())
        .configuration(config.as_str())
        .return_url("https://shop.example/account")
        .send(&sb.client)
        .await
        .unwrap();
    let page = sb
        .http
        .get(&session.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Storefront Club — $9.00 / month") && page.contains("Card ending in 4242"),
        "{page}"
    );

    let (status, page) = act(
        &sb,
        &session.url,
        &[
            ("action", "switch"),
            ("subscription", sub.id.as_str()),
            ("price", plus.as_str()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let switched = RetrieveSubscription::new(sub.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(switched.items.data[0].price.id.as_str(), plus);
    let invoices = ListInvoice::new()
        .subscription(sub.id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(
        invoices.data[0].amount_paid, 600,
        "always_invoice: prorated and paid now"
    );

    let (status, _) = act(
        &sb,
        &session.url,
        &[("action", "cancel"), ("subscription", sub.id.as_str())],
    )
    .await;
    assert_eq!(status, 200);
    let canceling = RetrieveSubscription::new(sub.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert!(canceling.cancel_at_period_end);
    let (_, page) = act(
        &sb,
        &session.url,
        &[("action", "renew"), ("subscription", sub.id.as_str())],
    )
    .await;
    assert!(page.contains("Renews on"));
    let renewed = RetrieveSubscription::new(sub.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert!(!renewed.cancel_at_period_end);
    let types = event_types(&sb).await;
    assert!(
        types
            .iter()
            .filter(|t| *t == "customer.subscription.updated")
            .count()
            >= 3
    );

    // Another customer's subscription cannot be touched from this session.
    let bob = customer(&sb, "bob@example.com").await;
    attach_default_card(&sb, bob.id.as_str(), "pm_card_visa").await;
    let mut item = CreateSubscriptionItems::new();
    item.price = Some(monthly.id.as_str().to_string());
    let bobs = CreateSubscription::new()
        .customer(bob.id.as_str())
        .items(vec![item])
        .send(&sb.client)
        .await
        .unwrap();
    let (status, _) = act(
        &sb,
        &session.url,
        &[("action", "cancel"), ("subscription", bobs.id.as_str())],
    )
    .await;
    assert_eq!(status, 400);
    let untouched = RetrieveSubscription::new(bobs.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert!(!untouched.cancel_at_period_end);
}

#[tokio::test]
async fn a_new_card_in_the_portal_pays_the_past_due_renewal() {
    let sb = spawn_sandbox().await;
    const START: i64 = 1_894_665_600;
    let clock = CreateTestHelpersTestClock::new(START)
        .send(&sb.client)
        .await
        .unwrap();
    let price = monthly_price(&sb, "club_monthly").await;
    let product = match &price.product {
        stripe_types::Expandable::Id(id) => id.as_str().to_string(),
        stripe_types::Expandable::Object(p) => p.id.as_str().to_string(),
    };
    let config = configuration(&sb, &product, &[price.id.as_str()]).await;
    let r = sb
        .post(
            "v1/customers",
            &[
                ("email", "bob@example.com"),
                ("test_clock", clock.id.as_str()),
            ],
        )
        .await;
    let cus: Value = r.json().await.unwrap();
    let cus = cus["id"].as_str().unwrap().to_string();
    attach_default_card(&sb, &cus, "pm_card_visa").await;
    let mut item = CreateSubscriptionItems::new();
    item.price = Some(price.id.as_str().to_string());
    let sub = CreateSubscription::new()
        .customer(cus.as_str())
        .items(vec![item])
        .send(&sb.client)
        .await
        .unwrap();
    attach_default_card(&sb, &cus, "pm_card_chargeCustomerFail").await;
    AdvanceTestHelpersTestClock::new(clock.id.clone(), START + 31 * 24 * 3600 + 7200)
        .send(&sb.client)
        .await
        .unwrap();
    for _ in 0..100 {
        let c = RetrieveTestHelpersTestClock::new(clock.id.clone())
            .send(&sb.client)
            .await
            .unwrap();
        if c.status == TestHelpersTestClockStatus::Ready {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let past_due = RetrieveSubscription::new(sub.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(past_due.status, SubscriptionStatus::PastDue);

    let session = CreateBillingPortalSession::new()
        .customer(cus.as_str())
        .configuration(config.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    let (status, page) = act(
        &sb,
        &session.url,
        &[
            ("action", "card"),
            ("number", "4242 4242 4242 4242"),
            ("exp", "12 / 40"),
            ("cvc", "123"),
            ("postal_code", "12345"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Your card was updated."));
    let active = RetrieveSubscription::new(sub.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(active.status, SubscriptionStatus::Active);
    let invoices = ListInvoice::new()
        .subscription(sub.id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(invoices.data[0].amount_paid, 900);
    assert!(
        page.contains(invoices.data[0].hosted_invoice_url.as_deref().unwrap()),
        "the invoice history links each invoice"
    );
}
