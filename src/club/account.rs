//! `GET /account/club`: the member's membership (status, plan, dates), its invoices with
//! Stripe's links, and what they can do: switch between monthly and yearly (prorated), cancel
//! at the end of the period and take that back, and open Stripe's Billing Portal. Each change
//! is made on Stripe and Stripe's answer is applied at once; the webhook that follows then
//! changes nothing.

use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;
use time::OffsetDateTime;

use super::db::{self, Membership, MembershipInvoice};
use super::plans::{Plan, PlanPrices};
use super::snapshot::SubscriptionSnapshot;
use super::status::MembershipStatus;
use super::sync::{Cause, ClubObservation};
use crate::config::Settings;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::{Currency, Money};
use crate::error::AppError;
use crate::page::{PageContext, see_other};
use crate::payments::{GatewayError, Payments};
use crate::session::{FlashKind, ShopSession};

const PATH: &str = "/account/club";

#[derive(Template, WebTemplate)]
#[template(path = "club/account.html")]
pub struct MembershipPage {
    ctx: PageContext,
    membership: Option<Membership>,
    invoices: Vec<MembershipInvoice>,
    /// The plan's price in the shop's currency, for the switch button.
    other_plan_price: Option<String>,
}

fn day(at: &OffsetDateTime) -> String {
    let format = time::macros::format_description!("[day] [month repr:short] [year]");
    at.format(&format).unwrap_or_default()
}

fn money(amount: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(currency) => Money::new(amount, currency).to_string(),
        Err(_) => format!("{amount} {currency}"),
    }
}

impl MembershipPage {
    fn day(&self, at: &OffsetDateTime) -> String {
        day(at)
    }

    fn money(&self, amount: &i64, currency: &str) -> String {
        money(*amount, currency)
    }

    fn can_switch(&self, m: &Membership) -> bool {
        matches!(
            m.status,
            MembershipStatus::Active | MembershipStatus::Trialing
        )
    }

    fn is_trialing(&self, m: &Membership) -> bool {
        m.status == MembershipStatus::Trialing
    }

    fn needs_payment(&self, m: &Membership) -> bool {
        matches!(
            m.status,
            MembershipStatus::PastDue | MembershipStatus::Unpaid | MembershipStatus::Incomplete
        )
    }
}

pub async fn membership_page(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    prices: web::Data<PlanPrices>,
) -> Result<MembershipPage, AppError> {
    let Some(user) = &ctx.user else {
        return Err(AppError::SignInRequired { next: PATH.into() });
    };
    let mut conn = pool.get().await?;
    let membership = db::of_user(&mut conn, user.id).await?;
    let invoices = db::invoices_of_user(&mut conn, user.id).await?;
    let other_plan_price = membership
        .as_ref()
        .map(|m| m.plan.other().terms().price(prices.currency()).to_string());
    Ok(MembershipPage {
        ctx,
        membership,
        invoices,
        other_plan_price,
    })
}

/// The signed-in member's membership that has not ended.
async fn live_membership(session: &ShopSession, pool: &DbPool) -> Result<Membership, AppError> {
    let user = session
        .user()
        .ok_or_else(|| AppError::SignInRequired { next: PATH.into() })?;
    let mut conn = pool.get().await?;
    db::of_user(&mut conn, user.id)
        .await?
        .filter(|m| m.status.is_live())
        .ok_or_else(|| AppError::conflict("You have no membership to change."))
}

/// Applies Stripe's answer to a change the member asked for.
async fn apply_answer(
    pool: &DbPool,
    payments: &Payments,
    answer: Result<stripe_shared::Subscription, GatewayError>,
) -> Result<(), AppError> {
    let subscription = answer?;
    let Some(snapshot) = SubscriptionSnapshot::from_stripe(&subscription) else {
        return Err(AppError::Unexpected(anyhow::anyhow!(
            "Stripe answered with a subscription that is no membership"
        )));
    };
    super::apply(
        pool,
        payments,
        &[ClubObservation::Subscription(snapshot)],
        Cause::Member,
    )
    .await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    plan: String,
}

/// Moves the membership to the other plan, prorated: Stripe credits the unused part of the
/// current period and charges the new price from now.
#[tracing::instrument(skip_all)]
pub async fn switch_plan(
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    prices: web::Data<PlanPrices>,
    CsrfForm(form): CsrfForm<SwitchForm>,
) -> Result<HttpResponse, AppError> {
    let plan: Plan = form
        .plan
        .parse()
        .map_err(|_| AppError::bad_request("Choose the monthly or the yearly plan."))?;
    let membership = live_membership(&session, &pool).await?;
    if !matches!(
        membership.status,
        MembershipStatus::Active | MembershipStatus::Trialing
    ) {
        return Err(AppError::conflict(
            "Your membership needs a payment first: use Manage billing to update your card.",
        ));
    }
    if membership.plan == plan {
        session.flash(
            FlashKind::Info,
            format!(
                "You are on the {} plan already.",
                plan.label().to_lowercase()
            ),
        );
        return Ok(see_other(PATH));
    }
    // The item to move is read from Stripe now, not from the stored copy.
    let current = payments.retrieve_subscription(&membership.id).await?;
    let item = SubscriptionSnapshot::from_stripe(&current)
        .map(|s| s.item_id)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("subscription has no item")))?;
    let price = prices.price_id(&payments, plan).await?;
    let answer = payments
        .change_subscription_price(&membership.id, &item, &price)
        .await;
    apply_answer(&pool, &payments, answer).await?;
    session.flash(
        FlashKind::Info,
        format!(
            "You are on the {} plan now; Stripe prorates what you already paid.",
            plan.label().to_lowercase()
        ),
    );
    Ok(see_other(PATH))
}

#[derive(Debug, Deserialize)]
pub struct EmptyForm {}

#[tracing::instrument(skip_all)]
pub async fn cancel(
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    let membership = live_membership(&session, &pool).await?;
    if !membership.cancel_at_period_end {
        let answer = payments
            .set_cancel_at_period_end(&membership.id, true)
            .await;
        apply_answer(&pool, &payments, answer).await?;
    }
    let until = membership
        .current_period_end
        .map(|end| format!(" on {}", day(&end)))
        .unwrap_or_default();
    session.flash(
        FlashKind::Info,
        format!("Your membership ends{until}. You keep free shipping until then."),
    );
    Ok(see_other(PATH))
}

#[tracing::instrument(skip_all)]
pub async fn resume(
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    let membership = live_membership(&session, &pool).await?;
    if membership.cancel_at_period_end {
        let answer = payments
            .set_cancel_at_period_end(&membership.id, false)
            .await;
        apply_answer(&pool, &payments, answer).await?;
    }
    session.flash(
        FlashKind::Info,
        "Your membership goes on: it renews at the end of the period.",
    );
    Ok(see_other(PATH))
}

/// Opens Stripe's Billing Portal for the member's customer (card, plan, invoices, cancel); it
/// sends them back here.
#[tracing::instrument(skip_all)]
pub async fn manage_billing(
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    prices: web::Data<PlanPrices>,
    settings: web::Data<Settings>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    let user = session
        .user()
        .ok_or_else(|| AppError::SignInRequired { next: PATH.into() })?;
    let customer = {
        let mut conn = pool.get().await?;
        db::of_user(&mut conn, user.id)
            .await?
            .map(|m| m.customer_id)
            .ok_or_else(|| AppError::conflict("You have no membership to manage."))?
    };
    let return_url = format!("{}{PATH}", settings.base_url);
    let configuration = prices.portal_configuration(&payments, &return_url).await?;
    let url = payments
        .billing_portal_url(&customer, &configuration, &return_url)
        .await?;
    Ok(see_other(url))
}
