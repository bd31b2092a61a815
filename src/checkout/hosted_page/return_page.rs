//! `GET /checkout/hosted/return?session_id=...`: Stripe's `success_url`. Only the session's id
//! is read from the query string, to find the order; what happened comes from Stripe.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use stripe_shared::PaymentIntentStatus;

use crate::db::DbPool;
use crate::domain::PaymentStatus;
use crate::error::AppError;
use crate::orders::{db as orders_db, require_owner};
use crate::page::see_other;
use crate::payments::Payments;
use crate::payments::sessions::observe_session;
use crate::payments::transition::{self, Cause, Observation};

#[derive(Debug, Deserialize)]
pub struct HostedReturnQuery {
    session_id: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn hosted_return(
    session: crate::session::ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    query: web::Query<HostedReturnQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let session_id = query.session_id.as_deref().ok_or(AppError::NotFound)?;
    let order = {
        let mut conn = pool.get().await?;
        orders_db::by_checkout_session(&mut conn, session_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let path = format!("{}?{}", req.path(), req.query_string());
    require_owner(&order, &session, &path)?;

    let observation = match payments.retrieve_checkout_session(session_id).await {
        Ok(checkout) => observe_session(&payments, &checkout).await,
        Err(e) => Err(e),
    };
    let observation = match observation {
        Ok(observation) => observation,
        Err(e) => {
            tracing::warn!(order = %order.id, error = %e, "could not confirm a hosted payment on the return page");
            return match order.status() {
                status if status.was_paid() => {
                    Ok(see_other(format!("/orders/{}/thanks", order.id)))
                }
                _ => Err(AppError::PaymentNotConfirmed {
                    order_number: order.number,
                }),
            };
        }
    };
    let processing = matches!(
        &observation,
        Some(Observation::Intent(intent)) if intent.status == PaymentIntentStatus::Processing
    );
    let order = match &observation {
        Some(observation) => {
            transition::apply(&pool, order.id, observation, Cause::Return)
                .await?
                .ok_or(AppError::NotFound)?
                .order
        }
        None => order,
    };
    Ok(see_other(match order.status() {
        status if status.was_paid() => format!("/orders/{}/thanks", order.id),
        PaymentStatus::Pending if processing => format!("/orders/{}/thanks", order.id),
        PaymentStatus::Cancelled => format!("/orders/{}/cancelled", order.id),
        _ => format!("/orders/{}/hosted", order.id),
    }))
}
