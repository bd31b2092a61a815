//! The order's PaymentIntent. An order has one: retrieved when the order stores it; otherwise
//! adopted when Stripe already holds one made for the order (a create whose answer never
//! reached the shop: a crash, a lost connection), or created — under the idempotency key of the
//! order's current attempt, so retries make one intent.

use stripe_shared::{PaymentIntent, PaymentIntentStatus};
use time::OffsetDateTime;

use crate::accounts;
use crate::checkout::cancel::give_up;
use crate::db::DbPool;
use crate::error::AppError;
use crate::orders::db::{self as orders_db, Order};
use crate::payments::stripe::{GatewayError, NewIntent, Payments, ShipTo};
use crate::payments::transition::Cause;

/// Stripe keeps an idempotency key's answer for at least 24 hours; past this age a key may
/// have been forgotten, so an order that old is looked up before its key is used again.
const KEYS_KEPT: time::Duration = time::Duration::hours(23);

pub async fn ensure_intent(
    pool: &DbPool,
    payments: &Payments,
    order: &Order,
) -> Result<PaymentIntent, AppError> {
    if let Some(id) = &order.payment_intent_id {
        return match payments.retrieve_intent(id).await {
            Ok(intent) => Ok(intent),
            Err(e) if e.is_missing() => Err(unpayable(pool, payments, order).await),
            Err(e) => Err(e.into()),
        };
    }
    // A new attempt (its key) follows an error Stripe answered, which may have come after the
    // intent was made: look for it first.
    let key_may_be_forgotten = order.created_at < OffsetDateTime::now_utc() - KEYS_KEPT;
    if (order.intent_attempt > 0 || key_may_be_forgotten)
        && let Some(found) = payments
            .intent_made_for(order.id, order.total_minor, order.currency)
            .await?
    {
        return adopt(pool, payments, order, found).await;
    }
    let customer = match order.user_id {
        Some(user_id) => customer_of(pool, payments, user_id).await?,
        None => None,
    };
    let new = NewIntent {
        order_id: order.id,
        order_number: order.number,
        amount: order.total_minor,
        currency: order.currency,
        receipt_email: &order.email,
        customer: customer.as_deref(),
        shipping: ship_to(order),
        attempt: order.intent_attempt,
    };
    match payments.create_intent(&new).await {
        Ok(intent) => adopt(pool, payments, order, intent).await,
        Err(e) => {
            if e.answered() {
                // Stripe replays this answer for the key, so the next try takes the next key.
                let mut conn = pool.get().await?;
                orders_db::next_intent_attempt(&mut conn, order.id, order.intent_attempt).await?;
            }
            match Refusal::of(&e) {
                Some(refusal) => Err(release(pool, payments, order, refusal).await),
                None => Err(e.into()),
            }
        }
    }
}

/// Why Stripe will never take a payment for this order as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    AmountTooLarge,
    AmountTooSmall,
    Email,
}

impl Refusal {
    fn of(e: &GatewayError) -> Option<Self> {
        let GatewayError::Refused { code, .. } = e else {
            return None;
        };
        match code.as_str() {
            "amount_too_large" => Some(Self::AmountTooLarge),
            "amount_too_small" => Some(Self::AmountTooSmall),
            "email_invalid" => Some(Self::Email),
            _ => None,
        }
    }
}

/// Stripe refused the payment for good: holding the stock until the reservation ends would
/// only keep it from other shoppers. The order is cancelled and its stock released at once;
/// the cart keeps its items and the shopper reads what to change.
async fn release(pool: &DbPool, payments: &Payments, order: &Order, refusal: Refusal) -> AppError {
    let (reason, message) = match refusal {
        Refusal::AmountTooLarge => (
            "Stripe refused the amount: above its largest payment",
            format!(
                "Stripe cannot take a payment of {} in one go: that is more than its largest \
                 payment. Lower the quantities in your cart and check out again.",
                order.total()
            ),
        ),
        Refusal::AmountTooSmall => (
            "Stripe refused the amount: below its smallest payment",
            format!(
                "Stripe cannot take a payment as small as {}. Add to your cart and check out again.",
                order.total()
            ),
        ),
        Refusal::Email => (
            "Stripe refused the email address",
            format!(
                "Stripe does not accept the email address {}. Check it and check out again.",
                order.email
            ),
        ),
    };
    tracing::info!(order = %order.id, reason, "Stripe refused the order's payment for good");
    if let Err(e) = give_up(pool, payments, order, Cause::Checkout, reason).await {
        return e;
    }
    AppError::conflict(format!(
        "{message} Nothing was charged, and the items were put back."
    ))
}

/// Stripe does not know the order's intent (the keys changed, test data was deleted): the
/// order can never be paid, so its stock goes back now rather than when its reservation ends.
async fn unpayable(pool: &DbPool, payments: &Payments, order: &Order) -> AppError {
    tracing::warn!(order = %order.id, "the order's PaymentIntent cannot be found at Stripe");
    if let Err(e) = give_up(
        pool,
        payments,
        order,
        Cause::Checkout,
        "its PaymentIntent cannot be found at Stripe",
    )
    .await
    {
        return e;
    }
    AppError::conflict(
        "This order can no longer be paid: Stripe no longer knows its payment. It was \
         cancelled and its items were put back; your cart still holds them, so you can check \
         out again.",
    )
}

/// Stores the intent as the order's. If the order got another one meanwhile (a concurrent
/// request or a webhook adopted it first), that one stays the order's and this one is cancelled:
/// its client secret was never shown to anyone, so nobody could have paid it.
async fn adopt(
    pool: &DbPool,
    payments: &Payments,
    order: &Order,
    intent: PaymentIntent,
) -> Result<PaymentIntent, AppError> {
    let stored = {
        let mut conn = pool.get().await?;
        if orders_db::attach_payment_intent(&mut conn, order.id, intent.id.as_str()).await? {
            return Ok(intent);
        }
        orders_db::find(&mut conn, order.id)
            .await?
            .and_then(|o| o.payment_intent_id)
    };
    match stored {
        Some(id) if id != intent.id.as_str() => {
            if intent.status != PaymentIntentStatus::Succeeded
                && let Err(e) = payments.cancel_intent(intent.id.as_str()).await
            {
                tracing::warn!(order = %order.id, intent = %intent.id, error = %e, "could not cancel a second intent of an order; the reconciler will");
            }
            Ok(payments.retrieve_intent(&id).await?)
        }
        _ => Ok(intent),
    }
}

/// The user's Stripe Customer, created once and remembered. A customer is a convenience (the
/// payments of an account grouped in the Dashboard): if Stripe refuses or fails to make one,
/// the payment goes ahead without it.
async fn customer_of(
    pool: &DbPool,
    payments: &Payments,
    user_id: i64,
) -> Result<Option<String>, AppError> {
    let user = {
        let mut conn = pool.get().await?;
        accounts::db::by_id(&mut conn, user_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    if let Some(customer) = user.stripe_customer_id {
        return Ok(Some(customer));
    }
    let customer = match payments.create_customer(user.id, &user.email).await {
        Ok(customer) => customer,
        Err(e) if e.answered() => {
            tracing::warn!(user = user.id, error = %e, "no Stripe customer for this payment");
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    let mut conn = pool.get().await?;
    accounts::db::set_stripe_customer(&mut conn, user.id, &customer).await?;
    Ok(Some(customer))
}

/// The order's shipping address as Stripe's `shipping` takes it (used by Stripe Radar and
/// shown in the Dashboard); orders placed before shipping existed have none.
fn ship_to(order: &Order) -> Option<ShipTo<'_>> {
    Some(ShipTo {
        name: order.ship_name.as_deref()?,
        line1: order.ship_line1.as_deref()?,
        line2: order.ship_line2.as_deref(),
        city: order.ship_city.as_deref()?,
        postal_code: order.ship_postal_code.as_deref()?,
        country: order.ship_country.as_deref()?,
    })
}
