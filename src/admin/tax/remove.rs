//! `POST /admin/tax/{country}/remove`: that country is charged no tax from now on. Orders
//! placed before keep the tax they recorded.

use actix_web::{HttpResponse, web};

use crate::csrf::{CsrfForm, NoFields};
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::see_other;
use crate::session::{FlashKind, ShopSession};
use crate::tax::db;

#[tracing::instrument(skip(session, pool, _form))]
pub async fn remove(
    session: ShopSession,
    pool: web::Data<DbPool>,
    country: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let mut conn = pool.get().await?;
    if !db::remove(&mut conn, &country).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(country = %country, "tax rate removed by an admin");
    session.flash(
        FlashKind::Info,
        format!("New orders to {country} are charged no tax."),
    );
    Ok(see_other("/admin/tax"))
}
