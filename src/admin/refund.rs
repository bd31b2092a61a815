//! `POST /admin/orders/{id}/refunds`: a full or partial refund through the Refunds API.
//!
//! The form carries a request key, stored in `refund_requests` and used in the idempotency
//! key, so a double submission or a retry makes one refund. The order's amounts and status are
//! not touched here: they change when Stripe reports the refund (`charge.refunded` through the
//! webhook, or the reconciler), like a refund made in the Stripe Dashboard. The units the
//! owner chose, item by item, go back to stock as soon as Stripe accepts the refund: that is the
//! owner's decision about goods, not a payment status.
//!
//! A new refund is first shown for confirmation, its amount formatted in the order's currency
//! and what goes back to stock listed; only the confirmation's form (`confirmed=yes`) sends it.
//! A refund already asked for and not answered is retried without asking again.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use diesel_async::AsyncConnection;
use diesel_async::scoped_futures::ScopedFutureExt;
use serde::Deserialize;
use uuid::Uuid;

use super::db::{self, NewRefundRequest};
use super::guard::AdminUser;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::{Money, RefundRequestStatus, RefundStatus};
use crate::error::AppError;
use crate::orders::db as orders_db;
use crate::orders::{Order, OrderItem};
use crate::page::{PageContext, render, see_other};
use crate::payments::{GatewayError, Payments};
use crate::session::{FlashKind, ShopSession};
use crate::stock;

#[derive(Debug, Deserialize)]
pub struct RefundForm {
    amount: String,
    key: Uuid,
    /// `yes` from the confirmation page; without it a new refund is shown for confirmation.
    #[serde(default)]
    confirmed: Option<String>,
    /// `restock_<product id>`: how many units of that item go back on the shelf.
    #[serde(flatten)]
    others: HashMap<String, String>,
}

/// The refund about to be sent, for the owner to confirm.
#[derive(Template, WebTemplate)]
#[template(path = "admin/refund_confirm.html")]
pub struct ConfirmRefundPage {
    ctx: PageContext,
    order: Order,
    amount: Money,
    /// The amount as typed, sent again as it was.
    amount_typed: String,
    key: Uuid,
    /// Item names and units going back to stock.
    restock: Vec<(String, i32)>,
    /// The form fields that carry them.
    restock_fields: Vec<(String, i32)>,
}

impl RefundForm {
    /// The units to return per order item, each checked against what the order still has out.
    fn restock(&self, items: &[OrderItem]) -> Result<Vec<(i64, i32)>, String> {
        let mut wanted = Vec::new();
        for (name, value) in &self.others {
            let Some(item_id) = name.strip_prefix("restock_") else {
                continue;
            };
            let item = item_id
                .parse::<i64>()
                .ok()
                .and_then(|id| items.iter().find(|i| i.id == id))
                .ok_or_else(|| "Return to stock: that item is not in this order.".to_owned())?;
            let units = match value.trim() {
                "" => 0,
                typed => typed.parse::<i32>().map_err(|_| {
                    format!(
                        "Return to stock: enter a number of units of {}.",
                        item.product_name
                    )
                })?,
            };
            if !(0..=item.restockable()).contains(&units) {
                return Err(format!(
                    "Return to stock: {} of {} can go back, not {units}.",
                    item.restockable(),
                    item.product_name
                ));
            }
            if units > 0 {
                wanted.push((item.id, units));
            }
        }
        wanted.sort_unstable();
        Ok(wanted)
    }
}

#[tracing::instrument(skip(ctx, admin, session, pool, payments, form), fields(admin = admin.id))]
pub async fn refund(
    ctx: PageContext,
    admin: AdminUser,
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    id: web::Path<Uuid>,
    CsrfForm(form): CsrfForm<RefundForm>,
) -> Result<HttpResponse, AppError> {
    let back = format!("/admin/orders/{id}");
    let refuse = |message: String| {
        session.flash(FlashKind::Error, message);
        Ok(see_other(back.clone()))
    };
    let mut conn = pool.get().await?;
    let order = orders_db::find(&mut conn, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(intent) = order.payment_intent_id.clone() else {
        return refuse("This order has no payment to refund.".into());
    };
    if !order.status().was_paid() {
        return refuse(format!(
            "Only a paid order can be refunded; this one is {}.",
            order.status_label().to_lowercase()
        ));
    }
    let currency = order.total().currency;

    let request = match db::refund_request_by_key(&mut conn, form.key).await? {
        Some(request) if request.order_id != order.id => return Err(AppError::NotFound),
        Some(request) if request.status != RefundRequestStatus::Requested => {
            session.flash(FlashKind::Info, "This refund was already sent to Stripe.");
            return Ok(see_other(back));
        }
        // Sent before without an answer: sent again as it was, under the same key.
        Some(request) => request,
        None => {
            let amount = match Money::parse(&form.amount, currency) {
                Ok(amount) => amount,
                Err(e) => return refuse(format!("Amount: {e}")),
            };
            let items = orders_db::items(&mut conn, order.id).await?;
            let restock = match form.restock(&items) {
                Ok(restock) => restock,
                Err(message) => return refuse(message),
            };
            // Stripe's own count includes refunds whose webhook has not arrived yet, and those
            // made in the Dashboard.
            let refunded = payments
                .refunded_total(&intent)
                .await?
                .max(order.amount_refunded_minor);
            let remaining = (order.amount_paid_minor - refunded).max(0);
            if remaining == 0 {
                return refuse("This order has been refunded in full already.".into());
            }
            if amount.minor > remaining {
                return refuse(format!(
                    "You can refund at most {} on this order: {} of {} has been refunded already.",
                    Money::new(remaining, currency),
                    Money::new(refunded, currency),
                    order.amount_paid(),
                ));
            }
            if form.confirmed.as_deref() != Some("yes") {
                let restock_names = restock
                    .iter()
                    .map(|(item_id, units)| {
                        let name = items
                            .iter()
                            .find(|i| i.id == *item_id)
                            .map_or_else(String::new, |i| i.product_name.clone());
                        (name, *units)
                    })
                    .collect();
                let page = ConfirmRefundPage {
                    ctx,
                    amount,
                    amount_typed: form.amount.clone(),
                    key: form.key,
                    restock: restock_names,
                    restock_fields: restock
                        .iter()
                        .map(|(item_id, units)| (format!("restock_{item_id}"), *units))
                        .collect(),
                    order,
                };
                return render(&page, StatusCode::OK);
            }
            db::insert_refund_request(
                &mut conn,
                &NewRefundRequest {
                    key: form.key,
                    order_id: order.id,
                    admin_id: admin.id,
                    amount_minor: amount.minor,
                    currency,
                    restock: !restock.is_empty(),
                    restock_quantities: db::restock_quantities_json(&restock),
                },
            )
            .await?
        }
    };
    let amount = Money::new(request.amount_minor, currency);

    let refund = match payments
        .refund(&intent, request.amount_minor, request.key, request.attempt)
        .await
    {
        Ok(refund) => refund,
        Err(GatewayError::Refused { message, .. }) => {
            db::finish_refund_request(
                &mut conn,
                request.id,
                RefundRequestStatus::Refused,
                None,
                Some(&message),
            )
            .await?;
            return refuse(format!("Stripe refused the refund: {message}"));
        }
        Err(e @ (GatewayError::Unavailable(_) | GatewayError::Failed { .. })) => {
            if e.answered() {
                // Stripe replays this error for the key: the next submission takes the next
                // key, after looking for a refund this attempt may have made.
                db::next_refund_attempt(&mut conn, request.id, request.attempt).await?;
            }
            tracing::warn!(error = %e, "a refund got no answer from Stripe");
            return refuse(format!(
                "Stripe could not be reached, so the refund of {amount} is not confirmed. \
                 Submit the form again to retry it: it cannot refund twice."
            ));
        }
    };
    let (status, accepted) = answered(&refund);
    // What this request asked to return (a retried request keeps what it first asked).
    let wanted = if accepted {
        db::restock_quantities_of(&request)
    } else {
        Vec::new()
    };
    let order_id = order.id;
    let admin_id = admin.id;
    let refund_id = refund.id.as_str().to_owned();
    let returned = conn
        .transaction::<_, diesel::result::Error, _>(|conn| {
            async move {
                let returned = stock::give_back(conn, order_id, &wanted, Some(admin_id)).await?;
                db::finish_refund_request(conn, request.id, status, Some(&refund_id), None).await?;
                db::set_refund_restocked(conn, request.id, !returned.is_empty()).await?;
                Ok(returned)
            }
            .scope_boxed()
        })
        .await?;
    let restocked: i32 = returned.iter().map(|(_, units)| units).sum();
    tracing::info!(order = %order.id, amount = request.amount_minor, restocked, "refund sent to Stripe");

    if !accepted {
        return refuse(format!("Stripe did not make the refund of {amount}."));
    }
    let mut message = format!(
        "Refund of {amount} sent to Stripe. The order's status changes when Stripe confirms it."
    );
    if restocked > 0 {
        let units = if restocked == 1 {
            "unit is"
        } else {
            "units are"
        };
        message.push_str(&format!(" {restocked} {units} back in stock."));
    } else if request.restock {
        message.push_str(" The items were back in stock already.");
    }
    session.flash(FlashKind::Info, message);
    Ok(see_other(back))
}

/// What Stripe's answer says of the refund it made, and whether Stripe accepted it (the refund
/// is made or on its way: the chosen units go back to stock). A refund that waits for something
/// (`requires_action`) or whose status this API version does not know is stored as pending and
/// not taken as accepted; its own events (and the reconciler) record what becomes of it.
fn answered(refund: &stripe_shared::Refund) -> (RefundRequestStatus, bool) {
    let Some(status) = refund.status.as_deref() else {
        return (RefundRequestStatus::Pending, true);
    };
    match status.parse::<RefundStatus>() {
        Ok(status @ (RefundStatus::Pending | RefundStatus::Succeeded)) => (status.into(), true),
        Ok(status @ (RefundStatus::Failed | RefundStatus::Canceled)) => (status.into(), false),
        Ok(RefundStatus::RequiresAction) | Err(_) => (RefundRequestStatus::Pending, false),
    }
}
