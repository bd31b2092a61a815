//! Giving an unpaid order up ([`give_up`]: its PaymentIntent cancelled unless it was paid, its
//! stock released), the shopper's cancel button, and the cancelled page.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use uuid::Uuid;

use super::order::load_order;
use crate::csrf::{CsrfForm, NoFields};
use crate::db::DbPool;
use crate::domain::PaymentStatus;
use crate::error::AppError;
use crate::orders::{Order, require_owner};
use crate::page::PageContext;
use crate::page::see_other;
use crate::payments::sessions::observe_session;
use crate::payments::stripe::{IntentSnapshot, Payments};
use crate::payments::transition::{self, Applied, Cause, Observation};
use crate::session::{FlashKind, ShopSession};

/// Gives up an unpaid order: its PaymentIntent is cancelled at Stripe first (or, paid on
/// Stripe's hosted page, its Checkout Session expired), then the order is
/// cancelled and its stock released. If Stripe says the intent already succeeded, the order
/// becomes paid instead: money that arrived is never cancelled.
pub async fn give_up(
    pool: &DbPool,
    payments: &Payments,
    order: &Order,
    cause: Cause<'_>,
    reason: &'static str,
) -> Result<Option<Applied>, AppError> {
    if let Some(session) = &order.checkout_session_id {
        // Stripe's page owns its intent: the session is expired (which cancels the intent),
        // unless its payment completed meanwhile.
        let observation = match payments.expire_checkout_session_unless_paid(session).await {
            Ok(session) => observe_session(payments, &session).await?,
            Err(e) if e.is_missing() => Some(Observation::Cancelled { reason }),
            Err(e) => return Err(e.into()),
        };
        let Some(observation) = observation else {
            return Ok(None);
        };
        return Ok(transition::apply(pool, order.id, &observation, cause).await?);
    }
    let observation = match &order.payment_intent_id {
        Some(intent_id) => match payments.cancel_unless_paid(intent_id).await {
            Ok(intent) => Observation::Intent(IntentSnapshot::from(&intent)),
            // Stripe does not know the intent (the keys changed, test data was deleted):
            // nothing can be paid through it, and nothing is left to cancel there.
            Err(e) if e.is_missing() => Observation::Cancelled { reason },
            Err(e) => return Err(e.into()),
        },
        None => Observation::Cancelled { reason },
    };
    Ok(transition::apply(pool, order.id, &observation, cause).await?)
}

#[tracing::instrument(skip(session, pool, payments, req, _form))]
pub async fn cancel_order(
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    CsrfForm(_form): CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let order = load_order(&mut *pool.get().await?, *id).await?;
    require_owner(&order, &session, req.path())?;
    let status = order.status();
    if status.awaits_payment() {
        give_up(
            &pool,
            &payments,
            &order,
            Cause::Shopper,
            "cancelled by the shopper",
        )
        .await?;
    }
    let order = load_order(&mut *pool.get().await?, order.id).await?;
    let location = match order.status() {
        PaymentStatus::Cancelled => format!("/orders/{}/cancelled", order.id),
        status if status.was_paid() => {
            session.flash(
                FlashKind::Info,
                "This order is already paid, so it was not cancelled.",
            );
            format!("/orders/{}/thanks", order.id)
        }
        _ => format!("/orders/{}/pay", order.id),
    };
    Ok(see_other(location))
}

#[derive(Template, WebTemplate)]
#[template(path = "checkout/cancelled.html")]
pub struct CancelledPage {
    ctx: PageContext,
    order: Order,
}

#[tracing::instrument(skip(ctx, session, pool, req))]
pub async fn cancelled_page(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<CancelledPage, AppError> {
    let order = load_order(&mut *pool.get().await?, *id).await?;
    require_owner(&order, &session, req.path())?;
    if order.status() != PaymentStatus::Cancelled {
        return Err(AppError::NotFound);
    }
    Ok(CancelledPage { ctx, order })
}
