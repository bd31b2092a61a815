//! Payment methods: where a confirmation's card comes from (an attached one, a stored or test
//! PaymentMethod id, raw card data from Stripe.js), and card data checked as Stripe checks it.

use super::{Origin, Store};
use crate::cards;
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::PaymentMethod;

/// Where the payment method of a confirmation comes from.
#[derive(Debug, Clone)]
pub enum PaymentMethodSource {
    /// Keep the one already on the intent.
    Attached,
    /// `payment_method=pm_...` (a stored one, or a test id such as `pm_card_visa`).
    Id(String),
    /// `payment_method_data[card][...]`, as Stripe.js sends it.
    Card(CardInput),
    /// `payment_method_data[sepa_debit][iban]` and the billing details.
    SepaDebit(super::bank_debits::SepaInput),
}

/// Card data as Stripe.js sends it, not yet checked.
#[derive(Debug, Clone, Default)]
pub struct CardInput {
    pub number: Option<String>,
    pub exp_month: Option<String>,
    pub exp_year: Option<String>,
    pub cvc: Option<String>,
    pub postal_code: Option<String>,
    pub line1: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

fn current_year() -> i64 {
    i64::from(time::OffsetDateTime::now_utc().year())
}

impl Store {
    /// Turns the confirmation's payment method into a stored PaymentMethod. A new one belongs
    /// to no customer: paying with it does not attach it (only `setup_future_usage` does, once
    /// the payment succeeds; see [`Store::attach_for_future_usage`]).
    pub(super) fn resolve_payment_method(
        &mut self,
        source: &PaymentMethodSource,
        attached: Option<&str>,
    ) -> Result<Option<String>, ApiError> {
        match source {
            PaymentMethodSource::Attached => Ok(attached.map(str::to_string)),
            PaymentMethodSource::Id(id) => {
                if self.payment_methods.contains_key(id) {
                    return Ok(Some(id.clone()));
                }
                let Some(number) = cards::test_payment_method(id) else {
                    return Err(ApiError::not_found("PaymentMethod", id, "payment_method"));
                };
                // A test card whose address checks fail stands for a card tokenized with
                // an address, so that they run.
                let address = !matches!(
                    cards::checks(number),
                    cards::Checks::Pass | cards::Checks::CvcFails
                );
                let pm = PaymentMethod {
                    id: new_id("pm"),
                    created: now(),
                    number: number.to_string(),
                    exp_month: 12,
                    exp_year: current_year() + 1,
                    postal_code: address.then(|| "12345".to_string()),
                    line1: address.then(|| "1 Test Street".to_string()),
                    cvc_given: true,
                    name: None,
                    email: None,
                    customer: None,
                    sepa_debit: None,
                };
                let pm_id = pm.id.clone();
                self.payment_methods.insert(pm_id.clone(), pm);
                Ok(Some(pm_id))
            }
            PaymentMethodSource::Card(card) => {
                let pm = card_payment_method(card)?;
                let pm_id = pm.id.clone();
                self.payment_methods.insert(pm_id.clone(), pm);
                Ok(Some(pm_id))
            }
            PaymentMethodSource::SepaDebit(input) => {
                let pm = super::bank_debits::sepa_payment_method(input)?;
                let pm_id = pm.id.clone();
                self.payment_methods.insert(pm_id.clone(), pm);
                Ok(Some(pm_id))
            }
        }
    }
}

impl Store {
    /// `setup_future_usage` on an intent with a customer: once the payment succeeds, its
    /// PaymentMethod is attached to the customer (`payment_method.attached`), as Stripe does
    /// (/api/payment_intents/create#create_payment_intent-setup_future_usage). Stripe does not
    /// document where this event falls among the payment's; it is sent before the charge's.
    pub(super) fn attach_for_future_usage(&mut self, pi_id: &str, pm_id: &str, origin: &Origin) {
        let Some(pi) = self.intents.get(pi_id) else {
            return;
        };
        let (Some(customer), Some(_)) = (pi.customer.clone(), pi.setup_future_usage.as_ref())
        else {
            return;
        };
        let Some(pm) = self.payment_methods.get_mut(pm_id) else {
            return;
        };
        if pm.customer.as_deref() == Some(customer.as_str()) {
            return;
        }
        pm.customer = Some(customer);
        let json = pm.to_json();
        self.emit("payment_method.attached", json, origin);
    }
}

/// Validates raw card data as Stripe does when it creates a card PaymentMethod.
fn card_payment_method(card: &CardInput) -> Result<PaymentMethod, ApiError> {
    let number: String = card
        .number
        .as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if number.is_empty() {
        return Err(ApiError::missing_parameter(
            "payment_method_data[card][number]",
        ));
    }
    if !cards::luhn_valid(&number) {
        return Err(
            ApiError::card("incorrect_number", None, "Your card number is incorrect.")
                .with_param("number"),
        );
    }
    let exp_month = card
        .exp_month
        .as_deref()
        .and_then(|m| m.trim().parse::<i64>().ok())
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(|| {
            ApiError::card(
                "invalid_expiry_month",
                None,
                "Your card's expiration month is invalid.",
            )
            .with_param("exp_month")
        })?;
    let mut exp_year = card
        .exp_year
        .as_deref()
        .and_then(|y| y.trim().parse::<i64>().ok())
        .ok_or_else(|| {
            ApiError::card(
                "invalid_expiry_year",
                None,
                "Your card's expiration year is invalid.",
            )
            .with_param("exp_year")
        })?;
    if exp_year < 100 {
        exp_year += 2000;
    }
    let today = time::OffsetDateTime::now_utc();
    let this_year = i64::from(today.year());
    let this_month = i64::from(u8::from(today.month()));
    if exp_year < this_year || (exp_year == this_year && exp_month < this_month) {
        return Err(ApiError::card(
            "invalid_expiry_year",
            None,
            "Your card's expiration year is in the past.",
        )
        .with_param("exp_year"));
    }
    if let Some(cvc) = card.cvc.as_deref()
        && (!(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(
            ApiError::card("invalid_cvc", None, "Your card's security code is invalid.")
                .with_param("cvc"),
        );
    }
    Ok(PaymentMethod {
        id: new_id("pm"),
        created: now(),
        number,
        exp_month,
        exp_year,
        postal_code: card.postal_code.clone().filter(|z| !z.is_empty()),
        line1: card.line1.clone().filter(|l| !l.is_empty()),
        cvc_given: card.cvc.as_deref().is_some_and(|c| !c.is_empty()),
        name: card.name.clone(),
        email: card.email.clone(),
        customer: None,
        sepa_debit: None,
    })
}

impl Store {
    /// A card typed into one of the sandbox's own pages (Checkout's subscription page, the
    /// hosted invoice page, the customer portal), checked as Stripe checks card data; attached
    /// to `customer` if given (`payment_method.attached`).
    pub fn add_card(
        &mut self,
        card: &CardInput,
        customer: Option<&str>,
        origin: &Origin,
    ) -> Result<String, ApiError> {
        let mut pm = card_payment_method(card)?;
        pm.customer = customer.map(str::to_string);
        let id = pm.id.clone();
        let json = pm.to_json();
        self.payment_methods.insert(id.clone(), pm);
        if customer.is_some() {
            self.emit("payment_method.attached", json, origin);
        }
        Ok(id)
    }
}

/// Checks card data as Stripe does, making nothing.
pub fn check_card(card: &CardInput) -> Result<(), ApiError> {
    card_payment_method(card).map(|_| ())
}

impl Store {
    /// `POST /v1/payment_methods/{id}/attach`: attaching checks the card with its issuer, so
    /// a card that declines every charge is refused here; 4000 0000 0000 0341 is the card
    /// that attaches and is declined only when charged (/testing#declined-payments).
    pub fn attach_to_customer(
        &mut self,
        id: &str,
        customer: &str,
        origin: &Origin,
    ) -> Result<serde_json::Value, ApiError> {
        if let Some(pm) = self.payment_methods.get(id) {
            match pm.customer.as_deref() {
                Some(c) if c == customer => return Ok(pm.to_json()),
                Some(_) => {
                    return Err(ApiError::invalid(
                        "The payment method you provided has already been attached to a customer.",
                    ));
                }
                None => {}
            }
        }
        let number = match self.payment_methods.get(id) {
            Some(pm) => pm.number.clone(),
            None => cards::test_payment_method(id)
                .ok_or_else(|| ApiError::not_found("PaymentMethod", id, "payment_method"))?
                .to_string(),
        };
        if let cards::Behaviour::Declines(d) = cards::behaviour(&number)
            && number != "4000000000000341"
        {
            return Err(ApiError::card(d.code, d.decline_code, d.message));
        }
        let pm_id = self
            .resolve_payment_method(&PaymentMethodSource::Id(id.to_string()), None)?
            .ok_or_else(|| ApiError::not_found("PaymentMethod", id, "payment_method"))?;
        let Some(pm) = self.payment_methods.get_mut(&pm_id) else {
            return Err(ApiError::not_found("PaymentMethod", id, "payment_method"));
        };
        pm.customer = Some(customer.to_string());
        let json = pm.to_json();
        self.emit("payment_method.attached", json.clone(), origin);
        Ok(json)
    }
}
