//! What every page's layout needs: who is signed in, the cart count, the CSRF token for its
//! forms, a flash message, and whether payments are test payments.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use askama::Template;

use crate::assets::Site;
use crate::cart::CartCounts;
use crate::db::DbPool;
use crate::error::AppError;
use crate::session::{Flash, SessionUser, ShopSession};

/// How payments are made, as the banner on every page tells shoppers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMode {
    /// The built-in Stripe sandbox: nothing leaves this machine.
    Sandbox,
    /// Stripe with test keys.
    StripeTest,
    /// Stripe with live keys: no banner.
    StripeLive,
}

/// Where the shop's emails go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailDelivery {
    /// Over SMTP (`SMTP_URL`).
    Smtp,
    /// Caught in the mailbox at `/_sandbox/mail` (no `SMTP_URL`: a development shop).
    Mailbox,
}

#[derive(Debug, Clone)]
pub struct PageContext {
    pub site: web::Data<Site>,
    pub user: Option<SessionUser>,
    pub csrf_token: String,
    pub cart_count: i64,
    pub flash: Option<Flash>,
    pub payment_mode: PaymentMode,
    pub mail: MailDelivery,
}

impl PageContext {
    /// Emails are caught in the mailbox rather than sent.
    pub fn mailbox(&self) -> bool {
        self.mail == MailDelivery::Mailbox
    }

    pub fn is_sandbox(&self) -> bool {
        self.payment_mode == PaymentMode::Sandbox
    }

    pub fn is_test_mode(&self) -> bool {
        self.payment_mode == PaymentMode::StripeTest
    }

    /// The URL of a file under `/static/` that changes whenever the file does.
    pub fn asset<'a>(&'a self, path: &'a str) -> &'a str {
        self.site.assets.url(path)
    }

    /// [`PageContext::asset`] of a path made for the page (a thumbnail's).
    pub fn asset_of(&self, path: String) -> String {
        match self.site.assets.url(&path) {
            url if url != path => url.to_owned(),
            _ => path,
        }
    }

    /// `path` on this shop as an absolute URL.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.site.base_url)
    }

    async fn load(req: &HttpRequest) -> Result<Self, AppError> {
        let session = ShopSession::from_request(req);
        let payment_mode = req
            .app_data::<web::Data<PaymentMode>>()
            .map_or(PaymentMode::Sandbox, |mode| *mode.get_ref());
        let mail = mail_delivery(req);
        let cart_count = match session.cart_id() {
            Some(cart_id) => {
                let (Some(pool), Some(counts)) = (
                    req.app_data::<web::Data<DbPool>>(),
                    req.app_data::<web::Data<CartCounts>>(),
                ) else {
                    return Err(
                        anyhow::anyhow!("no database pool or cart counts configured").into(),
                    );
                };
                counts.count(pool, cart_id, session.cart_revision()).await?
            }
            None => 0,
        };
        Ok(Self {
            site: site(req),
            user: session.user(),
            csrf_token: session.csrf_token(),
            cart_count,
            flash: session.take_flash(),
            payment_mode,
            mail,
        })
    }

    /// The context for an error page: best effort, since the error may be the database itself.
    pub async fn for_error_page(req: &HttpRequest) -> Self {
        match Self::load(req).await {
            Ok(ctx) => ctx,
            Err(_) => {
                let session = ShopSession::from_request(req);
                Self {
                    site: site(req),
                    user: session.user(),
                    csrf_token: session.csrf_token(),
                    cart_count: 0,
                    flash: None,
                    payment_mode: req
                        .app_data::<web::Data<PaymentMode>>()
                        .map_or(PaymentMode::Sandbox, |mode| *mode.get_ref()),
                    mail: mail_delivery(req),
                }
            }
        }
    }
}

fn site(req: &HttpRequest) -> web::Data<Site> {
    req.app_data::<web::Data<Site>>()
        .cloned()
        .unwrap_or_else(|| web::Data::new(Site::default()))
}

fn mail_delivery(req: &HttpRequest) -> MailDelivery {
    req.app_data::<web::Data<MailDelivery>>()
        .map_or(MailDelivery::Mailbox, |mail| *mail.get_ref())
}

impl FromRequest for PageContext {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Self::load(&req).await })
    }
}

/// Renders a page with `status`: a form shown again with its error (400, 401, 409), or a page
/// whose answer needs headers of its own. Pages answered with 200 are returned by their
/// handlers as templates.
pub fn render(page: &impl Template, status: StatusCode) -> Result<HttpResponse, AppError> {
    let body = page.render().map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// A 303 to `location`: where every form post sends the browser next.
pub fn see_other(location: impl Into<String>) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location.into()))
        .finish()
}
