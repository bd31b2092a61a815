//! `GET /admin/webhooks`: the most recent Stripe events received, with their outcome; a failed
//! one can be run again.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::format::format_time;
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::PageContext;
use crate::payments::events::{self, Outcome, StoredEvent};

const SHOWN: i64 = 100;

#[derive(Debug, Deserialize)]
pub struct DeliveriesQuery {
    outcome: Option<String>,
}

pub struct Delivery {
    pub event: StoredEvent,
    pub order_number: Option<i64>,
}

impl Delivery {
    pub fn received(&self) -> String {
        format_time(self.event.received_at)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/webhooks.html")]
pub struct DeliveriesPage {
    ctx: PageContext,
    deliveries: Vec<Delivery>,
    outcomes: [Outcome; Outcome::ALL.len()],
    outcome: String,
}

#[tracing::instrument(skip_all)]
pub async fn deliveries(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    query: web::Query<DeliveriesQuery>,
) -> Result<DeliveriesPage, AppError> {
    let outcome = query
        .outcome
        .as_deref()
        .filter(|o| !o.is_empty())
        .map(|o| {
            o.parse::<Outcome>()
                .map_err(|_| AppError::bad_request("There is no such outcome."))
        })
        .transpose()?;
    let mut conn = pool.get().await?;
    let deliveries = events::recent(&mut conn, outcome, SHOWN)
        .await?
        .into_iter()
        .map(|(event, order_number)| Delivery {
            event,
            order_number,
        })
        .collect();
    Ok(DeliveriesPage {
        ctx,
        deliveries,
        outcomes: Outcome::ALL,
        outcome: outcome.map(Outcome::as_str).unwrap_or_default().to_owned(),
    })
}
