//! The one writer of `club_subscriptions`, `club_invoices` and `club_events`. What Stripe says
//! is applied to them by [`super::sync`]; pages read them here.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use super::plans::Plan;
use super::snapshot::{InvoiceSnapshot, SubscriptionSnapshot};
use super::status::{InvoiceStatus, MembershipStatus};
use crate::schema::{club_checkouts, club_events, club_invoices, club_subscriptions, users};

/// A membership as the shop last read it from Stripe.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = club_subscriptions)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Membership {
    pub id: String,
    pub user_id: i64,
    pub customer_id: String,
    pub status: MembershipStatus,
    pub plan: Plan,
    pub price_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub current_period_start: Option<OffsetDateTime>,
    pub current_period_end: Option<OffsetDateTime>,
    pub trial_end: Option<OffsetDateTime>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<OffsetDateTime>,
    pub ended_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub next_check_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = club_invoices)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct MembershipInvoice {
    pub id: String,
    pub subscription_id: String,
    pub user_id: i64,
    pub number: Option<String>,
    pub status: InvoiceStatus,
    pub amount_due_minor: i64,
    pub amount_paid_minor: i64,
    pub currency: String,
    pub hosted_invoice_url: Option<String>,
    pub invoice_pdf: Option<String>,
    pub period_start: OffsetDateTime,
    pub period_end: OffsetDateTime,
    pub stripe_created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// One line of a subscription's timeline.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = club_events)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct MembershipEvent {
    pub id: i64,
    pub subscription_id: String,
    pub stripe_event_id: Option<String>,
    pub cause: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub applied: bool,
    pub note: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = club_events)]
pub struct NewMembershipEvent<'a> {
    pub subscription_id: &'a str,
    pub stripe_event_id: Option<&'a str>,
    pub cause: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: &'a str,
    pub applied: bool,
    pub note: &'a str,
}

/// The columns a snapshot sets.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = club_subscriptions)]
#[diesel(treat_none_as_null = true)]
struct SnapshotColumns<'a> {
    customer_id: &'a str,
    status: MembershipStatus,
    plan: Plan,
    price_id: &'a str,
    amount_minor: i64,
    currency: &'a str,
    current_period_start: Option<OffsetDateTime>,
    current_period_end: Option<OffsetDateTime>,
    trial_end: Option<OffsetDateTime>,
    cancel_at_period_end: bool,
    canceled_at: Option<OffsetDateTime>,
    ended_at: Option<OffsetDateTime>,
}

impl<'a> From<&'a SubscriptionSnapshot> for SnapshotColumns<'a> {
    fn from(s: &'a SubscriptionSnapshot) -> Self {
        Self {
            customer_id: &s.customer,
            status: s.status,
            plan: s.plan,
            price_id: &s.price_id,
            amount_minor: s.amount_minor,
            currency: &s.currency,
            current_period_start: s.current_period_start,
            current_period_end: s.current_period_end,
            trial_end: s.trial_end,
            cancel_at_period_end: s.cancel_at_period_end,
            canceled_at: s.canceled_at,
            ended_at: s.ended_at,
        }
    }
}

/// The subscription, locked until the transaction ends.
pub async fn lock(conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Membership>> {
    club_subscriptions::table
        .find(id)
        .select(Membership::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn find(conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Membership>> {
    club_subscriptions::table
        .find(id)
        .select(Membership::as_select())
        .first(conn)
        .await
        .optional()
}

/// Inserts a subscription first seen; `false` when a concurrent writer inserted it first.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    snapshot: &SubscriptionSnapshot,
) -> QueryResult<bool> {
    let columns = SnapshotColumns::from(snapshot);
    let inserted = diesel::insert_into(club_subscriptions::table)
        .values((
            club_subscriptions::id.eq(&snapshot.id),
            club_subscriptions::user_id.eq(user_id),
            columns,
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    snapshot: &SubscriptionSnapshot,
) -> QueryResult<()> {
    diesel::update(club_subscriptions::table.find(&snapshot.id))
        .set((
            SnapshotColumns::from(snapshot),
            club_subscriptions::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn record_event(
    conn: &mut AsyncPgConnection,
    event: &NewMembershipEvent<'_>,
) -> QueryResult<()> {
    diesel::insert_into(club_events::table)
        .values(event)
        .execute(conn)
        .await
        .map(drop)
}

/// The user's membership that has not ended, else their latest one.
pub async fn of_user(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> QueryResult<Option<Membership>> {
    let all: Vec<Membership> = club_subscriptions::table
        .filter(club_subscriptions::user_id.eq(user_id))
        .order(club_subscriptions::created_at.desc())
        .select(Membership::as_select())
        .load(conn)
        .await?;
    let live = all
        .iter()
        .position(|m| MembershipStatus::LIVE.contains(&m.status));
    Ok(match live {
        Some(i) => all.into_iter().nth(i),
        None => all.into_iter().next(),
    })
}

/// Whether the user has ever had a membership (one free trial per member).
pub async fn ever_had(conn: &mut AsyncPgConnection, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        club_subscriptions::table.filter(club_subscriptions::user_id.eq(user_id)),
    ))
    .get_result(conn)
    .await
}

/// Whether the user gets the member benefit now: a membership that is active or trialing.
pub async fn has_benefit(mut conn: &AsyncPgConnection, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        club_subscriptions::table
            .filter(club_subscriptions::user_id.eq(user_id))
            .filter(club_subscriptions::status.eq_any(MembershipStatus::WITH_BENEFIT)),
    ))
    .get_result(&mut conn)
    .await
}

pub async fn invoices_of_user(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> QueryResult<Vec<MembershipInvoice>> {
    club_invoices::table
        .filter(club_invoices::user_id.eq(user_id))
        .order(club_invoices::stripe_created_at.desc())
        .select(MembershipInvoice::as_select())
        .load(conn)
        .await
}

pub async fn invoices_of(
    conn: &mut AsyncPgConnection,
    subscription_id: &str,
) -> QueryResult<Vec<MembershipInvoice>> {
    club_invoices::table
        .filter(club_invoices::subscription_id.eq(subscription_id))
        .order(club_invoices::stripe_created_at.desc())
        .select(MembershipInvoice::as_select())
        .load(conn)
        .await
}

pub async fn lock_invoice(
    conn: &mut AsyncPgConnection,
    id: &str,
) -> QueryResult<Option<MembershipInvoice>> {
    club_invoices::table
        .find(id)
        .select(MembershipInvoice::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Writes the invoice as Stripe has it (a first sight inserts it).
pub async fn save_invoice(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    invoice: &InvoiceSnapshot,
) -> QueryResult<()> {
    let values = (
        club_invoices::subscription_id.eq(&invoice.subscription_id),
        club_invoices::user_id.eq(user_id),
        club_invoices::number.eq(&invoice.number),
        club_invoices::status.eq(invoice.status),
        club_invoices::amount_due_minor.eq(invoice.amount_due_minor),
        club_invoices::amount_paid_minor.eq(invoice.amount_paid_minor),
        club_invoices::currency.eq(&invoice.currency),
        club_invoices::hosted_invoice_url.eq(&invoice.hosted_invoice_url),
        club_invoices::invoice_pdf.eq(&invoice.invoice_pdf),
        club_invoices::period_start.eq(invoice.period_start),
        club_invoices::period_end.eq(invoice.period_end),
        club_invoices::stripe_created_at.eq(invoice.created),
    );
    diesel::insert_into(club_invoices::table)
        .values((club_invoices::id.eq(&invoice.id), values))
        .on_conflict(club_invoices::id)
        .do_update()
        .set((values, club_invoices::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await
        .map(drop)
}

/// Memberships for the admin, with the member's email, newest first; `status` filters.
pub async fn list(
    conn: &mut AsyncPgConnection,
    status: Option<MembershipStatus>,
    limit: i64,
) -> QueryResult<Vec<(Membership, String)>> {
    let mut query = club_subscriptions::table
        .inner_join(users::table)
        .select((Membership::as_select(), users::email))
        .order(club_subscriptions::created_at.desc())
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(club_subscriptions::status.eq(status));
    }
    query.load(conn).await
}

/// How many memberships are in each status.
pub async fn count_by_status(
    conn: &mut AsyncPgConnection,
) -> QueryResult<Vec<(MembershipStatus, i64)>> {
    club_subscriptions::table
        .group_by(club_subscriptions::status)
        .select((club_subscriptions::status, diesel::dsl::count_star()))
        .load(conn)
        .await
}

/// The active memberships' plans and amounts (for MRR).
pub async fn active_amounts(conn: &mut AsyncPgConnection) -> QueryResult<Vec<(Plan, i64, String)>> {
    club_subscriptions::table
        .filter(club_subscriptions::status.eq(MembershipStatus::Active))
        .select((
            club_subscriptions::plan,
            club_subscriptions::amount_minor,
            club_subscriptions::currency,
        ))
        .load(conn)
        .await
}

pub async fn events_of(
    conn: &mut AsyncPgConnection,
    subscription_id: &str,
) -> QueryResult<Vec<MembershipEvent>> {
    club_events::table
        .filter(club_events::subscription_id.eq(subscription_id))
        .order(club_events::id.asc())
        .select(MembershipEvent::as_select())
        .load(conn)
        .await
}

/// Memberships whose next look by the reconciler is due, oldest-due first.
pub async fn due_for_check(
    conn: &mut AsyncPgConnection,
    limit: i64,
) -> QueryResult<Vec<Membership>> {
    club_subscriptions::table
        .filter(club_subscriptions::next_check_at.le(OffsetDateTime::now_utc()))
        .order(club_subscriptions::next_check_at.asc())
        .limit(limit)
        .select(Membership::as_select())
        .load(conn)
        .await
}

pub async fn schedule_check(
    conn: &mut AsyncPgConnection,
    id: &str,
    at: Option<OffsetDateTime>,
) -> QueryResult<()> {
    diesel::update(club_subscriptions::table.find(id))
        .set(club_subscriptions::next_check_at.eq(at))
        .execute(conn)
        .await
        .map(drop)
}

/// The user whose Stripe customer this is.
pub async fn user_of_customer(
    conn: &mut AsyncPgConnection,
    customer: &str,
) -> QueryResult<Option<(i64, String)>> {
    users::table
        .filter(users::stripe_customer_id.eq(customer))
        .select((users::id, users::email))
        .first(conn)
        .await
        .optional()
}

pub async fn email_of(conn: &mut AsyncPgConnection, user_id: i64) -> QueryResult<Option<String>> {
    users::table
        .find(user_id)
        .select(users::email)
        .first(conn)
        .await
        .optional()
}

/// Remembers a membership Checkout Session the shop opened, for the reconciler.
pub async fn record_checkout(
    conn: &mut AsyncPgConnection,
    session_id: &str,
    user_id: i64,
) -> QueryResult<()> {
    diesel::insert_into(club_checkouts::table)
        .values((
            club_checkouts::session_id.eq(session_id),
            club_checkouts::user_id.eq(user_id),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(drop)
}

/// The user's membership checkouts that may still be open (not yet seen complete or expired).
pub async fn open_checkouts_of(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> QueryResult<Vec<String>> {
    club_checkouts::table
        .filter(club_checkouts::user_id.eq(user_id))
        .filter(club_checkouts::next_check_at.is_not_null())
        .select(club_checkouts::session_id)
        .load(conn)
        .await
}

/// Open membership checkouts whose next look is due: (session, user).
pub async fn due_checkouts(
    conn: &mut AsyncPgConnection,
    limit: i64,
) -> QueryResult<Vec<(String, i64, OffsetDateTime)>> {
    club_checkouts::table
        .filter(club_checkouts::next_check_at.le(OffsetDateTime::now_utc()))
        .order(club_checkouts::next_check_at.asc())
        .limit(limit)
        .select((
            club_checkouts::session_id,
            club_checkouts::user_id,
            club_checkouts::created_at,
        ))
        .load(conn)
        .await
}

/// The next look at a checkout; `None` once it is complete or expired.
pub async fn schedule_checkout(
    conn: &mut AsyncPgConnection,
    session_id: &str,
    at: Option<OffsetDateTime>,
) -> QueryResult<()> {
    diesel::update(club_checkouts::table.find(session_id))
        .set(club_checkouts::next_check_at.eq(at))
        .execute(conn)
        .await
        .map(drop)
}
