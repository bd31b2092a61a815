//! The email worker: one per app server, sending what the outbox holds.
//!
//! It wakes when PostgreSQL notifies that an account email is due (`NOTIFY outbox_ready`, sent
//! when the transaction that wrote it commits: a password reset or an order lookup, whose
//! shopper waits for the link), when a retry comes due, and every second anyway, which is how
//! order notices are found: a notification in the transaction that pays an order would make
//! payments commit one at a time (PostgreSQL serializes notifying commits).
//! It claims one email at a time (`outbox::db::claim`: `FOR UPDATE SKIP LOCKED`, then a lease
//! of [`LEASE`] committed before sending), writes it if it is an order notice, sends it, and
//! records the outcome; a failed attempt is tried again after a wait that doubles from
//! `MAIL_RETRY_SECS` up to `MAIL_RETRY_MAX_SECS`, and after `MAIL_MAX_ATTEMPTS` (or at once,
//! when the server refuses it for good) the email is marked failed for the owner to see at
//! `/admin/emails`, who can send it again.
//!
//! **Once, and the one window where it may be twice.** Two workers never hold one email at a
//! time: the claim skips locked rows and the lease is longer than a send may take
//! ([`super::transport::SEND_TIMEOUT`]), so with any number of servers each email is sent once.
//! Across a crash, SMTP gives no way to ask "did that arrive?": a server that stops after the
//! SMTP server accepted the email (its `250` after `DATA`) but before the outbox says `sent` —
//! a window of one round trip and one `UPDATE` — leaves the email `sending`, and when its lease
//! ends another worker sends it again. We choose that (at least once across a crash) over
//! losing it: a duplicate confirmation or reset link is a nuisance, a missing one leaves a
//! shopper without their order or their account. The second copy has the same `Message-ID`,
//! so mail systems that deduplicate show it once, and the owner's list notes the interruption.
//! (An SMTP server that accepts the email but answers only after `SEND_TIMEOUT` gets it twice
//! the same way: that attempt counts as failed.)
//! A shop without SMTP has no window: catching an email in the mailbox and marking it sent is
//! one transaction.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::StreamExt;
use lettre::message::Mailbox;
use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::transport::{Outgoing, SendError, Transport};
use super::{mailbox, notices};
use crate::config::MailSettings;
use crate::db::DbPool;
use crate::outbox::{Mail, Written, db};

/// How long a claim holds an email: longer than a send may take.
pub const LEASE: Duration = Duration::from_secs(5 * 60);
/// The longest the worker sleeps when nothing wakes it: how late an order notice may be found.
const POLL: Duration = Duration::from_secs(1);
/// The channel the outbox's trigger notifies.
const CHANNEL: &str = "outbox_ready";
/// Emails that went are kept this long for the owner's list, then forgotten.
const KEEP_DONE: Duration = Duration::from_secs(30 * 24 * 60 * 60);
const FORGET_EVERY: Duration = Duration::from_secs(60 * 60);

struct Worker {
    /// This worker's id, written on the emails it claims.
    id: Uuid,
    pool: DbPool,
    transport: Transport,
    from: Mailbox,
    /// The right-hand side of every Message-ID (the sender's domain).
    domain: String,
    base_url: String,
    settings: MailSettings,
}

/// Starts this server's worker (and the listener that wakes it) until `stop` is cancelled: the
/// worker then finishes the email it is sending, records the outcome and ends.
pub fn spawn(
    pool: DbPool,
    database_url: String,
    transport: Transport,
    settings: MailSettings,
    base_url: String,
    stop: CancellationToken,
) -> anyhow::Result<JoinHandle<()>> {
    let from: Mailbox = settings.from.parse().context("MAIL_FROM")?;
    let domain = from.email.domain().to_owned();
    let wake = Arc::new(Notify::new());
    spawn_listener(database_url, wake.clone());
    let worker = Worker {
        id: Uuid::new_v4(),
        pool,
        transport,
        from,
        domain,
        base_url,
        settings,
    };
    Ok(tokio::spawn(worker.run(wake, stop)))
}

impl Worker {
    async fn run(self, wake: Arc<Notify>, stop: CancellationToken) {
        let mut forgotten_at: Option<Instant> = None;
        while !stop.is_cancelled() {
            self.drain(&stop).await;
            if forgotten_at.is_none_or(|at| at.elapsed() >= FORGET_EVERY) {
                self.forget_done().await;
                forgotten_at = Some(Instant::now());
            }
            let wait = self.until_next_due().await;
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
                () = stop.cancelled() => {}
            }
        }
        tracing::info!("email worker stopped");
    }

    /// Sends every email that is due, one at a time, until none is or `stop` is cancelled.
    async fn drain(&self, stop: &CancellationToken) {
        while !stop.is_cancelled() {
            let claimed = match self.pool.get().await {
                Ok(mut conn) => db::claim(&mut conn, self.id, LEASE)
                    .await
                    .context("claiming an email"),
                Err(e) => Err(anyhow::Error::new(e).context("connecting to claim an email")),
            };
            match claimed {
                Ok(Some((mail, interrupted))) => self.deliver(mail, interrupted).await,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = ?e, "the email worker could not read the outbox");
                    return;
                }
            }
        }
    }

    async fn deliver(&self, mail: Mail, interrupted: bool) {
        if interrupted {
            tracing::warn!(
                email = mail.id, kind = %mail.kind,
                "an email's last attempt was interrupted mid-send (its server stopped); sending it again, so it may arrive twice"
            );
        }
        let outcome = self.attempt(&mail).await;
        let (retry_at, error) = match outcome {
            Ok(()) => {
                tracing::info!(email = mail.id, kind = %mail.kind, attempts = mail.attempts, "email sent");
                return;
            }
            Err(SendError::Transient(error))
                if u32::try_from(mail.attempts).unwrap_or(u32::MAX)
                    < self.settings.max_attempts =>
            {
                let wait = backoff(&self.settings, mail.attempts);
                tracing::warn!(
                    email = mail.id, kind = %mail.kind, attempts = mail.attempts, %error,
                    retry_in_secs = wait.as_secs(), "an email could not be sent; it will be tried again"
                );
                (Some(OffsetDateTime::now_utc() + wait), error)
            }
            Err(SendError::Transient(error) | SendError::Permanent(error)) => {
                tracing::error!(
                    email = mail.id, kind = %mail.kind, attempts = mail.attempts, %error,
                    "an email could not be sent and will not be tried again unless the owner asks (/admin/emails)"
                );
                (None, error)
            }
        };
        let recorded = match self.pool.get().await {
            Ok(mut conn) => db::mark_attempt_failed(&mut conn, mail.id, self.id, &error, retry_at)
                .await
                .map_err(anyhow::Error::from),
            Err(e) => Err(e.into()),
        };
        if let Err(e) = recorded {
            // The lease ends and another attempt follows: nothing is lost.
            tracing::warn!(email = mail.id, error = ?e, "could not record a failed email attempt");
        }
    }

    /// One attempt: write the email if it is not yet, then send (or catch) it and mark it sent.
    async fn attempt(&self, mail: &Mail) -> Result<(), SendError> {
        let database = |e: &dyn std::fmt::Display| SendError::Transient(format!("database: {e}"));
        let mut conn = self.pool.get().await.map_err(|e| database(&e))?;
        let written = match mail.written() {
            Some(written) => written,
            None => {
                let written = notices::write(&mut conn, mail, &self.base_url).await?;
                db::set_written(&mut conn, mail.id, &written)
                    .await
                    .map_err(|e| database(&e))?;
                written
            }
        };
        let message_id = format!("<{}@{}>", mail.message_id, self.domain);
        if self.transport.catches() {
            return self
                .catch(&mut conn, mail, &message_id, &written)
                .await
                .map_err(|e| database(&e));
        }
        // No connection is held while the SMTP server talks.
        drop(conn);
        self.transport
            .send_smtp(&Outgoing {
                message_id,
                from: &self.from,
                to: &mail.recipient,
                written: &written,
            })
            .await?;
        self.mark_sent_after_sending(mail).await;
        Ok(())
    }

    /// Catches the email in the mailbox and marks it sent, in one transaction.
    async fn catch(
        &self,
        conn: &mut AsyncPgConnection,
        mail: &Mail,
        message_id: &str,
        written: &Written,
    ) -> diesel::QueryResult<()> {
        let sender = self.from.to_string();
        let worker = self.id;
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            async move {
                if db::mark_sent(conn, mail, worker).await? {
                    mailbox::catch(conn, mail.id, message_id, &sender, &mail.recipient, written)
                        .await?;
                }
                Ok(())
            }
            .scope_boxed()
        })
        .await
    }

    /// The SMTP server took the email: say so, trying a few times, since failing here is the
    /// window in which it would be sent twice.
    async fn mark_sent_after_sending(&self, mail: &Mail) {
        for pause in [0, 200, 1000, 5000] {
            tokio::time::sleep(Duration::from_millis(pause)).await;
            let marked = match self.pool.get().await {
                Ok(mut conn) => db::mark_sent(&mut conn, mail, self.id)
                    .await
                    .map_err(anyhow::Error::from),
                Err(e) => Err(e.into()),
            };
            match marked {
                Ok(true) => return,
                Ok(false) => {
                    tracing::warn!(email = mail.id, "sent an email whose lease had ended");
                    return;
                }
                Err(e) => {
                    tracing::warn!(email = mail.id, error = ?e, "could not mark a sent email sent")
                }
            }
        }
        tracing::error!(
            email = mail.id,
            "an email was sent but could not be marked sent: it will be sent again when its lease ends"
        );
    }

    async fn until_next_due(&self) -> Duration {
        let next = match self.pool.get().await {
            Ok(mut conn) => db::next_due(&mut conn).await.ok().flatten(),
            Err(_) => None,
        };
        next.map_or(POLL, |at| {
            Duration::try_from(at - OffsetDateTime::now_utc())
                .unwrap_or(Duration::ZERO)
                .min(POLL)
        })
    }

    async fn forget_done(&self) {
        let before = OffsetDateTime::now_utc() - KEEP_DONE;
        if let Ok(mut conn) = self.pool.get().await
            && let Err(e) = db::forget_done(&mut conn, before).await
        {
            tracing::warn!(error = %e, "could not forget old emails");
        }
    }
}

/// The wait after `attempts` failed attempts: `retry_after`, doubling, at most `retry_max`.
fn backoff(settings: &MailSettings, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    settings
        .retry_after
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(settings.retry_max)
}

/// Listens for `outbox_ready` for as long as the process runs, reconnecting when the connection
/// is lost; meanwhile the worker still looks every few seconds.
fn spawn_listener(database_url: String, wake: Arc<Notify>) {
    let wake = Arc::downgrade(&wake);
    tokio::spawn(async move {
        loop {
            if let Err(e) = listen(&database_url, &wake).await {
                tracing::warn!(error = %e, "not listening for new emails: the email worker looks every few seconds until the listener reconnects");
            }
            if wake.upgrade().is_none() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn listen(database_url: &str, wake: &std::sync::Weak<Notify>) -> anyhow::Result<()> {
    let mut conn = AsyncPgConnection::establish(database_url).await?;
    conn.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    loop {
        let next = {
            let mut notifications = std::pin::pin!(conn.notifications_stream());
            tokio::time::timeout(POLL * 2, notifications.next()).await
        };
        match next {
            Ok(Some(Ok(_))) => match wake.upgrade() {
                // A permit is kept when the worker is busy, so no notification is lost.
                Some(wake) => wake.notify_one(),
                None => return Ok(()),
            },
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(None) => anyhow::bail!("the connection closed"),
            Err(_) => tokio::time::timeout(POLL * 2, conn.batch_execute("SELECT 1"))
                .await
                .map_err(|_| anyhow::anyhow!("the connection stopped answering"))??,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_and_longer_up_to_the_most() {
        let worker_settings = MailSettings {
            retry_after: Duration::from_secs(30),
            retry_max: Duration::from_secs(600),
            ..MailSettings::default()
        };
        let waits: Vec<u64> = (1..=7)
            .map(|attempts| backoff(&worker_settings, attempts).as_secs())
            .collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 600, 600]);
    }
}
