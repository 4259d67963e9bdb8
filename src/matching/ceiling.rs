//! The static ceiling of an item: the most its amount can be for any
//! facts, read from its expression and the policy's params alone.
//!
//! Every expression is given an interval `[lo, hi]` of the values it can
//! take, either end possibly unbounded, by its structure: a literal is
//! itself, a fact is unbounded both ways, a param is its value's interval
//! (a `tbd` param unbounded, unless the evaluation's options give it a
//! value), an item is its own expression's interval, and the operators
//! combine intervals soundly (products and quotients by their corners,
//! `min` by the least upper end, `if` and tier tables by the hull of their
//! outputs, a schedule at its highest base). Every operation is exact
//! ([`crate::eval::arith`]): a bound that cannot be had exactly (overflow,
//! a quotient that does not terminate) is unbounded, never rounded. So a
//! ceiling, when there is one, is never below an amount the interpreter
//! grants; when the analysis cannot be sure, there is no ceiling.

use std::cmp::Ordering;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::ast::{BinaryOp, Builtin, Expr, ExprKind, ItemBody, ItemId, ParamId, Symbol, UnaryOp};
use crate::check::Policy;
use crate::eval::{Options, arith, lit_value, marginal};
use crate::value::Value;

/// How deep params may refer to params before the analysis gives up (an
/// unbounded answer, never a wrong one).
const PARAM_DEPTH: usize = 64;

/// The most an item's amount can be, for any facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ceiling {
    /// The amount, in yuan.
    pub amount: Decimal,
    /// Whether a soft cap (`soft`, 原则上) gives it: the amount holds only
    /// "in principle".
    pub soft: bool,
}

/// The ceilings of every item of a policy, computed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ceilings {
    /// By item index; `None` for an item with no ceiling.
    by_item: Vec<Option<Ceiling>>,
}

impl Ceilings {
    /// The ceilings of every item of `policy`, with the param values of
    /// `options` in place of the policy's (so that a `tbd` param given a
    /// value bounds what it caps, as it does in the evaluation).
    pub fn of(policy: &Policy, options: &Options) -> Ceilings {
        let mut overrides = vec![None; policy.params.len()];
        for (name, value) in &options.params {
            if let Some((id, _)) = policy.param_named(name) {
                if let Some(slot) = overrides.get_mut(id.0) {
                    *slot = Some(Bounds::of_value(value));
                }
            }
        }
        // A dated setting (issue 16): within the hull of its parts.
        for (name, setting) in &options.dated_params {
            if options.params.contains_key(name) {
                continue;
            }
            if let Some((id, _)) = policy.param_named(name) {
                if let Some(slot) = overrides.get_mut(id.0) {
                    let all: Vec<Bounds> = setting.values.iter().map(Bounds::of_value).collect();
                    *slot = Some(Bounds::hull(&all));
                }
            }
        }
        let mut a = Analysis {
            policy,
            overrides,
            params: vec![None; policy.params.len()],
            items: vec![None; policy.items.len()],
            depth: 0,
        };
        for &id in &policy.order {
            let Some(info) = policy.item(id) else {
                continue;
            };
            let bounds = match &info.ast.body {
                // A per-record item adds up as many records as the
                // enterprise has: nothing bounds how many (issue 16).
                _ if info.each.is_some() => Bounds::ANY,
                ItemBody::Value(e) => a.bounds(e),
                ItemBody::AtMost(_) | ItemBody::AtLeast(_) => Bounds::ANY,
            };
            if let Some(slot) = a.items.get_mut(id.0) {
                *slot = Some(bounds);
            }
        }
        let by_item = policy
            .item_ids()
            .map(|(id, info)| {
                if !info.kind().is_monetary() {
                    return None;
                }
                let b = a.items.get(id.0).copied().flatten()?;
                match b.hi {
                    End::At(d) => Some(Ceiling {
                        amount: d.normalize(),
                        soft: b.soft,
                    }),
                    End::NegInf | End::PosInf => None,
                }
            })
            .collect();
        Ceilings { by_item }
    }

    /// The ceiling of one item: `None` for an item that grants no money,
    /// and for one whose amount nothing in the policy bounds.
    pub fn get(&self, item: ItemId) -> Option<Ceiling> {
        self.by_item.get(item.0).copied().flatten()
    }
}

/// The ceiling of one item of `policy`, with the policy's own params (see
/// [`Ceilings::of`] for the ceilings of every item at once).
pub fn ceiling(policy: &Policy, item: ItemId) -> Option<Ceiling> {
    Ceilings::of(policy, &Options::default()).get(item)
}

/// One end of an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum End {
    NegInf,
    At(Decimal),
    PosInf,
}

impl End {
    fn neg(self) -> End {
        match self {
            End::NegInf => End::PosInf,
            End::At(d) => End::At(-d),
            End::PosInf => End::NegInf,
        }
    }

    fn sign(self) -> Ordering {
        match self {
            End::NegInf => Ordering::Less,
            End::At(d) => d.cmp(&Decimal::ZERO),
            End::PosInf => Ordering::Greater,
        }
    }

    fn is_zero(self) -> bool {
        self == End::At(Decimal::ZERO)
    }

    fn infinite(sign: Ordering) -> End {
        match sign {
            Ordering::Less => End::NegInf,
            Ordering::Equal => End::At(Decimal::ZERO),
            Ordering::Greater => End::PosInf,
        }
    }
}

/// The values an expression can take: `lo ≤ v ≤ hi`; `soft` when a soft
/// cap takes part in the bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bounds {
    lo: End,
    hi: End,
    soft: bool,
}

/// A lower and an upper estimate of one product or quotient of ends.
type Estimate = (End, End);

const UNSURE: Estimate = (End::NegInf, End::PosInf);

impl Bounds {
    /// Anything: a fact, a value not a number, what the analysis cannot
    /// bound.
    const ANY: Bounds = Bounds {
        lo: End::NegInf,
        hi: End::PosInf,
        soft: false,
    };

    fn of_value(v: &Value) -> Bounds {
        match v.bounds() {
            Some((_, lo, hi)) => Bounds {
                lo: End::At(lo),
                hi: End::At(hi),
                soft: false,
            },
            None => Bounds::ANY,
        }
    }

    /// The single value, when the interval is one point.
    fn point(self) -> Option<Decimal> {
        match (self.lo, self.hi) {
            (End::At(a), End::At(b)) if a == b => Some(a),
            _ => None,
        }
    }

    fn neg(self) -> Bounds {
        Bounds {
            lo: self.hi.neg(),
            hi: self.lo.neg(),
            soft: self.soft,
        }
    }

    fn add(self, other: Bounds) -> Bounds {
        Bounds {
            lo: add_end(self.lo, other.lo, End::NegInf),
            hi: add_end(self.hi, other.hi, End::PosInf),
            soft: self.soft || other.soft,
        }
    }

    fn mul(self, other: Bounds) -> Bounds {
        corners(self, other, mul_end)
    }

    fn div(self, other: Bounds) -> Bounds {
        // A divisor that may be zero (or change sign) bounds nothing.
        let zero = End::At(Decimal::ZERO);
        if other.lo <= zero && zero <= other.hi {
            return Bounds {
                soft: self.soft || other.soft,
                ..Bounds::ANY
            };
        }
        corners(self, other, div_end)
    }

    /// The least of several: below the least upper end. A hard cap that
    /// binds as low as a soft one makes the bound hard.
    fn min(all: &[Bounds]) -> Bounds {
        let Some(first) = all.first() else {
            return Bounds::ANY;
        };
        let mut out = *first;
        for b in all.iter().skip(1) {
            out.lo = out.lo.min(b.lo);
            match b.hi.cmp(&out.hi) {
                Ordering::Less => (out.hi, out.soft) = (b.hi, b.soft),
                Ordering::Equal => out.soft &= b.soft,
                Ordering::Greater => {}
            }
        }
        out
    }

    /// The greatest of several; soft when any of them is.
    fn max(all: &[Bounds]) -> Bounds {
        let Some(first) = all.first() else {
            return Bounds::ANY;
        };
        all.iter().skip(1).fold(*first, |a, b| Bounds {
            lo: a.lo.max(b.lo),
            hi: a.hi.max(b.hi),
            soft: a.soft || b.soft,
        })
    }

    /// One of several, not known which: their hull.
    fn hull(all: &[Bounds]) -> Bounds {
        let Some(first) = all.first() else {
            return Bounds::ANY;
        };
        all.iter().skip(1).fold(*first, |a, b| Bounds {
            lo: a.lo.min(b.lo),
            hi: a.hi.max(b.hi),
            soft: a.soft || b.soft,
        })
    }
}

/// `a + b` at one end: exact, or `unsure` (the infinity on that end's side).
fn add_end(a: End, b: End, unsure: End) -> End {
    match (a, b) {
        (End::At(x), End::At(y)) => arith::add(x, y).map_or(unsure, End::At),
        (End::At(_), inf) | (inf, End::At(_)) => inf,
        (x, y) if x == y => x,
        _ => unsure,
    }
}

/// `a × b`, as a lower and an upper estimate; zero times an unbounded end
/// is zero (every value is finite).
fn mul_end(a: End, b: End) -> Estimate {
    if a.is_zero() || b.is_zero() {
        return (End::At(Decimal::ZERO), End::At(Decimal::ZERO));
    }
    match (a, b) {
        (End::At(x), End::At(y)) => arith::mul(x, y).map_or(UNSURE, |p| (End::At(p), End::At(p))),
        // Neither is zero, and one is unbounded.
        _ => {
            let e = End::infinite(product_sign(a.sign(), b.sign()));
            (e, e)
        }
    }
}

fn product_sign(a: Ordering, b: Ordering) -> Ordering {
    match (a, b) {
        (Ordering::Equal, _) | (_, Ordering::Equal) => Ordering::Equal,
        (x, y) if x == y => Ordering::Greater,
        _ => Ordering::Less,
    }
}

/// `a ÷ b` for a divisor end that is not zero, as a lower and an upper
/// estimate: a finite value over an unbounded divisor tends to zero; a
/// quotient that does not terminate is not estimated.
fn div_end(a: End, b: End) -> Estimate {
    match (a, b) {
        (End::At(x), End::At(y)) => arith::div(x, y).map_or(UNSURE, |q| (End::At(q), End::At(q))),
        (End::At(_), _) => (End::At(Decimal::ZERO), End::At(Decimal::ZERO)),
        (_, End::At(y)) => {
            let e = End::infinite(product_sign(a.sign(), y.cmp(&Decimal::ZERO)));
            (e, e)
        }
        _ => UNSURE,
    }
}

/// A product or quotient of two intervals, by the estimates at their four
/// corners.
fn corners(a: Bounds, b: Bounds, f: fn(End, End) -> Estimate) -> Bounds {
    let ests = [f(a.lo, b.lo), f(a.lo, b.hi), f(a.hi, b.lo), f(a.hi, b.hi)];
    Bounds {
        lo: ests.iter().map(|e| e.0).min().unwrap_or(End::NegInf),
        hi: ests.iter().map(|e| e.1).max().unwrap_or(End::PosInf),
        soft: a.soft || b.soft,
    }
}

/// The walk over expressions, with what it knows of params and items.
struct Analysis<'p> {
    policy: &'p Policy,
    /// Param values given by the options, by param index.
    overrides: Vec<Option<Bounds>>,
    /// Params analysed so far, by param index.
    params: Vec<Option<Bounds>>,
    /// Items analysed so far (in the checked order), by item index.
    items: Vec<Option<Bounds>>,
    /// How deep params refer to params just now.
    depth: usize,
}

impl Analysis<'_> {
    fn bounds(&mut self, e: &Expr) -> Bounds {
        match &e.node {
            ExprKind::Lit(l) => Bounds::of_value(&lit_value(&l.value)),
            ExprKind::Name(n) => match n.symbol {
                Some(Symbol::Param(p)) => self.param(p),
                // An item used before it is analysed (only in a cycle,
                // which the checker rules out) bounds nothing.
                Some(Symbol::Item(i)) => self
                    .items
                    .get(i.0)
                    .copied()
                    .flatten()
                    .unwrap_or(Bounds::ANY),
                _ => Bounds::ANY,
            },
            ExprKind::Unary(UnaryOp::Neg, x) => self.bounds(x).neg(),
            ExprKind::Unary(UnaryOp::Soft, x) => Bounds {
                soft: true,
                ..self.bounds(x)
            },
            ExprKind::Unary(UnaryOp::Not, _) => Bounds::ANY,
            ExprKind::Binary(BinaryOp::Range, lo, hi) => {
                let (lo, hi) = (self.bounds(lo), self.bounds(hi));
                Bounds {
                    lo: lo.lo,
                    hi: hi.hi,
                    soft: lo.soft || hi.soft,
                }
            }
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.bounds(a), self.bounds(b));
                arithmetic(*op, a, b)
            }
            ExprKind::Chain(op, args) => {
                let mut terms = args.iter();
                let Some(first) = terms.next() else {
                    return Bounds::ANY;
                };
                let mut acc = self.bounds(first);
                for t in terms {
                    let b = self.bounds(t);
                    acc = arithmetic(*op, acc, b);
                }
                acc
            }
            ExprKind::If(_, then, otherwise) => {
                let all = [self.bounds(then), self.bounds(otherwise)];
                Bounds::hull(&all)
            }
            ExprKind::Call(f, args) => self.call(*f, args),
            ExprKind::Tiers(t) => {
                let all: Vec<Bounds> = t
                    .rows
                    .iter()
                    .map(|(_, out)| out)
                    .chain(&t.otherwise)
                    .map(|out| self.bounds(out))
                    .collect();
                Bounds::hull(&all)
            }
            ExprKind::Schedule(s) => self.schedule(s),
            // One of its parts, or nothing: within the hull of them all.
            ExprKind::Dated(d) => {
                let all: Vec<Bounds> = d.parts.iter().map(|p| self.bounds(&p.value)).collect();
                Bounds::hull(&all)
            }
            // A date bounds no amount.
            ExprKind::Today => Bounds::ANY,
        }
    }

    fn param(&mut self, p: ParamId) -> Bounds {
        if let Some(b) = self.overrides.get(p.0).copied().flatten() {
            return b;
        }
        if let Some(b) = self.params.get(p.0).copied().flatten() {
            return b;
        }
        let Some(value) = self.policy.param(p).and_then(|info| info.value.as_ref()) else {
            // `tbd`: any value.
            return Bounds::ANY;
        };
        if self.depth >= PARAM_DEPTH {
            return Bounds::ANY;
        }
        self.depth += 1;
        let b = self.bounds(value);
        self.depth -= 1;
        if let Some(slot) = self.params.get_mut(p.0) {
            *slot = Some(b);
        }
        b
    }

    fn call(&mut self, f: Builtin, args: &[Expr]) -> Bounds {
        let all: Vec<Bounds> = args.iter().map(|a| self.bounds(a)).collect();
        match (f, all.as_slice()) {
            (Builtin::Min, _) => Bounds::min(&all),
            (Builtin::Max, _) => Bounds::max(&all),
            (Builtin::Sum, [first, rest @ ..]) => rest.iter().fold(*first, |a, b| a.add(*b)),
            (Builtin::Clamp, [x, lo, hi]) => Bounds {
                lo: x.lo.max(lo.lo).min(hi.lo),
                hi: x.hi.max(lo.hi).min(hi.hi),
                soft: x.soft || lo.soft || hi.soft,
            },
            (Builtin::Round, [x]) => rounded(*x, Decimal::ONE),
            (Builtin::Round, [x, step]) => match step.point() {
                Some(s) if s > Decimal::ZERO => Bounds {
                    soft: x.soft || step.soft,
                    ..rounded(*x, s)
                },
                _ => Bounds::ANY,
            },
            _ => Bounds::ANY,
        }
    }

    /// A marginal schedule: with every bound and rate a known number and
    /// no rate negative, it grows with its base, so it is at most its value
    /// at the base's highest end; over an unbounded base, bounded only when
    /// nothing is paid beyond the last bound.
    fn schedule(&mut self, s: &crate::ast::Schedule) -> Bounds {
        let base = self.bounds(&s.base);
        let mut rows: Vec<(Option<Decimal>, Decimal)> = Vec::new();
        for (bound, rate) in &s.brackets {
            let (Some(b), Some(r)) = (self.bounds(bound).point(), self.bounds(rate).point()) else {
                return Bounds::ANY;
            };
            rows.push((Some(b), r));
        }
        if let Some(above) = &s.above {
            let Some(r) = self.bounds(above).point() else {
                return Bounds::ANY;
            };
            rows.push((None, r));
        }
        if rows.iter().any(|(_, r)| *r < Decimal::ZERO) {
            return Bounds::ANY;
        }
        let at = |x: Decimal, unsure: End| marginal(&rows, x, None).map_or(unsure, End::At);
        let hi = match base.hi {
            End::At(x) => at(x, End::PosInf),
            End::NegInf => End::At(Decimal::ZERO),
            End::PosInf => {
                let pays_beyond = rows.iter().any(|(b, r)| b.is_none() && *r > Decimal::ZERO);
                match rows.iter().filter_map(|(b, _)| *b).max() {
                    _ if pays_beyond => End::PosInf,
                    Some(top) => at(top, End::PosInf),
                    None => End::At(Decimal::ZERO),
                }
            }
        };
        // Nothing negative is paid on any part (the rates are not negative).
        let lo = match base.lo {
            End::At(x) => at(x, End::At(Decimal::ZERO))
                .max(End::At(Decimal::ZERO))
                .min(hi),
            End::NegInf | End::PosInf => End::At(Decimal::ZERO),
        };
        Bounds {
            lo,
            hi,
            soft: base.soft,
        }
    }
}

/// An arithmetic operator on two intervals; anything else (a comparison,
/// a connective) is no number.
fn arithmetic(op: BinaryOp, a: Bounds, b: Bounds) -> Bounds {
    match op {
        BinaryOp::Add => a.add(b),
        BinaryOp::Sub => a.add(b.neg()),
        BinaryOp::Mul => a.mul(b),
        BinaryOp::Div => a.div(b),
        BinaryOp::Cmp(_) | BinaryOp::And | BinaryOp::Or | BinaryOp::In | BinaryOp::Range => {
            Bounds::ANY
        }
    }
}

/// `round(x, step)`: a multiple of `step` no further from `x` than the
/// next multiple, so between the multiples just outside `x`'s ends.
fn rounded(x: Bounds, step: Decimal) -> Bounds {
    let multiple = |d: Decimal, up: bool, unsure: End| {
        let Ok(q) = arith::div(d, step) else {
            return unsure;
        };
        let whole = if up { q.ceil() } else { q.floor() };
        arith::mul(whole, step).map_or(unsure, End::At)
    };
    Bounds {
        lo: match x.lo {
            End::At(d) => multiple(d, false, End::NegInf),
            e => e,
        },
        hi: match x.hi {
            End::At(d) => multiple(d, true, End::PosInf),
            e => e,
        },
        soft: x.soft,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::SourceFile;
    use crate::eval::Status;
    use proptest::prelude::*;

    fn policy(body: &str) -> Policy {
        let text = format!(
            "fact a: money \"a\"\nfact b: money \"b\"\nfact r: rate\nfact n: count\nfact flag: bool\n\
             param cap: money = 300万\nparam open: money = tbd \"待定上限\"\nparam share: rate = 30%\n\
             measure 1 \"m\" {{\n{body}\n}}\n"
        );
        crate::load(&SourceFile::new("t.decree", text))
            .unwrap_or_else(|d| panic!("{}", d.render(crate::RenderStyle::Plain)))
    }

    /// The ceiling of item `x` of a policy whose measure holds `body`, as
    /// drafters read it ("in principle" marked `soft`).
    fn up_to(body: &str) -> Option<String> {
        let p = policy(body);
        let c = ceiling(&p, p.item_index("x").unwrap())?;
        let text = crate::value::format_money(c.amount);
        Some(if c.soft { format!("{text} soft") } else { text })
    }

    #[test]
    fn a_cap_bounds_the_least_of_its_arguments() {
        assert_eq!(
            up_to("subsidy x = min(20% * a, 5000万)").as_deref(),
            Some("5,000万元")
        );
        assert_eq!(
            up_to("subsidy x = min(a, b, 300万, 50万)").as_deref(),
            Some("50万元")
        );
        assert_eq!(up_to("subsidy x = 20% * a"), None);
        assert_eq!(up_to("subsidy x = min(a, cap)").as_deref(), Some("300万元"));
    }

    #[test]
    fn a_range_is_its_upper_end() {
        assert_eq!(up_to("subsidy x = 0元..50万").as_deref(), Some("50万元"));
        assert_eq!(
            up_to("matching x = 0元..(1:1 * min(a, 200万))").as_deref(),
            Some("200万元")
        );
        assert_eq!(up_to("matching x = 0元..(1:1 * a)"), None);
    }

    #[test]
    fn tiers_and_first_reaching_are_their_largest_row() {
        assert_eq!(
            up_to("award x = tiers a { 1000亿 => 2000万\n 500亿 => 3000万\n 100亿 => 300万 }")
                .as_deref(),
            Some("3,000万元")
        );
        assert_eq!(
            up_to("award x = first reaching a over b { 1000亿 => 2000万\n 100亿 => 300万 }")
                .as_deref(),
            Some("2,000万元")
        );
        assert_eq!(
            up_to("award x = tiers a { 1亿 => 300万\n else => 20% * a }"),
            None
        );
    }

    #[test]
    fn an_if_is_its_larger_branch() {
        assert_eq!(
            up_to("subsidy x = if flag then min(a, 200万) else 500万").as_deref(),
            Some("500万元")
        );
        assert_eq!(up_to("subsidy x = if flag then a else 500万"), None);
    }

    #[test]
    fn max_and_sums_need_every_argument_bounded() {
        assert_eq!(
            up_to("award x = max(min(a, 10万), min(b, 20万))").as_deref(),
            Some("20万元")
        );
        assert_eq!(up_to("award x = max(10% * a, 200万)"), None);
        assert_eq!(
            up_to("subsidy x = min(a, cap) + min(share * b, 100万)").as_deref(),
            Some("400万元")
        );
        assert_eq!(
            up_to("subsidy x = sum(min(a, 1万), 2万, min(b, 3万))").as_deref(),
            Some("6万元")
        );
        assert_eq!(up_to("subsidy x = min(a, 1万) + b"), None);
        // A rate fact is unbounded too: a rate times a capped amount is not.
        assert_eq!(up_to("subsidy x = r * min(a, 1万)"), None);
        assert_eq!(
            up_to("subsidy x = min(n * 1万, 100万)").as_deref(),
            Some("100万元")
        );
    }

    #[test]
    fn a_tbd_param_bounds_nothing_unless_given() {
        assert_eq!(up_to("subsidy x = min(a, open)"), None);
        assert_eq!(up_to("subsidy x = open"), None);
        assert_eq!(
            up_to("subsidy x = min(a, open, 80万)").as_deref(),
            Some("80万元")
        );
        let p = policy("subsidy x = min(a, open)");
        let mut o = Options::default();
        o.params.insert(
            "open".into(),
            Value::Num(crate::units::Unit::Money, Decimal::from(70_000)),
        );
        let c = Ceilings::of(&p, &o)
            .get(p.item_index("x").unwrap())
            .unwrap();
        assert_eq!(c.amount, Decimal::from(70_000));
    }

    #[test]
    fn an_item_is_as_high_as_the_items_it_uses() {
        assert_eq!(
            up_to("subsidy y = min(20% * a, 5000万)\n subsidy x = 50% * y").as_deref(),
            Some("2,500万元")
        );
        assert_eq!(up_to("subsidy y = 20% * a\n subsidy x = 50% * y"), None);
    }

    #[test]
    fn subtraction_and_negative_factors_give_no_ceiling_they_cannot_be_sure_of() {
        // b may be anything, so a - b is not bounded above.
        assert_eq!(up_to("subsidy x = min(a, 500万) - min(b, 100万)"), None);
        assert_eq!(up_to("subsidy x = -20% * min(a, 100万)"), None);
        assert_eq!(up_to("subsidy x = min(a, 100万) * -1"), None);
        // A negative factor on an amount bounded below is bounded above.
        assert_eq!(
            up_to("subsidy x = -20% * (0元..100万)").as_deref(),
            Some("0元")
        );
        assert_eq!(
            up_to("subsidy x = 500万 - 100万").as_deref(),
            Some("400万元")
        );
        assert_eq!(
            up_to("subsidy x = min(a, 500万) - 100万").as_deref(),
            Some("400万元")
        );
    }

    #[test]
    fn schedules_clamps_rounds_and_soft_caps() {
        assert_eq!(
            up_to("award x = schedule a { 1000万 => 10%\n 5000万 => 5% }").as_deref(),
            Some("300万元")
        );
        assert_eq!(
            up_to("award x = schedule a { 1000万 => 10%\n above => 2% }"),
            None
        );
        assert_eq!(
            up_to("award x = schedule a { 1000万 => 10%\n above => 0% }").as_deref(),
            Some("100万元")
        );
        assert_eq!(
            up_to("award x = schedule min(a, 2000万) { 1000万 => 10%\n above => 2% }").as_deref(),
            Some("120万元")
        );
        assert_eq!(
            up_to("subsidy x = clamp(r * a, 1万, 80万)").as_deref(),
            Some("80万元")
        );
        assert_eq!(
            up_to("subsidy x = round(min(15% * a, 123.4万), 1万)").as_deref(),
            Some("124万元")
        );
        assert_eq!(
            up_to("subsidy x = min(50% * a, soft 3000万)").as_deref(),
            Some("3,000万元 soft")
        );
        // A hard cap as low as the soft one makes it hard.
        assert_eq!(
            up_to("subsidy x = min(50% * a, soft 3000万, 3000万)").as_deref(),
            Some("3,000万元")
        );
    }

    #[test]
    fn items_that_grant_no_money_have_no_ceiling() {
        assert_eq!(up_to("eligibility x = a >= 100万"), None);
        assert_eq!(up_to("benefit x = at most 1%"), None);
    }

    #[test]
    fn a_per_record_item_has_no_ceiling_however_each_record_is_capped() {
        let text = "record project { investment: money }\n\
                    fact projects: list of project\n\
                    measure 1 \"m\" {\n  subsidy x = min(20% * p.investment, 5000万) for each p in projects\n}\n";
        let p = crate::load(&SourceFile::new("t.decree", text)).unwrap();
        assert_eq!(ceiling(&p, p.item_index("x").unwrap()), None);
    }

    /// Items of many shapes, each with a ceiling (the law below is only
    /// tested where there is one).
    const SHAPES: &str = "subsidy capped = min(20% * a, 5000万)
  subsidy band = 0元..min(a, 50万)
  award tiered = tiers a { 1亿 => 300万\n 5000万 => 100万 }
  award reached = first reaching a over b { 1亿 => 2000万\n 5000万 => 1000万 }
  award branch = if flag then min(a, 200万) else 10万
  subsidy summed = min(a, cap) + min(share * b, 100万)
  award graduated = schedule a { 1000万 => 10%\n 5000万 => 5% }
  award graduated_capped = schedule min(a, 8000万) { 1000万 => 10%\n above => 2% }
  subsidy clamped = clamp(r * a, 1万, 80万)
  subsidy rounded = round(min(15% * a, 123.4万), 1万)
  subsidy follows = 50% * capped
  subsidy maxed = max(min(a, 10万), min(b, 20万))
  subsidy per_head = min(n * 1万, 100万)
  subsidy soft_capped = min(50% * a, soft 3000万)
  subsidy less = min(a, 500万) - 100万
  subsidy shared = min(a / 4, 30万)
  matching matched = 0元..(1:1 * min(b, 60万)) when flag";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The law that makes `up_to` honest: no amount granted, and no
        /// range's upper end, is above the item's ceiling.
        #[test]
        fn no_granted_amount_exceeds_its_ceiling(
            a in 0i64..20_000_000_000,
            b in 0i64..20_000_000_000,
            cents in 0i64..100,
            r in 0i64..=100,
            n in 0i64..500,
            flag in any::<bool>(),
        ) {
            let p = policy(SHAPES);
            let ceilings = Ceilings::of(&p, &Options::default());
            let pairs = [
                ("a", format!("{a}.{cents:02}元")),
                ("b", format!("{b}元")),
                ("r", format!("{r}%")),
                ("n", n.to_string()),
                ("flag", flag.to_string()),
            ];
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let facts = crate::facts_from_pairs(&p, &pairs).unwrap();
            let e = crate::evaluate(&p, &facts, &Options::default());
            for (id, info) in p.item_ids() {
                let c = ceilings.get(id);
                prop_assert!(c.is_some(), "{} has a ceiling", info.name());
                let c = c.unwrap();
                let r = e.item(info.name()).unwrap();
                if r.status == Status::Granted {
                    let most = r.amount.or(r.range.map(|g| g.max)).unwrap();
                    prop_assert!(most <= c.amount, "{}: {} > ceiling {}", info.name(), most, c.amount);
                }
            }
        }
    }
}
