//! `GET /admin/products/new` and `GET /admin/products/{id}/edit`: the product form.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use diesel_async::AsyncPgConnection;

use super::form::ProductFields;
use super::image::{MAX_IMAGE_BYTES, shipped};
use crate::catalog::Product;
use crate::catalog::db::{self, Category, Variant};
use crate::db::DbPool;
use crate::domain::Money;
use crate::error::AppError;
use crate::page::PageContext;
use crate::stock::{self, StockChange};

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
    /// The product's options, off sale too (an existing product only).
    pub variants: Vec<Variant>,
    /// Its latest stock changes, newest first.
    pub history: Vec<StockChange>,
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
            variants: Vec::new(),
            history: Vec::new(),
        }
    }

    pub fn is_chosen(&self, category: &Category) -> bool {
        self.fields.category == category.id.to_string()
    }

    /// A variant's price as the form shows it: empty when it is the product's.
    pub fn variant_price(&self, variant: &Variant) -> String {
        match (&self.product, variant.price_minor) {
            (Some(product), Some(minor)) => Money::new(minor, product.currency).to_input(),
            _ => String::new(),
        }
    }

    /// When a stock change happened, as admin pages print times.
    pub fn when(&self, change: &StockChange) -> String {
        crate::admin::format::format_time(change.at)
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
    edit_form(ctx, &mut conn, product, Vec::new()).await
}

/// How many stock changes the product page lists.
pub(super) const HISTORY_SHOWN: i64 = 50;

/// The edit page of a product as it is now, with its options and stock history, and `errors`.
pub async fn edit_form(
    ctx: PageContext,
    conn: &mut AsyncPgConnection,
    product: Product,
    errors: Vec<String>,
) -> Result<ProductFormPage, AppError> {
    let variants = db::variants_of(conn, product.id).await?;
    let history = stock::history(conn, product.id, HISTORY_SHOWN).await?;
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
    let categories = db::categories(conn).await?;
    let mut page = ProductFormPage::new(ctx, Some(product), fields, categories, errors);
    page.variants = variants;
    page.history = history;
    Ok(page)
}
