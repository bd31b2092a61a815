//! The calls the shop makes to Stripe, through async-stripe. Each POST carries an idempotency
//! key derived from what it is for, so a retry never creates a second object.

use std::time::Duration;

use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_core::customer::CreateCustomer;
use stripe_core::payment_intent::{
    CancelPaymentIntent, CreatePaymentIntent, RetrievePaymentIntent,
};
use stripe_core::refund::{CreateRefund, ListRefund};
use stripe_shared::{ApiErrorsCode, ApiErrorsType, PaymentIntent, Refund};

use super::StripeAccess;
use crate::config::Secret;
use crate::orders::db::Order;

pub struct Payments {
    client: Client,
    pub publishable_key: String,
    pub js_url: String,
    webhook_secret: Secret,
    pub dashboard_url: Option<String>,
}

/// Why a call to Stripe did not give what was asked, without anything secret in it.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// Stripe could not be reached, timed out, or answered 5xx/429: try again later.
    #[error("Stripe is unavailable: {0}")]
    Unavailable(String),
    /// Stripe refused the request; `message` is Stripe's, safe to show for card errors.
    #[error("Stripe refused the request ({status} {kind} {code}): {message}")]
    Refused {
        status: u16,
        kind: String,
        code: String,
        message: String,
    },
}

impl GatewayError {
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Refused { code, .. } => Some(code),
            Self::Unavailable(_) => None,
        }
    }
}

impl From<StripeError> for GatewayError {
    fn from(e: StripeError) -> Self {
        match e {
            StripeError::Stripe(errors, status) => {
                if status >= 500 || status == 429 || matches!(errors.type_, ApiErrorsType::ApiError)
                {
                    return Self::Unavailable(format!("status {status}"));
                }
                Self::Refused {
                    status,
                    kind: errors.type_.as_str().to_owned(),
                    code: errors
                        .code
                        .as_ref()
                        .map(ApiErrorsCode::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    message: errors.message.clone().unwrap_or_default(),
                }
            }
            // Transport errors and unreadable answers carry no secrets.
            StripeError::ClientError(e) => Self::Unavailable(e),
            StripeError::Timeout => Self::Unavailable("timeout".into()),
            StripeError::JSONDeserialize(e) => Self::Unavailable(format!("unreadable answer: {e}")),
            StripeError::ConfigError(e) => Self::Unavailable(format!("configuration: {e}")),
        }
    }
}

impl From<GatewayError> for crate::error::AppError {
    fn from(e: GatewayError) -> Self {
        tracing::warn!(error = %e, "a Stripe call failed");
        match e {
            GatewayError::Unavailable(_) => Self::PaymentsUnavailable,
            GatewayError::Refused { .. } => Self::PaymentsUnavailable,
        }
    }
}

fn idempotent(key: &str) -> Result<RequestStrategy, GatewayError> {
    IdempotencyKey::new(key)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| GatewayError::Unavailable(format!("idempotency key: {e}")))
}

impl Payments {
    pub fn new(access: StripeAccess) -> anyhow::Result<Self> {
        let mut builder =
            ClientBuilder::new(access.secret_key.expose()).timeout(Duration::from_secs(20));
        if let Some(base) = &access.api_base {
            builder = builder.url(base.clone());
        }
        let client = builder
            .build()
            .map_err(|e| anyhow::anyhow!("building the Stripe client: {e}"))?;
        Ok(Self {
            client,
            publishable_key: access.publishable_key,
            js_url: access.js_url,
            webhook_secret: access.webhook_secret,
            dashboard_url: access.dashboard_url,
        })
    }

    pub(crate) fn webhook_secret(&self) -> &Secret {
        &self.webhook_secret
    }

    /// Creates the order's PaymentIntent. The idempotency key is the order's, so however often
    /// this is retried, Stripe makes one intent.
    #[tracing::instrument(skip_all, fields(order = %order.id))]
    pub async fn create_intent(
        &self,
        order: &Order,
        customer: Option<&str>,
    ) -> Result<PaymentIntent, GatewayError> {
        let currency = order
            .currency
            .parse::<stripe_types::Currency>()
            .map_err(|_| {
                GatewayError::Unavailable(format!("unknown currency {}", order.currency))
            })?;
        let mut request = CreatePaymentIntent::new(order.total_minor, currency)
            .metadata([
                ("order_id".to_owned(), order.id.to_string()),
                ("order_number".to_owned(), order.number.to_string()),
            ])
            .receipt_email(order.email.clone())
            .description(format!("Storefront order #{}", order.number));
        if let Some(customer) = customer {
            request = request.customer(customer);
        }
        let intent = request
            .customize()
            .request_strategy(idempotent(&format!(
                "storefront-order-{}-intent",
                order.id
            ))?)
            .send(&self.client)
            .await?;
        Ok(intent)
    }

    #[tracing::instrument(skip(self))]
    pub async fn retrieve_intent(&self, id: &str) -> Result<PaymentIntent, GatewayError> {
        Ok(RetrievePaymentIntent::new(id)
            .customize()
            .request_strategy(RequestStrategy::Retry(2))
            .send(&self.client)
            .await?)
    }

    /// Cancels an intent. Stripe refuses to cancel one that already succeeded
    /// (`payment_intent_unexpected_state`): callers retrieve it then, because money that arrived
    /// is never cancelled.
    #[tracing::instrument(skip(self))]
    pub async fn cancel_intent(&self, id: &str) -> Result<PaymentIntent, GatewayError> {
        Ok(CancelPaymentIntent::new(id)
            .customize()
            .request_strategy(idempotent(&format!("storefront-cancel-{id}"))?)
            .send(&self.client)
            .await?)
    }

    /// Creates the Stripe Customer of a user; the key makes it once per user.
    #[tracing::instrument(skip(self, email))]
    pub async fn create_customer(&self, user_id: i64, email: &str) -> Result<String, GatewayError> {
        let customer = CreateCustomer::new()
            .email(email)
            .metadata([("user_id".to_owned(), user_id.to_string())])
            .customize()
            .request_strategy(idempotent(&format!("storefront-user-{user_id}-customer"))?)
            .send(&self.client)
            .await?;
        Ok(customer.id.as_str().to_owned())
    }

    /// Refunds `amount` of an order's payment; `key` names this refund so a retry makes one.
    #[tracing::instrument(skip(self))]
    pub async fn refund(
        &self,
        payment_intent: &str,
        amount: i64,
        key: &str,
    ) -> Result<Refund, GatewayError> {
        Ok(CreateRefund::new()
            .payment_intent(payment_intent)
            .amount(amount)
            .customize()
            .request_strategy(idempotent(key)?)
            .send(&self.client)
            .await?)
    }

    /// What Stripe has refunded (or is refunding) of an intent, whoever asked: the shop or the
    /// Dashboard. Failed and canceled refunds don't count.
    #[tracing::instrument(skip(self))]
    pub async fn refunded_total(&self, payment_intent: &str) -> Result<i64, GatewayError> {
        let refunds = ListRefund::new()
            .payment_intent(payment_intent)
            .limit(100)
            .customize()
            .request_strategy(RequestStrategy::Retry(2))
            .send(&self.client)
            .await?;
        Ok(refunds
            .data
            .iter()
            .filter(|r| !matches!(r.status.as_deref(), Some("failed" | "canceled")))
            .map(|r| r.amount)
            .sum())
    }
}
