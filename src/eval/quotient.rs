//! Exact quotients: a division that does not terminate in decimals
//! (`4亿 ÷ 3亿`) is kept as a fraction, [`Value::Quotient`], instead of
//! failing, so that what is computed from it (`4亿 ÷ 3亿 - 1`) and compared
//! with it (`… >= 10%`) is decided exactly, as if cross-multiplied.
//!
//! A fraction is a numerator and a positive denominator, each an exact
//! decimal; every operation on them is checked ([`super::arith`]), and a
//! result that terminates becomes a plain number again. A fraction is
//! compared, computed with and rounded (`round(x, 0.1%)`), but never kept:
//! an item whose value is one is a `decree::precision` error asking the
//! policy to round it (and the checker warns of it before any evaluation,
//! see `check::quotients`).

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::Evaluator;
use super::arith::{self, ArithError};
use crate::ast::BinaryOp;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::units::{Unit, join, product, quotient};
use crate::value::Value;

/// A value as a fraction `(unit, numerator, denominator)`, the
/// denominator positive; `None` for what is no single number.
fn as_fraction(v: &Value) -> Option<(Unit, Decimal, Decimal)> {
    match v {
        Value::Num(u, d) => Some((*u, *d, Decimal::ONE)),
        Value::Quotient { unit, num, den } => Some((*unit, *num, *den)),
        _ => None,
    }
}

/// `num ÷ den` as a value: a plain number when it terminates, else a
/// fraction with a positive denominator.
pub(super) fn fraction(unit: Unit, num: Decimal, den: Decimal) -> Result<Value, ArithError> {
    if den.is_zero() {
        return Err(ArithError::DivisionByZero);
    }
    match arith::div(num, den) {
        Ok(q) => Ok(Value::Num(unit, q)),
        Err(ArithError::Precision) => {
            let (num, den) = if den.is_sign_negative() {
                (-num, -den)
            } else {
                (num, den)
            };
            Ok(Value::Quotient { unit, num, den })
        }
        Err(e) => Err(e),
    }
}

/// `a op b` for `+ - × ÷` where either side is a fraction: exactly, by
/// the rules of fractions, in the unit the algebra gives.
pub(super) fn combine(op: BinaryOp, a: &Value, b: &Value) -> Option<Result<Value, ArithError>> {
    let (ua, n1, d1) = as_fraction(a)?;
    let (ub, n2, d2) = as_fraction(b)?;
    let unit = match op {
        BinaryOp::Mul => product(ua, ub),
        BinaryOp::Div => quotient(ua, ub),
        _ => join(ua, ub),
    }
    .unwrap_or(ua);
    let exact = || -> Result<Value, ArithError> {
        let (num, den) = match op {
            BinaryOp::Add => (
                arith::add(arith::mul(n1, d2)?, arith::mul(n2, d1)?)?,
                arith::mul(d1, d2)?,
            ),
            BinaryOp::Sub => (
                arith::sub(arith::mul(n1, d2)?, arith::mul(n2, d1)?)?,
                arith::mul(d1, d2)?,
            ),
            BinaryOp::Mul => (arith::mul(n1, n2)?, arith::mul(d1, d2)?),
            _ => (arith::mul(n1, d2)?, arith::mul(d1, n2)?),
        };
        fraction(unit, num, den)
    };
    Some(exact())
}

/// How two values compare when either is a fraction: `n1/d1` against
/// `n2/d2` as `n1·d2` against `n2·d1` (both denominators positive).
/// A fraction against a range has no exact order here: a precision error.
pub(crate) fn order(a: &Value, b: &Value) -> Option<Result<Ordering, ArithError>> {
    if !matches!(a, Value::Quotient { .. }) && !matches!(b, Value::Quotient { .. }) {
        return None;
    }
    let (Some((_, n1, d1)), Some((_, n2, d2))) = (as_fraction(a), as_fraction(b)) else {
        return Some(Err(ArithError::Precision));
    };
    Some((|| Ok(arith::mul(n1, d2)?.cmp(&arith::mul(n2, d1)?)))())
}

/// Whether `v` is, or bounds, a fraction: a value no item may keep.
pub(super) fn unkept(v: &Value) -> bool {
    match v {
        // An area given in 亩 is exact in 亩 (`1亩`), and may be kept.
        Value::Quotient {
            unit: Unit::Area,
            num,
            den,
        } => crate::value::area_in_mu(*num, *den).is_none(),
        Value::Quotient { .. } => true,
        Value::Bound(_, inner) => unkept(inner),
        _ => false,
    }
}

impl Evaluator<'_> {
    /// The error for a fraction where a value is kept (an item's value, a
    /// bound of `min` or `clamp`): the policy must say how it rounds.
    pub(super) fn unrounded(&self, v: &Value, span: Span) -> Diagnostic {
        self.err(
            Code::Precision,
            span,
            format!("{v} is a quotient that does not terminate, and the policy does not say how it rounds"),
            "kept unrounded here",
        )
        .help("say how it rounds: round(…, 0.01元), round_down(…, 1元) or round_up(…, 1万)")
    }

    /// `a op b` where one side is a fraction, or `None` when neither is.
    pub(super) fn with_quotients(
        &self,
        op: BinaryOp,
        a: &Value,
        b: &Value,
        span: Span,
    ) -> Option<Result<Value, Diagnostic>> {
        if !matches!(a, Value::Quotient { .. }) && !matches!(b, Value::Quotient { .. }) {
            return None;
        }
        let Some(result) = combine(op, a, b) else {
            return Some(Err(self.arith_error(ArithError::Precision, span, op, a, b)));
        };
        Some(result.map_err(|e| self.arith_error(e, span, op, a, b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(n: i64) -> Value {
        Value::Num(Unit::Money, Decimal::from(n))
    }

    #[test]
    fn growth_of_four_over_three_is_decided_exactly() {
        let q = fraction(
            Unit::Rate,
            Decimal::from(400_000_000),
            Decimal::from(300_000_000),
        )
        .unwrap();
        assert!(matches!(q, Value::Quotient { .. }));
        let growth = combine(BinaryOp::Sub, &q, &Value::Num(Unit::Rate, Decimal::ONE))
            .unwrap()
            .unwrap();
        let ten = Value::Num(Unit::Rate, Decimal::new(1, 1));
        assert_eq!(order(&growth, &ten), Some(Ok(Ordering::Greater)));
        let below = Value::Num(Unit::Rate, Decimal::new(3333333333, 10));
        assert_eq!(order(&growth, &below), Some(Ok(Ordering::Greater)));
        let above = Value::Num(Unit::Rate, Decimal::new(3333333334, 10));
        assert_eq!(order(&growth, &above), Some(Ok(Ordering::Less)));
    }

    #[test]
    fn a_product_over_money_is_money_and_terminating_results_are_plain() {
        let share = combine(BinaryOp::Mul, &yuan(100), &yuan(300))
            .unwrap()
            .unwrap();
        let money = combine(BinaryOp::Div, &share, &yuan(900)).unwrap().unwrap();
        assert!(matches!(
            money,
            Value::Quotient {
                unit: Unit::Money,
                ..
            }
        ));
        let back = combine(
            BinaryOp::Mul,
            &money,
            &Value::Num(Unit::Number, Decimal::from(3)),
        )
        .unwrap()
        .unwrap();
        assert_eq!(back, yuan(100));
    }

    proptest! {
        /// `a / b OP c / d` is decided as `a·d OP c·b` in exact integers.
        #[test]
        fn cross_multiplication_agrees_with_integers(
            a in -1_000_000i64..1_000_000, b in 1i64..1_000_000,
            c in -1_000_000i64..1_000_000, d in 1i64..1_000_000,
        ) {
            let x = fraction(Unit::Rate, Decimal::from(a), Decimal::from(b)).unwrap();
            let y = fraction(Unit::Rate, Decimal::from(c), Decimal::from(d)).unwrap();
            let want = (i128::from(a) * i128::from(d)).cmp(&(i128::from(c) * i128::from(b)));
            let got = match order(&x, &y) {
                Some(r) => r.unwrap(),
                None => {
                    // Both terminate: plain decimals.
                    let (Value::Num(_, p), Value::Num(_, q)) = (&x, &y) else {
                        panic!("a fraction that was not compared")
                    };
                    p.cmp(q)
                }
            };
            prop_assert_eq!(got, want);
        }
    }
}
