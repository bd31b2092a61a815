//! The one writer of `discount_codes`. A use is counted when an order holding the code is
//! placed (`redeem`, a conditional UPDATE: concurrent checkouts queue on the code's row and
//! never pass its limit) and given back once when that order is cancelled unpaid (`release`,
//! called by the transition that cancels it), so a shopper who does not pay, or who changes
//! the cart and checks out again, does not use up the code.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::domain::{Currency, Money};
use crate::schema::discount_codes;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = discount_codes)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct DiscountCode {
    pub code: String,
    pub percent_off: Option<i32>,
    pub amount_off_minor: Option<i64>,
    pub currency: Option<Currency>,
    pub min_items_minor: Option<i64>,
    pub expires_at: Option<OffsetDateTime>,
    pub usage_limit: Option<i32>,
    pub times_used: i32,
    pub active: bool,
}

/// Why a code cannot be used, in the shopper's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscountProblem {
    #[error("There is no discount code {0}.")]
    Unknown(String),
    #[error("The discount code {0} has expired.")]
    Expired(String),
    #[error("The discount code {0} has been used as often as it can be.")]
    UsedUp(String),
    #[error("The discount code {code} needs items worth at least {minimum}.")]
    BelowMinimum { code: String, minimum: Money },
}

/// A code as the owner wrote it, whatever case and spaces the shopper typed.
pub fn normalize(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

impl DiscountCode {
    /// What the code takes off items worth `items_minor`: never more than the items.
    pub fn amount_off(&self, items_minor: i64) -> i64 {
        let off = match (self.percent_off, self.amount_off_minor) {
            // Rounded down: a discount never takes more than its percentage.
            (Some(percent), _) => items_minor * i64::from(percent) / 100,
            (None, Some(amount)) => amount,
            (None, None) => 0,
        };
        off.clamp(0, items_minor)
    }

    /// Why it cannot be used for items worth `items_minor` in `currency` now, if it cannot.
    pub fn problem(&self, items_minor: i64, currency: Currency) -> Option<DiscountProblem> {
        let code = self.code.clone();
        if !self.active || self.currency.is_some_and(|c| c != currency) {
            return Some(DiscountProblem::Unknown(code));
        }
        if self
            .expires_at
            .is_some_and(|at| at <= OffsetDateTime::now_utc())
        {
            return Some(DiscountProblem::Expired(code));
        }
        if self
            .usage_limit
            .is_some_and(|limit| self.times_used >= limit)
        {
            return Some(DiscountProblem::UsedUp(code));
        }
        match self.min_items_minor {
            Some(min) if items_minor < min => Some(DiscountProblem::BelowMinimum {
                code,
                minimum: Money::new(min, currency),
            }),
            _ => None,
        }
    }
}

/// The code (normalized), if the owner made it.
pub async fn find(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<DiscountCode>> {
    discount_codes::table
        .filter(discount_codes::code.eq(normalize(code)))
        .select(DiscountCode::as_select())
        .first(conn)
        .await
        .optional()
}

/// Counts one use of the code for an order being placed (call it in that transaction), or
/// says why it cannot be used. The UPDATE re-checks the limit and the expiry on the locked row,
/// so of concurrent checkouts only as many as the limit allows get it.
pub async fn redeem(
    conn: &mut AsyncPgConnection,
    code: &str,
    items_minor: i64,
    currency: Currency,
) -> QueryResult<Result<DiscountCode, DiscountProblem>> {
    let Some(found) = find(conn, code).await? else {
        return Ok(Err(DiscountProblem::Unknown(normalize(code))));
    };
    if let Some(problem) = found.problem(items_minor, currency) {
        return Ok(Err(problem));
    }
    let redeemed =
        diesel::update(
            discount_codes::table
                .filter(discount_codes::code.eq(&found.code))
                .filter(discount_codes::active.eq(true))
                .filter(discount_codes::usage_limit.is_null().or(
                    discount_codes::times_used.lt(discount_codes::usage_limit.assume_not_null()),
                ))
                .filter(
                    discount_codes::expires_at
                        .is_null()
                        .or(discount_codes::expires_at.gt(diesel::dsl::now)),
                ),
        )
        .set(discount_codes::times_used.eq(discount_codes::times_used + 1))
        .returning(DiscountCode::as_returning())
        .get_result(conn)
        .await
        .optional()?;
    Ok(redeemed.ok_or(DiscountProblem::UsedUp(found.code)))
}

/// Gives back the use an order held (its cancellation, in that transaction).
pub async fn release(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<()> {
    diesel::update(
        discount_codes::table
            .filter(discount_codes::code.eq(code))
            .filter(discount_codes::times_used.gt(0)),
    )
    .set(discount_codes::times_used.eq(discount_codes::times_used - 1))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Insertable)]
#[diesel(table_name = discount_codes)]
pub struct NewDiscountCode<'a> {
    pub code: &'a str,
    pub percent_off: Option<i32>,
    pub amount_off_minor: Option<i64>,
    pub currency: Option<Currency>,
    pub min_items_minor: Option<i64>,
    pub expires_at: Option<OffsetDateTime>,
    pub usage_limit: Option<i32>,
}

/// Every code, newest first (the owner's list).
pub async fn all(conn: &mut AsyncPgConnection) -> QueryResult<Vec<DiscountCode>> {
    discount_codes::table
        .order((discount_codes::created_at.desc(), discount_codes::id.desc()))
        .select(DiscountCode::as_select())
        .load(conn)
        .await
}

/// Makes a code; `false` when one with that code exists already (the UNIQUE constraint
/// decides, so two owners saving the same code at once cannot both make it).
pub async fn insert(conn: &mut AsyncPgConnection, new: &NewDiscountCode<'_>) -> QueryResult<bool> {
    let inserted = diesel::insert_into(discount_codes::table)
        .values(new)
        .on_conflict(discount_codes::code)
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

/// Stops a code being used by new orders. The row stays: orders name it, and a cancelled
/// order still gives its use back.
pub async fn deactivate(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<bool> {
    let changed = diesel::update(discount_codes::table.filter(discount_codes::code.eq(code)))
        .set(discount_codes::active.eq(false))
        .execute(conn)
        .await?;
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(percent_off: Option<i32>, amount_off_minor: Option<i64>) -> DiscountCode {
        DiscountCode {
            code: "SAVE".into(),
            percent_off,
            amount_off_minor,
            currency: amount_off_minor.map(|_| Currency::usd()),
            min_items_minor: Some(3000),
            expires_at: None,
            usage_limit: Some(2),
            times_used: 0,
            active: true,
        }
    }

    #[test]
    fn a_discount_never_takes_more_than_the_items() {
        assert_eq!(code(Some(10), None).amount_off(6199), 619);
        assert_eq!(code(None, Some(1000)).amount_off(6100), 1000);
        assert_eq!(code(None, Some(10_000)).amount_off(6100), 6100);
    }

    #[test]
    fn a_code_below_its_minimum_expired_or_used_up_says_so() {
        let usd = Currency::usd();
        let mut c = code(Some(10), None);
        assert!(matches!(
            c.problem(2999, usd),
            Some(DiscountProblem::BelowMinimum { .. })
        ));
        assert_eq!(c.problem(3000, usd), None);
        c.times_used = 2;
        assert_eq!(
            c.problem(3000, usd),
            Some(DiscountProblem::UsedUp("SAVE".into()))
        );
        c.times_used = 0;
        c.expires_at = Some(OffsetDateTime::now_utc() - time::Duration::minutes(1));
        assert_eq!(
            c.problem(3000, usd),
            Some(DiscountProblem::Expired("SAVE".into()))
        );
    }
}
