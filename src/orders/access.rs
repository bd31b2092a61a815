//! Who may see which order.

use super::db::Order;
use crate::error::AppError;
use crate::session::ShopSession;

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
