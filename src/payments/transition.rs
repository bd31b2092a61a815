//! The one place where an order's payment status changes. The return page, the reconciler, the
//! shopper's cancel and checkout call [`apply`], which runs its own transaction; the stored
//! Stripe events call [`apply_in`] inside theirs (the event is marked processed in the same
//! one). Either locks the order row, so two of them racing agree.

use diesel::QueryResult;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use time::OffsetDateTime;
use uuid::Uuid;

use super::stripe::{DisputeSnapshot, IntentSnapshot, RefundSnapshot};
use super::{disputes, notices, refunds};
use crate::db::{DbError, DbPool};
use crate::discounts;
use crate::domain::{DisputeStatus, EventCause, Money, PaymentStatus, Transition};
use crate::orders::db::{self as orders_db, NewOrderEvent, Order};
use crate::{cart, stock};

/// Something that happened to an order's payment.
#[derive(Debug, Clone)]
pub enum Observation {
    /// The PaymentIntent as Stripe reports it (webhook, retrieve, confirm).
    Intent(IntentSnapshot),
    /// A PaymentIntent was made for the order (`payment_intent.created`): an order without one
    /// adopts it; its status comes with its own events.
    IntentMade(IntentSnapshot),
    /// Refunds of the order's payment as Stripe reports them: one (a `refund.*` event) or all
    /// of them (`complete`: Stripe's list, read on `charge.refunded` or by the reconciler).
    Refunds {
        payment_intent: String,
        refunds: Vec<RefundSnapshot>,
        complete: bool,
    },
    /// Disputes of the order's payment as Stripe reports them: one (a `charge.dispute.*`
    /// event) or all of them (Stripe's list, read by the reconciler).
    Disputes {
        payment_intent: String,
        disputes: Vec<DisputeSnapshot>,
    },
    /// The PaymentIntent was cancelled (or there was none) and the order is given up: by the
    /// shopper, or because its reservation expired.
    Cancelled { reason: &'static str },
    /// The order's Checkout Session expired before Stripe made its PaymentIntent: nothing can
    /// be paid through it, and the order is given up.
    SessionExpired { session_id: String },
}

/// Who or what reported the observation; recorded on the order's timeline.
#[derive(Debug, Clone, Copy)]
pub enum Cause<'a> {
    Checkout,
    Webhook { event_id: &'a str },
    Return,
    Reconciler,
    Shopper,
    Admin,
}

impl Cause<'_> {
    fn kind(&self) -> EventCause {
        match self {
            Self::Checkout => EventCause::Checkout,
            Self::Webhook { .. } => EventCause::Webhook,
            Self::Return => EventCause::Return,
            Self::Reconciler => EventCause::Reconciler,
            Self::Shopper => EventCause::Shopper,
            Self::Admin => EventCause::Admin,
        }
    }

    fn event_id(&self) -> Option<&str> {
        match self {
            Self::Webhook { event_id } => Some(event_id),
            _ => None,
        }
    }
}

/// What [`apply`] did.
#[derive(Debug, Clone)]
pub struct Applied {
    pub from: PaymentStatus,
    pub to: PaymentStatus,
    /// The order changed: its status, its amounts, its refunds or its intent.
    pub changed: bool,
    /// Why an observation was refused or ignored, for logs and the admin timeline.
    pub note: Option<String>,
    /// The order as the transition left it.
    pub order: Order,
}

impl Applied {
    pub fn changed(&self) -> bool {
        self.changed
    }
}

/// Applies an observation to an order in a transaction of its own (see [`apply_in`]); `None`
/// when there is no such order.
pub async fn apply(
    pool: &DbPool,
    order_id: Uuid,
    observation: &Observation,
    cause: Cause<'_>,
) -> Result<Option<Applied>, DbError> {
    let mut conn = pool.get().await?;
    let applied = conn
        .transaction::<_, diesel::result::Error, _>(|conn| {
            async move { apply_in(conn, order_id, observation, cause).await }.scope_boxed()
        })
        .await?;
    if let Some(applied) = &applied {
        crate::metrics::order_transition(applied.from, applied.to, cause.kind().as_str());
    }
    Ok(applied)
}

/// Applies an observation to an order. Call it inside a transaction: it locks the order row,
/// checks the move against the state machine (and, before `paid`, that the intent's amount,
/// currency and `metadata.order_id` match the order), updates the order and its side effects
/// (stock released on cancel, cart emptied on payment, refunds and disputes recorded), writes
/// the shopper's email about it to the outbox (`notices`), and records the change — or the
/// refusal — on the order's timeline. A paid order then settles to
/// what its disputes and refunds say, whichever observation came first: a refund reported
/// before the payment is kept and counted once the payment is confirmed.
pub async fn apply_in(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    observation: &Observation,
    cause: Cause<'_>,
) -> QueryResult<Option<Applied>> {
    let Some(order) = orders_db::find_for_update(conn, order_id).await? else {
        return Ok(None);
    };
    apply_locked(conn, order, observation, cause).await
}

/// [`apply_in`] for an order the transaction has already locked (`FOR UPDATE`) and read.
pub async fn apply_locked(
    conn: &mut AsyncPgConnection,
    mut order: Order,
    observation: &Observation,
    cause: Cause<'_>,
) -> QueryResult<Option<Applied>> {
    let from = order.status();
    let mut changed = false;
    if let Observation::Intent(intent) | Observation::IntentMade(intent) = observation {
        changed |= adopt(conn, &mut order, intent, cause).await?;
    }
    let note = match observation {
        Observation::IntentMade(_) => None,
        Observation::Intent(_)
        | Observation::Cancelled { .. }
        | Observation::SessionExpired { .. } => {
            let (moved, note) = step(conn, &order, observation, cause).await?;
            changed |= moved;
            note
        }
        Observation::Refunds {
            payment_intent,
            refunds,
            complete,
        } => {
            if order.payment_intent_id.as_deref() == Some(payment_intent.as_str()) {
                changed |= refunds::record(conn, order.id, refunds, *complete).await?;
                None
            } else {
                let note = format!("refunds of intent {payment_intent}, not this order's");
                record(conn, &order, from, false, cause, Some(&note)).await?;
                Some(note)
            }
        }
        Observation::Disputes {
            payment_intent,
            disputes,
        } => {
            if order.payment_intent_id.as_deref() == Some(payment_intent.as_str()) {
                changed |= disputes::record(conn, order.id, disputes).await?;
                None
            } else {
                let note = format!("disputes of intent {payment_intent}, not this order's");
                record(conn, &order, from, false, cause, Some(&note)).await?;
                Some(note)
            }
        }
    };
    // An intent that changed nothing (a repeated event, a refused one) leaves the order as it
    // was read, settled as it was: it is not read or settled again. A repeated failure may
    // still have updated the shopper's message.
    let unchanged_intent = !changed
        && match observation {
            Observation::Intent(intent) => intent.error.is_none(),
            Observation::IntentMade(_) => true,
            _ => false,
        };
    if unchanged_intent {
        return Ok(Some(Applied {
            from,
            to: order.status(),
            changed,
            note,
            order,
        }));
    }
    let Some(order) = orders_db::find(conn, order.id).await? else {
        return Ok(None);
    };
    let settled = order.status().was_paid() && settle(conn, &order, cause).await?;
    changed |= settled;
    let order = if settled {
        orders_db::find(conn, order.id).await?.unwrap_or(order)
    } else {
        order
    };
    Ok(Some(Applied {
        from,
        to: order.status(),
        changed,
        note,
        order,
    }))
}

/// Moves the order as an intent or a cancellation says; `true` when it moved.
async fn step(
    conn: &mut AsyncPgConnection,
    order: &Order,
    observation: &Observation,
    cause: Cause<'_>,
) -> QueryResult<(bool, Option<String>)> {
    let from = order.status();
    let decision = decide(order, observation);
    let to = decision.to;
    let transition = match decision.refusal {
        Some(_) => Transition::Refused,
        // A paid order's payment is settled: what changes it now are refunds and disputes.
        None if from.was_paid() && to == PaymentStatus::Paid => Transition::Unchanged,
        None => from.transition_to(to),
    };
    let note = decision.refusal.clone().or_else(|| match transition {
        Transition::Refused => Some(format!("{} cannot follow {}", to.as_str(), from.as_str())),
        _ => None,
    });

    match transition {
        Transition::Apply => {
            update_order(conn, order, to, observation).await?;
            watch_again(conn, order, to).await?;
            if to == PaymentStatus::Cancelled {
                // The stock history says who cancelled it and why.
                let why = match observation {
                    Observation::Cancelled { reason } => reason,
                    Observation::SessionExpired { .. } => "the Checkout Session expired",
                    _ => "the payment was cancelled",
                };
                let note = format!("{}: {why}", cause.kind().as_str());
                // Cancelled is final, so an unpaid order gives its code's use back once. The
                // code's row is locked before the products' rows, as checkout locks them.
                if let Some(code) = &order.discount_code {
                    discounts::db::release(conn, code).await?;
                }
                stock::release(conn, order.id, &note).await?;
            }
            if to == PaymentStatus::Paid {
                empty_cart_of_order(conn, order).await?;
            }
            // The shopper's email about it, once, in this transaction.
            notices::status_changed(conn, order, to, decision.detail.as_deref()).await?;
        }
        Transition::Unchanged => {
            // A repeated failure still updates the message the shopper sees.
            if let (PaymentStatus::Failed, Observation::Intent(intent)) = (to, observation)
                && intent.error.is_some()
                && intent.error != order.last_payment_error
            {
                orders_db::set_last_payment_error(conn, order.id, intent.error.as_deref()).await?;
            }
        }
        Transition::Refused => {}
    }

    if transition != Transition::Unchanged {
        record(
            conn,
            order,
            to,
            transition == Transition::Apply,
            cause,
            note.as_deref().or(decision.detail.as_deref()),
        )
        .await?;
    }
    if transition == Transition::Refused {
        tracing::warn!(
            order = %order.id, from = from.as_str(), to = to.as_str(),
            cause = cause.kind().as_str(), note = note.as_deref().unwrap_or_default(),
            "refused a payment status change"
        );
    } else if transition == Transition::Apply {
        tracing::info!(
            order = %order.id, from = from.as_str(), to = to.as_str(),
            cause = cause.kind().as_str(), "payment status changed"
        );
    }
    Ok((transition == Transition::Apply, note))
}

/// Brings a paid order's status and refunded amount in line with its disputes and refunds: an
/// open dispute makes it disputed (the amount at stake), a lost one dispute_lost; otherwise it
/// is paid, partially refunded or refunded as its refunds say (back to paid when a refund
/// failed, back where it was when a dispute was won). `true` when the order changed.
async fn settle(
    conn: &mut AsyncPgConnection,
    order: &Order,
    cause: Cause<'_>,
) -> QueryResult<bool> {
    let refunded = refunds::counted_total(conn, order.id).await?;
    let disputes = disputes::of_order(conn, order.id).await?;
    let from = order.status();
    let paid = order.amount_paid_minor.max(order.total_minor);
    let open: Vec<_> = disputes.iter().filter(|d| d.status.is_open()).collect();
    let lost: Vec<_> = disputes
        .iter()
        .filter(|d| d.status == DisputeStatus::Lost)
        .collect();
    let to = if !open.is_empty() {
        PaymentStatus::Disputed
    } else if !lost.is_empty() {
        PaymentStatus::DisputeLost
    } else {
        match refunded {
            0 => PaymentStatus::Paid,
            r if r >= paid => PaymentStatus::Refunded,
            _ => PaymentStatus::PartiallyRefunded,
        }
    };
    if to == from && refunded == order.amount_refunded_minor {
        return Ok(false);
    }
    let allowed = to == from || from.transition_to(to) == Transition::Apply;
    let money = |minor: i64| Money::new(minor, order.total().currency);
    let note = match to {
        PaymentStatus::Disputed if from != to => {
            let at_stake: i64 = open.iter().map(|d| d.amount_minor).sum();
            let reasons: Vec<&str> = open.iter().map(|d| d.reason.as_str()).collect();
            format!(
                "disputed by the cardholder's bank: {} at stake ({})",
                money(at_stake),
                reasons.join(", ")
            )
        }
        PaymentStatus::DisputeLost => {
            let taken: i64 = lost.iter().map(|d| d.amount_minor).sum();
            format!("dispute lost: the bank took back {}", money(taken))
        }
        _ if from == PaymentStatus::Disputed => {
            let closed: Vec<&str> = disputes.iter().map(|d| d.status.label()).collect();
            format!("dispute closed ({})", closed.join(", "))
        }
        _ if refunded < order.amount_refunded_minor => format!(
            "a refund failed at Stripe: {} refunded in total",
            money(refunded)
        ),
        _ => format!("refunded {} in total", money(refunded)),
    };
    if !allowed {
        let note = format!("{note}; {} cannot follow {}", to.as_str(), from.as_str());
        record(conn, order, to, false, cause, Some(&note)).await?;
        return Ok(false);
    }
    orders_db::settle(conn, order.id, to, refunded).await?;
    watch_again(conn, order, to).await?;
    if refunded > order.amount_refunded_minor {
        notices::refunded(conn, order, order.amount_refunded_minor, refunded).await?;
    }
    record(conn, order, to, true, cause, Some(&note)).await?;
    tracing::info!(
        order = %order.id, from = from.as_str(), to = to.as_str(), refunded,
        cause = cause.kind().as_str(), "refunds and disputes settled"
    );
    Ok(true)
}

/// An order that changed is due for the reconciler again, from the start of its backoff; a
/// cancelled one is not watched any more. A payment's confirmation time starts the watch for
/// refunds and disputes.
async fn watch_again(
    conn: &mut AsyncPgConnection,
    order: &Order,
    to: PaymentStatus,
) -> QueryResult<()> {
    let next = (to != PaymentStatus::Cancelled).then(OffsetDateTime::now_utc);
    let paid_at = match (order.paid_at, to) {
        (None, PaymentStatus::Paid) => Some(OffsetDateTime::now_utc()),
        (paid_at, _) => paid_at,
    };
    orders_db::watch_from(conn, order.id, next, paid_at).await
}

/// Puts a change (or a refusal) of the order on its timeline.
async fn record(
    conn: &mut AsyncPgConnection,
    order: &Order,
    to: PaymentStatus,
    applied: bool,
    cause: Cause<'_>,
    note: Option<&str>,
) -> QueryResult<()> {
    orders_db::record_event(
        conn,
        &NewOrderEvent {
            order_id: order.id,
            from_status: Some(order.status()),
            to_status: to,
            applied,
            cause: cause.kind(),
            stripe_event_id: cause.event_id(),
            note,
        },
    )
    .await
}

/// An order without a PaymentIntent takes the one Stripe reports for it: made for this order
/// (`metadata.order_id`), for its amount and currency. That is how an intent whose create
/// answer never reached checkout (a crash, a lost connection) becomes the order's.
async fn adopt(
    conn: &mut AsyncPgConnection,
    order: &mut Order,
    intent: &IntentSnapshot,
    cause: Cause<'_>,
) -> QueryResult<bool> {
    if order.payment_intent_id.is_some() || mismatch(order, intent).is_some() {
        return Ok(false);
    }
    if !orders_db::attach_payment_intent(conn, order.id, &intent.id).await? {
        return Ok(false);
    }
    let note = format!("adopted PaymentIntent {}, made for this order", intent.id);
    record(conn, order, order.status(), true, cause, Some(&note)).await?;
    tracing::info!(order = %order.id, intent = %intent.id, "adopted a PaymentIntent");
    order.payment_intent_id = Some(intent.id.clone());
    Ok(true)
}

struct Decision {
    to: PaymentStatus,
    /// Set when the observation must not be applied whatever the machine says.
    refusal: Option<String>,
    /// Extra words for the timeline (the shopper-facing error, a refund amount).
    detail: Option<String>,
}

fn decide(order: &Order, observation: &Observation) -> Decision {
    match observation {
        Observation::Intent(intent) => {
            let Some(to) = intent.order_status() else {
                return Decision {
                    to: order.status(),
                    refusal: Some(format!(
                        "intent status {} is not used by the shop",
                        intent.status.as_str()
                    )),
                    detail: None,
                };
            };
            let refusal = if to == PaymentStatus::Paid || order.payment_intent_id.is_none() {
                mismatch(order, intent)
            } else if order
                .payment_intent_id
                .as_deref()
                .is_some_and(|id| id != intent.id)
            {
                Some(format!("intent {} is not this order's intent", intent.id))
            } else {
                None
            };
            Decision {
                to,
                refusal,
                detail: intent.error.clone(),
            }
        }
        // Refunds and disputes are recorded, then settled; a made intent is only adopted: none
        // of them comes here.
        Observation::Refunds { .. } | Observation::Disputes { .. } | Observation::IntentMade(_) => {
            Decision {
                to: order.status(),
                refusal: None,
                detail: None,
            }
        }
        Observation::Cancelled { reason } => Decision {
            to: PaymentStatus::Cancelled,
            refusal: None,
            detail: Some((*reason).to_owned()),
        },
        Observation::SessionExpired { session_id } => Decision {
            to: PaymentStatus::Cancelled,
            refusal: (order.checkout_session_id.as_deref() != Some(session_id.as_str()))
                .then(|| format!("Checkout Session {session_id} is not this order's")),
            detail: Some("its Checkout Session expired before payment".to_owned()),
        },
    }
}

/// Why a succeeded intent must not make this order paid, if it must not.
fn mismatch(order: &Order, intent: &IntentSnapshot) -> Option<String> {
    let order_id = order.id.to_string();
    if intent.order_id.as_deref() != Some(order_id.as_str()) {
        return Some(format!(
            "intent {} carries metadata order_id {:?}, not this order",
            intent.id, intent.order_id
        ));
    }
    if intent.amount != order.total_minor || intent.currency != order.currency.as_str() {
        return Some(format!(
            "amount mismatch: intent {} is {} {}, order is {} {}",
            intent.id, intent.amount, intent.currency, order.total_minor, order.currency
        ));
    }
    if let Some(id) = order.payment_intent_id.as_deref()
        && id != intent.id
    {
        return Some(format!(
            "intent {} is not this order's intent {id}",
            intent.id
        ));
    }
    None
}

async fn update_order(
    conn: &mut AsyncPgConnection,
    order: &Order,
    to: PaymentStatus,
    observation: &Observation,
) -> QueryResult<()> {
    match observation {
        Observation::Intent(intent) => {
            let error = if to == PaymentStatus::Failed {
                intent.error.as_deref()
            } else {
                None
            };
            let paid = if to == PaymentStatus::Paid {
                intent.amount_received
            } else {
                order.amount_paid_minor
            };
            orders_db::set_status(conn, order.id, to, error, paid).await
        }
        Observation::Refunds { .. } | Observation::Disputes { .. } | Observation::IntentMade(_) => {
            Ok(())
        }
        Observation::Cancelled { .. } | Observation::SessionExpired { .. } => {
            orders_db::set_cancelled(conn, order.id).await
        }
    }
}

/// Once an order is paid, what it bought leaves the cart it came from.
async fn empty_cart_of_order(conn: &mut AsyncPgConnection, order: &Order) -> QueryResult<()> {
    let Some(cart_id) = order.cart_id else {
        return Ok(());
    };
    let bought: Vec<stock::Shelf> = orders_db::items(conn, order.id)
        .await?
        .iter()
        .map(|item| stock::Shelf {
            product_id: item.product_id,
            variant_id: item.variant_id,
        })
        .collect();
    cart::db::remove_bought(conn, cart_id, &bought).await
}
