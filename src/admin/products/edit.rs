//! `GET /admin/products/new` and `GET /admin/products/{id}/edit`: the product form.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use super::form::ProductFields;
use super::image::{MAX_IMAGE_BYTES, shipped};
use crate::catalog::Product;
use crate::catalog::db::{self, Category};
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::PageContext;

#[derive(Template, WebTemplate)]
#[template(path = "admin/product_form.html")]
pub struct ProductFormPage {
    pub ctx: PageContext,
    /// `None` for a new product.
    pub product: Option<Product>,
    pub fields: ProductFields,
    pub shipped: Vec<String>,
    /// The categories the product can be put in.
    pub categories: Vec<Category>,
    pub errors: Vec<String>,
}

impl ProductFormPage {
    pub fn new(
        ctx: PageContext,
        product: Option<Product>,
        fields: ProductFields,
        categories: Vec<Category>,
        errors: Vec<String>,
    ) -> Self {
        Self {
            ctx,
            product,
            fields,
            shipped: shipped(),
            categories,
            errors,
        }
    }

    pub fn is_chosen(&self, category: &Category) -> bool {
        self.fields.category == category.id.to_string()
    }

    pub fn action(&self) -> String {
        match &self.product {
            Some(product) => format!("/admin/products/{}", product.id),
            None => "/admin/products".to_owned(),
        }
    }

    pub fn max_image_kib(&self) -> usize {
        MAX_IMAGE_BYTES / 1024
    }

    /// "ceramic-pour-over-mug.svg" for a shipped image path.
    pub fn file_name<'a>(&self, path: &'a str) -> &'a str {
        path.rsplit('/').next().unwrap_or(path)
    }
}

#[tracing::instrument(skip_all)]
pub async fn new_page(
    ctx: PageContext,
    pool: web::Data<DbPool>,
) -> Result<ProductFormPage, AppError> {
    let fields = ProductFields {
        stock: "0".into(),
        max_per_order: super::form::DEFAULT_MAX_PER_ORDER.to_string(),
        ..ProductFields::default()
    };
    let categories = db::categories(&mut *pool.get().await?).await?;
    Ok(ProductFormPage::new(
        ctx,
        None,
        fields,
        categories,
        Vec::new(),
    ))
}

#[tracing::instrument(skip(ctx, pool))]
pub async fn edit_page(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<ProductFormPage, AppError> {
    let mut conn = pool.get().await?;
    let product = db::product(&mut conn, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let fields = ProductFields {
        name: product.name.clone(),
        slug: product.slug.clone(),
        description: product.description.clone(),
        price: product.price().to_input(),
        stock: product.stock.to_string(),
        max_per_order: product.max_per_order.to_string(),
        stock_was: product.stock.to_string(),
        image_choice: String::new(),
        category: product
            .category_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
    };
    let categories = db::categories(&mut conn).await?;
    Ok(ProductFormPage::new(
        ctx,
        Some(product),
        fields,
        categories,
        Vec::new(),
    ))
}
