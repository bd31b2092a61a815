//! An order's payment status and its one-way state machine.

use std::fmt;
use std::str::FromStr;

/// Where an order's money stands. Changes only through [`PaymentStatus::transition_to`], which
/// knows the one-way state machine of design.md:
///
/// ```text
/// pending ──> requires_action ──> paid <──> partially_refunded <──> refunded
///    │  ^            │                (a refund that fails at Stripe moves it back)
///    │  └── failed <─┘   (a failed attempt can be retried)
///    └──> cancelled
///
/// paid / partially_refunded / refunded ──> disputed ──> (won) back where it was
///                                                   └─> (lost) dispute_lost
/// ```
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
pub enum PaymentStatus {
    Pending,
    RequiresAction,
    Paid,
    Failed,
    PartiallyRefunded,
    Refunded,
    Cancelled,
    /// The cardholder's bank disputes the payment: a chargeback or an inquiry is open.
    Disputed,
    /// The dispute was lost: the bank took the money back.
    DisputeLost,
}

/// What applying a new status to an order means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The order moves to the new status.
    Apply,
    /// The order is already there; nothing changes.
    Unchanged,
    /// The machine does not allow it (a late failure after `paid`, anything after `cancelled`):
    /// recorded and ignored.
    Refused,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 9] = [
        Self::Pending,
        Self::RequiresAction,
        Self::Paid,
        Self::Failed,
        Self::PartiallyRefunded,
        Self::Refunded,
        Self::Cancelled,
        Self::Disputed,
        Self::DisputeLost,
    ];

    /// The statuses in which the shopper can still pay ([`Self::awaits_payment`]).
    pub const AWAITING_PAYMENT: [PaymentStatus; 3] =
        [Self::Pending, Self::RequiresAction, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::RequiresAction => "requires_action",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
            Self::Cancelled => "cancelled",
            Self::Disputed => "disputed",
            Self::DisputeLost => "dispute_lost",
        }
    }

    /// The words a shopper or shop owner reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Awaiting payment",
            Self::RequiresAction => "Awaiting authentication",
            Self::Paid => "Paid",
            Self::Failed => "Payment failed",
            Self::PartiallyRefunded => "Partially refunded",
            Self::Refunded => "Refunded",
            Self::Cancelled => "Cancelled",
            Self::Disputed => "Disputed",
            Self::DisputeLost => "Dispute lost",
        }
    }

    /// The shopper can still pay for the order.
    pub fn awaits_payment(self) -> bool {
        Self::AWAITING_PAYMENT.contains(&self)
    }

    /// Money was received for the order (some of it may have been refunded or disputed since).
    pub fn was_paid(self) -> bool {
        matches!(
            self,
            Self::Paid
                | Self::PartiallyRefunded
                | Self::Refunded
                | Self::Disputed
                | Self::DisputeLost
        )
    }

    pub fn transition_to(self, next: PaymentStatus) -> Transition {
        use PaymentStatus::*;
        if self == next && self != PartiallyRefunded {
            return Transition::Unchanged;
        }
        let allowed = match self {
            Pending => matches!(next, RequiresAction | Paid | Failed | Cancelled),
            RequiresAction => matches!(next, Pending | Paid | Failed | Cancelled),
            Failed => matches!(next, Pending | RequiresAction | Paid | Cancelled),
            Paid => matches!(next, PartiallyRefunded | Refunded | Disputed),
            // A second partial refund changes the amounts but keeps the status; a refund that
            // fails at Stripe (after it was pending, or even after it succeeded) gives the
            // money back to the shop, and the order moves back.
            PartiallyRefunded => matches!(next, Paid | PartiallyRefunded | Refunded | Disputed),
            Refunded => matches!(next, Paid | PartiallyRefunded | Disputed),
            // Won (or an inquiry closed): back where the refunds say; lost: the money is gone.
            Disputed => matches!(next, Paid | PartiallyRefunded | Refunded | DisputeLost),
            // Only another dispute of the same payment moves it again.
            DisputeLost => matches!(next, Disputed),
            Cancelled => false,
        };
        if allowed {
            Transition::Apply
        } else {
            Transition::Refused
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown payment status")]
pub struct UnknownStatus;

impl FromStr for PaymentStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(UnknownStatus)
    }
}

crate::domain::sql::text_column!(PaymentStatus, "payment status");

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::PaymentStatus::*;
    use super::*;

    #[test]
    fn paid_is_never_demoted_by_a_late_failure_or_processing_event() {
        assert_eq!(Paid.transition_to(Failed), Transition::Refused);
        assert_eq!(Paid.transition_to(Pending), Transition::Refused);
        assert_eq!(Paid.transition_to(RequiresAction), Transition::Refused);
        assert_eq!(Paid.transition_to(Cancelled), Transition::Refused);
    }

    #[test]
    fn a_failed_attempt_can_be_retried() {
        assert_eq!(Failed.transition_to(Paid), Transition::Apply);
        assert_eq!(Failed.transition_to(RequiresAction), Transition::Apply);
        assert_eq!(Failed.transition_to(Pending), Transition::Apply);
    }

    #[test]
    fn refunds_only_follow_payment() {
        assert_eq!(Pending.transition_to(Refunded), Transition::Refused);
        assert_eq!(Paid.transition_to(Refunded), Transition::Apply);
        assert_eq!(
            PartiallyRefunded.transition_to(PartiallyRefunded),
            Transition::Apply
        );
        assert_eq!(PartiallyRefunded.transition_to(Paid), Transition::Apply);
    }

    #[test]
    fn cancelled_is_final_and_refunded_moves_back_only_when_a_refund_fails() {
        for next in PaymentStatus::ALL {
            assert_ne!(Cancelled.transition_to(next), Transition::Apply);
        }
        assert_eq!(Refunded.transition_to(Paid), Transition::Apply);
        assert_eq!(Refunded.transition_to(PartiallyRefunded), Transition::Apply);
        assert_eq!(Refunded.transition_to(Pending), Transition::Refused);
        assert_eq!(Refunded.transition_to(Cancelled), Transition::Refused);
    }

    #[test]
    fn a_paid_order_can_be_disputed_and_a_dispute_is_won_or_lost() {
        for paid in [Paid, PartiallyRefunded, Refunded] {
            assert_eq!(paid.transition_to(Disputed), Transition::Apply);
            assert_eq!(Disputed.transition_to(paid), Transition::Apply);
        }
        assert_eq!(Disputed.transition_to(DisputeLost), Transition::Apply);
        assert_eq!(DisputeLost.transition_to(Paid), Transition::Refused);
        assert_eq!(Pending.transition_to(Disputed), Transition::Refused);
        assert_eq!(Disputed.transition_to(Cancelled), Transition::Refused);
        assert!(Disputed.was_paid() && DisputeLost.was_paid());
    }

    #[test]
    fn statuses_round_trip_through_their_database_names() {
        for status in PaymentStatus::ALL {
            assert_eq!(status.as_str().parse::<PaymentStatus>().ok(), Some(status));
        }
    }
}
