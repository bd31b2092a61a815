//! `POST /_controls/trigger`: like `stripe trigger`, a fresh flow that emits an event type, or
//! one event of that type about an existing intent.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::request::{authorized, error_response, json_response};
use crate::browser::challenge;
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::{Customer, PaymentIntent, Status};
use crate::params::ParamsExt;
use crate::shared::Shared;
use crate::store::bank_debits::{SepaInput, automatic_types};
use crate::store::payment_intents::Confirm;
use crate::store::payment_methods::PaymentMethodSource;
use crate::store::{Origin, Store};

pub async fn trigger(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match authorized(&shared, &req, &body) {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let Some(type_) = p.str("type").map(str::to_string) else {
        return error_response(ApiError::missing_parameter("type"));
    };
    let challenge = challenge::new_challenge(&req);
    let shared = shared.into_inner();
    shared.start_background_tasks();
    let mut store = shared.lock();
    let before = store.events.len();
    let result = match p.str("payment_intent") {
        Some(pi) => replay_for_intent(&mut store, &type_, pi),
        None => run_flow(&mut store, &type_, challenge),
    };
    match result {
        Ok(pi) => {
            let events: Vec<Value> = store.events[before..]
                .iter()
                .map(|e| json!({ "id": e.id, "type": e.type_ }))
                .collect();
            json_response(
                StatusCode::OK,
                json!({ "events": events, "payment_intent": pi }),
            )
        }
        Err(e) => error_response(e),
    }
}

fn unsupported_type(type_: &str) -> ApiError {
    ApiError::param_error(
        format!("The sandbox cannot trigger `{type_}`."),
        "type",
        None,
    )
}

/// One event of `type_` about an existing intent, which is left as it is.
fn replay_for_intent(
    store: &mut Store,
    type_: &str,
    pi_id: &str,
) -> Result<Option<String>, ApiError> {
    let pi = store
        .intents
        .get(pi_id)
        .ok_or_else(|| ApiError::not_found("payment_intent", pi_id, "payment_intent"))?;
    let object = match type_ {
        "payment_intent.created" => pi.to_json(),
        "payment_intent.succeeded" => with_status(pi, Status::Succeeded),
        "payment_intent.processing" => with_status(pi, Status::Processing),
        "payment_intent.canceled" => with_status(pi, Status::Canceled),
        "payment_intent.requires_action" => with_status(pi, Status::RequiresAction),
        "payment_intent.payment_failed" => with_status(pi, Status::RequiresPaymentMethod),
        "charge.succeeded" | "charge.failed" | "charge.refunded" => pi
            .latest_charge
            .as_ref()
            .and_then(|c| store.charges.get(c))
            .map(|c| c.to_json())
            .ok_or_else(|| {
                ApiError::param_error("This PaymentIntent has no charge.", "payment_intent", None)
            })?,
        "refund.created" => pi
            .latest_charge
            .as_ref()
            .and_then(|c| store.charge_refunds.get(c))
            .and_then(|r| r.last())
            .and_then(|r| store.refunds.get(r))
            .map(|r| r.to_json())
            .ok_or_else(|| {
                ApiError::param_error("This PaymentIntent has no refund.", "payment_intent", None)
            })?,
        other => return Err(unsupported_type(other)),
    };
    store.emit(type_, object, &Origin::default());
    Ok(Some(pi_id.to_string()))
}

fn with_status(pi: &PaymentIntent, status: Status) -> Value {
    let mut copy = pi.clone();
    copy.status = status;
    if status == Status::Succeeded {
        copy.amount_received = copy.amount;
    }
    copy.to_json()
}

fn fixture_intent(store: &mut Store) -> String {
    let pi = PaymentIntent {
        description: Some("(created by a sandbox trigger)".into()),
        ..PaymentIntent::new(2000, "usd")
    };
    let id = pi.id.clone();
    store.add_intent(pi, &Origin::default());
    id
}

fn euro_fixture_intent(store: &mut Store) -> String {
    let pi = PaymentIntent {
        description: Some("(created by a sandbox trigger)".into()),
        automatic_payment_methods: Some("always".into()),
        payment_method_types: automatic_types("eur"),
        ..PaymentIntent::new(2000, "eur")
    };
    let id = pi.id.clone();
    store.add_intent(pi, &Origin::default());
    id
}

/// A server-side confirmation by the trigger, with an attached payment method.
fn confirmation(challenge: (String, String)) -> Confirm {
    Confirm {
        source: PaymentMethodSource::Attached,
        return_url: None,
        off_session: false,
        receipt_email: None,
        challenge,
        client_view: false,
        require_return_url: false,
        mandate: None,
    }
}

fn confirm_with(
    store: &mut Store,
    pi: &str,
    pm: &str,
    challenge: (String, String),
) -> Result<(), ApiError> {
    let c = Confirm {
        source: PaymentMethodSource::Id(pm.to_string()),
        ..confirmation(challenge)
    };
    match store.confirm(pi, c, &Origin::default()) {
        Ok(_) => Ok(()),
        // A decline is the point of a failure trigger.
        Err(e) if e.status.as_u16() == 402 => Ok(()),
        Err(e) => Err(e),
    }
}

/// A fresh flow that emits `type_`, like `stripe trigger`.
fn run_flow(
    store: &mut Store,
    type_: &str,
    challenge: (String, String),
) -> Result<Option<String>, ApiError> {
    if type_ == "customer.created" {
        let customer = Customer {
            id: new_id("cus"),
            created: now(),
            email: Some("trigger@example.com".into()),
            name: Some("Triggered Customer".into()),
            phone: None,
            description: None,
            metadata: BTreeMap::new(),
            details: BTreeMap::new(),
        };
        store.add_customer(customer, &Origin::default());
        return Ok(None);
    }
    let known = [
        "payment_intent.created",
        "payment_intent.succeeded",
        "charge.succeeded",
        "payment_intent.payment_failed",
        "charge.failed",
        "payment_intent.requires_action",
        "payment_intent.canceled",
        "payment_intent.processing",
        "charge.pending",
        "charge.refunded",
        "refund.created",
    ];
    if !known.contains(&type_) {
        return Err(unsupported_type(type_));
    }
    let pi = fixture_intent(store);
    match type_ {
        "payment_intent.succeeded" | "charge.succeeded" => {
            confirm_with(store, &pi, "pm_card_visa", challenge)?
        }
        "payment_intent.payment_failed" | "charge.failed" => {
            confirm_with(store, &pi, "pm_card_chargeDeclined", challenge)?
        }
        "payment_intent.requires_action" => {
            confirm_with(store, &pi, "pm_card_threeDSecure2Required", challenge)?
        }
        "payment_intent.canceled" => {
            store.cancel(&pi, None, &Origin::default())?;
        }
        "payment_intent.processing" | "charge.pending" => {
            // A SEPA debit (/testing#sepa-direct-debit) on a euro intent: processing, then it
            // settles as the sandbox's debits do.
            let pi = euro_fixture_intent(store);
            let c = Confirm {
                source: PaymentMethodSource::SepaDebit(SepaInput {
                    iban: Some("DE89370400440532013000".into()),
                    name: Some("Triggered Customer".into()),
                    email: Some("trigger@example.com".into()),
                }),
                mandate: Some("offline".into()),
                ..confirmation(challenge)
            };
            store.confirm(&pi, c, &Origin::default())?;
            return Ok(Some(pi));
        }
        "charge.refunded" | "refund.created" => {
            confirm_with(store, &pi, "pm_card_visa", challenge)?;
            store.refund(
                Some(&pi),
                None,
                None,
                Some("requested_by_customer".into()),
                BTreeMap::new(),
                &Origin::default(),
            )?;
        }
        _ => {}
    }
    Ok(Some(pi))
}
