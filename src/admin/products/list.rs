//! `GET /admin/products`: every product, active or not, with price and stock (its options'
//! for a product with options).

use std::collections::HashMap;

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
    /// Each product's options: (how many, their units on sale).
    options: HashMap<i64, (usize, i64)>,
}

impl ProductListPage {
    /// The units a product has: its own, or its options' on sale.
    fn stock_of(&self, product: &Product) -> String {
        match self.options.get(&product.id) {
            Some((1, units)) => format!("{units} (1 option)"),
            Some((count, units)) => format!("{units} ({count} options)"),
            None => product.stock.to_string(),
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn product_list(
    ctx: PageContext,
    pool: web::Data<DbPool>,
) -> Result<ProductListPage, AppError> {
    let mut conn = pool.get().await?;
    let products = db::all_products(&mut conn).await?;
    let mut options: HashMap<i64, (usize, i64)> = HashMap::new();
    for variant in db::active_variants(&mut conn).await? {
        let entry = options.entry(variant.product_id).or_default();
        entry.0 += 1;
        entry.1 += i64::from(variant.stock);
    }
    Ok(ProductListPage {
        ctx,
        products,
        options,
    })
}
