//! A membership's status as Stripe names it (`club_subscriptions.status`), and an invoice's
//! (`club_invoices.status`), read back strictly.

use std::str::FromStr;

/// Stripe's subscription statuses.
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
pub enum MembershipStatus {
    Incomplete,
    IncompleteExpired,
    Trialing,
    Active,
    PastDue,
    Unpaid,
    Canceled,
    Paused,
}

impl MembershipStatus {
    pub const ALL: [MembershipStatus; 8] = [
        Self::Trialing,
        Self::Active,
        Self::PastDue,
        Self::Unpaid,
        Self::Incomplete,
        Self::Paused,
        Self::Canceled,
        Self::IncompleteExpired,
    ];

    /// The statuses that give the member benefit: a paid or trialing membership.
    pub const WITH_BENEFIT: [MembershipStatus; 2] = [Self::Active, Self::Trialing];

    /// The statuses of a membership that has not ended (one a user can still manage).
    pub const LIVE: [MembershipStatus; 6] = [
        Self::Trialing,
        Self::Active,
        Self::PastDue,
        Self::Unpaid,
        Self::Incomplete,
        Self::Paused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incomplete => "incomplete",
            Self::IncompleteExpired => "incomplete_expired",
            Self::Trialing => "trialing",
            Self::Active => "active",
            Self::PastDue => "past_due",
            Self::Unpaid => "unpaid",
            Self::Canceled => "canceled",
            Self::Paused => "paused",
        }
    }

    /// How the account and admin pages say it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Incomplete => "Waiting for the first payment",
            Self::IncompleteExpired => "Never started",
            Self::Trialing => "Free trial",
            Self::Active => "Active",
            Self::PastDue => "Payment overdue",
            Self::Unpaid => "Unpaid",
            Self::Canceled => "Ended",
            Self::Paused => "Paused",
        }
    }

    /// Not ended: the member can still manage it (and cannot start a second one).
    pub fn is_live(self) -> bool {
        Self::LIVE.contains(&self)
    }

    pub fn gives_benefit(self) -> bool {
        Self::WITH_BENEFIT.contains(&self)
    }

    /// Stripe never moves a subscription out of these: a later event that says otherwise is
    /// older than what the shop knows.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Canceled | Self::IncompleteExpired)
    }

    pub fn from_stripe(status: &stripe_shared::SubscriptionStatus) -> Option<Self> {
        use stripe_shared::SubscriptionStatus as S;
        Some(match status {
            S::Incomplete => Self::Incomplete,
            S::IncompleteExpired => Self::IncompleteExpired,
            S::Trialing => Self::Trialing,
            S::Active => Self::Active,
            S::PastDue => Self::PastDue,
            S::Unpaid => Self::Unpaid,
            S::Canceled => Self::Canceled,
            S::Paused => Self::Paused,
            _ => return None,
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown membership status")]
pub struct UnknownStatus;

impl FromStr for MembershipStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or(UnknownStatus)
    }
}

impl std::fmt::Display for MembershipStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::domain::sql::text_column!(MembershipStatus, "membership status");

/// Stripe's invoice statuses. `draft` → `open` → `paid` | `void` | `uncollectible`, and an
/// uncollectible invoice can still be paid or voided; nothing leaves `paid` or `void`.
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
pub enum InvoiceStatus {
    Draft,
    Open,
    Paid,
    Void,
    Uncollectible,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 5] = [
        Self::Draft,
        Self::Open,
        Self::Paid,
        Self::Void,
        Self::Uncollectible,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Paid => "paid",
            Self::Void => "void",
            Self::Uncollectible => "uncollectible",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Open => "Due",
            Self::Paid => "Paid",
            Self::Void => "Void",
            Self::Uncollectible => "Uncollectible",
        }
    }

    /// Whether Stripe moves an invoice from `self` to `to`.
    pub fn can_become(self, to: Self) -> bool {
        use InvoiceStatus::*;
        match (self, to) {
            (a, b) if a == b => false,
            (Draft, _) => true,
            (Open, Paid | Void | Uncollectible) => true,
            (Uncollectible, Paid | Void) => true,
            _ => false,
        }
    }

    pub fn from_stripe(status: &stripe_shared::InvoiceStatus) -> Option<Self> {
        use stripe_shared::InvoiceStatus as S;
        Some(match status {
            S::Draft => Self::Draft,
            S::Open => Self::Open,
            S::Paid => Self::Paid,
            S::Void => Self::Void,
            S::Uncollectible => Self::Uncollectible,
            _ => return None,
        })
    }
}

impl FromStr for InvoiceStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or(UnknownStatus)
    }
}

crate::domain::sql::text_column!(InvoiceStatus, "invoice status");

#[cfg(test)]
mod tests {
    use super::InvoiceStatus::*;
    use super::MembershipStatus;

    #[test]
    fn only_active_and_trialing_give_the_benefit() {
        let with: Vec<_> = MembershipStatus::ALL
            .into_iter()
            .filter(|s| s.gives_benefit())
            .collect();
        assert_eq!(with, [MembershipStatus::Trialing, MembershipStatus::Active]);
    }

    #[test]
    fn a_paid_or_void_invoice_never_changes() {
        assert!(Draft.can_become(Open));
        assert!(Open.can_become(Paid));
        assert!(Uncollectible.can_become(Paid));
        assert!(!Paid.can_become(Open));
        assert!(!Void.can_become(Paid));
        assert!(!Paid.can_become(Paid));
    }
}
