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
    if value < minimum {
        return Err(ApiError::param_error(
            format!(
                "Amount must be at least {} {currency}",
                format_amount(minimum, currency)
            ),
            "amount",
            Some("amount_too_small"),
        ));
    }
    if value > 99_999_999 {
        return Err(ApiError::param_error(
            format!(
                "Amount must be no more than {}",
                format_amount(99_999_999, currency)
            ),
            "amount",
            Some("amount_too_large"),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::format_amount;

    #[test]
    fn amounts_are_worded_as_stripe_words_them() {
        assert_eq!(format_amount(2500, "usd"), "$25.00");
        assert_eq!(format_amount(2145, "eur"), "€21.45");
        assert_eq!(format_amount(500, "jpy"), "¥500");
        assert_eq!(format_amount(1205, "chf"), "12.05 chf");
        assert_eq!(format_amount(5120, "kwd"), "5.120 kwd");
    }
}
