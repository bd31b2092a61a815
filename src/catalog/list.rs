//! `GET /`: the product listing, from the catalog cache.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use super::cache::{Catalog, CatalogCache};
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::PageContext;

#[derive(Template, WebTemplate)]
#[template(path = "catalog/index.html")]
pub struct ListingPage {
    ctx: PageContext,
    catalog: std::sync::Arc<Catalog>,
}

#[tracing::instrument(skip_all)]
pub async fn product_listing(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    cache: web::Data<CatalogCache>,
) -> Result<ListingPage, AppError> {
    let catalog = cache.catalog(&pool).await?;
    Ok(ListingPage { ctx, catalog })
}
