//! The shop owner's side: signing in as an admin, paid orders to refund, their amounts.

use super::*;

/// A refund form as the confirmation page posts it: `confirmed=yes` unless the form already
/// says; any other form is left as it is. `tests/api/admin.rs` checks the confirmation itself.
pub fn confirmed_refund<'a>(path: &str, form: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = form.to_vec();
    let is_refund = path.starts_with("/admin/orders/") && path.ends_with("/refunds");
    if is_refund && !form.iter().any(|(name, _)| *name == "confirmed") {
        fields.push(("confirmed", "yes"));
    }
    fields
}

impl TestApp {
    /// Creates an admin account with the library function `storefront admin create` uses, and
    /// signs this browser in with it.
    pub async fn sign_in_as_admin(&self, email: &str) {
        storefront::admin::cli::create_admin(&self.pool, email, "correct horse battery")
            .await
            .unwrap_or_else(|e| panic!("creating admin {email}: {e:?}"));
        let response = self.login(email, "correct horse battery").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "admin sign-in");
    }

    /// A guest pays for a cart of `quantity` × `slug` with 4242 and the webhook makes it paid.
    pub async fn paid_order(&self, email: &str, slug: &str, quantity: &str) -> Uuid {
        self.paid_order_with_card(email, slug, quantity, VISA).await
    }

    /// A guest pays for a cart of `quantity` × `slug` with `card`; the order is paid.
    pub async fn paid_order_with_card(
        &self,
        email: &str,
        slug: &str,
        quantity: &str,
        card: &str,
    ) -> Uuid {
        let shopper = self.another_browser();
        shopper.add_to_cart(slug, quantity).await;
        let order = shopper.checkout(email).await;
        let (status, intent) = shopper.pay_with_card(order, card).await;
        assert_eq!(status, StatusCode::OK, "{intent}");
        self.webhooks_delivered().await;
        self.wait_for_status(order, "paid").await;
        order
    }

    /// (amount paid, amount refunded) of the order, as the database holds them.
    pub async fn order_amounts(&self, order: Uuid) -> (i64, i64) {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::orders;
        orders::table
            .find(order)
            .select((orders::amount_paid_minor, orders::amount_refunded_minor))
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("order {order}: {e}"))
    }

    /// Polls until `check` holds for the order's (status, paid, refunded).
    pub async fn wait_for_order(&self, order: Uuid, want: (&str, i64, i64)) {
        let mut now = (String::new(), 0, 0);
        for _ in 0..100 {
            let (paid, refunded) = self.order_amounts(order).await;
            now = (self.order_status(order).await, paid, refunded);
            if (now.0.as_str(), now.1, now.2) == want {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("order {order} is {now:?}, not {want:?}");
    }
}
