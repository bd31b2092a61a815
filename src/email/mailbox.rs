//! The mailbox of a shop without SMTP: every email it would have sent is caught here (table
//! `mailbox`, written only here) and shown in the browser at `/_sandbox/mail` — a list, and each
//! email with its HTML and plain-text bodies. It exists only while no `SMTP_URL` is set, which
//! a live shop refuses: anyone who can open it reads every email, password-reset links
//! included, so it is for development shops (the sandbox, or Stripe test keys) only.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::db::DbPool;
use crate::error::AppError;
use crate::outbox::Written;
use crate::page::PageContext;
use crate::schema::mailbox;

/// The mailbox keeps this many emails, the newest.
const KEPT: i64 = 1000;
pub const PATH: &str = "/_sandbox/mail";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(PATH, web::get().to(list))
        .route("/_sandbox/mail/{id}", web::get().to(show))
        .route("/_sandbox/mail/{id}/html", web::get().to(html));
}

/// An email as it was caught.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mailbox)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Caught {
    pub id: i64,
    pub message_id: String,
    pub sender: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub caught_at: OffsetDateTime,
}

impl Caught {
    pub fn caught(&self) -> String {
        let format =
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
        self.caught_at.format(&format).unwrap_or_default()
    }
}

/// Catches the outbox's email `outbox_id`; once only, whatever happens. Call it in the
/// transaction that marks the email sent.
pub async fn catch(
    conn: &mut AsyncPgConnection,
    outbox_id: i64,
    message_id: &str,
    sender: &str,
    recipient: &str,
    written: &Written,
) -> QueryResult<()> {
    diesel::insert_into(mailbox::table)
        .values((
            mailbox::outbox_id.eq(outbox_id),
            mailbox::message_id.eq(message_id),
            mailbox::sender.eq(sender),
            mailbox::recipient.eq(recipient),
            mailbox::subject.eq(&written.subject),
            mailbox::text_body.eq(&written.text),
            mailbox::html_body.eq(&written.html),
        ))
        .on_conflict(mailbox::outbox_id)
        .do_nothing()
        .execute(conn)
        .await?;
    let oldest_kept: Option<i64> = mailbox::table
        .select(mailbox::id)
        .order(mailbox::id.desc())
        .offset(KEPT - 1)
        .first(conn)
        .await
        .optional()?;
    if let Some(oldest) = oldest_kept {
        diesel::delete(mailbox::table.filter(mailbox::id.lt(oldest)))
            .execute(conn)
            .await?;
    }
    Ok(())
}

#[derive(Template, WebTemplate)]
#[template(path = "mailbox/list.html")]
pub struct MailboxPage {
    ctx: PageContext,
    mails: Vec<Caught>,
}

async fn list(ctx: PageContext, pool: web::Data<DbPool>) -> Result<MailboxPage, AppError> {
    let mut conn = pool.get().await?;
    let mails = mailbox::table
        .order(mailbox::id.desc())
        .limit(200)
        .select(Caught::as_select())
        .load(&mut conn)
        .await?;
    Ok(MailboxPage { ctx, mails })
}

async fn find(pool: &DbPool, id: i64) -> Result<Caught, AppError> {
    let mut conn = pool.get().await?;
    mailbox::table
        .find(id)
        .select(Caught::as_select())
        .first(&mut conn)
        .await
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A piece of a plain-text body: words, or a link to follow.
pub struct Part {
    pub text: String,
    pub link: bool,
}

/// The text with its `http(s)://` addresses as links, so that a link in an email can be
/// followed from the mailbox.
fn linkify(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = ["http://", "https://"]
        .iter()
        .filter_map(|scheme| rest.find(scheme))
        .min()
    {
        let end = rest[start..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |e| start + e);
        if start > 0 {
            parts.push(Part {
                text: rest[..start].to_owned(),
                link: false,
            });
        }
        parts.push(Part {
            text: rest[start..end].to_owned(),
            link: true,
        });
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        parts.push(Part {
            text: rest.to_owned(),
            link: false,
        });
    }
    parts
}

#[derive(Template, WebTemplate)]
#[template(path = "mailbox/message.html")]
pub struct MessagePage {
    ctx: PageContext,
    mail: Caught,
    text: Vec<Part>,
}

async fn show(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<MessagePage, AppError> {
    let mail = find(&pool, *id).await?;
    let text = linkify(&mail.text_body);
    Ok(MessagePage { ctx, mail, text })
}

/// The HTML body as its own document, framed by the message page or opened on its own. It may
/// run nothing and load nothing but its inline styles and images.
async fn html(pool: web::Data<DbPool>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let mail = find(&pool, *id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
             frame-ancestors 'self'; form-action 'none'; base-uri 'none'; \
             sandbox allow-popups allow-top-navigation-by-user-activation",
        ))
        .insert_header((header::X_FRAME_OPTIONS, "SAMEORIGIN"))
        .body(mail.html_body))
}

#[cfg(test)]
mod tests {
    use super::linkify;

    #[test]
    fn links_in_a_text_body_become_links() {
        let parts = linkify("Open http://shop.test/orders/1 now.\nOr https://x.test");
        let shown: Vec<(&str, bool)> = parts.iter().map(|p| (p.text.as_str(), p.link)).collect();
        assert_eq!(
            shown,
            [
                ("Open ", false),
                ("http://shop.test/orders/1", true),
                (" now.\nOr ", false),
                ("https://x.test", true),
            ]
        );
    }
}
