//! The events of each flow the sandbox runs, in Stripe's order, each delivered signed and read
//! by async-stripe's typed events, with `previous_attributes` on `*.updated` events. Each test
//! names the Stripe page its expectation comes from.

use serde_json::Value;
use stripe_core::customer::CreateCustomer;
use stripe_core::payment_intent::{
    ConfirmPaymentIntent, CreatePaymentIntent, CreatePaymentIntentAutomaticPaymentMethods,
    CreatePaymentIntentAutomaticPaymentMethodsAllowRedirects,
};
use stripe_core::refund::CreateRefund;
use stripe_shared::{PaymentIntentCaptureMethod, PaymentIntentSetupFutureUsage};
use stripe_types::Currency;
use stripe_webhook::EventObject;

use crate::helpers::{Receiver, TestSandbox, spawn_receiver, spawn_sandbox_with};

/// A $20.00 card payment confirmed at creation with `pm_card_visa`, from the server.
fn card_payment() -> CreatePaymentIntent {
    let mut methods = CreatePaymentIntentAutomaticPaymentMethods::new(true);
    methods.allow_redirects = Some(CreatePaymentIntentAutomaticPaymentMethodsAllowRedirects::Never);
    CreatePaymentIntent::new(2000, Currency::USD)
        .automatic_payment_methods(methods)
        .payment_method("pm_card_visa")
        .confirm(true)
}

async fn sandbox_and_receiver() -> (TestSandbox, Receiver) {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    (sb, receiver)
}

/// Every delivery verified and parsed by async-stripe-webhook (a payload it cannot read is
/// counted as rejected); returns the event types in the order they were emitted.
async fn delivered(sb: &TestSandbox, receiver: &Receiver) -> Vec<String> {
    sb.wait_for_webhooks().await;
    assert_eq!(
        receiver.rejected.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "every event parses with async-stripe's types"
    );
    receiver.types_as_emitted(sb).await
}

/// The event as the API returns it, to read `data.previous_attributes` as JSON.
async fn raw_event(sb: &TestSandbox, receiver: &Receiver, type_: &str) -> Value {
    let id = receiver
        .events()
        .iter()
        .rev()
        .find(|r| r.event.type_.as_str() == type_)
        .map(|r| r.event.id.as_str().to_owned())
        .unwrap_or_else(|| panic!("no {type_} delivered"));
    sb.get(&format!("v1/events/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

/// /payments/payment-intents/verifying-status (a card payment: `payment_intent.created`, then
/// `charge.succeeded` and `payment_intent.succeeded`) and /payments/payment-intents/asynchronous-capture
/// ("the balance_transaction is null on charge.succeeded and payment_intent.succeeded ... listen
/// for the charge.updated event to know when the balance transaction becomes available").
#[tokio::test]
async fn a_card_payment_sends_created_charge_succeeded_succeeded_then_charge_updated() {
    let (sb, receiver) = sandbox_and_receiver().await;
    let intent = sb.card_intent().await;
    sb.confirm_with(&intent, "pm_card_visa").await.unwrap();
    assert_eq!(
        delivered(&sb, &receiver).await,
        [
            "payment_intent.created",
            "charge.succeeded",
            "payment_intent.succeeded",
            "charge.updated",
        ]
    );
    let events = receiver.events_as_emitted(&sb).await;
    match &events[1].event.data.object {
        EventObject::ChargeSucceeded(charge) => assert!(charge.balance_transaction.is_none()),
        other => panic!("{other:?}"),
    }
    match &events[3].event.data.object {
        EventObject::ChargeUpdated(charge) => {
            assert!(charge.balance_transaction.is_some());
            assert!(events[3].event.data.previous_attributes.is_some());
        }
        other => panic!("{other:?}"),
    }
    let updated = raw_event(&sb, &receiver, "charge.updated").await;
    assert_eq!(
        updated["data"]["previous_attributes"],
        serde_json::json!({ "balance_transaction": null })
    );
    assert!(
        updated["data"]["object"]["balance_transaction"]
            .as_str()
            .is_some_and(|t| t.starts_with("txn_"))
    );
    let created = raw_event(&sb, &receiver, "payment_intent.created").await;
    assert!(
        created["data"].get("previous_attributes").is_none(),
        "only *.updated events carry previous_attributes"
    );
}

/// /payments/payment-intents/asynchronous-capture: with synchronous capture
/// (`capture_method=automatic`) the balance transaction is there at once: no `charge.updated`.
#[tokio::test]
async fn with_synchronous_capture_the_charge_has_its_balance_transaction_at_once() {
    let (sb, receiver) = sandbox_and_receiver().await;
    let intent = card_payment()
        .capture_method(PaymentIntentCaptureMethod::Automatic)
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(intent.status.as_str(), "succeeded");
    assert_eq!(
        delivered(&sb, &receiver).await,
        [
            "payment_intent.created",
            "charge.succeeded",
            "payment_intent.succeeded"
        ]
    );
    match &receiver.events_as_emitted(&sb).await[1].event.data.object {
        EventObject::ChargeSucceeded(charge) => assert!(charge.balance_transaction.is_some()),
        other => panic!("{other:?}"),
    }
}

/// /declines and /payments/payment-intents/verifying-status: a declined card makes a failed
/// charge (`charge.failed`) and the intent goes back to `requires_payment_method`
/// (`payment_intent.payment_failed`).
#[tokio::test]
async fn a_declined_card_sends_charge_failed_then_payment_failed() {
    let (sb, receiver) = sandbox_and_receiver().await;
    let intent = sb.card_intent().await;
    let _ = sb.confirm_with(&intent, "pm_card_chargeDeclined").await;
    assert_eq!(
        delivered(&sb, &receiver).await,
        [
            "payment_intent.created",
            "charge.failed",
            "payment_intent.payment_failed"
        ]
    );
}

/// /payments/3d-secure/authentication-flow and /testing#regulatory-cards: the intent waits in
/// `requires_action` (`payment_intent.requires_action`); authenticated, it is paid as any card
/// payment; failed, it goes back to `requires_payment_method` with
/// `payment_intent_authentication_failure` and no charge.
#[tokio::test]
async fn three_d_secure_sends_requires_action_then_the_payment_or_its_failure() {
    for (outcome, expected) in [
        (
            "complete",
            &[
                "payment_intent.created",
                "payment_intent.requires_action",
                "charge.succeeded",
                "payment_intent.succeeded",
                "charge.updated",
            ][..],
        ),
        (
            "fail",
            &[
                "payment_intent.created",
                "payment_intent.requires_action",
                "payment_intent.payment_failed",
            ][..],
        ),
    ] {
        let (sb, receiver) = sandbox_and_receiver().await;
        let intent = sb.card_intent().await;
        let confirmed = ConfirmPaymentIntent::new(intent.id.clone())
            .payment_method("pm_card_threeDSecure2Required")
            .return_url("https://shop.example/return")
            .send(&sb.client)
            .await
            .unwrap();
        let url = confirmed
            .next_action
            .and_then(|a| a.redirect_to_url)
            .and_then(|r| r.url)
            .unwrap();
        let r = sb
            .http
            .post(url)
            .form(&[("outcome", outcome)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(delivered(&sb, &receiver).await, expected, "{outcome}");
        if outcome == "fail" {
            match &receiver.events_as_emitted(&sb).await[2].event.data.object {
                EventObject::PaymentIntentPaymentFailed(pi) => {
                    let error = pi.last_payment_error.clone().unwrap();
                    assert_eq!(
                        error.code.as_ref().map(|c| c.as_str()),
                        Some("payment_intent_authentication_failure")
                    );
                    assert!(pi.latest_charge.is_none());
                }
                other => panic!("{other:?}"),
            }
        }
    }
}

/// /api/payment_intents/create#create_payment_intent-setup_future_usage: the PaymentMethod is
/// attached to the intent's customer once the payment succeeds (`payment_method.attached`);
/// without `setup_future_usage` it is not attached to anyone (/api/payment_methods/object:
/// `customer` is null until attached).
#[tokio::test]
async fn setup_future_usage_attaches_the_payment_method_to_the_customer() {
    let (sb, receiver) = sandbox_and_receiver().await;
    let customer = CreateCustomer::new()
        .email("ada@example.com")
        .send(&sb.client)
        .await
        .unwrap();
    let saved = card_payment()
        .customer(customer.id.as_str())
        .setup_future_usage(PaymentIntentSetupFutureUsage::OffSession)
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(
        delivered(&sb, &receiver).await,
        [
            "customer.created",
            "payment_intent.created",
            "payment_method.attached",
            "charge.succeeded",
            "payment_intent.succeeded",
            "charge.updated",
        ]
    );
    match &receiver.events_as_emitted(&sb).await[2].event.data.object {
        EventObject::PaymentMethodAttached(pm) => {
            assert_eq!(
                pm.customer.as_ref().map(|c| c.id().as_str().to_owned()),
                Some(customer.id.as_str().to_owned())
            );
            assert_eq!(
                Some(pm.id.as_str()),
                saved.payment_method.as_ref().map(|p| p.id().as_str())
            );
        }
        other => panic!("{other:?}"),
    }

    // Paying without setup_future_usage attaches nothing.
    let plain = card_payment()
        .customer(customer.id.as_str())
        .expand(["payment_method".to_string()])
        .send(&sb.client)
        .await
        .unwrap();
    match plain.payment_method {
        Some(stripe_types::Expandable::Object(pm)) => assert!(pm.customer.is_none()),
        other => panic!("{other:?}"),
    }
    let types = delivered(&sb, &receiver).await;
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "payment_method.attached")
            .count(),
        1
    );
}

/// /api/customers/update and /api/events/object#event_object-data-previous_attributes:
/// `customer.updated` carries the changed fields as they were; an update that changes nothing
/// sends nothing.
#[tokio::test]
async fn updating_a_customer_sends_customer_updated_with_the_old_values() {
    let (sb, receiver) = sandbox_and_receiver().await;
    let customer = CreateCustomer::new()
        .email("ada@example.com")
        .send(&sb.client)
        .await
        .unwrap();
    let url = format!("v1/customers/{}", customer.id.as_str());
    let r = sb
        .post(
            &url,
            &[("name", "Ada Lovelace"), ("metadata[user_id]", "7")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = sb.post(&url, &[("name", "Ada Lovelace")]).await;
    assert_eq!(r.status(), 200, "the same value again changes nothing");
    assert_eq!(
        delivered(&sb, &receiver).await,
        ["customer.created", "customer.updated"]
    );
    match &receiver.events_as_emitted(&sb).await[1].event.data.object {
        EventObject::CustomerUpdated(c) => assert_eq!(c.name.as_deref(), Some("Ada Lovelace")),
        other => panic!("{other:?}"),
    }
    let updated = raw_event(&sb, &receiver, "customer.updated").await;
    assert_eq!(
        updated["data"]["previous_attributes"],
        serde_json::json!({ "name": null, "metadata": { "user_id": null } })
    );

    let r = sb.post(&url, &[("source", "tok_visa")]).await;
    assert_eq!(r.status(), 400, "unsimulated parameters are refused");
    let r = sb.post("v1/customers/cus_missing", &[("name", "X")]).await;
    assert_eq!(r.status(), 404);
}

/// /testing#refunds: 4000 0000 0000 7726's refund is `pending`, then `succeeded` with
/// `refund.updated`; /changelog/acacia/2024-10-28/refund-webhook-update: `refund.created`,
/// `refund.updated` and `refund.failed` are sent for every refund.
#[tokio::test]
async fn a_pending_refund_that_succeeds_sends_refund_updated_with_its_old_status() {
    let (sb, receiver) = sandbox_and_receiver().await;
    let intent = sb.card_intent().await;
    sb.confirm_with(&intent, "pm_card_pendingRefund")
        .await
        .unwrap();
    let refund = CreateRefund::new()
        .payment_intent(intent.id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    let (status, body) = sb
        .control("refunds/settle", &[("refund", refund.id.as_str())])
        .await;
    assert_eq!(status, 200, "{body}");
    let types = delivered(&sb, &receiver).await;
    assert_eq!(
        types[4..],
        ["charge.refunded", "refund.created", "refund.updated"]
    );
    let updated = raw_event(&sb, &receiver, "refund.updated").await;
    assert_eq!(updated["data"]["object"]["status"], "succeeded");
    assert_eq!(
        updated["data"]["previous_attributes"],
        serde_json::json!({ "status": "pending", "pending_reason": "processing" })
    );
}

/// /testing#evidence and /disputes/how-disputes-work: submitting evidence updates the dispute
/// (`charge.dispute.updated`, with the evidence and status as they were), `winning_evidence`
/// closes it won (`charge.dispute.closed`) and gives the money back
/// (`charge.dispute.funds_reinstated`).
#[tokio::test]
async fn winning_a_dispute_sends_updated_with_the_old_evidence_then_closed_and_reinstated() {
    let (sb, receiver) = sandbox_and_receiver().await;
    let intent = sb.card_intent().await;
    sb.confirm_with(&intent, "pm_card_createDispute")
        .await
        .unwrap();
    sb.wait_for_webhooks().await;
    let dispute_id = receiver
        .events()
        .iter()
        .find_map(|r| match &r.event.data.object {
            EventObject::ChargeDisputeCreated(d) => Some(d.id.as_str().to_owned()),
            _ => None,
        })
        .unwrap();
    let r = sb
        .post(
            &format!("v1/disputes/{dispute_id}"),
            &[("evidence[uncategorized_text]", "winning_evidence")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let types = delivered(&sb, &receiver).await;
    assert_eq!(
        types[4..],
        [
            "charge.dispute.created",
            "charge.dispute.funds_withdrawn",
            "charge.dispute.updated",
            "charge.dispute.closed",
            "charge.dispute.funds_reinstated",
        ]
    );
    let updated = raw_event(&sb, &receiver, "charge.dispute.updated").await;
    let previous = &updated["data"]["previous_attributes"];
    assert_eq!(previous["status"], "needs_response");
    assert_eq!(previous["evidence"]["uncategorized_text"], Value::Null);
}

/// /api/payment_intents/cancel: `payment_intent.canceled`.
#[tokio::test]
async fn cancelling_sends_payment_intent_canceled() {
    let (sb, receiver) = sandbox_and_receiver().await;
    let intent = sb.card_intent().await;
    stripe_core::payment_intent::CancelPaymentIntent::new(intent.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(
        delivered(&sb, &receiver).await,
        ["payment_intent.created", "payment_intent.canceled"]
    );
}
