//! How often one client address may search: each search is a query on PostgreSQL, unlike the
//! other catalog pages, which are served from memory. In memory with governor, per server,
//! like the sign-in allowance (README, Security).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

pub struct SearchLimit {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl std::fmt::Debug for SearchLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchLimit").finish_non_exhaustive()
    }
}

impl SearchLimit {
    /// A burst of `per_minute` searches, then that many a minute.
    pub fn new(per_minute: NonZeroU32) -> Self {
        Self {
            per_address: RateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }

    /// Counts a search from `ip`; refuses it (429) past the address's rate.
    pub fn check(&self, ip: IpAddr) -> Result<(), AppError> {
        self.per_address.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            tracing::info!(%ip, "searches from one address throttled");
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            AppError::TooManyRequests {
                message: format!(
                    "Too many searches from your network. You can search again in {secs} seconds."
                ),
                retry_after_secs: secs.max(1),
            }
        })
    }

    /// Forgets addresses that have not searched lately, so the map does not grow for ever.
    /// Stops when the server is gone.
    pub fn spawn_cleanup(self: &Arc<Self>) {
        let limit = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                let Some(limit) = limit.upgrade() else {
                    return;
                };
                limit.per_address.retain_recent();
                limit.per_address.shrink_to_fit();
            }
        });
    }
}
