//! The one place a membership changes: what Stripe says of a subscription or an invoice —
//! through a webhook, a page that asked Stripe, or the reconciler — is applied here, under a
//! row lock, with Stripe's one-way rules (an ended subscription never comes back; a paid or
//! void invoice never changes), and every change and refusal goes on the subscription's
//! timeline. The emails it decides are written to the outbox in the same transaction.

use diesel_async::AsyncPgConnection;
use time::OffsetDateTime;

use super::db::{self, Membership, NewMembershipEvent};
use super::snapshot::{InvoiceSnapshot, SubscriptionSnapshot};
use crate::domain::{Currency, Money};
use crate::outbox::{self, ClubFacts, Kind, NewMail};
use crate::payments::Payments;

/// What Stripe said about a membership, checked against Stripe's current copy by whoever
/// observed it.
#[derive(Debug, Clone)]
pub enum ClubObservation {
    Subscription(SubscriptionSnapshot),
    Invoice(InvoiceSnapshot),
    /// `customer.subscription.trial_will_end`: the member is told.
    TrialEnding(SubscriptionSnapshot),
    /// `invoice.payment_failed`: the member is told.
    PaymentFailed(InvoiceSnapshot),
}

/// Who reported it, for the timeline.
#[derive(Debug, Clone, Copy)]
pub enum Cause<'a> {
    Webhook {
        event_id: &'a str,
    },
    /// The member's own action on the account page (the answer Stripe gave to it).
    Member,
    /// The page Stripe's Checkout sent the member back to.
    ReturnPage,
    Reconciler,
}

impl Cause<'_> {
    fn as_str(self) -> &'static str {
        match self {
            Self::Webhook { .. } => "webhook",
            Self::Member => "member",
            Self::ReturnPage => "return_page",
            Self::Reconciler => "reconciler",
        }
    }

    fn event_id(&self) -> Option<&str> {
        match self {
            Self::Webhook { event_id } => Some(event_id),
            _ => None,
        }
    }
}

/// What applying an observation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effect {
    /// It is about no membership of this shop.
    NotOurs,
    /// The shop knew it already, or the rules refused it.
    Unchanged,
    Changed,
}

/// Applies one observation; call it in a transaction.
pub async fn apply_in(
    conn: &mut AsyncPgConnection,
    payments: &Payments,
    observation: &ClubObservation,
    cause: Cause<'_>,
) -> anyhow::Result<Effect> {
    Ok(match observation {
        ClubObservation::Subscription(snapshot) => {
            subscription(conn, payments, snapshot, cause).await?
        }
        ClubObservation::Invoice(invoice) => self::invoice(conn, invoice, cause).await?,
        ClubObservation::TrialEnding(snapshot) => trial_ending(conn, snapshot).await?,
        ClubObservation::PaymentFailed(invoice) => payment_failed(conn, invoice).await?,
    })
}

fn day(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[day] [month repr:short] [year]");
    at.format(&format).unwrap_or_default()
}

async fn event(
    conn: &mut AsyncPgConnection,
    subscription_id: &str,
    cause: Cause<'_>,
    from: Option<&str>,
    to: &str,
    applied: bool,
    note: &str,
) -> anyhow::Result<()> {
    db::record_event(
        conn,
        &NewMembershipEvent {
            subscription_id,
            stripe_event_id: cause.event_id(),
            cause: cause.as_str(),
            from_status: from,
            to_status: to,
            applied,
            note,
        },
    )
    .await?;
    Ok(())
}

/// What differs between the stored membership and Stripe's copy, in words.
fn differences(stored: &Membership, now: &SubscriptionSnapshot) -> Vec<String> {
    let mut notes = Vec::new();
    if stored.status != now.status {
        notes.push(format!(
            "{} → {}",
            stored.status.label(),
            now.status.label()
        ));
    }
    if stored.plan != now.plan || stored.price_id != now.price_id {
        notes.push(format!(
            "plan {} → {}",
            stored.plan.label(),
            now.plan.label()
        ));
    }
    if stored.cancel_at_period_end != now.cancel_at_period_end {
        notes.push(if now.cancel_at_period_end {
            "set to cancel at the end of the period".into()
        } else {
            "resumed: renews at the end of the period".into()
        });
    }
    if stored.current_period_end != now.current_period_end
        && let Some(end) = now.current_period_end
    {
        notes.push(format!("period ends {}", day(end)));
    }
    if stored.trial_end != now.trial_end
        && let Some(end) = now.trial_end
    {
        notes.push(format!("trial ends {}", day(end)));
    }
    if stored.amount_minor != now.amount_minor || stored.currency != now.currency {
        notes.push("price changed".into());
    }
    notes
}

async fn owner(
    conn: &mut AsyncPgConnection,
    snapshot: &SubscriptionSnapshot,
) -> anyhow::Result<Option<i64>> {
    // The customer is the shop's link to the user (stored before any checkout); the metadata
    // the shop's Checkout put on the subscription must name the same user.
    let Some((user_id, _)) = db::user_of_customer(conn, &snapshot.customer).await? else {
        return Ok(None);
    };
    if snapshot.user_id != Some(user_id) {
        tracing::warn!(subscription = %snapshot.id, "a subscription whose metadata names another user");
        return Ok(None);
    }
    Ok(Some(user_id))
}

async fn subscription(
    conn: &mut AsyncPgConnection,
    payments: &Payments,
    snapshot: &SubscriptionSnapshot,
    cause: Cause<'_>,
) -> anyhow::Result<Effect> {
    let stored = match db::lock(conn, &snapshot.id).await? {
        Some(stored) => stored,
        None => {
            let Some(user_id) = owner(conn, snapshot).await? else {
                tracing::info!(subscription = %snapshot.id, "a subscription of no user of this shop");
                return Ok(Effect::NotOurs);
            };
            if db::insert(conn, user_id, snapshot).await? {
                let mut note = format!("membership started: {}", snapshot.plan.label());
                if let Some(end) = snapshot
                    .trial_end
                    .filter(|_| snapshot.status == super::status::MembershipStatus::Trialing)
                {
                    note.push_str(&format!(", free trial until {}", day(end)));
                }
                event(
                    conn,
                    &snapshot.id,
                    cause,
                    None,
                    snapshot.status.as_str(),
                    true,
                    &note,
                )
                .await?;
                return Ok(Effect::Changed);
            }
            // Inserted by a concurrent writer meanwhile: compare with theirs.
            db::lock(conn, &snapshot.id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("subscription {} vanished", snapshot.id))?
        }
    };
    if stored.status.is_final() && snapshot.status != stored.status {
        event(
            conn,
            &stored.id,
            cause,
            Some(stored.status.as_str()),
            snapshot.status.as_str(),
            false,
            "refused: an ended membership never starts again",
        )
        .await?;
        return Ok(Effect::Unchanged);
    }
    if differences(&stored, snapshot).is_empty() {
        return Ok(Effect::Unchanged);
    }
    // The copy may have been read before a change another writer has applied since (a member's
    // cancel racing the webhook of their plan switch). Under the row's lock, Stripe is read
    // again: writers take turns, and each writes what Stripe had when it held the lock.
    let current = payments.retrieve_subscription(&stored.id).await?;
    let Some(current) = SubscriptionSnapshot::from_stripe(&current) else {
        return Ok(Effect::Unchanged);
    };
    let snapshot = &current;
    if stored.status.is_final() && snapshot.status != stored.status {
        return Ok(Effect::Unchanged);
    }
    let notes = differences(&stored, snapshot);
    if notes.is_empty() {
        return Ok(Effect::Unchanged);
    }
    db::update(conn, snapshot).await?;
    if snapshot.status.is_final() {
        db::schedule_check(conn, &snapshot.id, None).await?;
    }
    event(
        conn,
        &stored.id,
        cause,
        Some(stored.status.as_str()),
        snapshot.status.as_str(),
        true,
        &notes.join("; "),
    )
    .await?;
    Ok(Effect::Changed)
}

fn money(amount: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(currency) => Money::new(amount, currency).to_string(),
        Err(_) => format!("{amount} {currency}"),
    }
}

async fn invoice(
    conn: &mut AsyncPgConnection,
    invoice: &InvoiceSnapshot,
    cause: Cause<'_>,
) -> anyhow::Result<Effect> {
    let Some(membership) = db::find(conn, &invoice.subscription_id).await? else {
        return Ok(Effect::NotOurs);
    };
    let label = invoice.number.as_deref().unwrap_or(&invoice.id);
    let to = format!("invoice {}", invoice.status.as_str());
    match db::lock_invoice(conn, &invoice.id).await? {
        None => {
            db::save_invoice(conn, membership.user_id, invoice).await?;
            let note = format!(
                "invoice {label} {}: {} due, {} paid",
                invoice.status.label().to_lowercase(),
                money(invoice.amount_due_minor, &invoice.currency),
                money(invoice.amount_paid_minor, &invoice.currency),
            );
            event(conn, &membership.id, cause, None, &to, true, &note).await?;
            Ok(Effect::Changed)
        }
        Some(stored) if stored.status == invoice.status => {
            // Same status: amounts or links may still have come (a finalized number, a URL).
            let same = stored.number == invoice.number
                && stored.hosted_invoice_url == invoice.hosted_invoice_url
                && stored.invoice_pdf == invoice.invoice_pdf
                && stored.amount_due_minor == invoice.amount_due_minor
                && stored.amount_paid_minor == invoice.amount_paid_minor;
            if same {
                return Ok(Effect::Unchanged);
            }
            db::save_invoice(conn, membership.user_id, invoice).await?;
            Ok(Effect::Changed)
        }
        Some(stored) if stored.status.can_become(invoice.status) => {
            db::save_invoice(conn, membership.user_id, invoice).await?;
            let note = format!(
                "invoice {label} {} → {}",
                stored.status.label().to_lowercase(),
                invoice.status.label().to_lowercase()
            );
            let from = format!("invoice {}", stored.status.as_str());
            event(conn, &membership.id, cause, Some(&from), &to, true, &note).await?;
            Ok(Effect::Changed)
        }
        Some(stored) => {
            let from = format!("invoice {}", stored.status.as_str());
            let note = format!(
                "refused: invoice {label} stays {}",
                stored.status.label().to_lowercase()
            );
            event(conn, &membership.id, cause, Some(&from), &to, false, &note).await?;
            Ok(Effect::Unchanged)
        }
    }
}

fn plan_words(membership: &Membership) -> String {
    format!(
        "{}, {} a {}",
        membership.plan.label(),
        money(membership.amount_minor, &membership.currency),
        membership.plan.per()
    )
}

async fn notify(
    conn: &mut AsyncPgConnection,
    membership: &Membership,
    key: String,
    kind: Kind,
    facts: ClubFacts,
) -> anyhow::Result<Effect> {
    let Some(email) = db::email_of(conn, membership.user_id).await? else {
        return Ok(Effect::NotOurs);
    };
    let written = outbox::enqueue(
        conn,
        &NewMail {
            key,
            kind,
            recipient: &email,
            order_id: None,
            facts: serde_json::to_value(facts)?,
            written: None,
            send_after: None,
        },
    )
    .await?;
    Ok(if written {
        Effect::Changed
    } else {
        Effect::Unchanged
    })
}

/// The trial ends in a few days: one email per trial end, while the member is still trialing.
async fn trial_ending(
    conn: &mut AsyncPgConnection,
    snapshot: &SubscriptionSnapshot,
) -> anyhow::Result<Effect> {
    let Some(membership) = db::find(conn, &snapshot.id).await? else {
        return Ok(Effect::NotOurs);
    };
    if membership.status != super::status::MembershipStatus::Trialing {
        return Ok(Effect::Unchanged);
    }
    let ends = membership
        .trial_end
        .map(|t| t.unix_timestamp())
        .unwrap_or(0);
    let facts = ClubFacts {
        plan: plan_words(&membership),
        date: membership.trial_end.map(day),
        invoice_url: None,
    };
    notify(
        conn,
        &membership,
        format!("club-trial-ending:{}:{ends}", membership.id),
        Kind::ClubTrialEnding,
        facts,
    )
    .await
}

/// A renewal failed: one email per failed attempt of an invoice.
async fn payment_failed(
    conn: &mut AsyncPgConnection,
    invoice: &InvoiceSnapshot,
) -> anyhow::Result<Effect> {
    let Some(membership) = db::find(conn, &invoice.subscription_id).await? else {
        return Ok(Effect::NotOurs);
    };
    let facts = ClubFacts {
        plan: plan_words(&membership),
        date: None,
        invoice_url: invoice.hosted_invoice_url.clone(),
    };
    notify(
        conn,
        &membership,
        format!(
            "club-payment-failed:{}:{}",
            invoice.id, invoice.attempt_count
        ),
        Kind::ClubPaymentFailed,
        facts,
    )
    .await
}
