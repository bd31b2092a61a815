//! The product listing and product pages.

pub mod cache;
pub mod db;
pub mod images;
mod list;
mod show;

use actix_web::web;

pub use cache::CatalogCache;
pub use db::Product;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(list::product_listing))
        .route("/products/{slug}", web::get().to(show::product_page));
}
