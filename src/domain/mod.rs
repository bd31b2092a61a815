//! The shop's shared vocabulary: money, quantities, emails, an order's payment status, a
//! refund's and a dispute's status. Each type is parsed once at the edge, so code inside the
//! shop never re-checks it; the status types and currencies are stored as text columns and read
//! back strictly ([`sql`]).

mod address;
mod dispute_status;
mod email;
mod event_cause;
mod money;
mod payment_status;
mod quantity;
mod refund_status;
pub(crate) mod sql;
mod stock_reason;

pub use address::{AddressForm, Country, FieldError, ShippingAddress};
pub use dispute_status::DisputeStatus;
pub use email::Email;
pub use event_cause::EventCause;
pub use money::{Currency, Money, MoneyError};
pub use payment_status::{PaymentStatus, Transition};
pub use quantity::Quantity;
pub use refund_status::{RefundRequestStatus, RefundStatus};
pub use stock_reason::StockReason;
