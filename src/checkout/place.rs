use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ensure_intent, give_up, limits};
use crate::cart::{self, CartLine, CartSummary};
use crate::client_ip::ClientIp;
use crate::config::Settings;
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::{Currency, Email, EventCause, PaymentStatus};
use crate::error::AppError;
use crate::orders::db::{self as orders_db, NewOrder, NewOrderEvent, NewOrderItem, Order};
use crate::page::PageContext;
use crate::page::see_other;
use crate::payments::Payments;
use crate::payments::transition::Cause;
use crate::schema::products;
use crate::session::ShopSession;

#[derive(Template, WebTemplate)]
#[template(path = "checkout/review.html")]
pub struct ReviewPage {
    ctx: PageContext,
    cart: CartSummary,
    email: String,
    error: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn review_page(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let lines = match session.cart_id() {
        Some(cart_id) => cart::db::lines(&mut *pool.get().await?, cart_id).await?,
        None => Vec::new(),
    };
    if lines.is_empty() {
        return Ok(see_other("/cart"));
    }
    let page = ReviewPage {
        email: ctx
            .user
            .as_ref()
            .map(|u| u.email.clone())
            .unwrap_or_default(),
        ctx,
        cart: CartSummary::new(lines, settings.currency),
        error: None,
    };
    render(page, actix_web::http::StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct PlaceOrder {
    #[serde(default)]
    email: String,
}

/// Places the order: in one transaction the cart's prices and stock are read again, the stock
/// is reserved and the order is written; then its PaymentIntent is created. Nothing the browser
/// sends decides an amount.
#[tracing::instrument(skip_all)]
pub async fn place_order(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    payments: web::Data<Payments>,
    settings: web::Data<Settings>,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<PlaceOrder>,
) -> Result<HttpResponse, AppError> {
    let user = session.user();
    let email = match &user {
        Some(user) => Email::parse(&user.email),
        None => Email::parse(&form.email),
    };
    let cart_id = session
        .cart_id()
        .ok_or_else(|| AppError::bad_request("Your cart is empty."))?;
    let mut conn = pool.get().await?;
    let lines = cart::db::lines(&mut conn, cart_id).await?;
    if lines.is_empty() {
        return Err(AppError::bad_request("Your cart is empty."));
    }
    let email = match email {
        Ok(email) => email,
        Err(e) => {
            let page = ReviewPage {
                ctx,
                cart: CartSummary::new(lines, settings.currency),
                email: form.email,
                error: Some(e.to_string()),
            };
            return render(page, actix_web::http::StatusCode::BAD_REQUEST);
        }
    };

    limits::check_lines(&lines)?;
    limits::check_open_orders(&mut conn, &settings, &session, cart_id, ip).await?;
    drop(conn);

    let placing = Placing {
        cart_id,
        ip,
        user_id: user.as_ref().map(|u| u.id),
        email: &email,
        reserved_until: OffsetDateTime::now_utc() + settings.reconciler.reservation,
        currency: settings.currency,
    };
    // Checking out the same cart again (a double click, a retry after a failure, another tab)
    // continues the order already placed; a changed cart replaces it. Both are decided under a
    // lock on the cart row, and the database holds at most one open order per cart.
    for _ in 0..3 {
        match claim_cart(&pool, &placing).await? {
            Claim::Open(order) => {
                if user.is_none() {
                    session.remember_guest_order(order.id);
                }
                return continue_to_payment(&pool, &payments, &order).await;
            }
            Claim::Replace(stale) => {
                let applied = give_up(
                    &pool,
                    &payments,
                    &stale,
                    Cause::Shopper,
                    "replaced by a new checkout",
                )
                .await?;
                if applied.is_some_and(|a| a.to.was_paid()) {
                    // The order being replaced was paid meanwhile: what it bought left the cart.
                    return Ok(see_other(format!("/orders/{}/thanks", stale.id)));
                }
            }
        }
    }
    Err(AppError::conflict(
        "Your cart changed while you were checking out. Please check out again.",
    ))
}

/// What checkout needs to place an order for a cart.
struct Placing<'a> {
    cart_id: Uuid,
    /// Where the order was placed from, for the per-address limit.
    ip: std::net::IpAddr,
    user_id: Option<i64>,
    email: &'a Email,
    reserved_until: OffsetDateTime,
    currency: Currency,
}

enum Claim {
    /// The cart's open order, placed now or before with the same items and email.
    Open(Order),
    /// The cart's open order no longer matches the cart: give it up, then claim again.
    Replace(Order),
}

/// Under a lock on the cart row: the cart's open order when it still matches the cart,
/// otherwise a new order (stock reserved) when the cart has none. The cart belongs to this
/// session, so an order placed from it is this session's even if the answer to the request that
/// placed it never reached the browser.
async fn claim_cart(pool: &DbPool, placing: &Placing<'_>) -> Result<Claim, AppError> {
    let mut conn = pool.get().await?;
    let claim = conn
        .transaction::<_, AppError, _>(|conn| {
            async move {
                if !cart::db::lock(conn, placing.cart_id).await? {
                    return Err(AppError::bad_request("Your cart is empty."));
                }
                let lines = cart::db::lines(conn, placing.cart_id).await?;
                if let Some(open) = orders_db::open_order_for_cart(conn, placing.cart_id).await? {
                    let items = orders_db::items(conn, open.id).await?;
                    let same = same_items(&items, &lines)
                        && open.email == placing.email.as_str()
                        && open.user_id == placing.user_id;
                    return Ok(if same {
                        Claim::Open(open)
                    } else {
                        Claim::Replace(open)
                    });
                }
                if lines.is_empty() {
                    return Err(AppError::bad_request("Your cart is empty."));
                }
                let order = place(conn, placing, &lines).await?;
                tracing::info!(order = %order.id, number = order.number, total = order.total_minor, "order placed");
                Ok(Claim::Open(order))
            }
            .scope_boxed()
        })
        .await?;
    Ok(claim)
}

/// Reserves the cart's stock and writes the order and its items; call it in a transaction.
async fn place(
    conn: &mut AsyncPgConnection,
    placing: &Placing<'_>,
    lines: &[CartLine],
) -> Result<Order, AppError> {
    let reserved = reserve_stock(conn, lines).await?;
    let total: i64 = reserved
        .iter()
        .map(|r| r.price_minor * i64::from(r.quantity))
        .sum();
    if reserved.iter().any(|r| r.currency != placing.currency) {
        return Err(AppError::conflict(
            "Some products in your cart are priced in another currency.",
        ));
    }
    let order_id = Uuid::new_v4();
    let items: Vec<NewOrderItem<'_>> = reserved
        .iter()
        .map(|r| NewOrderItem {
            order_id,
            product_id: r.product_id,
            product_name: &r.name,
            unit_price_minor: r.price_minor,
            quantity: r.quantity,
        })
        .collect();
    let order = orders_db::insert(
        conn,
        &NewOrder {
            id: order_id,
            user_id: placing.user_id,
            cart_id: Some(placing.cart_id),
            email: placing.email.as_str(),
            currency: placing.currency,
            total_minor: total,
            reserved_until: placing.reserved_until,
        },
        &items,
    )
    .await?;
    limits::record_origin(conn, order_id, placing.ip).await?;
    orders_db::record_event(
        conn,
        &NewOrderEvent {
            order_id,
            from_status: None,
            to_status: PaymentStatus::Pending,
            applied: true,
            cause: EventCause::Checkout,
            stripe_event_id: None,
            note: Some("order placed, stock reserved"),
        },
    )
    .await?;
    Ok(order)
}

async fn continue_to_payment(
    pool: &DbPool,
    payments: &Payments,
    order: &Order,
) -> Result<HttpResponse, AppError> {
    // If Stripe fails now, the order waits (stock reserved, no intent): the payment page or a
    // second checkout of the same cart tries again with the same idempotency key.
    ensure_intent(pool, payments, order).await?;
    Ok(see_other(format!("/orders/{}/pay", order.id)))
}

struct Reserved {
    product_id: i64,
    name: String,
    price_minor: i64,
    currency: Currency,
    quantity: i32,
}

/// Takes each line's quantity off the shelf, or fails naming the product that ran short.
/// Products are locked in id order so that concurrent checkouts cannot deadlock.
async fn reserve_stock(
    conn: &mut AsyncPgConnection,
    lines: &[CartLine],
) -> Result<Vec<Reserved>, AppError> {
    let mut lines: Vec<&CartLine> = lines.iter().collect();
    lines.sort_by_key(|line| line.product_id);
    let mut reserved = Vec::with_capacity(lines.len());
    for line in lines {
        let taken: Option<(String, i64, Currency)> = diesel::update(
            products::table
                .find(line.product_id)
                .filter(products::active.eq(true))
                .filter(products::stock.ge(line.quantity)),
        )
        .set(products::stock.eq(products::stock - line.quantity))
        .returning((products::name, products::price_minor, products::currency))
        .get_result(conn)
        .await
        .optional()?;
        let Some((name, price_minor, currency)) = taken else {
            let (active, stock): (bool, i32) = products::table
                .find(line.product_id)
                .select((products::active, products::stock))
                .first(conn)
                .await?;
            return Err(AppError::conflict(if !active {
                format!(
                    "{} is no longer available. Remove it from your cart to check out.",
                    line.name
                )
            } else if stock == 0 {
                format!(
                    "Sorry, {} just sold out. Remove it from your cart to check out.",
                    line.name
                )
            } else {
                format!(
                    "Sorry, only {stock} of {} left. Lower the quantity in your cart to check out.",
                    line.name
                )
            }));
        };
        reserved.push(Reserved {
            product_id: line.product_id,
            name,
            price_minor,
            currency,
            quantity: line.quantity,
        });
    }
    Ok(reserved)
}

fn same_items(items: &[crate::orders::OrderItem], lines: &[CartLine]) -> bool {
    let mut ordered: Vec<(i64, i32)> = items.iter().map(|i| (i.product_id, i.quantity)).collect();
    let mut in_cart: Vec<(i64, i32)> = lines.iter().map(|l| (l.product_id, l.quantity)).collect();
    ordered.sort_unstable();
    in_cart.sort_unstable();
    ordered == in_cart
}

fn render(
    page: impl Template,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, AppError> {
    let body = page.render().map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}
