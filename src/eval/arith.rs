//! Exact arithmetic on decimals: checked, and never silently rounded.
//!
//! rust_decimal keeps 28 significant digits and rounds quietly past them
//! (a product below 1e-28 becomes 0, a non-terminating quotient is cut).
//! Every operation here either returns the exact result or says why it
//! cannot.

use rust_decimal::{Decimal, RoundingStrategy};

/// Why an exact result cannot be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithError {
    /// Too large for 96 bits of mantissa.
    Overflow,
    /// Would need more than 28 significant digits or decimals.
    Precision,
    /// Divisor is zero.
    DivisionByZero,
}

type R = Result<Decimal, ArithError>;

/// `a + b`, exactly.
pub fn add(a: Decimal, b: Decimal) -> R {
    let s = a.checked_add(b).ok_or(ArithError::Overflow)?;
    if s.scale() < a.scale().max(b.scale()) && !fits_exactly(a, b, s) {
        return Err(ArithError::Precision);
    }
    Ok(s)
}

/// `a - b`, exactly.
pub fn sub(a: Decimal, b: Decimal) -> R {
    add(a, -b)
}

/// Whether `s`, rounded by rust_decimal, still equals `a + b`: checked by
/// undoing the addition, which is exact whenever the sum was.
fn fits_exactly(a: Decimal, b: Decimal, s: Decimal) -> bool {
    s.checked_sub(b) == Some(a) && s.checked_sub(a) == Some(b)
}

/// `a × b`, exactly.
pub fn mul(a: Decimal, b: Decimal) -> R {
    let (a, b) = (a.normalize(), b.normalize());
    let p = a.checked_mul(b).ok_or(ArithError::Overflow)?;
    let exact_scale = a.scale() + b.scale();
    if p.scale() == exact_scale {
        return Ok(p);
    }
    // rust_decimal reduced the scale, so it may have rounded. Redo the
    // product in 128 bits when the mantissas allow and see whether only
    // zeros were dropped.
    let (ma, mb) = (a.mantissa(), b.mantissa());
    if ma.unsigned_abs() < (1u128 << 63) && mb.unsigned_abs() < (1u128 << 63) {
        let mut m = ma * mb;
        let mut scale = exact_scale;
        while scale > p.scale() {
            if m % 10 != 0 {
                return Err(ArithError::Precision);
            }
            m /= 10;
            scale -= 1;
        }
        return Ok(p);
    }
    Err(ArithError::Precision)
}

/// `a ÷ b`, exactly; a quotient that does not terminate within 28 digits is
/// a precision error (see [`round_quotient`] for rounded division).
pub fn div(a: Decimal, b: Decimal) -> R {
    if b.is_zero() {
        return Err(ArithError::DivisionByZero);
    }
    let q = a.checked_div(b).ok_or(ArithError::Overflow)?;
    match mul(q, b) {
        Ok(back) if back == a => Ok(q),
        _ => Err(ArithError::Precision),
    }
}

/// `a ÷ d` rounded to a whole number, halves away from zero (四舍五入),
/// computed exactly through the remainder, so non-terminating quotients
/// round correctly.
pub fn round_quotient(a: Decimal, d: Decimal) -> R {
    if d.is_zero() {
        return Err(ArithError::DivisionByZero);
    }
    let r = a.checked_rem(d).ok_or(ArithError::Overflow)?;
    let whole = div(sub(a, r)?, d)?.round_dp_with_strategy(0, RoundingStrategy::ToZero);
    let twice = mul(r.abs(), Decimal::TWO)?;
    if twice >= d.abs() {
        let step = if (a.is_sign_negative()) != (d.is_sign_negative()) {
            -Decimal::ONE
        } else {
            Decimal::ONE
        };
        add(whole, step)
    } else {
        Ok(whole)
    }
}

/// The four products or quotients of interval ends, as (min, max).
pub fn hull(values: [Decimal; 4]) -> (Decimal, Decimal) {
    let mut lo = values[0];
    let mut hi = values[0];
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn exact_products_pass() {
        assert_eq!(mul(d("0.2"), d("120000000")), Ok(d("24000000")));
        assert_eq!(mul(d("0.5"), d("0.2")), Ok(d("0.1")));
    }

    #[test]
    fn underflow_and_overflow_are_errors() {
        assert_eq!(
            mul(d("0.00000000000001"), d("0.00000000000000001")),
            Err(ArithError::Precision)
        );
        assert_eq!(mul(d("1e20"), d("1e20")), Err(ArithError::Overflow));
    }

    #[test]
    fn division_must_terminate() {
        assert_eq!(div(d("1"), d("4")), Ok(d("0.25")));
        assert_eq!(div(d("1"), d("3")), Err(ArithError::Precision));
        assert_eq!(div(d("1"), d("0")), Err(ArithError::DivisionByZero));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_quotient(d("10"), d("3")), Ok(d("3")));
        assert_eq!(round_quotient(d("5"), d("2")), Ok(d("3")));
        assert_eq!(round_quotient(d("-5"), d("2")), Ok(d("-3")));
        assert_eq!(round_quotient(d("20"), d("3")), Ok(d("7")));
    }

    #[test]
    fn sums_beyond_28_digits_are_errors() {
        assert_eq!(
            add(d("70000000000000000000000000000"), d("0.1")),
            Err(ArithError::Precision)
        );
        assert_eq!(add(d("1.5"), d("2.5")), Ok(d("4.0")));
    }
}
