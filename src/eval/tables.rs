//! Tables and rounding: tier tables (the first row whose threshold the
//! subject reaches, by [`super::decide::pick_row`], the rule the plan
//! shares), `first reaching` over a prior peak, marginal schedules, and
//! `round` to a step, halves away from zero.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::arith::{self, ArithError};
use super::decide::{Logic, Pick, pick_row};
use super::expr::Op;
use super::out::Nothing;
use super::trace::{Note, Role, Step, Trail};
use super::{Cause, Evaluator, Out, Soft};
use crate::ast::{BinaryOp, CmpOp, Expr, ExprKind, Schedule, Tiers};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::units::{Unit, quotient};
use crate::value::Value;

/// One row of a tier table, tried.
struct Row<'p> {
    /// Whether the subject reaches the threshold, and whether the prior
    /// peak had not.
    test: (Logic, Logic),
    /// The threshold.
    threshold: Out,
    /// Its step, when explaining.
    step: Option<Step<'p>>,
    /// What leaves the test open.
    causes: BTreeSet<Cause>,
}

/// Why the rows of a tier table stopped before a row was picked.
enum Stop {
    /// An evaluation failed.
    Failed(Diagnostic),
    /// The subject or a threshold came to nothing.
    Nothing(Nothing),
}

impl<'p> Evaluator<'p> {
    /// A tier table: the first row whose test holds wins. With a prior peak
    /// (`first reaching X over P`) a row's test is `X >= T and P < T`.
    pub(super) fn tiers(&mut self, t: &'p Tiers, span: Span) -> Op<'p> {
        let mut trail = self.trail();
        let (subject, st) = self.eval(&t.subject)?;
        trail.push(st);
        let prior = match &t.prior {
            Some(p) => {
                let (o, pt) = self.eval(p)?;
                trail.push(pt);
                Some(o)
            }
            None => None,
        };
        // Each row's threshold with its step, and the causes that leave
        // its test open; rows are tried in order, and no further than the
        // row picked.
        // Allocated once: a row is 300 bytes, and growing the vector row by
        // row would copy them.
        let mut rows: Vec<Row<'p>> = Vec::with_capacity(t.rows.len());
        let mut stop = None;
        let tests = t.rows.iter().map_while(|(threshold, _)| {
            match self.row_test(&subject, prior.as_ref(), t.cmp, threshold) {
                Ok(Ok(row)) => {
                    let test = row.test;
                    rows.push(row);
                    Some(test)
                }
                Ok(Err(nothing)) => {
                    stop = Some(Stop::Nothing(nothing));
                    None
                }
                Err(d) => {
                    stop = Some(Stop::Failed(d));
                    None
                }
            }
        });
        let pick = pick_row(tests);
        match stop {
            Some(Stop::Failed(d)) => return Err(d),
            Some(Stop::Nothing(w)) => return Ok((Out::Nothing(w), trail)),
            None => {}
        }
        match pick {
            Pick::Undecided(n) => {
                let Some(row) = rows.into_iter().nth(n) else {
                    return Ok((Out::Nothing(Nothing::Invalid("no such row")), trail));
                };
                trail.push_as(row.step, Role::RowUndecided(n));
                Ok((Out::Unknown(row.causes), trail))
            }
            Pick::Row(n) => {
                self.hit(span, n);
                let threshold = match rows.get(n).map(|r| &r.threshold) {
                    Some(Out::Val(x)) => Some(x.value.clone()),
                    _ => None,
                };
                let Some((_, value)) = t.rows.get(n) else {
                    return Ok((Out::Nothing(Nothing::Invalid("no such row")), trail));
                };
                let (o, vt) = self.eval(value)?;
                trail.note(|| Note::Tier {
                    row: n,
                    cmp: t.cmp,
                    threshold,
                    first_reaching: t.prior.is_some(),
                });
                trail.push(vt);
                Ok((o, trail))
            }
            Pick::Otherwise => {
                // `first reaching`: a level the prior peak had already
                // reached is a branch of its own, after "below every row".
                let before =
                    t.prior.is_some() && rows.iter().any(|r| r.test.0 == Logic::Decided(true));
                self.hit(span, t.rows.len() + usize::from(before));
                self.otherwise(t, trail)
            }
        }
    }

    /// No row of a tier table matched: its `else` row, or nothing.
    fn otherwise(&mut self, t: &'p Tiers, mut trail: Trail<'p>) -> Op<'p> {
        match &t.otherwise {
            Some(o) => {
                let (out, ot) = self.eval(o)?;
                trail.note(|| Note::ElseRow);
                trail.push(ot);
                Ok((out, trail))
            }
            None => {
                let first_reaching = t.prior.is_some();
                trail.note(|| Note::NoTier { first_reaching });
                let why = if first_reaching {
                    Nothing::NoLevelReached
                } else {
                    Nothing::NoTier
                };
                Ok((Out::Nothing(why), trail))
            }
        }
    }

    /// One row's test: whether the subject reaches the threshold, and
    /// whether the prior peak had not; or the nothing that stops the table.
    fn row_test(
        &mut self,
        subject: &Out,
        prior: Option<&Out>,
        cmp: CmpOp,
        threshold: &'p Expr,
    ) -> Result<Result<Row<'p>, Nothing>, Diagnostic> {
        let (th, step) = self.eval(threshold)?;
        if let (Out::Nothing(w), _) | (_, Out::Nothing(w)) = (subject, &th) {
            return Ok(Err(w.clone()));
        }
        let mut causes = BTreeSet::new();
        let reached = self.test(subject, cmp, &th, threshold.span, &mut causes)?;
        let fresh = match prior {
            None => Logic::Decided(true),
            Some(p) => self.test(p, CmpOp::Lt, &th, threshold.span, &mut causes)?,
        };
        Ok(Ok(Row {
            test: (reached, fresh),
            threshold: th,
            step,
            causes,
        }))
    }

    /// `a op b` for a tier test: decided, or not known for the causes it
    /// adds; a prior peak that is nothing has reached no level.
    fn test(
        &self,
        a: &Out,
        op: CmpOp,
        b: &Out,
        span: Span,
        causes: &mut BTreeSet<Cause>,
    ) -> Result<Logic, Diagnostic> {
        match (a, b) {
            (Out::Val(x), Out::Val(y)) => match self.compare(op, &x.value, &y.value, span)? {
                Some(r) => Ok(Logic::Decided(r)),
                None => {
                    causes.insert(Cause::Discretion);
                    Ok(Logic::Unknown)
                }
            },
            (Out::Unknown(c), _) | (_, Out::Unknown(c)) => {
                causes.extend(c.iter().cloned());
                Ok(Logic::Unknown)
            }
            _ => Ok(Logic::Decided(false)),
        }
    }

    /// A marginal schedule: each bracket's part of the base at its own rate.
    pub(super) fn schedule(&mut self, s: &'p Schedule, span: Span) -> Op<'p> {
        let mut trail = self.trail();
        let (base, bt) = self.eval(&s.base)?;
        trail.push(bt);
        let base = match base {
            Out::Val(v) => v,
            other => return Ok((other, trail)),
        };
        let Some((unit, blo, bhi)) = base.value.bounds() else {
            return Err(self.err(
                Code::Invalid,
                span,
                "a schedule needs a number as its base",
                "here",
            ));
        };
        let rows = match self.brackets(s)? {
            Ok(rows) => rows,
            Err(open) => return Ok((open, trail)),
        };
        self.hit(span, bracket_reached(&rows, blo));
        self.hit(span, bracket_reached(&rows, bhi));
        let err = |e| {
            self.arith_error(
                e,
                span,
                BinaryOp::Mul,
                &base.value,
                &Value::Num(Unit::Rate, Decimal::ZERO),
            )
        };
        let mut parts = self.explaining().then(Vec::new);
        let lo = marginal(&rows, blo, parts.as_mut()).map_err(err)?;
        let hi = marginal(&rows, bhi, None).map_err(err)?;
        if let Some(parts) = parts {
            let rates = s.brackets.iter().map(|(_, r)| r).chain(&s.above).collect();
            trail.note(|| Note::Brackets { unit, parts, rates });
        }
        let value = if lo == hi {
            Value::Num(unit, lo)
        } else {
            Value::Range(unit, lo, hi)
        };
        let out = Out::Val(Soft {
            value,
            soft: base.soft,
        });
        Ok((out, trail))
    }

    /// A schedule's brackets as (upper bound, rate), `None` for `above`;
    /// or what leaves them open.
    #[allow(clippy::type_complexity)]
    fn brackets(
        &mut self,
        s: &'p Schedule,
    ) -> Result<Result<Vec<(Option<Decimal>, Decimal)>, Out>, Diagnostic> {
        let mut rows = Vec::new();
        for (bound, rate) in &s.brackets {
            let (b, _) = self.eval(bound)?;
            let (r, _) = self.eval(rate)?;
            match (b, r) {
                (Out::Val(b), Out::Val(r)) => {
                    let (Some((_, bv, _)), Some((_, rv, _))) = (b.value.bounds(), r.value.bounds())
                    else {
                        return Err(self.err(
                            Code::Invalid,
                            bound.span,
                            "a bracket needs a number and a rate",
                            "here",
                        ));
                    };
                    rows.push((Some(bv), rv));
                }
                (Out::Unknown(c), _) | (_, Out::Unknown(c)) => return Ok(Err(Out::Unknown(c))),
                (Out::Nothing(w), _) | (_, Out::Nothing(w)) => return Ok(Err(Out::Nothing(w))),
            }
        }
        if let Some(above) = &s.above {
            match self.eval(above)?.0 {
                Out::Val(r) => {
                    if let Some((_, rv, _)) = r.value.bounds() {
                        rows.push((None, rv));
                    }
                }
                other => return Ok(Err(other)),
            }
        }
        Ok(Ok(rows))
    }

    /// `round(x, step)`: to the nearest multiple of `step`, halves away from
    /// zero. `round(a / b, step)` divides exactly, so a quotient that does not
    /// terminate still rounds correctly.
    /// `round_down` and `round_up` go the same way, to the multiple below or
    /// above.
    pub(super) fn round(&mut self, how: arith::Rounding, args: &'p [Expr], span: Span) -> Op<'p> {
        let mut trail = self.trail();
        let (x, step) = match args {
            [x] => (x, None),
            [x, s] => (x, Some(s)),
            _ => {
                return Err(self.err(
                    Code::Invalid,
                    span,
                    "`round` takes a value and a step",
                    "here",
                ));
            }
        };
        let (num, den) = match &x.node {
            ExprKind::Binary(BinaryOp::Div, a, b) => (a.as_ref(), Some(b.as_ref())),
            _ => (x, None),
        };
        let mut parts = vec![self.eval(num)?];
        if let Some(d) = den {
            parts.push(self.eval(d)?);
        }
        if let Some(s) = step {
            parts.push(self.eval(s)?);
        }
        let mut vals = Vec::new();
        let mut causes = BTreeSet::new();
        for (o, t) in parts {
            trail.push(t);
            match o {
                Out::Nothing(w) => return Ok((Out::Nothing(w), trail)),
                Out::Unknown(c) => causes.extend(c),
                Out::Val(v) => vals.push(v),
            }
        }
        if !causes.is_empty() {
            return Ok((Out::Unknown(causes), trail));
        }
        let soft = vals.iter().any(|v| v.soft);
        let mut bounds: Vec<(Unit, Decimal, Decimal)> =
            vals.iter().filter_map(|v| v.value.bounds()).collect();
        let mut divided = den.is_some();
        // An exact quotient computed before (`round(a / b - 1, 0.1%)`)
        // rounds as `round(a / b)` does: by its numerator and denominator.
        if let (false, Some(Value::Quotient { unit, num, den })) =
            (divided, vals.first().map(|v| &v.value))
        {
            bounds.splice(0..0, [(*unit, *num, *num), (Unit::Number, *den, *den)]);
            divided = true;
        }
        let (unit, value) = self.rounded(&bounds, divided, step.is_some(), how, span)?;
        trail.note(|| Note::Rounded {
            how,
            unit,
            step: bounds
                .last()
                .filter(|_| step.is_some())
                .map_or(Decimal::ONE, |b| b.1),
        });
        Ok((Out::Val(Soft { value, soft }), trail))
    }

    /// The rounded value of `round`'s numbers: the value (or dividend),
    /// the divisor when there is one, the step when there is one. Returns
    /// the result's unit too.
    fn rounded(
        &self,
        bounds: &[(Unit, Decimal, Decimal)],
        divided: bool,
        stepped: bool,
        how: arith::Rounding,
        span: Span,
    ) -> Result<(Unit, Value), Diagnostic> {
        let (unit, lo, hi) = *bounds
            .first()
            .ok_or_else(|| self.err(Code::Invalid, span, "`round` needs a number", "here"))?;
        let (den_unit, den_value) = if divided {
            let (u, d, dh) = *bounds
                .get(1)
                .ok_or_else(|| self.err(Code::Invalid, span, "`round` needs a number", "here"))?;
            if d != dh {
                return Err(self.err(
                    Code::Invalid,
                    span,
                    "cannot round a division by a range",
                    "here",
                ));
            }
            (Some(u), d)
        } else {
            (None, Decimal::ONE)
        };
        let result_unit = match den_unit {
            Some(du) => quotient(unit, du).unwrap_or(unit),
            None => unit,
        };
        let step_value = if stepped {
            bounds.last().map_or(Decimal::ONE, |b| b.1)
        } else {
            Decimal::ONE
        };
        if step_value <= Decimal::ZERO {
            return Err(self.err(
                Code::Invalid,
                span,
                "the rounding step must be positive",
                "here",
            ));
        }
        let divisor = self.divisor(
            unit,
            lo,
            (den_unit, den_value),
            (result_unit, step_value),
            span,
        )?;
        let one = |v: Decimal| -> Result<Decimal, Diagnostic> {
            let n = arith::divide_to_whole(v, divisor, how).map_err(|e| {
                self.arith_error(
                    e,
                    span,
                    BinaryOp::Div,
                    &Value::Num(unit, v),
                    &Value::Num(unit, divisor),
                )
            })?;
            arith::mul(n, step_value).map_err(|e| {
                self.arith_error(
                    e,
                    span,
                    BinaryOp::Mul,
                    &Value::Num(unit, n),
                    &Value::Num(unit, step_value),
                )
            })
        };
        let (rlo, rhi) = (one(lo)?, one(hi)?);
        let value = if rlo == rhi {
            Value::Num(result_unit, rlo)
        } else {
            Value::Range(result_unit, rlo, rhi)
        };
        Ok((result_unit, value))
    }

    /// What `round` divides by: the divisor (1 without one) times the step,
    /// exactly; a zero divisor is said with its own unit (÷ 0%), not the
    /// step's.
    fn divisor(
        &self,
        unit: Unit,
        lo: Decimal,
        (den_unit, den_value): (Option<Unit>, Decimal),
        (result_unit, step_value): (Unit, Decimal),
        span: Span,
    ) -> Result<Decimal, Diagnostic> {
        let den_shown = Value::Num(den_unit.unwrap_or(Unit::Number), den_value);
        if den_value.is_zero() {
            return Err(self.arith_error(
                ArithError::DivisionByZero,
                span,
                BinaryOp::Div,
                &Value::Num(unit, lo),
                &den_shown,
            ));
        }
        arith::mul(den_value, step_value).map_err(|e| {
            self.arith_error(
                e,
                span,
                BinaryOp::Mul,
                &den_shown,
                &Value::Num(result_unit, step_value),
            )
        })
    }
}

/// A marginal schedule at `x`: each bracket's part of `x` at the bracket's
/// rate, summed exactly; the parts (part, rate, amount) are recorded when
/// asked for.
/// The bracket a base ends in (for coverage): the first whose upper bound
/// it does not pass, else the last.
fn bracket_reached(rows: &[(Option<Decimal>, Decimal)], x: Decimal) -> usize {
    let within = |(upper, _): &(Option<Decimal>, Decimal)| upper.is_none_or(|u| x <= u);
    rows.iter()
        .position(within)
        .unwrap_or(rows.len().saturating_sub(1))
}

pub(crate) fn marginal(
    rows: &[(Option<Decimal>, Decimal)],
    x: Decimal,
    mut parts: Option<&mut Vec<(Decimal, Decimal, Decimal)>>,
) -> Result<Decimal, ArithError> {
    let mut total = Decimal::ZERO;
    let mut lower = Decimal::ZERO;
    for (upper, rate) in rows {
        let top = match upper {
            Some(u) => x.min(*u),
            None => x,
        };
        if top <= lower {
            break;
        }
        let portion = arith::sub(top, lower)?;
        let amount = arith::mul(portion, *rate)?;
        if let Some(p) = parts.as_mut() {
            p.push((portion, *rate, amount));
        }
        total = arith::add(total, amount)?;
        match upper {
            Some(u) => lower = *u,
            None => break,
        }
    }
    Ok(total)
}
