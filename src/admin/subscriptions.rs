//! `GET /admin/subscriptions`: Storefront Club memberships by status, with the monthly
//! recurring revenue (MRR: active memberships only, a yearly price counted as a twelfth a
//! month); `GET /admin/subscriptions/{id}`: one subscriber's membership, its timeline (every
//! change and refusal, with the Stripe event behind it) and its invoices.

use std::collections::BTreeMap;

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::format::format_time;
use crate::club::MembershipStatus;
use crate::club::db::{self as club_db, Membership, MembershipEvent, MembershipInvoice};
use crate::db::DbPool;
use crate::domain::{Currency, Money};
use crate::error::AppError;
use crate::page::PageContext;

const SHOWN: i64 = 200;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
}

fn money(amount: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(currency) => Money::new(amount, currency).to_string(),
        Err(_) => format!("{amount} {currency}"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/subscriptions.html")]
pub struct SubscriptionsPage {
    ctx: PageContext,
    memberships: Vec<(Membership, String)>,
    statuses: Vec<(MembershipStatus, i64)>,
    status: String,
    /// MRR per currency, e.g. "$9.16".
    mrr: Vec<String>,
    active: i64,
}

impl SubscriptionsPage {
    fn when(&self, at: &Option<time::OffsetDateTime>) -> String {
        at.map(format_time).unwrap_or_default()
    }

    fn at(&self, at: &time::OffsetDateTime) -> String {
        format_time(*at)
    }

    fn money(&self, amount: &i64, currency: &str) -> String {
        money(*amount, currency)
    }
}

/// Monthly recurring revenue per currency: the active memberships' prices, a year's ÷ 12.
pub fn mrr(amounts: &[(crate::club::Plan, i64, String)]) -> BTreeMap<String, i64> {
    let mut totals = BTreeMap::new();
    for (plan, amount, currency) in amounts {
        *totals.entry(currency.clone()).or_insert(0) += plan.monthly_equivalent(*amount);
    }
    totals
}

#[tracing::instrument(skip_all)]
pub async fn list(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<SubscriptionsPage, AppError> {
    let status = query
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<MembershipStatus>()
                .map_err(|_| AppError::bad_request("There is no such membership status."))
        })
        .transpose()?;
    let mut conn = pool.get().await?;
    let memberships = club_db::list(&mut conn, status, SHOWN).await?;
    let counts = club_db::count_by_status(&mut conn).await?;
    let statuses = MembershipStatus::ALL
        .into_iter()
        .map(|s| {
            let n = counts.iter().find(|(c, _)| *c == s).map_or(0, |(_, n)| *n);
            (s, n)
        })
        .collect::<Vec<_>>();
    let amounts = club_db::active_amounts(&mut conn).await?;
    let active = i64::try_from(amounts.len()).unwrap_or(i64::MAX);
    let mrr = mrr(&amounts)
        .into_iter()
        .map(|(currency, amount)| money(amount, &currency))
        .collect();
    Ok(SubscriptionsPage {
        ctx,
        memberships,
        statuses,
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        mrr,
        active,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/subscription.html")]
pub struct SubscriptionPage {
    ctx: PageContext,
    membership: Membership,
    email: String,
    events: Vec<MembershipEvent>,
    invoices: Vec<MembershipInvoice>,
}

impl SubscriptionPage {
    fn when(&self, at: &Option<time::OffsetDateTime>) -> String {
        at.map(format_time).unwrap_or_default()
    }

    fn at(&self, at: &time::OffsetDateTime) -> String {
        format_time(*at)
    }

    fn money(&self, amount: &i64, currency: &str) -> String {
        money(*amount, currency)
    }
}

#[tracing::instrument(skip_all)]
pub async fn show(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    id: web::Path<String>,
) -> Result<SubscriptionPage, AppError> {
    let mut conn = pool.get().await?;
    let membership = club_db::find(&mut conn, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let email = club_db::email_of(&mut conn, membership.user_id)
        .await?
        .unwrap_or_default();
    let events = club_db::events_of(&mut conn, &membership.id).await?;
    let invoices = club_db::invoices_of(&mut conn, &membership.id).await?;
    Ok(SubscriptionPage {
        ctx,
        membership,
        email,
        events,
        invoices,
    })
}

#[cfg(test)]
mod tests {
    use super::mrr;
    use crate::club::Plan;

    #[test]
    fn mrr_counts_a_year_as_a_twelfth_a_month() {
        let totals = mrr(&[
            (Plan::Monthly, 500, "usd".into()),
            (Plan::Yearly, 5000, "usd".into()),
            (Plan::Monthly, 400, "eur".into()),
        ]);
        assert_eq!(totals.get("usd"), Some(&(500 + 416)));
        assert_eq!(totals.get("eur"), Some(&400));
    }
}
