//! Every billing object the sandbox answers has the fields that are always present (not
//! optional) in its interface in the `stripe` npm package 23.1.0 (API 2026-10-28.endive,
//! `cjs/resources/*.d.ts`), and reads through async-stripe's own type.

use serde_json::Value;
use stripe_billing::billing_portal_configuration::RetrieveBillingPortalConfiguration;
use stripe_billing::invoice::RetrieveInvoice;
use stripe_billing::subscription::RetrieveSubscription;
use stripe_billing::test_helpers_test_clock::RetrieveTestHelpersTestClock;
use stripe_product::price::RetrievePrice;
use stripe_product::product::RetrieveProduct;

use crate::billing_subscriptions::{attach_default_card, customer};
use crate::helpers::spawn_sandbox;

const DOCUMENTED: &[(&str, &[&str])] = &[
    (
        "Product",
        &[
            "id",
            "object",
            "active",
            "created",
            "description",
            "images",
            "livemode",
            "marketing_features",
            "metadata",
            "name",
            "package_dimensions",
            "shippable",
            "tax_details",
            "type",
            "updated",
            "url",
        ],
    ),
    (
        "Price",
        &[
            "id",
            "object",
            "active",
            "billing_scheme",
            "created",
            "currency",
            "custom_unit_amount",
            "livemode",
            "lookup_key",
            "metadata",
            "nickname",
            "product",
            "recurring",
            "tax_behavior",
            "tiers_mode",
            "transform_quantity",
            "type",
            "unit_amount",
            "unit_amount_decimal",
        ],
    ),
    (
        "Subscription",
        &[
            "id",
            "object",
            "application",
            "application_fee_percent",
            "automatic_tax",
            "billing_cycle_anchor",
            "billing_cycle_anchor_config",
            "billing_mode",
            "billing_schedules",
            "billing_thresholds",
            "cancel_at",
            "cancel_at_period_end",
            "canceled_at",
            "cancellation_details",
            "collection_method",
            "created",
            "currency",
            "customer",
            "customer_account",
            "days_until_due",
            "default_payment_method",
            "default_source",
            "description",
            "discounts",
            "ended_at",
            "invoice_settings",
            "items",
            "latest_invoice",
            "livemode",
            "managed_payments",
            "metadata",
            "next_pending_invoice_item_invoice",
            "on_behalf_of",
            "pause_collection",
            "payment_settings",
            "pending_invoice_item_interval",
            "pending_setup_intent",
            "pending_update",
            "schedule",
            "start_date",
            "status",
            "test_clock",
            "transfer_data",
            "trial_end",
            "trial_settings",
            "trial_start",
        ],
    ),
    (
        "SubscriptionItem",
        &[
            "id",
            "object",
            "billing_thresholds",
            "created",
            "current_period_end",
            "current_period_start",
            "current_trial",
            "discounts",
            "metadata",
            "plan",
            "price",
            "subscription",
            "tax_rates",
        ],
    ),
    (
        "Invoice",
        &[
            "id",
            "object",
            "account_country",
            "account_name",
            "account_tax_ids",
            "amount_due",
            "amount_overpaid",
            "amount_paid",
            "amount_remaining",
            "amount_shipping",
            "application",
            "attempt_count",
            "attempted",
            "automatic_tax",
            "automatically_finalizes_at",
            "billing_reason",
            "collection_method",
            "created",
            "currency",
            "custom_fields",
            "customer",
            "customer_account",
            "customer_address",
            "customer_email",
            "customer_name",
            "customer_phone",
            "customer_shipping",
            "customer_tax_exempt",
            "default_payment_method",
            "default_source",
            "default_tax_rates",
            "description",
            "discounts",
            "due_date",
            "effective_at",
            "ending_balance",
            "footer",
            "from_invoice",
            "issuer",
            "last_finalization_error",
            "latest_revision",
            "lines",
            "livemode",
            "metadata",
            "next_payment_attempt",
            "number",
            "on_behalf_of",
            "parent",
            "payment_settings",
            "period_end",
            "period_start",
            "post_payment_credit_notes_amount",
            "pre_payment_credit_notes_amount",
            "receipt_number",
            "rendering",
            "shipping_cost",
            "shipping_details",
            "starting_balance",
            "statement_descriptor",
            "status",
            "status_transitions",
            "subtotal",
            "subtotal_excluding_tax",
            "test_clock",
            "total",
            "total_discount_amounts",
            "total_excluding_tax",
            "total_pretax_credit_amounts",
            "total_taxes",
            "webhooks_delivered_at",
        ],
    ),
    (
        "InvoiceLineItem",
        &[
            "id",
            "object",
            "amount",
            "currency",
            "description",
            "discount_amounts",
            "discountable",
            "discounts",
            "invoice",
            "livemode",
            "metadata",
            "parent",
            "period",
            "pretax_credit_amounts",
            "pricing",
            "quantity",
            "quantity_decimal",
            "subscription",
            "subtotal",
            "taxes",
        ],
    ),
    (
        "InvoicePayment",
        &[
            "id",
            "object",
            "amount_paid",
            "amount_requested",
            "created",
            "currency",
            "invoice",
            "is_default",
            "livemode",
            "payment",
            "status",
            "status_transitions",
        ],
    ),
    (
        "TestClock",
        &[
            "id",
            "object",
            "created",
            "deletes_after",
            "frozen_time",
            "livemode",
            "name",
            "status",
            "status_details",
        ],
    ),
    (
        "BillingPortal.Configuration",
        &[
            "id",
            "object",
            "active",
            "application",
            "business_profile",
            "created",
            "default_return_url",
            "features",
            "is_default",
            "livemode",
            "login_page",
            "metadata",
            "name",
            "updated",
        ],
    ),
    (
        "BillingPortal.Session",
        &[
            "id",
            "object",
            "configuration",
            "created",
            "customer",
            "customer_account",
            "flow",
            "livemode",
            "locale",
            "on_behalf_of",
            "return_url",
            "url",
        ],
    ),
];

#[tokio::test]
async fn every_documented_field_of_the_billing_objects_is_present() {
    let sb = spawn_sandbox().await;
    let post = |path: &'static str, form: Vec<(&'static str, String)>| {
        let sb = &sb;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = sb.post(path, &form).await;
            let v: Value = r.json().await.unwrap();
            assert!(v.get("error").is_none(), "{path}: {v}");
            v
        }
    };
    let price = post(
        "v1/prices",
        vec![
            ("currency", "usd".into()),
            ("unit_amount", "900".into()),
            ("recurring[interval]", "month".into()),
            ("product_data[name]", "Storefront Club".into()),
        ],
    )
    .await;
    let product_id = price["product"].as_str().unwrap().to_string();
    let product: Value = sb
        .get(&format!("v1/products/{product_id}"))
        .await
        .json()
        .await
        .unwrap();
    let cus = customer(&sb, "ada@example.com").await;
    attach_default_card(&sb, cus.id.as_str(), "pm_card_visa").await;
    let sub = post(
        "v1/subscriptions",
        vec![
            ("customer", cus.id.as_str().to_string()),
            ("items[0][price]", price["id"].as_str().unwrap().to_string()),
            ("expand[]", "latest_invoice.payments".into()),
        ],
    )
    .await;
    let invoice = sub["latest_invoice"].clone();
    let clock = post(
        "v1/test_helpers/test_clocks",
        vec![("frozen_time", "1894665600".into())],
    )
    .await;
    let config = post(
        "v1/billing_portal/configurations",
        vec![("features[invoice_history][enabled]", "true".into())],
    )
    .await;
    let session = post(
        "v1/billing_portal/sessions",
        vec![
            ("customer", cus.id.as_str().to_string()),
            ("configuration", config["id"].as_str().unwrap().to_string()),
            ("return_url", "https://shop.example/account".into()),
        ],
    )
    .await;

    // Each reads through async-stripe.
    RetrieveProduct::new(product_id.as_str())
        .send(&sb.client)
        .await
        .unwrap();
    RetrievePrice::new(price["id"].as_str().unwrap())
        .send(&sb.client)
        .await
        .unwrap();
    RetrieveSubscription::new(sub["id"].as_str().unwrap())
        .send(&sb.client)
        .await
        .unwrap();
    let typed = RetrieveInvoice::new(invoice["id"].as_str().unwrap())
        .expand(vec!["payments".to_string()])
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(typed.payments.map(|p| p.data.len()), Some(1));
    RetrieveTestHelpersTestClock::new(clock["id"].as_str().unwrap())
        .send(&sb.client)
        .await
        .unwrap();
    RetrieveBillingPortalConfiguration::new(config["id"].as_str().unwrap())
        .send(&sb.client)
        .await
        .unwrap();
    // (The portal session reads through `CreateBillingPortalSession` in billing_portal.rs.)

    let objects: &[(&str, &Value)] = &[
        ("Product", &product),
        ("Price", &price),
        ("Subscription", &sub),
        ("SubscriptionItem", &sub["items"]["data"][0]),
        ("Invoice", &invoice),
        ("InvoiceLineItem", &invoice["lines"]["data"][0]),
        ("InvoicePayment", &invoice["payments"]["data"][0]),
        ("TestClock", &clock),
        ("BillingPortal.Configuration", &config),
        ("BillingPortal.Session", &session),
    ];
    let mut missing = Vec::new();
    for (name, fields) in DOCUMENTED {
        let object = objects
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, o)| *o)
            .unwrap();
        for field in *fields {
            if object.get(field).is_none() {
                missing.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
