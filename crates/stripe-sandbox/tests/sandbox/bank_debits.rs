//! SEPA Direct Debit, a delayed payment method: the intent stays `processing`, then succeeds or
//! fails as Stripe's test IBANs do (/testing#sepa-direct-debit,
//! /payments/sepa-debit/accept-a-payment), with the events Stripe sends for each.

use serde_json::Value;
use stripe_core::payment_intent::{CreatePaymentIntent, RetrievePaymentIntent};
use stripe_types::Currency;

use crate::helpers::{PUBLISHABLE, Receiver, TestSandbox, spawn_receiver, spawn_sandbox_with};

const SUCCEEDS: &str = "DE89 3704 0044 0532 0130 00";
const FAILS: &str = "DE62370400440532013001";
const SUCCEEDS_LATER: &str = "DE08370400440532013003";
const DISPUTED: &str = "DE35370400440532013002";

async fn sandbox() -> (TestSandbox, Receiver) {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    // Debits wait until a test settles them, unless it says otherwise.
    let (status, body) = sb
        .control(
            "bank_debits",
            &[("settle_ms", "86400000"), ("delayed_settle_ms", "86400000")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    (sb, receiver)
}

/// A €20.00 intent with automatic payment methods, as a shop creates it.
async fn euro_intent(sb: &TestSandbox) -> stripe_shared::PaymentIntent {
    CreatePaymentIntent::new(2000, Currency::EUR)
        .send(&sb.client)
        .await
        .unwrap()
}

/// Confirms with an IBAN from the browser, as the Payment Element's SEPA tab does: the
/// publishable key, the client secret, the account holder and the mandate Stripe.js infers.
async fn confirm_debit(
    sb: &TestSandbox,
    intent: &stripe_shared::PaymentIntent,
    iban: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let secret = intent.client_secret.clone().unwrap_or_default();
    let mut form: Vec<(&str, &str)> = vec![
        ("key", PUBLISHABLE),
        ("client_secret", &secret),
        ("payment_method_data[type]", "sepa_debit"),
        ("payment_method_data[sepa_debit][iban]", iban),
        ("payment_method_data[billing_details][name]", "Jenny Rosen"),
        (
            "payment_method_data[billing_details][email]",
            "jenny@example.com",
        ),
        ("mandate_data[customer_acceptance][type]", "online"),
        (
            "mandate_data[customer_acceptance][online][infer_from_client]",
            "true",
        ),
    ];
    form.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    form.extend(extra.iter().filter(|(_, v)| !v.is_empty()));
    let r = sb
        .http
        .post(sb.url(&format!("v1/payment_intents/{}/confirm", intent.id)))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

async fn delivered(sb: &TestSandbox, receiver: &Receiver) -> Vec<String> {
    sb.wait_for_webhooks().await;
    assert_eq!(
        receiver.rejected.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "every event parses with async-stripe's types"
    );
    receiver.types_as_emitted(sb).await
}

/// /payments/sepa-debit#compatibility: SEPA Direct Debit is offered for euros only.
#[tokio::test]
async fn automatic_payment_methods_offer_sepa_debit_for_euros_only() {
    let (sb, _) = sandbox().await;
    let eur = euro_intent(&sb).await;
    let types: Vec<&str> = eur
        .payment_method_types
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(types, ["card", "sepa_debit"]);
    let usd = CreatePaymentIntent::new(2000, Currency::USD)
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(usd.payment_method_types, ["card"]);

    let (status, error) = confirm_debit(&sb, &usd, SUCCEEDS, &[]).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(
        error["error"]["code"],
        "payment_intent_incompatible_payment_method"
    );
    let r = sb
        .post(
            "v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "usd"),
                ("payment_method_types[]", "sepa_debit"),
            ],
        )
        .await;
    assert_eq!(r.status(), 400);
}

/// /testing#sepa-direct-debit: DE89 3704 0044 0532 0130 00 — "The PaymentIntent status
/// transitions from processing to succeeded"; /payments/sepa-debit/accept-a-payment: a
/// delayed notification method, confirmed `processing` (`payment_intent.processing`), then
/// `payment_intent.succeeded`. The charge is `pending` (`charge.pending`) until then.
#[tokio::test]
async fn a_debit_is_processing_then_succeeds_with_stripes_events() {
    let (sb, receiver) = sandbox().await;
    let intent = euro_intent(&sb).await;
    let (status, confirmed) = confirm_debit(&sb, &intent, SUCCEEDS, &[]).await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(confirmed["status"], "processing");
    assert!(confirmed.get("metadata").is_none(), "the client's view");
    assert_eq!(
        delivered(&sb, &receiver).await,
        [
            "payment_intent.created",
            "charge.pending",
            "payment_intent.processing"
        ]
    );

    let seen = RetrievePaymentIntent::new(intent.id.clone())
        .expand(["payment_method".to_string(), "latest_charge".to_string()])
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(seen.status.as_str(), "processing");
    match &seen.payment_method {
        Some(stripe_types::Expandable::Object(pm)) => {
            assert_eq!(pm.type_.as_str(), "sepa_debit");
            let sepa = pm.sepa_debit.as_ref().unwrap();
            assert_eq!(sepa.last4.as_deref(), Some("3000"));
            assert_eq!(sepa.country.as_deref(), Some("DE"));
            assert_eq!(sepa.bank_code.as_deref(), Some("37040044"));
            let billing = &pm.billing_details;
            assert_eq!(billing.name.as_deref(), Some("Jenny Rosen"));
        }
        other => panic!("{other:?}"),
    }
    match &seen.latest_charge {
        Some(stripe_types::Expandable::Object(charge)) => {
            assert!(charge.id.as_str().starts_with("py_"));
            assert_eq!(charge.status.as_str(), "pending");
            assert!(!charge.paid);
            let details = charge.payment_method_details.as_ref().unwrap();
            let sepa = details.sepa_debit.as_ref().unwrap();
            assert!(sepa.mandate.as_deref().unwrap().starts_with("mandate_"));
        }
        other => panic!("{other:?}"),
    }

    let (status, settled) = sb
        .control(
            "bank_debits/settle",
            &[("payment_intent", intent.id.as_str())],
        )
        .await;
    assert_eq!(status, 200, "{settled}");
    assert_eq!(settled["status"], "succeeded");
    assert_eq!(settled["amount_received"], 2000);
    assert_eq!(
        delivered(&sb, &receiver).await[3..],
        ["charge.succeeded", "payment_intent.succeeded"]
    );
    let (status, again) = sb
        .control(
            "bank_debits/settle",
            &[("payment_intent", intent.id.as_str())],
        )
        .await;
    assert_eq!(status, 400, "settled once: {again}");
}

/// /api/payment_intents/cancel: a `processing` intent can be canceled only "in rare cases";
/// a SEPA debit already submitted to the bank is not one (the sandbox is strict here).
#[tokio::test]
async fn a_submitted_debit_cannot_be_cancelled() {
    let (sb, _) = sandbox().await;
    let intent = euro_intent(&sb).await;
    confirm_debit(&sb, &intent, SUCCEEDS, &[]).await;
    let r = sb
        .post(&format!("v1/payment_intents/{}/cancel", intent.id), &[])
        .await;
    assert_eq!(r.status(), 400);
    let error: Value = r.json().await.unwrap();
    assert_eq!(error["error"]["code"], "payment_intent_unexpected_state");
    let (_, settled) = sb
        .control(
            "bank_debits/settle",
            &[("payment_intent", intent.id.as_str())],
        )
        .await;
    assert_eq!(settled["status"], "succeeded");
}

/// /testing#sepa-direct-debit: DE62 3704 0044 0532 0130 01 — "The PaymentIntent status
/// transitions from processing to requires_payment_method": `charge.failed`, then
/// `payment_intent.payment_failed` with the failure in `last_payment_error`.
#[tokio::test]
async fn a_failing_account_sends_charge_failed_and_payment_failed() {
    let (sb, receiver) = sandbox().await;
    let intent = euro_intent(&sb).await;
    let (status, confirmed) = confirm_debit(&sb, &intent, FAILS, &[]).await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(confirmed["status"], "processing");
    let (_, failed) = sb
        .control(
            "bank_debits/settle",
            &[("payment_intent", intent.id.as_str())],
        )
        .await;
    assert_eq!(failed["status"], "requires_payment_method");
    assert_eq!(failed["last_payment_error"]["code"], "insufficient_funds");
    assert_eq!(
        failed["last_payment_error"]["payment_method"]["type"],
        "sepa_debit"
    );
    assert_eq!(
        delivered(&sb, &receiver).await,
        [
            "payment_intent.created",
            "charge.pending",
            "payment_intent.processing",
            "charge.failed",
            "payment_intent.payment_failed",
        ]
    );
    let charge: Value = sb
        .get(&format!(
            "v1/charges/{}",
            failed["latest_charge"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(charge["status"], "failed");
    assert_eq!(charge["failure_code"], "insufficient_funds");

    // The shopper may try again on the same intent.
    let (status, retried) = confirm_debit(&sb, &intent, SUCCEEDS, &[]).await;
    assert_eq!(status, 200, "{retried}");
    assert_eq!(retried["status"], "processing");
}

/// /testing#sepa-direct-debit: the "immediate" IBANs settle within moments, the "delayed" ones
/// after at least 3 minutes; the sandbox's control shortens both, and a debit settles by
/// itself when it is due.
#[tokio::test]
async fn debits_settle_by_themselves_when_they_are_due() {
    let (sb, receiver) = sandbox().await;
    let (status, settings) = sb
        .control(
            "bank_debits",
            &[("settle_ms", "100"), ("delayed_settle_ms", "600")],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(settings["bank_debits"]["settle_ms"], 100);
    let quick = euro_intent(&sb).await;
    confirm_debit(&sb, &quick, SUCCEEDS, &[]).await;
    let later = euro_intent(&sb).await;
    confirm_debit(&sb, &later, SUCCEEDS_LATER, &[]).await;

    let status_of = |id: stripe_shared::PaymentIntentId| {
        let client = sb.client.clone();
        async move {
            RetrievePaymentIntent::new(id)
                .send(&client)
                .await
                .unwrap()
                .status
                .as_str()
                .to_owned()
        }
    };
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(status_of(quick.id.clone()).await, "succeeded");
    assert_eq!(status_of(later.id.clone()).await, "processing");
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(status_of(later.id.clone()).await, "succeeded");
    let types = delivered(&sb, &receiver).await;
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "payment_intent.succeeded")
            .count(),
        2
    );

    let (_, settings) = sb.control("reset", &[]).await;
    assert_eq!(settings["bank_debits"]["settle_ms"], 5000);
    assert_eq!(settings["bank_debits"]["delayed_settle_ms"], 180_000);
}

/// /testing#sepa-direct-debit: DE35 3704 0044 0532 0130 02 — "The PaymentIntent status
/// transitions from processing to succeeded, but a dispute is immediately created."
#[tokio::test]
async fn the_disputed_iban_succeeds_then_is_disputed() {
    let (sb, receiver) = sandbox().await;
    let intent = euro_intent(&sb).await;
    confirm_debit(&sb, &intent, DISPUTED, &[]).await;
    sb.control(
        "bank_debits/settle",
        &[("payment_intent", intent.id.as_str())],
    )
    .await;
    assert_eq!(
        delivered(&sb, &receiver).await[3..],
        [
            "charge.succeeded",
            "payment_intent.succeeded",
            "charge.dispute.created",
            "charge.dispute.funds_withdrawn",
        ]
    );
}

/// /payments/sepa-debit/accept-a-payment: the account holder's name and email and the
/// customer's acceptance of the mandate are required; /error-codes#invalid-bank-account-iban.
#[tokio::test]
async fn a_bad_iban_a_missing_holder_or_mandate_is_refused_and_changes_nothing() {
    let (sb, receiver) = sandbox().await;
    let intent = euro_intent(&sb).await;
    /// The form's changes, the parameter blamed, the error code.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 4] = [
        (
            &[(
                "payment_method_data[sepa_debit][iban]",
                "DE88370400440532013000",
            )],
            "payment_method_data[sepa_debit][iban]",
            "invalid_bank_account_iban",
        ),
        (
            &[("payment_method_data[billing_details][name]", "")],
            "payment_method_data[billing_details][name]",
            "parameter_missing",
        ),
        (
            &[("payment_method_data[billing_details][email]", "")],
            "payment_method_data[billing_details][email]",
            "parameter_missing",
        ),
        (
            &[
                ("mandate_data[customer_acceptance][type]", ""),
                (
                    "mandate_data[customer_acceptance][online][infer_from_client]",
                    "",
                ),
            ],
            "mandate_data",
            "parameter_missing",
        ),
    ];
    for (changes, param, code) in cases {
        let (status, error) = confirm_debit(&sb, &intent, SUCCEEDS, changes).await;
        assert_eq!(status, 400, "{param}: {error}");
        assert_eq!(error["error"]["param"], param, "{error}");
        assert_eq!(error["error"]["code"], code, "{error}");
    }
    let seen = RetrievePaymentIntent::new(intent.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(seen.status.as_str(), "requires_payment_method");
    assert_eq!(
        delivered(&sb, &receiver).await,
        ["payment_intent.created"],
        "nothing happened"
    );

    // From a server, Stripe.js's inferred mandate does not count: the customer's IP address and
    // user agent must be given.
    let r = sb
        .post(
            &format!("v1/payment_intents/{}/confirm", intent.id),
            &[
                ("payment_method_data[type]", "sepa_debit"),
                ("payment_method_data[sepa_debit][iban]", SUCCEEDS),
                ("payment_method_data[billing_details][name]", "Jenny Rosen"),
                (
                    "payment_method_data[billing_details][email]",
                    "jenny@example.com",
                ),
                ("mandate_data[customer_acceptance][type]", "online"),
                (
                    "mandate_data[customer_acceptance][online][infer_from_client]",
                    "true",
                ),
            ],
        )
        .await;
    assert_eq!(r.status(), 400);
    let r = sb
        .post(
            &format!("v1/payment_intents/{}/confirm", intent.id),
            &[
                ("payment_method_data[type]", "sepa_debit"),
                ("payment_method_data[sepa_debit][iban]", SUCCEEDS),
                ("payment_method_data[billing_details][name]", "Jenny Rosen"),
                (
                    "payment_method_data[billing_details][email]",
                    "jenny@example.com",
                ),
                ("mandate_data[customer_acceptance][type]", "online"),
                (
                    "mandate_data[customer_acceptance][online][ip_address]",
                    "127.0.0.1",
                ),
                (
                    "mandate_data[customer_acceptance][online][user_agent]",
                    "test",
                ),
                ("return_url", "https://shop.example/return"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}
