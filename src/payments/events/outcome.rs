//! What became of a stored Stripe event (`stripe_events.outcome`).

use std::str::FromStr;

/// What became of an event, as stored in `stripe_events.outcome`. The processed outcomes are
/// ordered from least to most (an event that says several things takes the most any of them
/// did).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Outcome {
    /// Stored, not processed yet (or being processed).
    Received,
    /// Processing failed; kept with its error to be run again.
    Failed,
    /// An event type the shop does not act on, or about no order of this shop.
    Unhandled,
    /// It was about an order but changed nothing (a duplicate state, a refused transition).
    Ignored,
    /// It changed an order.
    Applied,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Self::Received,
        Self::Applied,
        Self::Ignored,
        Self::Unhandled,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Failed => "failed",
            Self::Applied => "applied",
            Self::Ignored => "ignored",
            Self::Unhandled => "unhandled",
        }
    }

    /// Not processed yet: a delivery (or a re-run) may still process it.
    pub fn is_waiting(self) -> bool {
        matches!(self, Self::Received | Self::Failed)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown event outcome")]
pub struct UnknownOutcome;

impl FromStr for Outcome {
    type Err = UnknownOutcome;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == s)
            .ok_or(UnknownOutcome)
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::domain::sql::text_column!(Outcome, "webhook event outcome");

/// The outcomes of events not processed yet.
pub(super) const WAITING: [Outcome; 2] = [Outcome::Received, Outcome::Failed];
