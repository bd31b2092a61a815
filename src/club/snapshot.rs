//! What the shop keeps of Stripe's Subscription and Invoice objects, read from them once.

use stripe_shared::{Invoice, Subscription};
use time::OffsetDateTime;

use super::plans::Plan;
use super::status::{InvoiceStatus, MembershipStatus};

fn at(unix: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(unix).ok()
}

/// A subscription as Stripe has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionSnapshot {
    pub id: String,
    pub customer: String,
    /// `metadata[club_user_id]`, set by the shop's Checkout Session.
    pub user_id: Option<i64>,
    pub status: MembershipStatus,
    pub plan: Plan,
    pub item_id: String,
    pub price_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub current_period_start: Option<OffsetDateTime>,
    pub current_period_end: Option<OffsetDateTime>,
    pub trial_end: Option<OffsetDateTime>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<OffsetDateTime>,
    pub ended_at: Option<OffsetDateTime>,
}

impl SubscriptionSnapshot {
    /// `None` for a subscription that is not a Storefront Club membership (not made by the
    /// shop's Checkout, which marks it with `metadata[club_user_id]`; another interval; a
    /// status this version does not know).
    pub fn from_stripe(subscription: &Subscription) -> Option<Self> {
        subscription.metadata.get("club_user_id")?;
        let item = subscription.items.data.first()?;
        let plan = Plan::of_price(&item.price)?;
        Some(Self {
            id: subscription.id.as_str().to_owned(),
            customer: subscription.customer.id().as_str().to_owned(),
            user_id: subscription
                .metadata
                .get("club_user_id")
                .and_then(|id| id.parse().ok()),
            status: MembershipStatus::from_stripe(&subscription.status)?,
            plan,
            item_id: item.id.as_str().to_owned(),
            price_id: item.price.id.as_str().to_owned(),
            amount_minor: item.price.unit_amount.unwrap_or(0),
            currency: item.price.currency.to_string(),
            current_period_start: at(item.current_period_start),
            current_period_end: at(item.current_period_end),
            trial_end: subscription.trial_end.and_then(at),
            cancel_at_period_end: subscription.cancel_at_period_end,
            canceled_at: subscription.canceled_at.and_then(at),
            ended_at: subscription.ended_at.and_then(at),
        })
    }
}

/// An invoice of a subscription as Stripe has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceSnapshot {
    pub id: String,
    pub subscription_id: String,
    pub number: Option<String>,
    pub status: InvoiceStatus,
    pub amount_due_minor: i64,
    pub amount_paid_minor: i64,
    pub currency: String,
    pub hosted_invoice_url: Option<String>,
    pub invoice_pdf: Option<String>,
    pub period_start: OffsetDateTime,
    pub period_end: OffsetDateTime,
    pub created: OffsetDateTime,
    /// Stripe's attempts to collect it so far (a failed renewal's notice names each).
    pub attempt_count: u64,
}

/// The subscription an invoice bills, where Stripe names it (`parent.subscription_details`
/// since the Basil API version).
pub fn subscription_of(invoice: &Invoice) -> Option<String> {
    invoice
        .parent
        .as_ref()
        .and_then(|p| p.subscription_details.as_ref())
        .map(|d| d.subscription.id().as_str().to_owned())
        .or_else(|| {
            invoice
                .subscription
                .as_ref()
                .map(|s| s.id().as_str().to_owned())
        })
}

impl InvoiceSnapshot {
    /// `None` for an invoice of no subscription, or with a status this version does not know.
    pub fn from_stripe(invoice: &Invoice) -> Option<Self> {
        Some(Self {
            id: invoice.id.as_ref()?.as_str().to_owned(),
            subscription_id: subscription_of(invoice)?,
            number: invoice.number.clone(),
            status: InvoiceStatus::from_stripe(invoice.status.as_ref()?)?,
            amount_due_minor: invoice.amount_due,
            amount_paid_minor: invoice.amount_paid,
            currency: invoice.currency.to_string(),
            hosted_invoice_url: invoice.hosted_invoice_url.clone(),
            invoice_pdf: invoice.invoice_pdf.clone(),
            period_start: at(invoice.period_start)?,
            period_end: at(invoice.period_end)?,
            created: at(invoice.created)?,
            attempt_count: invoice.attempt_count,
        })
    }
}
