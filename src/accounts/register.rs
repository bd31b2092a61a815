//! `GET /register` and `POST /register`: a new account, signed in at once.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::password::PasswordHashers;
use super::sign_in::{safe_next, start_session};
use super::throttle::LoginThrottle;
use super::{db, strength};
use crate::cart::CartCounts;
use crate::client_ip::ClientIp;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::Email;
use crate::error::AppError;
use crate::page::see_other;
use crate::page::{PageContext, render};
use crate::session::{FlashKind, SessionUser, ShopSession};

#[derive(Template, WebTemplate)]
#[template(path = "accounts/register.html")]
pub struct RegisterPage {
    ctx: PageContext,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn register_page(
    ctx: PageContext,
    query: web::Query<NextQuery>,
) -> Result<RegisterPage, AppError> {
    Ok(RegisterPage {
        ctx,
        email: String::new(),
        next: safe_next(query.next.as_deref())?,
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct RegisterForm {
    email: String,
    password: String,
    password_confirmation: String,
    next: Option<String>,
}

#[allow(clippy::too_many_arguments)] // one per extractor
#[tracing::instrument(skip_all)]
pub async fn register(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    counts: web::Data<CartCounts>,
    hashers: web::Data<PasswordHashers>,
    throttle: web::Data<LoginThrottle>,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(form.next.as_deref())?;
    throttle.check_address(ip)?;
    let refuse = |ctx: PageContext, message: String| -> Result<HttpResponse, AppError> {
        let page = RegisterPage {
            ctx,
            email: form.email.clone(),
            next: next.clone(),
            error: Some(message),
        };
        render(&page, StatusCode::BAD_REQUEST)
    };

    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(e) => return refuse(ctx, e.to_string()),
    };
    if let Err(message) = strength::check(&form.password, email.as_str()) {
        return refuse(ctx, message);
    }
    if form.password != form.password_confirmation {
        return refuse(ctx, "The two passwords do not match.".into());
    }

    let hash = hashers.hash(form.password.clone()).await?;
    let mut conn = pool.get().await?;
    let Some(user) = db::create(&mut conn, &email, &hash, false).await? else {
        return refuse(
            ctx,
            "An account with this email already exists. Sign in instead.".into(),
        );
    };
    tracing::info!(user_id = user.id, "account created");
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
    session.flash(FlashKind::Info, "Welcome! Your account is ready.");
    Ok(see_other(next))
}
