//! `/v1/payment_methods/{id}`: retrieve, and attach to a customer (what a subscription
//! charges). A test id (`pm_card_visa`) makes a new PaymentMethod, as on Stripe.

use serde_json::Value;

use super::context::Ctx;
use super::expand::check_expand;
use crate::error::ApiError;
use crate::params::{Params, ParamsExt, Shape};
use crate::store::Store;

pub const RETRIEVE: &[(&str, Shape)] = &[("expand", Shape::List(&Shape::Str))];
pub const ATTACH: &[(&str, Shape)] = &[
    ("customer", Shape::Str),
    ("customer_account", Shape::Any),
    ("expand", Shape::List(&Shape::Str)),
];

pub fn retrieve(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    check_expand(params, &[])?;
    let id = ctx.segment(1);
    store
        .payment_methods
        .get(id)
        .map(|pm| pm.to_json())
        .ok_or_else(|| ApiError::not_found("PaymentMethod", id, "payment_method"))
}

pub fn attach(store: &mut Store, ctx: &Ctx, params: &Params) -> Result<Value, ApiError> {
    check_expand(params, &[])?;
    if params.contains_key("customer_account") {
        return Err(ApiError::param_error(
            "The Stripe sandbox does not simulate `customer_account` on payment methods; use Stripe's test mode for it.",
            "customer_account",
            None,
        ));
    }
    let customer = params.required_str("customer")?;
    if !store.customers.contains_key(customer) {
        return Err(ApiError::not_found("customer", customer, "customer"));
    }
    store.attach_to_customer(ctx.segment(1), customer, &ctx.origin)
}
