//! Orders as shoppers see them: "My orders", an order's page, and who may see which order.

mod access;
pub mod db;
mod list;
mod show;

use actix_web::web;

pub use access::{Access, access, require_owner};
pub use db::{Order, OrderItem};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/orders", web::get().to(list::my_orders))
        .route("/orders/{id}", web::get().to(show::order_page));
}
