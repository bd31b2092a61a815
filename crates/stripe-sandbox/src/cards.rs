//! Stripe's test cards (/testing), in one table: each card's brand, funding and country, what
//! it does when it is charged, the checks and the Radar risk its charge shows, what happens to
//! its refunds and after it paid, and its test PaymentMethod ids. A number that is not a test
//! card is declined as Stripe declines it in test mode.

/// What happens when a card is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Succeeds,
    /// 3-D Secure is required for on-session payments; off-session ones are declined
    /// `authentication_required`.
    RequiresAuthentication,
    /// Authentication is required on every payment, even off-session.
    AlwaysAuthenticate,
    /// Set up for off-session use: on-session payments authenticate, off-session ones succeed
    /// (4000 0038 0000 0446).
    AuthenticateOnSession,
    /// 3-D Secure is required; once the shopper authenticates, the issuer declines.
    AuthenticateThenDecline(Decline),
    Declines(Decline),
}

/// A decline as Stripe reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline {
    pub code: &'static str,
    pub decline_code: Option<&'static str>,
    pub message: &'static str,
    /// The parameter blamed (`cvc`, `number`), if any.
    pub param: Option<&'static str>,
    /// Whether the network saw the payment (a failed charge is created).
    pub creates_charge: bool,
    /// Radar blocked it before the issuer saw it: the charge's `outcome.type` is `blocked`
    /// with this `outcome.reason`.
    pub blocked: Option<&'static str>,
}

const fn declined(decline_code: &'static str, message: &'static str) -> Decline {
    Decline {
        code: "card_declined",
        decline_code: Some(decline_code),
        message,
        param: None,
        creates_charge: true,
        blocked: None,
    }
}

pub const GENERIC_DECLINE: Decline = declined("generic_decline", "Your card was declined.");
pub const INSUFFICIENT_FUNDS: Decline =
    declined("insufficient_funds", "Your card has insufficient funds.");
pub const LOST_CARD: Decline = declined("lost_card", "Your card was declined.");
pub const STOLEN_CARD: Decline = declined("stolen_card", "Your card was declined.");
pub const VELOCITY_EXCEEDED: Decline = declined(
    "card_velocity_exceeded",
    "Your card was declined for making repeated attempts too frequently or exceeding its amount limit.",
);
pub const EXPIRED_CARD: Decline = Decline {
    code: "expired_card",
    decline_code: Some("expired_card"),
    message: "Your card has expired.",
    param: Some("exp_month"),
    creates_charge: true,
    blocked: None,
};
pub const INCORRECT_CVC: Decline = Decline {
    code: "incorrect_cvc",
    decline_code: Some("incorrect_cvc"),
    message: "Your card's security code is incorrect.",
    param: Some("cvc"),
    creates_charge: true,
    blocked: None,
};
/// A failed postal code check, blocked by Radar's default rule (the message is unconfirmed:
/// Stripe's pages name the code, not its words).
pub const INCORRECT_ZIP: Decline = Decline {
    code: "incorrect_zip",
    decline_code: Some("incorrect_zip"),
    message: "The zip code you supplied failed validation.",
    param: Some("address_zip"),
    creates_charge: true,
    blocked: Some("rule"),
};
/// A failed CVC check, blocked by Radar's default rule "Block if CVC verification fails".
pub const CVC_CHECK_FAILED: Decline = Decline {
    blocked: Some("rule"),
    ..INCORRECT_CVC
};
pub const PROCESSING_ERROR: Decline = Decline {
    code: "processing_error",
    decline_code: Some("processing_error"),
    message: "An error occurred while processing your card. Try again in a little bit.",
    param: None,
    creates_charge: true,
    blocked: None,
};
/// Radar blocks the payment (/radar/testing: `decline_code` `fraudulent`).
pub const RADAR_BLOCK: Decline = Decline {
    blocked: Some("rule"),
    ..declined("fraudulent", "Your card was declined.")
};
/// Radar blocks a payment of the highest risk level.
pub const HIGHEST_RISK: Decline = Decline {
    blocked: Some("highest_risk_level"),
    ..declined("fraudulent", "Your card was declined.")
};
pub const INCORRECT_NUMBER: Decline = Decline {
    code: "incorrect_number",
    decline_code: None,
    message: "Your card number is incorrect.",
    param: Some("number"),
    creates_charge: false,
    blocked: None,
};
pub const LIVE_CARD_IN_TEST_MODE: Decline = declined(
    "live_mode_test_card",
    "Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.",
);
pub const AUTHENTICATION_REQUIRED: Decline = Decline {
    code: "authentication_required",
    decline_code: Some("authentication_required"),
    message: "Your card was declined. This transaction requires authentication.",
    param: None,
    creates_charge: true,
    blocked: None,
};

/// What happens to a refund of a card's payment (Stripe's /testing#refunds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundBehaviour {
    /// Succeeds at once and never changes.
    Succeeds,
    /// Starts `pending`, later `succeeded` (`refund.updated`): 4000 0000 0000 7726.
    PendingThenSucceeds,
    /// Starts `succeeded`, later `failed` (`refund.failed`): 4000 0000 0000 5126.
    SucceedsThenFails,
}

/// A dispute the cardholder's bank opens once the card's payment succeeded (/testing#disputes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisputeAfterPayment {
    pub reason: &'static str,
    /// An inquiry rather than a chargeback: no money is withdrawn.
    pub inquiry: bool,
    /// The network programme the dispute is eligible for (`enhanced_eligibility_types`):
    /// `visa_compelling_evidence_3` or `visa_compliance`.
    pub enhanced_eligibility: Option<&'static str>,
}

/// A check that fails when its data was given (/testing#fraud-prevention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    /// Every check given passes.
    Pass,
    /// `cvc_check: fail` when a CVC is given.
    CvcFails,
    /// `address_postal_code_check: fail` when a postal code is given.
    PostalCodeFails,
    /// `address_line1_check: fail` when a first address line is given; the payment succeeds.
    Line1Fails,
    /// Both address checks fail.
    AddressFails,
    /// The address checks are `unavailable`; the payment succeeds.
    AddressUnavailable,
}

/// One of Stripe's test cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCard {
    pub number: &'static str,
    /// Its test PaymentMethod ids (`pm_card_visa`), when Stripe has any.
    pub payment_methods: &'static [&'static str],
    /// `visa`, `mastercard`, `amex`, `discover`, `diners`, `jcb`, `unionpay` or `unknown`.
    pub brand: &'static str,
    /// The co-badged network shown as `display_brand` and offered in `networks.available`
    /// (`cartes_bancaires`, `eftpos_au`).
    pub co_brand: Option<&'static str>,
    /// `credit`, `debit` or `prepaid`.
    pub funding: &'static str,
    /// The issuer's country (ISO 3166-1 alpha-2).
    pub country: &'static str,
    pub charge: Behaviour,
    pub checks: Checks,
    /// Radar's `outcome.risk_level` on a charge that goes through: `normal` or `elevated`.
    pub risk_level: &'static str,
    pub refund: RefundBehaviour,
    pub dispute: Option<DisputeAfterPayment>,
    /// The issuer reports the payment as fraud once it succeeded
    /// (`radar.early_fraud_warning.created`).
    pub early_fraud_warning: bool,
}

/// A US credit card that does `charge`, whose checks pass, whose refunds succeed and which is
/// never disputed.
const fn card(
    number: &'static str,
    payment_methods: &'static [&'static str],
    brand: &'static str,
    charge: Behaviour,
) -> TestCard {
    TestCard {
        number,
        payment_methods,
        brand,
        co_brand: None,
        funding: "credit",
        country: "US",
        charge,
        checks: Checks::Pass,
        risk_level: "normal",
        refund: RefundBehaviour::Succeeds,
        dispute: None,
        early_fraud_warning: false,
    }
}

/// A Visa card that does `charge`.
const fn visa(number: &'static str, pms: &'static [&'static str], charge: Behaviour) -> TestCard {
    card(number, pms, "visa", charge)
}

/// A Visa card issued in `country` that succeeds (/testing#international-cards).
const fn visa_from(
    country: &'static str,
    number: &'static str,
    pms: &'static [&'static str],
) -> TestCard {
    visa(number, pms, Succeeds).from(country)
}

impl TestCard {
    const fn debit(self) -> Self {
        Self {
            funding: "debit",
            ..self
        }
    }

    const fn prepaid(self) -> Self {
        Self {
            funding: "prepaid",
            ..self
        }
    }

    const fn from(self, country: &'static str) -> Self {
        Self { country, ..self }
    }

    const fn co_branded(self, network: &'static str) -> Self {
        Self {
            co_brand: Some(network),
            ..self
        }
    }

    const fn checks(self, checks: Checks) -> Self {
        Self { checks, ..self }
    }

    const fn elevated_risk(self) -> Self {
        Self {
            risk_level: "elevated",
            ..self
        }
    }

    const fn refunds(self, refund: RefundBehaviour) -> Self {
        Self { refund, ..self }
    }

    const fn disputed(self, reason: &'static str, inquiry: bool) -> Self {
        Self {
            dispute: Some(DisputeAfterPayment {
                reason,
                inquiry,
                enhanced_eligibility: None,
            }),
            ..self
        }
    }

    const fn eligible_for(self, programme: &'static str) -> Self {
        match self.dispute {
            Some(d) => Self {
                dispute: Some(DisputeAfterPayment {
                    enhanced_eligibility: Some(programme),
                    ..d
                }),
                ..self
            },
            None => self,
        }
    }

    const fn early_fraud_warning(self) -> Self {
        Self {
            early_fraud_warning: true,
            ..self
        }
    }
}

use Behaviour::{
    AlwaysAuthenticate, AuthenticateOnSession, AuthenticateThenDecline, Declines,
    RequiresAuthentication, Succeeds,
};
use Checks::{AddressFails, AddressUnavailable, CvcFails, Line1Fails, PostalCodeFails};
use RefundBehaviour::{PendingThenSucceeds, SucceedsThenFails};

/// The test cards. Funding is credit unless Stripe's page says debit or prepaid; the country is
/// the US unless the page gives another (the issuers of JCB, UnionPay, Cartes Bancaires and
/// eftpos cards are outside the US).
pub const CARDS: &[TestCard] = &[
    // /testing#cards
    visa(
        "4242424242424242",
        &["pm_card_visa", "pm_card_us"],
        Succeeds,
    ),
    visa("4000056655665556", &["pm_card_visa_debit"], Succeeds).debit(),
    card(
        "5555555555554444",
        &["pm_card_mastercard"],
        "mastercard",
        Succeeds,
    ),
    card("2223003122003222", &[], "mastercard", Succeeds),
    card(
        "5200828282828210",
        &["pm_card_mastercard_debit"],
        "mastercard",
        Succeeds,
    )
    .debit(),
    card(
        "5105105105105100",
        &["pm_card_mastercard_prepaid"],
        "mastercard",
        Succeeds,
    )
    .prepaid(),
    card(
        "378282246310005",
        &["pm_card_amex", "pm_card_amex_threeDSecureNotSupported"],
        "amex",
        Succeeds,
    ),
    card("371449635398431", &[], "amex", Succeeds),
    card(
        "6011111111111117",
        &["pm_card_discover"],
        "discover",
        Succeeds,
    ),
    card("6011000990139424", &[], "discover", Succeeds),
    card("6011981111111113", &[], "discover", Succeeds).debit(),
    card("3056930009020004", &["pm_card_diners"], "diners", Succeeds),
    card("36227206271667", &[], "diners", Succeeds),
    // BCcard and DinaCard: Discover's network (6555); the issuer's country is unconfirmed.
    card("6555900000604105", &[], "discover", Succeeds),
    card("3566002020360505", &["pm_card_jcb"], "jcb", Succeeds).from("JP"),
    card(
        "6200000000000005",
        &["pm_card_unionpay"],
        "unionpay",
        Succeeds,
    )
    .from("CN"),
    card("6200000000000047", &[], "unionpay", Succeeds)
        .debit()
        .from("CN"),
    card("6205500000000000004", &[], "unionpay", Succeeds).from("CN"),
    visa(
        "4000002500001001",
        &["pm_card_visa_cartesBancaires"],
        Succeeds,
    )
    .co_branded("cartes_bancaires")
    .from("FR"),
    card(
        "5555552500001001",
        &["pm_card_mastercard_cartesBancaires"],
        "mastercard",
        Succeeds,
    )
    .co_branded("cartes_bancaires")
    .from("FR"),
    visa(
        "4000050360000001",
        &["pm_card_visa_debit_eftposAuCoBranded"],
        Succeeds,
    )
    .co_branded("eftpos_au")
    .debit()
    .from("AU"),
    card(
        "5555050360000080",
        &["pm_card_mastercard_debit_eftposAuCoBranded"],
        "mastercard",
        Succeeds,
    )
    .co_branded("eftpos_au")
    .debit()
    .from("AU"),
    visa(
        "4000051230000072",
        &[
            "pm_card_debit_visaFsaProductCode",
            "pm_card_debit_visaHsaProductCode",
        ],
        Succeeds,
    )
    .debit(),
    card(
        "5200828282828897",
        &["pm_card_mastercard_debit_mastercardFsaProductCode"],
        "mastercard",
        Succeeds,
    )
    .debit(),
    // /testing#international-cards: the Americas
    visa_from("AR", "4000000320000021", &["pm_card_ar"]),
    visa_from("BR", "4000000760000002", &["pm_card_br"]),
    visa_from("CA", "4000001240000000", &["pm_card_ca"]),
    visa_from("CL", "4000001520000001", &["pm_card_cl"]),
    visa_from("CO", "4000001700000003", &["pm_card_co"]),
    visa_from("CR", "4000001880000005", &["pm_card_cr"]),
    visa_from("EC", "4000002180000000", &["pm_card_ec"]),
    visa_from("MX", "4000004840008001", &["pm_card_mx"]),
    // Carnet, a Mexican network with no brand of its own in the API (unconfirmed).
    card("5062210000000009", &[], "unknown", Succeeds).from("MX"),
    visa_from("PA", "4000005910000000", &["pm_card_pa"]),
    visa_from("PY", "4000006000000066", &["pm_card_py"]),
    visa_from("PE", "4000006040000068", &["pm_card_pe"]),
    visa_from("UY", "4000008580000003", &["pm_card_uy"]),
    // Europe and the Middle East
    visa_from("AT", "4000000400000008", &["pm_card_at"]),
    visa_from("BE", "4000000560000004", &["pm_card_be"]),
    visa_from("BG", "4000001000000000", &["pm_card_bg"]),
    visa_from("BY", "4000001120000005", &["pm_card_by"]),
    visa_from("CY", "4000001960000008", &["pm_card_cy"]),
    visa_from("CZ", "4000002030000002", &["pm_card_cz"]),
    visa_from("DK", "4000002080000001", &["pm_card_dk"]),
    visa_from("FI", "4000002460000001", &["pm_card_fi"]),
    visa_from("FR", "4000002500000003", &["pm_card_fr"]),
    visa_from("DE", "4000002760000016", &["pm_card_de"]),
    visa_from("GR", "4000003000000030", &["pm_card_gr"]),
    visa_from("HU", "4000003480000005", &["pm_card_hu"]),
    visa_from("IE", "4000003720000005", &["pm_card_ie"]),
    visa_from("IT", "4000003800000008", &["pm_card_it"]),
    visa_from("LV", "4000004280000005", &["pm_card_lv"]),
    visa_from("LT", "4000004400000000", &["pm_card_lt"]),
    visa_from("LU", "4000004420000006", &["pm_card_lu"]),
    visa_from("MT", "4000004700000007", &["pm_card_mt"]),
    visa_from("NL", "4000005280000002", &["pm_card_nl"]),
    visa_from("NO", "4000005780000007", &["pm_card_no"]),
    visa_from("PL", "4000006160000005", &["pm_card_pl"]),
    visa_from("PT", "4000006200000007", &["pm_card_pt"]),
    visa_from("RO", "4000006420000001", &["pm_card_ro"]),
    visa_from("SA", "4000006820000007", &[]),
    visa_from("SI", "4000007050000006", &["pm_card_si"]),
    visa_from("SK", "4000007030000001", &["pm_card_sk"]),
    visa_from("ES", "4000007240000007", &["pm_card_es"]),
    visa_from("SE", "4000007520000008", &["pm_card_se"]),
    visa_from("CH", "4000007560000009", &["pm_card_ch"]),
    visa_from("GB", "4000008260000000", &["pm_card_gb"]),
    visa_from("GB", "4000058260000005", &["pm_card_gb_debit"]).debit(),
    card(
        "5555558265554449",
        &["pm_card_gb_mastercard"],
        "mastercard",
        Succeeds,
    )
    .from("GB"),
    // Asia-Pacific
    visa_from("AU", "4000000360000006", &["pm_card_au"]),
    visa_from("CN", "4000001560000002", &["pm_card_cn"]),
    visa_from("HK", "4000003440000004", &["pm_card_hk"]),
    visa_from("IN", "4000003560000008", &["pm_card_in"]),
    visa_from("JP", "4000003920000003", &["pm_card_jp"]),
    card("3530111333300000", &[], "jcb", Succeeds).from("JP"),
    visa_from("MY", "4000004580000002", &["pm_card_my"]),
    visa_from("NZ", "4000005540000008", &["pm_card_nz"]),
    visa_from("SG", "4000007020000003", &["pm_card_sg"]),
    visa_from("TW", "4000001580000008", &["pm_card_tw"]),
    visa_from("TH", "4000007640000003", &["pm_card_th_credit"]),
    visa_from("TH", "4000057640000008", &["pm_card_th_debit"]).debit(),
    // /testing#declined-payments (the older ids without `visa_` are kept: integrations use them)
    visa(
        "4000000000000002",
        &["pm_card_visa_chargeDeclined", "pm_card_chargeDeclined"],
        Declines(GENERIC_DECLINE),
    ),
    visa(
        "4000000000009995",
        &[
            "pm_card_visa_chargeDeclinedInsufficientFunds",
            "pm_card_chargeDeclinedInsufficientFunds",
        ],
        Declines(INSUFFICIENT_FUNDS),
    ),
    visa(
        "4000000000009987",
        &[
            "pm_card_visa_chargeDeclinedLostCard",
            "pm_card_chargeDeclinedLostCard",
        ],
        Declines(LOST_CARD),
    ),
    visa(
        "4000000000009979",
        &[
            "pm_card_visa_chargeDeclinedStolenCard",
            "pm_card_chargeDeclinedStolenCard",
        ],
        Declines(STOLEN_CARD),
    ),
    visa(
        "4000000000000069",
        &["pm_card_chargeDeclinedExpiredCard"],
        Declines(EXPIRED_CARD),
    ),
    visa(
        "4000000000000127",
        &["pm_card_chargeDeclinedIncorrectCvc"],
        Declines(INCORRECT_CVC),
    ),
    visa(
        "4000000000000119",
        &["pm_card_chargeDeclinedProcessingError"],
        Declines(PROCESSING_ERROR),
    ),
    visa(
        "4000000000006975",
        &["pm_card_visa_chargeDeclinedVelocityLimitExceeded"],
        Declines(VELOCITY_EXCEEDED),
    ),
    // Attaching it to a customer succeeds; charging it is declined.
    visa(
        "4000000000000341",
        &["pm_card_chargeCustomerFail"],
        Declines(GENERIC_DECLINE),
    ),
    // /testing#fraud-prevention
    visa(
        "4100000000000019",
        &["pm_card_radarBlock"],
        Declines(RADAR_BLOCK),
    ),
    visa(
        "4000000000004954",
        &["pm_card_riskLevelHighest"],
        Declines(HIGHEST_RISK),
    ),
    visa("4000000000009235", &["pm_card_riskLevelElevated"], Succeeds).elevated_risk(),
    visa("4000000000000101", &["pm_card_cvcCheckFail"], Succeeds).checks(CvcFails),
    visa("4000000000000036", &["pm_card_avsZipFail"], Succeeds).checks(PostalCodeFails),
    visa(
        "4000058400307872",
        &["pm_card_cvcCheckFailElevatedRisk"],
        Succeeds,
    )
    .checks(CvcFails)
    .elevated_risk(),
    visa(
        "4000058400306072",
        &["pm_card_avsZipFailElevatedRisk"],
        Succeeds,
    )
    .checks(PostalCodeFails)
    .elevated_risk(),
    visa("4000000000000028", &["pm_card_avsLine1Fail"], Succeeds).checks(Line1Fails),
    visa("4000000000000010", &["pm_card_avsFail"], Succeeds).checks(AddressFails),
    visa("4000000000000044", &["pm_card_avsUnchecked"], Succeeds).checks(AddressUnavailable),
    // /testing#regulatory-cards (3-D Secure)
    visa(
        "4000002500003155",
        &["pm_card_authenticationRequiredOnSetup"],
        RequiresAuthentication,
    ),
    visa(
        "4000002760003184",
        &["pm_card_authenticationRequired"],
        AlwaysAuthenticate,
    ),
    visa(
        "4000003800000446",
        &["pm_card_authenticationRequiredSetupForOffSession"],
        AuthenticateOnSession,
    ),
    visa(
        "4000008260003178",
        &["pm_card_authenticationRequiredChargeDeclinedInsufficientFunds"],
        AuthenticateThenDecline(INSUFFICIENT_FUNDS),
    ),
    visa(
        "4000000000003220",
        &["pm_card_threeDSecure2Required"],
        RequiresAuthentication,
    ),
    visa(
        "4000000000003063",
        &["pm_card_threeDSecureRequired"],
        RequiresAuthentication,
    ),
    visa(
        "4000008400001629",
        &["pm_card_threeDSecureRequiredChargeDeclined"],
        AuthenticateThenDecline(GENERIC_DECLINE),
    ),
    // The 3-D Secure lookup fails: the payment is declined without a challenge.
    visa(
        "4000008400001280",
        &["pm_card_threeDSecureRequiredProcessingError"],
        Declines(GENERIC_DECLINE),
    ),
    // 3-D Secure supported but not required: frictionless.
    visa(
        "4000000000003055",
        &["pm_card_threeDSecureOptional"],
        Succeeds,
    ),
    // 3-D Secure supported, but the lookup errors (unconfirmed: declined as a processing error).
    visa(
        "4000000000003097",
        &["pm_card_threeDSecureOptionalProcessingError"],
        Declines(PROCESSING_ERROR),
    ),
    // Mobile challenge flows: out of band, one-time passcode, single and multi select.
    visa("4000582600000094", &[], RequiresAuthentication),
    visa("4000582600000045", &[], RequiresAuthentication),
    visa("4000582600000102", &[], RequiresAuthentication),
    visa("4000582600000110", &[], RequiresAuthentication),
    // A captcha challenge.
    visa("4000000000001208", &[], RequiresAuthentication),
    visa("4000000000003725", &[], RequiresAuthentication),
    // /testing#disputes
    visa("4000000000000259", &["pm_card_createDispute"], Succeeds).disputed("fraudulent", false),
    visa(
        "4000000000002685",
        &["pm_card_createDisputeProductNotReceived"],
        Succeeds,
    )
    .disputed("product_not_received", false),
    visa(
        "4000000000001976",
        &["pm_card_createDisputeInquiry"],
        Succeeds,
    )
    .disputed("fraudulent", true),
    // The issuer then reports the payment as fraud: an early fraud warning.
    visa(
        "4000000000005423",
        &["pm_card_createIssuerFraudRecord"],
        Succeeds,
    )
    .early_fraud_warning(),
    visa(
        "4000000404000079",
        &["pm_card_createMultipleDisputes"],
        Succeeds,
    )
    .disputed("fraudulent", false),
    visa(
        "4000000404000038",
        &["pm_card_createCe3EligibleDispute"],
        Succeeds,
    )
    .disputed("fraudulent", false)
    .eligible_for("visa_compelling_evidence_3"),
    visa(
        "4000008400000779",
        &["pm_card_createComplianceDispute"],
        Succeeds,
    )
    .disputed("noncompliant", false)
    .eligible_for("visa_compliance"),
    // /testing#refunds
    visa("4000000000007726", &["pm_card_pendingRefund"], Succeeds).refunds(PendingThenSucceeds),
    visa("4000000000005126", &["pm_card_refundFail"], Succeeds).refunds(SucceedsThenFails),
    // /testing#available-balance: the money skips the pending balance.
    visa("4000000000000077", &["pm_card_bypassPending"], Succeeds),
    visa_from(
        "IE",
        "4000003720000278",
        &["pm_card_bypassPendingInternational"],
    ),
];

/// The test card with this number.
pub fn card_with_number(number: &str) -> Option<&'static TestCard> {
    CARDS.iter().find(|c| c.number == number)
}

/// The card number behind a test PaymentMethod id (`pm_card_visa`).
pub fn test_payment_method(id: &str) -> Option<&'static str> {
    CARDS
        .iter()
        .find(|c| c.payment_methods.contains(&id))
        .map(|c| c.number)
}

/// What a card number does. Numbers failing the Luhn check are `incorrect_number`; other
/// numbers that are not test cards are refused as live cards, as Stripe does in test mode.
pub fn behaviour(number: &str) -> Behaviour {
    if let Some(card) = card_with_number(number) {
        return card.charge;
    }
    if !luhn_valid(number) {
        return Behaviour::Declines(INCORRECT_NUMBER);
    }
    Behaviour::Declines(LIVE_CARD_IN_TEST_MODE)
}

/// What happens to a refund of the card's payment.
pub fn refund_behaviour(number: &str) -> RefundBehaviour {
    card_with_number(number).map_or(RefundBehaviour::Succeeds, |c| c.refund)
}

/// The dispute a card's payment draws once it succeeded.
pub fn dispute_after_payment(number: &str) -> Option<DisputeAfterPayment> {
    card_with_number(number).and_then(|c| c.dispute)
}

/// Whether the issuer reports the card's payments as fraud once they succeed.
pub fn early_fraud_warning(number: &str) -> bool {
    card_with_number(number).is_some_and(|c| c.early_fraud_warning)
}

/// `credit`, `debit` or `prepaid`.
pub fn funding(number: &str) -> &'static str {
    card_with_number(number).map_or("credit", |c| c.funding)
}

/// The issuer's country.
pub fn country(number: &str) -> &'static str {
    card_with_number(number).map_or("US", |c| c.country)
}

/// Radar's risk level for a charge that goes through.
pub fn risk_level(number: &str) -> &'static str {
    card_with_number(number).map_or("normal", |c| c.risk_level)
}

/// The card's checks.
pub fn checks(number: &str) -> Checks {
    card_with_number(number).map_or(Checks::Pass, |c| c.checks)
}

/// The co-badged network, if any.
pub fn co_brand(number: &str) -> Option<&'static str> {
    card_with_number(number).and_then(|c| c.co_brand)
}

/// The results of the checks of data given with a card: `(cvc, line1, postal code)`, each
/// `None` when the data was not given.
pub fn check_results(
    number: &str,
    cvc: bool,
    line1: bool,
    postal_code: bool,
) -> [Option<&'static str>; 3] {
    let checks = checks(number);
    let given = |yes: bool, fails: bool| yes.then_some(if fails { "fail" } else { "pass" });
    let unavailable = |yes: bool| yes.then_some("unavailable");
    match checks {
        Checks::AddressUnavailable => [
            given(cvc, false),
            unavailable(line1),
            unavailable(postal_code),
        ],
        _ => [
            given(cvc, checks == Checks::CvcFails),
            given(
                line1,
                matches!(checks, Checks::Line1Fails | Checks::AddressFails),
            ),
            given(
                postal_code,
                matches!(checks, Checks::PostalCodeFails | Checks::AddressFails),
            ),
        ],
    }
}

/// The decline of Radar's default rules ("Block if CVC verification fails", "Block if postal
/// code verification fails") for a card whose check failed.
pub fn blocked_by_checks(number: &str, cvc: bool, postal_code: bool) -> Option<Decline> {
    let [cvc_check, _, postal_check] = check_results(number, cvc, false, postal_code);
    if cvc_check == Some("fail") {
        Some(CVC_CHECK_FAILED)
    } else if postal_check == Some("fail") {
        Some(INCORRECT_ZIP)
    } else {
        None
    }
}

pub fn luhn_valid(number: &str) -> bool {
    if number.len() < 12 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = number
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 { dd - 9 } else { dd }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Card brand as Stripe names it on PaymentMethods: the test card's, or read from the number's
/// prefix.
pub fn brand(number: &str) -> &'static str {
    if let Some(card) = card_with_number(number) {
        return card.brand;
    }
    let prefix = |n: usize| -> u32 { number.get(..n).and_then(|s| s.parse().ok()).unwrap_or(0) };
    let (two, three, four) = (prefix(2), prefix(3), prefix(4));
    match number.as_bytes().first() {
        Some(b'4') => "visa",
        Some(b'5') if (51..=55).contains(&two) => "mastercard",
        Some(b'2') if (2221..=2720).contains(&four) => "mastercard",
        Some(b'3') if two == 34 || two == 37 => "amex",
        Some(b'3') if (3528..=3589).contains(&four) => "jcb",
        Some(b'3') if two == 36 || two == 38 || two == 39 || (300..=305).contains(&three) => {
            "diners"
        }
        Some(b'6') if two == 62 => "unionpay",
        Some(b'6') => "discover",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_luhn_check_catches_the_incorrect_number_test_card() {
        assert!(luhn_valid("4242424242424242"));
        assert!(!luhn_valid("4242424242424241"));
        assert_eq!(
            behaviour("4242424242424241"),
            Behaviour::Declines(INCORRECT_NUMBER)
        );
    }

    #[test]
    fn every_test_card_passes_the_luhn_check() {
        for c in CARDS {
            assert!(luhn_valid(c.number), "{}", c.number);
        }
    }

    #[test]
    fn each_number_and_each_test_payment_method_is_in_the_table_once() {
        let numbers: HashSet<_> = CARDS.iter().map(|c| c.number).collect();
        assert_eq!(numbers.len(), CARDS.len());
        let ids: Vec<_> = CARDS
            .iter()
            .flat_map(|c| c.payment_methods.iter())
            .collect();
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
        assert_eq!(
            test_payment_method("pm_card_visa"),
            Some("4242424242424242")
        );
        assert_eq!(funding("5200828282828210"), "debit");
        assert_eq!(funding("5105105105105100"), "prepaid");
        assert_eq!(funding("4111111111111111"), "credit");
    }

    #[test]
    fn the_brand_of_a_number_outside_the_table_comes_from_its_prefix() {
        assert_eq!(brand("4111111111111111"), "visa");
        assert_eq!(brand("3530111333300001"), "jcb");
        assert_eq!(brand("6200000000000013"), "unionpay");
        assert_eq!(brand("30569309025904"), "diners");
    }

    #[test]
    fn a_check_fails_only_when_its_data_was_given() {
        assert_eq!(
            check_results("4000000000000101", false, false, false),
            [None, None, None]
        );
        assert_eq!(
            blocked_by_checks("4000000000000101", true, true),
            Some(CVC_CHECK_FAILED)
        );
        assert_eq!(blocked_by_checks("4000000000000036", true, false), None);
        assert_eq!(
            blocked_by_checks("4000000000000036", true, true),
            Some(INCORRECT_ZIP)
        );
        assert_eq!(blocked_by_checks("4000000000000028", true, true), None);
    }
}
