//! The shop's shared vocabulary: money, quantities, emails and an order's payment status.
//! Each type is parsed once at the edge, so code inside the shop never re-checks it.

mod email;
mod money;
mod payment_status;
mod quantity;

pub use email::Email;
pub use money::{Currency, Money, MoneyError};
pub use payment_status::{PaymentStatus, Transition};
pub use quantity::Quantity;
