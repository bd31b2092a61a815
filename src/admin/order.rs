//! `GET /admin/orders/{id}`: items, customer, amounts, the PaymentIntent, the refund form, and
//! a timeline merging status changes, the Stripe events received, the refunds asked for and
//! the emails sent about it.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use time::OffsetDateTime;
use uuid::Uuid;

use super::db::{self, RefundRequest};
use super::format::format_time;
use crate::db::DbPool;
use crate::domain::Money;
use crate::error::AppError;
use crate::orders::db as orders_db;
use crate::orders::{Order, OrderItem};
use crate::outbox;
use crate::page::PageContext;
use crate::payments::disputes::DisputeRow;
use crate::payments::{Payments, disputes, events, refunds};

pub struct TimelineEntry {
    pub at: OffsetDateTime,
    /// `status`, `stripe` or `refund`: what kind of entry, for the reader and the stylesheet.
    pub kind: &'static str,
    pub title: String,
    pub detail: String,
}

impl TimelineEntry {
    pub fn when(&self) -> String {
        format_time(self.at)
    }
}

/// The refund form: a request key (a retry of an unanswered request keeps its key) and the
/// amount it offers.
pub struct RefundOffer {
    pub key: Uuid,
    pub amount: String,
    pub retrying: Option<Money>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/order.html")]
pub struct AdminOrderPage {
    ctx: PageContext,
    order: Order,
    items: Vec<OrderItem>,
    timeline: Vec<TimelineEntry>,
    remaining: Money,
    refund: Option<RefundOffer>,
    dashboard_link: Option<String>,
    disputes: Vec<DisputeRow>,
    at_stake: Money,
}

impl AdminOrderPage {
    pub fn money(&self, minor: &i64) -> Money {
        Money::new(*minor, self.order.total().currency)
    }
}

#[tracing::instrument(skip(ctx, pool, payments))]
pub async fn order_page(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    id: web::Path<Uuid>,
) -> Result<AdminOrderPage, AppError> {
    let mut conn = pool.get().await?;
    let order = orders_db::find(&mut conn, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let items = orders_db::items(&mut conn, order.id).await?;
    let events = orders_db::events(&mut conn, order.id).await?;
    let stripe_events = events::of_order(&mut conn, order.id).await?;
    let requests = db::refund_requests_of_order(&mut conn, order.id).await?;
    let unanswered = db::unanswered_refund_request(&mut conn, order.id).await?;

    let money = |minor: i64| Money::new(minor, order.total().currency);
    let mut timeline = Vec::new();
    for event in events {
        let change = match event.from_status {
            Some(from) => format!("{} → {}", from.label(), event.to_status.label()),
            None => event.to_status.label().to_owned(),
        };
        let title = if event.applied {
            change
        } else {
            format!("Refused: {change}")
        };
        let detail = [
            Some(format!("by {}", event.cause)),
            event.stripe_event_id,
            event.note,
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        timeline.push(TimelineEntry {
            at: event.created_at,
            kind: "status",
            title,
            detail,
        });
    }
    for event in stripe_events {
        let detail = [Some(event.id), Some(event.outcome.to_string()), event.error]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        timeline.push(TimelineEntry {
            at: event.received_at,
            kind: "stripe",
            title: format!("Stripe event {}", event.event_type),
            detail,
        });
    }
    for (request, admin) in requests {
        timeline.push(refund_entry(&request, admin, money(request.amount_minor)));
    }
    let disputes = disputes::of_order(&mut conn, order.id).await?;
    for dispute in &disputes {
        timeline.push(TimelineEntry {
            at: dispute.updated_at,
            kind: "dispute",
            title: format!(
                "Dispute of {}: {}",
                money(dispute.amount_minor),
                dispute.status.label()
            ),
            detail: format!("{} · reason: {}", dispute.id, dispute.reason),
        });
    }
    for refund in refunds::of_order(&mut conn, order.id).await? {
        let status = refund.status;
        let detail = [Some(refund.id.clone()), refund.failure_reason.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        timeline.push(TimelineEntry {
            at: refund.updated_at,
            kind: "refund",
            title: format!(
                "Stripe refund of {}: {}",
                money(refund.amount_minor),
                status.label()
            ),
            detail,
        });
    }
    for mail in outbox::db::of_order(&mut conn, order.id).await? {
        let detail = [
            Some(format!("to {}", mail.recipient)),
            Some(format!("attempts: {}", mail.attempts)),
            mail.last_error,
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        timeline.push(TimelineEntry {
            at: mail.created_at,
            kind: "email",
            title: format!("Email: {} ({})", mail.kind.label(), mail.status),
            detail,
        });
    }
    timeline.sort_by_key(|entry| entry.at);

    let remaining = money((order.amount_paid_minor - order.amount_refunded_minor).max(0));
    let refund = (order.status().was_paid()
        && order.payment_intent_id.is_some()
        && (remaining.minor > 0 || unanswered.is_some()))
    .then(|| match &unanswered {
        Some(request) => RefundOffer {
            key: request.key,
            amount: money(request.amount_minor).to_input(),
            retrying: Some(money(request.amount_minor)),
        },
        None => RefundOffer {
            key: Uuid::new_v4(),
            amount: remaining.to_input(),
            retrying: None,
        },
    });
    let dashboard_link = payments
        .dashboard_url
        .as_ref()
        .zip(order.payment_intent_id.as_ref())
        .map(|(base, intent)| format!("{base}/payments/{intent}"));
    let at_stake = money(
        disputes
            .iter()
            .filter(|d| d.status.is_open())
            .map(|d| d.amount_minor)
            .sum(),
    );
    Ok(AdminOrderPage {
        ctx,
        order,
        items,
        timeline,
        remaining,
        refund,
        dashboard_link,
        disputes,
        at_stake,
    })
}

fn refund_entry(request: &RefundRequest, admin: Option<String>, amount: Money) -> TimelineEntry {
    let restocked = (request.restock && request.status.accepted())
        .then(|| "items returned to stock".to_owned());
    let detail = [
        Some(request.status.label().to_owned()),
        request.stripe_refund_id.clone(),
        restocked,
        request.error.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    TimelineEntry {
        at: request.created_at,
        kind: "refund",
        title: format!(
            "Refund of {amount} asked by {}",
            admin.as_deref().unwrap_or("a former admin")
        ),
        detail,
    }
}
