//! Stripe's currencies: which ones it takes, how many decimals each has, the smallest and
//! largest charge, and how Stripe words an amount in its messages.

use std::str::FromStr;

use crate::error::ApiError;

/// Stripe's zero-decimal currencies: amounts count whole units.
pub const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

/// Stripe's three-decimal currencies: amounts count thousandths, in steps of ten.
pub const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];

/// Currencies charged in whole units but sent with two decimals, so their amounts end in 00
/// (/currencies#special-cases: 5 ISK is `500`).
pub const WHOLE_UNITS_IN_HUNDREDTHS: &[&str] = &["isk", "ugx"];

/// Stripe's largest amount for a charge (8 digits; /currencies#minimum-and-maximum-charge-amounts).
pub const MAXIMUM: i64 = 99_999_999;

/// The amount with its thousands grouped, as Stripe words its maximum: `$999,999.99`.
fn format_grouped(amount: i64, currency: &str) -> String {
    let plain = format_amount(amount, currency);
    let Some(start) = plain.find(|c: char| c.is_ascii_digit()) else {
        return plain;
    };
    let end = plain[start..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(plain.len(), |i| start + i);
    let digits = &plain[start..end];
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}{grouped}{}", &plain[..start], &plain[end..])
}

/// Stripe's wording for an amount: `$20.00`, `€5.50`, `¥500`, `12.00 chf`, `5.120 kwd`.
pub fn format_amount(amount: i64, currency: &str) -> String {
    let number = if ZERO_DECIMAL.contains(&currency) {
        amount.to_string()
    } else if THREE_DECIMAL.contains(&currency) {
        format!("{}.{:03}", amount / 1000, (amount % 1000).abs())
    } else {
        format!("{}.{:02}", amount / 100, (amount % 100).abs())
    };
    match currency {
        "usd" => format!("${number}"),
        "eur" => format!("€{number}"),
        "gbp" => format!("£{number}"),
        "jpy" => format!("¥{number}"),
        other => format!("{number} {other}"),
    }
}

/// A `currency` parameter (lowercase) that Stripe takes, or Stripe's error for it.
pub fn parse(raw: &str) -> Result<String, ApiError> {
    let raw = raw.to_ascii_lowercase();
    // async-stripe's list lacks Stripe's three-decimal currencies, which Stripe supports.
    if THREE_DECIMAL.contains(&raw.as_str()) {
        return Ok(raw);
    }
    match stripe_types::Currency::from_str(&raw) {
        Ok(stripe_types::Currency::Unknown(_)) | Err(_) => Err(ApiError::param_error(
            format!(
                "Invalid currency: {raw}. Stripe currently supports these currencies: usd, eur, gbp, jpy, cad, aud, chf, sek, nok, dkk, ..."
            ),
            "currency",
            None,
        )),
        Ok(_) => Ok(raw),
    }
}

/// Stripe's smallest charge per currency (/currencies), in minor units.
fn minimum(currency: &str) -> i64 {
    match currency {
        "usd" | "ars" | "aud" | "brl" | "cad" | "chf" | "cop" | "eur" | "idr" | "ils" | "inr"
        | "nzd" | "php" | "rub" | "sgd" | "zar" => 50,
        "gbp" => 30,
        "aed" | "myr" | "pln" | "ron" => 200,
        "dkk" => 250,
        "nok" | "sek" => 300,
        "hkd" => 400,
        "czk" => 1500,
        "huf" => 17500,
        "mxn" | "thb" => 1000,
        "jpy" | "krw" => 50,
        _ => 1,
    }
}

/// A charge's `amount` in `currency`, as Stripe bounds it (the smallest charge, steps of ten
/// for three-decimal currencies, at most 99,999,999), or Stripe's error for it.
pub fn check_amount(value: i64, currency: &str) -> Result<i64, ApiError> {
    let minimum = minimum(currency);
    if THREE_DECIMAL.contains(&currency) && value % 10 != 0 {
        return Err(ApiError::param_error(
            format!(
                "Invalid amount: {currency} amounts must end in 0 ({} can be charged, {} cannot). See https://stripe.com/docs/currencies#three-decimal.",
                format_amount(value - value % 10, currency),
                format_amount(value, currency)
            ),
            "amount",
            None,
        ));
    }
    if WHOLE_UNITS_IN_HUNDREDTHS.contains(&currency) && value % 100 != 0 {
        // The wording is the sandbox's: Stripe documents the rule, not its message.
        return Err(ApiError::param_error(
            format!(
                "Invalid amount: {currency} amounts must end in 00 ({currency} is charged in whole units, sent with two decimals: 5 {currency} is 500). See https://stripe.com/docs/currencies#special-cases."
            ),
            "amount",
            None,
        ));
    }
    if value < minimum {
        return Err(ApiError::param_error(
            {
                // `$0.50 usd`, as Stripe words it; a currency without a symbol is named once.
                let minimum = format_amount(minimum, currency);
                if minimum.ends_with(currency) {
                    format!("Amount must be at least {minimum}")
                } else {
                    format!("Amount must be at least {minimum} {currency}")
                }
            },
            "amount",
            Some("amount_too_small"),
        ));
    }
    if value > MAXIMUM {
        return Err(ApiError::param_error(
            format!(
                "Amount must be no more than {}",
                format_grouped(MAXIMUM, currency)
            ),
            "amount",
            Some("amount_too_large"),
        ));
    }
    Ok(value)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_worded_as_stripe_words_them() {
        assert_eq!(format_amount(2500, "usd"), "$25.00");
        assert_eq!(format_amount(2145, "eur"), "€21.45");
        assert_eq!(format_amount(500, "jpy"), "¥500");
        assert_eq!(format_amount(1205, "chf"), "12.05 chf");
        assert_eq!(format_amount(5120, "kwd"), "5.120 kwd");
        assert_eq!(format_grouped(MAXIMUM, "usd"), "$999,999.99");
        assert_eq!(format_grouped(MAXIMUM, "jpy"), "¥99,999,999");
        assert_eq!(format_grouped(MAXIMUM, "kwd"), "99,999.999 kwd");
    }

    /// /currencies: the minimum charge of each currency it lists, the maximum, and the rules of
    /// zero-, two- and three-decimal currencies.
    #[test]
    fn amounts_are_bounded_as_stripes_currencies_page_says() {
        let minimums: &[(&str, i64)] = &[
            ("usd", 50),
            ("aed", 200),
            ("ars", 50),
            ("aud", 50),
            ("brl", 50),
            ("cad", 50),
            ("chf", 50),
            ("cop", 50),
            ("czk", 1500),
            ("dkk", 250),
            ("eur", 50),
            ("gbp", 30),
            ("hkd", 400),
            ("huf", 17500),
            ("idr", 50),
            ("ils", 50),
            ("inr", 50),
            ("jpy", 50),
            ("krw", 50),
            ("mxn", 1000),
            ("myr", 200),
            ("nok", 300),
            ("nzd", 50),
            ("php", 50),
            ("pln", 200),
            ("ron", 200),
            ("rub", 50),
            ("sek", 300),
            ("sgd", 50),
            ("thb", 1000),
            ("zar", 50),
        ];
        for (currency, minimum) in minimums {
            assert!(check_amount(*minimum, currency).is_ok(), "{currency}");
            let e = check_amount(minimum - 1, currency).unwrap_err();
            assert_eq!(e.body["code"], "amount_too_small", "{currency}");
            assert!(check_amount(MAXIMUM, currency).is_ok(), "{currency}");
            let e = check_amount(MAXIMUM + 1, currency).unwrap_err();
            assert_eq!(e.body["code"], "amount_too_large", "{currency}");
        }
        assert_eq!(
            check_amount(49, "usd").unwrap_err().body["message"],
            "Amount must be at least $0.50 usd"
        );
        assert_eq!(
            check_amount(MAXIMUM + 1, "usd").unwrap_err().body["message"],
            "Amount must be no more than $999,999.99"
        );
        assert!(check_amount(5120, "kwd").is_ok());
        assert!(
            check_amount(5124, "kwd").is_err(),
            "three decimals end in 0"
        );
        assert!(check_amount(500, "isk").is_ok());
        assert!(
            check_amount(550, "isk").is_err(),
            "ISK is charged in whole units"
        );
        assert!(
            check_amount(51, "jpy").is_ok(),
            "zero-decimal: any whole yen"
        );
    }
}
