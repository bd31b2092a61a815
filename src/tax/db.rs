//! The one writer of `tax_rates`: a rate for each country the owner charges tax for, in basis
//! points (2000 = 20 %). A country without a row is charged no tax.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::schema::tax_rates;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = tax_rates)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct TaxRate {
    /// Two-letter ISO code of the destination.
    pub country: String,
    /// What the tax is called on receipts ("VAT", "Sales tax").
    pub name: String,
    pub rate_bp: i32,
}

impl TaxRate {
    /// The tax on `amount_minor`, rounded half up to the minor unit. Each order line and the
    /// shipping are taxed (and rounded) on their own, so the order's lines add up to its tax.
    pub fn tax_on(&self, amount_minor: i64) -> i64 {
        (amount_minor * i64::from(self.rate_bp) + 5_000) / 10_000
    }

    /// The rate as a shopper reads it: "20%", "7.25%".
    pub fn percent(&self) -> String {
        percent(self.rate_bp)
    }
}

/// Basis points as a percentage without trailing zeros: 2000 -> "20%", 725 -> "7.25%".
pub fn percent(rate_bp: i32) -> String {
    let whole = rate_bp / 100;
    let cents = rate_bp % 100;
    match cents {
        0 => format!("{whole}%"),
        c if c % 10 == 0 => format!("{whole}.{}%", c / 10),
        c => format!("{whole}.{c:02}%"),
    }
}

/// The rate charged for goods sent to `country`, if any.
pub async fn for_country(
    mut conn: &AsyncPgConnection,
    country: &str,
) -> QueryResult<Option<TaxRate>> {
    tax_rates::table
        .find(country)
        .select(TaxRate::as_select())
        .first(&mut conn)
        .await
        .optional()
}

/// Every rate, by country.
pub async fn all(conn: &mut AsyncPgConnection) -> QueryResult<Vec<TaxRate>> {
    tax_rates::table
        .order(tax_rates::country.asc())
        .select(TaxRate::as_select())
        .load(conn)
        .await
}

/// Sets `country`'s rate, replacing the one it had. Orders placed before keep the name and
/// rate they recorded (`orders.tax_name`, `tax_rate_bp`).
pub async fn set(conn: &mut AsyncPgConnection, rate: &TaxRate) -> QueryResult<()> {
    diesel::insert_into(tax_rates::table)
        .values((
            tax_rates::country.eq(&rate.country),
            tax_rates::name.eq(&rate.name),
            tax_rates::rate_bp.eq(rate.rate_bp),
        ))
        .on_conflict(tax_rates::country)
        .do_update()
        .set((
            tax_rates::name.eq(&rate.name),
            tax_rates::rate_bp.eq(rate.rate_bp),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Stops charging tax for `country`; `false` when it had no rate.
pub async fn remove(conn: &mut AsyncPgConnection, country: &str) -> QueryResult<bool> {
    let removed = diesel::delete(tax_rates::table.find(country))
        .execute(conn)
        .await?;
    Ok(removed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(rate_bp: i32) -> TaxRate {
        TaxRate {
            country: "GB".into(),
            name: "VAT".into(),
            rate_bp,
        }
    }

    #[test]
    fn tax_is_rounded_half_up_to_the_minor_unit() {
        assert_eq!(rate(2000).tax_on(1499), 300); // 299.8
        assert_eq!(rate(725).tax_on(3700), 268); // 268.25
        assert_eq!(rate(725).tax_on(1000), 73); // 72.5
        assert_eq!(rate(0).tax_on(5000), 0);
    }

    #[test]
    fn rates_read_as_percentages() {
        assert_eq!(percent(2000), "20%");
        assert_eq!(percent(725), "7.25%");
        assert_eq!(percent(550), "5.5%");
        assert_eq!(percent(5), "0.05%");
    }
}
