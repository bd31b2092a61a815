use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use super::{Product, db};
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::PageContext;

#[derive(Template, WebTemplate)]
#[template(path = "catalog/index.html")]
pub struct ListingPage {
    ctx: PageContext,
    products: Vec<Product>,
}

#[tracing::instrument(skip_all)]
pub async fn product_listing(
    ctx: PageContext,
    pool: web::Data<DbPool>,
) -> Result<ListingPage, AppError> {
    let mut conn = pool.get().await?;
    let products = db::active_products(&mut conn).await?;
    Ok(ListingPage { ctx, products })
}
