//! `GET /club` (the plans), `POST /club/subscribe` (to Stripe's Checkout page in `subscription`
//! mode) and `GET /club/welcome` (Stripe's `success_url`: the membership is read from Stripe,
//! never from the query string).

use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::db::{self, Membership};
use super::observe::with_latest_invoice;
use super::plans::{PLANS, Plan, PlanPrices, TRIAL_DAYS, Terms};
use super::sync::Cause;
use crate::accounts;
use crate::config::Settings;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::Currency;
use crate::error::AppError;
use crate::page::{PageContext, see_other};
use crate::payments::Payments;
use crate::payments::stripe::NewMembershipCheckout;
use crate::session::{FlashKind, ShopSession};

#[derive(Template, WebTemplate)]
#[template(path = "club/plans.html")]
pub struct PlansPage {
    ctx: PageContext,
    plans: Vec<Terms>,
    currency: Currency,
    trial_days: u32,
    /// Whether this user gets the trial (one per member, ever).
    with_trial: bool,
    membership: Option<Membership>,
}

impl PlansPage {
    fn price(&self, terms: &Terms) -> String {
        terms.price(self.currency).to_string()
    }
}

pub async fn plans_page(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    prices: web::Data<PlanPrices>,
) -> Result<PlansPage, AppError> {
    let (membership, with_trial) = match &ctx.user {
        Some(user) => {
            let mut conn = pool.get().await?;
            (
                db::of_user(&mut conn, user.id).await?,
                !db::ever_had(&mut conn, user.id).await?,
            )
        }
        None => (None, true),
    };
    Ok(PlansPage {
        ctx,
        plans: PLANS.to_vec(),
        currency: prices.currency(),
        trial_days: TRIAL_DAYS,
        with_trial,
        membership: membership.filter(|m| m.status.is_live()),
    })
}

#[derive(Debug, Deserialize)]
pub struct SubscribeForm {
    #[serde(default)]
    plan: String,
}

/// The user's Stripe customer, made once. A membership needs one: Stripe bills the customer.
pub(super) async fn customer_of(
    pool: &DbPool,
    payments: &Payments,
    user_id: i64,
) -> Result<String, AppError> {
    let user = {
        let mut conn = pool.get().await?;
        accounts::db::by_id(&mut conn, user_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    if let Some(customer) = user.stripe_customer_id {
        return Ok(customer);
    }
    let customer = payments.create_customer(user.id, &user.email).await?;
    let mut conn = pool.get().await?;
    accounts::db::set_stripe_customer(&mut conn, user.id, &customer).await?;
    Ok(customer)
}

#[tracing::instrument(skip_all)]
pub async fn subscribe(
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    prices: web::Data<PlanPrices>,
    settings: web::Data<Settings>,
    CsrfForm(form): CsrfForm<SubscribeForm>,
) -> Result<HttpResponse, AppError> {
    let user = session.user().ok_or_else(|| AppError::SignInRequired {
        next: "/club".into(),
    })?;
    let plan: Plan = form
        .plan
        .parse()
        .map_err(|_| AppError::bad_request("Choose the monthly or the yearly plan."))?;
    let with_trial = {
        let mut conn = pool.get().await?;
        if db::of_user(&mut conn, user.id)
            .await?
            .is_some_and(|m| m.status.is_live())
        {
            session.flash(
                FlashKind::Info,
                "You are a member already: manage your membership here.",
            );
            return Ok(see_other("/account/club"));
        }
        !db::ever_had(&mut conn, user.id).await?
    };
    let customer = customer_of(&pool, &payments, user.id).await?;
    let price = prices.price_id(&payments, plan).await?;
    let checkout = payments
        .create_membership_checkout(&NewMembershipCheckout {
            user_id: user.id,
            customer: &customer,
            price: &price,
            plan: plan.as_str(),
            trial_days: with_trial.then_some(TRIAL_DAYS),
            success_url: format!(
                "{}/club/welcome?session_id={{CHECKOUT_SESSION_ID}}",
                settings.base_url
            ),
            cancel_url: format!("{}/club", settings.base_url),
        })
        .await?;
    let earlier = {
        let mut conn = pool.get().await?;
        db::record_checkout(&mut conn, checkout.id.as_str(), user.id).await?;
        db::open_checkouts_of(&mut conn, user.id).await?
    };
    if let Some(paid) = close_earlier_checkouts(&payments, checkout.id.as_str(), &earlier).await? {
        // Paid in another window meanwhile: this user is a member, and this page must not
        // start a second membership.
        payments
            .expire_checkout_session_unless_paid(checkout.id.as_str())
            .await?;
        super::reconcile::look_at_checkout(&pool, &payments, &paid)
            .await
            .map_err(AppError::Unexpected)?;
        let mut conn = pool.get().await?;
        db::schedule_checkout(&mut conn, &paid, None).await?;
        session.flash(
            FlashKind::Info,
            "You are a member already: manage your membership here.",
        );
        return Ok(see_other("/account/club"));
    }
    let url = checkout.url.ok_or_else(|| {
        AppError::Unexpected(anyhow::anyhow!(
            "Stripe gave the membership checkout no URL"
        ))
    })?;
    tracing::info!(user = user.id, plan = plan.as_str(), session = %checkout.id, "membership checkout opened");
    Ok(see_other(url))
}

/// One payable membership page per user: every page opened earlier (another window, the other
/// plan) is expired on Stripe before this one is handed out, so two windows can never start two
/// memberships. Whichever request reads the list last expires all the others, so at most one
/// page stays open however requests interleave. Returns an earlier session Stripe reports as
/// already complete (the user paid there), if any.
async fn close_earlier_checkouts(
    payments: &Payments,
    current: &str,
    open: &[String],
) -> Result<Option<String>, AppError> {
    use stripe_shared::CheckoutSessionStatus;
    let mut paid = None;
    for id in open.iter().filter(|id| id.as_str() != current) {
        let session = payments.expire_checkout_session_unless_paid(id).await?;
        if session.status == Some(CheckoutSessionStatus::Complete) {
            paid = Some(id.clone());
        }
    }
    Ok(paid)
}

#[derive(Debug, Deserialize)]
pub struct WelcomeQuery {
    session_id: Option<String>,
}

/// Stripe sends the member here after Checkout. The session is read from Stripe and must be
/// this user's; its subscription is applied at once, so the account page shows it even before
/// the webhook lands.
#[tracing::instrument(skip_all)]
pub async fn welcome(
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    query: web::Query<WelcomeQuery>,
) -> Result<HttpResponse, AppError> {
    let user = session.user().ok_or_else(|| AppError::SignInRequired {
        next: "/account/club".into(),
    })?;
    let session_id = query.session_id.as_deref().ok_or(AppError::NotFound)?;
    let customer = {
        let mut conn = pool.get().await?;
        accounts::db::by_id(&mut conn, user.id)
            .await?
            .and_then(|u| u.stripe_customer_id)
    };
    let checkout = match payments.retrieve_checkout_session(session_id).await {
        Ok(checkout) => checkout,
        Err(e) if e.is_missing() => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let theirs = checkout
        .customer
        .as_ref()
        .map(|c| c.id().as_str().to_owned());
    if customer.is_none() || theirs != customer {
        return Err(AppError::NotFound);
    }
    let Some(subscription) = &checkout.subscription else {
        session.flash(
            FlashKind::Error,
            "Your membership has not started: Stripe has no payment details yet.",
        );
        return Ok(see_other("/club"));
    };
    let subscription = payments
        .retrieve_subscription(subscription.id().as_str())
        .await?;
    let said = with_latest_invoice(&payments, &subscription).await?;
    super::apply(&pool, &payments, &said, Cause::ReturnPage).await?;
    {
        let mut conn = pool.get().await?;
        db::schedule_checkout(&mut conn, checkout.id.as_str(), None).await?;
    }
    session.flash(
        FlashKind::Info,
        "Welcome to Storefront Club: standard shipping is free on your orders.",
    );
    Ok(see_other("/account/club"))
}
