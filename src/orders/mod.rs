//! Orders as shoppers see them: "My orders", an order's page, finding a guest order by its
//! number and email, who may see which order, and an order's lines and totals.

mod access;
pub mod db;
mod list;
mod lookup;
mod show;
pub mod summary;

use actix_web::web;

pub use access::{Access, access, require_owner};
pub use db::{Order, OrderItem};
pub use summary::OrderSummary;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/orders", web::get().to(list::my_orders))
        .route("/orders/lookup", web::get().to(lookup::lookup_page))
        .route("/orders/lookup", web::post().to(lookup::look_up))
        .route("/orders/{id}", web::get().to(show::order_page));
}
