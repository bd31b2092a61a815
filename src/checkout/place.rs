//! `GET /checkout` (review: the email, where to send the goods and how) and `POST /checkout`
//! (place): the cart is claimed under a lock, its stock reserved, its shipping priced and the
//! order written in one transaction, then the order goes to the way the shopper pays.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::TryFutureExt;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::cancel::give_up;
use super::{hosted_page, limits, payment_element};
use crate::cart::{self, CartCounts, CartLine, CartSummary};
use crate::client_ip::ClientIp;
use crate::club;
use crate::config::{CheckoutMode, Settings};
use crate::csrf::CsrfForm;
use crate::db::DbPool;
use crate::discounts;
use crate::domain::{
    AddressForm, Country, Currency, Email, EventCause, FieldError, Money, PaymentStatus,
    ShippingAddress,
};
use crate::error::AppError;
use crate::orders::db::{self as orders_db, NewOrder, NewOrderEvent, NewOrderItem, Order};
use crate::page::see_other;
use crate::page::{PageContext, render};
use crate::payments::Payments;
use crate::payments::transition::Cause;
use crate::session::ShopSession;
use crate::shipping::{self, ShippingMethod};
use crate::stock::{self, Shortage};
use crate::tax;

#[derive(Template, WebTemplate)]
#[template(path = "checkout/review.html")]
pub struct ReviewPage {
    ctx: PageContext,
    hosted_default: bool,
    cart: CartSummary,
    email: String,
    address: AddressForm,
    /// Whether `address` is the signed-in shopper's last one, offered again.
    reused_address: bool,
    countries: Vec<Country>,
    methods: Vec<ShippingOption>,
    chosen_method: String,
    /// The discount code typed, if any.
    discount_code: String,
    /// The tax charged in each country the shop ships to that has one ("United Kingdom: 20% VAT").
    tax_notes: Vec<String>,
    /// Whether some countries the shop ships to are charged no tax.
    untaxed_elsewhere: bool,
    errors: Vec<FieldError>,
    error: Option<String>,
}

/// A shipping method as the review page offers it for this cart.
pub struct ShippingOption {
    method: ShippingMethod,
    /// What it costs for this cart (free above its threshold, or for a member).
    price: Money,
    /// Free because the shopper is a Storefront Club member.
    member_free: bool,
}

/// What `method` costs for items worth `items_minor`: free standard shipping for a member of
/// Storefront Club (active or trialing), else the method's rate.
fn shipping_price(method: &ShippingMethod, items_minor: i64, member: bool) -> i64 {
    if member && method.code == club::FREE_SHIPPING_METHOD {
        0
    } else {
        method.price_for(items_minor)
    }
}

impl ReviewPage {
    /// The error of one field, for the message under it.
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn invalid(&self, field: &str) -> bool {
        self.error_for(field).is_some()
    }

    fn country_selected(&self, code: &str) -> bool {
        code.eq_ignore_ascii_case(self.address.ship_country.trim())
    }
}

/// Builds the review page for the cart's lines, with what the shopper typed so far.
async fn review(
    conn: &mut AsyncPgConnection,
    ctx: PageContext,
    settings: &Settings,
    lines: Vec<CartLine>,
    form: ReviewForm,
) -> Result<ReviewPage, AppError> {
    let cart = CartSummary::new(lines, settings.currency);
    let subtotal = cart.subtotal().minor;
    let member = match &ctx.user {
        Some(user) => club::db::has_benefit(conn, user.id).await?,
        None => false,
    };
    let methods: Vec<ShippingOption> = shipping::db::active(conn, settings.currency)
        .await?
        .into_iter()
        .map(|method| ShippingOption {
            price: Money::new(shipping_price(&method, subtotal, member), method.currency),
            member_free: member && method.code == club::FREE_SHIPPING_METHOD,
            method,
        })
        .collect();
    let rates = tax::db::all(conn).await?;
    let tax_notes: Vec<String> = settings
        .shipping_countries
        .iter()
        .filter_map(|country| {
            let rate = rates.iter().find(|r| r.country == country.code())?;
            (rate.rate_bp > 0).then(|| format!("{country}: {} {}", rate.percent(), rate.name))
        })
        .collect();
    let chosen_method = if form.chosen_method.is_empty() {
        methods
            .first()
            .map(|m| m.method.code.clone())
            .unwrap_or_default()
    } else {
        form.chosen_method
    };
    Ok(ReviewPage {
        ctx,
        hosted_default: settings.checkout_mode == CheckoutMode::Hosted,
        cart,
        email: form.email,
        address: form.address,
        reused_address: form.reused_address,
        countries: settings.shipping_countries.clone(),
        methods,
        chosen_method,
        discount_code: form.discount_code,
        untaxed_elsewhere: tax_notes.len() < settings.shipping_countries.len(),
        tax_notes,
        errors: form.errors,
        error: form.error,
    })
}

/// What the review page shows in its form.
#[derive(Default)]
struct ReviewForm {
    email: String,
    address: AddressForm,
    reused_address: bool,
    chosen_method: String,
    discount_code: String,
    errors: Vec<FieldError>,
    error: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn review_page(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let mut conn = pool.get().await?;
    let lines = match session.cart_id() {
        Some(cart_id) => cart::db::lines(&conn, cart_id).await?,
        None => Vec::new(),
    };
    if lines.is_empty() {
        return Ok(see_other("/cart"));
    }
    let last_address = match &ctx.user {
        Some(user) => orders_db::last_address(&mut conn, user.id).await?,
        None => None,
    };
    let form = ReviewForm {
        email: ctx
            .user
            .as_ref()
            .map(|u| u.email.clone())
            .unwrap_or_default(),
        reused_address: last_address.is_some(),
        address: last_address.unwrap_or_else(|| AddressForm {
            ship_country: settings
                .shipping_countries
                .first()
                .map(|c| c.code().to_owned())
                .unwrap_or_default(),
            ..AddressForm::default()
        }),
        ..ReviewForm::default()
    };
    let page = review(&mut conn, ctx, &settings, lines, form).await?;
    render(&page, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct PlaceOrder {
    #[serde(default)]
    email: String,
    /// `hosted` or `payment_element`: the button the shopper pressed; the setting otherwise.
    #[serde(default)]
    pay_on: Option<String>,
    #[serde(flatten)]
    address: AddressForm,
    #[serde(default)]
    shipping_method: String,
    #[serde(default)]
    discount_code: String,
}

/// Places the order: in one transaction the cart's prices, stock and the shipping method's
/// rate are read again, the stock is reserved and the order is written; then its PaymentIntent
/// is created. Nothing the browser sends decides an amount. A form with a mistake changes
/// nothing and is shown again with every mistake named.
#[allow(clippy::too_many_arguments)] // one per extractor
#[tracing::instrument(skip_all)]
pub async fn place_order(
    ctx: PageContext,
    session: ShopSession,
    pool: web::Data<DbPool>,
    counts: web::Data<CartCounts>,
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
    // Independent reads go to PostgreSQL together (diesel-async pipelines the queries of one
    // connection polled at once): one round trip instead of one each.
    let (lines, method) = futures_util::try_join!(
        cart::db::lines(&conn, cart_id),
        shipping::db::find_active(&conn, &form.shipping_method, settings.currency),
    )?;
    if lines.is_empty() {
        return Err(AppError::bad_request("Your cart is empty."));
    }
    let mut errors = Vec::new();
    if let Err(e) = &email {
        errors.push(FieldError {
            field: "email",
            message: e.to_string(),
        });
    }
    let address = ShippingAddress::parse(&form.address, &settings.shipping_countries)
        .map_err(|mut e| errors.append(&mut e))
        .ok();
    if method.is_none() {
        errors.push(FieldError {
            field: "shipping_method",
            message: "Choose how your order should be shipped.".into(),
        });
    }
    // A code that cannot be used is named before anything is ordered; the transaction that
    // places the order counts its use (and refuses it if the last use went meanwhile).
    let discount_code = discounts::db::normalize(&form.discount_code);
    if !discount_code.is_empty() {
        let items_minor = CartSummary::new(lines.clone(), settings.currency)
            .subtotal()
            .minor;
        let problem = match discounts::db::find(&mut conn, &discount_code).await? {
            None => Some(discounts::DiscountProblem::Unknown(discount_code.clone())),
            Some(code) => code.problem(items_minor, settings.currency),
        };
        if let Some(problem) = problem {
            errors.push(FieldError {
                field: "discount_code",
                message: problem.to_string(),
            });
        }
    }
    let (Ok(email), Some(address), Some(method), true) =
        (email, address, method, errors.is_empty())
    else {
        let shown = ReviewForm {
            email: form.email,
            address: form.address,
            reused_address: false,
            chosen_method: form.shipping_method,
            discount_code: form.discount_code,
            error: Some("Please correct what is marked below; nothing was ordered yet.".into()),
            errors,
        };
        let page = review(&mut conn, ctx, &settings, lines, shown).await?;
        return render(&page, StatusCode::BAD_REQUEST);
    };

    limits::check_lines(&lines)?;
    limits::check_open_orders(&mut conn, &settings, &session, cart_id, ip).await?;
    drop(conn);

    let placing = Placing {
        cart_id,
        ip,
        user_id: user.as_ref().map(|u| u.id),
        email: &email,
        address: &address,
        shipping_method: &method.code,
        discount_code: (!discount_code.is_empty()).then_some(discount_code.as_str()),
        reserved_until: OffsetDateTime::now_utc() + settings.reconciler.reservation,
        currency: settings.currency,
    };
    // Checking out the same cart again (a double click, a retry after a failure, another tab)
    // continues the order already placed; a changed cart replaces it. Both are decided under a
    // lock on the cart row, and the database holds at most one open order per cart.
    for _ in 0..3 {
        let (claim, revision) = claim_cart(&pool, &placing).await?;
        match claim {
            Claim::Open(order) => {
                // The cart has an order waiting for payment now, which changes its count once
                // paid: no server keeps its count meanwhile.
                counts.changed(cart_id);
                session.cart_changed(revision);
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
    address: &'a ShippingAddress,
    /// The chosen shipping method's code; its rate is read again when the order is written.
    shipping_method: &'a str,
    /// The discount code the shopper typed (normalized); its use is counted with the order.
    discount_code: Option<&'a str>,
    reserved_until: OffsetDateTime,
    currency: Currency,
}

enum Claim {
    /// The cart's open order, placed now or before with the same items, email, address and
    /// shipping method.
    Open(Order),
    /// The cart's open order no longer matches the cart: give it up, then claim again.
    Replace(Order),
}

/// Under a lock on the cart row: the cart's open order when it still matches the cart,
/// otherwise a new order (stock reserved) when the cart has none. The cart belongs to this
/// session, so an order placed from it is this session's even if the answer to the request that
/// placed it never reached the browser.
async fn claim_cart(
    pool: &DbPool,
    placing: &Placing<'_>,
) -> Result<(Claim, cart::db::Revision), AppError> {
    let mut conn = pool.get().await?;
    let claim = conn
        .transaction::<_, AppError, _>(|conn| {
            async move {
                let Some(revision) = cart::db::lock(conn, placing.cart_id).await? else {
                    return Err(AppError::bad_request("Your cart is empty."));
                };
                // Read under the cart's lock, both at once.
                let (lines, open) = futures_util::try_join!(
                    cart::db::lines(conn, placing.cart_id),
                    orders_db::open_order_for_cart(conn, placing.cart_id),
                )?;
                if let Some(open) = open {
                    let items = orders_db::items(conn, open.id).await?;
                    let same = same_items(&items, &lines)
                        && open.email == placing.email.as_str()
                        && open.user_id == placing.user_id
                        && same_shipping(&open, placing)
                        && open.discount_code.as_deref() == placing.discount_code;
                    let claim = if same {
                        Claim::Open(open)
                    } else {
                        Claim::Replace(open)
                    };
                    return Ok((claim, revision));
                }
                if lines.is_empty() {
                    return Err(AppError::bad_request("Your cart is empty."));
                }
                let order = place(conn, placing, &lines).await?;
                tracing::info!(order = %order.id, number = order.number, total = order.total_minor, "order placed");
                Ok((Claim::Open(order), revision))
            }
            .scope_boxed()
        })
        .await?;
    Ok(claim)
}

/// Writes the order and its items at the prices `lines` were read at (in this transaction), then
/// reserves their stock at those prices; call it in a transaction.
async fn place(
    conn: &mut AsyncPgConnection,
    placing: &Placing<'_>,
    lines: &[CartLine],
) -> Result<Order, AppError> {
    let order_id = Uuid::new_v4();
    let items_total: i64 = lines
        .iter()
        .map(|l| l.price_minor * i64::from(l.quantity))
        .sum();
    if lines.iter().any(|l| l.currency != placing.currency) {
        return Err(AppError::conflict(
            "Some products in your cart are priced in another currency.",
        ));
    }
    let address = placing.address;
    // The shipping method's rate, the member benefit and the destination's tax rate are read
    // again in the order's own transaction (a membership that ended a moment ago gives
    // nothing), all three at once.
    let (method, member, rate) = futures_util::try_join!(
        shipping::db::find_active(conn, placing.shipping_method, placing.currency),
        async {
            match placing.user_id {
                Some(user_id) => club::db::has_benefit(conn, user_id).await,
                None => Ok(false),
            }
        },
        tax::db::for_country(conn, address.country.code()),
    )?;
    let method = method.ok_or_else(|| {
        AppError::conflict("That shipping method is no longer offered. Please choose another one.")
    })?;
    let shipping_minor = shipping_price(&method, items_total, member);
    let member_shipping = member && method.code == club::FREE_SHIPPING_METHOD;
    // Tax at the destination's rate, on each line and on shipping, each rounded on its own.
    let tax_on = |amount: i64| rate.as_ref().map_or(0, |r| r.tax_on(amount));
    let shipping_tax_minor = tax_on(shipping_minor);
    // The code's use is counted here, in the order's transaction: if the order is not written,
    // neither is the use.
    let discount = match placing.discount_code {
        Some(code) => Some(
            discounts::db::redeem(conn, code, items_total, placing.currency)
                .await?
                .map_err(|problem| AppError::conflict(problem.to_string()))?,
        ),
        None => None,
    };
    let discount_minor = discount.as_ref().map_or(0, |d| d.amount_off(items_total));
    let line_totals: Vec<i64> = lines
        .iter()
        .map(|l| l.price_minor * i64::from(l.quantity))
        .collect();
    let line_discounts = share(discount_minor, &line_totals);
    let items: Vec<NewOrderItem<'_>> = lines
        .iter()
        .zip(line_totals.iter().zip(&line_discounts))
        .map(|(l, (line_total, line_discount))| NewOrderItem {
            order_id,
            product_id: l.product_id,
            variant_id: l.variant_id,
            product_name: &l.name,
            variant_name: l.variant_name.as_deref(),
            unit_price_minor: l.price_minor,
            quantity: l.quantity,
            // Tax is on what the shopper pays for the line: its price less its discount share.
            tax_minor: tax_on(line_total - line_discount),
        })
        .collect();
    let tax_minor = items.iter().map(|i| i.tax_minor).sum::<i64>() + shipping_tax_minor;
    // The order's one total, from the database: items + shipping + tax - discount.
    let total = items_total + shipping_minor + tax_minor - discount_minor;
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
            ship_name: &address.name,
            ship_line1: &address.line1,
            ship_line2: address.line2.as_deref(),
            ship_city: &address.city,
            ship_postal_code: &address.postal_code,
            ship_country: address.country.code(),
            shipping_method_code: &method.code,
            shipping_method_name: &method.name,
            shipping_minor,
            tax_name: rate.as_ref().map(|r| r.name.as_str()),
            tax_rate_bp: rate.as_ref().map(|r| r.rate_bp),
            shipping_tax_minor,
            tax_minor,
            discount_code: discount.as_ref().map(|d| d.code.as_str()),
            discount_minor,
        },
    )
    .await?;
    // What hangs off the order goes in together, the stock last: the products' rows stay locked
    // from the reservation to the commit, and every other checkout of the same products waits
    // for them.
    let placed = NewOrderEvent {
        order_id,
        from_status: None,
        to_status: PaymentStatus::Pending,
        applied: true,
        cause: EventCause::Checkout,
        stripe_event_id: None,
        note: Some(if member_shipping {
            "order placed, stock reserved; free standard shipping (Storefront Club)"
        } else {
            "order placed, stock reserved"
        }),
    };
    futures_util::try_join!(
        orders_db::insert_items(conn, &items).err_into::<AppError>(),
        orders_db::record_origin(conn, order_id, placing.ip).err_into::<AppError>(),
        orders_db::record_event(conn, &placed).err_into::<AppError>(),
        reserve_stock(conn, order_id, lines),
    )?;
    Ok(order)
}

/// Takes each line's quantity off its shelf for the order at the line's price, or fails naming
/// the product (and variant) that ran short or changed price.
async fn reserve_stock(
    conn: &AsyncPgConnection,
    order_id: Uuid,
    lines: &[CartLine],
) -> Result<(), AppError> {
    let wanted: Vec<stock::Wanted> = lines
        .iter()
        .map(|l| stock::Wanted {
            shelf: l.shelf(),
            quantity: l.quantity,
            price_minor: l.price_minor,
            currency: l.currency,
        })
        .collect();
    let shortage = match stock::reserve(conn, order_id, &wanted).await? {
        Ok(()) => return Ok(()),
        Err(shortage) => shortage,
    };
    let (Shortage::Inactive { shelf }
    | Shortage::Short { shelf, .. }
    | Shortage::Repriced { shelf }) = shortage;
    let name = lines
        .iter()
        .find(|l| l.shelf() == shelf)
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
        Shortage::Repriced { .. } => {
            format!("The price of {name} changed just now. Check your cart, then check out again.")
        }
    }))
}

fn same_items(items: &[crate::orders::OrderItem], lines: &[CartLine]) -> bool {
    let mut ordered: Vec<(i64, Option<i64>, i32)> = items
        .iter()
        .map(|i| (i.product_id, i.variant_id, i.quantity))
        .collect();
    let mut in_cart: Vec<(i64, Option<i64>, i32)> = lines
        .iter()
        .map(|l| (l.product_id, l.variant_id, l.quantity))
        .collect();
    ordered.sort_unstable();
    in_cart.sort_unstable();
    ordered == in_cart
}

/// Whether the open order goes where, and how, this checkout asks.
fn same_shipping(order: &Order, placing: &Placing<'_>) -> bool {
    let address = placing.address;
    order.ship_name.as_deref() == Some(address.name.as_str())
        && order.ship_line1.as_deref() == Some(address.line1.as_str())
        && order.ship_line2.as_deref() == address.line2.as_deref()
        && order.ship_city.as_deref() == Some(address.city.as_str())
        && order.ship_postal_code.as_deref() == Some(address.postal_code.as_str())
        && order.ship_country.as_deref() == Some(address.country.code())
        && order.shipping_method_code.as_deref() == Some(placing.shipping_method)
}

/// Shares `discount` among lines in proportion to their totals, rounded down, the remainder on
/// the last line: the shares add up to the discount and none exceeds its line.
fn share(discount: i64, line_totals: &[i64]) -> Vec<i64> {
    let sum: i64 = line_totals.iter().sum();
    if sum == 0 || discount == 0 {
        return vec![0; line_totals.len()];
    }
    let mut shares: Vec<i64> = line_totals
        .iter()
        .map(|line| discount * line / sum)
        .collect();
    let remainder = discount - shares.iter().sum::<i64>();
    if let Some(last) = shares.last_mut() {
        *last += remainder;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn a_discount_is_shared_among_lines_and_adds_up() {
        assert_eq!(share(610, &[2400, 3700]), vec![240, 370]);
        assert_eq!(share(1000, &[2400, 3700]), vec![393, 607]);
        assert_eq!(share(6100, &[2400, 3700]), vec![2400, 3700]);
        assert_eq!(share(0, &[2400]), vec![0]);
    }
}
