//! `GET /products/{slug}`: a product's page.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use super::cache::CatalogCache;
use super::db::{Product, ProductImage};
use crate::db::DbPool;
use crate::domain::{Money, Quantity};
use crate::error::AppError;
use crate::page::PageContext;

#[derive(Template, WebTemplate)]
#[template(path = "catalog/product.html")]
pub struct ProductPage {
    ctx: PageContext,
    product: Product,
    /// Its gallery, in order; the first is the cover.
    images: Vec<ProductImage>,
    max_quantity: i32,
    /// The options to pick from (a size, a colour); empty for a product without options.
    options: Vec<VariantOption>,
}

/// A variant as the product page offers it.
pub struct VariantOption {
    id: i64,
    name: String,
    price: Money,
    /// A sold-out variant is shown, but cannot be picked.
    sold_out: bool,
    stock_note: Option<String>,
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
    let catalog = cache.catalog(&pool).await?;
    let product = catalog.by_slug(&slug).cloned().ok_or(AppError::NotFound)?;
    let mut images = catalog.images_of(product.id).to_vec();
    if images.is_empty() {
        // Only between a product's insert and its first image's (they share no transaction
        // when the catalog is seeded): its cover stands alone.
        images.push(ProductImage {
            id: 0,
            product_id: product.id,
            position: 0,
            path: product.image_path.clone(),
            thumb_path: product.thumbnail_path(),
            small_path: product.thumbnail_path(),
            alt: String::new(),
        });
    }
    let options: Vec<VariantOption> = catalog
        .variants_of(product.id)
        .iter()
        .map(|variant| VariantOption {
            id: variant.id,
            name: variant.name.clone(),
            price: variant.price(&product),
            sold_out: variant.stock == 0,
            stock_note: match variant.stock {
                0 => Some("sold out".into()),
                1..=5 => Some(format!("only {} left", variant.stock)),
                _ => None,
            },
        })
        .collect();
    // With options, the quantity picker allows the best-stocked one's units; adding checks the
    // chosen one's.
    let stock = match catalog
        .variants_of(product.id)
        .iter()
        .map(|v| v.stock)
        .max()
    {
        Some(most) => most,
        None => product.stock,
    };
    let max_quantity = stock.min(product.max_per_order).clamp(0, Quantity::MAX);
    Ok(ProductPage {
        ctx,
        product,
        images,
        max_quantity,
        options,
    })
}
