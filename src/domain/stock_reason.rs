//! Why a product's stock changed, as the stock history (`stock_changes.reason`) records it.

use std::str::FromStr;

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
pub enum StockReason {
    /// An order was placed: its units are held for it.
    Checkout,
    /// An unpaid order was cancelled (by the shopper, or its reservation ran out).
    Cancellation,
    /// A refund put units back on the shelf.
    Refund,
    /// The owner changed the stock in the admin.
    Admin,
}

impl StockReason {
    pub const ALL: [StockReason; 4] = [
        Self::Checkout,
        Self::Cancellation,
        Self::Refund,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Checkout => "checkout",
            Self::Cancellation => "cancellation",
            Self::Refund => "refund",
            Self::Admin => "admin",
        }
    }

    /// How the admin's stock history names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Checkout => "Reserved by an order",
            Self::Cancellation => "Released: order cancelled",
            Self::Refund => "Returned by a refund",
            Self::Admin => "Changed by an admin",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown stock change reason")]
pub struct UnknownStockReason;

impl FromStr for StockReason {
    type Err = UnknownStockReason;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|reason| reason.as_str() == s)
            .ok_or(UnknownStockReason)
    }
}

crate::domain::sql::text_column!(StockReason, "stock change reason");
