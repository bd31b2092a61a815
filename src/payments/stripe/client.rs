//! The calls the shop makes to Stripe, through async-stripe, over plain values: ids, amounts,
//! currencies and keys in, Stripe's objects (or the shop's snapshots of them) and a
//! [`GatewayError`] out. It knows nothing of the shop's rows or its web error. Each POST carries
//! an idempotency key derived from what it is for (see [`crate::payments::idempotency`]), so a
//! retry never creates a second object.

use std::future::Future;
use std::time::Duration;

use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionPaymentIntentData, ExpireCheckoutSession, ProductData,
    RetrieveCheckoutSession,
};
use stripe_core::customer::CreateCustomer;
use stripe_core::dispute::ListDispute;
use stripe_core::payment_intent::{
    CancelPaymentIntent, CreatePaymentIntent, CreatePaymentIntentShipping,
    CreatePaymentIntentShippingAddress, RetrievePaymentIntent, SearchPaymentIntent,
};
use stripe_core::refund::{CreateRefund, ListRefund};
use stripe_shared::{
    CheckoutSession, CheckoutSessionMode, PaymentIntent, PaymentIntentStatus, Refund,
};
use uuid::Uuid;

use super::error::GatewayError;
use super::snapshots::{DisputeSnapshot, RefundSnapshot};
use crate::config::Secret;
use crate::domain::Currency;
use crate::payments::idempotency::Keys;

/// The keys and URLs the shop talks to Stripe (or the sandbox) with.
#[derive(Debug, Clone)]
pub struct StripeAccess {
    pub secret_key: Secret,
    pub publishable_key: String,
    pub webhook_secret: Secret,
    /// async-stripe's base URL; `None` for api.stripe.com.
    pub api_base: Option<String>,
    /// Where the payment page loads Stripe.js from.
    pub js_url: String,
    /// Links to the Stripe Dashboard (only with real Stripe).
    pub dashboard_url: Option<String>,
}

/// A PaymentIntent for an order: what it charges, and what it is for.
#[derive(Debug, Clone)]
pub struct NewIntent<'a> {
    pub order_id: Uuid,
    pub order_number: i64,
    pub amount: i64,
    pub currency: Currency,
    pub receipt_email: &'a str,
    pub customer: Option<&'a str>,
    /// Where the goods go (Stripe's `shipping`).
    pub shipping: Option<ShipTo<'a>>,
    /// Which idempotency key creates it (see `orders.intent_attempt`).
    pub attempt: i32,
}

/// A shipping address as Stripe's `shipping` takes it.
#[derive(Debug, Clone, Copy)]
pub struct ShipTo<'a> {
    pub name: &'a str,
    pub line1: &'a str,
    pub line2: Option<&'a str>,
    pub city: &'a str,
    pub postal_code: &'a str,
    /// Two-letter ISO code.
    pub country: &'a str,
}

/// A Checkout Session for an order (Stripe's hosted page): its lines as the order priced them.
#[derive(Debug, Clone)]
pub struct NewCheckoutSession<'a> {
    pub order_id: Uuid,
    pub order_number: i64,
    pub currency: Currency,
    /// (name, unit amount in minor units, quantity): the order's items, shipping and tax.
    pub lines: Vec<(String, i64, u64)>,
    pub email: &'a str,
    pub customer: Option<&'a str>,
    pub success_url: String,
    pub cancel_url: String,
    /// When the page stops taking payments: the end of the order's reservation.
    pub expires_at: i64,
    /// Which idempotency key creates it (see `orders.intent_attempt`).
    pub attempt: i32,
}

pub struct Payments {
    pub(super) client: Client,
    pub(super) keys: Keys,
    /// `STRIPE_TEST_CLOCKS`: each new customer gets its own test clock.
    pub(super) test_clocks: bool,
    pub publishable_key: String,
    pub js_url: String,
    webhook_secret: Secret,
    pub dashboard_url: Option<String>,
}

pub(super) fn idempotent(key: &str) -> Result<RequestStrategy, GatewayError> {
    IdempotencyKey::new(key)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| GatewayError::Unavailable(format!("idempotency key: {e}")))
}

/// Sends a keyed request again, with the same key, while Stripe says "not now": a concurrent
/// request holds the key (409) or the rate limit was hit (429). Nothing was executed then, so
/// the same key is right. Any other answer, or none, is returned as it is.
pub(super) async fn with_same_key<T, Fut>(mut send: impl FnMut() -> Fut) -> Result<T, StripeError>
where
    Fut: Future<Output = Result<T, StripeError>>,
{
    let mut delay = Duration::from_millis(200);
    for _ in 0..5 {
        match send().await {
            Err(StripeError::Stripe(_, 409 | 429)) => {
                // Jitter spreads the retries of requests that collided.
                let jitter = Duration::from_millis(rand::random::<u64>() % 200);
                tokio::time::sleep(delay + jitter).await;
                delay *= 2;
            }
            other => return other,
        }
    }
    send().await
}

impl Payments {
    pub fn new(access: StripeAccess, keys: Keys) -> anyhow::Result<Self> {
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
            keys,
            test_clocks: false,
            publishable_key: access.publishable_key,
            js_url: access.js_url,
            webhook_secret: access.webhook_secret,
            dashboard_url: access.dashboard_url,
        })
    }

    /// Makes each new customer on its own test clock (test mode only; see the settings).
    pub fn with_test_clocks(mut self, on: bool) -> Self {
        self.test_clocks = on;
        self
    }

    pub fn webhook_secret(&self) -> &Secret {
        &self.webhook_secret
    }

    /// Creates the order's PaymentIntent under the key of the order's current attempt, so
    /// however often this is retried, Stripe makes one intent per attempt.
    #[tracing::instrument(skip_all, fields(order = %intent.order_id, attempt = intent.attempt))]
    pub async fn create_intent(
        &self,
        intent: &NewIntent<'_>,
    ) -> Result<PaymentIntent, GatewayError> {
        let currency = intent
            .currency
            .as_str()
            .parse::<stripe_types::Currency>()
            .map_err(|_| {
                GatewayError::Unavailable(format!("unknown currency {}", intent.currency))
            })?;
        let mut request = CreatePaymentIntent::new(intent.amount, currency)
            .metadata([
                ("order_id".to_owned(), intent.order_id.to_string()),
                ("order_number".to_owned(), intent.order_number.to_string()),
            ])
            .receipt_email(intent.receipt_email.to_owned())
            .description(format!("Storefront order #{}", intent.order_number));
        if let Some(customer) = intent.customer {
            request = request.customer(customer);
        }
        if let Some(to) = intent.shipping {
            let address = CreatePaymentIntentShippingAddress {
                line1: Some(to.line1.to_owned()),
                line2: to.line2.map(str::to_owned),
                city: Some(to.city.to_owned()),
                postal_code: Some(to.postal_code.to_owned()),
                country: Some(to.country.to_owned()),
                state: None,
            };
            request = request.shipping(CreatePaymentIntentShipping::new(address, to.name));
        }
        let strategy = idempotent(&self.keys.intent(intent.order_id, intent.attempt))?;
        let intent = with_same_key(|| {
            request
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
        })
        .await?;
        Ok(intent)
    }

    /// Creates the order's Checkout Session under the key of the order's current attempt.
    /// The session and the intent Stripe makes for it carry `metadata[order_id]`, so the intent
    /// passes the same checks as one the shop makes.
    #[tracing::instrument(skip_all, fields(order = %new.order_id, attempt = new.attempt))]
    pub async fn create_checkout_session(
        &self,
        new: &NewCheckoutSession<'_>,
    ) -> Result<CheckoutSession, GatewayError> {
        let currency = new
            .currency
            .as_str()
            .parse::<stripe_types::Currency>()
            .map_err(|_| GatewayError::Unavailable(format!("unknown currency {}", new.currency)))?;
        let lines = new
            .lines
            .iter()
            .map(|(name, unit_amount, quantity)| {
                let mut price = CreateCheckoutSessionLineItemsPriceData::new(currency.clone());
                price.unit_amount = Some(*unit_amount);
                price.product_data = Some(ProductData::new(name.clone()));
                let mut line = CreateCheckoutSessionLineItems::new();
                line.price_data = Some(price);
                line.quantity = Some(*quantity);
                line
            })
            .collect::<Vec<_>>();
        let order_metadata = [
            ("order_id".to_owned(), new.order_id.to_string()),
            ("order_number".to_owned(), new.order_number.to_string()),
        ];
        let mut intent_data = CreateCheckoutSessionPaymentIntentData::new();
        intent_data.metadata = Some(order_metadata.clone().into());
        intent_data.description = Some(format!("Storefront order #{}", new.order_number));
        let mut request = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Payment)
            .line_items(lines)
            .client_reference_id(new.order_id.to_string())
            .metadata(order_metadata)
            .payment_intent_data(intent_data)
            .success_url(new.success_url.clone())
            .cancel_url(new.cancel_url.clone())
            .expires_at(new.expires_at);
        request = match new.customer {
            Some(customer) => request.customer(customer),
            None => request.customer_email(new.email),
        };
        let strategy = idempotent(&self.keys.checkout_session(new.order_id, new.attempt))?;
        Ok(with_same_key(|| {
            request
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
        })
        .await?)
    }

    #[tracing::instrument(skip(self))]
    pub async fn retrieve_checkout_session(
        &self,
        id: &str,
    ) -> Result<CheckoutSession, GatewayError> {
        Ok(RetrieveCheckoutSession::new(id)
            .customize()
            .request_strategy(RequestStrategy::Retry(2))
            .send(&self.client)
            .await?)
    }

    /// Expires an open session, so its page takes no payment any more; when Stripe refuses
    /// because the session completed (or expired) meanwhile, the session as Stripe has it now
    /// is returned, and its status tells. Money that arrived is never cancelled.
    #[tracing::instrument(skip(self))]
    pub async fn expire_checkout_session_unless_paid(
        &self,
        id: &str,
    ) -> Result<CheckoutSession, GatewayError> {
        let request = ExpireCheckoutSession::new(id);
        let strategy = idempotent(&self.keys.expire(id))?;
        let expired = with_same_key(|| {
            request
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
        })
        .await;
        match expired {
            Ok(session) => Ok(session),
            Err(e) => match GatewayError::from(e) {
                e if e.code() == Some("checkout_session_unexpected_state") => {
                    self.retrieve_checkout_session(id).await
                }
                e => Err(e),
            },
        }
    }

    /// The PaymentIntents Stripe holds for an order (`metadata['order_id']`), newest first,
    /// through Stripe's search. Search lags writes by up to a minute (more during incidents), so
    /// an empty answer says "none yet", never "none ever".
    #[tracing::instrument(skip(self))]
    pub async fn intents_of_order(
        &self,
        order_id: Uuid,
    ) -> Result<Vec<PaymentIntent>, GatewayError> {
        let found = SearchPaymentIntent::new(format!("metadata['order_id']:'{order_id}'"))
            .limit(20)
            .customize()
            .request_strategy(RequestStrategy::Retry(2))
            .send(&self.client)
            .await?;
        let mut intents = found.data;
        intents.sort_by_key(|intent| std::cmp::Reverse(intent.created));
        Ok(intents)
    }

    /// The intent Stripe holds for this order that the order can use: made for it, for its
    /// amount and currency, not cancelled; a succeeded one first.
    pub async fn intent_made_for(
        &self,
        order_id: Uuid,
        amount: i64,
        currency: Currency,
    ) -> Result<Option<PaymentIntent>, GatewayError> {
        let wanted = order_id.to_string();
        let mut usable: Vec<PaymentIntent> = self
            .intents_of_order(order_id)
            .await?
            .into_iter()
            .filter(|intent| {
                intent.metadata.get("order_id") == Some(&wanted)
                    && intent.amount == amount
                    && intent.currency.to_string() == currency.as_str()
                    && intent.status != PaymentIntentStatus::Canceled
            })
            .collect();
        usable.sort_by_key(|intent| intent.status != PaymentIntentStatus::Succeeded);
        Ok(usable.into_iter().next())
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
        let request = CancelPaymentIntent::new(id);
        let strategy = idempotent(&self.keys.cancel(id))?;
        Ok(with_same_key(|| {
            request
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
        })
        .await?)
    }

    /// Cancels an intent unless its money arrived: when Stripe refuses to cancel because the
    /// intent succeeded (or is processing) meanwhile, the intent as Stripe has it now is
    /// returned instead, and its status tells. The one place that rule is written.
    pub async fn cancel_unless_paid(&self, id: &str) -> Result<PaymentIntent, GatewayError> {
        match self.cancel_intent(id).await {
            Ok(cancelled) => Ok(cancelled),
            Err(e) if e.code() == Some("payment_intent_unexpected_state") => {
                self.retrieve_intent(id).await
            }
            Err(e) => Err(e),
        }
    }

    /// Creates the Stripe Customer of a user; the key makes it once per user.
    #[tracing::instrument(skip(self, email))]
    pub async fn create_customer(&self, user_id: i64, email: &str) -> Result<String, GatewayError> {
        let mut create = CreateCustomer::new()
            .email(email)
            .metadata([("user_id".to_owned(), user_id.to_string())]);
        // On a test clock, the key names the clock: a retry with a new clock is a new request.
        let key = if self.test_clocks {
            let clock = self.create_test_clock(user_id).await?;
            let key = self.keys.customer_on_clock(user_id, &clock);
            create = create.test_clock(clock);
            key
        } else {
            self.keys.customer(user_id)
        };
        let strategy = idempotent(&key)?;
        let customer = with_same_key(|| {
            create
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
        })
        .await?;
        Ok(customer.id.as_str().to_owned())
    }

    /// Refunds `amount` of an order's payment; `request` names this refund (the admin form's
    /// key) so a retry makes one.
    #[tracing::instrument(skip(self))]
    pub async fn refund(
        &self,
        payment_intent: &str,
        amount: i64,
        request: Uuid,
        attempt: i32,
    ) -> Result<Refund, GatewayError> {
        if attempt > 0
            && let Some(made) = self.refund_made_for(payment_intent, request).await?
        {
            // An earlier attempt was answered with an error after all made the refund.
            return Ok(made);
        }
        let create = CreateRefund::new()
            .payment_intent(payment_intent)
            .amount(amount)
            .metadata([("refund_request".to_owned(), request.to_string())]);
        let strategy = idempotent(&self.keys.refund(request, attempt))?;
        Ok(with_same_key(|| {
            create
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
        })
        .await?)
    }

    /// The refund made for the admin's refund request, if Stripe has one (its metadata names
    /// the request). Stripe's list, unlike its search, is up to date.
    pub async fn refund_made_for(
        &self,
        payment_intent: &str,
        request: Uuid,
    ) -> Result<Option<Refund>, GatewayError> {
        let request = request.to_string();
        let refunds = ListRefund::new()
            .payment_intent(payment_intent)
            .limit(100)
            .customize()
            .request_strategy(RequestStrategy::Retry(2))
            .send(&self.client)
            .await?;
        Ok(refunds.data.into_iter().find(|r| {
            r.metadata
                .as_ref()
                .and_then(|m| m.get("refund_request"))
                .is_some_and(|k| *k == request)
        }))
    }

    /// Every refund of an intent's payment, whoever asked for it: the shop or the Dashboard.
    #[tracing::instrument(skip(self))]
    pub async fn refunds_of(
        &self,
        payment_intent: &str,
    ) -> Result<Vec<RefundSnapshot>, GatewayError> {
        let mut refunds = Vec::new();
        let mut after: Option<String> = None;
        // Pages of 100; a payment with more than a thousand refunds is not one of this shop's.
        for _ in 0..10 {
            let mut list = ListRefund::new().payment_intent(payment_intent).limit(100);
            if let Some(after) = &after {
                list = list.starting_after(after.clone());
            }
            let page = list
                .customize()
                .request_strategy(RequestStrategy::Retry(2))
                .send(&self.client)
                .await?;
            refunds.extend(page.data.iter().filter_map(RefundSnapshot::from_stripe));
            after = page.data.last().map(|r| r.id.as_str().to_owned());
            if !page.has_more || after.is_none() {
                break;
            }
        }
        Ok(refunds)
    }

    /// Every dispute of an intent's payment.
    #[tracing::instrument(skip(self))]
    pub async fn disputes_of(
        &self,
        payment_intent: &str,
    ) -> Result<Vec<DisputeSnapshot>, GatewayError> {
        let page = ListDispute::new()
            .payment_intent(payment_intent)
            .limit(100)
            .customize()
            .request_strategy(RequestStrategy::Retry(2))
            .send(&self.client)
            .await?;
        Ok(page
            .data
            .iter()
            .filter_map(DisputeSnapshot::from_stripe)
            .collect())
    }

    /// What Stripe has refunded (or is refunding) of an intent, whoever asked: the shop or the
    /// Dashboard. Failed and canceled refunds don't count.
    pub async fn refunded_total(&self, payment_intent: &str) -> Result<i64, GatewayError> {
        Ok(self
            .refunds_of(payment_intent)
            .await?
            .iter()
            .filter(|r| r.status.counts())
            .map(|r| r.amount)
            .sum())
    }
}
