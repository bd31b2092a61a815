//! The PaymentIntent parameters beyond the payment itself: `shipping`, the payment method types
//! allowed or excluded, and those the sandbox takes without acting on them (`amount_details`,
//! `payment_details`, `radar_options`: data for the networks and Radar), or answers as Stripe
//! does for objects it never has (`confirmation_token`, `mandate`,
//! `payment_method_configuration`).

use crate::error::ApiError;
use crate::objects::PaymentIntent;
use crate::params::{Params, ParamsExt};
use crate::store::Store;
use crate::store::bank_debits::automatic_types;

/// `shipping`: checked as Stripe checks it (`name` and `address[line1]` required, a two-letter
/// country), in `parse`.
pub use super::parse::shipping;

/// Stripe's answer when no payment method type is left for the intent.
fn no_types() -> ApiError {
    ApiError::invalid(
        "No valid payment method types for this Payment Intent. Please ensure that you have activated payment methods compatible with your chosen currency in your dashboard (https://dashboard.stripe.com/settings/payment_methods).",
    )
}

/// `allowed_payment_method_types` and `excluded_payment_method_types`: the intent's types become
/// those of the allowed ones (or of the automatic ones) that the currency supports, less the
/// excluded ones. Types this account has not activated are left out, as Stripe leaves out
/// incompatible ones.
pub fn apply_method_types(pi: &mut PaymentIntent, params: &Params) -> Result<(), ApiError> {
    let allowed = params
        .contains_key("allowed_payment_method_types")
        .then(|| params.strings("allowed_payment_method_types"));
    let excluded = params
        .contains_key("excluded_payment_method_types")
        .then(|| params.strings("excluded_payment_method_types"));
    if allowed.is_none() && excluded.is_none() {
        return Ok(());
    }
    if let Some(allowed) = allowed {
        pi.allowed_payment_method_types = Some(allowed);
        pi.automatic_payment_methods = None;
    }
    if let Some(excluded) = excluded {
        pi.excluded_payment_method_types = Some(excluded);
    }
    let mut types = automatic_types(&pi.currency);
    if let Some(allowed) = &pi.allowed_payment_method_types {
        types.retain(|t| allowed.contains(t));
    }
    if let Some(excluded) = &pi.excluded_payment_method_types {
        types.retain(|t| !excluded.contains(t));
    }
    if types.is_empty() {
        return Err(no_types());
    }
    pi.payment_method_types = types;
    Ok(())
}

/// `capture_method` (create, update, confirm).
pub fn capture_method(params: &Params) -> Result<Option<&'static str>, ApiError> {
    match params.str("capture_method") {
        None => Ok(None),
        Some("automatic") => Ok(Some("automatic")),
        Some("automatic_async") => Ok(Some("automatic_async")),
        Some("manual") => Err(ApiError::param_error(
            "The Stripe sandbox does not simulate `capture_method=manual`; use Stripe's test mode for it.",
            "capture_method",
            None,
        )),
        Some(other) => Err(ApiError::param_error(
            format!("Invalid capture_method: {other}"),
            "capture_method",
            None,
        )),
    }
}

/// Ids of objects the sandbox never has are answered as Stripe answers an unknown id.
pub fn unknown_objects(store: &Store, params: &Params) -> Result<(), ApiError> {
    if let Some(id) = params.str("confirmation_token") {
        return Err(ApiError::not_found(
            "confirmation_token",
            id,
            "confirmation_token",
        ));
    }
    if let Some(id) = params.str("payment_method_configuration") {
        return Err(ApiError::not_found(
            "payment_method_configuration",
            id,
            "payment_method_configuration",
        ));
    }
    if let Some(id) = params.str("mandate") {
        // A SEPA Debit PaymentMethod's mandate is the only kind the sandbox makes.
        let known = store
            .payment_methods
            .values()
            .any(|pm| pm.sepa_debit.as_ref().is_some_and(|s| s.mandate == id));
        if !known {
            return Err(ApiError::not_found("mandate", id, "mandate"));
        }
    }
    Ok(())
}

/// `amount_to_confirm`: the sandbox confirms the whole amount only.
pub fn amount_to_confirm(params: &Params, pi: &PaymentIntent) -> Result<(), ApiError> {
    match params.int("amount_to_confirm") {
        Some(a) if a != pi.amount => Err(ApiError::param_error(
            "The Stripe sandbox does not simulate confirming less than the amount (`amount_to_confirm`); use Stripe's test mode for it.",
            "amount_to_confirm",
            None,
        )),
        _ => Ok(()),
    }
}
