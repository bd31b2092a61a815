//! `GET/POST /account/password`: a signed-in shopper changes their password. Every session of
//! the account ends, on every server; the one that changed it starts afresh.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::password::{self, PasswordHashers};
use super::sign_in::start_session;
use super::throttle::LoginThrottle;
use super::{db, strength};
use crate::cart::CartCounts;
use crate::client_ip::ClientIp;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::{PageContext, render, see_other};
use crate::session::store::revoke_user_sessions;
use crate::session::{FlashKind, SessionUser, ShopSession};

const PATH: &str = "/account/password";

#[derive(Template, WebTemplate)]
#[template(path = "accounts/password.html")]
pub struct PasswordPage {
    ctx: PageContext,
    error: Option<String>,
}

pub async fn password_page(ctx: PageContext) -> Result<PasswordPage, AppError> {
    if ctx.user.is_none() {
        return Err(AppError::SignInRequired { next: PATH.into() });
    }
    Ok(PasswordPage { ctx, error: None })
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current_password: String,
    password: String,
    password_confirmation: String,
}

#[allow(clippy::too_many_arguments)] // one per extractor
#[tracing::instrument(skip_all)]
pub async fn change_password(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    counts: web::Data<CartCounts>,
    hashers: web::Data<PasswordHashers>,
    throttle: web::Data<LoginThrottle>,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let signed_in = session
        .user()
        .ok_or_else(|| AppError::SignInRequired { next: PATH.into() })?;
    throttle.check_address(ip)?;
    let user = {
        let mut conn = pool.get().await?;
        db::by_id(&mut conn, signed_in.id)
            .await?
            .ok_or_else(|| AppError::SignInRequired { next: PATH.into() })?
    };
    let refuse = |ctx: PageContext, message: String| -> Result<HttpResponse, AppError> {
        let page = PasswordPage {
            ctx,
            error: Some(message),
        };
        render(&page, StatusCode::BAD_REQUEST)
    };
    let current = form
        .current_password
        .chars()
        .take(password::MAX_LENGTH)
        .collect();
    if !hashers
        .verify(current, Some(user.password_hash.clone()))
        .await?
    {
        return refuse(ctx, "Your current password is not right.".into());
    }
    if let Err(message) = strength::check(&form.password, &user.email) {
        return refuse(ctx, message);
    }
    if form.password != form.password_confirmation {
        return refuse(ctx, "The two new passwords do not match.".into());
    }
    let hash = hashers.hash(form.password).await?;
    let mut conn = pool.get().await?;
    db::set_password(&mut conn, user.id, &hash).await?;
    let ended = revoke_user_sessions(&mut conn, user.id, None).await?;
    tracing::info!(
        user_id = user.id,
        ended,
        "password changed; the account's sessions ended"
    );
    start_session(
        &mut conn,
        &session,
        &counts,
        SessionUser {
            id: user.id,
            email: user.email,
            is_admin: user.is_admin,
        },
    )
    .await?;
    session.flash(
        FlashKind::Info,
        "Your password is changed. You are signed out everywhere else.",
    );
    Ok(see_other("/orders"))
}
