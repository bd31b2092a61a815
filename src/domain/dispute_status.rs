//! A dispute's status, in Stripe's words.

use std::str::FromStr;

/// Where a dispute of a payment stands, in Stripe's words. Chargebacks take the money while
/// they are open; inquiries (`warning_*`) do not, and close without a fee.
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
pub enum DisputeStatus {
    WarningNeedsResponse,
    WarningUnderReview,
    WarningClosed,
    NeedsResponse,
    UnderReview,
    AppealNeedsResponse,
    AppealUnderReview,
    Won,
    Lost,
    Prevented,
}

impl DisputeStatus {
    pub const ALL: [DisputeStatus; 10] = [
        Self::WarningNeedsResponse,
        Self::WarningUnderReview,
        Self::WarningClosed,
        Self::NeedsResponse,
        Self::UnderReview,
        Self::AppealNeedsResponse,
        Self::AppealUnderReview,
        Self::Won,
        Self::Lost,
        Self::Prevented,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::WarningNeedsResponse => "warning_needs_response",
            Self::WarningUnderReview => "warning_under_review",
            Self::WarningClosed => "warning_closed",
            Self::NeedsResponse => "needs_response",
            Self::UnderReview => "under_review",
            Self::AppealNeedsResponse => "appeal_needs_response",
            Self::AppealUnderReview => "appeal_under_review",
            Self::Won => "won",
            Self::Lost => "lost",
            Self::Prevented => "prevented",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::WarningNeedsResponse => "inquiry, needs a response",
            Self::WarningUnderReview => "inquiry, under review",
            Self::WarningClosed => "inquiry closed",
            Self::NeedsResponse => "needs a response",
            Self::UnderReview => "under review",
            Self::AppealNeedsResponse => "appeal, needs a response",
            Self::AppealUnderReview => "appeal, under review",
            Self::Won => "won",
            Self::Lost => "lost",
            Self::Prevented => "prevented",
        }
    }

    /// The dispute is not decided yet: the amount is at stake.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::WarningNeedsResponse
                | Self::WarningUnderReview
                | Self::NeedsResponse
                | Self::UnderReview
                | Self::AppealNeedsResponse
                | Self::AppealUnderReview
        )
    }

    /// Whether a report of `next` updates a dispute known as `self`. Reports arrive in any
    /// order: a decided dispute is decided (a lost one may only be appealed).
    pub fn may_become(self, next: DisputeStatus) -> bool {
        self != next
            && (self.is_open()
                || (self == Self::Lost
                    && matches!(next, Self::AppealNeedsResponse | Self::AppealUnderReview)))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown dispute status")]
pub struct UnknownDisputeStatus;

impl FromStr for DisputeStatus {
    type Err = UnknownDisputeStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(UnknownDisputeStatus)
    }
}

crate::domain::sql::text_column!(DisputeStatus, "dispute status");

#[cfg(test)]
mod tests {
    use super::DisputeStatus::*;

    #[test]
    fn a_decided_dispute_is_not_reopened_by_an_older_report() {
        assert!(NeedsResponse.may_become(UnderReview));
        assert!(UnderReview.may_become(Won));
        assert!(!Won.may_become(NeedsResponse));
        assert!(!Lost.may_become(UnderReview));
        assert!(Lost.may_become(AppealNeedsResponse));
        assert!(WarningNeedsResponse.may_become(WarningClosed));
        assert!(!WarningClosed.may_become(WarningNeedsResponse));
    }
}
