//! `GET /orders/{id}/thanks`: the success page, whatever way the shopper paid.

use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use uuid::Uuid;

use super::order::load_order;
use crate::config::Settings;
use crate::db::DbPool;
use crate::error::AppError;
use crate::orders::{Order, OrderItem, db as orders_db, require_owner};
use crate::page::PageContext;
use crate::session::ShopSession;

#[derive(Template, WebTemplate)]
#[template(path = "checkout/thanks.html")]
pub struct ThanksPage {
    ctx: PageContext,
    order: Order,
    items: Vec<OrderItem>,
    link: String,
}

impl ThanksPage {
    /// "Paid" once Stripe confirmed it; "Processing" while the confirmation is on its way.
    pub fn status_words(&self) -> &'static str {
        use crate::domain::PaymentStatus::{Pending, RequiresAction};
        if matches!(self.order.status(), Pending | RequiresAction) {
            "Processing"
        } else {
            self.order.status_label()
        }
    }
}

/// The success page. Its status is the database's: "Processing" until the webhook (or the
/// return page) confirms the payment.
#[tracing::instrument(skip(ctx, session, pool, settings, req))]
pub async fn thanks_page(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<ThanksPage, AppError> {
    let mut conn = pool.get().await?;
    let order = load_order(&mut conn, *id).await?;
    require_owner(&order, &session, req.path())?;
    let items = orders_db::items(&mut conn, order.id).await?;
    Ok(ThanksPage {
        ctx,
        link: format!("{}/orders/{}", settings.base_url, order.id),
        order,
        items,
    })
}
