//! Brute-force protection for sign-in, in two layers:
//!
//! - per client address ([`ClientIp`](crate::client_ip::ClientIp)), in memory with governor's
//!   GCRA: a burst of `LOGIN_ATTEMPTS_PER_MINUTE` sign-in or registration attempts, then that
//!   many a minute. Each server counts its own; it stops one machine from guessing fast.
//! - per account, in PostgreSQL (`login_failures`, shared by every server, keyed by the email
//!   typed, known or not, so the answers say nothing about who has an account): after
//!   `LOGIN_FREE_FAILURES` failures in a row, each further failure makes the next attempt wait
//!   30 s, then twice as long each time, up to `LOGIN_MAX_DELAY_SECS`. A success clears it. A
//!   guesser spread over many addresses gets a handful of tries an hour; the owner waits at
//!   most that long.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use time::OffsetDateTime;

use crate::db::DbPool;
use crate::error::AppError;
use crate::schema::login_failures;

/// The first delay after the free failures; each further failure doubles it.
const FIRST_DELAY: Duration = Duration::from_secs(30);
/// Failures older than this are forgotten: the count starts again.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// Emails are stored as typed (lower-cased), never longer than this.
const MAX_KEY_CHARS: usize = 320;

#[derive(Debug, Clone)]
pub struct LoginLimits {
    pub attempts_per_minute_per_address: NonZeroU32,
    pub free_failures: u32,
    pub max_delay: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            attempts_per_minute_per_address: NonZeroU32::MIN.saturating_add(9),
            free_failures: 5,
            max_delay: Duration::from_secs(15 * 60),
        }
    }
}

pub struct LoginThrottle {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    limits: LoginLimits,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl LoginThrottle {
    pub fn new(limits: LoginLimits) -> Self {
        Self {
            per_address: RateLimiter::keyed(Quota::per_minute(
                limits.attempts_per_minute_per_address,
            )),
            limits,
        }
    }

    /// Counts an attempt from `ip`; refuses it (429) past the address's rate.
    pub fn check_address(&self, ip: IpAddr) -> Result<(), AppError> {
        self.check_address_for(ip, "sign-in attempts")
    }

    /// Counts another kind of guess from `ip` (a password reset or an order look-up asked
    /// for) against the same allowance, and names it when refusing.
    pub fn check_address_for(&self, ip: IpAddr, what: &str) -> Result<(), AppError> {
        self.per_address.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            tracing::info!(%ip, what, "attempts from one address throttled");
            too_many(
                &format!(
                    "Too many {what} from your network. Please wait a little before trying again."
                ),
                wait,
            )
        })
    }

    /// Refuses (429) an attempt at an account that must wait after failed sign-ins.
    pub async fn check_account(
        &self,
        conn: &mut AsyncPgConnection,
        email: &str,
    ) -> Result<(), AppError> {
        let locked_until: Option<OffsetDateTime> = login_failures::table
            .find(key(email))
            .filter(login_failures::locked_until.gt(diesel::dsl::now))
            .select(login_failures::locked_until)
            .first(conn)
            .await
            .optional()?;
        match locked_until {
            Some(until) => {
                let wait = (until - OffsetDateTime::now_utc())
                    .try_into()
                    .unwrap_or(Duration::from_secs(1));
                Err(too_many(
                    "Too many failed sign-ins for this email. Please wait before trying again.",
                    wait,
                ))
            }
            None => Ok(()),
        }
    }

    /// Counts a failed sign-in for `email` and sets how long its next attempt must wait.
    pub async fn record_failure(
        &self,
        conn: &mut AsyncPgConnection,
        email: &str,
    ) -> QueryResult<()> {
        let key = key(email);
        let stale = OffsetDateTime::now_utc() - FORGET_AFTER;
        let failures: i32 = diesel::insert_into(login_failures::table)
            .values((
                login_failures::email.eq(&key),
                login_failures::failures.eq(1),
            ))
            .on_conflict(login_failures::email)
            .do_update()
            .set((
                login_failures::failures.eq(diesel::dsl::sql::<diesel::sql_types::Integer>(
                    "CASE WHEN login_failures.last_failure_at < ",
                )
                .bind::<diesel::sql_types::Timestamptz, _>(stale)
                .sql(" THEN 1 ELSE login_failures.failures + 1 END")),
                login_failures::last_failure_at.eq(excluded(login_failures::last_failure_at)),
            ))
            .returning(login_failures::failures)
            .get_result(conn)
            .await?;
        let delay = self.delay_after(u32::try_from(failures).unwrap_or(u32::MAX));
        if !delay.is_zero() {
            diesel::update(login_failures::table.find(&key))
                .set(login_failures::locked_until.eq(OffsetDateTime::now_utc() + delay))
                .execute(conn)
                .await?;
        }
        Ok(())
    }

    /// A successful sign-in forgets the failures.
    pub async fn clear(&self, conn: &mut AsyncPgConnection, email: &str) -> QueryResult<()> {
        diesel::delete(login_failures::table.find(key(email)))
            .execute(conn)
            .await
            .map(drop)
    }

    fn delay_after(&self, failures: u32) -> Duration {
        let Some(over) = failures.checked_sub(self.limits.free_failures + 1) else {
            return Duration::ZERO;
        };
        FIRST_DELAY
            .saturating_mul(2u32.saturating_pow(over.min(20)))
            .min(self.limits.max_delay)
    }

    /// Forgets idle addresses and old failures now and then, so neither grows without bound.
    pub fn spawn_cleanup(self: &Arc<Self>, pool: DbPool) {
        let throttle = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                let Some(throttle) = throttle.upgrade() else {
                    return;
                };
                throttle.per_address.retain_recent();
                throttle.per_address.shrink_to_fit();
                let stale = OffsetDateTime::now_utc() - FORGET_AFTER;
                if let Ok(mut conn) = pool.get().await
                    && let Err(e) = diesel::delete(
                        login_failures::table.filter(login_failures::last_failure_at.lt(stale)),
                    )
                    .execute(&mut conn)
                    .await
                {
                    tracing::warn!(error = %e, "could not forget old failed sign-ins");
                }
            }
        });
    }
}

fn key(email: &str) -> String {
    email
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_KEY_CHARS)
        .collect()
}

fn too_many(message: &str, wait: Duration) -> AppError {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let when = if secs < 90 {
        format!("{secs} seconds")
    } else {
        format!("{} minutes", secs.div_ceil(60))
    };
    AppError::TooManyRequests {
        message: format!("{message} You can try again in {when}."),
        retry_after_secs: secs.max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_grows_after_the_free_failures_and_is_capped() {
        let throttle = LoginThrottle::new(LoginLimits::default());
        let delays: Vec<u64> = (1..=12)
            .map(|n| throttle.delay_after(n).as_secs())
            .collect();
        assert_eq!(delays, [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]);
    }

    #[test]
    fn an_address_gets_its_burst_then_waits() {
        let throttle = LoginThrottle::new(LoginLimits::default());
        let ip: IpAddr = [192, 0, 2, 1].into();
        for _ in 0..10 {
            assert!(throttle.check_address(ip).is_ok());
        }
        match throttle.check_address(ip) {
            Err(AppError::TooManyRequests {
                retry_after_secs, ..
            }) => assert!((1..=6).contains(&retry_after_secs), "{retry_after_secs}"),
            other => panic!("{other:?}"),
        }
        assert!(throttle.check_address([192, 0, 2, 2].into()).is_ok());
    }
}
