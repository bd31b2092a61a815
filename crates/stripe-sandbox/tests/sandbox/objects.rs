//! Every object the sandbox answers has the fields Stripe's API definition gives it at the
//! pinned version: the fields that are always present (not optional) in the object interfaces
//! of the `stripe` npm package 23.1.0 (API 2026-10-28.endive, `cjs/resources/*.d.ts`). Each
//! object is also read through async-stripe's types.
//!
//! `SANDBOX_FIDELITY_REPORT=1 cargo test -p stripe-sandbox --test sandbox documented -- --nocapture`
//! prints the figures.

use serde_json::Value;
use stripe_core::customer::RetrieveCustomer;
use stripe_core::dispute::RetrieveDispute;
use stripe_core::payment_intent::RetrievePaymentIntent;
use stripe_core::refund::RetrieveRefund;

use crate::helpers::{TestSandbox, spawn_sandbox};

/// An object (or nested object), and the fields it always has.
const DOCUMENTED: &[(&str, &[&str])] = &[
    (
        "PaymentIntent",
        &[
            "id",
            "object",
            "allowed_payment_method_types",
            "amount",
            "amount_capturable",
            "amount_received",
            "application",
            "application_fee_amount",
            "automatic_payment_methods",
            "canceled_at",
            "cancellation_reason",
            "capture_method",
            "client_secret",
            "confirmation_method",
            "created",
            "currency",
            "customer",
            "customer_account",
            "description",
            "excluded_payment_method_types",
            "last_payment_error",
            "latest_charge",
            "livemode",
            "managed_payments",
            "metadata",
            "next_action",
            "on_behalf_of",
            "payment_method",
            "payment_method_configuration_details",
            "payment_method_options",
            "payment_method_types",
            "payment_record",
            "processing",
            "receipt_email",
            "review",
            "setup_future_usage",
            "shipping",
            "source",
            "statement_descriptor",
            "statement_descriptor_suffix",
            "status",
            "transfer_group",
        ],
    ),
    (
        "Charge",
        &[
            "id",
            "object",
            "amount",
            "amount_captured",
            "amount_refunded",
            "application",
            "application_fee",
            "application_fee_amount",
            "balance_transaction",
            "billing_details",
            "calculated_statement_descriptor",
            "captured",
            "created",
            "currency",
            "customer",
            "description",
            "disputed",
            "failure_balance_transaction",
            "failure_code",
            "failure_message",
            "fraud_details",
            "livemode",
            "metadata",
            "on_behalf_of",
            "outcome",
            "paid",
            "payment_intent",
            "payment_method",
            "payment_method_details",
            "receipt_email",
            "receipt_number",
            "receipt_url",
            "refunded",
            "review",
            "shipping",
            "source",
            "source_transfer",
            "statement_descriptor",
            "statement_descriptor_suffix",
            "status",
            "transfer_data",
            "transfer_group",
        ],
    ),
    (
        "Refund",
        &[
            "id",
            "object",
            "amount",
            "balance_transaction",
            "charge",
            "created",
            "currency",
            "customer",
            "customer_account",
            "metadata",
            "payment_intent",
            "payment_method",
            "reason",
            "receipt_number",
            "source_transfer_reversal",
            "status",
            "transfer_reversal",
        ],
    ),
    (
        "Customer",
        &[
            "id",
            "object",
            "balance",
            "created",
            "default_source",
            "description",
            "email",
            "invoice_settings",
            "livemode",
            "metadata",
            "shipping",
        ],
    ),
    (
        "Dispute",
        &[
            "id",
            "object",
            "amount",
            "balance_transactions",
            "charge",
            "created",
            "currency",
            "enhanced_eligibility_types",
            "evidence",
            "evidence_details",
            "intended_submission_method",
            "is_charge_refundable",
            "livemode",
            "metadata",
            "payment_intent",
            "reason",
            "status",
        ],
    ),
    (
        "PaymentMethod",
        &[
            "id",
            "object",
            "billing_details",
            "created",
            "customer",
            "customer_account",
            "livemode",
            "metadata",
            "type",
        ],
    ),
    (
        "PaymentMethod.Card",
        &[
            "brand",
            "checks",
            "country",
            "display_brand",
            "exp_month",
            "exp_year",
            "funding",
            "generated_from",
            "last4",
            "networks",
            "regulated_status",
            "three_d_secure_usage",
            "wallet",
        ],
    ),
    (
        "Charge.PaymentMethodDetails.Card",
        &[
            "amount_authorized",
            "authorization_code",
            "brand",
            "checks",
            "country",
            "electronic_commerce_indicator",
            "exp_month",
            "exp_year",
            "funding",
            "installments",
            "last4",
            "mandate",
            "network",
            "network_transaction_id",
            "regulated_status",
            "three_d_secure",
            "transaction_link_id",
            "wallet",
        ],
    ),
    (
        "Charge.Outcome",
        &[
            "advice_code",
            "network_advice_code",
            "network_decline_code",
            "network_status",
            "reason",
            "seller_message",
            "type",
        ],
    ),
];

async fn json(sb: &TestSandbox, path: &str) -> Value {
    sb.get(path).await.json().await.unwrap()
}

#[tokio::test]
async fn every_documented_field_of_the_objects_is_present() {
    let sb = spawn_sandbox().await;
    let paid = sb.card_intent().await;
    let paid = sb
        .confirm_with(&paid, "pm_card_createDispute")
        .await
        .unwrap();
    let other = sb.card_intent().await;
    let other = sb.confirm_with(&other, "pm_card_visa").await.unwrap();
    let refund = json_post(&sb, "v1/refunds", &[("payment_intent", other.id.as_str())]).await;
    let customer = json_post(&sb, "v1/customers", &[("email", "ada@example.com")]).await;
    let intent = json(
        &sb,
        &format!("v1/payment_intents/{}?expand[]=payment_method", paid.id),
    )
    .await;
    let charge_id = intent["latest_charge"].as_str().unwrap().to_string();
    let charge = json(&sb, &format!("v1/charges/{charge_id}")).await;
    let disputes = json(&sb, &format!("v1/disputes?payment_intent={}", paid.id)).await;
    let dispute = disputes["data"][0].clone();

    // Each is also read through async-stripe.
    let typed = RetrievePaymentIntent::new(paid.id.clone())
        .expand(["latest_charge".to_string(), "payment_method".to_string()])
        .send(&sb.client)
        .await
        .unwrap();
    assert!(
        typed
            .latest_charge
            .as_ref()
            .and_then(|c| c.as_object())
            .is_some()
    );
    RetrieveRefund::new(refund["id"].as_str().unwrap())
        .send(&sb.client)
        .await
        .unwrap();
    RetrieveCustomer::new(customer["id"].as_str().unwrap())
        .send(&sb.client)
        .await
        .unwrap();
    RetrieveDispute::new(dispute["id"].as_str().unwrap())
        .send(&sb.client)
        .await
        .unwrap();

    let objects: &[(&str, &Value)] = &[
        ("PaymentIntent", &intent),
        ("Charge", &charge),
        ("Refund", &refund),
        ("Customer", &customer),
        ("Dispute", &dispute),
        ("PaymentMethod", &intent["payment_method"]),
        ("PaymentMethod.Card", &intent["payment_method"]["card"]),
        (
            "Charge.PaymentMethodDetails.Card",
            &charge["payment_method_details"]["card"],
        ),
        ("Charge.Outcome", &charge["outcome"]),
    ];
    let report = std::env::var("SANDBOX_FIDELITY_REPORT").is_ok_and(|v| v == "1");
    let (mut total, mut present) = (0, 0);
    let mut missing = Vec::new();
    for (name, fields) in DOCUMENTED {
        let object = objects
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, o)| *o)
            .unwrap();
        for field in *fields {
            total += 1;
            if object.get(field).is_some() {
                present += 1;
            } else {
                missing.push(format!("{name}.{field}"));
            }
        }
    }
    if report {
        println!("documented object fields present: {present} of {total}");
        for m in &missing {
            println!("  missing: {m}");
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

async fn json_post(sb: &TestSandbox, path: &str, form: &[(&str, &str)]) -> Value {
    sb.post(path, form).await.json().await.unwrap()
}
