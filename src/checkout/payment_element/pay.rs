//! `GET /orders/{id}/pay`: the order's summary and Stripe's Payment Element.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use stripe_shared::PaymentIntentStatus;
use uuid::Uuid;

use super::intent::ensure_intent;
use crate::checkout::order::load_order;
use crate::config::Settings;
use crate::db::DbPool;
use crate::error::AppError;
use crate::orders::{Order, OrderItem, db as orders_db, require_owner};
use crate::page::see_other;
use crate::page::{PageContext, render};
use crate::payments::Payments;
use crate::session::ShopSession;

#[derive(Template)]
#[template(path = "checkout/pay.html")]
pub struct PaymentPage {
    ctx: PageContext,
    order: Order,
    items: Vec<OrderItem>,
    publishable_key: String,
    client_secret: String,
    js_url: String,
    return_url: String,
}

/// The payment page: the order's summary and Stripe's Payment Element. The client secret is
/// on this page only for the order's own session or account, and the page is never cached.
#[tracing::instrument(skip(ctx, session, pool, payments, settings, req))]
pub async fn payment_page(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    settings: web::Data<Settings>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (order, items) = {
        let mut conn = pool.get().await?;
        let order = load_order(&mut conn, *id).await?;
        require_owner(&order, &session, req.path())?;
        let items = orders_db::items(&mut conn, order.id).await?;
        (order, items)
    };
    if order.status().was_paid() {
        return Ok(see_other(format!("/orders/{}/thanks", order.id)));
    }
    if !order.status().awaits_payment() {
        return Ok(see_other(format!("/orders/{}", order.id)));
    }
    if order.checkout_session_id.is_some() {
        // Paid on Stripe's hosted page: the shop never makes a second intent for it.
        return Ok(see_other(format!("/orders/{}/hosted", order.id)));
    }
    let intent = ensure_intent(&pool, &payments, &order).await?;
    if matches!(
        intent.status,
        PaymentIntentStatus::Succeeded | PaymentIntentStatus::Processing
    ) {
        // Paid already, though the webhook has not told us yet.
        return Ok(see_other(format!("/orders/{}/thanks", order.id)));
    }
    let client_secret = intent
        .client_secret
        .clone()
        .ok_or_else(|| anyhow::anyhow!("the PaymentIntent has no client secret"))?;
    let page = PaymentPage {
        ctx,
        order,
        items,
        publishable_key: payments.publishable_key.clone(),
        client_secret,
        js_url: payments.js_url.clone(),
        return_url: format!("{}/checkout/return", settings.base_url),
    };
    let mut response = render(&page, StatusCode::OK)?;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
