//! Test clocks (/billing/testing/test-clocks, /api/test_clocks): a customer on a clock, its
//! subscription's trial end, renewal, failed renewal, retries and cancellation as the clock
//! advances, read back through async-stripe's `TestHelpersTestClock`, `Subscription` and
//! `Invoice`.

use serde_json::Value;
use stripe_billing::invoice::ListInvoice;
use stripe_billing::subscription::{
    CreateSubscription, CreateSubscriptionItems, RetrieveSubscription,
};
use stripe_billing::test_helpers_test_clock::{
    AdvanceTestHelpersTestClock, CreateTestHelpersTestClock, DeleteTestHelpersTestClock,
    ListTestHelpersTestClock, RetrieveTestHelpersTestClock,
};
use stripe_core::customer::CreateCustomer;
use stripe_shared::{
    InvoiceStatus, SubscriptionStatus, TestHelpersTestClock, TestHelpersTestClockStatus,
};

use crate::billing_catalog::monthly_price;
use crate::billing_subscriptions::{attach_default_card, event_types};
use crate::helpers::{TestSandbox, api_error, spawn_sandbox};

const DAY: i64 = 24 * 60 * 60;
/// 2030-01-15 00:00:00 UTC: months from here are easy to check.
const START: i64 = 1_894_665_600;

async fn advance(sb: &TestSandbox, clock: &TestHelpersTestClock, to: i64) -> TestHelpersTestClock {
    let started = AdvanceTestHelpersTestClock::new(clock.id.clone(), to)
        .send(&sb.client)
        .await
        .expect("advance");
    assert_eq!(started.status, TestHelpersTestClockStatus::Advancing);
    for _ in 0..100 {
        let c = RetrieveTestHelpersTestClock::new(clock.id.clone())
            .send(&sb.client)
            .await
            .unwrap();
        if c.status == TestHelpersTestClockStatus::Ready {
            assert_eq!(c.frozen_time, to);
            return c;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the clock never became ready");
}

async fn clock_customer(sb: &TestSandbox, clock: &TestHelpersTestClock, email: &str) -> String {
    let r = sb
        .post(
            "v1/customers",
            &[("email", email), ("test_clock", clock.id.as_str())],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["test_clock"], clock.id.as_str());
    c["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_clock_is_made_read_listed_advanced_and_deleted_with_its_events_and_limits() {
    let sb = spawn_sandbox().await;
    let clock = CreateTestHelpersTestClock::new(START)
        .name("Walkthrough")
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(clock.frozen_time, START);
    assert_eq!(clock.status, TestHelpersTestClockStatus::Ready);
    assert_eq!(clock.name.as_deref(), Some("Walkthrough"));
    let listed = ListTestHelpersTestClock::new()
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 1);
    // Only forward.
    let (e, status) = api_error(
        AdvanceTestHelpersTestClock::new(clock.id.clone(), START - 1)
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(e.param.as_deref(), Some("frozen_time"));
    // Three customers at most.
    for i in 0..3 {
        clock_customer(&sb, &clock, &format!("c{i}@example.com")).await;
    }
    let r = sb
        .post("v1/customers", &[("test_clock", clock.id.as_str())])
        .await;
    assert_eq!(r.status().as_u16(), 400);
    let price = monthly_price(&sb, "club_monthly").await;
    let customer: Value = sb
        .get("v1/customers?limit=1")
        .await
        .json()
        .await
        .unwrap_or_default();
    let _ = customer;
    let first = {
        let body: Value = sb
            .get("v1/events?type=customer.created&limit=1")
            .await
            .json()
            .await
            .unwrap();
        body["data"][0]["data"]["object"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    attach_default_card(&sb, &first, "pm_card_visa").await;
    let mut item = CreateSubscriptionItems::new();
    item.price = Some(price.id.as_str().to_string());
    CreateSubscription::new()
        .customer(first.as_str())
        .items(vec![item])
        .send(&sb.client)
        .await
        .unwrap();
    // Two intervals of the shortest subscription (a month) at most.
    let (e, _) = api_error(
        AdvanceTestHelpersTestClock::new(clock.id.clone(), START + 63 * DAY)
            .send(&sb.client)
            .await,
    );
    assert!(e.message.unwrap_or_default().contains("two intervals"));
    advance(&sb, &clock, START + DAY).await;
    let deleted = DeleteTestHelpersTestClock::new(clock.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(deleted.id, clock.id);
    let r = sb.get(&format!("v1/customers/{first}")).await;
    assert_eq!(r.status().as_u16(), 404, "its customers go with it");
    let types = event_types(&sb).await;
    for t in [
        "test_helpers.test_clock.created",
        "test_helpers.test_clock.advancing",
        "test_helpers.test_clock.ready",
        "test_helpers.test_clock.deleted",
    ] {
        assert!(types.contains(&t.to_string()), "{t}");
    }
}

#[tokio::test]
async fn advancing_ends_the_trial_and_renews_with_a_paid_invoice() {
    let sb = spawn_sandbox().await;
    let clock = CreateTestHelpersTestClock::new(START)
        .send(&sb.client)
        .await
        .unwrap();
    let price = monthly_price(&sb, "club_monthly").await;
    let cus = clock_customer(&sb, &clock, "ada@example.com").await;
    attach_default_card(&sb, &cus, "pm_card_visa").await;
    let mut item = CreateSubscriptionItems::new();
    item.price = Some(price.id.as_str().to_string());
    let sub = CreateSubscription::new()
        .customer(cus.as_str())
        .items(vec![item])
        .trial_period_days(7u32)
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(sub.start_date, START, "objects on a clock live at its time");
    assert_eq!(sub.trial_end, Some(START + 7 * DAY));

    advance(&sb, &clock, START + 5 * DAY).await;
    let types = event_types(&sb).await;
    assert!(types.contains(&"customer.subscription.trial_will_end".to_string()));

    // The trial ends: a draft invoice, finalized and paid an hour later.
    advance(&sb, &clock, START + 7 * DAY + 30 * 60).await;
    let sub_now = RetrieveSubscription::new(sub.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(sub_now.status, SubscriptionStatus::Active);
    let invoices = ListInvoice::new()
        .subscription(sub.id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(invoices.data[0].status, Some(InvoiceStatus::Draft));
    advance(&sb, &clock, START + 7 * DAY + 2 * 60 * 60).await;
    let invoices = ListInvoice::new()
        .subscription(sub.id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(invoices.data.len(), 2);
    assert_eq!(invoices.data[0].status, Some(InvoiceStatus::Paid));
    assert_eq!(invoices.data[0].amount_paid, 900);
    assert_eq!(invoices.data[0].period_start, START + 7 * DAY);

    // A month later it renews again (Jan 22 → Feb 22).
    advance(&sb, &clock, START + 38 * DAY + 2 * 60 * 60).await;
    let sub_now = RetrieveSubscription::new(sub.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(sub_now.items.data[0].current_period_start, START + 38 * DAY);
    let invoices = ListInvoice::new()
        .subscription(sub.id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(invoices.data.len(), 3);
    assert_eq!(
        invoices.data[0].billing_reason.as_ref().map(|r| r.as_str()),
        Some("subscription_cycle")
    );
}

async fn failing_renewal(sb: &TestSandbox) -> (TestHelpersTestClock, String) {
    let clock = CreateTestHelpersTestClock::new(START)
        .send(&sb.client)
        .await
        .unwrap();
    let price = monthly_price(sb, "club_monthly").await;
    let cus = clock_customer(sb, &clock, "bob@example.com").await;
    attach_default_card(sb, &cus, "pm_card_visa").await;
    let mut item = CreateSubscriptionItems::new();
    item.price = Some(price.id.as_str().to_string());
    let sub = CreateSubscription::new()
        .customer(cus.as_str())
        .items(vec![item])
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Active);
    // The card on file becomes one whose charges fail.
    attach_default_card(sb, &cus, "pm_card_chargeCustomerFail").await;
    (clock, sub.id.as_str().to_string())
}

#[tokio::test]
async fn a_failed_renewal_is_past_due_retried_on_schedule_then_canceled() {
    let sb = spawn_sandbox().await;
    let (clock, sub) = failing_renewal(&sb).await;
    // Feb 15 + 1 hour: the renewal fails.
    let renewal = START + 31 * DAY + 2 * 60 * 60;
    advance(&sb, &clock, renewal).await;
    let s = RetrieveSubscription::new(sub.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(s.status, SubscriptionStatus::PastDue);
    let invoices = ListInvoice::new()
        .subscription(sub.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    let inv = &invoices.data[0];
    assert_eq!(inv.status, Some(InvoiceStatus::Open));
    assert_eq!(inv.attempt_count, 1);
    let first_attempt = inv.status_transitions.finalized_at.unwrap();
    assert_eq!(inv.next_payment_attempt, Some(first_attempt + 3 * DAY));
    // Retries 3, 5 and 7 days apart, then the subscription is canceled.
    advance(&sb, &clock, first_attempt + 15 * DAY + 60).await;
    let s = RetrieveSubscription::new(sub.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(s.status, SubscriptionStatus::Canceled);
    assert_eq!(
        s.cancellation_details
            .and_then(|d| d.reason)
            .map(|r| r.as_str().to_string())
            .as_deref(),
        Some("payment_failed")
    );
    let types = event_types(&sb).await;
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "invoice.payment_failed")
            .count(),
        4
    );
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "customer.subscription.deleted")
            .count(),
        1
    );
}

#[tokio::test]
async fn with_the_unpaid_setting_the_last_failed_retry_leaves_the_subscription_unpaid() {
    let sb = spawn_sandbox().await;
    let (status, _) = sb
        .control("billing", &[("after_failed_retries", "unpaid")])
        .await;
    assert_eq!(status, 200);
    let (clock, sub) = failing_renewal(&sb).await;
    advance(&sb, &clock, START + 31 * DAY + 2 * 60 * 60).await;
    let inv = ListInvoice::new()
        .subscription(sub.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    let first_attempt = inv.data[0].status_transitions.finalized_at.unwrap();
    advance(&sb, &clock, first_attempt + 15 * DAY + 60).await;
    let s = RetrieveSubscription::new(sub.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(s.status, SubscriptionStatus::Unpaid);
}

#[tokio::test]
async fn the_sandbox_page_advances_a_customers_clock() {
    let sb = spawn_sandbox().await;
    let clock = CreateTestHelpersTestClock::new(START)
        .send(&sb.client)
        .await
        .unwrap();
    let cus = clock_customer(&sb, &clock, "ada@example.com").await;
    let page = sb
        .http
        .get(sb.url("_clock"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(clock.id.as_str()));
    let r = sb
        .http
        .post(sb.url("_clock"))
        .form(&[("customer", cus.as_str()), ("days", "2"), ("hours", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let c = RetrieveTestHelpersTestClock::new(clock.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(c.frozen_time, START + 2 * DAY);
    assert_eq!(c.status, TestHelpersTestClockStatus::Ready);
    let _ = CreateCustomer::new();
}

#[tokio::test]
async fn every_billing_webhook_verifies_and_parses_into_async_stripes_typed_events() {
    let receiver = crate::helpers::spawn_receiver(0).await;
    let sb = crate::helpers::spawn_sandbox_with(vec![receiver.endpoint()]).await;
    let (clock, _) = failing_renewal(&sb).await;
    advance(&sb, &clock, START + 31 * DAY + 2 * 60 * 60).await;
    sb.wait_for_webhooks().await;
    let sent = event_types(&sb).await;
    let received = receiver.events();
    assert_eq!(received.len(), sent.len(), "every event was accepted");
    for r in &received {
        assert!(
            !matches!(r.event.data.object, stripe_webhook::EventObject::Unknown(_)),
            "{} did not parse into its type",
            r.event.type_
        );
    }
    for t in [
        "customer.subscription.created",
        "invoice.paid",
        "invoice_payment.paid",
        "invoice.payment_failed",
        "customer.subscription.updated",
        "test_helpers.test_clock.ready",
    ] {
        assert!(receiver.types().contains(&t.to_string()), "{t}");
    }
}
