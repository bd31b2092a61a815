//! A typed view of the session: who is signed in, which cart is theirs, the CSRF token, a
//! one-time flash message and the guest orders this browser placed. Where each is kept, and
//! for how long, is [`store`]'s business.

pub mod key;
pub mod store;

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const USER: &str = "user";
const CART: &str = "cart_id";
const CART_REVISION: &str = "cart_revision";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";
const GUEST_ORDERS: &str = "guest_orders";
/// A browser remembers only its most recent guest orders; older ones stay reachable by link.
const GUEST_ORDERS_KEPT: usize = 20;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionUser {
    pub id: i64,
    pub email: String,
    pub is_admin: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Info,
    Error,
}

impl FlashKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Error => "error",
        }
    }
}

pub struct ShopSession(Session);

impl ShopSession {
    pub fn from_request(req: &HttpRequest) -> Self {
        Self(req.get_session())
    }

    fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        match self.0.get::<T>(key) {
            Ok(value) => value,
            Err(e) => {
                tracing::warn!(key, error = %e, "ignoring an unreadable session value");
                self.0.remove(key);
                None
            }
        }
    }

    fn set<T: Serialize>(&self, key: &str, value: &T) {
        if let Err(e) = self.0.insert(key, value) {
            tracing::error!(key, error = %e, "could not store a session value");
        }
    }

    pub fn user(&self) -> Option<SessionUser> {
        self.get(USER)
    }

    /// Starts a signed-in session: a new session id against fixation, and a new CSRF token.
    pub fn sign_in(&self, user: &SessionUser, cart_id: Uuid) {
        self.0.renew();
        self.set(USER, user);
        self.set(CART, &cart_id);
        self.0.remove(CART_REVISION);
        self.set(CSRF, &new_token());
    }

    /// Forgets everything, on every server: the next cart is a new guest cart; the account's
    /// cart stays in the database for the next sign-in.
    pub fn sign_out(&self) {
        self.0.purge();
    }

    pub fn cart_id(&self) -> Option<Uuid> {
        self.get(CART)
    }

    pub fn set_cart_id(&self, cart_id: Uuid) {
        self.set(CART, &cart_id);
        self.0.remove(CART_REVISION);
    }

    /// The revision of the session's cart after this browser's last change to it.
    pub fn cart_revision(&self) -> Option<i64> {
        self.get(CART_REVISION)
    }

    /// This browser changed its cart: the header's count, on whichever server, is read at this
    /// revision or later (`src/cart/count.rs`).
    pub fn cart_changed(&self, revision: i64) {
        self.set(CART_REVISION, &revision);
    }

    /// The session's CSRF token, created on first use.
    pub fn csrf_token(&self) -> String {
        if let Some(token) = self.get::<String>(CSRF) {
            return token;
        }
        let token = new_token();
        self.set(CSRF, &token);
        token
    }

    /// Whether a submitted token is this session's; never creates one.
    pub fn csrf_matches(&self, submitted: &str) -> bool {
        self.get::<String>(CSRF)
            .is_some_and(|expected| constant_time_eq(expected.as_bytes(), submitted.as_bytes()))
    }

    pub fn flash(&self, kind: FlashKind, message: impl Into<String>) {
        self.set(
            FLASH,
            &Flash {
                kind,
                message: message.into(),
            },
        );
    }

    pub fn take_flash(&self) -> Option<Flash> {
        let flash = self.get(FLASH);
        if flash.is_some() {
            self.0.remove(FLASH);
        }
        flash
    }

    pub fn remember_guest_order(&self, order_id: Uuid) {
        let mut orders: Vec<Uuid> = self.get(GUEST_ORDERS).unwrap_or_default();
        orders.retain(|id| *id != order_id);
        orders.push(order_id);
        if orders.len() > GUEST_ORDERS_KEPT {
            orders.remove(0);
        }
        self.set(GUEST_ORDERS, &orders);
    }

    /// The guest orders this browser placed, oldest first.
    pub fn guest_orders(&self) -> Vec<Uuid> {
        self.get(GUEST_ORDERS).unwrap_or_default()
    }

    pub fn placed_guest_order(&self, order_id: Uuid) -> bool {
        self.get::<Vec<Uuid>>(GUEST_ORDERS)
            .is_some_and(|orders| orders.contains(&order_id))
    }
}

impl FromRequest for ShopSession {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::from_request(req)))
    }
}

/// 128 random bits, hex-encoded.
pub fn new_token() -> String {
    Uuid::new_v4().simple().to_string()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
