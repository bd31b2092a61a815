//! A product's images: `GET /admin/products/{id}/images` lists them in order with their text
//! alternatives; forms add one (uploaded or shipped), move one earlier or later, change its
//! text or remove it. The first image is the product's cover in the catalog. A product keeps
//! at least one image; what a form gets wrong changes nothing and is said on the page (400).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use futures_util::TryStreamExt;
use serde::Deserialize;

use super::image::{self, MAX_IMAGE_BYTES};
use crate::bad_input::{NUL_IN_FORM, has_nul};
use crate::catalog::db::{self, Direction, ImageFiles, MAX_IMAGES, ProductImage, Removal};
use crate::catalog::{CatalogCache, Product};
use crate::config::Settings;
use crate::csrf::{self, CsrfForm, NoFields};
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::{PageContext, render, see_other};
use crate::session::{FlashKind, ShopSession};

/// A text alternative longer than this is a description, not an alt text.
pub const MAX_ALT_CHARS: usize = 300;

#[derive(Template, WebTemplate)]
#[template(path = "admin/product_images.html")]
pub struct ImagesPage {
    ctx: PageContext,
    product: Product,
    images: Vec<ProductImage>,
    shipped: Vec<String>,
    errors: Vec<String>,
    /// What the add form had, shown again when it must be fixed.
    alt: String,
}

impl ImagesPage {
    fn max_image_kib(&self) -> usize {
        MAX_IMAGE_BYTES / 1024
    }

    fn room_for_more(&self) -> bool {
        self.images.len() < MAX_IMAGES
    }

    fn max_images(&self) -> usize {
        MAX_IMAGES
    }

    fn max_alt(&self) -> usize {
        MAX_ALT_CHARS
    }

    fn file_name<'a>(&self, path: &'a str) -> &'a str {
        path.rsplit('/').next().unwrap_or(path)
    }
}

async fn page(
    ctx: PageContext,
    pool: &DbPool,
    product_id: i64,
    errors: Vec<String>,
    alt: String,
) -> Result<ImagesPage, AppError> {
    let mut conn = pool.get().await?;
    let product = db::product(&mut conn, product_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let images = db::product_images(&mut conn, product_id).await?;
    Ok(ImagesPage {
        ctx,
        product,
        images,
        shipped: image::shipped(),
        errors,
        alt,
    })
}

fn images_url(product_id: i64) -> String {
    format!("/admin/products/{product_id}/images")
}

#[tracing::instrument(skip(ctx, pool))]
pub async fn images_page(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<ImagesPage, AppError> {
    page(ctx, &pool, *id, Vec::new(), String::new()).await
}

/// The text alternative as typed, checked.
fn valid_alt(typed: &str) -> Result<String, String> {
    let alt = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    if alt.chars().count() > MAX_ALT_CHARS {
        Err(format!(
            "Text for screen readers: use at most {MAX_ALT_CHARS} characters."
        ))
    } else {
        Ok(alt)
    }
}

/// The add form: an uploaded file or a shipped image, and its text.
#[derive(Default)]
struct AddForm {
    token: String,
    choice: String,
    alt: String,
    file: Option<Vec<u8>>,
    file_too_large: bool,
}

/// The whole body is read (so the browser gets an answer, not a reset) up to this size.
const MAX_BODY_BYTES: usize = 2 * MAX_IMAGE_BYTES;
const MAX_FIELD_BYTES: usize = 4 * 1024;

async fn read_add_form(mut body: Multipart) -> Result<AddForm, AppError> {
    let unreadable = |_| AppError::bad_request("The form could not be read.");
    let mut form = AddForm::default();
    let mut total = 0usize;
    while let Some(mut field) = body.try_next().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        let limit = if name == "image_file" {
            MAX_IMAGE_BYTES
        } else {
            MAX_FIELD_BYTES
        };
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.try_next().await.map_err(unreadable)? {
            total += chunk.len();
            if total > MAX_BODY_BYTES {
                return Err(AppError::bad_request("What you sent is too large."));
            }
            if bytes.len() + chunk.len() > limit {
                too_large = true;
            } else if !too_large {
                bytes.extend_from_slice(&chunk);
            }
        }
        if name == "image_file" {
            form.file_too_large = too_large;
            // A file input left empty sends an empty part.
            form.file = Some(bytes).filter(|b| !b.is_empty() && !too_large);
            continue;
        }
        if too_large {
            return Err(AppError::bad_request("A field of the form is too long."));
        }
        let value = String::from_utf8(bytes)
            .map_err(|_| AppError::bad_request("The form could not be read."))?;
        if has_nul(&value) {
            return Err(AppError::bad_request(NUL_IN_FORM));
        }
        match name.as_str() {
            csrf::FIELD => form.token = value,
            "image_choice" => form.choice = value,
            "alt" => form.alt = value,
            _ => {}
        }
    }
    Ok(form)
}

/// `POST /admin/products/{id}/images`: adds an image after the others.
#[tracing::instrument(skip(req, ctx, session, pool, settings, catalog, body))]
#[allow(clippy::too_many_arguments)] // one per extractor
pub async fn add(
    req: HttpRequest,
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    catalog: web::Data<CatalogCache>,
    id: web::Path<i64>,
    body: Multipart,
) -> Result<HttpResponse, AppError> {
    let form = read_add_form(body).await?;
    if !session.csrf_matches(&form.token) {
        tracing::warn!(path = %req.path(), "refused a form with a missing or wrong CSRF token");
        return Err(AppError::Csrf);
    }
    let product_id = *id;
    let existing = {
        let mut conn = pool.get().await?;
        db::product(&mut conn, product_id)
            .await?
            .ok_or(AppError::NotFound)?;
        db::product_images(&mut conn, product_id).await?.len()
    };
    let mut errors = Vec::new();
    let alt = valid_alt(&form.alt).map_err(|e| errors.push(e)).ok();
    if existing >= MAX_IMAGES {
        errors.push(format!(
            "Images: a product has at most {MAX_IMAGES} images; remove one first."
        ));
    }
    let processed = match (form.file, form.file_too_large) {
        (_, true) => {
            errors.push(format!(
                "Image: upload an image of at most {} KiB.",
                MAX_IMAGE_BYTES / 1024
            ));
            None
        }
        (Some(bytes), false) => match image::process(bytes).await? {
            Ok(processed) => Some(processed),
            Err(problem) => {
                errors.push(problem.to_string());
                None
            }
        },
        (None, false) => None,
    };
    let chosen = match form.choice.as_str() {
        "" => None,
        choice if image::shipped().iter().any(|path| path == choice) => {
            Some(ImageFiles::shipped(choice))
        }
        _ => {
            errors.push("Image: choose one of the images listed.".to_owned());
            None
        }
    };
    if processed.is_none() && chosen.is_none() && errors.is_empty() {
        errors.push("Image: choose an image or upload one.".to_owned());
    }
    let (Some(alt), true) = (alt, errors.is_empty()) else {
        let page = page(ctx, &pool, product_id, errors, form.alt).await?;
        return render(&page, StatusCode::BAD_REQUEST);
    };
    let files = match (processed, chosen) {
        (Some(processed), _) => {
            let files = image::store(&settings.upload_dir, processed).await?;
            tracing::info!(path = files.path, "stored an uploaded product image");
            files
        }
        (None, Some(chosen)) => chosen,
        (None, None) => return Err(AppError::bad_request("Choose an image.")),
    };
    let added = {
        let mut conn = pool.get().await?;
        db::add_image(&mut conn, product_id, &files, &alt).await?
    };
    catalog.changed();
    if added.is_none() {
        // Another admin filled the last place meanwhile.
        image::delete_unused(&settings.upload_dir, files).await?;
        let errors = vec![format!(
            "Images: a product has at most {MAX_IMAGES} images; remove one first."
        )];
        let page = page(ctx, &pool, product_id, errors, alt).await?;
        return render(&page, StatusCode::CONFLICT);
    }
    session.flash(FlashKind::Info, "The image is added.".to_owned());
    Ok(see_other(images_url(product_id)))
}

#[derive(Debug, Deserialize)]
pub struct AltForm {
    alt: String,
}

/// `POST /admin/products/{id}/images/{image}/alt`: changes an image's text for screen readers.
#[tracing::instrument(skip(ctx, session, pool, catalog, form))]
pub async fn set_alt(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    catalog: web::Data<CatalogCache>,
    path: web::Path<(i64, i64)>,
    form: CsrfForm<AltForm>,
) -> Result<HttpResponse, AppError> {
    let (product_id, image_id) = *path;
    let alt = match valid_alt(&form.0.alt) {
        Ok(alt) => alt,
        Err(error) => {
            let page = page(ctx, &pool, product_id, vec![error], String::new()).await?;
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };
    let mut conn = pool.get().await?;
    if !db::set_image_alt(&mut conn, product_id, image_id, &alt).await? {
        return Err(AppError::NotFound);
    }
    catalog.changed();
    session.flash(FlashKind::Info, "The image's text is saved.".to_owned());
    Ok(see_other(images_url(product_id)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MoveTo {
    Earlier,
    Later,
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    to: MoveTo,
}

/// `POST /admin/products/{id}/images/{image}/move`: swaps an image with its neighbour.
#[tracing::instrument(skip(session, pool, catalog, form))]
pub async fn move_image(
    session: ShopSession,
    pool: web::Data<DbPool>,
    catalog: web::Data<CatalogCache>,
    path: web::Path<(i64, i64)>,
    form: CsrfForm<MoveForm>,
) -> Result<HttpResponse, AppError> {
    let (product_id, image_id) = *path;
    let direction = match form.0.to {
        MoveTo::Earlier => Direction::Earlier,
        MoveTo::Later => Direction::Later,
    };
    let mut conn = pool.get().await?;
    if db::product_images(&mut conn, product_id)
        .await?
        .iter()
        .all(|i| i.id != image_id)
    {
        return Err(AppError::NotFound);
    }
    if db::move_image(&mut conn, product_id, image_id, direction).await? {
        catalog.changed();
        session.flash(FlashKind::Info, "The image is moved.".to_owned());
    } else {
        session.flash(
            FlashKind::Error,
            "The image is already at that end of the list.".to_owned(),
        );
    }
    Ok(see_other(images_url(product_id)))
}

/// `POST /admin/products/{id}/images/{image}/remove`: removes an image (and an upload's files,
/// once nothing uses them); the last image stays.
#[tracing::instrument(skip(ctx, session, pool, settings, catalog, _form))]
pub async fn remove(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    catalog: web::Data<CatalogCache>,
    path: web::Path<(i64, i64)>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (product_id, image_id) = *path;
    let mut conn = pool.get().await?;
    match db::remove_image(&mut conn, product_id, image_id).await? {
        Removal::NotFound => Err(AppError::NotFound),
        Removal::LastOne => {
            drop(conn);
            let errors = vec![
                "Images: a product needs at least one image; add another before removing this one."
                    .to_owned(),
            ];
            let page = page(ctx, &pool, product_id, errors, String::new()).await?;
            render(&page, StatusCode::BAD_REQUEST)
        }
        Removal::Removed(files) => {
            catalog.changed();
            if !db::image_file_used(&mut conn, &files.path).await? {
                image::delete_unused(&settings.upload_dir, files).await?;
            }
            session.flash(FlashKind::Info, "The image is removed.".to_owned());
            Ok(see_other(images_url(product_id)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::valid_alt;

    #[test]
    fn alt_texts_are_single_spaced_and_bounded() {
        assert_eq!(
            valid_alt("  A mug\n on a  desk "),
            Ok("A mug on a desk".to_owned())
        );
        assert!(valid_alt(&"x".repeat(301)).is_err());
        assert_eq!(valid_alt(""), Ok(String::new()));
    }
}
