//! The shop's customers: `GET /admin/customers` lists the accounts (search by email, pages)
//! with how many orders each placed, what they paid and when they last ordered;
//! `GET /admin/customers/{id}` is one account with its orders.

mod db;
mod list;
mod show;

pub use list::customer_list;
pub use show::customer_page;
