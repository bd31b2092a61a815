//! The new-code form, as typed, turned into a valid code or the list of what to fix.

use serde::Deserialize;
use time::{Date, Month, OffsetDateTime, Time};

use crate::domain::{Currency, Money};

/// The form's fields as typed, shown again when something must be fixed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DiscountFields {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub percent_off: String,
    #[serde(default)]
    pub amount_off: String,
    #[serde(default)]
    pub minimum: String,
    /// The last day the code works, `YYYY-MM-DD` (a date input's value).
    #[serde(default)]
    pub expires_on: String,
    #[serde(default)]
    pub usage_limit: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Takes {
    Percent(i32),
    Amount(Money),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCode {
    pub code: String,
    pub takes: Takes,
    pub minimum: Option<Money>,
    /// The end of the chosen day, UTC.
    pub expires_at: Option<OffsetDateTime>,
    pub usage_limit: Option<i32>,
}

/// The code as checkout compares it (`discounts::db::normalize`), checked against the table's
/// CHECK so the owner hears about a bad code here, not as a database error.
fn parse_code(input: &str) -> Result<String, String> {
    let code = crate::discounts::db::normalize(input);
    let allowed = code
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if (3..=32).contains(&code.len()) && allowed {
        Ok(code)
    } else {
        Err("Code: use 3 to 32 letters, digits or dashes (such as SPRING-10).".to_owned())
    }
}

fn parse_date(input: &str) -> Option<Date> {
    let mut parts = input.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

pub fn validate(
    fields: &DiscountFields,
    currency: Currency,
    now: OffsetDateTime,
) -> Result<ValidCode, Vec<String>> {
    let mut errors = Vec::new();
    let code = parse_code(&fields.code).map_err(|e| errors.push(e)).ok();

    let percent = fields.percent_off.trim();
    let amount = fields.amount_off.trim();
    let takes = match (percent.is_empty(), amount.is_empty()) {
        (false, true) => match percent.parse::<i32>() {
            Ok(p) if (1..=100).contains(&p) => Some(Takes::Percent(p)),
            _ => {
                errors.push("Percent off: a whole number from 1 to 100.".to_owned());
                None
            }
        },
        (true, false) => match Money::parse(amount, currency) {
            Ok(money) => Some(Takes::Amount(money)),
            Err(e) => {
                errors.push(format!("Amount off: {e}"));
                None
            }
        },
        _ => {
            errors.push(
                "Discount: fill in either a percent off or an amount off, not both.".to_owned(),
            );
            None
        }
    };

    let minimum = match fields.minimum.trim() {
        "" => Ok(None),
        typed => Money::parse(typed, currency)
            .map(Some)
            .map_err(|e| format!("Minimum: {e}")),
    }
    .map_err(|e| errors.push(e))
    .ok()
    .flatten();

    let expires_at = match fields.expires_on.trim() {
        "" => None,
        typed => match parse_date(typed) {
            Some(day) if day >= now.date() => day
                .next_day()
                .map(|next| next.with_time(Time::MIDNIGHT).assume_utc()),
            Some(_) => {
                errors.push("Last day: choose today or a later day.".to_owned());
                None
            }
            None => {
                errors.push("Last day: a date such as 2026-12-31.".to_owned());
                None
            }
        },
    };

    let usage_limit = match fields.usage_limit.trim() {
        "" => None,
        typed => match typed.parse::<i32>() {
            Ok(limit) if limit > 0 => Some(limit),
            _ => {
                errors.push("Use limit: a whole number of at least 1, or empty.".to_owned());
                None
            }
        },
    };

    match (code, takes) {
        (Some(code), Some(takes)) if errors.is_empty() => Ok(ValidCode {
            code,
            takes,
            minimum,
            expires_at,
            usage_limit,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(code: &str, percent: &str, amount: &str) -> DiscountFields {
        DiscountFields {
            code: code.into(),
            percent_off: percent.into(),
            amount_off: amount.into(),
            ..DiscountFields::default()
        }
    }

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2026-11-26 07:00 UTC)
    }

    #[test]
    fn a_code_takes_exactly_one_of_a_percent_or_an_amount() {
        let usd = Currency::usd();
        let percent = validate(&fields(" spring-10 ", "10", ""), usd, now());
        assert_eq!(
            percent.map(|v| (v.code, v.takes)),
            Ok(("SPRING-10".into(), Takes::Percent(10)))
        );
        let amount = validate(&fields("FIVE", "", "5.00"), usd, now());
        assert_eq!(
            amount.map(|v| v.takes),
            Ok(Takes::Amount(Money::new(500, usd)))
        );
        assert!(validate(&fields("BOTH", "10", "5"), usd, now()).is_err());
        assert!(validate(&fields("NONE", "", ""), usd, now()).is_err());
        assert!(validate(&fields("BIG", "101", ""), usd, now()).is_err());
        assert!(validate(&fields("ZERO", "", "0"), usd, now()).is_err());
        assert!(validate(&fields("no spaces", "10", ""), usd, now()).is_err());
    }

    #[test]
    fn a_last_day_expires_the_code_at_the_end_of_that_day() {
        let mut typed = fields("XMAS", "10", "");
        typed.expires_on = "2026-12-24".into();
        let valid = validate(&typed, Currency::usd(), now());
        assert_eq!(
            valid.map(|v| v.expires_at),
            Ok(Some(time::macros::datetime!(2026-12-25 00:00 UTC)))
        );
        typed.expires_on = "2026-11-25".into();
        assert!(validate(&typed, Currency::usd(), now()).is_err());
    }
}
