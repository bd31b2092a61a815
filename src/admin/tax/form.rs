//! The set-a-rate form, as typed, turned into a valid rate or the list of what to fix.

use serde::Deserialize;

use crate::domain::Country;
use crate::tax::db::TaxRate;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RateFields {
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub name: String,
    /// A percentage such as 20 or 7.25.
    #[serde(default)]
    pub percent: String,
}

/// "20" -> 2000, "7.25" -> 725; at most two decimals, from 0 to 100.
fn basis_points(typed: &str) -> Option<i32> {
    let typed = typed.trim().trim_end_matches('%').trim();
    let (whole, fraction) = typed.split_once('.').unwrap_or((typed, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 3
        || fraction.len() > 2
        || !digits(whole)
        || !digits(fraction)
    {
        return None;
    }
    let whole: i32 = whole.parse().ok()?;
    let fraction: i32 = format!("{fraction:0<2}").parse().ok()?;
    Some(whole * 100 + fraction).filter(|bp| (0..=10_000).contains(bp))
}

pub fn validate(fields: &RateFields) -> Result<TaxRate, Vec<String>> {
    let mut errors = Vec::new();
    let country = Country::from_code(&fields.country);
    if country.is_none() {
        errors.push("Country: a two-letter country code such as GB or DE.".to_owned());
    }
    let name = fields.name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        errors.push("Name: 1 to 40 characters, such as VAT.".to_owned());
    }
    let rate_bp = basis_points(&fields.percent);
    if rate_bp.is_none() {
        errors.push(
            "Rate: a percentage from 0 to 100 with at most two decimals, such as 20 or 7.25."
                .to_owned(),
        );
    }
    match (country, rate_bp) {
        (Some(country), Some(rate_bp)) if errors.is_empty() => Ok(TaxRate {
            country: country.code().to_owned(),
            name: name.to_owned(),
            rate_bp,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percentage_becomes_basis_points() {
        assert_eq!(basis_points("20"), Some(2000));
        assert_eq!(basis_points("7.25"), Some(725));
        assert_eq!(basis_points("5.5%"), Some(550));
        assert_eq!(basis_points("0"), Some(0));
        assert_eq!(basis_points("100"), Some(10_000));
        for bad in ["", "100.01", "7.255", "-1", "twenty", ".5", "1e3"] {
            assert_eq!(basis_points(bad), None, "{bad}");
        }
    }
}
