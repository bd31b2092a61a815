//! Discount codes: the list, the form that makes one, and deactivation. A code's terms are
//! fixed once made (orders placed with it were priced by them); the owner stops one and makes
//! another instead.

mod create;
mod deactivate;
mod form;
mod list;

pub use create::create;
pub use deactivate::deactivate;
pub use list::list;
