//! `POST /admin/discounts/{code}/deactivate`: new orders can no longer use the code. The row
//! stays (orders name it), so its uses and terms remain on record.

use actix_web::{HttpResponse, web};

use crate::csrf::{CsrfForm, NoFields};
use crate::db::DbPool;
use crate::discounts::db;
use crate::error::AppError;
use crate::page::see_other;
use crate::session::{FlashKind, ShopSession};

#[tracing::instrument(skip(session, pool, _form))]
pub async fn deactivate(
    session: ShopSession,
    pool: web::Data<DbPool>,
    code: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let mut conn = pool.get().await?;
    if !db::deactivate(&mut conn, &code).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(code = %code, "discount code deactivated by an admin");
    session.flash(
        FlashKind::Info,
        format!("{code} is deactivated: new orders can no longer use it."),
    );
    Ok(see_other("/admin/discounts"))
}
