//! `GET/POST /password/forgot`: someone who forgot their password asks for a reset link. The
//! answer is the same whether or not the email has an account; the link goes only to an
//! account's own address, in an email written to the outbox in the transaction that made its
//! token. Asking counts against the client address's sign-in allowance, and an address gets at
//! most [`PER_HOUR`] reset emails an hour.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use diesel_async::AsyncConnection;
use diesel_async::scoped_futures::ScopedFutureExt;
use serde::Deserialize;
use time::OffsetDateTime;

use super::throttle::LoginThrottle;
use super::{db, reset_tokens};
use crate::client_ip::ClientIp;
use crate::config::Settings;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::Email;
use crate::email::messages;
use crate::error::AppError;
use crate::outbox::{self, Kind, NewMail};
use crate::page::{PageContext, render, see_other};
use crate::session::{FlashKind, ShopSession};

/// Reset emails one address may be sent in an hour.
pub const PER_HOUR: i64 = 3;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/forgot_password.html")]
pub struct ForgotPage {
    ctx: PageContext,
    email: String,
    error: Option<String>,
}

pub async fn forgot_page(ctx: PageContext) -> ForgotPage {
    ForgotPage {
        ctx,
        email: String::new(),
        error: None,
    }
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    email: String,
}

#[tracing::instrument(skip_all)]
pub async fn ask_for_reset(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    throttle: web::Data<LoginThrottle>,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    throttle.check_address_for(ip, "password reset requests")?;
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(e) => {
            let page = ForgotPage {
                ctx,
                email: form.email,
                error: Some(e.to_string()),
            };
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };
    let mut conn = pool.get().await?;
    let user = db::by_email(&mut conn, &email).await?;
    let since = OffsetDateTime::now_utc() - time::Duration::hours(1);
    let sent_lately =
        outbox::db::count_recent(&mut conn, email.as_str(), Kind::PasswordReset, since).await?;
    match user {
        Some(user) if sent_lately < PER_HOUR => {
            let base_url = settings.base_url.clone();
            conn.transaction::<_, AppError, _>(|conn| {
                async move {
                    let (token, expires_at) = reset_tokens::issue(conn, user.id).await?;
                    let link = format!("{base_url}/password/reset?token={}", token.as_str());
                    let written = messages::password_reset(&base_url, &link, expires_at)
                        .map_err(|e| AppError::Unexpected(e.into()))?;
                    outbox::enqueue(
                        conn,
                        &NewMail {
                            key: format!("password-reset:{}", reset_tokens::hash(token.as_str())),
                            kind: Kind::PasswordReset,
                            recipient: &user.email,
                            order_id: None,
                            facts: serde_json::json!({}),
                            written: Some(written),
                            send_after: None,
                        },
                    )
                    .await?;
                    Ok(())
                }
                .scope_boxed()
            })
            .await?;
            tracing::info!(user_id = user.id, "password reset link sent");
        }
        Some(user) => {
            tracing::info!(
                user_id = user.id,
                "password reset not sent: enough this hour"
            );
        }
        None => tracing::info!("password reset asked for an email with no account"),
    }
    session.flash(
        FlashKind::Info,
        format!(
            "If an account uses {email}, a link to choose a new password is on its way to it. \
             The link works once, within an hour."
        ),
    );
    Ok(see_other("/login"))
}
