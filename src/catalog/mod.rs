//! The product listings (everything, a category, a search) and product pages.

pub mod browse;
pub mod cache;
pub mod db;
mod grid;
pub mod images;
mod list;
pub mod search_limit;
mod show;

use actix_web::web;

pub use cache::CatalogCache;
pub use db::Product;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(list::product_listing))
        .route("/category/{slug}", web::get().to(list::category_listing))
        .route("/search", web::get().to(list::search))
        .route("/products/{slug}", web::get().to(show::product_page));
}
