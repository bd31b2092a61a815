//! Tax rates by destination: the list, a form that sets a country's rate (new or replacing
//! the one it has), and removal (that country is then charged no tax).

mod form;
mod list;
mod remove;
mod set;

pub use list::list;
pub use remove::remove;
pub use set::set;
