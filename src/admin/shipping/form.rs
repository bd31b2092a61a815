//! The shipping forms, as typed, turned into valid values or the list of what to fix.

use serde::Deserialize;

use crate::domain::{Currency, Money, MoneyError};

/// A method's rate form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RateFields {
    #[serde(default)]
    pub price: String,
    /// Empty: never free.
    #[serde(default)]
    pub free_from: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub active: Option<String>,
}

/// The add-a-method form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewMethodFields {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub delivery: String,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub free_from: String,
}

impl NewMethodFields {
    fn rate(&self) -> RateFields {
        RateFields {
            price: self.price.clone(),
            free_from: self.free_from.clone(),
            active: Some("on".to_owned()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRate {
    pub price_minor: i64,
    pub free_from_minor: Option<i64>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMethod {
    pub code: String,
    pub name: String,
    pub delivery: String,
    pub rate: ValidRate,
}

/// An amount of at least zero: a method may cost nothing.
fn amount_or_zero(typed: &str, currency: Currency) -> Result<i64, MoneyError> {
    match Money::parse(typed, currency) {
        Ok(money) => Ok(money.minor),
        Err(MoneyError::NotPositive) => Ok(0),
        Err(e) => Err(e),
    }
}

pub fn validate_rate(
    fields: &RateFields,
    currency: Currency,
    errors: &mut Vec<String>,
) -> Option<ValidRate> {
    let price = amount_or_zero(&fields.price, currency)
        .map_err(|e| errors.push(format!("Price: {e}")))
        .ok();
    let free_from = match fields.free_from.trim() {
        "" => Some(None),
        typed => amount_or_zero(typed, currency)
            .map(Some)
            .map_err(|e| errors.push(format!("Free from: {e} Or leave it empty: never free.")))
            .ok(),
    };
    Some(ValidRate {
        price_minor: price?,
        free_from_minor: free_from?,
        active: fields.active.is_some(),
    })
}

pub fn validate_rate_only(
    fields: &RateFields,
    currency: Currency,
) -> Result<ValidRate, Vec<String>> {
    let mut errors = Vec::new();
    match validate_rate(fields, currency, &mut errors) {
        Some(rate) if errors.is_empty() => Ok(rate),
        _ => Err(errors),
    }
}

pub fn validate_method(
    fields: &NewMethodFields,
    currency: Currency,
) -> Result<ValidMethod, Vec<String>> {
    let mut errors = Vec::new();
    let code = fields.code.trim().to_ascii_lowercase();
    let code_ok = (1..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !code_ok {
        errors.push("Code: use 1 to 40 letters, digits or dashes (such as next-day).".to_owned());
    }
    let name = fields.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 80 {
        errors.push("Name: 1 to 80 characters (such as Next day).".to_owned());
    }
    let delivery = fields.delivery.trim().to_owned();
    if delivery.chars().count() > 80 {
        errors.push("Delivery time: at most 80 characters.".to_owned());
    }
    let rate = validate_rate(&fields.rate(), currency, &mut errors);
    match rate {
        Some(rate) if errors.is_empty() => Ok(ValidMethod {
            code,
            name,
            delivery,
            rate,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(price: &str, free_from: &str) -> RateFields {
        RateFields {
            price: price.into(),
            free_from: free_from.into(),
            active: Some("on".into()),
        }
    }

    #[test]
    fn a_rate_may_be_zero_and_an_empty_threshold_means_never_free() {
        let usd = Currency::usd();
        assert_eq!(
            validate_rate_only(&rate("0", ""), usd),
            Ok(ValidRate {
                price_minor: 0,
                free_from_minor: None,
                active: true
            })
        );
        assert_eq!(
            validate_rate_only(&rate("5.99", "75"), usd)
                .map(|r| (r.price_minor, r.free_from_minor)),
            Ok((599, Some(7500)))
        );
        assert!(validate_rate_only(&rate("-1", ""), usd).is_err());
        assert!(validate_rate_only(&rate("", ""), usd).is_err());
        assert!(validate_rate_only(&rate("4.999", ""), usd).is_err());
        assert!(validate_rate_only(&rate("4.99", "lots"), usd).is_err());
    }
}
