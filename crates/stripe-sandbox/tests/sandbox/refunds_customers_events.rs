use stripe_core::customer::{CreateCustomer, RetrieveCustomer, RetrieveCustomerReturned};
use stripe_core::event::{ListEvent, RetrieveEvent};
use stripe_core::refund::{CreateRefund, RetrieveRefund};

use crate::helpers::{api_error, spawn_sandbox};

#[tokio::test]
async fn partial_and_full_refunds_are_made_and_too_large_ones_refused_as_stripe_refuses_them() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let paid = sb.confirm_with(&intent, "pm_card_visa").await.unwrap();

    let partial = CreateRefund::new()
        .payment_intent(paid.id.as_str())
        .amount(500)
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(partial.amount, 500);
    assert_eq!(partial.status.as_deref(), Some("succeeded"));
    assert_eq!(
        partial
            .payment_intent
            .as_ref()
            .map(|p| p.id().as_str().to_string()),
        Some(paid.id.as_str().to_string())
    );

    let (e, status) = api_error(
        CreateRefund::new()
            .payment_intent(paid.id.as_str())
            .amount(2000)
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        e.code.map(|c| c.as_str().to_string()).as_deref(),
        Some("amount_too_large")
    );
    assert_eq!(e.param.as_deref(), Some("amount"));
    assert_eq!(
        e.message.as_deref(),
        Some("Refund amount ($20.00) is greater than unrefunded amount on charge ($15.00)")
    );

    let rest = CreateRefund::new()
        .payment_intent(paid.id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(rest.amount, 1500);

    let (e, _) = api_error(
        CreateRefund::new()
            .payment_intent(paid.id.as_str())
            .send(&sb.client)
            .await,
    );
    assert_eq!(
        e.code.map(|c| c.as_str().to_string()).as_deref(),
        Some("charge_already_refunded")
    );

    let again = RetrieveRefund::new(partial.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(again.id, partial.id);
}

#[tokio::test]
async fn a_refund_larger_than_the_charge_names_the_charge_amount() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let paid = sb.confirm_with(&intent, "pm_card_visa").await.unwrap();
    let (e, _) = api_error(
        CreateRefund::new()
            .payment_intent(paid.id.as_str())
            .amount(2500)
            .send(&sb.client)
            .await,
    );
    assert_eq!(
        e.message.as_deref(),
        Some("Refund amount ($25.00) is greater than charge amount ($20.00)")
    );
}

#[tokio::test]
async fn an_unpaid_intent_has_nothing_to_refund() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let (e, status) = api_error(
        CreateRefund::new()
            .payment_intent(intent.id.as_str())
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(e.param.as_deref(), Some("payment_intent"));
}

#[tokio::test]
async fn customers_are_created_and_retrieved() {
    let sb = spawn_sandbox().await;
    let created = CreateCustomer::new()
        .email("ada@example.com")
        .name("Ada Lovelace")
        .metadata([("user_id".to_string(), "1".to_string())])
        .send(&sb.client)
        .await
        .unwrap();
    assert!(created.id.as_str().starts_with("cus_"));
    match RetrieveCustomer::new(created.id.clone())
        .send(&sb.client)
        .await
        .unwrap()
    {
        RetrieveCustomerReturned::Customer(c) => {
            assert_eq!(c.email.as_deref(), Some("ada@example.com"));
            assert_eq!(c.name.as_deref(), Some("Ada Lovelace"));
        }
        RetrieveCustomerReturned::DeletedCustomer(_) => panic!("not deleted"),
    }
}

#[tokio::test]
async fn events_are_retrieved_and_listed_newest_first_by_type() {
    let sb = spawn_sandbox().await;
    let first = sb.card_intent().await;
    sb.confirm_with(&first, "pm_card_visa").await.unwrap();
    let second = sb.card_intent().await;
    sb.confirm_with(&second, "pm_card_visa").await.unwrap();

    let succeeded = ListEvent::new()
        .type_("payment_intent.succeeded")
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(succeeded.data.len(), 2);
    assert!(!succeeded.has_more);
    assert_eq!(succeeded.url, "/v1/events");
    let raw: serde_json::Value = sb
        .get("v1/events?type=payment_intent.succeeded")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(raw["object"], "list");
    assert_eq!(raw["data"][0]["data"]["object"]["id"], second.id.as_str());
    assert_eq!(raw["data"][1]["data"]["object"]["id"], first.id.as_str());

    let page = ListEvent::new().limit(1).send(&sb.client).await.unwrap();
    assert_eq!(page.data.len(), 1);
    assert!(page.has_more);
    let next = ListEvent::new()
        .limit(1)
        .starting_after(page.data[0].id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert_ne!(next.data[0].id, page.data[0].id);

    // charge.succeeded and charge.updated (its balance transaction) for each payment.
    let wildcard = ListEvent::new()
        .type_("charge.*")
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(wildcard.data.len(), 4);

    let event = RetrieveEvent::new(page.data[0].id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(event.id, page.data[0].id);
    assert_eq!(
        event.api_version.as_deref(),
        Some(stripe_shared::version::VERSION.as_str())
    );
    assert!(!event.livemode);
    let request = event.request.expect("request");
    assert!(request.id.is_some_and(|id| id.starts_with("req_")));
}

#[tokio::test]
async fn a_pending_refund_succeeds_later_and_a_refund_of_5126_fails_later_as_on_stripe() {
    let receiver = crate::helpers::spawn_receiver(0).await;
    let sb = crate::helpers::spawn_sandbox_with(vec![receiver.endpoint()]).await;

    let intent = sb.card_intent().await;
    let paid = sb
        .confirm_with(&intent, "pm_card_pendingRefund")
        .await
        .unwrap();
    let pending = CreateRefund::new()
        .payment_intent(paid.id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(pending.status.as_deref(), Some("pending"));
    let (status, settled) = sb
        .control("refunds/settle", &[("refund", pending.id.as_str())])
        .await;
    assert_eq!(status, 200, "{settled}");
    let now = RetrieveRefund::new(pending.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(now.status.as_deref(), Some("succeeded"));

    let intent = sb.card_intent().await;
    let paid = sb
        .confirm_with(&intent, "pm_card_refundFail")
        .await
        .unwrap();
    let refund = CreateRefund::new()
        .payment_intent(paid.id.as_str())
        .amount(500)
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(refund.status.as_deref(), Some("succeeded"));
    sb.control("refunds/settle", &[("refund", refund.id.as_str())])
        .await;
    let failed = RetrieveRefund::new(refund.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(failed.status.as_deref(), Some("failed"));
    assert_eq!(
        failed.failure_reason.as_deref(),
        Some("expired_or_canceled_card")
    );
    // The failed amount can be refunded again: it is no longer refunded on the charge.
    CreateRefund::new()
        .payment_intent(paid.id.as_str())
        .amount(2000)
        .send(&sb.client)
        .await
        .unwrap();
    // Nothing further happens to a failed refund.
    let (status, _) = sb
        .control("refunds/settle", &[("refund", refund.id.as_str())])
        .await;
    assert_eq!(status, 400);

    sb.wait_for_webhooks().await;
    let events = receiver.events();
    let updated = events
        .iter()
        .find(|r| r.event.type_.as_str() == "refund.updated")
        .expect("refund.updated");
    match &updated.event.data.object {
        stripe_webhook::EventObject::RefundUpdated(r) => {
            assert_eq!(r.status.as_deref(), Some("succeeded"))
        }
        other => panic!("{other:?}"),
    }
    let failed = events
        .iter()
        .find(|r| r.event.type_.as_str() == "refund.failed")
        .expect("refund.failed");
    match &failed.event.data.object {
        stripe_webhook::EventObject::RefundFailed(r) => {
            assert_eq!(
                r.failure_reason.as_deref(),
                Some("expired_or_canceled_card")
            )
        }
        other => panic!("{other:?}"),
    }
}
