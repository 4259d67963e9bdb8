//! Expressions: names, operators, `if`, `min` / `max` / `clamp`, each
//! within the step and depth limits, each building its explanation step
//! only when one is wanted.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::arith::Rounding;
use super::decide::{self, Connective, Logic};
use super::out::Nothing;
use super::trace::{Extreme, Note, Role, Step, Trail};
use super::values::lit_value;
use super::{Cause, Evaluator, Out, Soft};
use crate::ast::*;
use crate::check::ParamId;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::units::Unit;
use crate::value::{Duration, Value};

/// What evaluating an expression gives: its outcome and, when explaining,
/// its step.
pub(super) type Ev<'p> = Result<(Out, Option<Step<'p>>), Diagnostic>;

/// What an operation gives before its step is made: its outcome and the
/// trail of its children and note.
pub(super) type Op<'p> = Result<(Out, Trail<'p>), Diagnostic>;

impl<'p> Evaluator<'p> {
    /// Evaluates an expression within the step and depth limits: a policy
    /// that exceeds them (a long chain of params, a huge program) gets a
    /// diagnostic, never a stack overflow or a hang.
    pub(super) fn eval(&mut self, e: &'p Expr) -> Ev<'p> {
        let limits = &self.options.limits;
        self.steps = self.steps.saturating_add(1);
        if self.steps > limits.max_steps {
            return Err(self
                .err(
                    Code::Limit,
                    e.span,
                    format!("the evaluation took more than {} steps", limits.max_steps),
                    "the step limit was reached here",
                )
                .help(
                    "raise the limit (Limits::max_steps) if the policy is this large on purpose",
                ));
        }
        if self.depth >= limits.max_eval_depth {
            return Err(self
                .err(
                    Code::Limit,
                    e.span,
                    format!(
                        "the evaluation nested more than {} deep",
                        limits.max_eval_depth
                    ),
                    "too deep here",
                )
                .help("a long chain of params, each defined by the next, nests this deep; define them directly"));
        }
        self.depth += 1;
        let result = self.eval_node(e);
        self.depth -= 1;
        result
    }

    fn eval_node(&mut self, e: &'p Expr) -> Ev<'p> {
        let (out, trail) = match &e.node {
            ExprKind::Lit(l) => (Out::val(lit_value(&l.value)), self.trail()),
            ExprKind::Name(n) => {
                let mut trail = self.trail();
                if let Some(w) = self.param_window(n.symbol) {
                    trail.note(|| Note::Dated(w));
                }
                (self.name(n), trail)
            }
            ExprKind::Unary(op, x) => self.unary(*op, x)?,
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e.span)?,
            ExprKind::Chain(op, terms) => self.chain(*op, terms, None, e.span)?,
            ExprKind::If(c, t, f) => self.if_(c, t, f, e.span)?,
            ExprKind::Call(Builtin::Round, args) => {
                self.round(Rounding::HalfAwayFromZero, args, e.span)?
            }
            ExprKind::Call(Builtin::RoundDown, args) => self.round(Rounding::Down, args, e.span)?,
            ExprKind::Call(Builtin::RoundUp, args) => self.round(Rounding::Up, args, e.span)?,
            ExprKind::Call(Builtin::AmountOf, args) => self.amount_of(args)?,
            ExprKind::Call(f, args) => self.call(*f, args, e.span)?,
            ExprKind::Tiers(t) => self.tiers(t, e.span)?,
            ExprKind::Schedule(s) => self.schedule(s, e.span)?,
            ExprKind::Dated(d) => self.dated(d)?,
            ExprKind::Today => (self.today(), self.trail()),
        };
        let step = trail.into_step(e, &out);
        Ok((out, step))
    }

    /// A trail for the step being evaluated: recording only when
    /// explaining.
    pub(super) fn trail(&self) -> Trail<'p> {
        Trail::new(self.explaining() && !self.quiet)
    }

    fn name(&mut self, name: &Name) -> Out {
        match name.symbol {
            Some(Symbol::Fact(i)) => match self.facts.get(i) {
                Some(v) => Out::val(v.clone()),
                None => Out::Unknown(BTreeSet::from([Cause::Fact {
                    name: name.text.clone(),
                    label: self.policy.fact(i).and_then(|f| f.label.clone()),
                }])),
            },
            Some(Symbol::Param(i)) => self.param(i),
            Some(Symbol::Item(i)) => match self.items.get(i.0).and_then(Option::as_ref) {
                Some((out, _)) => out.clone(),
                None => Out::Nothing(Nothing::NotEvaluatedYet(i)),
            },
            Some(Symbol::Variant(..)) => Out::val(Value::Variant(name.text.clone())),
            Some(Symbol::Field(_, f)) => self.field(f),
            Some(Symbol::Enum(_) | Symbol::Record(_)) | None => {
                Out::Nothing(Nothing::NotAValue(name.text.clone()))
            }
        }
    }

    /// A param's value: an override, its own value, or `tbd`; evaluated
    /// once per evaluation.
    fn param(&mut self, i: ParamId) -> Out {
        if let Some(out) = self.params.get(i.0).and_then(Option::as_ref) {
            return out.clone();
        }
        let policy = self.policy;
        let Some(p) = policy.param(i) else {
            return Out::Nothing(Nothing::Invalid("no such param"));
        };
        let out = if let Some(v) = self.options.params.get(&p.name) {
            Out::val(v.clone())
        } else if let Some(out) = self.dated_setting(&p.name) {
            out
        } else if let Some(e) = &p.value {
            match self.eval(e) {
                Ok((out, _)) => out,
                Err(d) => {
                    self.errors.push(d);
                    Out::Nothing(Nothing::ParamFailed(i))
                }
            }
        } else {
            Out::Unknown(BTreeSet::from([Cause::Param {
                name: p.name.clone(),
                label: p.label.clone(),
            }]))
        };
        if let Some(slot) = self.params.get_mut(i.0) {
            *slot = Some(out.clone());
        }
        out
    }

    fn unary(&mut self, op: UnaryOp, x: &'p Expr) -> Op<'p> {
        let (o, step) = self.eval(x)?;
        let mut trail = self.trail();
        trail.push(step);
        let out = match (op, o) {
            (_, o @ (Out::Unknown(_) | Out::Nothing(_))) => o,
            (UnaryOp::Soft, Out::Val(s)) => Out::Val(Soft {
                value: s.value,
                soft: true,
            }),
            (UnaryOp::Not, Out::Val(s)) => match s.value {
                Value::Bool(b) => Out::val(Value::Bool(!b)),
                _ => Out::Nothing(Nothing::Invalid("not a condition")),
            },
            (UnaryOp::Neg, Out::Val(s)) => match s.value {
                Value::Num(u, d) => Out::val(Value::Num(u, -d)),
                Value::Range(u, lo, hi) => Out::val(Value::Range(u, -hi, -lo)),
                Value::Quotient { unit, num, den } => Out::val(Value::Quotient {
                    unit,
                    num: -num,
                    den,
                }),
                Value::Duration(d) => Out::val(Value::Duration(Duration {
                    amount: -d.amount,
                    unit: d.unit,
                })),
                _ => Out::Nothing(Nothing::Invalid("not a number")),
            },
        };
        Ok((out, trail))
    }

    fn binary(&mut self, op: BinaryOp, l: &'p Expr, r: &'p Expr, span: Span) -> Op<'p> {
        self.chain(op, std::slice::from_ref(l), Some(r), span)
    }

    /// `a op b op c …`, left to right: the result so far combined with each
    /// next operand as a `Binary` of the two would be, one step for the
    /// whole chain. `last` is a second operand held apart (a `Binary`'s
    /// right side); `span` is the whole expression's, where an error points.
    fn chain(
        &mut self,
        op: BinaryOp,
        terms: &'p [Expr],
        last: Option<&'p Expr>,
        span: Span,
    ) -> Op<'p> {
        let mut trail = self.trail();
        let mut operands = terms.iter().chain(last);
        let Some(first) = operands.next() else {
            return Ok((Out::Nothing(Nothing::Invalid("an empty chain")), trail));
        };
        let (mut acc, t) = self.eval(first)?;
        trail.push(t);
        let connective = match op {
            BinaryOp::And => Some(Connective::And),
            BinaryOp::Or => Some(Connective::Or),
            _ => None,
        };
        for next in operands {
            if let Some(c) = connective {
                if let Some(b) = decide::decides_alone(c, acc.logic()) {
                    return Ok((Out::val(Value::Bool(b)), trail));
                }
            }
            let (ro, rt) = self.eval(next)?;
            trail.push(rt);
            if matches!(op, BinaryOp::Cmp(_)) && (is_fraction(&acc) || is_fraction(&ro)) {
                trail.note(|| Note::Exact);
            }
            acc = match connective {
                Some(c) => connect(c, acc, ro),
                None => self.combine(op, acc, ro, span)?,
            };
        }
        Ok((acc, trail))
    }

    /// Two operands' results under a non-logical operator: nothing or
    /// unknown if either is, else the value.
    fn combine(&mut self, op: BinaryOp, lo: Out, ro: Out, span: Span) -> Result<Out, Diagnostic> {
        let (a, b) = match (lo, ro) {
            (Out::Nothing(w), _) | (_, Out::Nothing(w)) => return Ok(Out::Nothing(w)),
            (Out::Unknown(mut x), Out::Unknown(y)) => {
                x.extend(y);
                return Ok(Out::Unknown(x));
            }
            (Out::Unknown(x), _) | (_, Out::Unknown(x)) => return Ok(Out::Unknown(x)),
            (Out::Val(a), Out::Val(b)) => (a, b),
        };
        let soft = a.soft || b.soft;
        let value = match op {
            BinaryOp::Cmp(c) => match self.compare(c, &a.value, &b.value, span)? {
                Some(b) => Value::Bool(b),
                None => return Ok(Out::Unknown(BTreeSet::from([Cause::Discretion]))),
            },
            BinaryOp::In => match (&a.value, &b.value) {
                (Value::Variant(v), Value::Set(s)) => Value::Bool(s.contains(v)),
                _ => Value::Bool(false),
            },
            BinaryOp::Range => self.range(&a.value, &b.value, span)?,
            _ => self.arith(op, &a.value, &b.value, span)?,
        };
        Ok(Out::Val(Soft { value, soft }))
    }

    /// `lo..hi`: a discretionary band; an empty one is an error.
    fn range(&self, a: &Value, b: &Value, span: Span) -> Result<Value, Diagnostic> {
        match (a.bounds(), b.bounds()) {
            (Some((u, lo, _)), Some((_, _, hi))) if lo <= hi => Ok(Value::Range(u, lo, hi)),
            (Some((_, lo, _)), Some((_, _, hi))) => Err(self
                .err(
                    Code::Invalid,
                    span,
                    format!("the range starts above where it ends ({lo} > {hi})"),
                    "empty range",
                )
                .help("write the lower end first: 2%..3%")),
            _ => Err(self.err(Code::Invalid, span, "a range needs numbers", "here")),
        }
    }

    fn if_(&mut self, c: &'p Expr, t: &'p Expr, f: &'p Expr, span: Span) -> Op<'p> {
        let mut trail = self.trail();
        let (co, ct) = self.eval(c)?;
        trail.push_as(ct, Role::Condition);
        match co {
            Out::Val(Soft {
                value: Value::Bool(b),
                ..
            }) => {
                self.hit(span, usize::from(!b));
                let (o, bt) = self.eval(if b { t } else { f })?;
                trail.push_as(bt, if b { Role::Then } else { Role::Else });
                Ok((o, trail))
            }
            Out::Unknown(causes) => {
                let (a, at) = self.eval(t)?;
                let (b, bt) = self.eval(f)?;
                trail.push(at);
                trail.push(bt);
                // Both branches agree: the condition does not matter.
                if a == b && matches!(a, Out::Val(_)) {
                    return Ok((a, trail));
                }
                Ok((Out::Unknown(causes), trail))
            }
            other => Ok((other, trail)),
        }
    }

    /// The arguments of a call, evaluated in order: their values, or the
    /// first nothing, or every cause that leaves one open.
    pub(super) fn arguments(
        &mut self,
        args: &'p [Expr],
        trail: &mut Trail<'p>,
    ) -> Result<Result<Vec<Soft>, Out>, Diagnostic> {
        // One pass, one vector: every argument is evaluated (an error in a
        // later one still stops the call), and the first nothing wins over
        // any causes, as if the outcomes were looked at after.
        let mut vals = Vec::with_capacity(args.len());
        let mut causes = BTreeSet::new();
        let mut nothing = None;
        for a in args {
            let (o, step) = self.eval(a)?;
            trail.push(step);
            match o {
                Out::Nothing(w) => {
                    nothing.get_or_insert(w);
                }
                Out::Unknown(c) if nothing.is_none() => causes.extend(c),
                Out::Val(v) if nothing.is_none() => vals.push(v),
                Out::Unknown(_) | Out::Val(_) => {}
            }
        }
        if let Some(w) = nothing {
            return Ok(Err(Out::Nothing(w)));
        }
        if causes.is_empty() {
            Ok(Ok(vals))
        } else {
            Ok(Err(Out::Unknown(causes)))
        }
    }

    fn call(&mut self, f: Builtin, args: &'p [Expr], span: Span) -> Op<'p> {
        let mut trail = self.trail();
        let vals = match self.arguments(args, &mut trail)? {
            Ok(vals) => vals,
            Err(open) => return Ok((open, trail)),
        };
        if f != Builtin::Sum {
            if let Some(q) = vals.iter().find(|v| super::quotient::unkept(&v.value)) {
                return Err(self.unrounded(&q.value, span));
            }
        }
        let cap = match f {
            Builtin::Min => true,
            Builtin::Max => false,
            Builtin::Sum => return self.sum(vals, trail, span),
            Builtin::YearsBetween => {
                let [from, to] = vals.as_slice() else {
                    return Err(self.err(
                        Code::Invalid,
                        span,
                        "`years_between` takes two dates",
                        "here",
                    ));
                };
                let value = self.years_between_values(&from.value, &to.value, span)?;
                return Ok((Out::val(value), trail));
            }
            _ => return self.clamp(vals, trail, span),
        };
        let Some(out) = self.extreme(&vals, cap, &mut trail, args, span) else {
            return Err(self.err(
                Code::Invalid,
                span,
                format!("`{}` needs numbers", f.name()),
                "here",
            ));
        };
        Ok((Out::Val(out), trail))
    }

    /// `sum(a, b, …)`: the arguments added in order, exactly as `a + b + …`.
    fn sum(&mut self, vals: Vec<Soft>, trail: Trail<'p>, span: Span) -> Op<'p> {
        let mut vals = vals.into_iter();
        let Some(mut acc) = vals.next() else {
            return Err(self.err(Code::Invalid, span, "`sum` needs an argument", "here"));
        };
        for v in vals {
            acc = Soft {
                value: self.arith(BinaryOp::Add, &acc.value, &v.value, span)?,
                soft: acc.soft || v.soft,
            };
        }
        Ok((Out::Val(acc), trail))
    }

    /// `min`/`max` bound by bound, noting which argument bound the result.
    fn extreme(
        &mut self,
        vals: &[Soft],
        cap: bool,
        trail: &mut Trail<'p>,
        args: &'p [Expr],
        span: Span,
    ) -> Option<Soft> {
        // An area in 亩 (a fraction of 平方米) is compared exactly.
        if vals
            .iter()
            .any(|v| matches!(v.value, Value::Quotient { .. }))
        {
            return self.exact_extreme(vals, cap, trail, args, span);
        }
        let better = |x: Decimal, y: Decimal| if cap { x < y } else { x > y };
        let (mut lo_at, mut hi_at) = (0, 0);
        let mut unit = Unit::Number;
        let (mut lo, mut hi) = (Decimal::ZERO, Decimal::ZERO);
        for (i, v) in vals.iter().enumerate() {
            let (u, l, h) = v.value.bounds()?;
            if i == 0 || better(l, lo) {
                lo = l;
                lo_at = i;
            }
            if i == 0 || better(h, hi) {
                hi = h;
                hi_at = i;
            }
            if i == 0 || u != Unit::Number {
                unit = u;
            }
        }
        let soft =
            vals.get(lo_at).is_some_and(|v| v.soft) || vals.get(hi_at).is_some_and(|v| v.soft);
        self.hit(span, lo_at);
        self.hit(span, hi_at);
        let value = if lo == hi {
            Value::Num(unit, lo)
        } else {
            Value::Range(unit, lo, hi)
        };
        if vals.len() > 1 {
            trail.note(|| {
                let how = if lo_at == 0 && hi_at == 0 {
                    let others = vals.iter().skip(1).map(|v| v.value.clone()).collect();
                    let tied = vals
                        .iter()
                        .skip(1)
                        .any(|v| v.value.bounds().is_some_and(|(_, l, h)| l == lo && h == hi));
                    Extreme::Within { others, tied }
                } else if lo_at == hi_at {
                    match (vals.get(lo_at), args.get(lo_at)) {
                        (Some(v), Some(by)) => Extreme::Bound {
                            bound: v.value.clone(),
                            by,
                        },
                        _ => Extreme::Part,
                    }
                } else {
                    Extreme::Part
                };
                Note::Extreme { cap, soft, how }
            });
        }
        Some(Soft { value, soft })
    }

    /// `min`/`max` where an argument is a fraction (an area in 亩): the
    /// argument that is least (or greatest) by exact comparison, noted as
    /// the one that bound the result. A range among them has no exact
    /// order here: `None`.
    fn exact_extreme(
        &mut self,
        vals: &[Soft],
        cap: bool,
        trail: &mut Trail<'p>,
        args: &'p [Expr],
        span: Span,
    ) -> Option<Soft> {
        let order = |a: &Value, b: &Value| match super::quotient::order(a, b) {
            Some(o) => o.ok(),
            None => Some(a.bounds()?.1.cmp(&b.bounds()?.1)),
        };
        let wanted = if cap {
            std::cmp::Ordering::Less
        } else {
            std::cmp::Ordering::Greater
        };
        let mut at = 0;
        for (i, v) in vals.iter().enumerate().skip(1) {
            if order(&v.value, &vals.get(at)?.value)? == wanted {
                at = i;
            }
        }
        let best = vals.get(at)?.clone();
        self.hit(span, at);
        if vals.len() > 1 {
            let how = match args.get(at) {
                Some(by) if at > 0 => Extreme::Bound {
                    bound: best.value.clone(),
                    by,
                },
                _ => {
                    let others: Vec<Value> = vals.iter().skip(1).map(|v| v.value.clone()).collect();
                    let tied = others
                        .iter()
                        .any(|o| order(o, &best.value) == Some(std::cmp::Ordering::Equal));
                    Extreme::Within { others, tied }
                }
            };
            trail.note(|| Note::Extreme {
                cap,
                soft: best.soft,
                how,
            });
        }
        Some(best)
    }

    fn clamp(&self, vals: Vec<Soft>, mut trail: Trail<'p>, span: Span) -> Op<'p> {
        let mut it = vals.into_iter();
        let (Some(x), Some(lo), Some(hi)) = (it.next(), it.next(), it.next()) else {
            return Err(self.err(
                Code::Invalid,
                span,
                "`clamp` takes a value, a low and a high bound",
                "here",
            ));
        };
        let (Some((_, l, _)), Some((_, _, h))) = (lo.value.bounds(), hi.value.bounds()) else {
            return Err(self.err(Code::Invalid, span, "`clamp` needs numbers", "here"));
        };
        if l > h {
            return Err(self.err(
                Code::Invalid,
                span,
                format!("`clamp` bounds are reversed: {} > {}", lo.value, hi.value),
                "here",
            ));
        }
        let Some((u, a, b)) = x.value.bounds() else {
            return Err(self.err(Code::Invalid, span, "`clamp` needs numbers", "here"));
        };
        let (ca, cb) = (a.max(l).min(h), b.max(l).min(h));
        let mut soft = x.soft;
        if b > h {
            trail.note(|| Note::Capped(hi.value.clone()));
            soft |= hi.soft;
        } else if a < l {
            trail.note(|| Note::Raised(lo.value.clone()));
            soft |= lo.soft;
        }
        let value = if ca == cb {
            Value::Num(u, ca)
        } else {
            Value::Range(u, ca, cb)
        };
        Ok((Out::Val(Soft { value, soft }), trail))
    }
}

/// Whether an outcome is a quotient kept as a fraction.
fn is_fraction(o: &Out) -> bool {
    matches!(o, Out::Val(s) if super::quotient::unkept(&s.value))
}

/// Kleene's `and` / `or` of two outcomes, by the rule of
/// [`decide::connect`]: not known keeps every cause of both sides; nothing
/// keeps the first reason.
fn connect(op: Connective, left: Out, right: Out) -> Out {
    match decide::connect(op, left.logic(), right.logic()) {
        Logic::Decided(b) => Out::val(Value::Bool(b)),
        Logic::Unknown => {
            let mut causes = BTreeSet::new();
            for side in [left, right] {
                if let Out::Unknown(c) = side {
                    causes.extend(c);
                }
            }
            Out::Unknown(causes)
        }
        Logic::Nothing => match (left, right) {
            (n @ Out::Nothing(_), _) | (_, n @ Out::Nothing(_)) => n,
            _ => Out::Nothing(Nothing::Invalid("not a condition")),
        },
    }
}
