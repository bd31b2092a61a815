//! Stripe's amount limits (/currencies) and text limits on PaymentIntents
//! (/get-started/account/statement-descriptors), through async-stripe as an app meets them.

use stripe_core::payment_intent::{CreatePaymentIntent, UpdatePaymentIntent};
use stripe_types::Currency;

use crate::helpers::{api_error, spawn_sandbox};

#[tokio::test]
async fn amounts_outside_stripes_limits_for_their_currency_are_refused_with_stripes_words() {
    let sb = spawn_sandbox().await;
    let cases: &[(i64, Currency, &str, &str)] = &[
        (
            49,
            Currency::USD,
            "amount_too_small",
            "Amount must be at least $0.50 usd",
        ),
        (
            29,
            Currency::GBP,
            "amount_too_small",
            "Amount must be at least £0.30 gbp",
        ),
        (
            49,
            Currency::JPY,
            "amount_too_small",
            "Amount must be at least ¥50 jpy",
        ),
        (
            17_499,
            Currency::HUF,
            "amount_too_small",
            "Amount must be at least 175.00 huf",
        ),
        (
            100_000_000,
            Currency::USD,
            "amount_too_large",
            "Amount must be no more than $999,999.99",
        ),
    ];
    for (amount, currency, code, message) in cases {
        let (e, status) = api_error(
            CreatePaymentIntent::new(*amount, currency.clone())
                .send(&sb.client)
                .await,
        );
        assert_eq!(status, 400, "{amount} {currency}");
        assert_eq!(e.code.as_ref().map(|c| c.as_str()), Some(*code));
        assert_eq!(e.message.as_deref(), Some(*message));
        assert_eq!(e.param.as_deref(), Some("amount"));
    }
    for (amount, currency) in [
        (50, Currency::USD),
        (99_999_999, Currency::USD),
        (50, Currency::JPY),
    ] {
        CreatePaymentIntent::new(amount, currency)
            .send(&sb.client)
            .await
            .expect("within the limits");
    }
    // ISK is charged in whole krónur, sent with two decimals.
    let (e, _) = api_error(
        CreatePaymentIntent::new(15_050, Currency::ISK)
            .send(&sb.client)
            .await,
    );
    assert_eq!(e.param.as_deref(), Some("amount"));
    CreatePaymentIntent::new(15_000, Currency::ISK)
        .send(&sb.client)
        .await
        .expect("whole krónur");
    // An update is held to the same limits.
    let intent = sb.card_intent().await;
    let (e, _) = api_error(
        UpdatePaymentIntent::new(intent.id.clone())
            .amount(10)
            .send(&sb.client)
            .await,
    );
    assert_eq!(
        e.code.as_ref().map(|c| c.as_str()),
        Some("amount_too_small")
    );
}

#[tokio::test]
async fn a_three_decimal_amount_must_end_in_zero() {
    let sb = spawn_sandbox().await;
    let r = sb
        .post(
            "v1/payment_intents",
            &[("amount", "5124"), ("currency", "kwd")],
        )
        .await;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["param"], "amount");
    let r = sb
        .post(
            "v1/payment_intents",
            &[("amount", "5120"), ("currency", "kwd")],
        )
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_statement_descriptor_is_refused_for_card_payments_and_texts_are_held_to_their_lengths() {
    let sb = spawn_sandbox().await;
    let (e, status) = api_error(
        CreatePaymentIntent::new(2000, Currency::USD)
            .statement_descriptor("STOREFRONT")
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(e.param.as_deref(), Some("statement_descriptor"));
    assert!(e.message.as_deref().unwrap().starts_with(
        "The statement_descriptor parameter is not supported for the payment_method_type `card`."
    ));
    // A euro intent for SEPA Debit only takes one, within 22 characters.
    let r = sb
        .post(
            "v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "eur"),
                ("payment_method_types[]", "sepa_debit"),
                ("statement_descriptor", "1 year period with auto renew"),
            ],
        )
        .await;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "The statement descriptor must be at most 22 characters. 1 year period with auto renew is 29 characters long."
    );
    let r = sb
        .post(
            "v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "eur"),
                ("payment_method_types[]", "sepa_debit"),
                ("statement_descriptor", "STOREFRONT ORDER 42"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);

    let ok = CreatePaymentIntent::new(2000, Currency::USD)
        .statement_descriptor_suffix("ORDER 42")
        .description("Storefront order #42")
        .send(&sb.client)
        .await
        .expect("a suffix is the card payment's descriptor");
    assert_eq!(ok.statement_descriptor_suffix.as_deref(), Some("ORDER 42"));
    let (e, _) = api_error(
        CreatePaymentIntent::new(2000, Currency::USD)
            .statement_descriptor_suffix("ORDER 42 OF THE SPRING SALE")
            .send(&sb.client)
            .await,
    );
    assert_eq!(e.param.as_deref(), Some("statement_descriptor_suffix"));
    let (e, _) = api_error(
        UpdatePaymentIntent::new(ok.id.clone())
            .description("x".repeat(1001))
            .send(&sb.client)
            .await,
    );
    assert_eq!(e.param.as_deref(), Some("description"));
    let (e, _) = api_error(
        UpdatePaymentIntent::new(ok.id.clone())
            .statement_descriptor("STOREFRONT")
            .send(&sb.client)
            .await,
    );
    assert_eq!(e.param.as_deref(), Some("statement_descriptor"));
}
