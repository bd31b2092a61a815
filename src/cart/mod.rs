//! The cart: one per browser session, and one per account once the shopper signs in.

mod add;
pub mod db;
mod show;
mod update;

use actix_web::web;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::domain::{Currency, Money};
use crate::session::ShopSession;

pub use db::CartLine;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/cart", web::get().to(show::cart_page))
        .route("/cart/items", web::post().to(add::add_to_cart))
        .route(
            "/cart/items/{product_id}",
            web::post().to(update::update_line),
        )
        .route(
            "/cart/items/{product_id}/remove",
            web::post().to(update::remove_line),
        );
}

/// The session's cart, created (and remembered in the session) when there is none yet.
pub async fn cart_for_update(
    conn: &mut AsyncPgConnection,
    session: &ShopSession,
) -> diesel::QueryResult<Uuid> {
    if let Some(cart_id) = session.cart_id()
        && db::exists(conn, cart_id).await?
    {
        return Ok(cart_id);
    }
    let cart_id = match session.user() {
        Some(user) => db::user_cart(conn, user.id).await?,
        None => db::create_guest_cart(conn).await?,
    };
    session.set_cart_id(cart_id);
    Ok(cart_id)
}

impl CartLine {
    pub fn unit_price(&self) -> Money {
        Money::new(self.price_minor, self.currency)
    }

    pub fn line_total(&self) -> Money {
        Money::new(self.price_minor * i64::from(self.quantity), self.currency)
    }

    /// Why this line cannot be bought as it is, in the shopper's words.
    pub fn problem(&self) -> Option<String> {
        if !self.active {
            Some("No longer available: please remove it.".into())
        } else if self.stock == 0 {
            Some("Sold out: please remove it.".into())
        } else if self.quantity > self.max_per_order {
            Some(format!(
                "At most {} per order: please lower the quantity.",
                self.max_per_order
            ))
        } else if self.quantity > self.stock {
            Some(format!(
                "Only {} left: please lower the quantity.",
                self.stock
            ))
        } else {
            None
        }
    }

    pub fn max_quantity(&self) -> i32 {
        self.stock
            .min(self.max_per_order)
            .clamp(1, crate::domain::Quantity::MAX)
    }
}

/// The cart's lines and their total, as the cart page and checkout show them.
pub struct CartSummary {
    pub lines: Vec<CartLine>,
    pub currency: Currency,
}

impl CartSummary {
    pub fn new(lines: Vec<CartLine>, currency: Currency) -> Self {
        Self { lines, currency }
    }

    pub fn item_count(&self) -> i64 {
        self.lines.iter().map(|l| i64::from(l.quantity)).sum()
    }

    pub fn subtotal(&self) -> Money {
        let minor = self
            .lines
            .iter()
            .filter(|line| line.active)
            .map(|line| line.price_minor * i64::from(line.quantity))
            .sum();
        Money::new(minor, self.currency)
    }

    pub fn can_check_out(&self) -> bool {
        !self.lines.is_empty() && self.lines.iter().all(|line| line.problem().is_none())
    }
}
