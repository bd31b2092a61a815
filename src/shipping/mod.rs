//! Shipping methods: the owner's table of how goods travel and what that costs (`db`), read by
//! checkout to offer them and to price the one chosen.

pub mod db;

pub use db::ShippingMethod;
