//! Who or what moved an order, as its timeline records it.

use std::str::FromStr;

/// Who or what moved an order (`order_events.cause`), as its timeline says.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum EventCause {
    Checkout,
    Webhook,
    Return,
    Reconciler,
    Shopper,
    Admin,
}

impl EventCause {
    pub const ALL: [EventCause; 6] = [
        Self::Checkout,
        Self::Webhook,
        Self::Return,
        Self::Reconciler,
        Self::Shopper,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Checkout => "checkout",
            Self::Webhook => "webhook",
            Self::Return => "return",
            Self::Reconciler => "reconciler",
            Self::Shopper => "shopper",
            Self::Admin => "admin",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown order event cause")]
pub struct UnknownCause;

impl FromStr for EventCause {
    type Err = UnknownCause;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|cause| cause.as_str() == s)
            .ok_or(UnknownCause)
    }
}

impl std::fmt::Display for EventCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::domain::sql::text_column!(EventCause, "order event cause");
