//! Stripe's test cards (/testing), in one table: what each card does when it is charged, when
//! its payment is refunded and after it paid, and its test PaymentMethod id. A number that is
//! not a test card is declined as Stripe declines it in test mode.

/// What happens when a card is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Succeeds,
    /// 3-D Secure is required for on-session payments.
    RequiresAuthentication,
    /// Authentication is required on every payment, even off-session.
    AlwaysAuthenticate,
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
}

const fn declined(decline_code: &'static str, message: &'static str) -> Decline {
    Decline {
        code: "card_declined",
        decline_code: Some(decline_code),
        message,
        param: None,
        creates_charge: true,
    }
}

pub const GENERIC_DECLINE: Decline = declined("generic_decline", "Your card was declined.");
pub const INSUFFICIENT_FUNDS: Decline =
    declined("insufficient_funds", "Your card has insufficient funds.");
pub const LOST_CARD: Decline = declined("lost_card", "Your card was declined.");
pub const STOLEN_CARD: Decline = declined("stolen_card", "Your card was declined.");
pub const EXPIRED_CARD: Decline = Decline {
    code: "expired_card",
    decline_code: Some("expired_card"),
    message: "Your card has expired.",
    param: Some("exp_month"),
    creates_charge: true,
};
pub const INCORRECT_CVC: Decline = Decline {
    code: "incorrect_cvc",
    decline_code: Some("incorrect_cvc"),
    message: "Your card's security code is incorrect.",
    param: Some("cvc"),
    creates_charge: true,
};
pub const PROCESSING_ERROR: Decline = Decline {
    code: "processing_error",
    decline_code: Some("processing_error"),
    message: "An error occurred while processing your card. Try again in a little bit.",
    param: None,
    creates_charge: true,
};
pub const INCORRECT_NUMBER: Decline = Decline {
    code: "incorrect_number",
    decline_code: None,
    message: "Your card number is incorrect.",
    param: Some("number"),
    creates_charge: false,
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
}

/// One of Stripe's test cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCard {
    pub number: &'static str,
    /// Its test PaymentMethod id (`pm_card_visa`), when Stripe has one.
    pub payment_method: Option<&'static str>,
    /// `credit` or `debit`.
    pub funding: &'static str,
    pub charge: Behaviour,
    pub refund: RefundBehaviour,
    pub dispute: Option<DisputeAfterPayment>,
}

/// A credit card that does `charge`, whose refunds succeed and which is never disputed.
const fn card(
    number: &'static str,
    payment_method: Option<&'static str>,
    charge: Behaviour,
) -> TestCard {
    TestCard {
        number,
        payment_method,
        funding: "credit",
        charge,
        refund: RefundBehaviour::Succeeds,
        dispute: None,
    }
}

impl TestCard {
    const fn debit(self) -> Self {
        Self {
            funding: "debit",
            ..self
        }
    }

    const fn refunds(self, refund: RefundBehaviour) -> Self {
        Self { refund, ..self }
    }

    const fn disputed(self, reason: &'static str, inquiry: bool) -> Self {
        Self {
            dispute: Some(DisputeAfterPayment { reason, inquiry }),
            ..self
        }
    }
}

use Behaviour::{AlwaysAuthenticate, Declines, RequiresAuthentication, Succeeds};
use RefundBehaviour::{PendingThenSucceeds, SucceedsThenFails};

/// The test cards.
pub const CARDS: &[TestCard] = &[
    card("4242424242424242", Some("pm_card_visa"), Succeeds),
    card("4000056655665556", Some("pm_card_visa_debit"), Succeeds).debit(),
    card("5555555555554444", Some("pm_card_mastercard"), Succeeds),
    card("2223003122003222", None, Succeeds),
    card("5200828282828210", None, Succeeds).debit(),
    card("378282246310005", Some("pm_card_amex"), Succeeds),
    card("6011111111111117", Some("pm_card_discover"), Succeeds),
    card(
        "4000002500003155",
        Some("pm_card_authenticationRequiredOnSetup"),
        RequiresAuthentication,
    ),
    card(
        "4000000000003220",
        Some("pm_card_threeDSecure2Required"),
        RequiresAuthentication,
    ),
    card(
        "4000000000003063",
        Some("pm_card_threeDSecureRequired"),
        RequiresAuthentication,
    ),
    card(
        "4000002760003184",
        Some("pm_card_authenticationRequired"),
        AlwaysAuthenticate,
    ),
    card(
        "4000000000000002",
        Some("pm_card_chargeDeclined"),
        Declines(GENERIC_DECLINE),
    ),
    card(
        "4000000000009995",
        Some("pm_card_chargeDeclinedInsufficientFunds"),
        Declines(INSUFFICIENT_FUNDS),
    ),
    card(
        "4000000000009987",
        Some("pm_card_chargeDeclinedLostCard"),
        Declines(LOST_CARD),
    ),
    card(
        "4000000000009979",
        Some("pm_card_chargeDeclinedStolenCard"),
        Declines(STOLEN_CARD),
    ),
    card(
        "4000000000000069",
        Some("pm_card_chargeDeclinedExpiredCard"),
        Declines(EXPIRED_CARD),
    ),
    card(
        "4000000000000127",
        Some("pm_card_chargeDeclinedIncorrectCvc"),
        Declines(INCORRECT_CVC),
    ),
    card(
        "4000000000000119",
        Some("pm_card_chargeDeclinedProcessingError"),
        Declines(PROCESSING_ERROR),
    ),
    card("4000000000007726", Some("pm_card_pendingRefund"), Succeeds).refunds(PendingThenSucceeds),
    card("4000000000005126", Some("pm_card_refundFail"), Succeeds).refunds(SucceedsThenFails),
    card("4000000000000259", Some("pm_card_createDispute"), Succeeds).disputed("fraudulent", false),
    card(
        "4000000000002685",
        Some("pm_card_createDisputeProductNotReceived"),
        Succeeds,
    )
    .disputed("product_not_received", false),
    card(
        "4000000000001976",
        Some("pm_card_createDisputeInquiry"),
        Succeeds,
    )
    .disputed("fraudulent", true),
];

/// The test card with this number.
pub fn card_with_number(number: &str) -> Option<&'static TestCard> {
    CARDS.iter().find(|c| c.number == number)
}

/// The card number behind a test PaymentMethod id (`pm_card_visa`).
pub fn test_payment_method(id: &str) -> Option<&'static str> {
    CARDS
        .iter()
        .find(|c| c.payment_method == Some(id))
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

/// `credit` or `debit`.
pub fn funding(number: &str) -> &'static str {
    card_with_number(number).map_or("credit", |c| c.funding)
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

/// Card brand as Stripe names it on PaymentMethods.
pub fn brand(number: &str) -> &'static str {
    let two: u32 = number.get(..2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let four: u32 = number.get(..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    match number.as_bytes().first() {
        Some(b'4') => "visa",
        Some(b'5') if (51..=55).contains(&two) => "mastercard",
        Some(b'2') if (2221..=2720).contains(&four) => "mastercard",
        Some(b'3') if two == 34 || two == 37 => "amex",
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
        let ids: Vec<_> = CARDS.iter().filter_map(|c| c.payment_method).collect();
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
        assert_eq!(
            test_payment_method("pm_card_visa"),
            Some("4242424242424242")
        );
        assert_eq!(funding("5200828282828210"), "debit");
        assert_eq!(funding("4111111111111111"), "credit");
    }
}
