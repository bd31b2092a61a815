//! Orders as shoppers see them: "My orders", an order's page, and who may see which order.

pub mod db;
mod list;
mod show;

use actix_web::web;

use crate::domain::{Currency, Money};
use crate::error::AppError;
use crate::session::ShopSession;

pub use db::{Order, OrderItem};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/orders", web::get().to(list::my_orders))
        .route("/orders/{id}", web::get().to(show::order_page));
}

/// How a request may reach an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The account that placed it, or the browser session that placed it as a guest: may pay,
    /// cancel, and see the payment form.
    Owner,
    /// Someone holding the unguessable link of a guest order: may look at it.
    Link,
}

/// Decides whether this session may reach the order. Another account's order is "not found":
/// its existence is nobody else's business.
pub fn access(order: &Order, session: &ShopSession, path: &str) -> Result<Access, AppError> {
    match (order.user_id, session.user()) {
        (Some(owner), Some(user)) if owner == user.id => Ok(Access::Owner),
        (Some(_), Some(_)) => Err(AppError::NotFound),
        (Some(_), None) => Err(AppError::SignInRequired {
            next: path.to_owned(),
        }),
        (None, _) if session.placed_guest_order(order.id) => Ok(Access::Owner),
        (None, _) => Ok(Access::Link),
    }
}

/// The order, when this session owns it (pay, cancel, see the payment form).
pub fn require_owner(order: &Order, session: &ShopSession, path: &str) -> Result<(), AppError> {
    match access(order, session, path)? {
        Access::Owner => Ok(()),
        Access::Link => Err(AppError::NotFound),
    }
}

impl Order {
    fn currency_code(&self) -> Currency {
        self.currency
    }

    pub fn total(&self) -> Money {
        Money::new(self.total_minor, self.currency_code())
    }

    pub fn amount_paid(&self) -> Money {
        Money::new(self.amount_paid_minor, self.currency_code())
    }

    pub fn amount_refunded(&self) -> Money {
        Money::new(self.amount_refunded_minor, self.currency_code())
    }

    /// What the shopper reads as the order's state; a paid-but-unconfirmed order reads
    /// "Processing" rather than "Awaiting payment" on the success page.
    pub fn status_label(&self) -> &'static str {
        self.status().label()
    }

    pub fn placed_on(&self) -> String {
        let format = time::macros::format_description!("[day] [month repr:short] [year]");
        self.created_at.format(&format).unwrap_or_default()
    }
}

impl OrderItem {
    pub fn unit_price(&self, order: &Order) -> Money {
        Money::new(self.unit_price_minor, order.currency_code())
    }

    pub fn line_total(&self, order: &Order) -> Money {
        Money::new(
            self.unit_price_minor * i64::from(self.quantity),
            order.currency_code(),
        )
    }
}
