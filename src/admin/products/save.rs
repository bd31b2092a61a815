//! `POST /admin/products` and `POST /admin/products/{id}`: create or update a product from
//! the form. A form with mistakes comes back (400) with every mistake listed; an image is
//! written to disk only once everything else is valid.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel_async::AsyncConnection;
use diesel_async::scoped_futures::ScopedFutureExt;

use super::edit::{HISTORY_SHOWN, ProductFormPage};
use super::form::{self, ProductFields, Submitted, Upload};
use super::image::{self, MAX_IMAGE_BYTES};
use crate::admin::guard::AdminUser;
use crate::catalog::db;
use crate::catalog::db::{ImageFiles, NewProduct};
use crate::catalog::{CatalogCache, Product};
use crate::config::Settings;
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::see_other;
use crate::page::{PageContext, render};
use crate::session::{FlashKind, ShopSession};
use crate::stock::{self, ChangedBy, Shelf};

#[tracing::instrument(skip_all)]
#[allow(clippy::too_many_arguments)] // one per extractor
pub async fn create(
    req: HttpRequest,
    admin: AdminUser,
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    catalog: web::Data<CatalogCache>,
    body: Multipart,
) -> Result<HttpResponse, AppError> {
    let submitted = form::read(&req, body).await?;
    let saved = save(ctx, &admin, session, pool, settings, None, submitted).await;
    catalog.changed();
    saved
}

#[tracing::instrument(skip(req, admin, ctx, session, pool, settings, catalog, body))]
#[allow(clippy::too_many_arguments)] // one per extractor
pub async fn update(
    req: HttpRequest,
    admin: AdminUser,
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    catalog: web::Data<CatalogCache>,
    id: web::Path<i64>,
    body: Multipart,
) -> Result<HttpResponse, AppError> {
    let submitted = form::read(&req, body).await?;
    let product = {
        let mut conn = pool.get().await?;
        db::product(&mut conn, *id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let saved = save(
        ctx,
        &admin,
        session,
        pool,
        settings,
        Some(product),
        submitted,
    )
    .await;
    catalog.changed();
    saved
}

async fn save(
    ctx: PageContext,
    admin: &AdminUser,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    product: Option<Product>,
    Submitted { fields, upload }: Submitted,
) -> Result<HttpResponse, AppError> {
    let currency = match &product {
        Some(product) => product.price().currency,
        None => settings.currency,
    };
    let valid = form::validate(&fields, currency);
    let mut errors = valid.as_ref().err().cloned().unwrap_or_default();

    let shipped = image::shipped();
    let processed = match upload {
        Upload::Image(bytes) => match image::process(bytes).await? {
            Ok(processed) => Some(processed),
            Err(problem) => {
                errors.push(problem.to_string());
                None
            }
        },
        Upload::TooLarge => {
            errors.push(format!(
                "Image: upload an image of at most {} KiB.",
                MAX_IMAGE_BYTES / 1024
            ));
            None
        }
        Upload::None => None,
    };
    let chosen = match fields.image_choice.as_str() {
        "" => None,
        choice if shipped.iter().any(|path| path == choice) => Some(choice.to_owned()),
        _ => {
            errors.push("Image: choose one of the images listed.".to_owned());
            None
        }
    };
    if product.is_none() && processed.is_none() && fields.image_choice.is_empty() {
        errors.push("Image: choose an image or upload one.".to_owned());
    }

    let mut conn = pool.get().await?;
    let categories = db::categories(&mut conn).await?;
    let category_id = match fields.category.trim() {
        "" => None,
        typed => {
            let known = categories.iter().find(|c| c.id.to_string() == typed);
            if known.is_none() {
                errors.push("Category: choose one of the categories listed.".to_owned());
            }
            known.map(|c| c.id)
        }
    };
    if let Ok(valid) = &valid
        && db::slug_taken(&mut conn, &valid.slug, product.as_ref().map(|p| p.id)).await?
    {
        errors.push(format!(
            "Web address: another product already uses /products/{}.",
            valid.slug
        ));
    }
    let valid = match valid {
        Ok(valid) if errors.is_empty() => valid,
        _ => {
            let page = ProductFormPage::new(ctx, product, fields, categories, errors);
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };

    // The image given replaces an existing product's first one; the others stay (they are
    // managed on its images page).
    let new_image = match processed {
        Some(processed) => {
            let files = image::store(&settings.upload_dir, processed).await?;
            tracing::info!(path = files.path, "stored an uploaded product image");
            Some(files)
        }
        None => chosen.as_deref().map(ImageFiles::shipped),
    };

    let (id, verb) = match &product {
        Some(product) => {
            // The stock changes by what the admin changed on the form, not to the number typed:
            // checkouts and returns since the form was loaded stay counted.
            let Some(was) = fields
                .stock_was
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|was| (0..=form::MAX_STOCK).contains(was))
            else {
                return Err(AppError::bad_request(
                    "This form is out of date: reload it and make the change again.",
                ));
            };
            let delta = valid.stock - was;
            // With options, the units are kept per variant (the form's variants section); the
            // product's own stock can only go down (units an older order gave back).
            let variants = match delta {
                1.. => db::variants_of(&mut conn, product.id).await?,
                _ => Vec::new(),
            };
            if !variants.is_empty() {
                let errors = vec![
                    "Stock: this product's units are kept per option: add them to its \
                     options below. Nothing was saved."
                        .to_owned(),
                ];
                let mut page =
                    ProductFormPage::new(ctx, Some(product.clone()), fields, categories, errors);
                page.variants = variants;
                page.history = stock::history(&mut conn, product.id, HISTORY_SHOWN).await?;
                return render(&page, StatusCode::BAD_REQUEST);
            }
            let changes = db::ProductChanges {
                slug: &valid.slug,
                name: &valid.name,
                description: &valid.description,
                price_minor: valid.price.minor,
                max_per_order: valid.max_per_order,
                category_id,
            };
            let product_id = product.id;
            let new_image = &new_image;
            let admin_id = admin.id;
            let stocked = conn
                .transaction::<_, diesel::result::Error, _>(|conn| {
                    async move {
                        let shelf = Shelf {
                            product_id,
                            variant_id: None,
                        };
                        let by = ChangedBy::admin(admin_id, "product form");
                        if delta != 0 && stock::change(conn, shelf, delta, by).await?.is_none() {
                            return Ok(false);
                        }
                        db::update_product(conn, product_id, &changes).await?;
                        if let Some(files) = new_image {
                            db::replace_cover(conn, product_id, files).await?;
                        }
                        Ok(true)
                    }
                    .scope_boxed()
                })
                .await?;
            if !stocked {
                let now = db::product(&mut conn, product.id)
                    .await?
                    .map_or(0, |p| p.stock);
                let fields = ProductFields {
                    stock: now.to_string(),
                    stock_was: now.to_string(),
                    ..fields
                };
                let errors = vec![format!(
                    "Stock: only {now} left now — orders took some since you opened this form, \
                     so it cannot go down by {}. Nothing was saved; check the stock and save again.",
                    -delta
                )];
                let page =
                    ProductFormPage::new(ctx, Some(product.clone()), fields, categories, errors);
                return render(&page, StatusCode::CONFLICT);
            }
            (product.id, "saved")
        }
        None => {
            // Refused above: a new product needs an image.
            let Some(files) = new_image else {
                return Err(AppError::bad_request("Choose an image."));
            };
            let new = NewProduct {
                slug: &valid.slug,
                name: &valid.name,
                description: &valid.description,
                price_minor: valid.price.minor,
                currency,
                image_path: &files.path,
                stock: valid.stock,
                max_per_order: valid.max_per_order,
                category_id,
            };
            let (new, files) = (&new, &files);
            let admin_id = admin.id;
            let id = conn
                .transaction::<_, diesel::result::Error, _>(|conn| {
                    async move {
                        let id = db::insert_product(conn, new).await?;
                        db::add_image(conn, id, files, "").await?;
                        let shelf = Shelf {
                            product_id: id,
                            variant_id: None,
                        };
                        let by = ChangedBy::admin(admin_id, "product created");
                        stock::record_initial(conn, shelf, new.stock, by).await?;
                        Ok(id)
                    }
                    .scope_boxed()
                })
                .await?;
            (id, "created")
        }
    };
    tracing::info!(product = id, verb, "product saved by an admin");
    session.flash(
        FlashKind::Info,
        format!("{} is {verb}: /products/{}.", valid.name, valid.slug),
    );
    Ok(see_other("/admin/products"))
}
