//! The membership's calls to Stripe Billing: the plan prices (found by lookup key, made when
//! missing), the Checkout Session in `subscription` mode, subscriptions and their changes,
//! invoices, the Billing Portal, and test clocks. Same rules as the payment calls: plain values
//! in, Stripe's objects and a [`GatewayError`] out, and a key on every POST.

use stripe::{RequestStrategy, StripeRequest};
use stripe_billing::billing_portal_configuration::{
    CreateBillingPortalConfiguration, CreateBillingPortalConfigurationFeatures,
    CreateBillingPortalConfigurationFeaturesSubscriptionCancel,
    CreateBillingPortalConfigurationFeaturesSubscriptionCancelMode,
    CreateBillingPortalConfigurationFeaturesSubscriptionUpdate,
    CreateBillingPortalConfigurationFeaturesSubscriptionUpdateDefaultAllowedUpdates,
    CreateBillingPortalConfigurationFeaturesSubscriptionUpdateProrationBehavior, InvoiceListParam,
    ListBillingPortalConfiguration, PaymentMethodUpdateParam, SubscriptionUpdateProductParam,
};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_billing::invoice::{ListInvoice, RetrieveInvoice};
use stripe_billing::subscription::{
    ListSubscription, ListSubscriptionStatus, RetrieveSubscription, UpdateSubscription,
    UpdateSubscriptionItems, UpdateSubscriptionProrationBehavior,
};
use stripe_billing::test_helpers_test_clock::CreateTestHelpersTestClock;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionSubscriptionData,
};
use stripe_product::price::{
    CreatePrice, CreatePriceProductData, CreatePriceRecurring, CreatePriceRecurringInterval,
    ListPrice,
};
use stripe_shared::{
    CheckoutSession, CheckoutSessionMode, Invoice, Price, RecurringInterval, Subscription,
};

use super::client::{Payments, idempotent, with_same_key};
use super::error::GatewayError;
use crate::domain::Currency;

/// A plan's price as the shop's plan table states it.
#[derive(Debug, Clone, Copy)]
pub struct PlanPrice<'a> {
    pub lookup_key: &'a str,
    /// The product's name on Stripe's pages and invoices.
    pub product_name: &'a str,
    pub nickname: &'a str,
    pub amount: i64,
    pub currency: Currency,
    pub yearly: bool,
}

impl PlanPrice<'_> {
    /// Whether Stripe's price is this plan's, as the table says it now.
    fn is(&self, price: &Price) -> bool {
        let interval = if self.yearly {
            RecurringInterval::Year
        } else {
            RecurringInterval::Month
        };
        price.lookup_key.as_deref() == Some(self.lookup_key)
            && price.active
            && price.unit_amount == Some(self.amount)
            && price.currency.to_string() == self.currency.as_str()
            && price
                .recurring
                .as_ref()
                .is_some_and(|r| r.interval == interval && r.interval_count == 1)
    }
}

/// The Checkout Session that starts a user's membership.
#[derive(Debug, Clone)]
pub struct NewMembershipCheckout<'a> {
    pub user_id: i64,
    pub customer: &'a str,
    pub price: &'a str,
    /// The plan's code, for the subscription's metadata.
    pub plan: &'a str,
    /// Days of free trial; `None` for a user who had one already.
    pub trial_days: Option<u32>,
    pub success_url: String,
    pub cancel_url: String,
}

fn currency_of(currency: Currency) -> Result<stripe_types::Currency, GatewayError> {
    currency
        .as_str()
        .parse::<stripe_types::Currency>()
        .map_err(|_| GatewayError::Unavailable(format!("unknown currency {currency}")))
}

impl Payments {
    /// The active price of `plan`, found by its lookup key; made (with the product of the other
    /// plans, or a new one) when Stripe has none that matches the table. A new price takes the
    /// lookup key over from an old one (`transfer_lookup_key`), so a changed amount never
    /// needs a hand in the Dashboard.
    #[tracing::instrument(skip_all, fields(lookup_key = plan.lookup_key))]
    pub async fn plan_price(
        &self,
        plan: &PlanPrice<'_>,
        all_lookup_keys: &[&str],
    ) -> Result<Price, GatewayError> {
        let found = ListPrice::new()
            .lookup_keys(
                all_lookup_keys
                    .iter()
                    .map(|k| (*k).to_owned())
                    .collect::<Vec<_>>(),
            )
            .active(true)
            .limit(10)
            .customize()
            .request_strategy(RequestStrategy::Retry(2))
            .send(&self.client)
            .await?;
        if let Some(price) = found.data.iter().find(|p| plan.is(p)) {
            return Ok(price.clone());
        }
        let currency = currency_of(plan.currency)?;
        let interval = if plan.yearly {
            CreatePriceRecurringInterval::Year
        } else {
            CreatePriceRecurringInterval::Month
        };
        let mut create = CreatePrice::new(currency)
            .unit_amount(plan.amount)
            .recurring(CreatePriceRecurring::new(interval))
            .lookup_key(plan.lookup_key)
            .transfer_lookup_key(true)
            .nickname(plan.nickname);
        create = match found.data.first() {
            Some(sibling) => create.product(sibling.product.id().as_str()),
            None => create.product_data(CreatePriceProductData::new(plan.product_name)),
        };
        let key = self
            .keys
            .club_price(plan.lookup_key, plan.amount, plan.currency.as_str());
        let strategy = idempotent(&key)?;
        let price = with_same_key(|| {
            create
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
        })
        .await?;
        tracing::info!(price = %price.id, "made the plan's price on Stripe");
        Ok(price)
    }

    /// The Checkout Session (mode `subscription`) where a user starts a membership. The
    /// subscription carries the user's id in its metadata; a repeat within a few minutes
    /// replays the same session.
    #[tracing::instrument(skip_all, fields(user = new.user_id, plan = new.plan))]
    pub async fn create_membership_checkout(
        &self,
        new: &NewMembershipCheckout<'_>,
    ) -> Result<CheckoutSession, GatewayError> {
        let mut line = CreateCheckoutSessionLineItems::new();
        line.price = Some(new.price.to_owned());
        line.quantity = Some(1);
        let metadata = [
            ("club_user_id".to_owned(), new.user_id.to_string()),
            ("club_plan".to_owned(), new.plan.to_owned()),
        ];
        let mut subscription = CreateCheckoutSessionSubscriptionData::new();
        subscription.metadata = Some(metadata.clone().into());
        subscription.trial_period_days = new.trial_days;
        let request = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Subscription)
            .line_items(vec![line])
            .customer(new.customer)
            .client_reference_id(format!("club-user-{}", new.user_id))
            .metadata(metadata)
            .subscription_data(subscription)
            .success_url(new.success_url.clone())
            .cancel_url(new.cancel_url.clone());
        let window = time::OffsetDateTime::now_utc().unix_timestamp() / 300;
        let strategy = idempotent(&self.keys.club_checkout(new.user_id, new.plan, window))?;
        Ok(with_same_key(|| {
            request
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
        })
        .await?)
    }

    #[tracing::instrument(skip(self))]
    pub async fn retrieve_subscription(&self, id: &str) -> Result<Subscription, GatewayError> {
        Ok(RetrieveSubscription::new(id)
            .customize()
            .request_strategy(RequestStrategy::Retry(2))
            .send(&self.client)
            .await?)
    }

    /// Every subscription of a customer, ended ones included (newest first, up to 100).
    #[tracing::instrument(skip(self))]
    pub async fn subscriptions_of(
        &self,
        customer: &str,
    ) -> Result<Vec<Subscription>, GatewayError> {
        Ok(ListSubscription::new()
            .customer(customer)
            .status(ListSubscriptionStatus::All)
            .limit(100)
            .customize()
            .request_strategy(RequestStrategy::Retry(2))
            .send(&self.client)
            .await?
            .data)
    }

    /// Moves the subscription's item to another price, prorated (Stripe's default: the
    /// difference is credited or charged on the next invoice).
    #[tracing::instrument(skip(self))]
    pub async fn change_subscription_price(
        &self,
        subscription: &str,
        item: &str,
        price: &str,
    ) -> Result<Subscription, GatewayError> {
        let mut moved = UpdateSubscriptionItems::new();
        moved.id = Some(item.to_owned());
        moved.price = Some(price.to_owned());
        let request = UpdateSubscription::new(subscription)
            .items(vec![moved])
            .proration_behavior(UpdateSubscriptionProrationBehavior::CreateProrations);
        let strategy = idempotent(&self.keys.subscription_change(subscription))?;
        Ok(with_same_key(|| {
            request
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
        })
        .await?)
    }

    /// Cancels at the end of the period (`true`) or takes that back (`false`).
    #[tracing::instrument(skip(self))]
    pub async fn set_cancel_at_period_end(
        &self,
        subscription: &str,
        cancel: bool,
    ) -> Result<Subscription, GatewayError> {
        let request = UpdateSubscription::new(subscription).cancel_at_period_end(cancel);
        let strategy = idempotent(&self.keys.subscription_change(subscription))?;
        Ok(with_same_key(|| {
            request
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
        })
        .await?)
    }

    #[tracing::instrument(skip(self))]
    pub async fn retrieve_invoice(&self, id: &str) -> Result<Invoice, GatewayError> {
        Ok(RetrieveInvoice::new(id)
            .customize()
            .request_strategy(RequestStrategy::Retry(2))
            .send(&self.client)
            .await?)
    }

    /// A subscription's invoices, newest first (up to 100).
    #[tracing::instrument(skip(self))]
    pub async fn invoices_of(&self, subscription: &str) -> Result<Vec<Invoice>, GatewayError> {
        Ok(ListInvoice::new()
            .subscription(subscription)
            .limit(100)
            .customize()
            .request_strategy(RequestStrategy::Retry(2))
            .send(&self.client)
            .await?
            .data)
    }

    /// The Billing Portal configuration of the membership: update the card, see invoices,
    /// switch between `prices` of `product` (prorated, as on the account page) and cancel at the
    /// period's end. Found by its metadata and prices, made when missing: Stripe refuses a
    /// portal session without a configuration until a default one is saved in the Dashboard.
    #[tracing::instrument(skip(self))]
    pub async fn portal_configuration(
        &self,
        product: &str,
        prices: &[String],
        return_url: &str,
    ) -> Result<String, GatewayError> {
        let found = ListBillingPortalConfiguration::new()
            .active(true)
            .limit(100)
            .customize()
            .request_strategy(RequestStrategy::Retry(2))
            .send(&self.client)
            .await?;
        let mut wanted: Vec<&str> = prices.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        let same = found.data.iter().find(|c| {
            let ours = c
                .metadata
                .as_ref()
                .and_then(|m| m.get("storefront"))
                .is_some_and(|v| v == "club");
            let mut offered: Vec<&str> = c
                .features
                .subscription_update
                .products
                .iter()
                .flatten()
                .filter(|p| p.product == product)
                .flat_map(|p| p.prices.iter().map(String::as_str))
                .collect();
            offered.sort_unstable();
            ours && offered == wanted
        });
        if let Some(configuration) = same {
            return Ok(configuration.id.as_str().to_owned());
        }
        let mut update = CreateBillingPortalConfigurationFeaturesSubscriptionUpdate::new(true);
        update.default_allowed_updates = Some(vec![
            CreateBillingPortalConfigurationFeaturesSubscriptionUpdateDefaultAllowedUpdates::Price,
        ]);
        update.products = Some(vec![SubscriptionUpdateProductParam::new(
            prices.to_vec(),
            product,
        )]);
        update.proration_behavior = Some(
            CreateBillingPortalConfigurationFeaturesSubscriptionUpdateProrationBehavior::CreateProrations,
        );
        let mut cancel = CreateBillingPortalConfigurationFeaturesSubscriptionCancel::new(true);
        cancel.mode =
            Some(CreateBillingPortalConfigurationFeaturesSubscriptionCancelMode::AtPeriodEnd);
        let mut features = CreateBillingPortalConfigurationFeatures::new();
        features.invoice_history = Some(InvoiceListParam::new(true));
        features.payment_method_update = Some(PaymentMethodUpdateParam::new(true));
        features.subscription_update = Some(update);
        features.subscription_cancel = Some(cancel);
        let request = CreateBillingPortalConfiguration::new(features)
            .default_return_url(return_url)
            .metadata([("storefront".to_owned(), "club".to_owned())]);
        let strategy = idempotent(&self.keys.portal_configuration(&wanted.join(",")))?;
        let configuration = with_same_key(|| {
            request
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
        })
        .await?;
        Ok(configuration.id.as_str().to_owned())
    }

    /// A Billing Portal session for the customer: its short-lived URL.
    #[tracing::instrument(skip(self, return_url))]
    pub async fn billing_portal_url(
        &self,
        customer: &str,
        configuration: &str,
        return_url: &str,
    ) -> Result<String, GatewayError> {
        // A portal session is a short-lived link; each visit gets its own.
        Ok(CreateBillingPortalSession::new()
            .customer(customer)
            .configuration(configuration)
            .return_url(return_url)
            .customize()
            .request_strategy(idempotent(&self.keys.subscription_change(customer))?)
            .send(&self.client)
            .await?
            .url)
    }

    /// A test clock for one user's customer, frozen at now.
    #[tracing::instrument(skip(self))]
    pub(super) async fn create_test_clock(&self, user_id: i64) -> Result<String, GatewayError> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let request =
            CreateTestHelpersTestClock::new(now).name(format!("Storefront user {user_id}"));
        let strategy = idempotent(&self.keys.test_clock())?;
        let clock = with_same_key(|| {
            request
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
        })
        .await?;
        Ok(clock.id.as_str().to_owned())
    }
}
