//! The objects the sandbox keeps, one file per Stripe resource, and their JSON in Stripe's shape
//! at the API version async-stripe pins. They know nothing of the store or of HTTP.

mod catalog;
mod charge;
mod checkout_session;
mod customer;
mod dispute;
mod event;
mod invoice;
pub mod json_text;
mod metadata;
mod payment_intent;
mod payment_method;
mod refund;
mod sepa_debit;
mod subscription;

pub use catalog::{Price, Product, Recurring};
pub use charge::{Charge, ChargeFailure};
pub use checkout_session::{CheckoutSession, SessionLine, SessionStatus, SubscriptionData};
pub use customer::Customer;
pub use dispute::Dispute;
pub use event::Event;
pub use invoice::{Invoice, InvoiceLine, InvoicePayment, InvoiceStatus};
pub use json_text::JsonText;
pub use metadata::Metadata;
pub use payment_intent::{PaymentIntent, Status};
pub use payment_method::PaymentMethod;
pub use refund::Refund;
pub use sepa_debit::SepaDebit;
pub use subscription::{SubStatus, Subscription, SubscriptionItem};
