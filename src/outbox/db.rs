//! The one writer of `outbox`. Producers call [`enqueue`] (and [`withdraw`]) inside the
//! transaction of the change they announce; the email worker claims rows one at a time
//! ([`claim`]) and records how each attempt went; the owner's page lists them and sends a failed
//! one again ([`retry_failed`]).
//!
//! A claim is short: it locks the next due row with `FOR UPDATE SKIP LOCKED` (so two workers,
//! on one server or several, never take the same row), marks it `sending` with a lease and the
//! worker's id, and commits before anything is sent. The lease is what survives a crash: a row
//! still `sending` after its lease is taken again (see `crate::email::worker` for what that
//! means for delivery).

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::mail::{Kind, Status};
use crate::db::prepared;
use crate::schema::{orders, outbox};

/// What a producer writes.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    /// What the email announces, once: a second `enqueue` under the same key writes nothing.
    pub key: String,
    pub kind: Kind,
    pub recipient: &'a str,
    pub order_id: Option<Uuid>,
    pub facts: serde_json::Value,
    /// The email as written, when the producer writes it (account emails, which carry a
    /// one-time link); `None` for order notices, which the worker writes from the order.
    pub written: Option<Written>,
    /// Not before then; `None` means now.
    pub send_after: Option<OffsetDateTime>,
}

/// An email's subject and bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// An outbox row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Mail {
    pub id: i64,
    pub key: String,
    pub kind: Kind,
    pub recipient: String,
    pub order_id: Option<Uuid>,
    pub facts: serde_json::Value,
    pub subject: Option<String>,
    pub text_body: Option<String>,
    pub html_body: Option<String>,
    pub message_id: Uuid,
    pub status: Status,
    pub attempts: i32,
    pub send_after: OffsetDateTime,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

impl Mail {
    /// The email as written, once it is.
    pub fn written(&self) -> Option<Written> {
        Some(Written {
            subject: self.subject.clone()?,
            text: self.text_body.clone()?,
            html: self.html_body.clone()?,
        })
    }
}

/// Writes the email unless one with its key exists; `true` when it was written. Call it in the
/// transaction of the change it announces.
pub async fn enqueue(conn: &mut AsyncPgConnection, mail: &NewMail<'_>) -> QueryResult<bool> {
    let inserted = diesel::insert_into(outbox::table)
        .values(values(mail))
        .on_conflict(outbox::key)
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted > 0)
}

/// Writes the email, or — when one with its key is still waiting — gives it these facts and
/// this time instead: a notice that should say only the latest news (a failed payment tried
/// again) goes once, after the last of them.
pub async fn enqueue_or_postpone(
    conn: &mut AsyncPgConnection,
    mail: &NewMail<'_>,
) -> QueryResult<()> {
    if enqueue(conn, mail).await? {
        return Ok(());
    }
    diesel::update(
        outbox::table
            .filter(outbox::key.eq(&mail.key))
            .filter(outbox::status.eq(Status::Pending)),
    )
    .set((
        outbox::facts.eq(&mail.facts),
        outbox::send_after.eq(mail.send_after.unwrap_or_else(OffsetDateTime::now_utc)),
        outbox::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(drop)
}

type Values<'a> = (
    diesel::dsl::Eq<outbox::key, &'a str>,
    diesel::dsl::Eq<outbox::kind, Kind>,
    diesel::dsl::Eq<outbox::recipient, &'a str>,
    diesel::dsl::Eq<outbox::order_id, Option<Uuid>>,
    diesel::dsl::Eq<outbox::facts, &'a serde_json::Value>,
    diesel::dsl::Eq<outbox::subject, Option<&'a str>>,
    diesel::dsl::Eq<outbox::text_body, Option<&'a str>>,
    diesel::dsl::Eq<outbox::html_body, Option<&'a str>>,
    diesel::dsl::Eq<outbox::send_after, OffsetDateTime>,
);

fn values<'a>(mail: &'a NewMail<'a>) -> Values<'a> {
    let written = mail.written.as_ref();
    (
        outbox::key.eq(mail.key.as_str()),
        outbox::kind.eq(mail.kind),
        outbox::recipient.eq(mail.recipient),
        outbox::order_id.eq(mail.order_id),
        outbox::facts.eq(&mail.facts),
        outbox::subject.eq(written.map(|w| w.subject.as_str())),
        outbox::text_body.eq(written.map(|w| w.text.as_str())),
        outbox::html_body.eq(written.map(|w| w.html.as_str())),
        outbox::send_after.eq(mail.send_after.unwrap_or_else(OffsetDateTime::now_utc)),
    )
}

/// The email under `key` is not to be sent any more, if it has not gone yet; `true` when it was
/// withdrawn.
pub async fn withdraw(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<bool> {
    let withdrawn = prepared(
        diesel::update(
            outbox::table
                .filter(outbox::key.eq(key))
                .filter(outbox::status.eq(Status::Pending)),
        )
        .set((
            outbox::status.eq(Status::Withdrawn),
            outbox::updated_at.eq(diesel::dsl::now),
        )),
    )
    .execute(conn)
    .await?;
    Ok(withdrawn > 0)
}

/// How many emails of this kind went (or will go) to this address since `since`: what the
/// forms that send one on request count against.
pub async fn count_recent(
    conn: &mut AsyncPgConnection,
    recipient: &str,
    kind: Kind,
    since: OffsetDateTime,
) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::recipient.eq(recipient))
        .filter(outbox::kind.eq(kind))
        .filter(outbox::created_at.gt(since))
        .count()
        .get_result(conn)
        .await
}

/// What the owner reads on an email whose worker stopped mid-send.
const INTERRUPTED: &str = "an attempt was interrupted before it finished (its server stopped); \
     it was sent again, so it may have arrived twice";

/// Takes the next email that is due — or whose worker's lease ended with it still `sending` —
/// for `worker`, until `lease` from now. Commits at once: call it outside a transaction.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    worker: Uuid,
    lease: Duration,
) -> QueryResult<Option<(Mail, bool)>> {
    use diesel_async::AsyncConnection;
    use diesel_async::scoped_futures::ScopedFutureExt;
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        async move {
            let now = OffsetDateTime::now_utc();
            let next: Option<(i64, Status)> = outbox::table
                .filter(
                    outbox::status
                        .eq(Status::Pending)
                        .and(outbox::send_after.le(now))
                        .or(outbox::status
                            .eq(Status::Sending)
                            .and(outbox::lease_until.lt(now))),
                )
                .order((outbox::send_after.asc(), outbox::id.asc()))
                .select((outbox::id, outbox::status))
                .limit(1)
                .for_update()
                .skip_locked()
                .first(conn)
                .await
                .optional()?;
            let Some((id, status)) = next else {
                return Ok(None);
            };
            let interrupted = status == Status::Sending;
            let mail = diesel::update(outbox::table.find(id))
                .set((
                    outbox::status.eq(Status::Sending),
                    outbox::attempts.eq(outbox::attempts + 1),
                    outbox::claimed_by.eq(worker),
                    outbox::lease_until.eq(now + lease),
                    outbox::updated_at.eq(now),
                ))
                .returning(Mail::as_returning())
                .get_result(conn)
                .await?;
            if interrupted {
                diesel::update(outbox::table.find(id))
                    .set(outbox::last_error.eq(INTERRUPTED))
                    .execute(conn)
                    .await?;
            }
            Ok(Some((mail, interrupted)))
        }
        .scope_boxed()
    })
    .await
}

/// Keeps the email as the worker wrote it, so that every attempt sends the same words.
pub async fn set_written(
    conn: &mut AsyncPgConnection,
    id: i64,
    written: &Written,
) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::subject.eq(&written.subject),
            outbox::text_body.eq(&written.text),
            outbox::html_body.eq(&written.html),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The email went. An email whose link opens an account keeps only its subject from now on.
/// `false` when `worker` no longer held it.
pub async fn mark_sent(
    conn: &mut AsyncPgConnection,
    mail: &Mail,
    worker: Uuid,
) -> QueryResult<bool> {
    let forget = mail.kind.carries_a_secret_link();
    let now = OffsetDateTime::now_utc();
    let held = outbox::table
        .find(mail.id)
        .filter(outbox::status.eq(Status::Sending))
        .filter(outbox::claimed_by.eq(worker));
    let updated = if forget {
        diesel::update(held)
            .set((
                outbox::status.eq(Status::Sent),
                outbox::sent_at.eq(now),
                outbox::lease_until.eq(None::<OffsetDateTime>),
                outbox::updated_at.eq(now),
                outbox::text_body.eq(None::<String>),
                outbox::html_body.eq(None::<String>),
            ))
            .execute(conn)
            .await?
    } else {
        diesel::update(held)
            .set((
                outbox::status.eq(Status::Sent),
                outbox::sent_at.eq(now),
                outbox::lease_until.eq(None::<OffsetDateTime>),
                outbox::updated_at.eq(now),
            ))
            .execute(conn)
            .await?
    };
    Ok(updated > 0)
}

/// The attempt failed: pending again from `at` (`Some`), or failed for good (`None`).
pub async fn mark_attempt_failed(
    conn: &mut AsyncPgConnection,
    id: i64,
    worker: Uuid,
    error: &str,
    at: Option<OffsetDateTime>,
) -> QueryResult<()> {
    let held = outbox::table
        .find(id)
        .filter(outbox::status.eq(Status::Sending))
        .filter(outbox::claimed_by.eq(worker));
    let now = OffsetDateTime::now_utc();
    let error: String = error.chars().take(1000).collect();
    match at {
        Some(at) => {
            diesel::update(held)
                .set((
                    outbox::status.eq(Status::Pending),
                    outbox::send_after.eq(at),
                    outbox::lease_until.eq(None::<OffsetDateTime>),
                    outbox::last_error.eq(&error),
                    outbox::updated_at.eq(now),
                ))
                .execute(conn)
                .await?
        }
        None => {
            diesel::update(held)
                .set((
                    outbox::status.eq(Status::Failed),
                    outbox::lease_until.eq(None::<OffsetDateTime>),
                    outbox::last_error.eq(&error),
                    outbox::updated_at.eq(now),
                ))
                .execute(conn)
                .await?
        }
    };
    Ok(())
}

/// When the next waiting email is due, if any waits.
pub async fn next_due(conn: &mut AsyncPgConnection) -> QueryResult<Option<OffsetDateTime>> {
    outbox::table
        .filter(outbox::status.eq(Status::Pending))
        .select(diesel::dsl::min(outbox::send_after))
        .first(conn)
        .await
}

/// Forgets emails that went (or were withdrawn) before `before`; failed ones stay for the owner.
pub async fn forget_done(
    conn: &mut AsyncPgConnection,
    before: OffsetDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        outbox::table
            .filter(outbox::status.eq_any([Status::Sent, Status::Withdrawn]))
            .filter(outbox::updated_at.lt(before)),
    )
    .execute(conn)
    .await
}

/// The most recent emails, newest first, with their order's number.
pub async fn recent(
    conn: &mut AsyncPgConnection,
    status: Option<Status>,
    limit: i64,
) -> QueryResult<Vec<(Mail, Option<i64>)>> {
    let mut query = outbox::table
        .left_join(orders::table)
        .select((Mail::as_select(), orders::number.nullable()))
        .order(outbox::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(outbox::status.eq(status));
    }
    query.load(conn).await
}

/// The emails about an order, oldest first.
pub async fn of_order(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<Vec<Mail>> {
    outbox::table
        .filter(outbox::order_id.eq(order_id))
        .order(outbox::id.asc())
        .select(Mail::as_select())
        .load(conn)
        .await
}

/// A failed email is due again now, with a fresh count of attempts; `false` when it is not
/// (or no longer) failed.
pub async fn retry_failed(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<bool> {
    let updated = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::status.eq(Status::Failed)),
    )
    .set((
        outbox::status.eq(Status::Pending),
        outbox::attempts.eq(0),
        outbox::send_after.eq(diesel::dsl::now),
        outbox::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await?;
    Ok(updated > 0)
}
