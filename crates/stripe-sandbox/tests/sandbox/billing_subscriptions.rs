//! Subscriptions and invoices (/billing/subscriptions/overview, /api/subscriptions,
//! /api/invoices): made through the API and through Checkout in `subscription` mode, read
//! back through async-stripe's `Subscription` and `Invoice`, changed with prorations,
//! cancelled at the period end and resumed, with Stripe's events.

use serde_json::Value;
use stripe_billing::invoice::{ListInvoice, RetrieveInvoice};
use stripe_billing::subscription::{
    CancelSubscription, CreateSubscription, CreateSubscriptionItems, ListSubscription,
    RetrieveSubscription, UpdateSubscription, UpdateSubscriptionItems,
    UpdateSubscriptionProrationBehavior,
};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionSubscriptionData,
    RetrieveCheckoutSession,
};
use stripe_core::customer::CreateCustomer;
use stripe_shared::{
    CheckoutSessionMode, Customer, InvoiceStatus, Price, Subscription, SubscriptionStatus,
};
use stripe_types::Expandable;

use crate::billing_catalog::monthly_price;
use crate::helpers::{TestSandbox, api_error, spawn_sandbox};

pub async fn customer(sb: &TestSandbox, email: &str) -> Customer {
    CreateCustomer::new()
        .email(email)
        .send(&sb.client)
        .await
        .expect("customer")
}

/// Attaches a test card (`pm_card_visa`, `pm_card_chargeCustomerFail`, ...) to the customer
/// and makes it the default for invoices, answering the new PaymentMethod's id.
pub async fn attach_default_card(sb: &TestSandbox, customer: &str, test_pm: &str) -> String {
    let r = sb
        .post(
            &format!("v1/payment_methods/{test_pm}/attach"),
            &[("customer", customer)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let pm: Value = r.json().await.unwrap();
    let id = pm["id"].as_str().unwrap().to_string();
    let r = sb
        .post(
            &format!("v1/customers/{customer}"),
            &[("invoice_settings[default_payment_method]", id.as_str())],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    id
}

fn item(price: &Price) -> CreateSubscriptionItems {
    let mut item = CreateSubscriptionItems::new();
    item.price = Some(price.id.as_str().to_string());
    item
}

pub async fn event_types(sb: &TestSandbox) -> Vec<String> {
    let body: Value = sb.get("v1/events?limit=100").await.json().await.unwrap();
    let mut types: Vec<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    types.reverse();
    types
}

fn invoice_id(sub: &Subscription) -> String {
    match &sub.latest_invoice {
        Some(Expandable::Id(id)) => id.as_ref().unwrap().as_str().to_string(),
        Some(Expandable::Object(inv)) => inv.id.as_ref().unwrap().as_str().to_string(),
        None => panic!("no latest invoice"),
    }
}

#[tokio::test]
async fn a_trial_subscription_starts_trialing_with_a_paid_zero_invoice() {
    let sb = spawn_sandbox().await;
    let price = monthly_price(&sb, "club_monthly").await;
    let cus = customer(&sb, "ada@example.com").await;
    let sub = CreateSubscription::new()
        .customer(cus.id.as_str())
        .items(vec![item(&price)])
        .trial_period_days(14u32)
        .send(&sb.client)
        .await
        .expect("subscription");
    assert_eq!(sub.status, SubscriptionStatus::Trialing);
    let trial_end = sub.trial_end.expect("trial_end");
    assert_eq!(trial_end - sub.trial_start.unwrap(), 14 * 24 * 3600);
    assert_eq!(sub.items.data[0].current_period_end, trial_end);
    let inv = RetrieveInvoice::new(invoice_id(&sub))
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(inv.status, Some(InvoiceStatus::Paid));
    assert_eq!(inv.amount_due, 0);
    assert_eq!(
        inv.lines.data[0].description.as_deref(),
        Some("Trial period for Storefront Club")
    );
    assert!(inv.hosted_invoice_url.is_some() && inv.invoice_pdf.is_some());
    let types = event_types(&sb).await;
    let from = types
        .iter()
        .position(|t| t == "customer.subscription.created")
        .unwrap();
    assert_eq!(
        types[from..],
        [
            "customer.subscription.created",
            "invoice.created",
            "invoice.finalized",
            "invoice.paid",
            "invoice.payment_succeeded",
        ]
    );
}

#[tokio::test]
async fn a_subscription_charges_the_default_card_and_a_failing_card_leaves_it_incomplete() {
    let sb = spawn_sandbox().await;
    let price = monthly_price(&sb, "club_monthly").await;
    let ada = customer(&sb, "ada@example.com").await;
    attach_default_card(&sb, ada.id.as_str(), "pm_card_visa").await;
    let sub = CreateSubscription::new()
        .customer(ada.id.as_str())
        .items(vec![item(&price)])
        .expand(vec!["latest_invoice.payments".to_string()])
        .send(&sb.client)
        .await
        .expect("subscription");
    assert_eq!(sub.status, SubscriptionStatus::Active);
    let Some(Expandable::Object(inv)) = &sub.latest_invoice else {
        panic!("expanded invoice");
    };
    assert_eq!(inv.status, Some(InvoiceStatus::Paid));
    assert_eq!(inv.amount_paid, 900);
    assert_eq!(inv.payments.as_ref().map(|p| p.data.len()), Some(1));
    let types = event_types(&sb).await;
    for t in [
        "payment_intent.succeeded",
        "invoice_payment.paid",
        "invoice.paid",
    ] {
        assert!(types.contains(&t.to_string()), "{t} in {types:?}");
    }

    // 4000 0000 0000 0341 attaches, then its charge is declined.
    let bob = customer(&sb, "bob@example.com").await;
    attach_default_card(&sb, bob.id.as_str(), "pm_card_chargeCustomerFail").await;
    let sub = CreateSubscription::new()
        .customer(bob.id.as_str())
        .items(vec![item(&price)])
        .send(&sb.client)
        .await
        .expect("an incomplete subscription");
    assert_eq!(sub.status, SubscriptionStatus::Incomplete);
    let inv = RetrieveInvoice::new(invoice_id(&sub))
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(inv.status, Some(InvoiceStatus::Open));
    assert_eq!(inv.attempt_count, 1);

    // error_if_incomplete: a decline is the answer, and no subscription is made.
    let r = sb
        .post(
            "v1/subscriptions",
            &[
                ("customer", bob.id.as_str()),
                ("items[0][price]", price.id.as_str()),
                ("payment_behavior", "error_if_incomplete"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 402);
    let listed = ListSubscription::new()
        .customer(bob.id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 1);

    // Without a payment method, Stripe refuses a subscription that must be charged.
    let eve = customer(&sb, "eve@example.com").await;
    let (e, status) = api_error(
        CreateSubscription::new()
            .customer(eve.id.as_str())
            .items(vec![item(&price)])
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert!(
        e.message
            .unwrap_or_default()
            .contains("no attached payment source or default payment method")
    );
}

#[tokio::test]
async fn switching_price_prorates_as_stripe_computes_it() {
    let sb = spawn_sandbox().await;
    let monthly = monthly_price(&sb, "club_monthly").await;
    let r = sb
        .post(
            "v1/prices",
            &[
                ("currency", "usd"),
                ("unit_amount", "1500"),
                ("recurring[interval]", "month"),
                ("product_data[name]", "Storefront Club Plus"),
            ],
        )
        .await;
    let plus: Value = r.json().await.unwrap();
    let cus = customer(&sb, "ada@example.com").await;
    attach_default_card(&sb, cus.id.as_str(), "pm_card_visa").await;
    let sub = CreateSubscription::new()
        .customer(cus.id.as_str())
        .items(vec![item(&monthly)])
        .send(&sb.client)
        .await
        .unwrap();
    let mut change = UpdateSubscriptionItems::new();
    change.id = Some(sub.items.data[0].id.as_str().to_string());
    change.price = Some(plus["id"].as_str().unwrap().to_string());
    let updated = UpdateSubscription::new(sub.id.clone())
        .items(vec![change])
        .proration_behavior(UpdateSubscriptionProrationBehavior::AlwaysInvoice)
        .send(&sb.client)
        .await
        .expect("switch");
    assert_eq!(updated.items.data[0].price.unit_amount, Some(1500));
    let inv = RetrieveInvoice::new(invoice_id(&updated))
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(
        inv.billing_reason
            .map(|r| r.as_str().to_string())
            .as_deref(),
        Some("subscription_update")
    );
    // Switched at once: the whole month unused on $9.00, the whole month left on $15.00.
    let amounts: Vec<i64> = inv.lines.data.iter().map(|l| l.amount).collect();
    assert_eq!(amounts, vec![-900, 1500]);
    assert_eq!(inv.amount_paid, 600);
    assert_eq!(inv.status, Some(InvoiceStatus::Paid));
    let events: Value = sb
        .get("v1/events?type=customer.subscription.updated")
        .await
        .json()
        .await
        .unwrap();
    let previous = &events["data"][0]["data"]["previous_attributes"];
    assert!(previous.get("items").is_some(), "{previous}");
}

#[tokio::test]
async fn cancel_at_period_end_then_resume_then_cancel_now() {
    let sb = spawn_sandbox().await;
    let price = monthly_price(&sb, "club_monthly").await;
    let cus = customer(&sb, "ada@example.com").await;
    let sub = CreateSubscription::new()
        .customer(cus.id.as_str())
        .items(vec![item(&price)])
        .trial_period_days(7u32)
        .send(&sb.client)
        .await
        .unwrap();
    let canceling = UpdateSubscription::new(sub.id.clone())
        .cancel_at_period_end(true)
        .send(&sb.client)
        .await
        .unwrap();
    assert!(canceling.cancel_at_period_end);
    assert_eq!(
        canceling.cancel_at,
        Some(canceling.items.data[0].current_period_end)
    );
    assert_eq!(canceling.status, SubscriptionStatus::Trialing);
    let resumed = UpdateSubscription::new(sub.id.clone())
        .cancel_at_period_end(false)
        .send(&sb.client)
        .await
        .unwrap();
    assert!(!resumed.cancel_at_period_end);
    assert_eq!(resumed.cancel_at, None);
    let canceled = CancelSubscription::new(sub.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(canceled.status, SubscriptionStatus::Canceled);
    assert!(canceled.ended_at.is_some());
    let read = RetrieveSubscription::new(sub.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(read.status, SubscriptionStatus::Canceled);
    let types = event_types(&sb).await;
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "customer.subscription.updated")
            .count(),
        2
    );
    assert_eq!(
        types.last().map(String::as_str),
        Some("customer.subscription.deleted")
    );
    // A canceled subscription changes no more.
    let r = sb
        .post(
            &format!("v1/subscriptions/{}", sub.id),
            &[("cancel_at_period_end", "true")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 400);
    let active = ListSubscription::new()
        .customer(cus.id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert!(
        active.data.is_empty(),
        "canceled ones are listed only when asked for"
    );
}

#[tokio::test]
async fn checkout_in_subscription_mode_starts_a_trial_with_the_card_saved() {
    let sb = spawn_sandbox().await;
    let price = monthly_price(&sb, "club_monthly").await;
    let mut line = CreateCheckoutSessionLineItems::new();
    line.price = Some(price.id.as_str().to_string());
    line.quantity = Some(1);
    let mut data = CreateCheckoutSessionSubscriptionData::new();
    data.trial_period_days = Some(14);
    data.metadata = Some([("user_id".to_string(), "7".to_string())].into());
    let session = CreateCheckoutSession::new()
        .mode(CheckoutSessionMode::Subscription)
        .line_items(vec![line])
        .subscription_data(data)
        .customer_email("ada@example.com")
        .client_reference_id("7")
        .success_url("https://shop.example/club/welcome?session_id={CHECKOUT_SESSION_ID}")
        .cancel_url("https://shop.example/club")
        .send(&sb.client)
        .await
        .expect("session");
    assert_eq!(session.mode, CheckoutSessionMode::Subscription);
    assert_eq!(session.amount_total, Some(0));
    let url = session.url.clone().unwrap();
    let page = sb
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("14 days free, then $9.00 per month"),
        "{page}"
    );

    // A declined card is refused on the page; nothing is subscribed.
    let r = sb
        .http
        .post(&url)
        .form(&[
            ("number", "4000 0000 0000 0002"),
            ("exp", "12 / 40"),
            ("cvc", "123"),
            ("postal_code", "12345"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 402);
    assert!(r.text().await.unwrap().contains("Your card was declined."));

    let r = sb
        .http
        .post(&url)
        .form(&[
            ("number", "4242 4242 4242 4242"),
            ("exp", "12 / 40"),
            ("cvc", "123"),
            ("postal_code", "12345"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        location,
        format!(
            "https://shop.example/club/welcome?session_id={}",
            session.id
        )
    );

    let done = RetrieveCheckoutSession::new(session.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    let sub_id = match done.subscription {
        Some(Expandable::Id(id)) => id,
        other => panic!("subscription: {other:?}"),
    };
    let sub = RetrieveSubscription::new(sub_id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Trialing);
    assert_eq!(sub.metadata.get("user_id").map(String::as_str), Some("7"));
    let customer_id = match &sub.customer {
        Expandable::Id(id) => id.as_str().to_string(),
        Expandable::Object(c) => c.id.as_str().to_string(),
    };
    let cus: Value = sb
        .get(&format!("v1/customers/{customer_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cus["email"], "ada@example.com");
    assert!(
        cus["invoice_settings"]["default_payment_method"]
            .as_str()
            .is_some_and(|p| p.starts_with("pm_"))
    );
    let invoices = ListInvoice::new()
        .subscription(sub_id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(invoices.data.len(), 1);
    assert_eq!(invoices.data[0].amount_paid, 0);
    let types = event_types(&sb).await;
    let tail: Vec<&str> = types
        .iter()
        .map(String::as_str)
        .skip_while(|t| *t != "customer.created")
        .collect();
    assert_eq!(
        tail,
        [
            "customer.created",
            "payment_method.attached",
            "customer.updated",
            "customer.subscription.created",
            "invoice.created",
            "invoice.finalized",
            "invoice.paid",
            "invoice.payment_succeeded",
            "checkout.session.completed",
        ]
    );
    let completed: Value = sb
        .get("v1/events?type=checkout.session.completed")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        completed["data"][0]["data"]["object"]["subscription"],
        sub_id.as_str()
    );
    assert_eq!(
        completed["data"][0]["data"]["object"]["payment_status"],
        "no_payment_required"
    );
}

#[tokio::test]
async fn the_hosted_invoice_page_shows_and_pays_an_open_invoice_and_the_pdf_is_a_pdf() {
    let sb = spawn_sandbox().await;
    let price = monthly_price(&sb, "club_monthly").await;
    let cus = customer(&sb, "bob@example.com").await;
    attach_default_card(&sb, cus.id.as_str(), "pm_card_chargeCustomerFail").await;
    let sub = CreateSubscription::new()
        .customer(cus.id.as_str())
        .items(vec![item(&price)])
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Incomplete);
    let inv = RetrieveInvoice::new(invoice_id(&sub))
        .send(&sb.client)
        .await
        .unwrap();
    let url = inv.hosted_invoice_url.clone().unwrap();
    let html = sb
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(inv.number.as_deref().unwrap()) && html.contains("$9.00"),
        "{html}"
    );
    let pdf = sb
        .http
        .get(inv.invoice_pdf.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4") && bytes.ends_with(b"%%EOF\n"));

    let r = sb
        .http
        .post(&url)
        .form(&[
            ("number", "4242424242424242"),
            ("exp", "12/40"),
            ("cvc", "123"),
            ("postal_code", "12345"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let paid = RetrieveInvoice::new(invoice_id(&sub))
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(paid.status, Some(InvoiceStatus::Paid));
    let sub = RetrieveSubscription::new(sub.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(
        sub.status,
        SubscriptionStatus::Active,
        "its first invoice paid"
    );
}

#[tokio::test]
async fn default_incomplete_leaves_the_first_invoice_to_be_paid_with_stripe_js() {
    let sb = spawn_sandbox().await;
    let price = monthly_price(&sb, "club_monthly").await;
    let cus = customer(&sb, "ada@example.com").await;
    let r = sb
        .post(
            "v1/subscriptions",
            &[
                ("customer", cus.id.as_str()),
                ("items[0][price]", price.id.as_str()),
                ("payment_behavior", "default_incomplete"),
                ("expand[]", "latest_invoice.confirmation_secret"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let sub: Value = r.json().await.unwrap();
    assert_eq!(sub["status"], "incomplete");
    let secret = sub["latest_invoice"]["confirmation_secret"]["client_secret"]
        .as_str()
        .expect("a client secret for the Payment Element")
        .to_string();
    let pi = secret.split("_secret_").next().unwrap();
    let r = sb
        .http
        .post(sb.url(&format!("v1/payment_intents/{pi}/confirm")))
        .form(&[
            ("key", crate::helpers::PUBLISHABLE),
            ("client_secret", secret.as_str()),
            ("payment_method_data[type]", "card"),
            ("payment_method_data[card][number]", "4242424242424242"),
            ("payment_method_data[card][exp_month]", "12"),
            ("payment_method_data[card][exp_year]", "2040"),
            ("payment_method_data[card][cvc]", "123"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let id = sub["id"].as_str().unwrap().to_string();
    let sub = RetrieveSubscription::new(id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Active);
    let inv = RetrieveInvoice::new(invoice_id(&sub))
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(inv.status, Some(InvoiceStatus::Paid));
    assert_eq!(inv.amount_paid, 900);
}
