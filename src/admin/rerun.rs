//! `POST /admin/webhooks/{id}/rerun`: runs a failed webhook event again (see
//! [`crate::payments::events::rerun`]) and tells the admin what became of it.

use actix_web::{HttpResponse, web};

use super::guard::AdminUser;
use crate::csrf::{CsrfForm, NoFields};
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::see_other;
use crate::payments::Payments;
use crate::payments::events::{self, Rerun};
use crate::session::{FlashKind, ShopSession};

#[tracing::instrument(skip(admin, session, pool, payments, _form), fields(admin = admin.id))]
pub async fn rerun(
    admin: AdminUser,
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    id: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let back = "/admin/webhooks?outcome=failed";
    match events::rerun(&pool, &payments, &id).await {
        Ok(Rerun::NotFound) => return Err(AppError::NotFound),
        Ok(Rerun::NotFailed { id, outcome }) => session.flash(
            FlashKind::Info,
            format!("Only a failed event can be run again; {id} was {outcome}."),
        ),
        Ok(Rerun::Ran(message)) => {
            tracing::info!(event_id = %id, "webhook event run again");
            session.flash(FlashKind::Info, message);
        }
        Ok(Rerun::Cannot(reason)) => session.flash(
            FlashKind::Error,
            format!("Event {id} cannot be run again: {reason}"),
        ),
        Err(e) => {
            tracing::error!(event_id = %id, error = ?e, "running a webhook event again failed");
            session.flash(
                FlashKind::Error,
                format!("Running event {id} again failed; it stays failed. Try again later."),
            );
        }
    }
    Ok(see_other(back))
}
