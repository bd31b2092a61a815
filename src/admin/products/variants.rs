//! `POST /admin/products/{id}/variants` (add an option) and
//! `POST /admin/products/{id}/variants/{variant_id}` (rename it, set its price and stock, take
//! it off sale or back). A form with a mistake changes nothing and shows the product's page
//! again with what to fix (400). Stock changes by what the admin changed on the form, through
//! the stock module, and lands in the stock history.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Deserialize;

use super::edit::edit_form;
use super::form::MAX_STOCK;
use crate::admin::guard::AdminUser;
use crate::catalog::db::{self, NewVariant, Variant};
use crate::catalog::{CatalogCache, Product};
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::Money;
use crate::error::AppError;
use crate::page::{PageContext, render, see_other};
use crate::session::{FlashKind, ShopSession};
use crate::stock::{self, ChangedBy, Shelf};

#[derive(Debug, Deserialize)]
pub struct VariantForm {
    #[serde(default)]
    name: String,
    /// Empty: the product's price.
    #[serde(default)]
    price: String,
    #[serde(default)]
    stock: String,
    /// The stock the form showed (editing only): the difference is what changes.
    #[serde(default)]
    stock_was: Option<String>,
    /// A checkbox: present when on sale (editing only).
    #[serde(default)]
    active: Option<String>,
}

/// A variant as the form describes it, every field checked.
struct ValidVariant {
    name: String,
    price_minor: Option<i64>,
    stock: i32,
}

fn validate(form: &VariantForm, product: &Product) -> Result<ValidVariant, Vec<String>> {
    let mut errors = Vec::new();
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        errors.push("Option name: enter a name, such as M or Navy.".to_owned());
    } else if name.chars().count() > 60 {
        errors.push("Option name: use at most 60 characters.".to_owned());
    }
    let price_minor = match form.price.trim() {
        "" => None,
        typed => match Money::parse(typed, product.currency) {
            Ok(price) => Some(price.minor),
            Err(e) => {
                errors.push(format!("Option price: {e}"));
                None
            }
        },
    };
    let stock = match form.stock.trim().parse::<i32>() {
        Ok(stock) if (0..=MAX_STOCK).contains(&stock) => stock,
        _ => {
            errors.push(format!(
                "Option stock: enter a whole number from 0 to {MAX_STOCK}."
            ));
            0
        }
    };
    if errors.is_empty() {
        Ok(ValidVariant {
            name,
            price_minor,
            stock,
        })
    } else {
        Err(errors)
    }
}

/// The product's page again, with what to fix; nothing was saved.
async fn refuse(
    ctx: PageContext,
    conn: &mut AsyncPgConnection,
    product: Product,
    status: StatusCode,
    errors: Vec<String>,
) -> Result<HttpResponse, AppError> {
    let page = edit_form(ctx, conn, product, errors).await?;
    render(&page, status)
}

#[allow(clippy::too_many_arguments)] // one per extractor
#[tracing::instrument(skip(ctx, admin, session, pool, catalog, form), fields(admin = admin.id))]
pub async fn add(
    ctx: PageContext,
    admin: AdminUser,
    session: ShopSession,
    pool: web::Data<DbPool>,
    catalog: web::Data<CatalogCache>,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<VariantForm>,
) -> Result<HttpResponse, AppError> {
    let mut conn = pool.get().await?;
    let product = db::product(&mut conn, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let valid = match validate(&form, &product) {
        Ok(valid) => valid,
        Err(errors) => {
            return refuse(ctx, &mut conn, product, StatusCode::BAD_REQUEST, errors).await;
        }
    };
    let existing = db::variants_of(&mut conn, product.id).await?;
    let position = existing.iter().map(|v| v.position + 1).max().unwrap_or(0);
    let first = existing.is_empty();
    let product_id = product.id;
    let admin_id = admin.id;
    let name = valid.name.clone();
    let added = conn
        .transaction::<_, AppError, _>(|conn| {
            async move {
                let Some(variant_id) = db::insert_variant(
                    conn,
                    &NewVariant {
                        product_id,
                        name: &valid.name,
                        price_minor: valid.price_minor,
                        stock: valid.stock,
                        position,
                    },
                )
                .await?
                else {
                    return Ok(None);
                };
                let shelf = Shelf {
                    product_id,
                    variant_id: Some(variant_id),
                };
                stock::record_initial(
                    conn,
                    shelf,
                    valid.stock,
                    ChangedBy::admin(admin_id, "option added"),
                )
                .await?;
                // From its first option on, a product is sold by option: its own units leave
                // the shelf (recorded), and the owner stocks each option.
                let own = Shelf {
                    product_id,
                    variant_id: None,
                };
                let left = db::product(conn, product_id).await?.map_or(0, |p| p.stock);
                if first && left > 0 {
                    let by = ChangedBy::admin(admin_id, "now stocked per option");
                    if stock::change(conn, own, -left, by).await?.is_none() {
                        return Err(AppError::conflict(
                            "The product's stock changed meanwhile: try again.",
                        ));
                    }
                }
                Ok(Some(variant_id))
            }
            .scope_boxed()
        })
        .await?;
    if added.is_none() {
        let errors = vec![format!(
            "Option name: this product already has an option called {name}."
        )];
        return refuse(ctx, &mut conn, product, StatusCode::BAD_REQUEST, errors).await;
    }
    catalog.changed();
    tracing::info!(product = product.id, "option added by an admin");
    session.flash(
        FlashKind::Info,
        format!("{} now comes in {name}.", product.name),
    );
    Ok(see_other(format!("/admin/products/{}/edit", product.id)))
}

#[allow(clippy::too_many_arguments)] // one per extractor
#[tracing::instrument(skip(ctx, admin, session, pool, catalog, form), fields(admin = admin.id))]
pub async fn update(
    ctx: PageContext,
    admin: AdminUser,
    session: ShopSession,
    pool: web::Data<DbPool>,
    catalog: web::Data<CatalogCache>,
    path: web::Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<VariantForm>,
) -> Result<HttpResponse, AppError> {
    let (product_id, variant_id) = path.into_inner();
    let mut conn = pool.get().await?;
    let product = db::product(&mut conn, product_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let variant: Variant = db::variants_of(&mut conn, product_id)
        .await?
        .into_iter()
        .find(|v| v.id == variant_id)
        .ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    let valid = validate(&form, &product)
        .map_err(|mut e| errors.append(&mut e))
        .ok();
    let was = form
        .stock_was
        .as_deref()
        .and_then(|was| was.trim().parse::<i32>().ok())
        .filter(|was| (0..=MAX_STOCK).contains(was));
    let Some(was) = was else {
        return Err(AppError::bad_request(
            "This form is out of date: reload it and make the change again.",
        ));
    };
    if let Some(valid) = &valid
        && db::variant_name_taken(&mut conn, product_id, &valid.name, Some(variant_id)).await?
    {
        errors.push(format!(
            "Option name: this product already has an option called {}.",
            valid.name
        ));
    }
    let (Some(valid), true) = (valid, errors.is_empty()) else {
        return refuse(ctx, &mut conn, product, StatusCode::BAD_REQUEST, errors).await;
    };
    let active = form.active.is_some();
    let delta = valid.stock - was;
    let admin_id = admin.id;
    let name = valid.name.clone();
    let saved = conn
        .transaction::<_, diesel::result::Error, _>(|conn| {
            async move {
                let shelf = Shelf {
                    product_id,
                    variant_id: Some(variant_id),
                };
                let by = ChangedBy::admin(admin_id, "option form");
                if delta != 0 && stock::change(conn, shelf, delta, by).await?.is_none() {
                    return Ok(false);
                }
                db::update_variant(
                    conn,
                    product_id,
                    variant_id,
                    &valid.name,
                    valid.price_minor,
                    active,
                )
                .await
            }
            .scope_boxed()
        })
        .await?;
    if !saved {
        let errors = vec![format!(
            "Option stock: orders took some of {} since you opened this form, so its stock \
             cannot go down by {}. Nothing was saved; check the stock and save again.",
            variant.name, -delta
        )];
        return refuse(ctx, &mut conn, product, StatusCode::CONFLICT, errors).await;
    }
    catalog.changed();
    tracing::info!(
        product = product_id,
        variant = variant_id,
        "option saved by an admin"
    );
    session.flash(
        FlashKind::Info,
        format!("{} — {name} is saved.", product.name),
    );
    Ok(see_other(format!("/admin/products/{product_id}/edit")))
}
