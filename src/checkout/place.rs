//! `GET /checkout` (review) and `POST /checkout` (place): the cart is claimed under a lock, its
//! stock reserved and the order written in one transaction, then the order goes to the way the
//! shopper pays.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::cancel::give_up;
use super::{hosted_page, limits, payment_element};
use crate::cart::{self, CartLine, CartSummary};
use crate::client_ip::ClientIp;
use crate::config::{CheckoutMode, Settings};
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::domain::{Currency, Email, EventCause, PaymentStatus};
use crate::error::AppError;
use crate::orders::db::{self as orders_db, NewOrder, NewOrderEvent, NewOrderItem, Order};
use crate::page::see_other;
use crate::page::{PageContext, render};
use crate::payments::Payments;
use crate::payments::transition::Cause;
use crate::session::ShopSession;
use crate::stock::{self, Shortage};

#[derive(Template, WebTemplate)]
#[template(path = "checkout/review.html")]
pub struct ReviewPage {
    ctx: PageContext,
    hosted_default: bool,
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
        hosted_default: settings.checkout_mode == CheckoutMode::Hosted,
        email: ctx
            .user
            .as_ref()
            .map(|u| u.email.clone())
            .unwrap_or_default(),
        ctx,
        cart: CartSummary::new(lines, settings.currency),
        error: None,
    };
    render(&page, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct PlaceOrder {
    #[serde(default)]
    email: String,
    /// `hosted` or `payment_element`: the button the shopper pressed; the setting otherwise.
    #[serde(default)]
    pay_on: Option<String>,
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
                hosted_default: settings.checkout_mode == CheckoutMode::Hosted,
                ctx,
                cart: CartSummary::new(lines, settings.currency),
                email: form.email,
                error: Some(e.to_string()),
            };
            return render(&page, StatusCode::BAD_REQUEST);
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
                let mode = match form.pay_on.as_deref() {
                    Some("hosted") => CheckoutMode::Hosted,
                    Some("payment_element") => CheckoutMode::PaymentElement,
                    _ => settings.checkout_mode,
                };
                // An order goes on the way it started: its session, or its intent.
                return if order.checkout_session_id.is_some()
                    || (mode == CheckoutMode::Hosted && order.payment_intent_id.is_none())
                {
                    hosted_page::start(&pool, &payments, &settings, &order).await
                } else {
                    payment_element::start(&pool, &payments, &order).await
                };
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
    orders_db::record_origin(conn, order_id, placing.ip).await?;
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

/// Takes each line's quantity off the shelf, or fails naming the product that ran short.
async fn reserve_stock(
    conn: &mut AsyncPgConnection,
    lines: &[CartLine],
) -> Result<Vec<stock::Reserved>, AppError> {
    let wanted: Vec<(i64, i32)> = lines.iter().map(|l| (l.product_id, l.quantity)).collect();
    let shortage = match stock::reserve(conn, &wanted).await? {
        Ok(reserved) => return Ok(reserved),
        Err(shortage) => shortage,
    };
    let (Shortage::Inactive { product_id } | Shortage::Short { product_id, .. }) = shortage;
    let name = lines
        .iter()
        .find(|l| l.product_id == product_id)
        .map_or("A product", |l| l.name.as_str());
    Err(AppError::conflict(match shortage {
        Shortage::Inactive { .. } => {
            format!("{name} is no longer available. Remove it from your cart to check out.")
        }
        Shortage::Short { left: 0, .. } => {
            format!("Sorry, {name} just sold out. Remove it from your cart to check out.")
        }
        Shortage::Short { left, .. } => format!(
            "Sorry, only {left} of {name} left. Lower the quantity in your cart to check out."
        ),
    }))
}

fn same_items(items: &[crate::orders::OrderItem], lines: &[CartLine]) -> bool {
    let mut ordered: Vec<(i64, i32)> = items.iter().map(|i| (i.product_id, i.quantity)).collect();
    let mut in_cart: Vec<(i64, i32)> = lines.iter().map(|l| (l.product_id, l.quantity)).collect();
    ordered.sort_unstable();
    in_cart.sort_unstable();
    ordered == in_cart
}
