//! The shop's shared vocabulary: money, quantities, emails, an order's payment status and a refund's status.
//! Each type is parsed once at the edge, so code inside the shop never re-checks it.

mod dispute_status;
mod email;
mod money;
mod payment_status;
mod quantity;
mod refund_status;

pub use dispute_status::DisputeStatus;
pub use email::Email;
pub use money::{Currency, Money, MoneyError};
pub use payment_status::{PaymentStatus, Transition};
pub use quantity::Quantity;
pub use refund_status::RefundStatus;
