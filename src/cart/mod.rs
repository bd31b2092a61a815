//! The cart: one per browser session, and one per account once the shopper signs in.

mod add;
pub mod count;
mod current;
pub mod db;
mod show;
mod summary;
mod update;

use actix_web::web;

pub use count::CartCounts;
pub use current::cart_for_update;
pub use db::CartLine;
pub use summary::CartSummary;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/cart", web::get().to(show::cart_page))
        .route("/cart/items", web::post().to(add::add_to_cart))
        .route(
            "/cart/items/{product_id}",
            web::post().to(update::update_line),
        )
        .route(
            "/cart/items/{product_id}/remove",
            web::post().to(update::remove_line),
        );
}
