//! `GET /admin/products`: every product, active or not, with price and stock.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::catalog::Product;
use crate::catalog::db;
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::PageContext;

#[derive(Template, WebTemplate)]
#[template(path = "admin/products.html")]
pub struct ProductListPage {
    ctx: PageContext,
    products: Vec<Product>,
}

#[tracing::instrument(skip_all)]
pub async fn product_list(
    ctx: PageContext,
    pool: web::Data<DbPool>,
) -> Result<ProductListPage, AppError> {
    let mut conn = pool.get().await?;
    let products = db::all_products(&mut conn).await?;
    Ok(ProductListPage { ctx, products })
}
