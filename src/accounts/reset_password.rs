//! `GET/POST /password/reset?token=…`: the link from a reset email. Opening it changes nothing
//! (mail scanners open links too); the form spends the token, sets the new password and ends
//! every session of the account, on every server, in one transaction. The token travels in the
//! query string, which the request log leaves out.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use diesel_async::AsyncConnection;
use diesel_async::scoped_futures::ScopedFutureExt;
use serde::Deserialize;

use super::password::{self, PasswordHashers};
use super::throttle::LoginThrottle;
use super::{db, reset_tokens, strength};
use crate::client_ip::ClientIp;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::{PageContext, render, see_other};
use crate::session::store::revoke_user_sessions;
use crate::session::{FlashKind, ShopSession};

#[derive(Template, WebTemplate)]
#[template(path = "accounts/reset_password.html")]
pub struct ResetPage {
    ctx: PageContext,
    /// `None`: the link no longer works.
    token: Option<String>,
    error: Option<String>,
}

fn link_dead(ctx: PageContext) -> Result<HttpResponse, AppError> {
    render(
        &ResetPage {
            ctx,
            token: None,
            error: None,
        },
        StatusCode::GONE,
    )
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

pub async fn reset_page(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = query.token.clone().unwrap_or_default();
    let mut conn = pool.get().await?;
    if reset_tokens::user_of(&mut conn, &token).await?.is_none() {
        return link_dead(ctx);
    }
    render(
        &ResetPage {
            ctx,
            token: Some(token),
            error: None,
        },
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    token: String,
    password: String,
    password_confirmation: String,
}

#[tracing::instrument(skip_all)]
pub async fn reset_password(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    hashers: web::Data<PasswordHashers>,
    throttle: web::Data<LoginThrottle>,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<HttpResponse, AppError> {
    throttle.check_address_for(ip, "password resets")?;
    let user = {
        let mut conn = pool.get().await?;
        match reset_tokens::user_of(&mut conn, &form.token).await? {
            Some(user_id) => db::by_id(&mut conn, user_id).await?,
            None => None,
        }
    };
    let Some(user) = user else {
        return link_dead(ctx);
    };
    let refuse = |ctx: PageContext, message: String| {
        let page = ResetPage {
            ctx,
            token: Some(form.token.clone()),
            error: Some(message),
        };
        render(&page, StatusCode::BAD_REQUEST)
    };
    if form.password.chars().count() > password::MAX_LENGTH {
        return refuse(
            ctx,
            format!(
                "Choose a password of at most {} characters.",
                password::MAX_LENGTH
            ),
        );
    }
    if let Err(message) = strength::check(&form.password, &user.email) {
        return refuse(ctx, message);
    }
    if form.password != form.password_confirmation {
        return refuse(ctx, "The two new passwords do not match.".into());
    }
    // No connection is held while the password waits for a hashing thread.
    let hash = hashers.hash(form.password.clone()).await?;
    let mut conn = pool.get().await?;
    let token = form.token.clone();
    let ended = conn
        .transaction::<_, diesel::result::Error, _>(|conn| {
            async move {
                if reset_tokens::spend(conn, &token).await? != Some(user.id) {
                    return Ok(None);
                }
                db::set_password(conn, user.id, &hash).await?;
                revoke_user_sessions(conn, user.id, None).await.map(Some)
            }
            .scope_boxed()
        })
        .await?;
    let Some(ended) = ended else {
        // Another reset spent the token first.
        return link_dead(ctx);
    };
    throttle.clear(&mut conn, &user.email).await?;
    tracing::info!(
        user_id = user.id,
        ended,
        "password reset; the account's sessions ended"
    );
    session.flash(
        FlashKind::Info,
        "Your password is changed, and you are signed out everywhere. Sign in with your new password.",
    );
    Ok(see_other("/login"))
}
