//! Checkout Sessions in `payment` mode (/api/checkout/sessions, /payments/checkout): created,
//! read and expired through async-stripe's own requests and types, refused as Stripe refuses
//! them, and paid on the sandbox's hosted page with the test cards, with Stripe's events.

use serde_json::Value;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionPaymentIntentData, ExpireCheckoutSession, ListCheckoutSession,
    ListLineItemsCheckoutSession, ProductData, RetrieveCheckoutSession,
};
use stripe_shared::{
    CheckoutSession, CheckoutSessionMode, CheckoutSessionPaymentStatus, CheckoutSessionStatus,
};
use stripe_types::Currency;
use stripe_webhook::EventObject;

use crate::helpers::{
    PUBLISHABLE, TestSandbox, api_error, spawn_receiver, spawn_sandbox, spawn_sandbox_with,
};

fn line(name: &str, unit_amount: i64, quantity: u64) -> CreateCheckoutSessionLineItems {
    let mut price = CreateCheckoutSessionLineItemsPriceData::new(Currency::USD);
    price.unit_amount = Some(unit_amount);
    price.product_data = Some(ProductData::new(name));
    let mut item = CreateCheckoutSessionLineItems::new();
    item.price_data = Some(price);
    item.quantity = Some(quantity);
    item
}

/// A session for two mugs and a poster ($2 × 12.50 + $8.00 = $33.00) naming order 42.
fn order_session() -> CreateCheckoutSession {
    let mut intent_data = CreateCheckoutSessionPaymentIntentData::new();
    intent_data.metadata = Some([("order_id".to_string(), "42".to_string())].into());
    CreateCheckoutSession::new()
        .mode(CheckoutSessionMode::Payment)
        .line_items(vec![line("Mug", 1250, 2), line("Poster", 800, 1)])
        .client_reference_id("42")
        .metadata([("order_id".to_string(), "42".to_string())])
        .payment_intent_data(intent_data)
        .customer_email("ada@example.com")
        .success_url("https://shop.example/checkout/hosted/return?session_id={CHECKOUT_SESSION_ID}")
        .cancel_url("https://shop.example/orders/42/cancel")
}

/// The hosted page's PaymentIntent client secret, as the page hands it to Stripe.js.
async fn open_page(sb: &TestSandbox, session: &CheckoutSession) -> (String, String) {
    let url = session.url.clone().expect("an open session has a url");
    let page = sb.http.get(&url).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Pay $33.00"), "{html}");
    assert!(html.contains("Mug × 2") && html.contains("Poster"));
    assert!(
        html.contains("href=\"https://shop.example/orders/42/cancel\""),
        "Back goes to cancel_url"
    );
    let secret = html
        .split("data-client-secret=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page carries its intent's client secret")
        .to_string();
    (url, secret)
}

/// Confirms the session's intent with a card as the page's Stripe.js does (publishable key).
async fn pay(sb: &TestSandbox, secret: &str, number: &str) -> (u16, Value) {
    let pi = secret.split("_secret_").next().unwrap();
    let r = sb
        .http
        .post(sb.url(&format!("v1/payment_intents/{pi}/confirm")))
        .form(&[
            ("key", PUBLISHABLE),
            ("client_secret", secret),
            ("payment_method_data[type]", "card"),
            ("payment_method_data[card][number]", number),
            ("payment_method_data[card][exp_month]", "12"),
            ("payment_method_data[card][exp_year]", "2040"),
            ("payment_method_data[card][cvc]", "123"),
            (
                "payment_method_data[billing_details][address][postal_code]",
                "12345",
            ),
            ("return_url", "https://shop.example/unused"),
        ])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn a_session_reads_back_through_async_stripe_with_its_lines_and_hosted_url() {
    let sb = spawn_sandbox().await;
    let session = order_session().send(&sb.client).await.expect("create");
    assert_eq!(session.amount_total, Some(3300));
    assert_eq!(session.currency, Some(Currency::USD));
    assert_eq!(session.status, Some(CheckoutSessionStatus::Open));
    assert_eq!(session.payment_status, CheckoutSessionPaymentStatus::Unpaid);
    assert_eq!(session.client_reference_id.as_deref(), Some("42"));
    assert!(session.id.as_str().starts_with("cs_test_"));
    assert!(
        session
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with(&sb.url("c/pay/cs_test_")))
    );
    let now = stripe_types::Timestamp::from(0);
    assert!(session.expires_at > now + 23 * 3600);

    let read = RetrieveCheckoutSession::new(session.id.clone())
        .expand(["line_items".to_string()])
        .send(&sb.client)
        .await
        .expect("retrieve");
    let lines = read.line_items.expect("expanded line items");
    assert_eq!(lines.data.len(), 2);
    assert_eq!(lines.data[0].amount_total, 2500);
    assert_eq!(lines.data[0].quantity, Some(2));

    let listed = ListLineItemsCheckoutSession::new(session.id.clone())
        .limit(1)
        .send(&sb.client)
        .await
        .expect("line items");
    assert_eq!(listed.data.len(), 1);
    assert!(listed.has_more);
    let all = ListCheckoutSession::new()
        .send(&sb.client)
        .await
        .expect("list");
    assert_eq!(all.data.len(), 1);
    assert_eq!(all.data[0].id, session.id);
}

#[tokio::test]
async fn a_session_is_refused_as_stripe_refuses_it() {
    let sb = spawn_sandbox().await;
    let post = |form: Vec<(&'static str, String)>| {
        let sb = &sb;
        async move {
            let r = sb
                .http
                .post(sb.url("v1/checkout/sessions"))
                .bearer_auth(crate::helpers::SECRET)
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap();
            (
                status,
                body["error"]["param"].as_str().unwrap_or("").to_string(),
                body["error"]["message"].as_str().unwrap_or("").to_string(),
            )
        }
    };
    let good = || {
        vec![
            ("mode", "payment".to_string()),
            ("success_url", "https://shop.example/ok".to_string()),
            ("line_items[0][price_data][currency]", "usd".to_string()),
            ("line_items[0][price_data][unit_amount]", "1000".to_string()),
            (
                "line_items[0][price_data][product_data][name]",
                "Mug".to_string(),
            ),
            ("line_items[0][quantity]", "1".to_string()),
        ]
    };
    let without = |key: &str| {
        good()
            .into_iter()
            .filter(|(k, _)| *k != key)
            .collect::<Vec<_>>()
    };
    let with =
        |extra: Vec<(&'static str, String)>| good().into_iter().chain(extra).collect::<Vec<_>>();

    let (status, param, _) = post(good()).await;
    assert_eq!((status, param.as_str()), (200, ""));
    assert_eq!(post(without("mode")).await.1, "mode");
    assert_eq!(
        post(without("line_items[0][quantity]")).await.1,
        "line_items[0][quantity]"
    );
    let mut nameless = without("line_items[0][price_data][product_data][name]");
    nameless.push((
        "line_items[0][price_data][product_data][description]",
        "A mug".into(),
    ));
    assert_eq!(
        post(nameless).await.1,
        "line_items[0][price_data][product_data][name]"
    );
    assert_eq!(
        post(without("line_items[0][price_data][product_data][name]"))
            .await
            .1,
        "line_items[0][price_data][product]"
    );
    assert_eq!(
        post(without("line_items[0][price_data][currency]")).await.1,
        "line_items[0][price_data][currency]"
    );
    let soon = (time_now() + 10 * 60).to_string();
    let (status, param, message) = post(with(vec![("expires_at", soon)])).await;
    assert_eq!((status, param.as_str()), (400, "expires_at"));
    assert!(message.contains("at least 30 minutes"), "{message}");
    let late = (time_now() + 25 * 3600).to_string();
    assert_eq!(post(with(vec![("expires_at", late)])).await.1, "expires_at");
    let fine = (time_now() + 31 * 60).to_string();
    assert_eq!(post(with(vec![("expires_at", fine)])).await.0, 200);
    let (status, _, message) = post(with(vec![("customer", "cus_missing".into())])).await;
    assert_eq!(status, 404, "{message}");
    assert_eq!(
        post(with(vec![("success_url", "not a url".into())]))
            .await
            .1,
        "success_url"
    );
    let (status, _, message) = post(with(vec![("unknown_thing", "1".into())])).await;
    assert_eq!(status, 400);
    assert!(
        message.contains("Received unknown parameter: unknown_thing"),
        "{message}"
    );
    let (_, _, message) = post(with(vec![(
        "line_items[0][price_data][unit_amount]",
        "10".into(),
    )]))
    .await;
    assert!(
        message.to_lowercase().contains("amount"),
        "below the minimum charge: {message}"
    );
    let (_, param, message) = post(
        good()
            .into_iter()
            .map(|(k, v)| {
                if k == "mode" {
                    (k, "subscription".to_string())
                } else {
                    (k, v)
                }
            })
            .collect(),
    )
    .await;
    assert_eq!(param, "line_items");
    assert_eq!(
        message,
        "You must provide at least one recurring price in `subscription` mode when using prices."
    );
}

fn time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn paying_on_the_hosted_page_completes_the_session_with_stripes_events_in_order() {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    let session = order_session().send(&sb.client).await.expect("create");
    let (url, secret) = open_page(&sb, &session).await;

    let (status, declined) = pay(&sb, &secret, "4000000000000002").await;
    assert_eq!(status, 402);
    assert_eq!(declined["error"]["message"], "Your card was declined.");
    let still_open = RetrieveCheckoutSession::new(session.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(
        still_open.status,
        Some(CheckoutSessionStatus::Open),
        "a decline leaves the session open"
    );

    let (status, paid) = pay(&sb, &secret, "4242424242424242").await;
    assert_eq!(status, 200, "{paid}");
    let done = sb.http.get(format!("{url}/done")).send().await.unwrap();
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(
        done.headers()["location"].to_str().unwrap(),
        format!(
            "https://shop.example/checkout/hosted/return?session_id={}",
            session.id
        )
    );

    let complete = RetrieveCheckoutSession::new(session.id.clone())
        .expand(["payment_intent".to_string()])
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(complete.status, Some(CheckoutSessionStatus::Complete));
    assert_eq!(complete.payment_status, CheckoutSessionPaymentStatus::Paid);
    assert!(complete.url.is_none());
    let Some(stripe_types::Expandable::Object(pi)) = complete.payment_intent else {
        panic!("the session names its intent");
    };
    assert_eq!(pi.amount, 3300);
    assert_eq!(pi.metadata.get("order_id").map(String::as_str), Some("42"));

    sb.wait_for_webhooks().await;
    assert_eq!(
        receiver.rejected.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    let types: Vec<String> = receiver
        .types_as_emitted(&sb)
        .await
        .into_iter()
        .filter(|t| {
            t != "charge.failed" && t != "payment_intent.payment_failed" && t != "charge.updated"
        })
        .collect();
    assert_eq!(
        types,
        [
            "payment_intent.created",
            "charge.succeeded",
            "payment_intent.succeeded",
            "checkout.session.completed",
        ]
    );
    let completed = receiver
        .events()
        .into_iter()
        .find_map(|r| match r.event.data.object {
            EventObject::CheckoutSessionCompleted(s) => Some(s),
            _ => None,
        })
        .expect("a typed checkout.session.completed");
    assert_eq!(completed.payment_status, CheckoutSessionPaymentStatus::Paid);
    assert_eq!(completed.client_reference_id.as_deref(), Some("42"));

    let page = sb.http.get(&url).send().await.unwrap();
    assert_eq!(
        page.status().as_u16(),
        303,
        "a paid session's page goes to success_url"
    );
}

#[tokio::test]
async fn an_expired_session_cancels_its_intent_and_cannot_be_paid() {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    let session = order_session().send(&sb.client).await.expect("create");
    let (url, secret) = open_page(&sb, &session).await;
    let pi = secret.split("_secret_").next().unwrap().to_string();

    let cancel = sb
        .post(&format!("v1/payment_intents/{pi}/cancel"), &[])
        .await;
    assert_eq!(cancel.status().as_u16(), 400, "Checkout owns its intent");

    let expired = ExpireCheckoutSession::new(session.id.clone())
        .send(&sb.client)
        .await
        .expect("expire");
    assert_eq!(expired.status, Some(CheckoutSessionStatus::Expired));
    assert!(expired.url.is_none());
    let (again, status) = api_error(
        ExpireCheckoutSession::new(session.id.clone())
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert!(
        again
            .message
            .as_deref()
            .unwrap_or("")
            .contains("status of \"expired\"")
    );

    let (status, _) = pay(&sb, &secret, "4242424242424242").await;
    assert_eq!(status, 400, "a canceled intent cannot be confirmed");
    let page = sb
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("expired"));

    sb.wait_for_webhooks().await;
    assert_eq!(
        receiver.rejected.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    assert_eq!(
        receiver.types_as_emitted(&sb).await,
        [
            "payment_intent.created",
            "payment_intent.canceled",
            "checkout.session.expired"
        ]
    );
}

/// The always-present fields of `Checkout.Session`, `LineItem` and `Price` in the `stripe` npm
/// package's `Checkout/Sessions.d.ts`, `LineItems.d.ts` and `Prices.d.ts`.
const SESSION_FIELDS: &str = "id object adaptive_pricing after_expiration allow_promotion_codes allowed_payment_method_types amount_subtotal amount_total automatic_tax billing_address_collection cancel_url client_reference_id client_secret collected_information consent consent_collection created currency currency_conversion custom_fields custom_text customer customer_account customer_creation customer_details customer_email discounts expires_at integration_identifier invoice invoice_creation livemode locale managed_payments metadata mode origin_context payment_intent payment_link payment_method_collection payment_method_configuration_details payment_method_options payment_method_types payment_status permissions recovered_from saved_payment_method_options setup_intent shipping_address_collection shipping_cost shipping_options status submit_type subscription success_url total_details ui_mode url wallet_options";
const LINE_ITEM_FIELDS: &str = "id object adjustable_quantity amount_discount amount_subtotal amount_tax amount_total currency description metadata price quantity";
const PRICE_FIELDS: &str = "id object active billing_scheme created currency custom_unit_amount livemode lookup_key metadata nickname product recurring tax_behavior tiers_mode transform_quantity type unit_amount unit_amount_decimal";

#[tokio::test]
async fn every_documented_field_of_a_session_and_its_lines_is_present() {
    let sb = spawn_sandbox().await;
    let session = order_session().send(&sb.client).await.expect("create");
    let json: Value = sb
        .get(&format!("v1/checkout/sessions/{}", session.id))
        .await
        .json()
        .await
        .unwrap();
    let lines: Value = sb
        .get(&format!("v1/checkout/sessions/{}/line_items", session.id))
        .await
        .json()
        .await
        .unwrap();
    let line = &lines["data"][0];
    let mut missing = Vec::new();
    for (name, object, fields) in [
        ("Checkout.Session", &json, SESSION_FIELDS),
        ("LineItem", line, LINE_ITEM_FIELDS),
        ("Price", &line["price"], PRICE_FIELDS),
    ] {
        for field in fields.split(' ') {
            if object.get(field).is_none() {
                missing.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
    assert_eq!(json["object"], "checkout.session");
    assert_eq!(line["object"], "item");
}

/// A euro session paid by SEPA Direct Debit on the hosted page: complete but `unpaid` while
/// the debit is processing, then `checkout.session.async_payment_succeeded` (or `_failed`) as
/// /payments/checkout/how-checkout-works#payment-methods describes for delayed methods.
async fn sepa_session(sb: &TestSandbox, iban: &str) -> CheckoutSession {
    let mut price = CreateCheckoutSessionLineItemsPriceData::new(Currency::EUR);
    price.unit_amount = Some(2000);
    price.product_data = Some(ProductData::new("Mug"));
    let mut item = CreateCheckoutSessionLineItems::new();
    item.price_data = Some(price);
    item.quantity = Some(1);
    let session = CreateCheckoutSession::new()
        .mode(CheckoutSessionMode::Payment)
        .line_items(vec![item])
        .success_url("https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}")
        .send(&sb.client)
        .await
        .expect("create");
    assert!(
        session
            .payment_method_types
            .contains(&"sepa_debit".to_string())
    );
    let url = session.url.clone().expect("url");
    let html = sb
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let secret = html
        .split("data-client-secret=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let pi = secret.split("_secret_").next().unwrap().to_string();
    let r = sb
        .http
        .post(sb.url(&format!("v1/payment_intents/{pi}/confirm")))
        .form(&[
            ("key", PUBLISHABLE),
            ("client_secret", secret.as_str()),
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
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let complete = RetrieveCheckoutSession::new(session.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(complete.status, Some(CheckoutSessionStatus::Complete));
    assert_eq!(
        complete.payment_status,
        CheckoutSessionPaymentStatus::Unpaid
    );
    let (status, body) = sb
        .control("bank_debits/settle", &[("payment_intent", &pi)])
        .await;
    assert_eq!(status, 200, "{body}");
    RetrieveCheckoutSession::new(session.id.clone())
        .send(&sb.client)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_bank_debit_completes_the_session_unpaid_then_reports_its_outcome() {
    let receiver = spawn_receiver(0).await;
    let sb = spawn_sandbox_with(vec![receiver.endpoint()]).await;
    let (status, body) = sb
        .control(
            "bank_debits",
            &[("settle_ms", "86400000"), ("delayed_settle_ms", "86400000")],
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let paid = sepa_session(&sb, "DE89370400440532013000").await;
    assert_eq!(paid.payment_status, CheckoutSessionPaymentStatus::Paid);
    let failed = sepa_session(&sb, "DE62370400440532013001").await;
    assert_eq!(failed.payment_status, CheckoutSessionPaymentStatus::Unpaid);

    sb.wait_for_webhooks().await;
    assert_eq!(
        receiver.rejected.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    let sessions: Vec<String> = receiver
        .types_as_emitted(&sb)
        .await
        .into_iter()
        .filter(|t| t.starts_with("checkout.session."))
        .collect();
    assert_eq!(
        sessions,
        [
            "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
            "checkout.session.completed",
            "checkout.session.async_payment_failed",
        ]
    );
}
