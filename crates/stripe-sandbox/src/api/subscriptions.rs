//! `/v1/subscriptions`: create, retrieve, update (items with prorations, cancel at period end
//! and resume, default payment method, metadata), cancel (`DELETE`), list. What a
//! subscription does over time is `store/subscriptions.rs`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::Ctx;
use super::expand::{check_expand, check_list_expand};
use super::list::{ListQuery, paginate};
use super::values::apply_metadata;
use crate::error::ApiError;
use crate::objects::{SubStatus, Subscription};
use crate::params::{Param, Params, ParamsExt, Shape, as_list};
use crate::store::Store;
use crate::store::subscriptions::{NewSubscription, PaymentBehavior, Proration};

const ITEM: Shape = Shape::Map(&[
    ("billing_thresholds", Shape::Any),
    ("clear_usage", Shape::Bool),
    ("current_trial", Shape::Any),
    ("deleted", Shape::Bool),
    ("discounts", Shape::Any),
    ("id", Shape::Str),
    ("metadata", Shape::Dict),
    ("plan", Shape::Str),
    ("price", Shape::Str),
    ("price_data", Shape::Any),
    ("quantity", Shape::Int),
    ("tax_rates", Shape::Any),
]);
const CANCELLATION_DETAILS: Shape =
    Shape::Map(&[("comment", Shape::Str), ("feedback", Shape::Str)]);

/// Parameters of the API definition that need what the sandbox does not simulate.
const UNSIMULATED: &[&str] = &[
    "add_invoice_items",
    "application_fee_percent",
    "automatic_tax",
    "backdate_start_date",
    "billing_cycle_anchor",
    "billing_cycle_anchor_config",
    "billing_mode",
    "billing_schedules",
    "billing_thresholds",
    "cancel_at",
    "customer_account",
    "days_until_due",
    "default_source",
    "default_tax_rates",
    "discounts",
    "invoice_settings",
    "on_behalf_of",
    "pause_collection",
    "payment_settings",
    "pending_invoice_item_interval",
    "transfer_data",
    "trial_settings",
];

pub const CREATE: &[(&str, Shape)] = &[
    ("add_invoice_items", Shape::Any),
    ("application_fee_percent", Shape::Any),
    ("automatic_tax", Shape::Any),
    ("backdate_start_date", Shape::Any),
    ("billing_cycle_anchor", Shape::Any),
    ("billing_cycle_anchor_config", Shape::Any),
    ("billing_mode", Shape::Any),
    ("billing_schedules", Shape::Any),
    ("billing_thresholds", Shape::Any),
    ("cancel_at", Shape::Any),
    ("cancel_at_period_end", Shape::Bool),
    ("collection_method", Shape::Str),
    ("currency", Shape::Str),
    ("customer", Shape::Str),
    ("customer_account", Shape::Any),
    ("days_until_due", Shape::Any),
    ("default_payment_method", Shape::Str),
    ("default_source", Shape::Any),
    ("default_tax_rates", Shape::Any),
    ("description", Shape::Str),
    ("discounts", Shape::Any),
    ("expand", Shape::List(&Shape::Str)),
    ("invoice_settings", Shape::Any),
    ("items", Shape::List(&ITEM)),
    ("metadata", Shape::Dict),
    ("off_session", Shape::Bool),
    ("on_behalf_of", Shape::Any),
    ("payment_behavior", Shape::Str),
    ("payment_settings", Shape::Any),
    ("pending_invoice_item_interval", Shape::Any),
    ("proration_behavior", Shape::Str),
    ("transfer_data", Shape::Any),
    ("trial_end", Shape::Str),
    ("trial_from_plan", Shape::Bool),
    ("trial_period_days", Shape::Int),
    ("trial_settings", Shape::Any),
];
pub const RETRIEVE: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];
pub const UPDATE: &[(&str, Shape)] = &[
    ("add_invoice_items", Shape::Any),
    ("application_fee_percent", Shape::Any),
    ("automatic_tax", Shape::Any),
    ("billing_cycle_anchor", Shape::Any),
    ("billing_schedules", Shape::Any),
    ("billing_thresholds", Shape::Any),
    ("cancel_at", Shape::Any),
    ("cancel_at_period_end", Shape::Bool),
    ("cancellation_details", CANCELLATION_DETAILS),
    ("collection_method", Shape::Str),
    ("days_until_due", Shape::Any),
    ("default_payment_method", Shape::Str),
    ("default_source", Shape::Any),
    ("default_tax_rates", Shape::Any),
    ("description", Shape::Str),
    ("discounts", Shape::Any),
    ("expand", Shape::List(&Shape::Str)),
    ("invoice_settings", Shape::Any),
    ("items", Shape::List(&ITEM)),
    ("metadata", Shape::Dict),
    ("off_session", Shape::Bool),
    ("on_behalf_of", Shape::Any),
    ("pause_collection", Shape::Any),
    ("payment_behavior", Shape::Str),
    ("payment_settings", Shape::Any),
    ("pending_invoice_item_interval", Shape::Any),
    ("proration_behavior", Shape::Str),
    ("proration_date", Shape::Int),
    ("transfer_data", Shape::Any),
    ("trial_end", Shape::Str),
    ("trial_from_plan", Shape::Bool),
    ("trial_settings", Shape::Any),
];
pub const CANCEL: &[(&str, Shape)] = &[
    ("cancellation_details", CANCELLATION_DETAILS),
    ("expand", Shape::List(&Shape::Str)),
    ("invoice_now", Shape::Bool),
    ("prorate", Shape::Bool),
];
pub const LIST: &[(&str, Shape)] = &[
    ("automatic_tax", Shape::Any),
    ("collection_method", Shape::Str),
    ("created", Shape::IntOrRange),
    ("current_period_end", Shape::IntOrRange),
    ("current_period_start", Shape::IntOrRange),
    ("customer", Shape::Str),
    ("customer_account", Shape::Any),
    ("ending_before", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("limit", Shape::Int),
    ("plan", Shape::Str),
    ("price", Shape::Str),
    ("starting_after", Shape::Str),
    ("status", Shape::Str),
    ("test_clock", Shape::Str),
];

const EXPANSIONS: &[&str] = &[
    "customer",
    "latest_invoice",
    "latest_invoice.confirmation_secret",
    "latest_invoice.payments",
    "default_payment_method",
];

fn unsimulated(param: &str) -> ApiError {
    ApiError::param_error(
        format!(
            "The Stripe sandbox does not simulate `{param}` on subscriptions; use Stripe's test mode for it."
        ),
        param,
        None,
    )
}

fn refuse_unsimulated(params: &Params) -> Result<(), ApiError> {
    if let Some(p) = UNSIMULATED.iter().find(|p| params.contains_key(**p)) {
        return Err(unsimulated(p));
    }
    if let Some(m) = params.str("collection_method")
        && m != "charge_automatically"
    {
        return Err(if m == "send_invoice" {
            unsimulated("collection_method=send_invoice")
        } else {
            ApiError::param_error(
                "Invalid collection_method: must be one of charge_automatically or send_invoice",
                "collection_method",
                None,
            )
        });
    }
    Ok(())
}

/// The subscription as answered, with what `expand[]` asks for.
pub fn render(store: &Store, sub: &Subscription, expand: &[String]) -> Value {
    let mut json = store.subscription_json(sub);
    let has = |f: &str| expand.iter().any(|e| e == f);
    if has("customer")
        && let Some(c) = store.customers.get(&sub.customer)
    {
        json["customer"] = c.to_json();
    }
    if has("default_payment_method")
        && let Some(pm) = sub
            .default_payment_method
            .as_ref()
            .and_then(|id| store.payment_methods.get(id))
    {
        json["default_payment_method"] = pm.to_json();
    }
    let secret = has("latest_invoice.confirmation_secret");
    let payments = has("latest_invoice.payments");
    if (has("latest_invoice") || secret || payments)
        && let Some(inv) = sub
            .latest_invoice
            .as_ref()
            .and_then(|id| store.billing.invoices.get(id))
    {
        json["latest_invoice"] = store.invoice_json(inv, payments, secret);
    }
    json
}

fn payment_behavior(params: &Params, update: bool) -> Result<PaymentBehavior, ApiError> {
    Ok(match params.str("payment_behavior") {
        None | Some("allow_incomplete") => PaymentBehavior::AllowIncomplete,
        Some("default_incomplete") => PaymentBehavior::DefaultIncomplete,
        Some("error_if_incomplete") => PaymentBehavior::ErrorIfIncomplete,
        Some("pending_if_incomplete") if update => PaymentBehavior::PendingIfIncomplete,
        Some("pending_if_incomplete") => {
            return Err(ApiError::param_error(
                "payment_behavior=pending_if_incomplete is only supported when updating a subscription.",
                "payment_behavior",
                None,
            ));
        }
        Some(_) => {
            return Err(ApiError::param_error(
                "Invalid payment_behavior: must be one of allow_incomplete, default_incomplete, error_if_incomplete, or pending_if_incomplete",
                "payment_behavior",
                None,
            ));
        }
    })
}

fn proration(params: &Params) -> Result<Proration, ApiError> {
    Ok(match params.str("proration_behavior") {
        None | Some("create_prorations") => Proration::CreateProrations,
        Some("none") => Proration::None,
        Some("always_invoice") => Proration::AlwaysInvoice,
        Some(_) => {
            return Err(ApiError::param_error(
                "Invalid proration_behavior: must be one of always_invoice, create_prorations, or none",
                "proration_behavior",
                None,
            ));
        }
    })
}

/// One `items[]` entry: (existing item id, price, quantity, metadata, deleted).
struct ItemParam {
    id: Option<String>,
    price: Option<String>,
    quantity: Option<u64>,
    metadata: BTreeMap<String, String>,
    deleted: bool,
}

fn items(store: &Store, params: &Params) -> Result<Vec<ItemParam>, ApiError> {
    let list = params.get("items").and_then(as_list).unwrap_or_default();
    if list.len() > 20 {
        return Err(ApiError::param_error(
            "A subscription can have at most 20 items.",
            "items",
            None,
        ));
    }
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let name = |f: &str| format!("items[{i}][{f}]");
        let Param::Map(m) = item else {
            return Err(ApiError::param_error(
                "Invalid object",
                &format!("items[{i}]"),
                None,
            ));
        };
        for p in [
            "billing_thresholds",
            "current_trial",
            "discounts",
            "price_data",
            "tax_rates",
        ] {
            if m.contains_key(p) {
                return Err(unsimulated(&name(p)));
            }
        }
        let price = match (m.str("price"), m.str("plan")) {
            (Some(_), Some(_)) => {
                return Err(ApiError::param_error(
                    format!(
                        "You may only specify one of these parameters: {}, {}.",
                        name("plan"),
                        name("price")
                    ),
                    &name("price"),
                    None,
                ));
            }
            (Some(p), None) | (None, Some(p)) => Some(p.to_string()),
            (None, None) => None,
        };
        if let Some(p) = &price {
            let found = store
                .billing
                .prices
                .get(p)
                .ok_or_else(|| ApiError::not_found("price", p, &name("price")))?;
            if found.recurring.is_none() {
                return Err(ApiError::param_error(
                    "The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.",
                    &name("price"),
                    None,
                ));
            }
            if !found.active {
                return Err(ApiError::param_error(
                    "The price specified is inactive. This field only accepts active prices.",
                    &name("price"),
                    None,
                ));
            }
        }
        let quantity = match m.int("quantity") {
            None => None,
            Some(q) if q >= 0 => Some(q as u64),
            Some(_) => {
                return Err(ApiError::param_error(
                    "Invalid integer: quantity must be at least 0",
                    &name("quantity"),
                    None,
                ));
            }
        };
        let mut metadata = BTreeMap::new();
        apply_metadata(&mut metadata, m).map_err(|e| e.with_param(&name("metadata")))?;
        out.push(ItemParam {
            id: m.str("id").map(str::to_string),
            price,
            quantity,
            metadata,
            deleted: m.bool("deleted") == Some(true),
        });
    }
    Ok(out)
}

/// All prices of a subscription bill in one currency and at one interval.
fn check_same_terms(store: &Store, prices: &[&String]) -> Result<(), ApiError> {
    let found: Vec<_> = prices
        .iter()
        .filter_map(|p| store.billing.prices.get(*p))
        .collect();
    if let Some(first) = found.first() {
        if found.iter().any(|p| p.currency != first.currency) {
            return Err(ApiError::param_error(
                "All prices on a subscription must have the same currency.",
                "items",
                None,
            ));
        }
        if found.iter().any(|p| {
            p.recurring
                .as_ref()
                .map(|r| (&r.interval, r.interval_count))
                != first
                    .recurring
                    .as_ref()
                    .map(|r| (&r.interval, r.interval_count))
        }) {
            return Err(ApiError::param_error(
                "The price specified has a different interval than the subscription's other prices. All prices on a subscription must have the same recurring interval and interval_count.",
                "items",
                None,
            ));
        }
    }
    Ok(())
}

fn customer_payment_method(
    store: &Store,
    customer: &str,
    id: &str,
    param: &str,
) -> Result<(), ApiError> {
    let pm = store
        .payment_methods
        .get(id)
        .ok_or_else(|| ApiError::not_found("PaymentMethod", id, param))?;
    if pm.customer.as_deref() != Some(customer) {
        return Err(ApiError::param_error(
            format!(
                "The customer does not have a payment method with the ID {id}. The payment method must be attached to the customer."
            ),
            param,
            None,
        ));
    }
    Ok(())
}

/// `trial_end` (`now` or a time) and `trial_period_days`: when the trial ends, if any.
fn trial_end(
    params: &Params,
    at: i64,
    prices: &[&String],
    store: &Store,
) -> Result<Option<i64>, ApiError> {
    if params.contains_key("trial_end") && params.contains_key("trial_period_days") {
        return Err(ApiError::param_error(
            "You may only specify one of these parameters: trial_end, trial_period_days.",
            "trial_end",
            None,
        ));
    }
    if let Some(t) = params.str("trial_end") {
        if t == "now" {
            return Ok(None);
        }
        let t: i64 = t.parse().map_err(|_| {
            ApiError::param_error(
                "Invalid timestamp: must be an integer Unix timestamp or `now`.",
                "trial_end",
                None,
            )
        })?;
        if t <= at {
            return Err(ApiError::param_error(
                "Invalid timestamp: must be an integer Unix timestamp in the future.",
                "trial_end",
                None,
            ));
        }
        if t > at + 730 * 24 * 60 * 60 {
            return Err(ApiError::param_error(
                "Invalid timestamp: can be no more than two years in the future.",
                "trial_end",
                None,
            ));
        }
        return Ok(Some(t));
    }
    if let Some(days) = params.int("trial_period_days") {
        if !(0..=730).contains(&days) {
            return Err(ApiError::param_error(
                "Invalid integer: trial_period_days must be between 0 and 730",
                "trial_period_days",
                None,
            ));
        }
        return Ok((days > 0).then(|| at + days * 24 * 60 * 60));
    }
    if params.bool("trial_from_plan") == Some(true) {
        let days = prices
            .iter()
            .filter_map(|p| store.billing.prices.get(*p))
            .find_map(|p| p.recurring.as_ref().and_then(|r| r.trial_period_days));
        return Ok(days.map(|d| at + d * 24 * 60 * 60));
    }
    Ok(None)
}

pub fn create(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    refuse_unsimulated(params)?;
    let expand = check_expand(params, EXPANSIONS)?;
    let customer = params.required_str("customer")?.to_string();
    if !store.customers.contains_key(&customer) {
        return Err(ApiError::not_found("customer", &customer, "customer"));
    }
    let given = items(store, params)?;
    if given.is_empty() {
        return Err(ApiError::missing_parameter("items"));
    }
    let mut lines = Vec::new();
    for (i, item) in given.iter().enumerate() {
        if item.id.is_some() || item.deleted {
            return Err(ApiError::unknown_parameter(&format!("items[{i}][id]")));
        }
        let price = item
            .price
            .clone()
            .ok_or_else(|| ApiError::missing_parameter(&format!("items[{i}][price]")))?;
        lines.push((price, item.quantity.unwrap_or(1), item.metadata.clone()));
    }
    let price_ids: Vec<&String> = lines.iter().map(|(p, _, _)| p).collect();
    check_same_terms(store, &price_ids)?;
    if let Some(c) = params.str("currency") {
        let c = crate::currency::parse(c)?;
        if store
            .billing
            .prices
            .get(price_ids[0])
            .is_some_and(|p| p.currency != c)
        {
            return Err(ApiError::param_error(
                "The `currency` must match the currency of the subscription's prices.",
                "currency",
                None,
            ));
        }
    }
    let behavior = payment_behavior(params, false)?;
    proration(params)?;
    let at = store.customer_now(&customer);
    let trial_end = trial_end(params, at, &price_ids, store)?;
    let default_payment_method = params.str("default_payment_method").map(str::to_string);
    if let Some(pm) = &default_payment_method {
        customer_payment_method(store, &customer, pm, "default_payment_method")?;
    }
    let mut metadata = BTreeMap::new();
    apply_metadata(&mut metadata, params)?;
    let id = store.create_subscription(
        NewSubscription {
            customer,
            items: lines,
            trial_end,
            default_payment_method,
            payment_behavior: behavior,
            metadata,
            description: params
                .str("description")
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            cancel_at_period_end: params.bool("cancel_at_period_end") == Some(true),
        },
        &ctx.pages,
        &ctx.origin,
    )?;
    let sub = store.subscription(&id)?;
    Ok(render(store, sub, &expand))
}

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, EXPANSIONS)?;
    let sub = store.subscription(ctx.segment(1))?;
    Ok(render(store, sub, &expand))
}

pub fn update(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    refuse_unsimulated(params)?;
    let expand = check_expand(params, EXPANSIONS)?;
    let id = ctx.segment(1).to_string();
    let sub = store.subscription(&id)?.clone();
    if sub.status.is_final() {
        return Err(ApiError::invalid(
            "A canceled subscription can only update its cancellation_details and metadata.",
        ));
    }
    let behavior = payment_behavior(params, true)?;
    if behavior == PaymentBehavior::PendingIfIncomplete {
        return Err(unsimulated("payment_behavior=pending_if_incomplete"));
    }
    let proration = proration(params)?;
    if params.contains_key("trial_end") || params.bool("trial_from_plan").is_some() {
        return Err(unsimulated("trial_end (on update)"));
    }
    let given = items(store, params)?;
    let mut changes = Vec::new();
    for (i, item) in given.iter().enumerate() {
        if item.deleted {
            return Err(unsimulated(&format!("items[{i}][deleted]")));
        }
        if let Some(item_id) = &item.id
            && !sub.items.iter().any(|s| &s.id == item_id)
        {
            return Err(ApiError::param_error(
                format!("Invalid subscription_item id: {item_id}"),
                &format!("items[{i}][id]"),
                None,
            ));
        }
        let existing = item
            .id
            .as_ref()
            .and_then(|id| sub.items.iter().find(|s| &s.id == id));
        let price = match (&item.price, existing) {
            (Some(p), _) => p.clone(),
            (None, Some(e)) => e.price.clone(),
            (None, None) => return Err(ApiError::missing_parameter(&format!("items[{i}][price]"))),
        };
        let quantity = item.quantity.or(existing.map(|e| e.quantity)).unwrap_or(1);
        changes.push((item.id.clone(), price, quantity));
    }
    if !changes.is_empty() {
        let mut all: Vec<String> = sub
            .items
            .iter()
            .filter(|s| {
                !changes
                    .iter()
                    .any(|(id, _, _)| id.as_deref() == Some(s.id.as_str()))
            })
            .map(|s| s.price.clone())
            .collect();
        all.extend(changes.iter().map(|(_, p, _)| p.clone()));
        let refs: Vec<&String> = all.iter().collect();
        check_same_terms(store, &refs)?;
        let currency = store
            .billing
            .prices
            .get(&all[0])
            .map(|p| p.currency.clone());
        if currency.as_deref() != Some(sub.currency.as_str()) {
            return Err(ApiError::param_error(
                "You cannot change the currency of a subscription.",
                "items",
                None,
            ));
        }
    }
    if let Some(pm) = params.str("default_payment_method") {
        customer_payment_method(store, &sub.customer, pm, "default_payment_method")?;
    }
    let proration_date = params.int("proration_date");
    let mut metadata = sub.metadata.clone();
    apply_metadata(&mut metadata, params)?;

    // Everything is checked: the changes that are not items first, in one event.
    let at = store.customer_now(&sub.customer);
    let before = store.subscription_json(&sub);
    let mut changed = sub.clone();
    changed.metadata = metadata;
    if let Some(d) = params.str("description") {
        changed.description = (!d.is_empty()).then(|| d.to_string());
    }
    if let Some(pm) = params.str("default_payment_method") {
        changed.default_payment_method = Some(pm.to_string());
    }
    if let Some(details) = params.map("cancellation_details") {
        if let Some(c) = details.str("comment") {
            changed.cancellation_comment = (!c.is_empty()).then(|| c.to_string());
        }
        if let Some(f) = details.str("feedback") {
            changed.cancellation_feedback = (!f.is_empty()).then(|| f.to_string());
        }
    }
    match params.bool("cancel_at_period_end") {
        Some(true) => {
            changed.cancel_at_period_end = true;
            changed.cancel_at = Some(changed.current_period_end);
            changed.canceled_at = Some(at);
            changed.cancellation_reason = Some("cancellation_requested".into());
        }
        Some(false) => {
            changed.cancel_at_period_end = false;
            changed.cancel_at = None;
            changed.canceled_at = None;
            changed.cancellation_reason = None;
            changed.cancellation_comment = None;
            changed.cancellation_feedback = None;
        }
        None => {}
    }
    let unchanged_items = changes.is_empty();
    store.billing.subscriptions.insert(id.clone(), changed);
    if unchanged_items {
        store.announce_subscription_change(&before, &id, &ctx.origin);
    } else {
        // One `customer.subscription.updated` for the whole update.
        let invoice = store.change_items(
            &id,
            changes,
            (proration, proration_date),
            &ctx.pages,
            &ctx.origin,
            Some(before),
        )?;
        if let Some(inv) = invoice {
            let result = store.invoice_update_now(&inv, at, &ctx.origin);
            if let Err(e) = result
                && behavior == PaymentBehavior::ErrorIfIncomplete
            {
                return Err(e);
            }
        }
    }
    let sub = store.subscription(&id)?;
    Ok(render(store, sub, &expand))
}

/// `DELETE /v1/subscriptions/{id}`: ends it now (`customer.subscription.deleted`).
pub fn cancel(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, EXPANSIONS)?;
    if params.bool("invoice_now") == Some(true) || params.bool("prorate") == Some(true) {
        return Err(unsimulated(if params.bool("invoice_now") == Some(true) {
            "invoice_now"
        } else {
            "prorate"
        }));
    }
    let id = ctx.segment(1).to_string();
    let sub = store.subscription(&id)?.clone();
    if sub.status.is_final() {
        return Err(ApiError::invalid(
            "A canceled subscription can only update its cancellation_details and metadata.",
        )
        .with_code("resource_missing"));
    }
    if let Some(details) = params.map("cancellation_details")
        && let Some(s) = store.billing.subscriptions.get_mut(&id)
    {
        s.cancellation_comment = details
            .str("comment")
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        s.cancellation_feedback = details
            .str("feedback")
            .filter(|c| !c.is_empty())
            .map(str::to_string);
    }
    let at = store.customer_now(&sub.customer);
    if let Some(s) = store.billing.subscriptions.get_mut(&id) {
        s.canceled_at = Some(at);
        s.cancellation_reason = Some("cancellation_requested".into());
    }
    store.end_subscription(&id, at, "cancellation_requested", &ctx.origin);
    let sub = store.subscription(&id)?;
    Ok(render(store, sub, &expand))
}

pub fn list(store: &mut Store, _ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    for p in ["automatic_tax", "customer_account"] {
        if params.contains_key(p) {
            return Err(unsimulated(p));
        }
    }
    let expand = check_list_expand(params, EXPANSIONS)?;
    let q = ListQuery::from_params(params)?;
    let status = match params.str("status") {
        None | Some("all") => None,
        Some("ended") => Some(vec![SubStatus::Canceled, SubStatus::IncompleteExpired]),
        Some(s) => Some(vec![SubStatus::parse(s).ok_or_else(|| {
            ApiError::param_error(
                "Invalid status: must be one of active, all, canceled, ended, incomplete, incomplete_expired, past_due, paused, trialing, or unpaid",
                "status",
                None,
            )
        })?]),
    };
    let price = params.str("price").or(params.str("plan"));
    let mut subs: Vec<&Subscription> = store
        .billing
        .subscriptions
        .values()
        .filter(|s| q.created_matches(s.created))
        .filter(|s| match &status {
            // Without `status`, canceled subscriptions are left out (/api/subscriptions/list).
            None => params.str("status") == Some("all") || s.status != SubStatus::Canceled,
            Some(st) => st.contains(&s.status),
        })
        .filter(|s| params.str("customer").is_none_or(|c| s.customer == c))
        .filter(|s| price.is_none_or(|p| s.items.iter().any(|i| i.price == p)))
        .filter(|s| {
            params
                .str("test_clock")
                .is_none_or(|c| s.test_clock.as_deref() == Some(c))
        })
        .filter(|_| {
            params
                .str("collection_method")
                .is_none_or(|m| m == "charge_automatically")
        })
        .collect();
    subs.sort_by_key(|s| store.billing.newest_first(s.created, &s.id));
    let rows = subs
        .into_iter()
        .map(|s| {
            let expand: Vec<String> = expand.clone();
            (s.id.clone(), render(store, s, &expand))
        })
        .collect();
    paginate(rows, &q, "/v1/subscriptions", "subscription")
}
