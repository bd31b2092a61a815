//! Parameter values that several resources take the same way: metadata, email addresses.

use std::collections::BTreeMap;

use crate::error::ApiError;
use crate::params::{Param, Params, ParamsExt};

/// Applies a `metadata` parameter: keys with an empty value are removed; `metadata=` clears all.
pub fn apply_metadata(
    target: &mut BTreeMap<String, String>,
    params: &Params,
) -> Result<(), ApiError> {
    if params.str("metadata") == Some("") {
        target.clear();
        return Ok(());
    }
    let Some(map) = params.map("metadata") else {
        return Ok(());
    };
    for (k, v) in map {
        let value = match v {
            Param::Str(s) => s.clone(),
            _ => continue,
        };
        if k.chars().count() > 40 {
            return Err(ApiError::param_error(
                "Invalid metadata: keys must be at most 40 characters.",
                &format!("metadata[{k}]"),
                None,
            ));
        }
        if value.chars().count() > 500 {
            return Err(ApiError::param_error(
                "Invalid metadata: values must be at most 500 characters.",
                &format!("metadata[{k}]"),
                None,
            ));
        }
        if value.is_empty() {
            target.remove(k);
        } else {
            target.insert(k.clone(), value);
        }
    }
    if target.len() > 50 {
        return Err(ApiError::param_error(
            "Invalid metadata: metadata can have at most 50 keys.",
            "metadata",
            None,
        ));
    }
    Ok(())
}

/// An email parameter: `None` when absent, `Some(None)` when unset (`key=`), `Some(Some(..))`
/// when it is an address Stripe takes.
pub fn email(params: &Params, key: &str) -> Result<Option<Option<String>>, ApiError> {
    match params.nullable_str(key) {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(e)) if email_is_valid(e) => Ok(Some(Some(e.to_string()))),
        Some(Some(e)) => Err(ApiError::param_error(
            format!("Invalid email address: {e}"),
            key,
            Some("email_invalid"),
        )),
    }
}

/// Whether Stripe takes `email` as an address (`receipt_email`, a customer's `email`): a local
/// part without spaces, quotes or empty dot-separated parts, `@`, and a domain of at least two
/// labels of letters, digits and inner hyphens whose last is letters. Stripe's exact rule is
/// not published; this refuses what mail servers refuse.
pub fn email_is_valid(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|part| !part.is_empty())
        && local.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(
                    c,
                    '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '@' | '[' | '\\' | ']'
                )
        });
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    local_ok && domain_ok
}

#[cfg(test)]
mod email_tests {
    use super::email_is_valid;

    #[test]
    fn addresses_mail_servers_take_are_valid_and_others_are_not() {
        for ok in [
            "ada@example.com",
            "ada.lovelace+shop@mail.example.co.uk",
            "a@b.io",
        ] {
            assert!(email_is_valid(ok), "{ok}");
        }
        for bad in [
            "ada..lovelace@example.com",
            ".ada@example.com",
            "ada.@example.com",
            "ada@example",
            "ada@exa_mple.com",
            "ada@-example.com",
            "ada lovelace@example.com",
            "ada@example.c0m",
            "adä@example.com",
            "@example.com",
        ] {
            assert!(!email_is_valid(bad), "{bad}");
        }
    }
}
