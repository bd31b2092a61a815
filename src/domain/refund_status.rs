use std::str::FromStr;

/// Where a refund stands at Stripe. A refund can be `pending` (or `requires_action`) before it
/// `succeeded`, and can still fail after it succeeded (the card was closed): `failed` and
/// `canceled` are final, and the money stays with the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
