//! `GET/POST /orders/lookup`: a shopper who lost their order's page gives its number and their
//! email; when both match an order, its link is emailed to that address. The answer is the
//! same whatever is typed, so the form tells nobody which orders exist or whose they are; the
//! attempts count against the client address's sign-in allowance, and an address gets at most
//! [`PER_HOUR`] such emails an hour.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::db::Order;
use crate::accounts::throttle::LoginThrottle;
use crate::client_ip::ClientIp;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::Email;
use crate::error::AppError;
use crate::outbox::{self, Kind, NewMail};
use crate::page::{PageContext, render, see_other};
use crate::schema::orders;
use crate::session::{FlashKind, ShopSession};

const PATH: &str = "/orders/lookup";
/// Order links one address may be sent in an hour.
pub const PER_HOUR: i64 = 3;

#[derive(Template, WebTemplate)]
#[template(path = "orders/lookup.html")]
pub struct LookupPage {
    ctx: PageContext,
    number: String,
    email: String,
    error: Option<String>,
}

pub async fn lookup_page(ctx: PageContext) -> LookupPage {
    LookupPage {
        ctx,
        number: String::new(),
        email: String::new(),
        error: None,
    }
}

#[derive(Debug, Deserialize)]
pub struct LookupForm {
    number: String,
    email: String,
}

#[tracing::instrument(skip_all)]
pub async fn look_up(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    throttle: web::Data<LoginThrottle>,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<LookupForm>,
) -> Result<HttpResponse, AppError> {
    throttle.check_address_for(ip, "order look-ups")?;
    let refuse = |ctx: PageContext, message: &str| {
        let page = LookupPage {
            ctx,
            number: form.number.clone(),
            email: form.email.clone(),
            error: Some(message.to_owned()),
        };
        render(&page, StatusCode::BAD_REQUEST)
    };
    let number = form.number.trim().trim_start_matches('#');
    let Ok(number) = number.parse::<i64>() else {
        return refuse(ctx, "Enter the order's number, such as 1042.");
    };
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(e) => return refuse(ctx, &e.to_string()),
    };

    let mut conn = pool.get().await?;
    let order: Option<Order> = orders::table
        .filter(orders::number.eq(number))
        .filter(orders::email.eq(email.as_str()))
        .select(Order::as_select())
        .first(&mut conn)
        .await
        .optional()?;
    let since = OffsetDateTime::now_utc() - time::Duration::hours(1);
    let sent_lately =
        outbox::db::count_recent(&mut conn, email.as_str(), Kind::OrderLookup, since).await?;
    match order {
        Some(order) if sent_lately < PER_HOUR => {
            outbox::enqueue(
                &mut conn,
                &NewMail {
                    key: format!("order-lookup:{}:{}", order.id, Uuid::new_v4()),
                    kind: Kind::OrderLookup,
                    recipient: &order.email,
                    order_id: Some(order.id),
                    facts: serde_json::json!({}),
                    written: None,
                    send_after: None,
                },
            )
            .await?;
            tracing::info!(order = %order.id, "order link sent on request");
        }
        Some(order) => {
            tracing::info!(order = %order.id, "order link not sent: its address had enough this hour");
        }
        None => tracing::info!("order look-up matched no order"),
    }
    session.flash(
        FlashKind::Info,
        format!(
            "If order #{number} was placed with {email}, a link to it is on its way to that \
             address. It can take a few minutes to arrive."
        ),
    );
    Ok(see_other(PATH))
}
