//! What an outbox row is about (`outbox.kind`), where it stands (`outbox.status`), and the facts
//! an order notice carries from the moment it was decided.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What an email is about.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Kind {
    OrderConfirmation,
    PaymentFailed,
    Refund,
    PasswordReset,
    OrderLookup,
    /// A member's free trial ends in a few days.
    ClubTrialEnding,
    /// A membership's renewal could not be charged.
    ClubPaymentFailed,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Self::OrderConfirmation,
        Self::PaymentFailed,
        Self::Refund,
        Self::PasswordReset,
        Self::OrderLookup,
        Self::ClubTrialEnding,
        Self::ClubPaymentFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderConfirmation => "order_confirmation",
            Self::PaymentFailed => "payment_failed",
            Self::Refund => "refund",
            Self::PasswordReset => "password_reset",
            Self::OrderLookup => "order_lookup",
            Self::ClubTrialEnding => "club_trial_ending",
            Self::ClubPaymentFailed => "club_payment_failed",
        }
    }

    /// How the owner's list names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::OrderConfirmation => "Order confirmation",
            Self::PaymentFailed => "Payment failed",
            Self::Refund => "Refund",
            Self::PasswordReset => "Password reset",
            Self::OrderLookup => "Order link",
            Self::ClubTrialEnding => "Club trial ending",
            Self::ClubPaymentFailed => "Club payment failed",
        }
    }

    /// Its body holds a link that opens an account: once sent, the outbox forgets the body.
    pub fn carries_a_secret_link(self) -> bool {
        self == Self::PasswordReset
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown email kind")]
pub struct UnknownKind;

impl FromStr for Kind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(UnknownKind)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::domain::sql::text_column!(Kind, "email kind");

/// Where an email stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Status {
    /// Waiting for its time (`send_after`): new, or after a failed attempt.
    Pending,
    /// A worker holds it (until `lease_until`) and is sending it.
    Sending,
    Sent,
    /// It will not be tried again unless the owner asks: the server refused it for good, or
    /// every attempt failed.
    Failed,
    /// What it announced stopped being true before it went (a failed payment that was paid).
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Self::Pending,
        Self::Sending,
        Self::Sent,
        Self::Failed,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Withdrawn => "withdrawn",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown email status")]
pub struct UnknownStatus;

impl FromStr for Status {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(UnknownStatus)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::domain::sql::text_column!(Status, "email status");

/// A refund notice: what this refund gave back, and what has been given back in all.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct RefundFacts {
    pub refunded_minor: i64,
    pub total_refunded_minor: i64,
}

/// A failed payment's notice: Stripe's words for the last attempt, when it gave any.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FailureFacts {
    pub reason: Option<String>,
}

/// A membership notice: what it is about, in words decided when Stripe said it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClubFacts {
    /// "Monthly, $5.00 a month".
    pub plan: String,
    /// The trial's end, or when Stripe tries the renewal again (if it says).
    pub date: Option<String>,
    /// Stripe's page of the unpaid invoice.
    pub invoice_url: Option<String>,
}
