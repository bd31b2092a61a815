//! Test controls: faults and shortcuts that only the sandbox offers, so that fault tests need
//! no change to the shop. Every route needs `Authorization: Bearer <secret key>`, takes its
//! parameters form-encoded (body or query string) and answers JSON. Errors are Stripe-shaped
//! (`{"error": {"type", "message", "param"}}`).
//!
//! | method | path (under the mount point) | parameters | effect |
//! |---|---|---|---|
//! | GET | `/_controls` | | current settings: latency, failures, webhook mode, pending deliveries, endpoints |
//! | POST | `/_controls/latency` | `ms` (0 to turn off) | every API call waits `ms` milliseconds first |
//! | POST | `/_controls/failures` | `count`, `status` (`500` or `429`, default 500), `path` (optional prefix such as `/v1/payment_intents`), `method` (optional, `GET` or `POST`), `mode` (`before`, `stored`, `lost`; default `before`) | the next `count` authenticated API calls (whose path starts with `path`) fail: 500 `api_error` or 429 `rate_limit`, both with `Stripe-Should-Retry: true`. `before`: nothing runs and nothing is kept for the idempotency key. `stored`: nothing runs, but the error is kept for the call's idempotency key and replayed to retries with that key, as Stripe keeps answers (errors included) once an endpoint started. `lost`: the call runs and its answer is kept for its key, but the caller gets it cut short (unreadable), as when the caller crashes or the connection breaks before it reads the answer. `count=0` turns it off |
//! | POST | `/_controls/webhooks/mode` | `mode` (`normal`, `drop`, `duplicate`, `reorder`), `count` (default 1) | the next `count` events are not delivered / delivered twice / held and delivered after the following event (or after 0.5 s if none follows) |
//! | POST | `/_controls/webhooks/retries` | `delays_ms`: comma-separated waits before each retry (`200,400,800`: 3 retries, 0.2 s to 0.8 s apart; empty: no retry; at most 10, each at most 3 days), or `default` | the retry schedule of failed deliveries. By default 3 retries, after 1 minute, 10 minutes and 1 hour (Stripe's test mode retries 3 times over a few hours) |
//! | GET | `/_controls/webhooks/log` | `event` (optional id), `type` (optional) | every delivery attempt: `event_id`, `event_type`, `endpoint`, `attempt`, `status`, `error`, `outcome` (`delivered`, `retry_scheduled`, `failed`, `dropped`), `at_ms` |
//! | POST | `/_controls/webhooks/wait` | `timeout_ms` (default 5000, at most 60000) | answers 200 `{"pending": 0}` once every queued delivery and retry is done, or 504 with the number still pending |
//! | POST | `/_controls/webhooks/endpoints` | `url`, `secret` (`whsec_...`), `api_version` (optional) | adds a webhook endpoint; for a `url` already known, sets only its `api_version`. Events sent to it from then on are stamped with that version (their objects keep the pinned shape), so an app's handling of events from a version it cannot read can be tested. An unknown version is refused as the API refuses it |
//! | POST | `/_controls/refunds` | `payment_intent` or `charge`, `amount` (optional, default what remains), `reason` (optional) | a refund made "in the Dashboard": the Refund, with `charge.refunded` and `refund.created` events whose `request.id` is null |
//! | POST | `/_controls/refunds/settle` | `refund`, `outcome` (`succeeded` or `failed`; default what the refund's card does: 4000 0000 0000 7726 succeeds, 4000 0000 0000 5126 fails), `failure_reason` (default `expired_or_canceled_card`) | what happens to a refund later on Stripe: a `pending` one succeeds (`refund.updated`) or fails, a `succeeded` one fails (`refund.failed`, and its amount is no longer refunded on the charge) |
//! | POST | `/_controls/disputes` | `payment_intent` or `charge`, `reason` (default `fraudulent`), `inquiry` (`true` for an inquiry), `amount` (default the charge's) | the cardholder's bank disputes the charge: `charge.dispute.created`, and `charge.dispute.funds_withdrawn` for a chargeback. Decide it through the API: `POST /v1/disputes/{id}` with `evidence[uncategorized_text]=winning_evidence` (won: `charge.dispute.closed`, `charge.dispute.funds_reinstated`) or `losing_evidence`, or `POST /v1/disputes/{id}/close` |
//! | POST | `/_controls/bank_debits` | `settle_ms` (default 5000), `delayed_settle_ms` (default 180000; each at most a day) | how long SEPA debits submitted from now on stay `processing`: Stripe's test IBANs that settle at once (DE89 3704 0044 0532 0130 00, ...) and those that settle "after at least 3 minutes" (DE08 3704 0044 0532 0130 03, ...) |
//! | POST | `/_controls/bank_debits/settle` | `payment_intent` | its SEPA debit settles now, as its IBAN says: `charge.succeeded` and `payment_intent.succeeded`, or `charge.failed` and `payment_intent.payment_failed`. Answers the intent |
//! | POST | `/_controls/trigger` | `type`, `payment_intent` (optional) | like `stripe trigger`: without `payment_intent`, runs a fresh flow that emits the event (`payment_intent.created`, `.succeeded`, `.payment_failed`, `.requires_action`, `.canceled`, `.processing` (a SEPA debit on a euro intent), `charge.succeeded`, `charge.failed`, `charge.pending`, `charge.refunded`, `refund.created`, `customer.created`); with `payment_intent`, emits one event of that type carrying that intent (status set to what the type says) or its latest charge or refund, without changing the intent. Answers `{"events": [{"id", "type"}], "payment_intent"}` |
//! | POST | `/_controls/idempotency/expire` | `key` (optional: every key without it) | the answers kept for the key age 24 hours, as if that long had passed: the key then starts a new request, as Stripe prunes keys at least 24 hours old. Answers `{"expired": n}` |
//! | POST | `/_controls/billing` | `after_failed_retries=cancel\|unpaid` | what a subscription becomes once every retry of a failed renewal failed (default from `STRIPE_SANDBOX_AFTER_FAILED_RETRIES`, else `cancel`) |
//! | POST | `/_controls/reset` | | latency 0, no failures, webhook mode normal, the default retry schedule and bank debit delays, the billing setting from the environment |
//!
//! Tests synchronise with webhooks through `POST /_controls/webhooks/wait`: once it answers 200,
//! every event emitted before the call has been delivered, or has failed its last attempt, or
//! was dropped by the test mode. A test whose endpoint fails on purpose sets a short retry
//! schedule first (`webhooks/retries`), or `wait` runs into its timeout while a retry waits.

mod bank_debits;
mod billing;
mod dashboard;
mod faults;
mod request;
mod settings;
mod trigger;
mod webhooks;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/_controls", web::get().to(settings::overview))
        .route("/_controls/latency", web::post().to(faults::latency))
        .route("/_controls/failures", web::post().to(faults::failures))
        .route("/_controls/webhooks/mode", web::post().to(webhooks::mode))
        .route(
            "/_controls/webhooks/retries",
            web::post().to(webhooks::retries),
        )
        .route("/_controls/webhooks/log", web::get().to(webhooks::log))
        .route("/_controls/webhooks/wait", web::post().to(webhooks::wait))
        .route(
            "/_controls/webhooks/endpoints",
            web::post().to(webhooks::add_endpoint),
        )
        .route("/_controls/refunds", web::post().to(dashboard::refund))
        .route(
            "/_controls/refunds/settle",
            web::post().to(dashboard::settle_refund),
        )
        .route(
            "/_controls/disputes",
            web::post().to(dashboard::open_dispute),
        )
        .route(
            "/_controls/bank_debits",
            web::post().to(bank_debits::delays),
        )
        .route(
            "/_controls/bank_debits/settle",
            web::post().to(bank_debits::settle),
        )
        .route("/_controls/trigger", web::post().to(trigger::trigger))
        .route(
            "/_controls/idempotency/expire",
            web::post().to(faults::expire_idempotency_keys),
        )
        .route("/_controls/billing", web::post().to(billing::billing))
        .route("/_controls/reset", web::post().to(settings::reset));
}
