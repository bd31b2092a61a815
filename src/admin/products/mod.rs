//! Products and stock: the list, the form to create or edit one (with a first image chosen from
//! the shipped ones or uploaded), a product's images, its options (variants) and stock history,
//! and deactivation.

pub mod active;
pub mod edit;
mod form;
pub mod image;
pub mod images;
pub mod list;
pub mod save;
pub mod variants;
