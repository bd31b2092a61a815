//! Emails: how each is written (askama templates in `templates/email/`, [`messages`]), how
//! order notices are written from their order ([`notices`]), how they leave the shop
//! ([`transport`]: SMTP with lettre, or the [`mailbox`] of a shop without SMTP), and the worker
//! that sends what the outbox holds ([`worker`]).

pub mod mailbox;
pub mod messages;
mod notices;
pub mod transport;
pub mod worker;

pub use transport::Transport;
