//! argon2id hashing on a small pool of threads of its own.
//!
//! Each hash takes 19 MiB for about 50 ms. On tokio's blocking pool (up to 512 threads) a
//! burst of sign-ins ran that many at once, and glibc kept every thread's arena afterwards:
//! 500 failed sign-ins took the shop to 3 GB. Here a fixed number of threads hash, a bounded
//! queue waits for them, and a request beyond the queue is refused at once ([`HashError::Busy`]),
//! so the memory hashing can take is threads × 19 MiB, whatever the rate of sign-ins.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::oneshot;

pub const MIN_LENGTH: usize = 8;
/// Long enough for any passphrase, short enough that hashing cost stays bounded.
pub const MAX_LENGTH: usize = 256;
/// Requests that may wait for a hashing thread, per thread (each waits at most ~50 ms per
/// request ahead of it).
const QUEUED_PER_THREAD: usize = 16;

/// OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params =
        Params::new(19_456, 2, 1, None).map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A hash of a password nobody has, verified when the email is unknown so that the answer
/// takes as long as for a known email.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$9q6dA4UfG3q4mVwqDi0DUYkN7hm5a8YgX3X7pYt0K8s";

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hashing thread is busy and the queue is full: try again in a moment.
    #[error("password hashing is busy")]
    Busy,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads and their queue; the threads end when this is dropped.
pub struct PasswordHashers {
    jobs: SyncSender<Job>,
}

impl std::fmt::Debug for PasswordHashers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHashers").finish_non_exhaustive()
    }
}

impl PasswordHashers {
    /// Starts `threads` hashing threads (at least one).
    pub fn start(threads: usize) -> anyhow::Result<Self> {
        let threads = threads.max(1);
        let (jobs, queue) = sync_channel::<Job>(threads * QUEUED_PER_THREAD);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || work(&queue))
                .context("starting a password hashing thread")?;
        }
        Ok(Self { jobs })
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(job());
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(HashError::Busy),
            Err(TrySendError::Disconnected(_)) => {
                return Err(anyhow::anyhow!("the password hashing threads have stopped").into());
            }
        }
        Ok(result.await.context("password hashing job")??)
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.run(move || hash_now(&password)).await
    }

    /// Whether `password` matches `stored`; with `None` a dummy hash is checked and the answer
    /// is no.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        self.run(move || verify_now(&password, stored.as_deref()))
            .await
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match job {
            Ok(job) => job(),
            // Every sender is gone: the shop has stopped.
            Err(_) => return,
        }
    }
}

/// Hashes on the calling thread: for the command line, or inside the pool.
pub fn hash_now(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
    Ok(hash.to_string())
}

fn verify_now(password: &str, stored: Option<&str>) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(stored.unwrap_or(DUMMY_HASH))
        .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
    let matches = hasher()?
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    Ok(stored.is_some() && matches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_only() -> anyhow::Result<()> {
        let hashers = PasswordHashers::start(1)?;
        let hash = hashers.hash("correct horse".into()).await?;
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            hashers
                .verify("correct horse".into(), Some(hash.clone()))
                .await?
        );
        assert!(!hashers.verify("wrong horse".into(), Some(hash)).await?);
        Ok(())
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() -> anyhow::Result<()> {
        let hashers = PasswordHashers::start(1)?;
        assert!(!hashers.verify("anything".into(), None).await?);
        Ok(())
    }

    #[tokio::test]
    async fn beyond_the_queue_requests_are_refused_not_piled_up() -> anyhow::Result<()> {
        let hashers = Arc::new(PasswordHashers::start(1)?);
        let checks: Vec<_> = (0..3 * QUEUED_PER_THREAD)
            .map(|_| {
                let hashers = hashers.clone();
                tokio::spawn(async move { hashers.verify("guess".into(), None).await })
            })
            .collect();
        let (mut done, mut busy) = (0, 0);
        for check in checks {
            match check.await? {
                Ok(_) => done += 1,
                Err(HashError::Busy) => busy += 1,
                Err(e) => return Err(e.into()),
            }
        }
        assert!(done <= QUEUED_PER_THREAD + 1, "{done} ran");
        assert!(busy >= QUEUED_PER_THREAD, "{busy} refused");
        Ok(())
    }
}
