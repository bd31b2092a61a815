use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;
use stripe_core::payment_intent::{
    ConfirmPaymentIntent, CreatePaymentIntent, CreatePaymentIntentAutomaticPaymentMethods,
    CreatePaymentIntentAutomaticPaymentMethodsAllowRedirects,
};
use stripe_sandbox::{Sandbox, SandboxConfig, WebhookEndpoint};
use stripe_shared::PaymentIntent;
use stripe_types::Currency;

pub const SECRET: &str = "sk_test_sandbox_tests_0123456789abcdef";
pub const PUBLISHABLE: &str = "pk_test_sandbox_tests_0123456789abcdef";
pub const WEBHOOK_SECRET: &str = "whsec_sandbox_tests_0123456789abcdef";

/// A sandbox mounted under `/_sandbox` behind the shop's default security headers.
pub struct TestSandbox {
    /// `http://127.0.0.1:PORT/_sandbox/`
    pub base: String,
    pub client: stripe::Client,
    pub http: reqwest::Client,
}

pub async fn spawn_sandbox() -> TestSandbox {
    spawn_sandbox_with(Vec::new()).await
}

pub async fn spawn_sandbox_with(webhook_endpoints: Vec<WebhookEndpoint>) -> TestSandbox {
    spawn_sandbox_on(webhook_endpoints, None).await
}

/// A sandbox that keeps its state in `state_file`.
pub async fn spawn_sandbox_on(
    webhook_endpoints: Vec<WebhookEndpoint>,
    state_file: Option<std::path::PathBuf>,
) -> TestSandbox {
    let sandbox = Sandbox::open(SandboxConfig {
        secret_key: SECRET.into(),
        publishable_key: PUBLISHABLE.into(),
        webhook_endpoints,
        state_file,
    })
    .expect("opening the sandbox");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = listener.local_addr().expect("local address").port();
    let server = HttpServer::new(move || {
        let sandbox = sandbox.clone();
        App::new()
            .wrap(
                DefaultHeaders::new()
                    .add((
                        "Content-Security-Policy",
                        "default-src 'self'; frame-ancestors 'none'",
                    ))
                    .add(("X-Frame-Options", "DENY")),
            )
            .service(web::scope("/_sandbox").configure(move |c| sandbox.configure(c)))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .expect("listen")
    .run();
    tokio::spawn(server);
    let origin = format!("http://127.0.0.1:{port}");
    let base = format!("{origin}/_sandbox/");
    let client = stripe::ClientBuilder::new(SECRET)
        .url(base.clone())
        .build()
        .expect("stripe client");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    TestSandbox { base, client, http }
}

impl TestSandbox {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    /// A raw form POST with the secret key.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(SECRET)
            .form(form)
            .send()
            .await
            .expect("request")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(SECRET)
            .send()
            .await
            .expect("request")
    }

    /// A control call (secret key), returning status and JSON.
    pub async fn control(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let r = self.post(&format!("_controls/{path}"), form).await;
        let status = r.status().as_u16();
        (status, r.json().await.expect("json"))
    }

    /// Waits until every webhook delivery is done.
    pub async fn wait_for_webhooks(&self) {
        let (status, body) = self
            .control("webhooks/wait", &[("timeout_ms", "10000")])
            .await;
        assert_eq!(status, 200, "deliveries still pending: {body}");
    }

    /// A $20.00 intent for cards, confirmable from the server without a return URL.
    pub async fn card_intent(&self) -> PaymentIntent {
        let mut methods = CreatePaymentIntentAutomaticPaymentMethods::new(true);
        methods.allow_redirects =
            Some(CreatePaymentIntentAutomaticPaymentMethodsAllowRedirects::Never);
        CreatePaymentIntent::new(2000, Currency::USD)
            .automatic_payment_methods(methods)
            .metadata([("order_id".to_string(), "42".to_string())])
            .send(&self.client)
            .await
            .expect("create intent")
    }

    pub async fn confirm_with(
        &self,
        intent: &PaymentIntent,
        payment_method: &str,
    ) -> Result<PaymentIntent, stripe::StripeError> {
        ConfirmPaymentIntent::new(intent.id.clone())
            .payment_method(payment_method)
            .send(&self.client)
            .await
    }

    /// Confirms with raw card data and the publishable key, as the Stripe.js iframe does.
    pub async fn confirm_card_from_browser(
        &self,
        intent: &PaymentIntent,
        number: &str,
        return_url: Option<&str>,
    ) -> (u16, Value) {
        let secret = intent.client_secret.clone().unwrap_or_default();
        let mut form = vec![
            ("key", PUBLISHABLE.to_string()),
            ("client_secret", secret),
            ("payment_method_data[type]", "card".into()),
            ("payment_method_data[card][number]", number.into()),
            ("payment_method_data[card][exp_month]", "12".into()),
            ("payment_method_data[card][exp_year]", "2040".into()),
            ("payment_method_data[card][cvc]", "123".into()),
            (
                "payment_method_data[billing_details][address][postal_code]",
                "12345".into(),
            ),
        ];
        if let Some(url) = return_url {
            form.push(("return_url", url.into()));
        }
        let r = self
            .http
            .post(self.url(&format!("v1/payment_intents/{}/confirm", intent.id)))
            .form(&form)
            .send()
            .await
            .expect("confirm");
        let status = r.status().as_u16();
        (status, r.json().await.expect("json"))
    }
}

/// The `ApiErrors` of a failed async-stripe call, and its HTTP status.
pub fn api_error<T: std::fmt::Debug>(
    result: Result<T, stripe::StripeError>,
) -> (Box<stripe::ApiErrors>, u16) {
    match result {
        Err(stripe::StripeError::Stripe(e, status)) => (e, status),
        other => panic!("expected a Stripe error, got {other:?}"),
    }
}

/// What the receiver got.
#[derive(Clone)]
pub struct Received {
    pub event: stripe_webhook::Event,
    pub user_agent: String,
    pub content_type: String,
}

/// A webhook endpoint that verifies signatures with async-stripe-webhook.
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    /// Deliveries answered 500 (after verifying them).
    pub failed: Arc<AtomicUsize>,
    /// Deliveries whose signature or payload did not verify.
    pub rejected: Arc<AtomicUsize>,
}

struct ReceiverState {
    received: Arc<Mutex<Vec<Received>>>,
    fail_first: AtomicUsize,
    failed: Arc<AtomicUsize>,
    rejected: Arc<AtomicUsize>,
}

async fn receive(state: web::Data<ReceiverState>, req: HttpRequest, body: String) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let event = match stripe_webhook::Webhook::construct_event(
        &body,
        &header("Stripe-Signature"),
        WEBHOOK_SECRET,
    ) {
        Ok(event) => event,
        Err(_) => {
            state.rejected.fetch_add(1, Ordering::SeqCst);
            return HttpResponse::BadRequest().finish();
        }
    };
    let fail = state
        .fail_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if fail {
        state.failed.fetch_add(1, Ordering::SeqCst);
        return HttpResponse::InternalServerError().finish();
    }
    state.received.lock().expect("lock").push(Received {
        event,
        user_agent: header("User-Agent"),
        content_type: header("Content-Type"),
    });
    HttpResponse::Ok().finish()
}

/// Starts a receiver that answers 500 to its first `fail_first` deliveries.
pub async fn spawn_receiver(fail_first: usize) -> Receiver {
    let received = Arc::new(Mutex::new(Vec::new()));
    let failed = Arc::new(AtomicUsize::new(0));
    let rejected = Arc::new(AtomicUsize::new(0));
    let state = web::Data::new(ReceiverState {
        received: received.clone(),
        fail_first: AtomicUsize::new(fail_first),
        failed: failed.clone(),
        rejected: rejected.clone(),
    });
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/webhooks/stripe", web::post().to(receive))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .expect("listen")
    .run();
    tokio::spawn(server);
    Receiver {
        url: format!("http://127.0.0.1:{port}/webhooks/stripe"),
        received,
        failed,
        rejected,
    }
}

impl Receiver {
    pub fn endpoint(&self) -> WebhookEndpoint {
        WebhookEndpoint {
            url: self.url.clone(),
            secret: WEBHOOK_SECRET.into(),
        }
    }

    pub fn events(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// The types of the events received, in arrival order.
    pub fn types(&self) -> Vec<String> {
        self.events()
            .iter()
            .map(|r| r.event.type_.as_str().to_string())
            .collect()
    }

    /// The events received, in the order the sandbox emitted them (its event list): like
    /// Stripe's, its deliveries may arrive in another order. Each arrived once.
    pub async fn events_as_emitted(&self, sb: &TestSandbox) -> Vec<Received> {
        let mut received = self.events();
        let mut listed: Vec<String> = Vec::new();
        loop {
            let path = match listed.last() {
                Some(id) => format!("v1/events?limit=100&starting_after={id}"),
                None => "v1/events?limit=100".to_string(),
            };
            let page: Value = sb.get(&path).await.json().await.expect("an event list");
            for event in page["data"].as_array().expect("data") {
                listed.push(event["id"].as_str().expect("id").to_string());
            }
            if page["has_more"] != Value::Bool(true) {
                break;
            }
        }
        let count = received.len();
        // Newest first in the list.
        received.sort_by_key(|r| {
            std::cmp::Reverse(listed.iter().position(|id| id == r.event.id.as_str()))
        });
        received.dedup_by(|a, b| a.event.id == b.event.id);
        assert_eq!(received.len(), count, "each event arrived once");
        received
    }

    /// The types of [`Receiver::events_as_emitted`].
    pub async fn types_as_emitted(&self, sb: &TestSandbox) -> Vec<String> {
        self.events_as_emitted(sb)
            .await
            .iter()
            .map(|r| r.event.type_.as_str().to_string())
            .collect()
    }
}

/// Polls `check` until it holds (for effects with no completion signal).
pub async fn eventually(mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    check()
}
