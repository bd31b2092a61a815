use std::collections::HashSet;

use stripe_core::customer::CreateCustomer;
use stripe_core::payment_intent::{
    CancelPaymentIntent, CancelPaymentIntentCancellationReason, CreatePaymentIntent,
    CreatePaymentIntentShipping, CreatePaymentIntentShippingAddress, ListPaymentIntent,
    RetrievePaymentIntent, UpdatePaymentIntent,
};
use stripe_shared::{PaymentIntentCancellationReason, PaymentIntentStatus};
use stripe_types::{Currency, Expandable};

use crate::helpers::{api_error, spawn_sandbox};

#[tokio::test]
async fn a_payment_intent_is_created_retrieved_updated_and_canceled_with_async_stripe() {
    let sb = spawn_sandbox().await;
    let customer = CreateCustomer::new()
        .email("shopper@example.com")
        .send(&sb.client)
        .await
        .expect("customer");
    let created = CreatePaymentIntent::new(4599, Currency::EUR)
        .customer(customer.id.as_str())
        .description("Order 42")
        .receipt_email("shopper@example.com")
        .metadata([("order_id".to_string(), "42".to_string())])
        .send(&sb.client)
        .await
        .expect("create");
    assert!(created.id.as_str().starts_with("pi_"));
    assert_eq!(created.status, PaymentIntentStatus::RequiresPaymentMethod);
    assert_eq!(created.amount, 4599);
    assert_eq!(created.currency, Currency::EUR);
    assert_eq!(
        created.metadata.get("order_id").map(String::as_str),
        Some("42")
    );
    assert_eq!(created.description.as_deref(), Some("Order 42"));
    assert!(!created.livemode);
    let secret = created.client_secret.clone().expect("client secret");
    assert!(secret.starts_with(&format!("{}_secret_", created.id)));
    assert!(
        created
            .automatic_payment_methods
            .as_ref()
            .is_some_and(|a| a.enabled)
    );
    assert_eq!(
        created
            .customer
            .as_ref()
            .map(|c| c.id().as_str().to_string()),
        Some(customer.id.as_str().to_string())
    );

    let retrieved = RetrievePaymentIntent::new(created.id.clone())
        .send(&sb.client)
        .await
        .expect("retrieve");
    assert_eq!(retrieved.id, created.id);
    assert_eq!(retrieved.client_secret, created.client_secret);

    let updated = UpdatePaymentIntent::new(created.id.clone())
        .amount(5099)
        .metadata([
            ("order_id".to_string(), "42".to_string()),
            ("attempt".to_string(), "2".to_string()),
        ])
        .send(&sb.client)
        .await
        .expect("update");
    assert_eq!(updated.amount, 5099);
    assert_eq!(updated.metadata.len(), 2);

    let canceled = CancelPaymentIntent::new(created.id.clone())
        .cancellation_reason(CancelPaymentIntentCancellationReason::RequestedByCustomer)
        .send(&sb.client)
        .await
        .expect("cancel");
    assert_eq!(canceled.status, PaymentIntentStatus::Canceled);
    assert_eq!(
        canceled.cancellation_reason,
        Some(PaymentIntentCancellationReason::RequestedByCustomer)
    );
    assert!(canceled.canceled_at.is_some());

    let again = sb.confirm_with(&canceled, "pm_card_visa").await;
    let (e, status) = api_error(again);
    assert_eq!(status, 400);
    assert_eq!(
        e.code.map(|c| c.as_str().to_string()).as_deref(),
        Some("payment_intent_unexpected_state")
    );
}

#[tokio::test]
async fn a_visa_payment_succeeds_with_a_charge_that_can_be_expanded() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let paid = sb
        .confirm_with(&intent, "pm_card_visa")
        .await
        .expect("confirm");
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
    assert_eq!(paid.amount_received, 2000);
    assert!(paid.last_payment_error.is_none());
    assert!(paid.payment_method.is_some());
    let charge_id = paid
        .latest_charge
        .as_ref()
        .expect("latest charge")
        .id()
        .clone();

    let expanded = RetrievePaymentIntent::new(paid.id.clone())
        .expand(vec![
            "latest_charge".to_string(),
            "payment_method".to_string(),
        ])
        .send(&sb.client)
        .await
        .expect("retrieve expanded");
    match expanded.latest_charge {
        Some(Expandable::Object(charge)) => {
            assert_eq!(charge.id, charge_id);
            assert_eq!(charge.amount, 2000);
            assert!(charge.paid);
            assert_eq!(
                charge.metadata.get("order_id").map(String::as_str),
                Some("42")
            );
        }
        other => panic!("latest_charge not expanded: {other:?}"),
    }
    match expanded.payment_method {
        Some(Expandable::Object(pm)) => {
            assert_eq!(pm.card.as_ref().map(|c| c.last4.as_str()), Some("4242"));
        }
        other => panic!("payment_method not expanded: {other:?}"),
    }
}

#[tokio::test]
async fn a_succeeded_intent_can_be_neither_canceled_nor_confirmed_again() {
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    let paid = sb
        .confirm_with(&intent, "pm_card_visa")
        .await
        .expect("confirm");

    let (e, status) = api_error(
        CancelPaymentIntent::new(paid.id.clone())
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(e.type_.as_str(), "invalid_request_error");
    assert_eq!(
        e.code.map(|c| c.as_str().to_string()).as_deref(),
        Some("payment_intent_unexpected_state")
    );
    assert!(
        e.message
            .as_deref()
            .is_some_and(|m| m.contains("status of succeeded"))
    );
    assert_eq!(
        e.payment_intent.map(|pi| pi.status),
        Some(PaymentIntentStatus::Succeeded)
    );

    let (e, _) = api_error(sb.confirm_with(&paid, "pm_card_visa").await);
    assert_eq!(
        e.message.as_deref(),
        Some(
            "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed."
        )
    );
}

#[tokio::test]
async fn create_and_confirm_in_one_call_succeeds_with_a_return_url() {
    let sb = spawn_sandbox().await;
    let paid = CreatePaymentIntent::new(1500, Currency::USD)
        .payment_method("pm_card_visa")
        .confirm(true)
        .return_url("https://shop.example/checkout/return")
        .send(&sb.client)
        .await
        .expect("create and confirm");
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
}

#[tokio::test]
async fn confirming_from_the_server_without_a_return_url_is_refused_when_methods_may_redirect() {
    let sb = spawn_sandbox().await;
    let intent = CreatePaymentIntent::new(1500, Currency::USD)
        .send(&sb.client)
        .await
        .expect("create");
    let (e, status) = api_error(sb.confirm_with(&intent, "pm_card_visa").await);
    assert_eq!(status, 400);
    assert_eq!(e.param.as_deref(), Some("return_url"));
}

#[tokio::test]
async fn a_payment_method_given_at_creation_waits_for_confirmation() {
    let sb = spawn_sandbox().await;
    let intent = CreatePaymentIntent::new(1500, Currency::USD)
        .payment_method("pm_card_visa")
        .send(&sb.client)
        .await
        .expect("create");
    assert_eq!(intent.status, PaymentIntentStatus::RequiresConfirmation);
    let pm = intent
        .payment_method
        .as_ref()
        .expect("payment method")
        .id()
        .clone();
    assert!(pm.as_str().starts_with("pm_") && pm.as_str() != "pm_card_visa");
}

#[tokio::test]
async fn a_hundred_concurrent_creates_are_all_distinct_and_consistent() {
    let sb = spawn_sandbox().await;
    let mut tasks = Vec::new();
    for i in 0..100i64 {
        let client = sb.client.clone();
        tasks.push(tokio::spawn(async move {
            CreatePaymentIntent::new(1000 + i, Currency::USD)
                .metadata([("n".to_string(), i.to_string())])
                .send(&client)
                .await
                .map(|pi| (i, pi))
        }));
    }
    let mut ids = HashSet::new();
    let mut secrets = HashSet::new();
    for task in tasks {
        let (i, pi) = task.await.expect("join").expect("create");
        assert_eq!(pi.amount, 1000 + i);
        assert_eq!(pi.metadata.get("n"), Some(&i.to_string()));
        ids.insert(pi.id.as_str().to_string());
        secrets.insert(pi.client_secret.clone().unwrap_or_default());
    }
    assert_eq!(ids.len(), 100);
    assert_eq!(secrets.len(), 100);

    let mut seen = HashSet::new();
    let mut page = ListPaymentIntent::new()
        .limit(100)
        .send(&sb.client)
        .await
        .expect("list");
    for pi in &page.data {
        let n: i64 = pi
            .metadata
            .get("n")
            .and_then(|n| n.parse().ok())
            .expect("n");
        assert_eq!(pi.amount, 1000 + n);
        seen.insert(pi.id.as_str().to_string());
    }
    assert!(!page.has_more);
    page.data.clear();
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn three_decimal_currencies_are_taken_only_in_steps_of_ten_as_stripe_takes_them() {
    let sb = crate::helpers::spawn_sandbox().await;
    let kwd = "kwd".parse::<stripe_types::Currency>().unwrap();
    let (error, status) = crate::helpers::api_error(
        stripe_core::payment_intent::CreatePaymentIntent::new(5124, kwd.clone())
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(error.param.as_deref(), Some("amount"));
    let made = stripe_core::payment_intent::CreatePaymentIntent::new(5120, kwd)
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(made.amount, 5120);
    assert_eq!(made.currency.to_string(), "kwd");
}

// Stripe's `shipping` (PaymentIntents.d.ts, `PaymentIntentCreateParams.Shipping`): `name` and
// `address` are required, and of the address `line1`; the intent returns every field, unset
// ones as null.
#[tokio::test]
async fn shipping_is_kept_and_returned_as_stripe_returns_it() {
    let sb = spawn_sandbox().await;
    let address = CreatePaymentIntentShippingAddress {
        line1: Some("1 Main Street".into()),
        city: Some("Springfield".into()),
        postal_code: Some("12345".into()),
        country: Some("US".into()),
        ..Default::default()
    };
    let created = CreatePaymentIntent::new(1500, Currency::USD)
        .shipping(CreatePaymentIntentShipping::new(address, "Ada Lovelace"))
        .send(&sb.client)
        .await
        .expect("create with shipping");
    let shipping = created.shipping.as_ref().expect("shipping");
    assert_eq!(shipping.name.as_deref(), Some("Ada Lovelace"));
    let address = shipping.address.as_ref().expect("address");
    assert_eq!(address.line1.as_deref(), Some("1 Main Street"));
    assert_eq!(address.city.as_deref(), Some("Springfield"));
    assert_eq!(address.postal_code.as_deref(), Some("12345"));
    assert_eq!(address.country.as_deref(), Some("US"));
    assert_eq!(address.line2, None);

    let raw: serde_json::Value = sb
        .get(&format!("v1/payment_intents/{}", created.id))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(raw["shipping"]["address"]["state"], serde_json::Value::Null);
    assert_eq!(raw["shipping"]["carrier"], serde_json::Value::Null);

    let unset: serde_json::Value = sb
        .post(
            &format!("v1/payment_intents/{}", created.id),
            &[("shipping", "")],
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(unset["shipping"], serde_json::Value::Null);
}

#[tokio::test]
async fn shipping_without_a_name_or_a_first_address_line_is_refused_as_stripe_refuses_it() {
    let sb = spawn_sandbox().await;
    for (form, param) in [
        (
            vec![("shipping[address][line1]", "1 Main Street")],
            "shipping[name]",
        ),
        (vec![("shipping[name]", "Ada")], "shipping[address]"),
        (
            vec![
                ("shipping[name]", "Ada"),
                ("shipping[address][city]", "Paris"),
            ],
            "shipping[address][line1]",
        ),
        (
            vec![
                ("shipping[name]", "Ada"),
                ("shipping[address][line1]", "1 rue de Rivoli"),
                ("shipping[address][country]", "France"),
            ],
            "shipping[address][country]",
        ),
        (
            vec![
                ("shipping[name]", "Ada"),
                ("shipping[address][line1]", "1 rue de Rivoli"),
                ("shipping[address][floor]", "2"),
            ],
            "shipping[address][floor]",
        ),
    ] {
        let mut form = form;
        form.extend([("amount", "1500"), ("currency", "usd")]);
        let response = sb.post("v1/payment_intents", &form).await;
        assert_eq!(response.status().as_u16(), 400, "{param}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert_eq!(body["error"]["param"], param);
    }
    let listed: serde_json::Value = sb
        .get("v1/payment_intents")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(0));
}
