//! The shop owner's side: the payment status dashboard, an order's payment timeline and its
//! refunds, products and stock, customers, Storefront Club memberships, discount codes, shipping methods, tax rates, webhook deliveries, and emails. Every route sits behind
//! [`require_admin`], which checks the account's admin flag in the database on each request
//! (the session's copy may be stale).

pub mod cli;
mod customers;
mod dashboard;
pub mod db;
mod discounts;
mod emails;
mod export;
mod format;
mod guard;
mod order;
pub mod products;
mod refund;
mod rerun;
mod shipping;
mod subscriptions;
mod tax;
mod webhooks;

use actix_web::middleware::from_fn;
use actix_web::web;

pub use guard::AdminUser;
use guard::require_admin;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/admin")
            .wrap(from_fn(require_admin))
            .route("", web::get().to(dashboard::dashboard))
            .route("/orders.csv", web::get().to(export::orders_csv))
            .route("/orders/{id}", web::get().to(order::order_page))
            .route("/orders/{id}/refunds", web::post().to(refund::refund))
            .route("/products", web::get().to(products::list::product_list))
            .route("/products", web::post().to(products::save::create))
            .route("/products/new", web::get().to(products::edit::new_page))
            .route(
                "/products/{id}/edit",
                web::get().to(products::edit::edit_page),
            )
            .route("/products/{id}", web::post().to(products::save::update))
            .route(
                "/products/{id}/images",
                web::get().to(products::images::images_page),
            )
            .route(
                "/products/{id}/images",
                web::post().to(products::images::add),
            )
            .route(
                "/products/{id}/images/{image}/alt",
                web::post().to(products::images::set_alt),
            )
            .route(
                "/products/{id}/images/{image}/move",
                web::post().to(products::images::move_image),
            )
            .route(
                "/products/{id}/images/{image}/remove",
                web::post().to(products::images::remove),
            )
            .route(
                "/products/{id}/variants",
                web::post().to(products::variants::add),
            )
            .route(
                "/products/{id}/variants/{variant_id}",
                web::post().to(products::variants::update),
            )
            .route(
                "/products/{id}/deactivate",
                web::post().to(products::active::deactivate),
            )
            .route(
                "/products/{id}/activate",
                web::post().to(products::active::activate),
            )
            .route("/customers", web::get().to(customers::customer_list))
            .route("/customers/{id}", web::get().to(customers::customer_page))
            .route("/discounts", web::get().to(discounts::list))
            .route("/discounts", web::post().to(discounts::create))
            .route(
                "/discounts/{code}/deactivate",
                web::post().to(discounts::deactivate),
            )
            .route("/shipping", web::get().to(shipping::list))
            .route("/shipping", web::post().to(shipping::add))
            .route("/shipping/{id}", web::post().to(shipping::update))
            .route("/tax", web::get().to(tax::list))
            .route("/tax", web::post().to(tax::set))
            .route("/tax/{country}/remove", web::post().to(tax::remove))
            .route("/subscriptions", web::get().to(subscriptions::list))
            .route("/subscriptions/{id}", web::get().to(subscriptions::show))
            .route("/webhooks", web::get().to(webhooks::deliveries))
            .route("/webhooks/{id}/rerun", web::post().to(rerun::rerun))
            .route("/emails", web::get().to(emails::emails))
            .route("/emails/{id}/retry", web::post().to(emails::retry)),
    );
}
