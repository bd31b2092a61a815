//! A cart line's quantity, checked once.

use std::fmt;

/// How many of one product a cart line or order line holds: 1 to 99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(u8);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("Quantity must be a whole number from 1 to 99.")]
pub struct QuantityError;

impl Quantity {
    pub const MAX: i32 = 99;

    pub fn parse(input: &str) -> Result<Self, QuantityError> {
        let n: i64 = input.trim().parse().map_err(|_| QuantityError)?;
        Self::try_from(n)
    }

    pub fn get(self) -> i32 {
        i32::from(self.0)
    }
}

impl TryFrom<i64> for Quantity {
    type Error = QuantityError;

    fn try_from(n: i64) -> Result<Self, Self::Error> {
        match u8::try_from(n) {
            Ok(q @ 1..=99) => Ok(Self(q)),
            _ => Err(QuantityError),
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_one_to_ninety_nine() {
        assert_eq!(Quantity::parse("1").map(Quantity::get), Ok(1));
        assert_eq!(Quantity::parse(" 99 ").map(Quantity::get), Ok(99));
    }

    #[test]
    fn refuses_everything_else() {
        for bad in ["0", "-1", "100", "abc", "", "1.5", "99999999999999999999"] {
            assert_eq!(Quantity::parse(bad), Err(QuantityError), "{bad:?}");
        }
    }
}
