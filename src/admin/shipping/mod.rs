//! Shipping methods: the list, each method's rate, free-from threshold and whether checkout
//! offers it, and a form that adds one.

mod add;
mod form;
mod list;
mod update;

pub use add::add;
pub use list::list;
pub use update::update;
