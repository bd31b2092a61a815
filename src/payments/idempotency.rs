//! The idempotency keys the shop sends to Stripe. Every key carries the installation's id (made
//! once, kept in the database), so two databases on one Stripe account never send one key for
//! different requests. A key that creates something names what it creates — an order's
//! PaymentIntent and the attempt number, a user's Customer, an admin's refund request — so a
//! retry after a lost answer makes nothing twice. Keys of requests that create nothing are fresh
//! for every call, so an error Stripe keeps under a key never pins them.

use anyhow::Context;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::installation;

#[derive(Debug, Clone, Copy)]
pub struct Keys {
    installation: Uuid,
}

impl Keys {
    pub fn new(installation: Uuid) -> Self {
        Self { installation }
    }

    /// The keys of the installation whose database this is.
    pub async fn of_installation(conn: &mut AsyncPgConnection) -> anyhow::Result<Self> {
        let id = installation::table
            .select(installation::id)
            .first::<Uuid>(conn)
            .await
            .context("reading the installation id (run the migrations)")?;
        Ok(Self::new(id))
    }

    /// The key of attempt `attempt` to create the order's PaymentIntent.
    pub fn intent(&self, order: Uuid, attempt: i32) -> String {
        format!(
            "storefront-{}-order-{order}-intent-{attempt}",
            self.installation
        )
    }

    /// The key of attempt `attempt` to create the order's Checkout Session.
    pub fn checkout_session(&self, order: Uuid, attempt: i32) -> String {
        format!(
            "storefront-{}-order-{order}-checkout-session-{attempt}",
            self.installation
        )
    }

    /// Expiring creates nothing, so each call has its own key.
    pub fn expire(&self, session: &str) -> String {
        format!(
            "storefront-{}-expire-{session}-{}",
            self.installation,
            Uuid::new_v4().simple()
        )
    }

    pub fn customer(&self, user_id: i64) -> String {
        format!("storefront-{}-user-{user_id}-customer", self.installation)
    }

    pub fn customer_on_clock(&self, user_id: i64, clock: &str) -> String {
        format!(
            "storefront-{}-user-{user_id}-customer-{clock}",
            self.installation
        )
    }

    /// A test clock is a test-mode convenience: a spare one left by a lost answer is harmless,
    /// so each call has its own key.
    pub fn test_clock(&self) -> String {
        format!(
            "storefront-{}-test-clock-{}",
            self.installation,
            Uuid::new_v4().simple()
        )
    }

    /// The price of a plan: one per lookup key, amount, interval and currency, however often
    /// start-up asks.
    pub fn club_price(&self, lookup_key: &str, amount: i64, currency: &str) -> String {
        format!(
            "storefront-{}-price-{lookup_key}-{amount}-{currency}",
            self.installation
        )
    }

    /// The membership's Billing Portal configuration for these prices.
    pub fn portal_configuration(&self, prices: &str) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(prices.as_bytes());
        let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        format!(
            "storefront-{}-portal-configuration-{hex}",
            self.installation
        )
    }

    /// The membership's Checkout Session for a user and plan. `window` (a number of minutes
    /// since the epoch, divided) makes a double click or a retry within it replay the same
    /// session instead of opening a second one.
    pub fn club_checkout(&self, user_id: i64, plan: &str, window: i64) -> String {
        format!(
            "storefront-{}-user-{user_id}-club-{plan}-{window}",
            self.installation
        )
    }

    /// A change to a subscription (plan, cancel at period end, resume): each call has its own
    /// key; the subscription's state, not the key, makes a repeat harmless.
    pub fn subscription_change(&self, subscription: &str) -> String {
        format!(
            "storefront-{}-change-{subscription}-{}",
            self.installation,
            Uuid::new_v4().simple()
        )
    }

    /// Cancelling creates nothing, so each call has its own key (retries within the call reuse it).
    pub fn cancel(&self, intent: &str) -> String {
        format!(
            "storefront-{}-cancel-{intent}-{}",
            self.installation,
            Uuid::new_v4().simple()
        )
    }

    /// `request` is the refund form's own key, sent again with a retried form; the attempt
    /// moves on only after Stripe answered an attempt with an error.
    pub fn refund(&self, request: Uuid, attempt: i32) -> String {
        format!(
            "storefront-{}-refund-{request}-{attempt}",
            self.installation
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_between_installations_and_stay_within_stripes_limit() {
        let order = Uuid::new_v4();
        let a = Keys::new(Uuid::new_v4());
        let b = Keys::new(Uuid::new_v4());
        assert_ne!(a.intent(order, 0), b.intent(order, 0));
        assert_ne!(a.customer(7), b.customer(7));
        assert_ne!(a.intent(order, 0), a.intent(order, 1));
        assert_ne!(a.cancel("pi_1"), a.cancel("pi_1"));
        assert!(a.intent(order, i32::MAX).len() <= 255);
        assert!(a.cancel(&"x".repeat(66)).len() <= 255);
    }
}
