//! Every request parameter that Stripe's API definition documents on the endpoints the sandbox
//! implements (the `*Params` interfaces of the `stripe` npm package 23.1.0, API version
//! 2026-10-28.endive, `cjs/resources/*.d.ts`, plus `limit`, `starting_after` and
//! `ending_before` on lists) is taken: none is refused as unknown, and only those that need
//! what the sandbox does not simulate (Connect, Accounts v2, Tax hooks, customer balances)
//! are refused, with a message that says so.
//!
//! `SANDBOX_FIDELITY_REPORT=1 cargo test -p stripe-sandbox --test sandbox documented -- --nocapture`
//! prints the figures.

use crate::helpers::{TestSandbox, spawn_sandbox};

/// Method, path, the documented parameters.
const DOCUMENTED: &[(&str, &str, &[&str])] = &[
    (
        "POST",
        "/v1/payment_intents",
        &[
            "amount",
            "currency",
            "allowed_payment_method_types",
            "amount_details",
            "application_fee_amount",
            "automatic_payment_methods",
            "capture_method",
            "confirm",
            "confirmation_method",
            "confirmation_token",
            "customer",
            "customer_account",
            "description",
            "error_on_requires_action",
            "excluded_payment_method_types",
            "expand",
            "hooks",
            "mandate",
            "mandate_data",
            "metadata",
            "off_session",
            "on_behalf_of",
            "payment_details",
            "payment_method",
            "payment_method_configuration",
            "payment_method_data",
            "payment_method_options",
            "radar_options",
            "receipt_email",
            "return_url",
            "setup_future_usage",
            "shipping",
            "statement_descriptor",
            "statement_descriptor_suffix",
            "transfer_data",
            "transfer_group",
            "use_stripe_sdk",
        ],
    ),
    (
        "POST",
        "/v1/payment_intents/{id}",
        &[
            "allowed_payment_method_types",
            "amount",
            "amount_details",
            "application_fee_amount",
            "capture_method",
            "currency",
            "customer",
            "customer_account",
            "description",
            "excluded_payment_method_types",
            "expand",
            "hooks",
            "metadata",
            "payment_details",
            "payment_method",
            "payment_method_configuration",
            "payment_method_data",
            "payment_method_options",
            "receipt_email",
            "setup_future_usage",
            "shipping",
            "statement_descriptor",
            "statement_descriptor_suffix",
            "transfer_data",
            "transfer_group",
        ],
    ),
    (
        "POST",
        "/v1/payment_intents/{id}/confirm",
        &[
            "allowed_payment_method_types",
            "amount_details",
            "amount_to_confirm",
            "capture_method",
            "confirmation_token",
            "error_on_requires_action",
            "excluded_payment_method_types",
            "expand",
            "hooks",
            "mandate",
            "mandate_data",
            "off_session",
            "payment_details",
            "payment_method",
            "payment_method_data",
            "payment_method_options",
            "radar_options",
            "receipt_email",
            "return_url",
            "setup_future_usage",
            "shipping",
            "use_stripe_sdk",
        ],
    ),
    (
        "GET",
        "/v1/payment_intents/{id}",
        &["client_secret", "expand"],
    ),
    (
        "POST",
        "/v1/payment_intents/{id}/cancel",
        &["cancellation_reason", "expand"],
    ),
    (
        "GET",
        "/v1/payment_intents",
        &[
            "created",
            "customer",
            "customer_account",
            "expand",
            "ending_before",
            "limit",
            "starting_after",
        ],
    ),
    (
        "GET",
        "/v1/payment_intents/search",
        &["query", "expand", "limit", "page"],
    ),
    (
        "POST",
        "/v1/refunds",
        &[
            "amount",
            "charge",
            "currency",
            "customer",
            "expand",
            "instructions_email",
            "metadata",
            "origin",
            "payment_intent",
            "reason",
            "refund_application_fee",
            "reverse_transfer",
        ],
    ),
    ("GET", "/v1/refunds/{id}", &["expand"]),
    (
        "GET",
        "/v1/refunds",
        &[
            "charge",
            "created",
            "expand",
            "payment_intent",
            "ending_before",
            "limit",
            "starting_after",
        ],
    ),
    (
        "POST",
        "/v1/customers",
        &[
            "address",
            "balance",
            "business_name",
            "cash_balance",
            "description",
            "email",
            "expand",
            "individual_name",
            "invoice_prefix",
            "invoice_settings",
            "metadata",
            "name",
            "next_invoice_sequence",
            "payment_method",
            "phone",
            "preferred_locales",
            "shipping",
            "source",
            "tax",
            "tax_exempt",
            "tax_id_data",
            "test_clock",
            "validate",
        ],
    ),
    ("GET", "/v1/customers/{id}", &["expand"]),
    (
        "POST",
        "/v1/customers/{id}",
        &[
            "address",
            "balance",
            "business_name",
            "cash_balance",
            "default_source",
            "description",
            "email",
            "expand",
            "individual_name",
            "invoice_prefix",
            "invoice_settings",
            "metadata",
            "name",
            "next_invoice_sequence",
            "phone",
            "preferred_locales",
            "shipping",
            "source",
            "tax",
            "tax_exempt",
            "validate",
        ],
    ),
    ("GET", "/v1/events/{id}", &["expand"]),
    (
        "GET",
        "/v1/events",
        &[
            "created",
            "delivery_success",
            "expand",
            "type",
            "types",
            "ending_before",
            "limit",
            "starting_after",
        ],
    ),
    ("GET", "/v1/charges/{id}", &["expand"]),
    (
        "GET",
        "/v1/disputes",
        &[
            "charge",
            "created",
            "expand",
            "payment_intent",
            "ending_before",
            "limit",
            "starting_after",
        ],
    ),
    ("GET", "/v1/disputes/{id}", &["expand"]),
    (
        "POST",
        "/v1/disputes/{id}",
        &[
            "evidence",
            "expand",
            "intended_submission_method",
            "metadata",
            "submit",
        ],
    ),
    ("POST", "/v1/disputes/{id}/close", &["expand"]),
];

/// Parameters refused because the sandbox does not simulate what they need.
const NOT_SIMULATED: &[&str] = &[
    "POST /v1/payment_intents application_fee_amount",
    "POST /v1/payment_intents customer_account",
    "POST /v1/payment_intents hooks",
    "POST /v1/payment_intents on_behalf_of",
    "POST /v1/payment_intents transfer_data",
    "POST /v1/payment_intents/{id} application_fee_amount",
    "POST /v1/payment_intents/{id} customer_account",
    "POST /v1/payment_intents/{id} hooks",
    "POST /v1/payment_intents/{id} transfer_data",
    "POST /v1/payment_intents/{id}/confirm hooks",
    "GET /v1/payment_intents customer_account",
    "POST /v1/refunds currency",
    "POST /v1/refunds customer",
    "POST /v1/refunds origin",
    "POST /v1/refunds refund_application_fee",
    "POST /v1/refunds reverse_transfer",
    "POST /v1/customers balance",
    "POST /v1/customers cash_balance",
    "POST /v1/customers payment_method",
    "POST /v1/customers source",
    "POST /v1/customers tax_id_data",
    "POST /v1/customers/{id} balance",
    "POST /v1/customers/{id} cash_balance",
    "POST /v1/customers/{id} default_source",
    "POST /v1/customers/{id} source",
];

/// The ids an endpoint's path needs.
struct Ids {
    payment_intent: String,
    refund: String,
    customer: String,
    event: String,
    charge: String,
    dispute: String,
}

async fn ids(sb: &TestSandbox) -> Ids {
    let disputed = sb.card_intent().await;
    let disputed = sb
        .confirm_with(&disputed, "pm_card_createDispute")
        .await
        .unwrap();
    let paid = sb.card_intent().await;
    let paid = sb.confirm_with(&paid, "pm_card_visa").await.unwrap();
    let refund: serde_json::Value = sb
        .post(
            "v1/refunds",
            &[("payment_intent", paid.id.as_str()), ("amount", "100")],
        )
        .await
        .json()
        .await
        .unwrap();
    let customer: serde_json::Value = sb.post("v1/customers", &[]).await.json().await.unwrap();
    let events: serde_json::Value = sb.get("v1/events").await.json().await.unwrap();
    let disputes: serde_json::Value = sb.get("v1/disputes").await.json().await.unwrap();
    let open = sb.card_intent().await;
    Ids {
        payment_intent: open.id.to_string(),
        refund: refund["id"].as_str().unwrap().to_string(),
        customer: customer["id"].as_str().unwrap().to_string(),
        event: events["data"][0]["id"].as_str().unwrap().to_string(),
        charge: disputed
            .latest_charge
            .as_ref()
            .map(|c| c.id().to_string())
            .unwrap(),
        dispute: disputes["data"][0]["id"].as_str().unwrap().to_string(),
    }
}

fn concrete(path: &str, ids: &Ids) -> String {
    let id = if path.starts_with("/v1/payment_intents") {
        &ids.payment_intent
    } else if path.starts_with("/v1/refunds") {
        &ids.refund
    } else if path.starts_with("/v1/customers") {
        &ids.customer
    } else if path.starts_with("/v1/events") {
        &ids.event
    } else if path.starts_with("/v1/charges") {
        &ids.charge
    } else {
        &ids.dispute
    };
    path.replace("{id}", id).trim_start_matches('/').to_string()
}

/// How the sandbox answered a request carrying only this parameter (with a placeholder value):
/// `None` if it took the parameter (a refusal of its value or of the request's other
/// parameters still means the name was understood), else the refusal's message.
async fn refusal(sb: &TestSandbox, method: &str, path: &str, param: &str) -> Option<String> {
    let form = [(param, "x")];
    let r = if method == "GET" {
        sb.http
            .get(sb.url(path))
            .bearer_auth(crate::helpers::SECRET)
            .query(&form)
            .send()
            .await
            .unwrap()
    } else {
        sb.post(path, &form).await
    };
    let body: serde_json::Value = r.json().await.unwrap_or_default();
    let e = &body["error"];
    let names_it = e["param"]
        .as_str()
        .is_some_and(|p| p == param || p.starts_with(&format!("{param}[")));
    let message = e["message"].as_str().unwrap_or("");
    let refused =
        names_it && (e["code"] == "parameter_unknown" || message.contains("does not simulate"));
    refused.then(|| message.to_string())
}

#[tokio::test]
async fn every_documented_parameter_of_the_implemented_endpoints_is_taken() {
    let sb = spawn_sandbox().await;
    let ids = ids(&sb).await;
    let report = std::env::var("SANDBOX_FIDELITY_REPORT").is_ok_and(|v| v == "1");
    let (mut total, mut taken) = (0, 0);
    let mut refused = Vec::new();
    for (method, path, params) in DOCUMENTED {
        let concrete = concrete(path, &ids);
        for param in *params {
            total += 1;
            match refusal(&sb, method, &concrete, param).await {
                None => taken += 1,
                Some(message) => refused.push((format!("{method} {path} {param}"), message)),
            }
        }
    }
    if report {
        println!("documented parameters of the implemented endpoints taken: {taken} of {total}");
        for (name, message) in &refused {
            println!("  refused: {name}: {message}");
        }
    }
    let refused_names: Vec<&str> = refused.iter().map(|(n, _)| n.as_str()).collect();
    for name in &refused_names {
        assert!(
            NOT_SIMULATED.contains(name),
            "{name} is refused: {refused:#?}"
        );
    }
    for name in NOT_SIMULATED {
        assert!(refused_names.contains(name), "{name} is taken now");
    }
    for (_, message) in &refused {
        assert!(message.contains("does not simulate"), "{message}");
    }
}

#[tokio::test]
async fn parameters_taken_on_payment_intents_show_on_the_intent_as_stripe_shows_them() {
    use stripe_core::payment_intent::RetrievePaymentIntent;
    let sb = spawn_sandbox().await;
    let created: serde_json::Value = sb
        .post(
            "v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "eur"),
                ("shipping[name]", "Ada Lovelace"),
                ("shipping[address][line1]", "1 Test Street"),
                ("shipping[address][city]", "Berlin"),
                ("shipping[address][country]", "DE"),
                ("excluded_payment_method_types[]", "sepa_debit"),
                ("amount_details[line_items][0][product_name]", "Mug"),
                ("payment_details[order_reference]", "order-42"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let pi = RetrievePaymentIntent::new(id)
        .send(&sb.client)
        .await
        .unwrap();
    let shipping = pi.shipping.as_ref().expect("shipping");
    assert_eq!(shipping.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(
        shipping.address.as_ref().and_then(|a| a.city.as_deref()),
        Some("Berlin")
    );
    assert_eq!(
        pi.payment_method_types,
        vec!["card".to_string()],
        "SEPA Debit excluded"
    );

    let r = sb
        .post(
            "v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "eur"),
                ("allowed_payment_method_types[]", "sepa_debit"),
                ("allowed_payment_method_types[]", "ideal"),
            ],
        )
        .await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["payment_method_types"],
        serde_json::json!(["sepa_debit"])
    );
    let r = sb
        .post(
            "v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "usd"),
                ("allowed_payment_method_types[]", "sepa_debit"),
            ],
        )
        .await;
    assert_eq!(r.status(), 400, "nothing left for dollars");

    // capture_method on update; manual is refused as not simulated.
    let r = sb
        .post(
            &format!("v1/payment_intents/{id}"),
            &[("capture_method", "automatic")],
        )
        .await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["capture_method"], "automatic");
    let r = sb
        .post(
            &format!("v1/payment_intents/{id}/confirm"),
            &[("capture_method", "manual")],
        )
        .await;
    assert_eq!(r.status(), 400);

    // Objects the sandbox never has are unknown ids, as on Stripe.
    for (param, value, path) in [
        (
            "confirmation_token",
            "ctoken_123",
            format!("v1/payment_intents/{id}/confirm"),
        ),
        (
            "mandate",
            "mandate_123",
            format!("v1/payment_intents/{id}/confirm"),
        ),
        (
            "payment_method_configuration",
            "pmc_123",
            format!("v1/payment_intents/{id}"),
        ),
    ] {
        let r = sb.post(&path, &[(param, value)]).await;
        assert_eq!(r.status(), 404, "{param}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "resource_missing");
        assert_eq!(body["error"]["param"], param);
    }
    // Shipping needs a name and an address.
    let r = sb
        .post(
            &format!("v1/payment_intents/{id}"),
            &[("shipping[name]", "Ada")],
        )
        .await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["param"], "shipping[address]");
}

#[tokio::test]
async fn customer_details_are_kept_and_shown_through_async_stripe() {
    use stripe_core::customer::{RetrieveCustomer, RetrieveCustomerReturned};
    let sb = spawn_sandbox().await;
    let created: serde_json::Value = sb
        .post(
            "v1/customers",
            &[
                ("email", "ada@example.com"),
                ("address[line1]", "1 Test Street"),
                ("address[country]", "GB"),
                ("shipping[name]", "Ada Lovelace"),
                ("shipping[address][line1]", "2 Test Street"),
                ("preferred_locales[]", "en-GB"),
                ("invoice_prefix", "ADA42"),
                ("tax_exempt", "exempt"),
                ("next_invoice_sequence", "7"),
                ("validate", "true"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let RetrieveCustomerReturned::Customer(customer) =
        RetrieveCustomer::new(id).send(&sb.client).await.unwrap()
    else {
        panic!("a deleted customer");
    };
    assert_eq!(
        customer.address.as_ref().and_then(|a| a.line1.as_deref()),
        Some("1 Test Street")
    );
    assert_eq!(
        customer.shipping.as_ref().and_then(|s| s.name.as_deref()),
        Some("Ada Lovelace")
    );
    assert_eq!(customer.preferred_locales, Some(vec!["en-GB".to_string()]));
    assert_eq!(customer.invoice_prefix.as_deref(), Some("ADA42"));
    assert_eq!(customer.next_invoice_sequence, Some(7));

    let r = sb
        .post(&format!("v1/customers/{id}"), &[("address", "")])
        .await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["address"].is_null(), "unset");
    let r = sb
        .post(
            &format!("v1/customers/{id}"),
            &[("tax_exempt", "sometimes")],
        )
        .await;
    assert_eq!(r.status(), 400);
    let r = sb
        .post(&format!("v1/customers/{id}"), &[("invoice_prefix", "ab")])
        .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn a_list_expands_the_fields_of_its_objects_as_data_fields() {
    use stripe_core::payment_intent::ListPaymentIntent;
    let sb = spawn_sandbox().await;
    let intent = sb.card_intent().await;
    sb.confirm_with(&intent, "pm_card_visa").await.unwrap();
    let list = ListPaymentIntent::new()
        .expand(["data.latest_charge".to_string()])
        .send(&sb.client)
        .await
        .unwrap();
    assert!(
        list.data[0]
            .latest_charge
            .as_ref()
            .and_then(|c| c.as_object())
            .is_some(),
        "expanded in each object"
    );
    let r = sb.get("v1/payment_intents?expand[]=latest_charge").await;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "This property cannot be expanded (latest_charge). You may want to try expanding 'data.latest_charge' instead."
    );
    sb.post("v1/refunds", &[("payment_intent", intent.id.as_str())])
        .await;
    let refunds: serde_json::Value = sb
        .get("v1/refunds?expand[]=data.payment_intent")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        refunds["data"][0]["payment_intent"]["id"],
        intent.id.as_str()
    );
}
