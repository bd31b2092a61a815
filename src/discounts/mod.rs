//! Discount codes: the owner's codes (`db`), checked on the review page and redeemed — counted
//! once, in the database — in the transaction that places the order.

pub mod db;

pub use db::{DiscountCode, DiscountProblem};
