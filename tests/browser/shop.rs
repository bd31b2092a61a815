//! The shop under test: the real app in sandbox mode on port 0 with a fresh database, and what
//! the tests read back from that database.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use storefront::db::DbPool;
use storefront::schema::orders;
use storefront::startup::Application;
use uuid::Uuid;

#[derive(Clone)]
pub struct Shop {
    pub address: String,
    pool: DbPool,
    /// The in-process sandbox's secret key, for its test controls.
    sandbox_key: String,
}

impl Shop {
    /// The shop with the test settings and `overrides` on top.
    pub async fn start(overrides: &[(&str, &str)]) -> Shop {
        let (settings, _) = crate::common::test_settings(overrides).await;
        let app = Application::build(settings)
            .await
            .unwrap_or_else(|e| panic!("building the app: {e:?}"));
        let sandbox_key = app
            .sandbox_key()
            .map(|k| k.expose().to_owned())
            .unwrap_or_else(|| panic!("the browser tests run in sandbox mode"));
        let shop = Shop {
            address: format!("http://127.0.0.1:{}", app.port()),
            pool: app.pool().clone(),
            sandbox_key,
        };
        tokio::spawn(app.run_until_stopped());
        shop
    }

    /// Calls one of the sandbox's test controls (`bank_debits/settle`, ...).
    pub async fn sandbox_control(&self, path: &str, form: &[(&str, &str)]) -> serde_json::Value {
        let response = reqwest::Client::new()
            .post(format!("{}/_sandbox/_controls/{path}", self.address))
            .bearer_auth(&self.sandbox_key)
            .form(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("control {path}: {e}"));
        let status = response.status();
        let json: serde_json::Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("control {path} answer: {e}"));
        assert!(status.is_success(), "control {path}: {status} {json}");
        json
    }

    /// The PaymentIntent of an order.
    pub async fn order_intent(&self, order: Uuid) -> String {
        let mut conn = self
            .pool
            .get()
            .await
            .unwrap_or_else(|e| panic!("test database connection: {e}"));
        orders::table
            .find(order)
            .select(orders::payment_intent_id)
            .first::<Option<String>>(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("order {order}: {e}"))
            .unwrap_or_else(|| panic!("order {order} has no PaymentIntent"))
    }

    /// An admin account, as `storefront admin create` makes one.
    pub async fn create_admin(&self, email: &str, password: &str) {
        storefront::admin::cli::create_admin(&self.pool, email, password)
            .await
            .unwrap_or_else(|e| panic!("creating an admin: {e:?}"));
    }

    /// The order's payment status as the database holds it (`paid`, `failed`, ...).
    pub async fn order_status(&self, order: Uuid) -> String {
        let mut conn = self
            .pool
            .get()
            .await
            .unwrap_or_else(|e| panic!("test database connection: {e}"));
        orders::table
            .find(order)
            .select(orders::status)
            .first(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("order {order}: {e}"))
    }

    /// How long the order held its stock for, from when it was placed.
    pub async fn reservation(&self, order: Uuid) -> time::Duration {
        let mut conn = self
            .pool
            .get()
            .await
            .unwrap_or_else(|e| panic!("test database connection: {e}"));
        let (created, until): (time::OffsetDateTime, time::OffsetDateTime) = orders::table
            .find(order)
            .select((orders::created_at, orders::reserved_until))
            .first(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("order {order}: {e}"));
        until - created
    }

    /// A discount code of `percent_off` percent, as the owner makes one at /admin/discounts.
    pub async fn add_discount_code(&self, code: &str, percent_off: i32) {
        let mut conn = self
            .pool
            .get()
            .await
            .unwrap_or_else(|e| panic!("test database connection: {e}"));
        let new = storefront::discounts::db::NewDiscountCode {
            code,
            percent_off: Some(percent_off),
            amount_off_minor: None,
            currency: None,
            min_items_minor: None,
            expires_at: None,
            usage_limit: None,
        };
        let made = storefront::discounts::db::insert(&mut conn, &new)
            .await
            .unwrap_or_else(|e| panic!("making the code {code}: {e}"));
        assert!(made, "the code {code} is new");
    }

    /// The member's Stripe customer (to move its test clock on the sandbox's clock page).
    pub async fn stripe_customer(&self, email: &str) -> String {
        use storefront::schema::users;
        let mut conn = self
            .pool
            .get()
            .await
            .unwrap_or_else(|e| panic!("test database connection: {e}"));
        users::table
            .filter(users::email.eq(email))
            .select(users::stripe_customer_id)
            .first::<Option<String>>(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("user {email}: {e}"))
            .unwrap_or_else(|| panic!("{email} has no Stripe customer"))
    }

    /// The member's membership status as the database holds it.
    pub async fn membership_status(&self, email: &str) -> Option<String> {
        use storefront::schema::{club_subscriptions, users};
        let mut conn = self
            .pool
            .get()
            .await
            .unwrap_or_else(|e| panic!("test database connection: {e}"));
        club_subscriptions::table
            .inner_join(users::table)
            .filter(users::email.eq(email))
            .select(club_subscriptions::status)
            .first::<String>(&mut conn)
            .await
            .optional()
            .unwrap_or_else(|e| panic!("membership of {email}: {e}"))
    }
}
