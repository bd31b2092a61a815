//! An order's lines and totals as an email (and any other view that lists them) shows them:
//! the one place that says what an order is made of. Shipping, tax and discounts, once orders
//! have them, are lines of [`OrderSummary::adjustments`], between the items and the total.

use super::db::{Order, OrderItem};
use crate::domain::Money;

#[derive(Debug, Clone)]
pub struct OrderSummary {
    pub number: i64,
    pub placed_on: String,
    pub items: Vec<SummaryItem>,
    /// What the items' sum becomes the total by (shipping, tax, a discount), in order.
    pub adjustments: Vec<SummaryLine>,
    /// The items' sum, shown when adjustments follow it.
    pub subtotal: Money,
    pub total: Money,
}

#[derive(Debug, Clone)]
pub struct SummaryItem {
    pub name: String,
    pub quantity: i32,
    pub unit_price: Money,
    pub line_total: Money,
}

#[derive(Debug, Clone)]
pub struct SummaryLine {
    pub label: String,
    pub amount: Money,
}

impl OrderSummary {
    pub fn of(order: &Order, items: &[OrderItem]) -> Self {
        let items: Vec<SummaryItem> = items
            .iter()
            .map(|item| SummaryItem {
                name: item.product_name.clone(),
                quantity: item.quantity,
                unit_price: item.unit_price(order),
                line_total: item.line_total(order),
            })
            .collect();
        let subtotal = Money::new(
            items.iter().map(|i| i.line_total.minor).sum(),
            order.currency,
        );
        Self {
            number: order.number,
            placed_on: order.placed_on(),
            items,
            adjustments: Vec::new(),
            subtotal,
            total: order.total(),
        }
    }
}
