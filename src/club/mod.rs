//! Storefront Club: a membership, monthly or yearly, with a free trial and a member benefit
//! (free standard shipping while it is active or trialing, applied when an order is priced).
//!
//! Members subscribe on Stripe's hosted Checkout page in `subscription` mode ([`subscribe`]);
//! Stripe owns the subscription and its invoices, and the shop keeps a copy that Stripe's
//! events ([`observe`]), the return page, the member's own changes ([`account`]) and the
//! reconciler ([`reconcile`]) bring up to date, all through one function ([`sync`]). The plans
//! are the shop's own table ([`plans`]); Stripe's prices are made from it.

mod account;
pub mod db;
pub mod observe;
pub mod plans;
pub mod reconcile;
pub mod snapshot;
pub mod status;
mod subscribe;
pub mod sync;

use actix_web::web;

pub use plans::{Plan, PlanPrices};
pub use status::{InvoiceStatus, MembershipStatus};
pub use sync::ClubObservation;

/// The shipping method members get free.
pub const FREE_SHIPPING_METHOD: &str = "standard";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/club", web::get().to(subscribe::plans_page))
        .route("/club/subscribe", web::post().to(subscribe::subscribe))
        .route("/club/welcome", web::get().to(subscribe::welcome))
        .route("/account/club", web::get().to(account::membership_page))
        .route("/account/club/plan", web::post().to(account::switch_plan))
        .route("/account/club/cancel", web::post().to(account::cancel))
        .route("/account/club/resume", web::post().to(account::resume))
        .route(
            "/account/club/billing",
            web::post().to(account::manage_billing),
        );
}

/// Applies what was read from Stripe, in one transaction.
pub async fn apply(
    pool: &crate::db::DbPool,
    payments: &crate::payments::Payments,
    observations: &[ClubObservation],
    cause: sync::Cause<'_>,
) -> anyhow::Result<sync::Effect> {
    use diesel_async::AsyncConnection;
    use diesel_async::scoped_futures::ScopedFutureExt;
    let mut conn = pool.get().await?;
    conn.transaction::<_, anyhow::Error, _>(|conn| {
        async move {
            let mut effect = sync::Effect::NotOurs;
            for observation in observations {
                effect = effect.max(sync::apply_in(conn, payments, observation, cause).await?);
            }
            Ok(effect)
        }
        .scope_boxed()
    })
    .await
}
