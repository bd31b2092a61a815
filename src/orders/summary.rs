//! An order's lines and totals as an email (and any other view that lists them) shows them:
//! the one place that says what an order is made of. Shipping (and, later, tax and discounts)
//! are lines of [`OrderSummary::adjustments`], between the items and the total; the order's
//! pages read the same lines through [`Order::adjustments`].

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
    /// The shipping address, a line each (empty for orders placed before shipping existed).
    pub ship_to: Vec<String>,
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
            adjustments: order.adjustments(),
            subtotal,
            total: order.total(),
            ship_to: order.address_lines(),
        }
    }
}

impl Order {
    /// What the items' sum becomes the total by, in order: a discount code and what it took
    /// off, the shipping method and its price, then the destination's tax on the (discounted)
    /// items and shipping.
    /// The items' sum plus these is `total_minor`, computed once at checkout.
    pub fn adjustments(&self) -> Vec<SummaryLine> {
        let mut lines = Vec::new();
        if let Some(code) = &self.discount_code {
            lines.push(SummaryLine {
                label: format!("Discount ({code})"),
                amount: Money::new(-self.discount_minor, self.currency),
            });
        }
        if let Some(method) = &self.shipping_method_name {
            lines.push(SummaryLine {
                label: format!("Shipping ({method})"),
                amount: self.shipping(),
            });
        }
        if let (Some(name), Some(rate_bp)) = (&self.tax_name, self.tax_rate_bp) {
            lines.push(SummaryLine {
                label: format!("{name} ({})", crate::tax::db::percent(rate_bp)),
                amount: self.tax(),
            });
        }
        lines
    }

    /// The items' sum: the total without its adjustments.
    pub fn items_subtotal(&self) -> Money {
        let adjusted: i64 = self.adjustments().iter().map(|a| a.amount.minor).sum();
        Money::new(self.total_minor - adjusted, self.currency)
    }
}
