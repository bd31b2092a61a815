use stripe_core::dispute::{
    CloseDispute, ListDispute, RetrieveDispute, UpdateDispute, UpdateDisputeEvidence,
};
use stripe_core::refund::CreateRefund;
use stripe_shared::DisputeStatus;
use stripe_webhook::EventObject;

use crate::helpers::{api_error, spawn_receiver, spawn_sandbox, spawn_sandbox_with};

#[tokio::test]
async fn a_dispute_test_card_is_disputed_after_it_succeeds_and_winning_evidence_wins_it() {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    let intent = sb.card_intent().await;
    let paid = sb
        .confirm_with(&intent, "pm_card_createDispute")
        .await
        .unwrap();
    let disputes = ListDispute::new()
        .payment_intent(paid.id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(disputes.data.len(), 1);
    let dispute = &disputes.data[0];
    assert_eq!(dispute.status, DisputeStatus::NeedsResponse);
    assert_eq!(dispute.amount, 2000);
    assert_eq!(dispute.reason, "fraudulent");

    // No refund while the chargeback is open.
    let (error, status) = api_error(
        CreateRefund::new()
            .payment_intent(paid.id.as_str())
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        error.code.as_ref().map(|c| c.as_str()),
        Some("charge_disputed")
    );

    let mut evidence = UpdateDisputeEvidence::new();
    evidence.uncategorized_text = Some("winning_evidence".into());
    let won = UpdateDispute::new(dispute.id.clone())
        .evidence(evidence)
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(won.status, DisputeStatus::Won);
    let again = RetrieveDispute::new(dispute.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(again.status, DisputeStatus::Won);
    assert_eq!(
        again.evidence.uncategorized_text.as_deref(),
        Some("winning_evidence")
    );

    sb.wait_for_webhooks().await;
    let types = receiver.types();
    for kind in [
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.closed",
        "charge.dispute.funds_reinstated",
    ] {
        assert!(types.iter().any(|t| t == kind), "{kind} in {types:?}");
    }
    let created = receiver
        .events()
        .into_iter()
        .find(|r| r.event.type_.as_str() == "charge.dispute.created")
        .unwrap();
    assert!(matches!(
        created.event.data.object,
        EventObject::ChargeDisputeCreated(_)
    ));
}

#[tokio::test]
async fn a_dispute_opened_by_the_controls_is_lost_by_closing_it_and_cannot_change_after() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let paid = sb.confirm_with(&intent, "pm_card_visa").await.unwrap();
    let (status, dispute) = sb
        .control(
            "disputes",
            &[
                ("payment_intent", paid.id.as_str()),
                ("reason", "product_not_received"),
                ("amount", "1500"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{dispute}");
    let id = dispute["id"].as_str().unwrap().to_owned();
    let lost = CloseDispute::new(id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(lost.status, DisputeStatus::Lost);
    assert_eq!(lost.amount, 1500);
    let (_, status) = api_error(CloseDispute::new(id).send(&sb.client).await);
    assert_eq!(status, 400);

    let (status, _) = sb
        .control(
            "disputes",
            &[("payment_intent", paid.id.as_str()), ("reason", "made_up")],
        )
        .await;
    assert_eq!(status, 400, "Stripe's reasons only");
}
