//! Faults the test controls inject into the API: latency, and 500 or 429 answers at a chosen
//! point of the next calls.

/// Faults injected into the API by the test controls.
#[derive(Debug, Clone, Default)]
pub struct ApiFaults {
    pub latency_ms: u64,
    /// The next `count` API calls (whose path starts with `path_prefix`, if set) fail with `status`.
    pub failures: Option<FailurePlan>,
}

#[derive(Debug, Clone)]
pub struct FailurePlan {
    pub remaining: u32,
    pub status: u16,
    pub path_prefix: Option<String>,
    /// Only calls with this method (`GET`, `POST`), if set.
    pub method: Option<String>,
    pub mode: FailureMode,
}

/// Where in a request an injected failure happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailureMode {
    /// Before the endpoint runs: nothing happens, nothing is kept for the idempotency key.
    #[default]
    Before,
    /// Inside the endpoint, before it changed anything: the 500 is kept for the idempotency key
    /// and replayed to every retry with that key, as Stripe keeps answers (errors included)
    /// once an endpoint started executing.
    Stored,
    /// After the endpoint ran: its answer is kept for the idempotency key, but the caller gets
    /// it cut short (an unreadable body), as when the connection breaks or the caller crashes
    /// before it reads the answer.
    Lost,
}

impl FailureMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "before" => Some(Self::Before),
            "stored" => Some(Self::Stored),
            "lost" => Some(Self::Lost),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Before => "before",
            Self::Stored => "stored",
            Self::Lost => "lost",
        }
    }
}
