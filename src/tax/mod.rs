//! Tax by destination: the owner's table of rates by country (`db`). Prices are without tax;
//! checkout adds the destination's rate to each order line and to shipping.

pub mod db;

pub use db::TaxRate;
