//! Who may use the admin: [`require_admin`] wraps every admin route and puts the [`AdminUser`]
//! in the request.

use std::future::{Ready, ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::accounts;
use crate::db::DbPool;
use crate::error::AppError;
use crate::session::ShopSession;

/// The signed-in administrator, as the database knows them now.
#[derive(Debug, Clone)]
pub struct AdminUser {
    pub id: i64,
    pub email: String,
}

/// Guests go to sign-in; signed-in accounts that are not (or no longer) admins get 403.
pub(super) async fn require_admin(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(user) = ShopSession::from_request(req.request()).user() else {
        // After signing in, a form's POST target is no page to return to.
        let next = if req.method() == actix_web::http::Method::GET {
            match req.query_string() {
                "" => req.path().to_owned(),
                query => format!("{}?{query}", req.path()),
            }
        } else {
            "/admin".to_owned()
        };
        return Err(AppError::SignInRequired { next }.into());
    };
    let pool = req
        .app_data::<web::Data<DbPool>>()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no database pool configured")))?;
    let mut conn = pool.get().await.map_err(AppError::from)?;
    let admin = accounts::db::by_id(&mut conn, user.id)
        .await
        .map_err(AppError::from)?
        .filter(|account| account.is_admin);
    drop(conn);
    let Some(admin) = admin else {
        tracing::warn!(user_id = user.id, path = %req.path(), "refused a non-admin");
        return Err(AppError::Forbidden.into());
    };
    req.extensions_mut().insert(AdminUser {
        id: admin.id,
        email: admin.email,
    });
    next.call(req).await
}

impl FromRequest for AdminUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Only `require_admin` puts it there; a route outside the scope never gets one.
        ready(
            req.extensions()
                .get::<AdminUser>()
                .cloned()
                .ok_or(AppError::Forbidden),
        )
    }
}
