//! Stripe's test cards and test PaymentMethod ids, and what each one does.

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

/// The test cards: number, behaviour.
const CARDS: &[(&str, Behaviour)] = &[
    ("4242424242424242", Behaviour::Succeeds),
    ("4000056655665556", Behaviour::Succeeds),
    ("5555555555554444", Behaviour::Succeeds),
    ("2223003122003222", Behaviour::Succeeds),
    ("5200828282828210", Behaviour::Succeeds),
    ("378282246310005", Behaviour::Succeeds),
    ("6011111111111117", Behaviour::Succeeds),
    ("4000002500003155", Behaviour::RequiresAuthentication),
    ("4000000000003220", Behaviour::RequiresAuthentication),
    ("4000000000003063", Behaviour::RequiresAuthentication),
    ("4000002760003184", Behaviour::AlwaysAuthenticate),
    ("4000000000000002", Behaviour::Declines(GENERIC_DECLINE)),
    ("4000000000009995", Behaviour::Declines(INSUFFICIENT_FUNDS)),
    ("4000000000009987", Behaviour::Declines(LOST_CARD)),
    ("4000000000009979", Behaviour::Declines(STOLEN_CARD)),
    ("4000000000000069", Behaviour::Declines(EXPIRED_CARD)),
    ("4000000000000127", Behaviour::Declines(INCORRECT_CVC)),
    ("4000000000000119", Behaviour::Declines(PROCESSING_ERROR)),
    ("4000000000007726", Behaviour::Succeeds),
    ("4000000000005126", Behaviour::Succeeds),
    ("4000000000000259", Behaviour::Succeeds),
    ("4000000000002685", Behaviour::Succeeds),
    ("4000000000001976", Behaviour::Succeeds),
];

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

pub fn refund_behaviour(number: &str) -> RefundBehaviour {
    match number {
        "4000000000007726" => RefundBehaviour::PendingThenSucceeds,
        "4000000000005126" => RefundBehaviour::SucceedsThenFails,
        _ => RefundBehaviour::Succeeds,
    }
}

/// The dispute a card's payment draws once it succeeded (Stripe's /testing#disputes):
/// (reason, whether it is an inquiry).
pub fn dispute_after_payment(number: &str) -> Option<(&'static str, bool)> {
    match number {
        "4000000000000259" => Some(("fraudulent", false)),
        "4000000000002685" => Some(("product_not_received", false)),
        "4000000000001976" => Some(("fraudulent", true)),
        _ => None,
    }
}

/// Stripe's test PaymentMethod ids and the card numbers behind them.
const TEST_PAYMENT_METHODS: &[(&str, &str)] = &[
    ("pm_card_visa", "4242424242424242"),
    ("pm_card_visa_debit", "4000056655665556"),
    ("pm_card_mastercard", "5555555555554444"),
    ("pm_card_amex", "378282246310005"),
    ("pm_card_discover", "6011111111111117"),
    ("pm_card_authenticationRequiredOnSetup", "4000002500003155"),
    ("pm_card_threeDSecure2Required", "4000000000003220"),
    ("pm_card_threeDSecureRequired", "4000000000003063"),
    ("pm_card_authenticationRequired", "4000002760003184"),
    ("pm_card_chargeDeclined", "4000000000000002"),
    (
        "pm_card_chargeDeclinedInsufficientFunds",
        "4000000000009995",
    ),
    ("pm_card_chargeDeclinedLostCard", "4000000000009987"),
    ("pm_card_chargeDeclinedStolenCard", "4000000000009979"),
    ("pm_card_chargeDeclinedExpiredCard", "4000000000000069"),
    ("pm_card_chargeDeclinedIncorrectCvc", "4000000000000127"),
    ("pm_card_chargeDeclinedProcessingError", "4000000000000119"),
    ("pm_card_pendingRefund", "4000000000007726"),
    ("pm_card_refundFail", "4000000000005126"),
    ("pm_card_createDispute", "4000000000000259"),
    (
        "pm_card_createDisputeProductNotReceived",
        "4000000000002685",
    ),
    ("pm_card_createDisputeInquiry", "4000000000001976"),
];

/// The card number behind a test PaymentMethod id (`pm_card_visa`).
pub fn test_payment_method(id: &str) -> Option<&'static str> {
    TEST_PAYMENT_METHODS
        .iter()
        .find(|(pm, _)| *pm == id)
        .map(|(_, n)| *n)
}

/// What a card number does. Numbers failing the Luhn check are `incorrect_number`; other
/// numbers that are not test cards are refused as live cards, as Stripe does in test mode.
pub fn behaviour(number: &str) -> Behaviour {
    if let Some((_, b)) = CARDS.iter().find(|(n, _)| *n == number) {
        return *b;
    }
    if !luhn_valid(number) {
        return Behaviour::Declines(INCORRECT_NUMBER);
    }
    Behaviour::Declines(LIVE_CARD_IN_TEST_MODE)
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

/// `credit` or `debit`.
pub fn funding(number: &str) -> &'static str {
    match number {
        "4000056655665556" | "5200828282828210" => "debit",
        _ => "credit",
    }
}

#[cfg(test)]
mod tests {
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
        for (n, _) in CARDS {
            assert!(luhn_valid(n), "{n}");
        }
    }
}
