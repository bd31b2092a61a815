//! Where checkout hands a placed order to Stripe's hosted page: the order's Checkout Session,
//! made once (under the order's idempotency key) and then reused.

use actix_web::{HttpRequest, HttpResponse, web};
use stripe_shared::{CheckoutSession, CheckoutSessionStatus};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::accounts;
use crate::checkout::order::load_order;
use crate::config::Settings;
use crate::db::DbPool;
use crate::error::AppError;
use crate::orders::db::{self as orders_db, Order, OrderItem};
use crate::orders::require_owner;
use crate::page::see_other;
use crate::payments::Payments;
use crate::payments::sessions::observe_session;
use crate::payments::stripe::NewCheckoutSession;
use crate::payments::transition::{self, Cause};
use crate::session::ShopSession;

/// Stripe's bounds on a session's `expires_at`: at least 30 minutes, at most 24 hours away
/// (a minute of margin each side for the time the request takes).
const SHORTEST_SESSION: time::Duration = time::Duration::minutes(31);
const LONGEST_SESSION: time::Duration = time::Duration::hours(23);

/// Sends the shopper to the order's Checkout Session, made now if the order has none. An order
/// whose Payment Element intent exists already goes on with it: an order is paid through one
/// intent, whichever way it was made.
pub async fn start(
    pool: &DbPool,
    payments: &Payments,
    settings: &Settings,
    order: &Order,
) -> Result<HttpResponse, AppError> {
    if order.checkout_session_id.is_none() && order.payment_intent_id.is_some() {
        return Ok(see_other(format!("/orders/{}/pay", order.id)));
    }
    let session = match &order.checkout_session_id {
        Some(id) => payments.retrieve_checkout_session(id).await?,
        None => create(pool, payments, settings, order).await?,
    };
    send_to(pool, payments, order, &session).await
}

/// `GET /orders/{id}/hosted`: back to Stripe's page for an order already placed (the payment
/// page of a hosted order comes here).
#[tracing::instrument(skip(session, pool, payments, settings, req))]
pub async fn continue_on_stripe(
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    settings: web::Data<Settings>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let order = load_order(&mut *pool.get().await?, *id).await?;
    require_owner(&order, &session, req.path())?;
    if order.status().was_paid() {
        return Ok(see_other(format!("/orders/{}/thanks", order.id)));
    }
    if !order.status().awaits_payment() {
        return Ok(see_other(format!("/orders/{}", order.id)));
    }
    start(&pool, &payments, &settings, &order).await
}

async fn create(
    pool: &DbPool,
    payments: &Payments,
    settings: &Settings,
    order: &Order,
) -> Result<CheckoutSession, AppError> {
    let now = OffsetDateTime::now_utc();
    let expires_at = order
        .reserved_until
        .max(now + SHORTEST_SESSION)
        .min(now + LONGEST_SESSION);
    let (items, customer) = {
        let mut conn = pool.get().await?;
        // The stock is held as long as Stripe's page takes the payment.
        orders_db::extend_reservation(&mut conn, order.id, expires_at).await?;
        let items = orders_db::items(&mut conn, order.id).await?;
        let customer = match order.user_id {
            Some(user) => accounts::db::by_id(&mut conn, user)
                .await?
                .and_then(|u| u.stripe_customer_id),
            None => None,
        };
        (items, customer)
    };
    let base = settings.base_url.trim_end_matches('/');
    let new = NewCheckoutSession {
        order_id: order.id,
        order_number: order.number,
        currency: order.currency,
        lines: session_lines(order, &items),
        email: &order.email,
        customer: customer.as_deref(),
        success_url: format!("{base}/checkout/hosted/return?session_id={{CHECKOUT_SESSION_ID}}"),
        cancel_url: format!("{base}/cart"),
        expires_at: expires_at.unix_timestamp(),
        attempt: order.intent_attempt,
    };
    let session = match payments.create_checkout_session(&new).await {
        Ok(session) => session,
        Err(e) => {
            if e.answered() {
                // Stripe replays this answer for the key, so the next try takes the next key.
                let mut conn = pool.get().await?;
                orders_db::next_intent_attempt(&mut conn, order.id, order.intent_attempt).await?;
            }
            return Err(e.into());
        }
    };
    let mut conn = pool.get().await?;
    if orders_db::attach_checkout_session(&mut conn, order.id, session.id.as_str()).await? {
        return Ok(session);
    }
    // Another request attached a session first (the same one: same key) or an intent.
    let order = load_order(&mut conn, order.id).await?;
    drop(conn);
    match order.checkout_session_id {
        Some(id) => Ok(payments.retrieve_checkout_session(&id).await?),
        None => Err(AppError::conflict(
            "This order is being paid on this site's own payment page. Please continue there.",
        )),
    }
}

/// Stripe's page while the session is open; otherwise what the session says of the order,
/// applied, and the order's page for it.
async fn send_to(
    pool: &DbPool,
    payments: &Payments,
    order: &Order,
    session: &CheckoutSession,
) -> Result<HttpResponse, AppError> {
    if session.status == Some(CheckoutSessionStatus::Open)
        && let Some(url) = &session.url
    {
        return Ok(see_other(url.clone()));
    }
    if let Some(observation) = observe_session(payments, session).await? {
        transition::apply(pool, order.id, &observation, Cause::Checkout).await?;
    }
    let order = load_order(&mut *pool.get().await?, order.id).await?;
    Ok(see_other(match order.status() {
        status if status.was_paid() => format!("/orders/{}/thanks", order.id),
        crate::domain::PaymentStatus::Cancelled => format!("/orders/{}/cancelled", order.id),
        _ => format!("/orders/{}", order.id),
    }))
}

/// The lines Stripe's page shows and charges: the order's items, then its shipping and tax as
/// lines of their own, so that they add up to the order's total. Stripe's lines cannot be
/// negative, so an order with a discount is one line for its total, its parts named.
fn session_lines(order: &Order, items: &[OrderItem]) -> Vec<(String, i64, u64)> {
    let adjustments = order.adjustments();
    if adjustments.iter().any(|a| a.amount.minor < 0) {
        let units: i32 = items.iter().map(|item| item.quantity).sum();
        let parts: Vec<String> =
            std::iter::once(format!("{units} item{}", if units == 1 { "" } else { "s" }))
                .chain(adjustments.iter().map(|a| a.label.clone()))
                .collect();
        return vec![(
            format!("Order #{}: {}", order.number, parts.join(", ")),
            order.total_minor,
            1,
        )];
    }
    items
        .iter()
        .map(|item| {
            (
                item.product_name.clone(),
                item.unit_price_minor,
                u64::try_from(item.quantity).unwrap_or(0),
            )
        })
        .chain(
            adjustments
                .into_iter()
                .filter(|a| a.amount.minor > 0)
                .map(|a| (a.label, a.amount.minor, 1)),
        )
        .collect()
}
