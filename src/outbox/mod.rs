//! The outbox: every email the shop owes someone, written in the same transaction as the change
//! it announces (an order paid, a refund, a reset asked for) and sent later by the email worker
//! (`crate::email::worker`). This module only keeps the table; it knows nothing of templates or
//! SMTP, so anything that decides an email (the payment transition, accounts, order lookup) can
//! write one without importing how emails are written or sent.

pub mod db;
mod mail;

pub use db::{Mail, NewMail, Written, enqueue};
pub use mail::{ClubFacts, FailureFacts, Kind, RefundFacts, Status};
