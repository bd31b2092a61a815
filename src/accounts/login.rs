//! `GET /login` and `POST /login`: sign-in, behind the login throttle.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::db;
use super::password::{self, PasswordHashers};
use super::sign_in::{safe_next, start_session};
use super::throttle::LoginThrottle;
use crate::cart::CartCounts;
use crate::client_ip::ClientIp;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::Email;
use crate::error::AppError;
use crate::page::see_other;
use crate::page::{PageContext, render};
use crate::session::{FlashKind, SessionUser, ShopSession};

/// The same words whether the email is unknown or the password wrong, so that the form does
/// not tell who has an account.
const BAD_CREDENTIALS: &str = "Incorrect email or password.";

#[derive(Template, WebTemplate)]
#[template(path = "accounts/login.html")]
pub struct LoginPage {
    ctx: PageContext,
    email: String,
    next: String,
    error: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(
    ctx: PageContext,
    query: web::Query<NextQuery>,
) -> Result<LoginPage, AppError> {
    Ok(LoginPage {
        ctx,
        email: String::new(),
        next: safe_next(query.next.as_deref())?,
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

#[allow(clippy::too_many_arguments)] // one per extractor
#[tracing::instrument(skip_all)]
pub async fn login(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    counts: web::Data<CartCounts>,
    hashers: web::Data<PasswordHashers>,
    throttle: web::Data<LoginThrottle>,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(form.next.as_deref())?;
    throttle.check_address(ip)?;
    let user = {
        let mut conn = pool.get().await?;
        throttle.check_account(&mut conn, &form.email).await?;
        match Email::parse(&form.email) {
            Ok(email) => db::by_email(&mut conn, &email).await?,
            Err(_) => None,
        }
    };
    // No database connection is held while the password waits for a hashing thread.
    let password = form.password.chars().take(password::MAX_LENGTH).collect();
    let verified = hashers
        .verify(password, user.as_ref().map(|u| u.password_hash.clone()))
        .await?;
    let mut conn = pool.get().await?;
    let user = match user {
        Some(user) if verified => user,
        _ => {
            tracing::info!("sign-in refused");
            throttle.record_failure(&mut conn, &form.email).await?;
            let page = LoginPage {
                ctx,
                email: form.email,
                next,
                error: Some(BAD_CREDENTIALS),
            };
            return render(&page, StatusCode::UNAUTHORIZED);
        }
    };
    tracing::info!(user_id = user.id, "signed in");
    throttle.clear(&mut conn, &form.email).await?;
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
    session.flash(FlashKind::Info, "You are signed in.");
    Ok(see_other(next))
}
