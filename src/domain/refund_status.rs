//! A refund's status at Stripe, and the status of a refund the admin asked for.

use std::str::FromStr;

/// Where a refund stands at Stripe. A refund can be `pending` (or `requires_action`) before it
/// `succeeded`, and can still fail after it succeeded (the card was closed): `failed` and
/// `canceled` are final, and the money stays with the shop.
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
pub enum RefundStatus {
    Pending,
    RequiresAction,
    Succeeded,
    Failed,
    Canceled,
}

impl RefundStatus {
    pub const ALL: [RefundStatus; 5] = [
        Self::Pending,
        Self::RequiresAction,
        Self::Succeeded,
        Self::Failed,
        Self::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::RequiresAction => "requires_action",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending | Self::RequiresAction => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    /// The money is refunded, or on its way back: it counts as refunded (as Stripe counts it in
    /// a charge's `amount_refunded`).
    pub fn counts(self) -> bool {
        !matches!(self, Self::Failed | Self::Canceled)
    }

    /// How far along a refund is. Events arrive in any order, so a report never moves a refund
    /// back: `pending` after `succeeded`, or anything after `failed`, is an older report.
    fn rank(self) -> u8 {
        match self {
            Self::Pending | Self::RequiresAction => 0,
            Self::Succeeded => 1,
            Self::Failed | Self::Canceled => 2,
        }
    }

    /// Whether a report of `next` updates a refund known as `self`.
    pub fn may_become(self, next: RefundStatus) -> bool {
        self != next && (next.rank() > self.rank() || (next.rank() == 0 && self.rank() == 0))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown refund status")]
pub struct UnknownRefundStatus;

impl FromStr for RefundStatus {
    type Err = UnknownRefundStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(UnknownRefundStatus)
    }
}

crate::domain::sql::text_column!(RefundStatus, "refund status");

/// Where a refund the admin asked for stands: `requested` until Stripe answers (sent again
/// under the same key until then), `refused` when Stripe refused it, otherwise the status
/// Stripe gave the refund it made.
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
pub enum RefundRequestStatus {
    Requested,
    Refused,
    Pending,
    Succeeded,
    Failed,
    Canceled,
}

impl RefundRequestStatus {
    pub const ALL: [RefundRequestStatus; 6] = [
        Self::Requested,
        Self::Refused,
        Self::Pending,
        Self::Succeeded,
        Self::Failed,
        Self::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Refused => "refused",
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    /// What the admin's timeline says of it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Requested => "no answer from Stripe yet",
            Self::Pending => "accepted by Stripe, pending",
            Self::Succeeded => "accepted by Stripe",
            Self::Refused => "refused by Stripe",
            Self::Failed => "failed at Stripe",
            Self::Canceled => "canceled at Stripe",
        }
    }

    /// Stripe accepted the refund (it is made, or on its way).
    pub fn accepted(self) -> bool {
        matches!(self, Self::Pending | Self::Succeeded)
    }
}

impl From<RefundStatus> for RefundRequestStatus {
    fn from(status: RefundStatus) -> Self {
        match status {
            // Stored as pending: the request is answered, the refund is not done.
            RefundStatus::Pending | RefundStatus::RequiresAction => Self::Pending,
            RefundStatus::Succeeded => Self::Succeeded,
            RefundStatus::Failed => Self::Failed,
            RefundStatus::Canceled => Self::Canceled,
        }
    }
}

impl FromStr for RefundRequestStatus {
    type Err = UnknownRefundStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(UnknownRefundStatus)
    }
}

crate::domain::sql::text_column!(RefundRequestStatus, "refund request status");

#[cfg(test)]
mod tests {
    use super::RefundStatus::*;

    #[test]
    fn a_refund_never_moves_back() {
        assert!(Pending.may_become(Succeeded));
        assert!(Succeeded.may_become(Failed));
        assert!(Pending.may_become(Failed));
        assert!(!Succeeded.may_become(Pending));
        assert!(!Failed.may_become(Succeeded));
        assert!(!Failed.may_become(Pending));
        assert!(!Canceled.may_become(Failed));
        assert!(Pending.may_become(RequiresAction));
        assert!(!Succeeded.may_become(Succeeded));
    }

    #[test]
    fn failed_and_canceled_refunds_do_not_count() {
        assert!(Pending.counts());
        assert!(Succeeded.counts());
        assert!(!Failed.counts());
        assert!(!Canceled.counts());
    }
}
