use stripe_shared::PaymentIntentStatus;

use crate::helpers::{api_error, spawn_sandbox};

/// Test PaymentMethod id, card number, code, decline code, message.
const DECLINES: &[(&str, &str, &str, Option<&str>, &str)] = &[
    (
        "pm_card_chargeDeclined",
        "4000000000000002",
        "card_declined",
        Some("generic_decline"),
        "Your card was declined.",
    ),
    (
        "pm_card_chargeDeclinedInsufficientFunds",
        "4000000000009995",
        "card_declined",
        Some("insufficient_funds"),
        "Your card has insufficient funds.",
    ),
    (
        "pm_card_chargeDeclinedLostCard",
        "4000000000009987",
        "card_declined",
        Some("lost_card"),
        "Your card was declined.",
    ),
    (
        "pm_card_chargeDeclinedStolenCard",
        "4000000000009979",
        "card_declined",
        Some("stolen_card"),
        "Your card was declined.",
    ),
    (
        "pm_card_chargeDeclinedExpiredCard",
        "4000000000000069",
        "expired_card",
        Some("expired_card"),
        "Your card has expired.",
    ),
    (
        "pm_card_chargeDeclinedIncorrectCvc",
        "4000000000000127",
        "incorrect_cvc",
        Some("incorrect_cvc"),
        "Your card's security code is incorrect.",
    ),
    (
        "pm_card_chargeDeclinedProcessingError",
        "4000000000000119",
        "processing_error",
        Some("processing_error"),
        "An error occurred while processing your card. Try again in a little bit.",
    ),
];

#[tokio::test]
async fn every_declining_test_payment_method_gives_stripes_error_and_the_intent_can_be_retried() {
    let sb = spawn_sandbox().await;
    for (pm, _, code, decline_code, message) in DECLINES {
        let intent = sb.card_intent().await;
        let (e, status) = api_error(sb.confirm_with(&intent, pm).await);
        assert_eq!(status, 402, "{pm}");
        assert_eq!(e.type_.as_str(), "card_error", "{pm}");
        assert_eq!(e.code.as_ref().map(|c| c.as_str()), Some(*code), "{pm}");
        assert_eq!(e.decline_code.as_deref(), *decline_code, "{pm}");
        assert_eq!(e.message.as_deref(), Some(*message), "{pm}");
        assert!(e.charge.is_some(), "{pm}: a failed charge is recorded");
        let failed = e.payment_intent.expect("the intent comes with the error");
        assert_eq!(
            failed.status,
            PaymentIntentStatus::RequiresPaymentMethod,
            "{pm}"
        );
        let last = failed.last_payment_error.expect("last_payment_error");
        assert_eq!(last.code.as_ref().map(|c| c.as_str()), Some(*code), "{pm}");
        assert_eq!(last.message.as_deref(), Some(*message), "{pm}");

        let retried = sb
            .confirm_with(&intent, "pm_card_visa")
            .await
            .expect("retry");
        assert_eq!(retried.status, PaymentIntentStatus::Succeeded, "{pm}");
        assert!(retried.last_payment_error.is_none(), "{pm}");
    }
}

#[tokio::test]
async fn raw_card_numbers_confirmed_from_the_browser_behave_like_the_test_cards() {
    let sb = spawn_sandbox().await;
    for (_, number, code, decline_code, message) in DECLINES {
        let intent = sb.card_intent().await;
        let (status, body) = sb.confirm_card_from_browser(&intent, number, None).await;
        assert_eq!(status, 402, "{number}");
        let e = &body["error"];
        assert_eq!(e["type"], "card_error", "{number}");
        assert_eq!(e["code"], *code, "{number}");
        assert_eq!(e["decline_code"].as_str(), *decline_code, "{number}");
        assert_eq!(e["message"], *message, "{number}");
        assert_eq!(e["payment_intent"]["status"], "requires_payment_method");
        assert!(
            e["payment_intent"].get("metadata").is_none(),
            "the publishable key sees no metadata"
        );
    }

    let intent = sb.card_intent().await;
    let (status, body) = sb
        .confirm_card_from_browser(&intent, "4242424242424241", None)
        .await;
    assert_eq!(status, 402);
    assert_eq!(body["error"]["code"], "incorrect_number");
    assert_eq!(body["error"]["message"], "Your card number is incorrect.");
    assert_eq!(body["error"]["param"], "number");

    let (status, body) = sb
        .confirm_card_from_browser(&intent, "4242424242424242", None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "succeeded");
}

#[tokio::test]
async fn a_real_card_number_is_refused_in_test_mode() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let (status, body) = sb
        .confirm_card_from_browser(&intent, "4111111111111111", None)
        .await;
    assert_eq!(status, 402);
    assert_eq!(body["error"]["decline_code"], "live_mode_test_card");
}

#[tokio::test]
async fn other_successful_test_cards_succeed() {
    let sb = spawn_sandbox().await;
    for pm in [
        "pm_card_visa",
        "pm_card_visa_debit",
        "pm_card_mastercard",
        "pm_card_amex",
    ] {
        let intent = sb.card_intent().await;
        let paid = sb.confirm_with(&intent, pm).await.expect(pm);
        assert_eq!(paid.status, PaymentIntentStatus::Succeeded, "{pm}");
    }
}
