//! The sandbox's index page (`M/`): what a developer needs to use it by hand — its test keys
//! (the secret key too: it opens nothing but this offline sandbox, and the test controls need
//! it), its webhook endpoints, the test controls with a `curl` line for each, and links to
//! the demo pages. An app that makes up its sandbox's keys at each start (the shop) shows them
//! here.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::html;
use crate::shared::Shared;

const INDEX_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'";

/// One test control as the page lists it.
struct Control {
    method: &'static str,
    path: &'static str,
    example: &'static str,
    effect: &'static str,
}

/// The controls, each with an example; `src/controls/mod.rs` describes every parameter.
const CONTROLS: &[Control] = &[
    Control {
        method: "GET",
        path: "_controls",
        example: "",
        effect: "the current settings",
    },
    Control {
        method: "POST",
        path: "_controls/latency",
        example: "ms=500",
        effect: "every API call waits first",
    },
    Control {
        method: "POST",
        path: "_controls/failures",
        example: "count=1&status=500&mode=before",
        effect: "the next API calls fail like Stripe's 5xx or 429",
    },
    Control {
        method: "POST",
        path: "_controls/webhooks/mode",
        example: "mode=drop&count=1",
        effect: "the next webhooks are dropped, doubled or reordered",
    },
    Control {
        method: "POST",
        path: "_controls/webhooks/retries",
        example: "delays_ms=200,400,800",
        effect: "when failed deliveries are retried (default 1 min, 10 min, 1 h)",
    },
    Control {
        method: "GET",
        path: "_controls/webhooks/log",
        example: "",
        effect: "every delivery attempt and its outcome",
    },
    Control {
        method: "POST",
        path: "_controls/webhooks/wait",
        example: "timeout_ms=5000",
        effect: "answers once every queued delivery is done",
    },
    Control {
        method: "POST",
        path: "_controls/webhooks/endpoints",
        example: "url=http://127.0.0.1:8080/webhooks/stripe&api_version=2025-03-31.basil",
        effect: "adds an endpoint, or stamps a known one's events with another API version",
    },
    Control {
        method: "POST",
        path: "_controls/idempotency/expire",
        example: "key=order-42",
        effect: "an idempotency key ages 24 hours: it starts a new request",
    },
    Control {
        method: "POST",
        path: "_controls/refunds",
        example: "payment_intent=pi_...",
        effect: "a refund made \"in the Dashboard\"",
    },
    Control {
        method: "POST",
        path: "_controls/refunds/settle",
        example: "refund=re_...",
        effect: "a pending refund succeeds or fails, as its card does",
    },
    Control {
        method: "POST",
        path: "_controls/disputes",
        example: "payment_intent=pi_...",
        effect: "the cardholder's bank disputes the payment",
    },
    Control {
        method: "POST",
        path: "_controls/bank_debits",
        example: "settle_ms=5000&delayed_settle_ms=180000",
        effect: "how long SEPA debits stay processing",
    },
    Control {
        method: "POST",
        path: "_controls/bank_debits/settle",
        example: "payment_intent=pi_...",
        effect: "a processing SEPA debit settles now",
    },
    Control {
        method: "POST",
        path: "_controls/trigger",
        example: "type=payment_intent.succeeded",
        effect: "emits an event, like stripe trigger",
    },
    Control {
        method: "POST",
        path: "_controls/reset",
        example: "",
        effect: "back to normal",
    },
];

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    base: String,
    publishable_key: String,
    secret_key: String,
    endpoints: Vec<String>,
    controls: &'static [Control],
}

impl IndexPage {
    /// The `curl` command line of a control.
    fn curl(&self, control: &Control) -> String {
        let method = if control.method == "GET" {
            ""
        } else {
            "-X POST "
        };
        let data = if control.example.is_empty() {
            String::new()
        } else if control.method == "GET" {
            format!(" -G -d '{}'", control.example)
        } else {
            format!(" -d '{}'", control.example)
        };
        format!(
            "curl {method}{}{} -H 'Authorization: Bearer {}'{data}",
            self.base, control.path, self.secret_key
        )
    }
}

/// The index, at the mount point itself.
pub async fn page(shared: web::Data<Shared>, req: HttpRequest) -> HttpResponse {
    let info = req.connection_info();
    let path = req.path();
    let base = format!(
        "{}://{}{}{}",
        info.scheme(),
        info.host(),
        path,
        if path.ends_with('/') { "" } else { "/" }
    );
    let endpoints = shared.lock().outbox.endpoint_urls();
    html::page(
        StatusCode::OK,
        INDEX_CSP,
        IndexPage {
            base,
            publishable_key: shared.publishable_key.clone(),
            secret_key: shared.secret_key.clone(),
            endpoints,
            controls: CONTROLS,
        }
        .render(),
    )
}
