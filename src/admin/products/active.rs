//! `POST /admin/products/{id}/deactivate` and `.../activate`: a deactivated product leaves the
//! catalog (and can't be bought) but stays on past orders.

use actix_web::{HttpResponse, web};

use crate::catalog::CatalogCache;
use crate::catalog::db;
use crate::csrf::{CsrfForm, NoFields};
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::see_other;
use crate::session::{FlashKind, ShopSession};

pub async fn deactivate(
    session: ShopSession,
    pool: web::Data<DbPool>,
    catalog: web::Data<CatalogCache>,
    id: web::Path<i64>,
    form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    set_active(session, pool, catalog, *id, false, form).await
}

pub async fn activate(
    session: ShopSession,
    pool: web::Data<DbPool>,
    catalog: web::Data<CatalogCache>,
    id: web::Path<i64>,
    form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    set_active(session, pool, catalog, *id, true, form).await
}

#[tracing::instrument(skip(session, pool, catalog, _form))]
async fn set_active(
    session: ShopSession,
    pool: web::Data<DbPool>,
    catalog: web::Data<CatalogCache>,
    id: i64,
    active: bool,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let mut conn = pool.get().await?;
    let product = db::product(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::set_product_active(&mut conn, id, active).await?;
    catalog.changed();
    let message = if active {
        format!("{} is in the catalog again.", product.name)
    } else {
        format!(
            "{} is deactivated: it no longer shows in the catalog.",
            product.name
        )
    };
    session.flash(FlashKind::Info, message);
    Ok(see_other("/admin/products"))
}
