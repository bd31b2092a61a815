//! Money in minor units and ISO currencies, as Stripe counts them.

use std::fmt;

/// An ISO 4217 currency code, lower-cased as Stripe writes it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct Currency([u8; 3]);

#[derive(Debug, thiserror::Error)]
#[error("a currency is a three-letter ISO code")]
pub struct CurrencyError;

/// Currencies whose smallest unit is the whole unit (Stripe's "zero-decimal currencies").
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

/// Currencies with three decimals (Stripe's "three-decimal currencies"): amounts are sent in
/// thousandths, and Stripe takes them only in steps of ten (the last digit must be 0).
const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];

impl Currency {
    pub fn parse(code: &str) -> Result<Self, CurrencyError> {
        let code = code.trim().to_ascii_lowercase();
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_lowercase) => Ok(Self([a, b, c])),
            _ => Err(CurrencyError),
        }
    }

    pub fn usd() -> Self {
        Self(*b"usd")
    }

    pub fn code(&self) -> &str {
        // The bytes are always ASCII lowercase letters (checked in `parse`).
        std::str::from_utf8(&self.0).unwrap_or("usd")
    }

    /// How many digits follow the decimal point in this currency's amounts.
    pub fn exponent(&self) -> u32 {
        if ZERO_DECIMAL.contains(&self.code()) {
            0
        } else if THREE_DECIMAL.contains(&self.code()) {
            3
        } else {
            2
        }
    }

    /// The smallest step Stripe charges in, in minor units: 10 for three-decimal currencies
    /// (5.124 KWD cannot be charged; 5.120 can), 1 otherwise.
    pub fn step(&self) -> i64 {
        if THREE_DECIMAL.contains(&self.code()) {
            10
        } else {
            1
        }
    }

    fn symbol(&self) -> Option<&'static str> {
        Some(match self.code() {
            "usd" => "$",
            "eur" => "€",
            "gbp" => "£",
            "jpy" => "¥",
            "inr" => "₹",
            "cad" => "CA$",
            "aud" => "A$",
            "chf" => "CHF ",
            _ => return None,
        })
    }
}

impl Currency {
    /// The code as stored and as Stripe writes it ("usd").
    pub fn as_str(&self) -> &str {
        self.code()
    }
}

impl std::str::FromStr for Currency {
    type Err = CurrencyError;

    /// Strict: exactly three lower-case letters, as stored (`parse` also takes "USD").
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_lowercase) => Ok(Self([a, b, c])),
            _ => Err(CurrencyError),
        }
    }
}

crate::domain::sql::text_column!(Currency, "currency");

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code().to_ascii_uppercase())
    }
}

/// An amount in the currency's minor unit (cents for USD), as Stripe counts money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

/// Why an amount someone typed is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("Enter an amount such as {example}.")]
    NotANumber { example: &'static str },
    #[error("Enter an amount with at most {0} digits after the decimal point.")]
    TooPrecise(u32),
    #[error("Enter an amount greater than zero.")]
    NotPositive,
    #[error("That amount is too large.")]
    TooLarge,
    #[error("Stripe charges {currency} in steps of {step}: the last digit must be 0.")]
    OffStep { currency: String, step: String },
}

/// Stripe's largest amount for a single charge, in minor units.
const MAX_MINOR: i64 = 99_999_999;

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Reads an amount typed in major units ("24", "24.5", "24.00") as minor units of
    /// `currency`; never through a float.
    pub fn parse(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let exponent = currency.exponent();
        let not_a_number = MoneyError::NotANumber {
            example: if exponent == 0 { "1200" } else { "24.00" },
        };
        let input = input.trim();
        let (whole, fraction) = input.split_once('.').unwrap_or((input, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(not_a_number);
        }
        if fraction.len() > exponent as usize {
            return Err(MoneyError::TooPrecise(exponent));
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| MoneyError::TooLarge)?
        };
        let scale = 10i64.pow(exponent);
        let fraction: i64 = format!("{fraction:0<width$}", width = exponent as usize)
            .parse()
            .unwrap_or(0);
        let minor = whole
            .checked_mul(scale)
            .and_then(|m| m.checked_add(fraction))
            .ok_or(MoneyError::TooLarge)?;
        if minor == 0 {
            return Err(MoneyError::NotPositive);
        }
        if minor > MAX_MINOR {
            return Err(MoneyError::TooLarge);
        }
        if minor % currency.step() != 0 {
            return Err(MoneyError::OffStep {
                currency: currency.to_string(),
                step: Self::new(currency.step(), currency).to_input(),
            });
        }
        Ok(Self::new(minor, currency))
    }

    /// The amount as a form field holds it: "24.00", without symbol or grouping.
    pub fn to_input(&self) -> String {
        let exponent = self.currency.exponent();
        let scale = 10u64.pow(exponent);
        let abs = self.minor.unsigned_abs();
        let sign = if self.minor < 0 { "-" } else { "" };
        if exponent == 0 {
            format!("{sign}{abs}")
        } else {
            format!(
                "{sign}{}.{:0width$}",
                abs / scale,
                abs % scale,
                width = exponent as usize
            )
        }
    }
}

/// Writes `whole` with a comma between each group of three digits, without allocating: prices
/// are written many times on every listing.
fn write_grouped(f: &mut fmt::Formatter<'_>, whole: u64) -> fmt::Result {
    // u64::MAX has 20 digits, and so 6 commas.
    let mut buf = [0u8; 26];
    let mut at = buf.len();
    let mut rest = whole;
    let mut digits = 0;
    loop {
        if digits > 0 && digits % 3 == 0 {
            at -= 1;
            buf[at] = b',';
        }
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        digits += 1;
        if rest == 0 {
            break;
        }
    }
    f.write_str(std::str::from_utf8(&buf[at..]).map_err(|_| fmt::Error)?)
}

impl fmt::Display for Money {
    /// `$1,234.50`, `¥1,200`, or `12.50 SEK` for currencies without a known symbol.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.minor < 0 {
            f.write_str("-")?;
        }
        let abs = self.minor.unsigned_abs();
        let exponent = self.currency.exponent();
        let scale = 10u64.pow(exponent);
        let symbol = self.currency.symbol();
        if let Some(symbol) = symbol {
            f.write_str(symbol)?;
        }
        write_grouped(f, abs / scale)?;
        if exponent > 0 {
            write!(f, ".{:0width$}", abs % scale, width = exponent as usize)?;
        }
        match symbol {
            Some(_) => Ok(()),
            None => write!(f, " {}", self.currency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(minor: i64, code: &str) -> String {
        let currency = Currency::parse(code).unwrap_or_else(|e| panic!("{e}"));
        Money::new(minor, currency).to_string()
    }

    #[test]
    fn formats_minor_units_for_the_currency() {
        assert_eq!(money(1250, "usd"), "$12.50");
        assert_eq!(money(123_456_789, "USD"), "$1,234,567.89");
        assert_eq!(money(5, "eur"), "€0.05");
        assert_eq!(money(1200, "jpy"), "¥1,200");
        assert_eq!(money(1999, "sek"), "19.99 SEK");
        assert_eq!(money(-500, "gbp"), "-£5.00");
        assert_eq!(money(0, "usd"), "$0.00");
        assert_eq!(money(100_000, "usd"), "$1,000.00");
        assert_eq!(money(i64::MIN, "jpy"), "-¥9,223,372,036,854,775,808");
        assert_eq!(money(1_234_567, "kwd"), "1,234.567 KWD");
    }

    #[test]
    fn typed_amounts_become_minor_units_without_floats() {
        let usd = Currency::usd();
        let minor = |s: &str| Money::parse(s, usd).map(|m| m.minor);
        assert_eq!(minor("24.00"), Ok(2400));
        assert_eq!(minor(" 24 "), Ok(2400));
        assert_eq!(minor("24.5"), Ok(2450));
        assert_eq!(minor("0.07"), Ok(7));
        assert_eq!(minor(".5"), Ok(50));
        assert_eq!(minor("24.005"), Err(MoneyError::TooPrecise(2)));
        assert_eq!(minor("0"), Err(MoneyError::NotPositive));
        assert_eq!(
            minor("-3"),
            Err(MoneyError::NotANumber { example: "24.00" })
        );
        assert_eq!(
            minor("1e3"),
            Err(MoneyError::NotANumber { example: "24.00" })
        );
        assert_eq!(minor(""), Err(MoneyError::NotANumber { example: "24.00" }));
        assert_eq!(minor("."), Err(MoneyError::NotANumber { example: "24.00" }));
        assert_eq!(minor("1000000"), Err(MoneyError::TooLarge));
        assert_eq!(minor("99999999999999999999"), Err(MoneyError::TooLarge));
        let jpy = Currency::parse("jpy").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Money::parse("1200", jpy).map(|m| m.minor), Ok(1200));
        assert_eq!(Money::parse("12.5", jpy), Err(MoneyError::TooPrecise(0)));
    }

    #[test]
    fn amounts_print_back_as_form_input() {
        assert_eq!(Money::new(2400, Currency::usd()).to_input(), "24.00");
        assert_eq!(Money::new(7, Currency::usd()).to_input(), "0.07");
        let jpy = Currency::parse("jpy").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Money::new(1200, jpy).to_input(), "1200");
    }

    #[test]
    fn three_decimal_currencies_count_thousandths_in_steps_of_ten() {
        let kwd = Currency::parse("kwd").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kwd.exponent(), 3);
        assert_eq!(Money::parse("5.12", kwd).map(|m| m.minor), Ok(5120));
        assert_eq!(Money::parse("5", kwd).map(|m| m.minor), Ok(5000));
        assert_eq!(
            Money::parse("5.124", kwd),
            Err(MoneyError::OffStep {
                currency: "KWD".into(),
                step: "0.010".into()
            })
        );
        assert_eq!(money(24680, "kwd"), "24.680 KWD");
        assert_eq!(Money::new(5120, kwd).to_input(), "5.120");
    }

    #[test]
    fn currency_codes_are_three_letters() {
        assert!(Currency::parse("us").is_err());
        assert!(Currency::parse("us1").is_err());
        assert!(Currency::parse("dollars").is_err());
        assert_eq!(
            Currency::parse(" EUR ").map(|c| c.code().to_owned()).ok(),
            Some("eur".into())
        );
    }
}
