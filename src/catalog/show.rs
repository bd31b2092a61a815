//! `GET /products/{slug}`: a product's page.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use super::cache::CatalogCache;
use super::db::Product;
use crate::db::DbPool;
use crate::domain::Quantity;
use crate::error::AppError;
use crate::page::PageContext;

#[derive(Template, WebTemplate)]
#[template(path = "catalog/product.html")]
pub struct ProductPage {
    ctx: PageContext,
    product: Product,
    max_quantity: i32,
}

impl ProductPage {
    fn url(&self) -> String {
        self.ctx
            .absolute(&format!("/products/{}", self.product.slug))
    }

    /// The description's first sentences, short enough for a search result (about 160
    /// characters), cut at a word.
    fn description(&self) -> String {
        super::browse::summary(&self.product.description, 160)
    }
}

#[tracing::instrument(skip(ctx, pool, cache))]
pub async fn product_page(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    cache: web::Data<CatalogCache>,
    slug: web::Path<String>,
) -> Result<ProductPage, AppError> {
    let product = cache
        .catalog(&pool)
        .await?
        .by_slug(&slug)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let max_quantity = product
        .stock
        .min(product.max_per_order)
        .clamp(0, Quantity::MAX);
    Ok(ProductPage {
        ctx,
        product,
        max_quantity,
    })
}
