//! argon2id hashing on a small pool of threads of its own.
//!
//! Each hash takes 19 MiB for about 50 ms. On tokio's blocking pool (up to 512 threads) a
//! burst of sign-ins ran that many at once, and glibc kept every thread's arena afterwards:
//! 500 failed sign-ins took the shop to 3 GB. Here a fixed number of threads hash, a bounded
//! queue waits for them, and a request beyond the queue is refused at once ([`HashError::Busy`]).
//! Each thread allocates its 19 MiB once and hashes in it every time, so the allocator never
//! sees the large blocks come and go: hashing takes threads × 19 MiB, whatever the rate of
//! sign-ins.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{
    Output, ParamsString, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

pub const MIN_LENGTH: usize = 8;
/// Long enough for any passphrase, short enough that hashing cost stays bounded.
pub const MAX_LENGTH: usize = 256;
/// Requests that may wait for a hashing thread, per thread (each waits about 50 ms per
/// request ahead of it).
const QUEUED_PER_THREAD: usize = 32;

/// OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
fn params() -> anyhow::Result<Params> {
    Params::new(19_456, 2, 1, None).map_err(|e| anyhow::anyhow!("argon2 params: {e}"))
}

fn hasher() -> anyhow::Result<Argon2<'static>> {
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params()?))
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

/// A job runs on a hashing thread with that thread's memory.
type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

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
        let blocks = params()?.block_count();
        for i in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || work(&queue, blocks))
                .context("starting a password hashing thread")?;
        }
        Ok(Self { jobs })
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut [Block]) -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = done.send(job(memory));
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
        self.run(move |memory| hash_in(&password, memory)).await
    }

    /// Whether `password` matches `stored`; with `None` a dummy hash is checked and the answer
    /// is no.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        self.run(move |memory| verify_in(&password, stored.as_deref(), memory))
            .await
    }
}

fn work(queue: &Mutex<Receiver<Job>>, blocks: usize) {
    // Allocated with the first job, so that a shop nobody signs in to does not hold it.
    let mut memory = Vec::new();
    loop {
        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match job {
            Ok(job) => {
                if memory.is_empty() {
                    memory = vec![Block::default(); blocks];
                }
                job(&mut memory)
            }
            // Every sender is gone: the shop has stopped.
            Err(_) => return,
        }
    }
}

/// Hashes on the calling thread with memory of its own: for the command line.
pub fn hash_now(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
    Ok(hash.to_string())
}

/// What `Argon2::hash_password` makes, computed in `memory`.
fn hash_in(password: &str, memory: &mut [Block]) -> anyhow::Result<String> {
    let params = params()?;
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let argon = hasher()?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        Ok(argon.hash_password_into_with_memory(
            password.as_bytes(),
            salt_bytes,
            out,
            &mut *memory,
        )?)
    })
    .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
    let hash = PasswordHash {
        algorithm: ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)
            .map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// What `Argon2::verify_password` answers, computed in `memory` (a hash made with other
/// parameters than fit there is checked the ordinary way).
fn verify_in(password: &str, stored: Option<&str>, memory: &mut [Block]) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(stored.unwrap_or(DUMMY_HASH))
        .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
    let params = Params::try_from(&parsed).map_err(|e| anyhow::anyhow!("hash params: {e}"))?;
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        anyhow::bail!("stored hash has no salt or output");
    };
    if parsed.algorithm != ARGON2ID_IDENT || params.block_count() > memory.len() {
        let matches = hasher()?
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        return Ok(stored.is_some() && matches);
    }
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| anyhow::anyhow!("hash version: {e}"))?
        .unwrap_or_default();
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let argon = Argon2::new(Algorithm::Argon2id, version, params);
    let computed = Output::init_with(expected.len(), |out| {
        Ok(argon.hash_password_into_with_memory(
            password.as_bytes(),
            salt_bytes,
            out,
            &mut *memory,
        )?)
    })
    .map_err(|e| anyhow::anyhow!("verifying a password: {e}"))?;
    // `Output`'s equality is constant-time.
    Ok(stored.is_some() && computed == expected)
}

impl From<HashError> for crate::error::AppError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => Self::Busy,
            HashError::Failed(e) => Self::Unexpected(e),
        }
    }
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

    #[test]
    fn hashes_in_kept_memory_are_argon2s_own() -> anyhow::Result<()> {
        let mut memory = vec![Block::default(); params()?.block_count()];
        let made_here = hash_in("correct horse", &mut memory)?;
        let made_by_argon2 = hash_now("correct horse")?;
        for hash in [&made_here, &made_by_argon2] {
            assert!(verify_in("correct horse", Some(hash), &mut memory)?);
            assert!(!verify_in("wrong horse", Some(hash), &mut memory)?);
            let parsed = PasswordHash::new(hash).map_err(|e| anyhow::anyhow!("{e}"))?;
            assert!(hasher()?.verify_password(b"correct horse", &parsed).is_ok());
        }
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
