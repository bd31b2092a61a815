//! What a resource's handler knows about its request.

use crate::store::Origin;

/// Which key authenticated the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Secret,
    Publishable,
}

/// What a handler knows about its request.
pub struct Ctx {
    pub origin: Origin,
    pub key: KeyKind,
    /// Path segments after `/v1/`.
    pub segments: Vec<String>,
    /// A fresh 3-D Secure challenge id and its page's absolute URL.
    pub challenge: (String, String),
    /// The absolute URL of the sandbox's mount point, ending in `/` (its pages live under it).
    pub pages: String,
}

impl Ctx {
    pub fn publishable(&self) -> bool {
        self.key == KeyKind::Publishable
    }

    /// The path segment at `i` (the object id of `/v1/resource/{id}`).
    pub fn segment(&self, i: usize) -> &str {
        self.segments.get(i).map(String::as_str).unwrap_or("")
    }
}
