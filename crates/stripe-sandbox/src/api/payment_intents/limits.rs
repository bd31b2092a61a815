//! Stripe's limits on a PaymentIntent's texts: `description` (at most 1000 characters, the
//! length Stripe's API definition gives it), and the statement descriptors
//! (/get-started/account/statement-descriptors#requirements): `statement_descriptor` is 5 to
//! 22 characters with a letter and none of `< > \ ' " *`, and is refused on an intent that can
//! be paid by card (since 2024-01-02, /support "use of the statement descriptor parameter on
//! PaymentIntents for card charges"); `statement_descriptor_suffix` is at most 22 characters
//! with a letter and none of those characters.

use crate::error::ApiError;

const DESCRIPTION_MAX: usize = 1000;
const DESCRIPTOR_MAX: usize = 22;
const DESCRIPTOR_MIN: usize = 5;
const DESCRIPTOR_FORBIDDEN: &[char] = &['<', '>', '\\', '\'', '"', '*'];

/// Stripe's answer to a string over its length limit (the wording of its generic string check,
/// which shows the start of the value; unconfirmed for `description`).
fn too_long(param: &str, value: &str, max: usize) -> ApiError {
    let start: String = value.chars().take(20).collect();
    ApiError::param_error(
        format!("Invalid string: {start}...; must be at most {max} characters"),
        param,
        None,
    )
}

pub fn description(value: Option<&str>) -> Result<(), ApiError> {
    match value {
        Some(v) if v.chars().count() > DESCRIPTION_MAX => {
            Err(too_long("description", v, DESCRIPTION_MAX))
        }
        _ => Ok(()),
    }
}

/// `statement_descriptor` and `statement_descriptor_suffix`, for an intent whose payment
/// method types are `types`.
pub fn statement_descriptors(
    descriptor: Option<&str>,
    suffix: Option<&str>,
    types: &[String],
) -> Result<(), ApiError> {
    if let Some(d) = descriptor {
        if types.iter().any(|t| t == "card") {
            return Err(ApiError::param_error(
                "The statement_descriptor parameter is not supported for the payment_method_type `card`. To continue supporting payment_method_type `card`, please pass in `statement_descriptor_suffix` or remove the `statement_descriptor` parameter altogether. Please see https://support.stripe.com/questions/use-of-the-statement-descriptor-parameter-on-paymentintents-for-card-charges for additional details.",
                "statement_descriptor",
                None,
            ));
        }
        check_descriptor(
            "statement_descriptor",
            "statement descriptor",
            d,
            DESCRIPTOR_MIN,
        )?;
    }
    if let Some(s) = suffix {
        check_descriptor(
            "statement_descriptor_suffix",
            "statement descriptor suffix",
            s,
            1,
        )?;
    }
    Ok(())
}

/// The 22-character message is Stripe's ("The statement descriptor must be at most 22
/// characters. ... is 29 characters long."); the others follow it (unconfirmed).
fn check_descriptor(param: &str, name: &str, value: &str, min: usize) -> Result<(), ApiError> {
    let length = value.chars().count();
    let refuse = |message: String| Err(ApiError::param_error(message, param, None));
    if length > DESCRIPTOR_MAX {
        return refuse(format!(
            "The {name} must be at most {DESCRIPTOR_MAX} characters. {value} is {length} characters long."
        ));
    }
    if length < min {
        return refuse(format!(
            "The {name} must be at least {min} characters. {value} is {length} characters long."
        ));
    }
    if value.contains(DESCRIPTOR_FORBIDDEN) {
        return refuse(format!(
            "The {name} cannot contain any of the special characters <, >, \\, ', \" or *: {value}"
        ));
    }
    if !value.chars().any(|c| c.is_alphabetic()) {
        return refuse(format!(
            "The {name} must contain at least one letter: {value}"
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_follow_stripes_requirements() {
        let card = vec!["card".to_string()];
        let sepa = vec!["sepa_debit".to_string()];
        assert!(statement_descriptors(None, Some("ORDER 42"), &card).is_ok());
        assert!(statement_descriptors(Some("STOREFRONT"), None, &card).is_err());
        assert!(statement_descriptors(Some("STOREFRONT"), None, &sepa).is_ok());
        let long = statement_descriptors(Some("1 year period with auto renew"), None, &sepa);
        assert_eq!(
            long.unwrap_err().body["message"],
            "The statement descriptor must be at most 22 characters. 1 year period with auto renew is 29 characters long."
        );
        assert!(statement_descriptors(Some("SHOP"), None, &sepa).is_err());
        assert!(statement_descriptors(Some("12345"), None, &sepa).is_err());
        assert!(statement_descriptors(None, Some("ORDER*42"), &card).is_err());
        assert!(description(Some(&"x".repeat(1000))).is_ok());
        assert!(description(Some(&"x".repeat(1001))).is_err());
    }
}
