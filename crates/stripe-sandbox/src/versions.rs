//! Stripe API versions: which `Stripe-Version` values Stripe accepts (/api/versioning,
//! /api-versions). Objects are always rendered at the version async-stripe pins; another
//! accepted version only changes the version a response or a webhook event is stamped with.

use crate::error::ApiError;

/// The version the sandbox renders objects at.
pub fn pinned() -> &'static str {
    stripe_shared::version::VERSION.as_str()
}

/// The releases since 2024-09-30: `YYYY-MM-DD.<name>`, each from its first day until the next
/// one's (/api-versions).
const RELEASES: &[(&str, &str)] = &[
    ("acacia", "2024-09-30"),
    ("basil", "2025-03-31"),
    ("clover", "2025-09-30"),
    ("dahlia", "2026-03-25"),
    ("endive", "2026-09-30"),
];

/// The first API version (plain dates name versions before the releases).
const FIRST: &str = "2011-01-01";

fn valid_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts[..] else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) else {
        return false;
    };
    time::Month::try_from(m)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(y, m, d).ok())
        .is_some_and(|date| date <= time::OffsetDateTime::now_utc().date())
}

/// Whether Stripe accepts `version`: a release's version (`2025-03-31.basil`, dated within
/// the release), or a plain date between the first version and the first release. Stripe
/// accepts only the dates it released a version on; the sandbox does not carry that list, so
/// any such date passes (looser than Stripe there).
pub fn is_known(version: &str) -> bool {
    if version == pinned() {
        return true;
    }
    match version.split_once('.') {
        Some((date, name)) => {
            let Some(i) = RELEASES.iter().position(|(n, _)| *n == name) else {
                return false;
            };
            let starts = RELEASES[i].1;
            let ends = RELEASES.get(i + 1).map(|(_, d)| *d);
            valid_date(date) && date >= starts && ends.is_none_or(|end| date < end)
        }
        None => valid_date(version) && version >= FIRST && version < RELEASES[0].1,
    }
}

/// Stripe's answer to an unknown version (HTTP 400; the wording is from Stripe's answers
/// quoted in stripe-java#682 and stripity-stripe#613).
pub fn check(version: &str) -> Result<(), ApiError> {
    if is_known(version) {
        Ok(())
    } else {
        let mut e = ApiError::invalid(format!("Invalid Stripe API version: {version}"));
        e.stored = false;
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_are_known_within_their_dates_and_nothing_else() {
        assert!(is_known(pinned()));
        assert!(is_known("2025-03-31.basil"));
        assert!(is_known("2025-08-27.basil"));
        assert!(is_known("2024-06-20"));
        assert!(is_known("2020-08-27"));
        assert!(!is_known("2025-03-31.acacia"), "basil's first day");
        assert!(!is_known("2024-06-20.basil"));
        assert!(!is_known("2025-01-01.zebra"));
        assert!(
            !is_known("2024-10-28"),
            "dates after the first release carry its name"
        );
        assert!(!is_known("2099-01-01.endive"), "not released yet");
        assert!(!is_known("2024-02-30"));
        assert!(!is_known("bogus"));
        assert!(!is_known(""));
    }
}
