//! `/v1/invoices`: retrieve, list (`customer`, `subscription`, `status`), lines, pay, void,
//! mark uncollectible. The sandbox makes invoices only for subscriptions.

use serde_json::Value;

use super::context::Ctx;
use super::expand::{check_expand, check_list_expand};
use super::list::{ListQuery, paginate};
use crate::error::ApiError;
use crate::objects::{Invoice, InvoiceStatus};
use crate::params::{Params, ParamsExt, Shape};
use crate::store::Store;

pub const RETRIEVE: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];
pub const LIST: &[(&str, Shape)] = &[
    ("collection_method", Shape::Str),
    ("created", Shape::IntOrRange),
    ("customer", Shape::Str),
    ("customer_account", Shape::Any),
    ("due_date", Shape::IntOrRange),
    ("ending_before", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("limit", Shape::Int),
    ("starting_after", Shape::Str),
    ("status", Shape::Str),
    ("subscription", Shape::Str),
];
pub const LINES: &[(&str, Shape)] = &[
    ("ending_before", Shape::Str),
    ("expand", Shape::List(&Shape::Str)),
    ("limit", Shape::Int),
    ("starting_after", Shape::Str),
];
pub const PAY: &[(&str, Shape)] = &[
    ("expand", Shape::List(&Shape::Str)),
    ("forgive", Shape::Bool),
    ("mandate", Shape::Any),
    ("off_session", Shape::Bool),
    ("paid_out_of_band", Shape::Bool),
    ("payment_method", Shape::Str),
    ("source", Shape::Any),
];
pub const VOID: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];

const EXPANSIONS: &[&str] = &[
    "customer",
    "subscription",
    "payments",
    "confirmation_secret",
];

pub fn render(store: &Store, inv: &Invoice, expand: &[String]) -> Value {
    let has = |f: &str| expand.iter().any(|e| e == f);
    let mut json = store.invoice_json(inv, has("payments"), has("confirmation_secret"));
    if has("customer")
        && let Some(c) = store.customers.get(&inv.customer)
    {
        json["customer"] = c.to_json();
    }
    if has("subscription")
        && let Some(s) = inv
            .subscription
            .as_ref()
            .and_then(|s| store.billing.subscriptions.get(s))
    {
        json["subscription"] = store.subscription_json(s);
    }
    json
}

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, EXPANSIONS)?;
    let inv = store
        .invoice(ctx.segment(1))
        .map_err(|e| e.with_param("invoice"))?;
    Ok(render(store, inv, &expand))
}

pub fn list(store: &mut Store, _ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    if params.contains_key("customer_account") {
        return Err(ApiError::param_error(
            "The Stripe sandbox does not simulate `customer_account` on invoices; use Stripe's test mode for it.",
            "customer_account",
            None,
        ));
    }
    let expand = check_list_expand(params, EXPANSIONS)?;
    let q = ListQuery::from_params(params)?;
    let status = match params.str("status") {
        None => None,
        Some(s @ ("draft" | "open" | "paid" | "uncollectible" | "void")) => Some(s),
        Some(_) => {
            return Err(ApiError::param_error(
                "Invalid status: must be one of draft, open, paid, uncollectible, or void",
                "status",
                None,
            ));
        }
    };
    let mut invoices: Vec<&Invoice> = store
        .billing
        .invoices
        .values()
        .filter(|i| q.created_matches(i.created))
        .filter(|i| status.is_none_or(|s| i.status.as_str() == s))
        .filter(|i| params.str("customer").is_none_or(|c| i.customer == c))
        .filter(|i| {
            params
                .str("subscription")
                .is_none_or(|s| i.subscription.as_deref() == Some(s))
        })
        .filter(|_| {
            params
                .str("collection_method")
                .is_none_or(|m| m == "charge_automatically")
        })
        .filter(|_| !params.contains_key("due_date"))
        .collect();
    invoices.sort_by_key(|i| store.billing.newest_first(i.created, &i.id));
    let rows = invoices
        .into_iter()
        .map(|i| (i.id.clone(), render(store, i, &expand)))
        .collect();
    paginate(rows, &q, "/v1/invoices", "invoice")
}

pub fn lines(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    check_list_expand(params, &[])?;
    let inv = store.invoice(ctx.segment(1))?;
    let q = ListQuery::from_params(params)?;
    let rows = inv
        .lines
        .iter()
        .map(|l| (l.id.clone(), l.to_json(&inv.id)))
        .collect();
    paginate(
        rows,
        &q,
        &format!("/v1/invoices/{}/lines", inv.id),
        "line_item",
    )
}

/// `POST /v1/invoices/{id}/pay`: charges it now with `payment_method` or the default one;
/// a decline is Stripe's card error (402).
pub fn pay(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    let expand = check_expand(params, EXPANSIONS)?;
    for p in ["forgive", "mandate", "paid_out_of_band", "source"] {
        if params.contains_key(p) {
            return Err(ApiError::param_error(
                format!(
                    "The Stripe sandbox does not simulate `{p}` on invoices; use Stripe's test mode for it."
                ),
                p,
                None,
            ));
        }
    }
    let id = ctx.segment(1).to_string();
    let inv = store.invoice(&id)?.clone();
    match inv.status {
        InvoiceStatus::Open | InvoiceStatus::Uncollectible => {}
        InvoiceStatus::Paid => {
            return Err(
                ApiError::invalid("Invoice is already paid.").with_code("invoice_already_paid")
            );
        }
        InvoiceStatus::Void => {
            return Err(ApiError::invalid(
                "This invoice can no longer be paid because it has been voided.",
            )
            .with_code("invoice_not_editable"));
        }
        InvoiceStatus::Draft => {
            return Err(ApiError::invalid(
                "This invoice is a draft: finalize it before paying it.",
            )
            .with_code("invoice_not_editable"));
        }
    }
    let pm = params.str("payment_method").map(str::to_string);
    if let Some(pm) = &pm
        && !store.payment_methods.contains_key(pm)
    {
        return Err(ApiError::not_found("PaymentMethod", pm, "payment_method"));
    }
    let at = store.customer_now(&inv.customer);
    store.attempt_invoice(&id, at, pm, &ctx.origin)?;
    let inv = store.invoice(&id)?;
    Ok(render(store, inv, &expand))
}

fn close(
    store: &mut Store,
    ctx: &Ctx,
    params: &Params,
    to: InvoiceStatus,
) -> Result<Value, ApiError> {
    let expand = check_expand(params, EXPANSIONS)?;
    let id = ctx.segment(1).to_string();
    let inv = store.invoice(&id)?.clone();
    let allowed = match to {
        InvoiceStatus::Void => matches!(
            inv.status,
            InvoiceStatus::Open | InvoiceStatus::Uncollectible
        ),
        _ => inv.status == InvoiceStatus::Open,
    };
    if !allowed {
        return Err(ApiError::invalid(format!(
            "You can only {} an invoice that is {}; this one is {}.",
            if to == InvoiceStatus::Void {
                "void"
            } else {
                "mark as uncollectible"
            },
            if to == InvoiceStatus::Void {
                "open or uncollectible"
            } else {
                "open"
            },
            inv.status.as_str()
        ))
        .with_code("invoice_not_editable"));
    }
    let at = store.customer_now(&inv.customer);
    store.close_invoice(&id, to, at, &ctx.origin);
    let inv = store.invoice(&id)?;
    Ok(render(store, inv, &expand))
}

pub fn void(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    close(store, ctx, params, InvoiceStatus::Void)
}

pub fn mark_uncollectible(
    store: &mut Store,
    ctx: &Ctx,
    params: &Params,
) -> Result<Value, ApiError> {
    close(store, ctx, params, InvoiceStatus::Uncollectible)
}
