//! `POST /webhooks/stripe`: verifies the signature, then hands the event to the store, which
//! keeps every event once and applies what it says in one transaction.

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::FutureExt;
use stripe_webhook::{Webhook, WebhookError};

use super::observe::observations_of;
use super::store::{already_processed, mark_failed, record_and_apply};
use crate::db::DbPool;
use crate::metrics;
use crate::payments::stripe::Payments;

/// Stripe's events are a few kilobytes; anything much larger is not from Stripe.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[tracing::instrument(skip_all, fields(event_id, event_type))]
pub async fn receive_event(
    req: HttpRequest,
    body: Bytes,
    pool: Data<DbPool>,
    payments: Data<Payments>,
) -> HttpResponse {
    let Some(signature) = req
        .headers()
        .get("Stripe-Signature")
        .and_then(|v| v.to_str().ok())
    else {
        tracing::warn!("webhook refused: no Stripe-Signature header");
        metrics::webhook("refused");
        return HttpResponse::BadRequest().body("missing Stripe-Signature header");
    };
    let Ok(payload) = std::str::from_utf8(&body) else {
        tracing::warn!("webhook refused: the body is not UTF-8");
        metrics::webhook("refused");
        return HttpResponse::BadRequest().body("body is not UTF-8");
    };
    let event =
        match Webhook::construct_event(payload, signature, payments.webhook_secret().expose()) {
            Ok(event) => event,
            // The signature was good (it is checked first), but async-stripe cannot read the event
            // (an API version it does not know): kept for the admin and acknowledged, or Stripe
            // would retry it for days. The reconciler still brings its order up to date.
            Err(WebhookError::BadParse(reason)) => {
                metrics::webhook("unreadable");
                return store_unreadable(&pool, payload, &reason).await;
            }
            Err(e) => {
                // The error names the check that failed; neither the secret nor the signature.
                tracing::warn!(reason = %e, "webhook refused");
                metrics::webhook("refused");
                return HttpResponse::BadRequest().body("invalid signature or payload");
            }
        };
    let event_id = event.id.as_str().to_owned();
    let event_type = event.type_.as_str().to_owned();
    tracing::Span::current().record("event_id", event_id.as_str());
    tracing::Span::current().record("event_type", event_type.as_str());
    let lag = time::OffsetDateTime::now_utc().unix_timestamp() - event.created;
    metrics::webhook_lag(
        &event_type,
        std::time::Duration::from_secs(u64::try_from(lag).unwrap_or(0)),
    );

    let mut conn = match pool.get().await {
        Ok(conn) => conn,
        Err(e) => {
            let e = anyhow::Error::new(e).context("connecting to the database");
            return failed(&pool, &event_id, &event_type, payload, e).await;
        }
    };
    // Most events say what they say without asking Stripe (a succeeded intent is final), and
    // are read at the first poll with the connection kept; a duplicate of one is found by the
    // transaction that stores it, so a new event costs no query to look for itself first. One
    // that has to read Stripe is looked for first, so that a duplicate does not wait on Stripe,
    // and gives the connection back meanwhile: a slow Stripe must not hold the pool.
    let mut observing = std::pin::pin!(observations_of(&payments, &event.data.object));
    let (observations, conn) = match observing.as_mut().now_or_never() {
        Some(observations) => (observations, Some(conn)),
        None => {
            if already_processed(&mut conn, &event_id).await {
                tracing::info!("duplicate webhook delivery acknowledged");
                metrics::webhook("duplicate");
                return HttpResponse::Ok().body("duplicate");
            }
            drop(conn);
            (observing.await, None)
        }
    };
    let observations = match observations {
        Ok(observations) => observations,
        Err(e) => {
            // The event needs Stripe's current view (a charge.refunded names no refund), and
            // Stripe cannot be read now: Stripe delivers the event again later.
            let e = anyhow::Error::new(e).context("reading Stripe for the event");
            tracing::warn!(error = ?e, "webhook processing postponed; Stripe will retry");
            metrics::webhook("postponed");
            mark_failed(&pool, &event_id, &event_type, payload, &e).await;
            return HttpResponse::ServiceUnavailable().body("Stripe unavailable");
        }
    };
    let mut conn = match conn {
        Some(conn) => conn,
        None => match pool.get().await {
            Ok(conn) => conn,
            Err(e) => {
                let e = anyhow::Error::new(e).context("connecting to the database");
                return failed(&pool, &event_id, &event_type, payload, e).await;
            }
        },
    };

    match record_and_apply(
        &mut conn,
        &payments,
        &event_id,
        &event_type,
        payload,
        &observations,
    )
    .await
    {
        Ok(Some(outcome)) => {
            tracing::info!(outcome = outcome.as_str(), "webhook processed");
            metrics::webhook(outcome.as_str());
            HttpResponse::Ok().body(outcome.as_str())
        }
        Ok(None) => {
            tracing::info!("duplicate webhook delivery acknowledged");
            metrics::webhook("duplicate");
            HttpResponse::Ok().body("duplicate")
        }
        Err(e) => {
            drop(conn);
            failed(&pool, &event_id, &event_type, payload, e).await
        }
    }
}

/// Keeps the event failed with its error and answers so that Stripe delivers it again.
async fn failed(
    pool: &DbPool,
    event_id: &str,
    event_type: &str,
    payload: &str,
    e: anyhow::Error,
) -> HttpResponse {
    tracing::error!(error = ?e, "webhook processing failed; Stripe will retry");
    metrics::webhook("failed");
    mark_failed(pool, event_id, event_type, payload, &e).await;
    HttpResponse::InternalServerError().body("processing failed")
}

async fn store_unreadable(pool: &DbPool, payload: &str, reason: &str) -> HttpResponse {
    let value: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    let (Some(id), Some(kind)) = (value["id"].as_str(), value["type"].as_str()) else {
        tracing::warn!(reason, "webhook refused: signed, but not an event");
        return HttpResponse::BadRequest().body("not an event");
    };
    tracing::warn!(
        event_id = id,
        event_type = kind,
        reason,
        "stored an event async-stripe cannot read"
    );
    let error = anyhow::anyhow!("unreadable event: {reason}");
    mark_failed(pool, id, kind, payload, &error).await;
    HttpResponse::Ok().body("stored unreadable event")
}
