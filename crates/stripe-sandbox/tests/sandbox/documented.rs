//! Every test card number and test PaymentMethod id on Stripe's testing page
//! (https://docs.stripe.com/testing), each checked against what the page documents: the brand,
//! funding and country of the card, and the outcome (a payment, a decline with its `code`,
//! `decline_code` and message, 3-D Secure, the checks, Radar's verdict, a dispute after the
//! payment, a refund that settles later). Every object is read through async-stripe's types.
//!
//! `SANDBOX_FIDELITY_REPORT=1 cargo test -p stripe-sandbox --test sandbox documented -- --nocapture`
//! prints how many documented inputs behave as documented, numbers and ids separately.

use stripe_core::dispute::ListDispute;
use stripe_core::payment_intent::{ConfirmPaymentIntent, RetrievePaymentIntent};
use stripe_core::refund::{CreateRefund, RetrieveRefund};
use stripe_shared::{Charge, DisputeStatus, PaymentIntent, PaymentIntentStatus};

use crate::helpers::{PUBLISHABLE, TestSandbox, spawn_sandbox};

const RETURN_URL: &str = "https://shop.example/checkout/return";

#[derive(Debug, Clone, Copy)]
enum Input {
    /// Typed into the payment form (Stripe.js sends it with a CVC, a first address line and a
    /// postal code).
    Number(&'static str),
    /// Given to the API as `payment_method`.
    Id(&'static str),
}

/// What the page says happens.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    /// The payment succeeds, with Radar's risk level.
    Paid(&'static str),
    /// The payment succeeds; the first address line and postal code checks give these.
    PaidWithAddressChecks(&'static str, &'static str),
    /// Declined: code, decline code, message.
    Declined(&'static str, Option<&'static str>, &'static str),
    /// 3-D Secure on-session; completing it pays.
    Authenticates,
    /// 3-D Secure on-session; off-session payments are not asked to authenticate.
    AuthenticatesOnSessionOnly,
    /// 3-D Secure even off-session (declined `authentication_required` there).
    AlwaysAuthenticates,
    /// 3-D Secure, then declined: code, decline code, message.
    AuthenticatesThenDeclined(&'static str, Option<&'static str>, &'static str),
    /// Paid, then disputed for this reason (an inquiry if true).
    Disputed(&'static str, bool),
    /// Paid, then disputed for this reason, eligible for this network programme
    /// (`enhanced_eligibility_types`).
    DisputedEligible(&'static str, &'static str),
    /// Paid, then reported as fraud by the issuer (`radar.early_fraud_warning.created`).
    PaidWithEarlyFraudWarning,
    /// Paid; a refund starts `pending`, later `succeeded`.
    RefundPendingThenSucceeds,
    /// Paid; a refund starts `succeeded`, later `failed`.
    RefundSucceedsThenFails,
    /// Documented behaviour the sandbox does not simulate (the reason); what it does do is
    /// checked, but the case does not count as behaving as documented.
    NotModelled(&'static str, &'static Outcome),
}

use Outcome::*;

struct Case {
    input: Input,
    brand: &'static str,
    funding: &'static str,
    country: &'static str,
    outcome: Outcome,
    /// The section of https://docs.stripe.com/testing that documents it.
    page: &'static str,
}

const PAID: Outcome = Paid("normal");
const GENERIC: Outcome = Declined(
    "card_declined",
    Some("generic_decline"),
    "Your card was declined.",
);

/// Cases for a card number and each of its test PaymentMethod ids.
fn cases(
    page: &'static str,
    brand: &'static str,
    funding: &'static str,
    country: &'static str,
    number: Option<&'static str>,
    ids: &[&'static str],
    outcome: Outcome,
) -> Vec<Case> {
    number
        .map(Input::Number)
        .into_iter()
        .chain(ids.iter().map(|id| Input::Id(id)))
        .map(|input| Case {
            input,
            brand,
            funding,
            country,
            outcome,
            page,
        })
        .collect()
}

/// The documented inputs, section by section of https://docs.stripe.com/testing.
fn documented() -> Vec<Case> {
    let mut all = Vec::new();
    let mut add = |v: Vec<Case>| all.extend(v);
    // #cards: cards by brand
    // brand, funding, country, section, number, ids
    type Row = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
        &'static [&'static str],
    );
    let brands: &[Row] = &[
        (
            "visa",
            "credit",
            "US",
            "#cards",
            Some("4242424242424242"),
            &["pm_card_visa"],
        ),
        (
            "visa",
            "debit",
            "US",
            "#cards",
            Some("4000056655665556"),
            &["pm_card_visa_debit"],
        ),
        (
            "mastercard",
            "credit",
            "US",
            "#cards",
            Some("5555555555554444"),
            &["pm_card_mastercard"],
        ),
        (
            "mastercard",
            "credit",
            "US",
            "#cards",
            Some("2223003122003222"),
            &[],
        ),
        (
            "mastercard",
            "debit",
            "US",
            "#cards",
            Some("5200828282828210"),
            &["pm_card_mastercard_debit"],
        ),
        (
            "mastercard",
            "prepaid",
            "US",
            "#cards",
            Some("5105105105105100"),
            &["pm_card_mastercard_prepaid"],
        ),
        (
            "amex",
            "credit",
            "US",
            "#cards",
            Some("378282246310005"),
            &["pm_card_amex"],
        ),
        (
            "amex",
            "credit",
            "US",
            "#cards",
            Some("371449635398431"),
            &[],
        ),
        (
            "discover",
            "credit",
            "US",
            "#cards",
            Some("6011111111111117"),
            &["pm_card_discover"],
        ),
        (
            "discover",
            "credit",
            "US",
            "#cards",
            Some("6011000990139424"),
            &[],
        ),
        (
            "discover",
            "debit",
            "US",
            "#cards",
            Some("6011981111111113"),
            &[],
        ),
        (
            "diners",
            "credit",
            "US",
            "#cards",
            Some("3056930009020004"),
            &["pm_card_diners"],
        ),
        (
            "diners",
            "credit",
            "US",
            "#cards",
            Some("36227206271667"),
            &[],
        ),
        (
            "discover",
            "credit",
            "US",
            "#cards",
            Some("6555900000604105"),
            &[],
        ),
        (
            "jcb",
            "credit",
            "JP",
            "#cards",
            Some("3566002020360505"),
            &["pm_card_jcb"],
        ),
        (
            "unionpay",
            "credit",
            "CN",
            "#cards",
            Some("6200000000000005"),
            &["pm_card_unionpay"],
        ),
        (
            "unionpay",
            "debit",
            "CN",
            "#cards",
            Some("6200000000000047"),
            &[],
        ),
        (
            "unionpay",
            "credit",
            "CN",
            "#cards",
            Some("6205500000000000004"),
            &[],
        ),
        // #co-branded-cards
        (
            "visa",
            "credit",
            "FR",
            "#co-branded-cards",
            Some("4000002500001001"),
            &["pm_card_visa_cartesBancaires"],
        ),
        (
            "mastercard",
            "credit",
            "FR",
            "#co-branded-cards",
            Some("5555552500001001"),
            &["pm_card_mastercard_cartesBancaires"],
        ),
        (
            "visa",
            "debit",
            "AU",
            "#co-branded-cards",
            Some("4000050360000001"),
            &["pm_card_visa_debit_eftposAuCoBranded"],
        ),
        (
            "mastercard",
            "debit",
            "AU",
            "#co-branded-cards",
            Some("5555050360000080"),
            &["pm_card_mastercard_debit_eftposAuCoBranded"],
        ),
        // #hsa-fsa-cards
        (
            "visa",
            "debit",
            "US",
            "#hsa-fsa-cards",
            Some("4000051230000072"),
            &[
                "pm_card_debit_visaFsaProductCode",
                "pm_card_debit_visaHsaProductCode",
            ],
        ),
        (
            "mastercard",
            "debit",
            "US",
            "#hsa-fsa-cards",
            Some("5200828282828897"),
            &["pm_card_mastercard_debit_mastercardFsaProductCode"],
        ),
        // #international-cards
        (
            "visa",
            "credit",
            "US",
            "#international-cards",
            None,
            &["pm_card_us"],
        ),
        (
            "unknown",
            "credit",
            "MX",
            "#international-cards",
            Some("5062210000000009"),
            &[],
        ),
        (
            "visa",
            "credit",
            "SA",
            "#international-cards",
            Some("4000006820000007"),
            &[],
        ),
        (
            "visa",
            "debit",
            "GB",
            "#international-cards",
            Some("4000058260000005"),
            &["pm_card_gb_debit"],
        ),
        (
            "mastercard",
            "credit",
            "GB",
            "#international-cards",
            Some("5555558265554449"),
            &["pm_card_gb_mastercard"],
        ),
        (
            "jcb",
            "credit",
            "JP",
            "#international-cards",
            Some("3530111333300000"),
            &[],
        ),
        (
            "visa",
            "credit",
            "TH",
            "#international-cards",
            Some("4000007640000003"),
            &["pm_card_th_credit"],
        ),
        (
            "visa",
            "debit",
            "TH",
            "#international-cards",
            Some("4000057640000008"),
            &["pm_card_th_debit"],
        ),
    ];
    for (brand, funding, country, page, number, ids) in brands {
        add(cases(page, brand, funding, country, *number, ids, PAID));
    }
    // #international-cards: Visa credit cards whose id is pm_card_<country>
    let countries: &[(&str, &str)] = &[
        ("AR", "4000000320000021"),
        ("BR", "4000000760000002"),
        ("CA", "4000001240000000"),
        ("CL", "4000001520000001"),
        ("CO", "4000001700000003"),
        ("CR", "4000001880000005"),
        ("EC", "4000002180000000"),
        ("MX", "4000004840008001"),
        ("PA", "4000005910000000"),
        ("PY", "4000006000000066"),
        ("PE", "4000006040000068"),
        ("UY", "4000008580000003"),
        ("AT", "4000000400000008"),
        ("BE", "4000000560000004"),
        ("BG", "4000001000000000"),
        ("BY", "4000001120000005"),
        ("CY", "4000001960000008"),
        ("CZ", "4000002030000002"),
        ("DK", "4000002080000001"),
        ("FI", "4000002460000001"),
        ("FR", "4000002500000003"),
        ("DE", "4000002760000016"),
        ("GR", "4000003000000030"),
        ("HU", "4000003480000005"),
        ("IE", "4000003720000005"),
        ("IT", "4000003800000008"),
        ("LV", "4000004280000005"),
        ("LT", "4000004400000000"),
        ("LU", "4000004420000006"),
        ("MT", "4000004700000007"),
        ("NL", "4000005280000002"),
        ("NO", "4000005780000007"),
        ("PL", "4000006160000005"),
        ("PT", "4000006200000007"),
        ("RO", "4000006420000001"),
        ("SI", "4000007050000006"),
        ("SK", "4000007030000001"),
        ("ES", "4000007240000007"),
        ("SE", "4000007520000008"),
        ("CH", "4000007560000009"),
        ("GB", "4000008260000000"),
        ("AU", "4000000360000006"),
        ("CN", "4000001560000002"),
        ("HK", "4000003440000004"),
        ("IN", "4000003560000008"),
        ("JP", "4000003920000003"),
        ("MY", "4000004580000002"),
        ("NZ", "4000005540000008"),
        ("SG", "4000007020000003"),
        ("TW", "4000001580000008"),
    ];
    for (country, number) in countries {
        let id: &'static str =
            Box::leak(format!("pm_card_{}", country.to_lowercase()).into_boxed_str());
        add(cases(
            "#international-cards",
            "visa",
            "credit",
            country,
            Some(number),
            &[id],
            PAID,
        ));
    }
    // #declined-payments
    let declines: &[(&str, &str, &[&str], Outcome)] = &[
        (
            "#declined-payments",
            "4000000000000002",
            &["pm_card_visa_chargeDeclined"],
            GENERIC,
        ),
        (
            "#declined-payments",
            "4000000000009995",
            &["pm_card_visa_chargeDeclinedInsufficientFunds"],
            Declined(
                "card_declined",
                Some("insufficient_funds"),
                "Your card has insufficient funds.",
            ),
        ),
        (
            "#declined-payments",
            "4000000000009987",
            &["pm_card_visa_chargeDeclinedLostCard"],
            Declined(
                "card_declined",
                Some("lost_card"),
                "Your card was declined.",
            ),
        ),
        (
            "#declined-payments",
            "4000000000009979",
            &["pm_card_visa_chargeDeclinedStolenCard"],
            Declined(
                "card_declined",
                Some("stolen_card"),
                "Your card was declined.",
            ),
        ),
        (
            "#declined-payments",
            "4000000000000069",
            &["pm_card_chargeDeclinedExpiredCard"],
            Declined("expired_card", None, "Your card has expired."),
        ),
        (
            "#declined-payments",
            "4000000000000127",
            &["pm_card_chargeDeclinedIncorrectCvc"],
            Declined(
                "incorrect_cvc",
                None,
                "Your card's security code is incorrect.",
            ),
        ),
        (
            "#declined-payments",
            "4000000000000119",
            &["pm_card_chargeDeclinedProcessingError"],
            Declined(
                "processing_error",
                None,
                "An error occurred while processing your card. Try again in a little bit.",
            ),
        ),
        (
            "#declined-payments",
            "4242424242424241",
            &[],
            Declined("incorrect_number", None, "Your card number is incorrect."),
        ),
        (
            "#declined-payments",
            "4000000000006975",
            &["pm_card_visa_chargeDeclinedVelocityLimitExceeded"],
            Declined(
                "card_declined",
                Some("card_velocity_exceeded"),
                "Your card was declined for making repeated attempts too frequently or exceeding its amount limit.",
            ),
        ),
        (
            "#declined-payments",
            "4000000000000341",
            &["pm_card_chargeCustomerFail"],
            GENERIC,
        ),
        // #fraud-prevention: Radar blocks, risk levels, CVC and address checks (Radar's default
        // rules block a failed CVC or postal code check)
        (
            "#fraud-prevention",
            "4100000000000019",
            &["pm_card_radarBlock"],
            Declined(
                "card_declined",
                Some("fraudulent"),
                "Your card was declined.",
            ),
        ),
        (
            "#fraud-prevention",
            "4000000000004954",
            &["pm_card_riskLevelHighest"],
            Declined(
                "card_declined",
                Some("fraudulent"),
                "Your card was declined.",
            ),
        ),
        (
            "#fraud-prevention",
            "4000000000009235",
            &["pm_card_riskLevelElevated"],
            Paid("elevated"),
        ),
        (
            "#fraud-prevention",
            "4000000000000101",
            &["pm_card_cvcCheckFail"],
            Declined(
                "incorrect_cvc",
                None,
                "Your card's security code is incorrect.",
            ),
        ),
        (
            "#fraud-prevention",
            "4000000000000036",
            &["pm_card_avsZipFail"],
            Declined(
                "incorrect_zip",
                None,
                "The zip code you supplied failed validation.",
            ),
        ),
        (
            "#fraud-prevention",
            "4000058400307872",
            &["pm_card_cvcCheckFailElevatedRisk"],
            Declined(
                "incorrect_cvc",
                None,
                "Your card's security code is incorrect.",
            ),
        ),
        (
            "#fraud-prevention",
            "4000058400306072",
            &["pm_card_avsZipFailElevatedRisk"],
            Declined(
                "incorrect_zip",
                None,
                "The zip code you supplied failed validation.",
            ),
        ),
        (
            "#fraud-prevention",
            "4000000000000028",
            &["pm_card_avsLine1Fail"],
            PaidWithAddressChecks("fail", "pass"),
        ),
        (
            "#fraud-prevention",
            "4000000000000010",
            &["pm_card_avsFail"],
            Declined(
                "incorrect_zip",
                None,
                "The zip code you supplied failed validation.",
            ),
        ),
        (
            "#fraud-prevention",
            "4000000000000044",
            &["pm_card_avsUnchecked"],
            PaidWithAddressChecks("unavailable", "unavailable"),
        ),
        // #regulatory-cards: 3-D Secure
        (
            "#regulatory-cards",
            "4000002500003155",
            &["pm_card_authenticationRequiredOnSetup"],
            Authenticates,
        ),
        (
            "#regulatory-cards",
            "4000002760003184",
            &["pm_card_authenticationRequired"],
            AlwaysAuthenticates,
        ),
        (
            "#regulatory-cards",
            "4000003800000446",
            &["pm_card_authenticationRequiredSetupForOffSession"],
            AuthenticatesOnSessionOnly,
        ),
        (
            "#regulatory-cards",
            "4000008260003178",
            &["pm_card_authenticationRequiredChargeDeclinedInsufficientFunds"],
            AuthenticatesThenDeclined(
                "card_declined",
                Some("insufficient_funds"),
                "Your card has insufficient funds.",
            ),
        ),
        (
            "#regulatory-cards",
            "4000000000003220",
            &["pm_card_threeDSecure2Required"],
            Authenticates,
        ),
        (
            "#regulatory-cards",
            "4000000000003063",
            &["pm_card_threeDSecureRequired"],
            Authenticates,
        ),
        (
            "#regulatory-cards",
            "4000008400001629",
            &["pm_card_threeDSecureRequiredChargeDeclined"],
            AuthenticatesThenDeclined(
                "card_declined",
                Some("generic_decline"),
                "Your card was declined.",
            ),
        ),
        (
            "#regulatory-cards",
            "4000008400001280",
            &["pm_card_threeDSecureRequiredProcessingError"],
            GENERIC,
        ),
        (
            "#regulatory-cards",
            "4000000000003055",
            &["pm_card_threeDSecureOptional"],
            PAID,
        ),
        (
            "#regulatory-cards",
            "4000000000003097",
            &["pm_card_threeDSecureOptionalProcessingError"],
            Declined(
                "processing_error",
                None,
                "An error occurred while processing your card. Try again in a little bit.",
            ),
        ),
        (
            "#regulatory-cards",
            "378282246310005",
            &["pm_card_amex_threeDSecureNotSupported"],
            PAID,
        ),
        // #regulatory-cards: mobile challenge flows, and captcha
        ("#regulatory-cards", "4000582600000094", &[], Authenticates),
        ("#regulatory-cards", "4000582600000045", &[], Authenticates),
        ("#regulatory-cards", "4000582600000102", &[], Authenticates),
        ("#regulatory-cards", "4000582600000110", &[], Authenticates),
        ("#regulatory-cards", "4000000000001208", &[], Authenticates),
        ("#regulatory-cards", "4000000000003725", &[], Authenticates),
        // #disputes
        (
            "#disputes",
            "4000000000000259",
            &["pm_card_createDispute"],
            Disputed("fraudulent", false),
        ),
        (
            "#disputes",
            "4000000000002685",
            &["pm_card_createDisputeProductNotReceived"],
            Disputed("product_not_received", false),
        ),
        (
            "#disputes",
            "4000000000001976",
            &["pm_card_createDisputeInquiry"],
            Disputed("fraudulent", true),
        ),
        (
            "#disputes",
            "4000000000005423",
            &["pm_card_createIssuerFraudRecord"],
            PaidWithEarlyFraudWarning,
        ),
        (
            "#disputes",
            "4000000404000079",
            &["pm_card_createMultipleDisputes"],
            NotModelled("one dispute, not several", &Disputed("fraudulent", false)),
        ),
        (
            "#disputes",
            "4000000404000038",
            &["pm_card_createCe3EligibleDispute"],
            DisputedEligible("fraudulent", "visa_compelling_evidence_3"),
        ),
        (
            "#disputes",
            "4000008400000779",
            &["pm_card_createComplianceDispute"],
            DisputedEligible("noncompliant", "visa_compliance"),
        ),
        // #refunds
        (
            "#refunds",
            "4000000000007726",
            &["pm_card_pendingRefund"],
            RefundPendingThenSucceeds,
        ),
        (
            "#refunds",
            "4000000000005126",
            &["pm_card_refundFail"],
            RefundSucceedsThenFails,
        ),
        // #available-balance
        (
            "#available-balance",
            "4000000000000077",
            &["pm_card_bypassPending"],
            PAID,
        ),
    ];
    for (page, number, ids, outcome) in declines {
        // The Amex number is already counted under #cards; only its id is listed here.
        let amex = *number == "378282246310005";
        let brand = if amex { "amex" } else { "visa" };
        let number = (!amex).then_some(*number);
        add(cases(page, brand, "credit", "US", number, ids, *outcome));
    }
    add(cases(
        "#available-balance",
        "visa",
        "credit",
        "IE",
        Some("4000003720000278"),
        &["pm_card_bypassPendingInternational"],
        PAID,
    ));
    all
}

/// What a confirmation answered.
enum Confirmed {
    Status(String),
    Error {
        http: u16,
        code: Option<String>,
        decline_code: Option<String>,
        message: Option<String>,
    },
}

async fn confirm(
    sb: &TestSandbox,
    intent: &PaymentIntent,
    input: Input,
) -> Result<Confirmed, String> {
    match input {
        Input::Id(id) => match ConfirmPaymentIntent::new(intent.id.clone())
            .payment_method(id)
            .return_url(RETURN_URL)
            .send(&sb.client)
            .await
        {
            Ok(pi) => Ok(Confirmed::Status(pi.status.as_str().to_string())),
            Err(stripe::StripeError::Stripe(e, http)) => Ok(Confirmed::Error {
                http,
                code: e.code.as_ref().map(|c| c.as_str().to_string()),
                decline_code: e.decline_code.clone(),
                message: e.message.clone(),
            }),
            Err(other) => Err(format!("confirm: {other:?}")),
        },
        Input::Number(number) => {
            let secret = intent.client_secret.clone().unwrap_or_default();
            let form = [
                ("key", PUBLISHABLE),
                ("client_secret", secret.as_str()),
                ("return_url", RETURN_URL),
                ("payment_method_data[type]", "card"),
                ("payment_method_data[card][number]", number),
                ("payment_method_data[card][exp_month]", "12"),
                ("payment_method_data[card][exp_year]", "2040"),
                ("payment_method_data[card][cvc]", "123"),
                (
                    "payment_method_data[billing_details][address][line1]",
                    "1 Test Street",
                ),
                (
                    "payment_method_data[billing_details][address][postal_code]",
                    "12345",
                ),
            ];
            let r = sb
                .http
                .post(sb.url(&format!("v1/payment_intents/{}/confirm", intent.id)))
                .form(&form)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let http = r.status().as_u16();
            let body: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
            let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
            if http == 200 {
                Ok(Confirmed::Status(text(&body["status"]).unwrap_or_default()))
            } else {
                let e = &body["error"];
                Ok(Confirmed::Error {
                    http,
                    code: text(&e["code"]),
                    decline_code: text(&e["decline_code"]),
                    message: text(&e["message"]),
                })
            }
        }
    }
}

async fn retrieve(sb: &TestSandbox, id: &str) -> Result<PaymentIntent, String> {
    RetrievePaymentIntent::new(id)
        .expand(["latest_charge".to_string(), "payment_method".to_string()])
        .send(&sb.client)
        .await
        .map_err(|e| format!("retrieve: {e:?}"))
}

fn latest_charge(pi: &PaymentIntent) -> Option<&Charge> {
    pi.latest_charge.as_ref().and_then(|c| c.as_object())
}

/// The card's brand, funding and country as the objects show them.
fn card_fields(pi: &PaymentIntent) -> Option<(String, String, String)> {
    if let Some(card) = latest_charge(pi)
        .and_then(|c| c.payment_method_details.as_ref())
        .and_then(|d| d.card.as_ref())
    {
        return Some((
            card.brand.clone().unwrap_or_default(),
            card.funding.clone().unwrap_or_default(),
            card.country.clone().unwrap_or_default(),
        ));
    }
    let pm = pi
        .payment_method
        .as_ref()
        .and_then(|p| p.as_object())
        .or_else(|| {
            pi.last_payment_error
                .as_ref()
                .and_then(|e| e.payment_method.as_ref())
        })?;
    let card = pm.card.as_ref()?;
    Some((
        card.brand.clone(),
        card.funding.clone(),
        card.country.clone().unwrap_or_default(),
    ))
}

fn expect_eq<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, documented {want:?}"))
    }
}

fn expect_status(confirmed: &Confirmed, want: &str) -> Result<(), String> {
    match confirmed {
        Confirmed::Status(s) => expect_eq("status", s.as_str(), want),
        Confirmed::Error { code, message, .. } => Err(format!(
            "expected {want}, got the error {code:?}: {message:?}"
        )),
    }
}

fn expect_decline(
    confirmed: &Confirmed,
    (code, decline_code, message): (&str, Option<&str>, &str),
) -> Result<(), String> {
    match confirmed {
        Confirmed::Status(s) => Err(format!("expected the decline {code}, got status {s}")),
        Confirmed::Error {
            http,
            code: got_code,
            decline_code: got_decline,
            message: got_message,
        } => {
            expect_eq("HTTP status", *http, 402)?;
            expect_eq("code", got_code.as_deref(), Some(code))?;
            if decline_code.is_some() {
                expect_eq("decline_code", got_decline.as_deref(), decline_code)?;
            }
            expect_eq("message", got_message.as_deref(), Some(message))
        }
    }
}

/// Completes the 3-D Secure challenge of a `requires_action` intent.
async fn authenticate(sb: &TestSandbox, pi: &PaymentIntent) -> Result<PaymentIntent, String> {
    let url = pi
        .next_action
        .as_ref()
        .and_then(|n| n.redirect_to_url.as_ref())
        .and_then(|r| r.url.clone())
        .ok_or("no redirect_to_url in next_action")?;
    let r = sb
        .http
        .post(url)
        .form(&[("outcome", "complete")])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    expect_eq("challenge answer", r.status().as_u16(), 303)?;
    retrieve(sb, pi.id.as_str()).await
}

/// Confirms a fresh intent off-session with a test PaymentMethod id: its status, or its error code.
async fn off_session(sb: &TestSandbox, id: &str) -> Result<String, String> {
    let intent = sb.card_intent().await;
    let r = sb
        .post(
            &format!("v1/payment_intents/{}/confirm", intent.id),
            &[("payment_method", id), ("off_session", "true")],
        )
        .await;
    let body: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
    Ok(body["status"]
        .as_str()
        .or(body["error"]["code"].as_str())
        .unwrap_or("")
        .to_string())
}

/// Whether a case behaves as documented: `Ok(true)`, or `Ok(false)` for documented behaviour
/// the sandbox does not simulate (what it does simulate behaved).
async fn check(sb: &TestSandbox, case: &Case) -> Result<bool, String> {
    let intent = sb.card_intent().await;
    let confirmed = confirm(sb, &intent, case.input).await?;
    let pi = retrieve(sb, intent.id.as_str()).await?;
    let no_card_data = matches!(case.outcome, Declined("incorrect_number", ..));
    if !no_card_data {
        let (brand, funding, country) = card_fields(&pi).ok_or("no card details on the intent")?;
        expect_eq("brand", brand.as_str(), case.brand)?;
        expect_eq("funding", funding.as_str(), case.funding)?;
        expect_eq("country", country.as_str(), case.country)?;
    }
    check_outcome(sb, case, &case.outcome, &confirmed, &pi).await
}

async fn check_outcome(
    sb: &TestSandbox,
    case: &Case,
    outcome: &Outcome,
    confirmed: &Confirmed,
    pi: &PaymentIntent,
) -> Result<bool, String> {
    let charge_outcome = |pi: &PaymentIntent| {
        latest_charge(pi)
            .and_then(|c| c.outcome.as_ref())
            .and_then(|o| o.risk_level.clone())
    };
    match *outcome {
        Paid(risk) => {
            expect_status(confirmed, "succeeded")?;
            expect_eq("risk_level", charge_outcome(pi).as_deref(), Some(risk))?;
        }
        PaidWithAddressChecks(line1, postal) => {
            expect_status(confirmed, "succeeded")?;
            let checks = latest_charge(pi)
                .and_then(|c| c.payment_method_details.as_ref())
                .and_then(|d| d.card.as_ref())
                .and_then(|c| c.checks.as_ref())
                .ok_or("no checks")?;
            expect_eq(
                "address_line1_check",
                checks.address_line1_check.as_deref(),
                Some(line1),
            )?;
            expect_eq(
                "address_postal_code_check",
                checks.address_postal_code_check.as_deref(),
                Some(postal),
            )?;
        }
        Declined(code, decline_code, message) => {
            expect_decline(confirmed, (code, decline_code, message))?;
            expect_eq(
                "status",
                pi.status.clone(),
                PaymentIntentStatus::RequiresPaymentMethod,
            )?;
        }
        Authenticates | AuthenticatesOnSessionOnly | AlwaysAuthenticates => {
            expect_status(confirmed, "requires_action")?;
            let paid = authenticate(sb, pi).await?;
            expect_eq(
                "status after authenticating",
                paid.status.clone(),
                PaymentIntentStatus::Succeeded,
            )?;
            if let Input::Id(id) = case.input {
                let off = off_session(sb, id).await?;
                match *outcome {
                    AuthenticatesOnSessionOnly => {
                        expect_eq("off-session", off.as_str(), "succeeded")?
                    }
                    AlwaysAuthenticates => {
                        expect_eq("off-session", off.as_str(), "authentication_required")?
                    }
                    _ => {}
                }
            }
        }
        AuthenticatesThenDeclined(code, decline_code, message) => {
            expect_status(confirmed, "requires_action")?;
            let after = authenticate(sb, pi).await?;
            expect_eq(
                "status",
                after.status.clone(),
                PaymentIntentStatus::RequiresPaymentMethod,
            )?;
            let e = after
                .last_payment_error
                .as_ref()
                .ok_or("no last_payment_error")?;
            expect_eq("code", e.code.as_ref().map(|c| c.as_str()), Some(code))?;
            expect_eq("decline_code", e.decline_code.as_deref(), decline_code)?;
            expect_eq("message", e.message.as_deref(), Some(message))?;
        }
        PaidWithEarlyFraudWarning => {
            expect_status(confirmed, "succeeded")?;
            let events: serde_json::Value = sb
                .get("v1/events?type=radar.early_fraud_warning.created")
                .await
                .json()
                .await
                .map_err(|e| e.to_string())?;
            let charge = latest_charge(pi).map(|c| c.id.to_string());
            let warned = events["data"].as_array().into_iter().flatten().any(|e| {
                let w = &e["data"]["object"];
                w["payment_intent"] == pi.id.as_str()
                    && w["charge"].as_str() == charge.as_deref()
                    && w["actionable"] == true
            });
            if !warned {
                return Err("no early fraud warning".into());
            }
        }
        DisputedEligible(reason, programme) => {
            expect_status(confirmed, "succeeded")?;
            let disputes = ListDispute::new()
                .payment_intent(pi.id.as_str())
                .send(&sb.client)
                .await
                .map_err(|e| format!("{e:?}"))?;
            let dispute = disputes.data.first().ok_or("not disputed")?;
            expect_eq("dispute reason", dispute.reason.as_str(), reason)?;
            let types: Vec<&str> = dispute
                .enhanced_eligibility_types
                .iter()
                .map(|t| t.as_str())
                .collect();
            expect_eq("enhanced_eligibility_types", types, vec![programme])?;
        }
        Disputed(reason, inquiry) => {
            expect_status(confirmed, "succeeded")?;
            let disputes = ListDispute::new()
                .payment_intent(pi.id.as_str())
                .send(&sb.client)
                .await
                .map_err(|e| format!("{e:?}"))?;
            let dispute = disputes.data.first().ok_or("not disputed")?;
            expect_eq("dispute reason", dispute.reason.as_str(), reason)?;
            let status = if inquiry {
                DisputeStatus::WarningNeedsResponse
            } else {
                DisputeStatus::NeedsResponse
            };
            expect_eq("dispute status", dispute.status.clone(), status)?;
        }
        RefundPendingThenSucceeds | RefundSucceedsThenFails => {
            expect_status(confirmed, "succeeded")?;
            let refund = CreateRefund::new()
                .payment_intent(pi.id.as_str())
                .send(&sb.client)
                .await
                .map_err(|e| format!("{e:?}"))?;
            let (first, later) = match outcome {
                RefundPendingThenSucceeds => ("pending", "succeeded"),
                _ => ("succeeded", "failed"),
            };
            expect_eq("refund status", refund.status.as_deref(), Some(first))?;
            sb.control("refunds/settle", &[("refund", refund.id.as_str())])
                .await;
            let refund = RetrieveRefund::new(refund.id.clone())
                .send(&sb.client)
                .await
                .map_err(|e| format!("{e:?}"))?;
            expect_eq("refund status later", refund.status.as_deref(), Some(later))?;
        }
        NotModelled(_, inner) => {
            Box::pin(check_outcome(sb, case, inner, confirmed, pi)).await?;
            return Ok(false);
        }
    }
    Ok(true)
}

#[tokio::test]
async fn every_documented_test_card_and_payment_method_behaves_as_stripes_testing_page_says() {
    let sb = spawn_sandbox().await;
    let cases = documented();
    let report = std::env::var("SANDBOX_FIDELITY_REPORT").is_ok_and(|v| v == "1");
    // (numbers as documented, numbers, ids as documented, ids)
    let mut tally = [0usize; 4];
    let mut failures = Vec::new();
    let mut partial = Vec::new();
    for case in &cases {
        let slot = match case.input {
            Input::Number(_) => 0,
            Input::Id(_) => 2,
        };
        tally[slot + 1] += 1;
        match check(&sb, case).await {
            Ok(true) => tally[slot] += 1,
            Ok(false) => {
                if let NotModelled(reason, _) = case.outcome {
                    partial.push(format!("{:?} ({}): {reason}", case.input, case.page));
                }
            }
            Err(e) => failures.push(format!("{:?} ({}): {e}", case.input, case.page)),
        }
    }
    if report {
        println!(
            "documented test card numbers behaving as documented: {} of {}",
            tally[0], tally[1]
        );
        println!(
            "documented test PaymentMethod ids behaving as documented: {} of {}",
            tally[2], tally[3]
        );
        println!(
            "all documented inputs: {} of {}",
            tally[0] + tally[2],
            tally[1] + tally[3]
        );
        for p in &partial {
            println!("  not simulated: {p}");
        }
        for f in &failures {
            println!("  differs: {f}");
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
