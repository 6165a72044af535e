//! Money and quantities are stored as INTEGER fixed-point with four decimal places:
//! exact, summable in SQL (`SUM(delta)`), and ordered by indexes. `Fixed` is the one
//! place that converts between `Decimal` and that column type.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rust_decimal::Decimal;

/// Decimal places kept in the database.
pub const SCALE: u32 = 4;

/// A `Decimal` on its way into or out of an INTEGER column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixed(pub Decimal);

impl Fixed {
    /// The stored integer, or `None` when the value has more than four decimal places
    /// or is too large to store.
    pub fn to_units(value: Decimal) -> Option<i64> {
        let scaled = value.normalize();
        if scaled.scale() > SCALE {
            return None;
        }
        let units = scaled.checked_mul(Decimal::from(10_i64.pow(SCALE)))?;
        i64::try_from(units).ok()
    }

    pub fn from_units(units: i64) -> Decimal {
        Decimal::new(units, SCALE).normalize()
    }
}

/// True when `value` can be stored exactly.
pub fn fits(value: Decimal) -> bool {
    Fixed::to_units(value).is_some()
}

impl ToSql for Fixed {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Fixed::to_units(self.0)
            .map(ToSqlOutput::from)
            .ok_or_else(|| rusqlite::Error::ToSqlConversionFailure(format!("{} does not fit 4 decimal places", self.0).into()))
    }
}

impl FromSql for Fixed {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Integer(units) => Ok(Fixed(Fixed::from_units(units))),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn round_trips_and_refuses_excess_precision() {
        for s in ["0", "3.5", "-12.25", "1234.5678", "99999999999"] {
            let d = Decimal::from_str(s).unwrap();
            assert_eq!(Fixed::from_units(Fixed::to_units(d).unwrap()), d.normalize());
        }
        assert_eq!(Fixed::to_units(Decimal::from_str("1.00001").unwrap()), None);
        assert_eq!(Fixed::to_units(Decimal::from_str("1.50000").unwrap()), Some(15000));
        assert_eq!(Fixed::to_units(Decimal::MAX), None);
    }
}
