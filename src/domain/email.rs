//! An email address, checked and normalised once.

use std::fmt;

/// An email address as the shop keeps it: trimmed and lower-cased, so that uniqueness is
/// case-insensitive. Only the shape is checked; delivery is what proves an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("Enter a valid email address, like name@example.com.")]
pub struct EmailError;

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let email = input.trim().to_lowercase();
        let (local, domain) = email.split_once('@').ok_or(EmailError)?;
        let valid = !local.is_empty()
            && email.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Self(email))
        } else {
            Err(EmailError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_space() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").map(|e| e.as_str().to_owned()),
            Ok("ada@example.com".to_owned())
        );
    }

    #[test]
    fn refuses_what_cannot_be_an_address() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a b@example.com",
            "a@b@c.com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError), "{bad:?}");
        }
    }
}
