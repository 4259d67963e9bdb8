//! Operations on values: exact arithmetic over numbers, discretionary
//! ranges (bound by bound), durations and dates, and comparisons, each
//! failure a diagnostic naming its operands.

use rust_decimal::Decimal;

use super::Evaluator;
use super::arith::{self, ArithError};
use super::quotient;
use crate::ast::{BinaryOp, CmpOp, LitValue};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::units::{join, product, quotient};
use crate::value::{Duration, DurationUnit, Value};

impl Evaluator<'_> {
    pub(super) fn arith_error(
        &self,
        e: ArithError,
        span: Span,
        op: BinaryOp,
        a: &Value,
        b: &Value,
    ) -> Diagnostic {
        let (code, message, help) = match e {
            ArithError::Overflow => (
                Code::Overflow,
                format!("{a} {} {b} is too large to represent", op.symbol()),
                "amounts are exact up to about 7.9 × 10^28; check the facts for a misplaced magnitude",
            ),
            ArithError::DivisionByZero => (
                Code::DivisionByZero,
                format!("division by zero: {a} ÷ {b}"),
                "guard the division with a condition: if divisor > 0 then … else …",
            ),
            ArithError::Precision => (
                Code::Precision,
                format!(
                    "{a} {} {b} has no exact result within 28 significant digits",
                    op.symbol()
                ),
                "round the result where the policy says so: round(…, 0.01元)",
            ),
        };
        self.err(code, span, message, "in this expression")
            .help(help)
    }

    /// `a op b` for `+ - × ÷`: by the kinds of the operands.
    pub(super) fn arith(
        &self,
        op: BinaryOp,
        a: &Value,
        b: &Value,
        span: Span,
    ) -> Result<Value, Diagnostic> {
        if let Some(exact) = self.with_quotients(op, a, b, span) {
            return exact;
        }
        match (a, b) {
            (Value::Duration(x), Value::Duration(y))
                if matches!(op, BinaryOp::Add | BinaryOp::Sub) =>
            {
                self.durations(op, x, y, span)
            }
            (Value::Date(d), Value::Duration(x)) | (Value::Duration(x), Value::Date(d)) => {
                self.shifted(op, *d, x, span)
            }
            // Kept with its ends, so that it compares by the calendar.
            (Value::Date(x), Value::Date(y)) if op == BinaryOp::Sub => {
                Ok(Value::Elapsed { from: *y, to: *x })
            }
            (Value::Duration(x), other) | (other, Value::Duration(x))
                if matches!(op, BinaryOp::Mul | BinaryOp::Div) =>
            {
                self.scaled(op, x, other, span, (a, b))
            }
            _ => self.numbers(op, a, b, span),
        }
    }

    /// The sum or difference of two durations: in years when both are,
    /// else in months (days with days).
    fn durations(
        &self,
        op: BinaryOp,
        x: &Duration,
        y: &Duration,
        span: Span,
    ) -> Result<Value, Diagnostic> {
        let fail = |e| self.arith_error(e, span, op, &Value::Duration(*x), &Value::Duration(*y));
        let combine = |p, q| {
            if op == BinaryOp::Add {
                arith::add(p, q)
            } else {
                arith::sub(p, q)
            }
        };
        if x.unit == y.unit && x.unit == DurationUnit::Years {
            return Ok(Value::Duration(Duration {
                amount: combine(x.amount, y.amount).map_err(fail)?,
                unit: DurationUnit::Years,
            }));
        }
        let (p, q) = x.comparable(y).ok_or_else(|| {
            self.err(
                Code::UnitMismatch,
                span,
                format!("cannot combine {x} and {y}"),
                "months and days",
            )
            .help("write both durations in months or years, or both in days")
        })?;
        let unit = if x.unit == DurationUnit::Days {
            DurationUnit::Days
        } else {
            DurationUnit::Months
        };
        Ok(Value::Duration(Duration {
            amount: combine(p, q).map_err(fail)?,
            unit,
        }))
    }

    /// A date moved by a duration, on the calendar.
    fn shifted(
        &self,
        op: BinaryOp,
        d: jiff::civil::Date,
        x: &Duration,
        span: Span,
    ) -> Result<Value, Diagnostic> {
        let by = x.to_span().ok_or_else(|| {
            self.err(
                Code::Invalid,
                span,
                format!("{x} is not a whole number of calendar units"),
                "here",
            )
        })?;
        let by = if op == BinaryOp::Sub { by.negate() } else { by };
        d.checked_add(by).map(Value::Date).map_err(|_| {
            self.err(
                Code::Overflow,
                span,
                "the date falls outside the calendar",
                "here",
            )
        })
    }

    /// A duration multiplied or divided by a number.
    fn scaled(
        &self,
        op: BinaryOp,
        x: &Duration,
        other: &Value,
        span: Span,
        (a, b): (&Value, &Value),
    ) -> Result<Value, Diagnostic> {
        let Some((_, n, n_hi)) = other.bounds() else {
            return Err(self.err(
                Code::UnitMismatch,
                span,
                "a duration scales only by a number",
                "here",
            ));
        };
        if n != n_hi {
            return Err(self.err(
                Code::Invalid,
                span,
                "a duration cannot be scaled by a range",
                "here",
            ));
        }
        let amount = if op == BinaryOp::Mul {
            arith::mul(x.amount, n)
        } else {
            arith::div(x.amount, n)
        }
        .map_err(|e| self.arith_error(e, span, op, a, b))?;
        Ok(Value::Duration(Duration {
            amount,
            unit: x.unit,
        }))
    }

    /// Arithmetic on numbers and ranges, bound by bound: a range's sum
    /// adds the ends, its product is the hull of the four corner products,
    /// and a divisor range that reaches zero is a division by zero.
    fn numbers(&self, op: BinaryOp, a: &Value, b: &Value, span: Span) -> Result<Value, Diagnostic> {
        let fail = |e| self.arith_error(e, span, op, a, b);
        let ((ua, alo, ahi), (ub, blo, bhi)) = match (a.bounds(), b.bounds()) {
            (Some(x), Some(y)) => (x, y),
            _ => {
                return Err(self.err(
                    Code::UnitMismatch,
                    span,
                    format!("cannot compute {a} {} {b}", op.symbol()),
                    "here",
                ));
            }
        };
        let unit = match op {
            BinaryOp::Mul => product(ua, ub),
            BinaryOp::Div => quotient(ua, ub),
            _ => join(ua, ub),
        }
        .unwrap_or(ua);
        let corners = |f: fn(Decimal, Decimal) -> Result<Decimal, ArithError>| {
            Ok::<_, Diagnostic>(arith::hull([
                f(alo, blo).map_err(fail)?,
                f(alo, bhi).map_err(fail)?,
                f(ahi, blo).map_err(fail)?,
                f(ahi, bhi).map_err(fail)?,
            ]))
        };
        let (lo, hi) = match op {
            BinaryOp::Add => (
                arith::add(alo, blo).map_err(fail)?,
                arith::add(ahi, bhi).map_err(fail)?,
            ),
            BinaryOp::Sub => (
                arith::sub(alo, bhi).map_err(fail)?,
                arith::sub(ahi, blo).map_err(fail)?,
            ),
            BinaryOp::Mul => corners(arith::mul)?,
            _ if blo <= Decimal::ZERO && bhi >= Decimal::ZERO => {
                return Err(fail(ArithError::DivisionByZero));
            }
            // A point quotient that does not terminate is kept exactly.
            _ if alo == ahi && blo == bhi => {
                return quotient::fraction(unit, alo, blo).map_err(fail);
            }
            _ => corners(arith::div)?,
        };
        let point = alo == ahi && blo == bhi;
        Ok(if point || lo == hi {
            Value::Num(unit, lo)
        } else {
            Value::Range(unit, lo, hi)
        })
    }

    /// `Some(bool)` when decided, `None` when a range leaves it to discretion.
    pub(super) fn compare(
        &self,
        op: CmpOp,
        a: &Value,
        b: &Value,
        span: Span,
    ) -> Result<Option<bool>, Diagnostic> {
        use std::cmp::Ordering;
        let ord = |o: Ordering| match op {
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
        };
        if let Some(o) = quotient::order(a, b) {
            let o = o.map_err(|e| self.arith_error(e, span, BinaryOp::Cmp(op), a, b))?;
            return Ok(Some(ord(o)));
        }
        if let (Some((_, alo, ahi)), Some((_, blo, bhi))) = (a.bounds(), b.bounds()) {
            let at_lo = ord(alo.cmp(&bhi));
            let at_hi = ord(ahi.cmp(&blo));
            let corners = [
                ord(alo.cmp(&blo)),
                ord(alo.cmp(&bhi)),
                ord(ahi.cmp(&blo)),
                ord(ahi.cmp(&bhi)),
                at_lo,
                at_hi,
            ];
            let all_true = corners.iter().all(|c| *c);
            let all_false = corners.iter().all(|c| !*c);
            // An equality between ranges is decided only when they are disjoint
            // or the same single point.
            return Ok(match op {
                CmpOp::Eq | CmpOp::Ne if !(alo == ahi && blo == bhi) => {
                    if ahi < blo || bhi < alo {
                        Some(op == CmpOp::Ne)
                    } else {
                        None
                    }
                }
                _ if all_true => Some(true),
                _ if all_false => Some(false),
                _ => None,
            });
        }
        let o = match (a, b) {
            (Value::Date(x), Value::Date(y)) => x.cmp(y),
            (Value::Elapsed { from, to }, Value::Duration(d)) => {
                self.elapsed_order((*from, *to), d, span)?
            }
            (Value::Duration(d), Value::Elapsed { from, to }) => {
                self.elapsed_order((*from, *to), d, span)?.reverse()
            }
            (Value::Elapsed { from: f1, to: t1 }, Value::Elapsed { from: f2, to: t2 }) => {
                (*t1 - *f1).get_days().cmp(&(*t2 - *f2).get_days())
            }
            (Value::Duration(x), Value::Duration(y)) => {
                let (p, q) = x.comparable(y).ok_or_else(|| {
                    self.err(
                        Code::UnitMismatch,
                        span,
                        format!("cannot compare {x} with {y}"),
                        "months and days",
                    )
                    .help("write both durations in months or years, or both in days")
                })?;
                p.cmp(&q)
            }
            _ => {
                let equal = a == b;
                return Ok(Some(match op {
                    CmpOp::Ne => !equal,
                    _ => equal,
                }));
            }
        };
        Ok(Some(ord(o)))
    }
}

/// The value of a literal.
pub fn lit_value(l: &LitValue) -> Value {
    match l {
        LitValue::Quantity(u, d) => Value::Num(*u, *d),
        LitValue::Fraction(u, n, d) => Value::Quotient {
            unit: *u,
            num: *n,
            den: *d,
        },
        LitValue::Duration(d) => Value::Duration(*d),
        LitValue::Date(d) => Value::Date(*d),
        LitValue::Bool(b) => Value::Bool(*b),
        LitValue::Text(t) => Value::Text(t.clone()),
    }
}
