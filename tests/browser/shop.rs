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
}

impl Shop {
    pub async fn start() -> Shop {
        let (settings, _) = crate::common::test_settings(&[]).await;
        let app = Application::build(settings)
            .await
            .unwrap_or_else(|e| panic!("building the app: {e:?}"));
        assert!(
            app.sandbox_key().is_some(),
            "the browser tests run in sandbox mode"
        );
        let shop = Shop {
            address: format!("http://127.0.0.1:{}", app.port()),
            pool: app.pool().clone(),
        };
        tokio::spawn(app.run_until_stopped());
        shop
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
}
