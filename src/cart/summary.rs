//! A cart's lines as the cart page and checkout show them: prices, problems, the total.

use super::db::CartLine;
use crate::domain::{Currency, Money};

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
