//! `/v1/payment_intents`: create, list, retrieve, update, confirm, cancel; search is in
//! `search.rs`, the parameters each endpoint takes in `schema.rs`, their parsing in
//! `parse.rs`. What confirming does to the intent is the store's (`store/payment_intents.rs`).

mod extras;
mod limits;
mod parse;
mod schema;
mod search;
mod view;

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::Ctx;
use super::list::{ListQuery, paginate};
use super::values::{apply_metadata, email};
use crate::currency::check_amount;
use crate::error::ApiError;
use crate::objects::{JsonText, PaymentIntent, Status};
use crate::params::{Params, ParamsExt};
use crate::store::payment_methods::PaymentMethodSource;
use crate::store::{Store, bank_debits};
use parse::{
    check_client_secret, confirmation, currency, customer, expansions, list_expansions, one_of,
    payment_method_types, source, unsupported,
};
pub use schema::{CANCEL, CONFIRM, CREATE, LIST, RETRIEVE, SEARCH, UPDATE};
pub use search::search;
use view::render;

pub fn create(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    unsupported(params)?;
    extras::unknown_objects(store, params)?;
    let expand = expansions(ctx, params)?;
    let amount_value = params
        .int("amount")
        .ok_or_else(|| ApiError::missing_parameter("amount"))?;
    let currency = currency(params)?;
    let amount = check_amount(amount_value, &currency)?;
    let customer = customer(store, params)?;
    let confirm = params.bool("confirm") == Some(true);
    if !confirm {
        for p in ["return_url", "off_session", "error_on_requires_action"] {
            if params.contains_key(p) {
                return Err(ApiError::param_error(
                    format!("You can only pass `{p}` when `confirm` is true."),
                    p,
                    None,
                ));
            }
        }
    }
    let types = payment_method_types(params)?;
    if let Some(types) = &types {
        bank_debits::check_currency(types, &currency)?;
    }
    let apm = params.map("automatic_payment_methods");
    let apm_enabled = apm.and_then(|m| m.bool("enabled"));
    if apm.is_some() && apm_enabled.is_none() {
        return Err(ApiError::missing_parameter(
            "automatic_payment_methods[enabled]",
        ));
    }
    if types.is_some() && apm_enabled == Some(true) {
        return Err(ApiError::param_error(
            "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.",
            "automatic_payment_methods",
            None,
        ));
    }
    let allow_redirects = apm
        .and_then(|m| one_of(m, "allow_redirects", &["always", "never"]).transpose())
        .transpose()?
        .unwrap_or("always")
        .to_string();
    let automatic_payment_methods = match (&types, apm_enabled) {
        (None, None | Some(true)) => Some(allow_redirects),
        _ => None,
    };
    let capture_method = extras::capture_method(params)?.unwrap_or("automatic_async");
    let confirmation_method =
        one_of(params, "confirmation_method", &["automatic", "manual"])?.unwrap_or("automatic");
    let setup_future_usage =
        one_of(params, "setup_future_usage", &["on_session", "off_session"])?.map(str::to_string);
    let mut metadata = BTreeMap::new();
    apply_metadata(&mut metadata, params)?;
    let receipt_email = email(params, "receipt_email")?.flatten();
    let description = params
        .nullable_str("description")
        .flatten()
        .map(str::to_string);
    limits::description(description.as_deref())?;
    let payment_method_types = types.unwrap_or_else(|| bank_debits::automatic_types(&currency));
    limits::statement_descriptors(
        params.str("statement_descriptor"),
        params.str("statement_descriptor_suffix"),
        &payment_method_types,
    )?;
    let confirmation = if confirm {
        Some(confirmation(ctx, params)?)
    } else {
        None
    };

    let mut pi = PaymentIntent {
        metadata: metadata.into(),
        customer,
        description,
        receipt_email,
        automatic_payment_methods,
        payment_method_types,
        capture_method: capture_method.to_string(),
        confirmation_method: confirmation_method.to_string(),
        setup_future_usage,
        statement_descriptor: params.str("statement_descriptor").map(str::to_string),
        statement_descriptor_suffix: params
            .str("statement_descriptor_suffix")
            .map(str::to_string),
        transfer_group: params.str("transfer_group").map(str::to_string),
        shipping: extras::shipping(params)?
            .flatten()
            .as_ref()
            .map(JsonText::new),
        ..PaymentIntent::new(amount, currency)
    };
    extras::apply_method_types(&mut pi, params)?;
    limits::statement_descriptors(
        params.str("statement_descriptor"),
        params.str("statement_descriptor_suffix"),
        &pi.payment_method_types,
    )?;
    let id = pi.id.clone();
    if !confirm {
        // A payment method given at creation is attached right away.
        let src = source(params)?;
        if !matches!(src, PaymentMethodSource::Attached) {
            store.intents.insert(id.clone(), Box::new(pi.clone()));
            let attached = store.attach_payment_method(&id, &src);
            if let Err(e) = attached {
                store.intents.remove(&id);
                return Err(e);
            }
            if let Some(stored) = store.intents.get(&id) {
                pi = (**stored).clone();
            }
        }
    }
    store.intents.insert(id.clone(), Box::new(pi.clone()));
    store.emit("payment_intent.created", pi.to_json(), &ctx.origin);
    if let Some(c) = confirmation {
        store.confirm(&id, c, &ctx.origin)?;
    }
    let pi = store.intent(&id)?;
    Ok(render(store, pi, ctx, &expand))
}

pub fn list(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    if params.contains_key("customer_account") {
        return Err(ApiError::param_error(
            "The Stripe sandbox does not simulate `customer_account`; use Stripe's test mode for it.",
            "customer_account",
            None,
        ));
    }
    let expand = list_expansions(ctx, params)?;
    let query = ListQuery::from_params(params)?;
    let customer = params.str("customer");
    let mut items: Vec<&PaymentIntent> = store
        .intents
        .values()
        .map(|pi| &**pi)
        .filter(|pi| customer.is_none_or(|c| pi.customer.as_deref() == Some(c)))
        .filter(|pi| query.created_matches(pi.created))
        .collect();
    items.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    let rows: Vec<(String, Value)> = items
        .iter()
        .map(|pi| (pi.id.clone(), render(store, pi, ctx, &expand)))
        .collect();
    paginate(rows, &query, "/v1/payment_intents", "payment_intent")
}

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = expansions(ctx, params)?;
    let pi = store.intent(ctx.segment(1))?;
    check_client_secret(ctx, params, pi)?;
    Ok(render(store, pi, ctx, &expand))
}

pub fn update(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    unsupported(params)?;
    extras::unknown_objects(store, params)?;
    let capture_method = extras::capture_method(params)?;
    let shipping = extras::shipping(params)?;
    let expand = expansions(ctx, params)?;
    let id = ctx.segment(1).to_string();
    let status = store.intent(&id)?.status;
    let open = matches!(
        status,
        Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::RequiresAction
    );
    for field in [
        "amount",
        "currency",
        "payment_method",
        "payment_method_data",
        "payment_method_types",
        "allowed_payment_method_types",
        "excluded_payment_method_types",
        "capture_method",
        "setup_future_usage",
    ] {
        if params.contains_key(field) && !open {
            return Err(ApiError::invalid(format!(
                "This PaymentIntent's {field} could not be updated because it has a status of {}. You may only update the {field} of a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.",
                status.as_str()
            ))
            .with_code("payment_intent_unexpected_state"));
        }
    }
    let customer = customer(store, params)?;
    let receipt_email = email(params, "receipt_email")?;
    let types = payment_method_types(params)?;
    let setup_future_usage =
        one_of(params, "setup_future_usage", &["on_session", "off_session"])?.map(str::to_string);
    let currency = if params.contains_key("currency") {
        Some(currency(params)?)
    } else {
        None
    };
    let pi = store.intent(&id)?.clone();
    let new_currency = currency.clone().unwrap_or_else(|| pi.currency.clone());
    let new_amount = match params.int("amount") {
        Some(a) => Some(check_amount(a, &new_currency)?),
        None => None,
    };
    let mut metadata = pi.metadata.to_map();
    apply_metadata(&mut metadata, params)?;
    limits::description(params.nullable_str("description").flatten())?;
    limits::statement_descriptors(
        params.str("statement_descriptor"),
        params.str("statement_descriptor_suffix"),
        types.as_ref().unwrap_or(&pi.payment_method_types),
    )?;
    let src = source(params)?;
    {
        let Some(pi) = store.intents.get_mut(&id) else {
            return Err(ApiError::not_found("payment_intent", &id, "intent"));
        };
        pi.metadata = metadata.into();
        if let Some(a) = new_amount {
            pi.amount = a;
        }
        if let Some(c) = currency {
            pi.currency = c;
        }
        if let Some(c) = customer {
            pi.customer = Some(c);
        }
        if let Some(d) = params.nullable_str("description") {
            pi.description = d.map(str::to_string);
        }
        if let Some(e) = receipt_email {
            pi.receipt_email = e;
        }
        if let Some(t) = types {
            pi.payment_method_types = t;
            pi.automatic_payment_methods = None;
        }
        if setup_future_usage.is_some() {
            pi.setup_future_usage = setup_future_usage;
        }
        if let Some(s) = params.nullable_str("statement_descriptor") {
            pi.statement_descriptor = s.map(str::to_string);
        }
        if let Some(s) = params.nullable_str("statement_descriptor_suffix") {
            pi.statement_descriptor_suffix = s.map(str::to_string);
        }
        if let Some(s) = params.nullable_str("transfer_group") {
            pi.transfer_group = s.map(str::to_string);
        }
        if let Some(m) = capture_method {
            pi.capture_method = m.to_string();
        }
        if let Some(s) = shipping {
            pi.shipping = s.as_ref().map(JsonText::new);
        }
        extras::apply_method_types(pi, params)?;
        if (new_amount.is_some() || params.contains_key("currency"))
            && pi.status == Status::RequiresAction
        {
            // The authentication was for another amount.
            pi.status = Status::RequiresConfirmation;
            pi.challenge = None;
        }
    }
    if !matches!(src, PaymentMethodSource::Attached) {
        store.attach_payment_method(&id, &src)?;
    }
    let pi = store.intent(&id)?;
    Ok(render(store, pi, ctx, &expand))
}

pub fn confirm(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    unsupported(params)?;
    let expand = expansions(ctx, params)?;
    let id = ctx.segment(1).to_string();
    check_client_secret(ctx, params, store.intent(&id)?)?;
    extras::unknown_objects(store, params)?;
    extras::amount_to_confirm(params, store.intent(&id)?)?;
    let capture_method = extras::capture_method(params)?;
    let shipping = extras::shipping(params)?;
    let c = confirmation(ctx, params)?;
    {
        let mut pi = store.intent(&id)?.clone();
        if let Some(m) = capture_method {
            pi.capture_method = m.to_string();
        }
        if let Some(s) = shipping {
            pi.shipping = s.as_ref().map(JsonText::new);
        }
        extras::apply_method_types(&mut pi, params)?;
        store.intents.insert(id.clone(), Box::new(pi));
    }
    store.confirm(&id, c, &ctx.origin)?;
    let pi = store.intent(&id)?;
    Ok(render(store, pi, ctx, &expand))
}

pub fn cancel(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = expansions(ctx, params)?;
    let reason = match params.str("cancellation_reason") {
        None => None,
        Some(r @ ("duplicate" | "fraudulent" | "requested_by_customer" | "abandoned")) => {
            Some(r.to_string())
        }
        Some(_) => {
            return Err(ApiError::param_error(
                "Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned",
                "cancellation_reason",
                None,
            ));
        }
    };
    let id = ctx.segment(1).to_string();
    if store.session_of_intent(&id).is_some() {
        return Err(ApiError::invalid(
            "You cannot cancel this PaymentIntent because it was created by Checkout. Expire the Checkout Session instead.",
        )
        .with_code("payment_intent_unexpected_state"));
    }
    store.cancel(&id, reason, &ctx.origin)?;
    let pi = store.intent(&id)?;
    Ok(render(store, pi, ctx, &expand))
}
