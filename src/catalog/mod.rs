//! The product listing and product pages.

pub mod cache;
pub mod db;
mod list;
mod show;

use actix_web::web;

use crate::domain::Money;

pub use cache::CatalogCache;
pub use db::Product;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(list::product_listing))
        .route("/products/{slug}", web::get().to(show::product_page));
}

impl Product {
    pub fn price(&self) -> Money {
        Money::new(self.price_minor, self.currency)
    }

    /// The listing's image: an upload's thumbnail, or the shipped image itself.
    pub fn thumbnail_path(&self) -> String {
        crate::admin::products::image::thumbnail_of(&self.image_path)
    }

    pub fn stock_label(&self) -> String {
        match self.stock {
            0 => "Sold out".into(),
            1..=5 => format!("Only {} left", self.stock),
            _ => "In stock".into(),
        }
    }
}
