//! SEPA Direct Debit: Stripe's test IBANs (/testing#sepa-direct-debit,
//! /payments/sepa-debit/accept-a-payment#web-test-integration), in one table, with what each
//! does once the debit is submitted, and the IBAN check (ISO 13616: country, length, mod-97).
//!
//! A SEPA debit is a delayed payment method: the PaymentIntent is `processing` at once, and
//! succeeds or fails later. Stripe's "immediate" test IBANs settle within moments in test mode
//! and its "delayed" ones after at least 3 minutes; the sandbox's schedule of both is a test
//! control (`_controls/bank_debits`).

/// What happens to a debit from an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    Succeeds,
    /// The debit fails: the charge fails with this code and message, the intent goes back to
    /// `requires_payment_method`.
    Fails(DebitFailure),
    /// It succeeds, then the account holder disputes it at once.
    SucceedsThenDisputed,
}

/// Why a debit failed, as the failed charge reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DebitFailure {
    pub code: &'static str,
    pub message: &'static str,
}

/// The failure of Stripe's failing test IBANs. The docs say only that the intent goes from
/// `processing` to `requires_payment_method`; the code and message are those of a debit
/// returned for insufficient funds (unconfirmed for the test IBANs).
pub const INSUFFICIENT_FUNDS: DebitFailure = DebitFailure {
    code: "insufficient_funds",
    message: "The customer's account has insufficient funds to cover this payment.",
};

/// One of Stripe's test IBANs.
#[derive(Debug, Clone, Copy)]
pub struct TestIban {
    pub iban: &'static str,
    pub settlement: Settlement,
    /// Settles after "at least 3 minutes" rather than at once.
    pub delayed: bool,
}

const fn iban(iban: &'static str, settlement: Settlement, delayed: bool) -> TestIban {
    TestIban {
        iban,
        settlement,
        delayed,
    }
}

const FAILS: Settlement = Settlement::Fails(INSUFFICIENT_FUNDS);

/// /testing#sepa-direct-debit (Germany and Austria).
pub const TEST_IBANS: &[TestIban] = &[
    iban("DE89370400440532013000", Settlement::Succeeds, false),
    iban("DE08370400440532013003", Settlement::Succeeds, true),
    iban("DE62370400440532013001", FAILS, false),
    iban("DE78370400440532013004", FAILS, true),
    iban(
        "DE35370400440532013002",
        Settlement::SucceedsThenDisputed,
        false,
    ),
    iban("AT611904300234573201", Settlement::Succeeds, false),
    iban("AT321904300235473204", Settlement::Succeeds, true),
    iban("AT861904300235473202", FAILS, false),
    iban("AT051904300235473205", FAILS, true),
    iban(
        "AT591904300235473203",
        Settlement::SucceedsThenDisputed,
        false,
    ),
];

/// What a debit from `iban` (normalised) does. An IBAN that is not one of Stripe's test IBANs
/// settles as the first one does (unconfirmed: Stripe's docs list only the test IBANs).
pub fn test_iban(iban: &str) -> TestIban {
    TEST_IBANS
        .iter()
        .find(|t| t.iban == iban)
        .copied()
        .unwrap_or(TestIban {
            iban: "",
            settlement: Settlement::Succeeds,
            delayed: false,
        })
}

/// IBAN length of each SEPA country (ISO 13616 registry).
const SEPA_COUNTRIES: &[(&str, usize)] = &[
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GI", 23),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("VA", 22),
];

/// The IBAN without spaces, upper-case, if it is a valid IBAN of a SEPA country.
pub fn normalise(input: &str) -> Option<String> {
    let iban: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let country = iban.get(..2)?;
    let (_, length) = SEPA_COUNTRIES.iter().find(|(c, _)| *c == country)?;
    if iban.len() != *length || !iban.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    // ISO 13616: move the first four characters to the end, letters become 10..35, and the
    // number is 1 modulo 97.
    let rearranged = iban[4..].chars().chain(iban[..4].chars());
    let mut remainder: u32 = 0;
    for c in rearranged {
        let value = c.to_digit(36)?;
        remainder = if value < 10 {
            (remainder * 10 + value) % 97
        } else {
            (remainder * 100 + value) % 97
        };
    }
    (remainder == 1).then_some(iban)
}

/// The country, bank code, branch code and last four digits a PaymentMethod shows. The bank
/// code is the national bank identifier where the sandbox knows its place (Germany: 8 digits,
/// Austria: 5), otherwise the 4 characters after the check digits.
pub fn parts(iban: &str) -> (String, String, String, String) {
    let country = iban.get(..2).unwrap_or_default().to_string();
    let bank_length = match country.as_str() {
        "DE" => 8,
        "AT" => 5,
        _ => 4,
    };
    let bank_code = iban.get(4..4 + bank_length).unwrap_or_default().to_string();
    let last4 = iban
        .get(iban.len().saturating_sub(4)..)
        .unwrap_or_default()
        .to_string();
    (country, bank_code, String::new(), last4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_test_iban_is_a_valid_iban() {
        for t in TEST_IBANS {
            assert_eq!(normalise(t.iban).as_deref(), Some(t.iban), "{}", t.iban);
        }
    }

    #[test]
    fn a_wrong_check_digit_length_or_country_is_refused() {
        assert_eq!(
            normalise("de89 3704 0044 0532 0130 00").as_deref(),
            Some("DE89370400440532013000")
        );
        assert_eq!(normalise("DE88370400440532013000"), None);
        assert_eq!(normalise("DE8937040044053201300"), None);
        assert_eq!(normalise("US89370400440532013000"), None);
        assert_eq!(normalise(""), None);
    }

    #[test]
    fn the_parts_a_payment_method_shows() {
        assert_eq!(
            parts("DE89370400440532013000"),
            ("DE".into(), "37040044".into(), String::new(), "3000".into())
        );
    }
}
