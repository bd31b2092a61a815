//! `GET /admin/emails`: the emails the shop owes or sent, newest first, with where each stands,
//! its attempts and its last error; `POST /admin/emails/{id}/retry` sends a failed one again.
//! The bodies are not shown: a password reset's link opens an account.

use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::format::format_time;
use super::guard::AdminUser;
use crate::csrf::{CsrfForm, NoFields};
use crate::db::DbPool;
use crate::error::AppError;
use crate::outbox::{self, Mail, Status};
use crate::page::{PageContext, see_other};
use crate::session::{FlashKind, ShopSession};

const SHOWN: i64 = 100;

#[derive(Debug, Deserialize)]
pub struct EmailsQuery {
    status: Option<String>,
}

pub struct Row {
    pub mail: Mail,
    pub order_number: Option<i64>,
}

impl Row {
    pub fn created(&self) -> String {
        format_time(self.mail.created_at)
    }

    /// When it went, or when it is next tried.
    pub fn when(&self) -> String {
        match (self.mail.status, self.mail.sent_at) {
            (Status::Sent, Some(at)) => format!("sent {}", format_time(at)),
            (Status::Pending, _) => format!("next try {}", format_time(self.mail.send_after)),
            _ => String::new(),
        }
    }

    pub fn subject(&self) -> &str {
        self.mail
            .subject
            .as_deref()
            .unwrap_or_else(|| self.mail.kind.label())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/emails.html")]
pub struct EmailsPage {
    ctx: PageContext,
    rows: Vec<Row>,
    statuses: [Status; Status::ALL.len()],
    status: String,
}

#[tracing::instrument(skip_all)]
pub async fn emails(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    query: web::Query<EmailsQuery>,
) -> Result<EmailsPage, AppError> {
    let status = query
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<Status>()
                .map_err(|_| AppError::bad_request("There is no such email status."))
        })
        .transpose()?;
    let mut conn = pool.get().await?;
    let rows = outbox::db::recent(&mut conn, status, SHOWN)
        .await?
        .into_iter()
        .map(|(mail, order_number)| Row { mail, order_number })
        .collect();
    Ok(EmailsPage {
        ctx,
        rows,
        statuses: Status::ALL,
        status: status.map(Status::as_str).unwrap_or_default().to_owned(),
    })
}

#[tracing::instrument(skip(admin, session, pool, _form), fields(admin = admin.id))]
pub async fn retry(
    admin: AdminUser,
    session: ShopSession,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let mut conn = pool.get().await?;
    if outbox::db::retry_failed(&mut conn, *id).await? {
        tracing::info!(email = *id, "failed email sent again by the owner");
        session.flash(FlashKind::Info, format!("Email {id} is being sent again."));
    } else {
        session.flash(
            FlashKind::Info,
            format!("Only a failed email can be sent again; email {id} is not failed."),
        );
    }
    Ok(see_other("/admin/emails"))
}
