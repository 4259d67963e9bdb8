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

/// How `round`, `round_down` and `round_up` settle a value between two
/// multiples of their step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// To the nearest multiple, halves away from zero (四舍五入, `round`).
    HalfAwayFromZero,
    /// To the multiple at or below (舍去, `round_down`): toward minus infinity.
    Down,
    /// To the multiple at or above (进一, `round_up`): toward plus infinity.
    Up,
}

/// `a ÷ d` rounded to a whole number by `how`, computed exactly through
/// the remainder, so non-terminating quotients round correctly.
pub fn divide_to_whole(a: Decimal, d: Decimal, how: Rounding) -> R {
    if how == Rounding::HalfAwayFromZero {
        return round_quotient(a, d);
    }
    if d.is_zero() {
        return Err(ArithError::DivisionByZero);
    }
    let r = a.checked_rem(d).ok_or(ArithError::Overflow)?;
    let whole = div(sub(a, r)?, d)?.round_dp_with_strategy(0, RoundingStrategy::ToZero);
    if r.is_zero() {
        return Ok(whole);
    }
    // The truncated quotient is below the exact one when the quotient is
    // positive, above it when negative.
    let positive = a.is_sign_negative() == d.is_sign_negative();
    match (how, positive) {
        (Rounding::Down, false) => sub(whole, Decimal::ONE),
        (Rounding::Up, true) => add(whole, Decimal::ONE),
        _ => Ok(whole),
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
    fn rounding_down_and_up_bracket_the_quotient() {
        assert_eq!(divide_to_whole(d("10"), d("3"), Rounding::Down), Ok(d("3")));
        assert_eq!(divide_to_whole(d("10"), d("3"), Rounding::Up), Ok(d("4")));
        assert_eq!(
            divide_to_whole(d("-10"), d("3"), Rounding::Down),
            Ok(d("-4"))
        );
        assert_eq!(divide_to_whole(d("-10"), d("3"), Rounding::Up), Ok(d("-3")));
        assert_eq!(divide_to_whole(d("9"), d("3"), Rounding::Up), Ok(d("3")));
    }

    proptest::proptest! {
        /// `round_down(x, s) <= x <= round_up(x, s)`, both multiples of `s`
        /// and less than one step from `x`; `round` lies between them.
        #[test]
        fn rounding_down_and_up_bracket_the_value(x in -10_000_000i64..10_000_000, cents in 0u32..4, s in 1i64..100_000) {
            let x = Decimal::new(x, cents);
            let s = Decimal::new(s, 2);
            let down = mul(divide_to_whole(x, s, Rounding::Down).unwrap(), s).unwrap();
            let up = mul(divide_to_whole(x, s, Rounding::Up).unwrap(), s).unwrap();
            let near = mul(divide_to_whole(x, s, Rounding::HalfAwayFromZero).unwrap(), s).unwrap();
            proptest::prop_assert!(down <= x && x <= up);
            proptest::prop_assert!(down <= near && near <= up);
            proptest::prop_assert!((down % s).is_zero() && (up % s).is_zero());
            proptest::prop_assert!(up - down <= s);
            proptest::prop_assert_eq!(up == down, (x % s).is_zero());
        }
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
