//! Lowering a checked policy to the plan's flat list of column
//! operations: names to fact slots and registers, params folded to
//! constants, every value given its fixed-point scale.
//!
//! Lowering is per item and per expression: a part of a rule the plan
//! cannot compute (a date, a duration, a schedule, a text …) becomes the
//! *unplanned* register, whose every cell says "the
//! interpreter must decide this". Operations propagate it exactly where
//! the interpreter would evaluate that part (an operand of arithmetic, a
//! comparison, `min`), and pass over it only where the interpreter never
//! looks at it (the right side of `and` after a false left side, the
//! branch of `if` not taken, a `when` that is false), so an item is
//! decided by the plan on every row where its decision does not reach
//! what cannot be computed, and deferred to the interpreter on the others.
//! Items the plan never decides — per-record items, members of stacking
//! groups and caps — are deferred on every row. A `tbd` param left open
//! is a register "not known" for its cause, and a fact's slot says what a
//! row without it holds (`causes`).

use rust_decimal::Decimal;

use super::columns::{fact_scale, pow10};
use super::kinds::{Encoding, KindBody};
use super::{Arg, Arith, Body, FactSlot, MAX_SCALE, Op};
use crate::ast::*;
use crate::check::{FactId, ItemId, ParamId, Policy, Symbol};
use crate::eval::Options;
use crate::eval::arith::Rounding;
use crate::units::Unit;
use crate::value::Value;

/// What lowering a policy gives.
pub(super) struct Lowered {
    /// The facts read, by slot.
    pub facts: Vec<FactSlot>,
    /// The constant pool.
    pub consts: Vec<i64>,
    /// The operations; operation `k` writes register `k`.
    pub ops: Vec<Op>,
    /// Per item (policy order): kind, scale of its amount, register.
    pub items: Vec<(ItemKind, u32, usize)>,
    /// Per item: the register of its range's high end, for an item whose
    /// rule is a range `lo..hi`.
    pub highs: Vec<Option<usize>>,
    /// Per item: whether the plan decides it on some rows (otherwise it is
    /// deferred on every row).
    pub planned: Vec<bool>,
    /// Per fact slot: how a value that is not a number is stored.
    pub encodings: Vec<Encoding>,
    /// Per fact slot: the cell of a row without the fact.
    pub missing: Vec<(i64, u8)>,
    /// Per item: what its bits of causes stand for.
    pub decode: Vec<super::causes::Decode>,
}

/// Lowers `policy` for evaluations with `options`, item by item; `None`
/// when the plan would decide no item on any row.
pub(super) fn lower(policy: &Policy, options: &Options) -> Option<Lowered> {
    let mut c = Compiler {
        policy,
        options,
        facts: Vec::new(),
        encodings: Vec::new(),
        consts: Vec::new(),
        ops: Vec::new(),
        items: vec![None; policy.items.len()],
        highs: vec![None; policy.items.len()],
        planned: vec![false; policy.items.len()],
        unplanned: None,
        bits: super::causes::assign(policy, options),
        missing: Vec::new(),
    };
    for &i in &policy.order {
        c.item(i)?;
    }
    if !c.planned.contains(&true) {
        return None;
    }
    let mut items = Vec::with_capacity(policy.items.len());
    for (info, compiled) in policy.items.iter().zip(&c.items) {
        let (scale, reg) = (*compiled)?;
        items.push((info.ast.kind.node, scale, reg));
    }
    Some(Lowered {
        facts: c.facts,
        consts: c.consts,
        ops: c.ops,
        items,
        highs: c.highs,
        planned: c.planned,
        encodings: c.encodings,
        missing: c.missing,
        decode: c.bits.decode,
    })
}

struct Compiler<'p> {
    policy: &'p Policy,
    options: &'p Options,
    facts: Vec<FactSlot>,
    encodings: Vec<Encoding>,
    consts: Vec<i64>,
    ops: Vec<Op>,
    /// Per item: scale and register, once compiled.
    items: Vec<Option<(u32, usize)>>,
    highs: Vec<Option<usize>>,
    planned: Vec<bool>,
    /// The unplanned register, once pushed: every cell "fallback".
    unplanned: Option<usize>,
    /// The bits of the causes an undetermined item names (`causes`).
    bits: super::causes::Bits,
    /// Per fact slot: the cell of a row without the fact.
    missing: Vec<(i64, u8)>,
}

type Compiled = Option<(Arg, u32)>;

impl Compiler<'_> {
    fn push(&mut self, op: Op) -> Arg {
        self.ops.push(op);
        Arg::Reg(self.ops.len() - 1)
    }

    /// The unplanned register (pushed once, before its first reader).
    fn unplanned(&mut self) -> (Arg, u32) {
        let reg = match self.unplanned {
            Some(r) => r,
            None => {
                let Arg::Reg(r) = self.push(Op::Unplanned) else {
                    return (Arg::Nothing, 0);
                };
                self.unplanned = Some(r);
                r
            }
        };
        (Arg::Reg(reg), 0)
    }

    /// Whether `a` is the unplanned register.
    fn is_unplanned(&self, a: Arg) -> bool {
        matches!((a, self.unplanned), (Arg::Reg(r), Some(u)) if r == u)
    }

    /// An expression's register and scale; the unplanned register for what
    /// the plan cannot compute.
    fn expr(&mut self, e: &Expr) -> (Arg, u32) {
        match self.node(e) {
            Some(c) => c,
            None => self.unplanned(),
        }
    }

    fn constant(&mut self, v: i64) -> Arg {
        match self.consts.iter().position(|c| *c == v) {
            Some(i) => Arg::Const(i),
            None => {
                self.consts.push(v);
                Arg::Const(self.consts.len() - 1)
            }
        }
    }

    fn decimal(&mut self, d: Decimal) -> Compiled {
        let d = d.normalize();
        let scale = d.scale();
        if scale > MAX_SCALE {
            return None;
        }
        Some((self.constant(i64::try_from(d.mantissa()).ok()?), scale))
    }

    fn fact(&mut self, id: FactId) -> Compiled {
        let info = self.policy.fact(id)?;
        let (name, unit) = (info.name.as_str(), info.unit);
        // Numbers at their unit's scale; a value of an enumeration by its
        // index, a set of them as a bitset (`kinds::Encoding`).
        let encoding = Encoding::of(self.policy, unit)?;
        let scale = match encoding {
            Encoding::Number => fact_scale(unit)?,
            Encoding::Duration => super::kinds::DURATION_SCALE,
            _ => 0,
        };
        let slot = match self.facts.iter().position(|f| f.id == id) {
            Some(i) => i,
            None => {
                self.facts.push(FactSlot {
                    id,
                    name: name.to_string(),
                    unit,
                    scale,
                });
                self.encodings.push(encoding);
                // A row without the fact: not known, for this cause.
                self.missing
                    .push(match self.bits.of(super::causes::Key::Fact(id)) {
                        Some(bit) => (bit, super::UNKNOWN),
                        None => (0, super::FALLBACK),
                    });
                self.facts.len() - 1
            }
        };
        Some((Arg::Fact(slot), scale))
    }

    /// `arg` (at scale `from`) at the larger scale `to`.
    fn align(&mut self, (arg, from): (Arg, u32), to: u32) -> Option<Arg> {
        if from == to || self.is_unplanned(arg) {
            return Some(arg);
        }
        let factor = pow10(to.checked_sub(from)?)?;
        Some(match arg {
            Arg::Const(i) => {
                let v = self.consts.get(i)?.checked_mul(factor)?;
                self.constant(v)
            }
            _ => self.push(Op::Rescale(arg, factor)),
        })
    }

    /// Operands brought to their common (largest) scale.
    fn common(&mut self, args: &[(Arg, u32)]) -> Option<(Vec<Arg>, u32)> {
        let scale = args.iter().map(|a| a.1).max()?;
        let aligned = args
            .iter()
            .map(|a| self.align(*a, scale))
            .collect::<Option<_>>()?;
        Some((aligned, scale))
    }

    /// Whether any of `args` is unplanned: an operation that evaluates all
    /// of them (arithmetic, comparison, `min`, `clamp`) is then unplanned
    /// too, as any of them might fail in the interpreter.
    fn any_unplanned(&self, args: &[(Arg, u32)]) -> bool {
        args.iter().any(|a| self.is_unplanned(a.0))
    }

    /// `l op r` over two compiled operands (value, scale).
    fn pair(&mut self, op: BinaryOp, l: (Arg, u32), r: (Arg, u32)) -> Compiled {
        // `and` / `or` look at their right side only when the left one
        // does not decide (the kernels' `connect`), as the interpreter does.
        let logical = matches!(op, BinaryOp::And | BinaryOp::Or);
        if self.is_unplanned(l.0) || (!logical && self.is_unplanned(r.0)) {
            return None;
        }
        match op {
            BinaryOp::Range | BinaryOp::In => None,
            BinaryOp::Add => self.arith(Arith::Add, l, r),
            BinaryOp::Sub => self.arith(Arith::Sub, l, r),
            BinaryOp::Mul => self.arith(Arith::Mul, l, r),
            BinaryOp::Cmp(c) => self.arith(Arith::Cmp(c), l, r),
            BinaryOp::Div => {
                let ((a, sa), (b, sb)) = (l, r);
                // The quotient is kept at six decimals or the dividend's
                // scale; one that needs more falls back.
                let scale = sa.max(6);
                let factor = 10i128.checked_pow(scale.checked_sub(sa)? + sb)?;
                Some((self.push(Op::Div(a, b, factor)), scale))
            }
            BinaryOp::And => Some((self.push(Op::And(l.0, r.0)), 0)),
            BinaryOp::Or => Some((self.push(Op::Or(l.0, r.0)), 0)),
        }
    }

    /// `round(x, step)` (and `round_down`, `round_up`) with a constant
    /// positive step: `x` and the step at their common
    /// scale, `x` divided by the step to a whole number as `how` says and
    /// multiplied back (`kernels::round`). A step that is not a constant,
    /// or not positive (an error the interpreter reports), is left to it.
    /// A quotient `a / b` rounds as the interpreter's exact division does:
    /// the plan's quotient is exact or falls back.
    fn round(&mut self, how: Rounding, args: &[Expr]) -> Compiled {
        let [x, step] = args else {
            return None;
        };
        let (step, t) = match self.expr(step) {
            (Arg::Const(i), t) => (*self.consts.get(i)?, t),
            _ => return None,
        };
        if step <= 0 {
            return None;
        }
        let (x, sx) = self.expr(x);
        if self.is_unplanned(x) {
            return None;
        }
        let scale = sx.max(t);
        if scale > MAX_SCALE {
            return None;
        }
        let factor = pow10(scale - sx)?;
        let step = step.checked_mul(pow10(scale - t)?)?;
        let op = Op::Round(x, super::Rounder { factor, step, how });
        Some((self.push(op), scale))
    }

    fn arith(&mut self, op: Arith, l: (Arg, u32), r: (Arg, u32)) -> Compiled {
        match op {
            Arith::Mul => {
                let scale = l.1 + r.1;
                (scale <= MAX_SCALE).then(|| (self.push(Op::Arith(op, l.0, r.0)), scale))
            }
            _ => {
                let (args, scale) = self.common(&[l, r])?;
                let [a, b] = args.as_slice() else {
                    return None;
                };
                let out = if matches!(op, Arith::Cmp(_)) {
                    0
                } else {
                    scale
                };
                Some((self.push(Op::Arith(op, *a, *b)), out))
            }
        }
    }

    /// One expression, or `None` where the plan cannot compute it (the
    /// caller, [`Compiler::expr`], makes that the unplanned register).
    fn node(&mut self, e: &Expr) -> Compiled {
        match &e.node {
            ExprKind::Lit(l) => match &l.value {
                // Weights and money per unit (issue 16, units) go to the
                // interpreter; so does an area in 亩 that is a fraction
                // (`LitValue::Fraction`, below).
                LitValue::Quantity(u, _) if !compiled_unit(*u) => None,
                LitValue::Quantity(_, d) => self.decimal(*d),
                LitValue::Bool(b) => Some((self.constant(i64::from(*b)), 0)),
                _ => None,
            },
            ExprKind::Name(n) => {
                if !self.as_declared(n) {
                    return None;
                }
                self.name(n.symbol?)
            }
            ExprKind::Unary(UnaryOp::Neg, x) => {
                let (x, s) = self.expr(x);
                if self.is_unplanned(x) {
                    return None;
                }
                Some((self.push(Op::Neg(x)), s))
            }
            ExprKind::Unary(UnaryOp::Not, x) => {
                let (x, _) = self.expr(x);
                if self.is_unplanned(x) {
                    return None;
                }
                Some((self.push(Op::Not(x)), 0))
            }
            // A soft cap changes no value, only the item's `soft_cap` flag,
            // which no population row carries (`population::ItemView`).
            ExprKind::Unary(UnaryOp::Soft, x) => Some(self.expr(x)),
            // `v in set` and comparisons of enumeration values, by their
            // index and bitset (`kinds`).
            ExprKind::Binary(BinaryOp::In, l, r) => self.member(l, r),
            ExprKind::Binary(BinaryOp::Cmp(c), l, r)
                if self.enumerated(l) || self.enumerated(r) =>
            {
                self.same_variant(*c, l, r)
            }
            // Two dates compared, by their cells (`kinds::date_cell`).
            ExprKind::Binary(BinaryOp::Cmp(c), l, r) if self.is_date(l) || self.is_date(r) => {
                let (l, r) = (self.date(l)?, self.date(r)?);
                self.arith(Arith::Cmp(*c), l, r)
            }
            // Two durations compared, by their months.
            ExprKind::Binary(BinaryOp::Cmp(c), l, r)
                if self.is_duration(l) || self.is_duration(r) =>
            {
                let (l, r) = (self.duration(l)?, self.duration(r)?);
                self.arith(Arith::Cmp(*c), l, r)
            }
            ExprKind::Binary(op, l, r) => {
                let l = self.expr(l);
                // The right side of a connective the left side decides is
                // never evaluated; any other operator needs both.
                let r = self.expr(r);
                self.pair(*op, l, r)
            }
            // One operation per operator written, left to right, as the
            // interpreter folds the chain.
            ExprKind::Chain(op, terms) => {
                let (first, rest) = terms.split_first()?;
                let mut acc = self.expr(first);
                for t in rest {
                    let next = self.expr(t);
                    acc = self.pair(*op, acc, next)?;
                }
                Some(acc)
            }
            ExprKind::If(c, t, f) => {
                let (c, _) = self.expr(c);
                let (t, f) = (self.expr(t), self.expr(f));
                if self.is_unplanned(c) || (self.is_unplanned(t.0) && self.is_unplanned(f.0)) {
                    return None;
                }
                let (args, scale) = self.common(&[t, f])?;
                let [t, f] = args.as_slice() else {
                    return None;
                };
                Some((self.push(Op::If(c, *t, *f)), scale))
            }
            ExprKind::Call(b @ (Builtin::Min | Builtin::Max), args) => {
                let op = if *b == Builtin::Min {
                    Arith::Min
                } else {
                    Arith::Max
                };
                self.extreme(op, args)
            }
            ExprKind::Call(Builtin::Clamp, args) => self.clamp(args),
            ExprKind::Call(Builtin::Sum, args) => {
                let (first, rest) = args.split_first()?;
                let mut acc = self.expr(first);
                for a in rest {
                    let next = self.expr(a);
                    acc = self.pair(BinaryOp::Add, acc, next)?;
                }
                Some(acc)
            }
            // `amount_of` reads an item's status, which the fast path
            // does not keep as a value.
            ExprKind::Call(Builtin::AmountOf, _) | ExprKind::Schedule(_) => None,
            ExprKind::Call(Builtin::Round, args) => self.round(Rounding::HalfAwayFromZero, args),
            ExprKind::Call(Builtin::RoundDown, args) => self.round(Rounding::Down, args),
            ExprKind::Call(Builtin::RoundUp, args) => self.round(Rounding::Up, args),
            ExprKind::Call(Builtin::YearsBetween, args) => {
                let [from, to] = args.as_slice() else {
                    return None;
                };
                let (from, to) = (self.date(from)?, self.date(to)?);
                Some((self.push(Op::YearsBetween(from.0, to.0)), 0))
            }
            // A date is read only where two are compared or counted in
            // years (`Compiler::date`).
            ExprKind::Today => None,
            ExprKind::Tiers(t) => self.tiers(t),
            // Fixed once the evaluation date is: the part in force; no
            // date, or a gap, leaves the rows to the interpreter.
            ExprKind::Dated(d) => match crate::dated::in_force(d, self.options.at?) {
                crate::dated::InForce::Part(i, _) => Some(self.expr(&d.parts.get(i)?.value)),
                crate::dated::InForce::Gap { .. } => None,
            },
        }
    }

    /// A fact's column, an item's register, or a param folded to a
    /// constant (its override, or its own constant value).
    fn name(&mut self, symbol: Symbol) -> Compiled {
        match symbol {
            // A duration's months are read only where two are compared
            // (`Compiler::duration`).
            // and a date's only where two are compared or counted
            // (`Compiler::date`).
            Symbol::Fact(i) if matches!(self.policy.fact(i)?.unit, Unit::Duration | Unit::Date) => {
                None
            }
            Symbol::Fact(i) => self.fact(i),
            Symbol::Item(i) => {
                let (scale, reg) = (*self.items.get(i.0)?)?;
                Some((Arg::Reg(reg), scale))
            }
            Symbol::Param(i) => {
                let p = self.policy.param(i)?;
                let dated = self.options.dated_params.get(&p.name);
                let v = match self.options.params.get(&p.name) {
                    Some(v) => v.clone(),
                    // A dated setting: the part in force, or (no date, a
                    // gap) no plan.
                    None if dated.is_some() => dated?.at(self.options.at?).ok()?.0.clone(),
                    // Left `tbd`: not known, for this cause.
                    None if super::causes::open_param(self.policy, self.options, i) => {
                        let bit = self.bits.of(super::causes::Key::Param(i))?;
                        return Some((self.push(Op::Unknown(bit)), 0));
                    }
                    None => {
                        crate::eval::constant(self.policy, p.value.as_ref()?, self.options).ok()?
                    }
                };
                match v {
                    Value::Num(u, _) if !compiled_unit(u) => None,
                    Value::Num(_, d) => self.decimal(d),
                    Value::Bool(b) => Some((self.constant(i64::from(b)), 0)),
                    _ => None,
                }
            }
            Symbol::Variant(..) | Symbol::Enum(_) | Symbol::Record(_) | Symbol::Field(..) => None,
        }
    }

    /// Whether a name of a fact is written as the fact is declared: the
    /// interpreter names a missing fact as it is written, and the plan by
    /// its slot, so another spelling is left to the interpreter.
    fn as_declared(&self, n: &Name) -> bool {
        match n.symbol {
            Some(Symbol::Fact(f)) => self.policy.fact(f).is_some_and(|i| i.name == n.text),
            _ => true,
        }
    }

    /// Whether `e` is a duration the plan compares: a literal, a fact or a
    /// param of durations.
    fn is_duration(&self, e: &Expr) -> bool {
        match &e.node {
            ExprKind::Lit(l) => matches!(l.value, LitValue::Duration(_)),
            ExprKind::Name(n) => match n.symbol {
                Some(Symbol::Fact(f)) => self
                    .policy
                    .fact(f)
                    .is_some_and(|f| f.unit == Unit::Duration),
                Some(Symbol::Param(p)) => self
                    .policy
                    .param(p)
                    .is_some_and(|p| p.unit == Unit::Duration),
                _ => false,
            },
            _ => false,
        }
    }

    /// A duration as its months (for a comparison of two, which the
    /// interpreter decides by months, `Duration::comparable`): a literal
    /// or a param in years or months, a fact's column. Anything else — in
    /// days (which does not compare with months), a sum, the time between
    /// two dates — is left to the interpreter.
    fn duration(&mut self, e: &Expr) -> Compiled {
        let months = |v: &Value| match v {
            Value::Duration(d) => d.months(),
            _ => None,
        };
        match &e.node {
            ExprKind::Lit(l) => match &l.value {
                LitValue::Duration(d) => self.decimal(d.months()?),
                _ => None,
            },
            ExprKind::Name(n) if self.as_declared(n) => match n.symbol? {
                Symbol::Fact(f) if self.is_duration(e) => self.fact(f),
                Symbol::Param(i) if self.is_duration(e) => {
                    if super::causes::open_param(self.policy, self.options, i) {
                        return self.name(Symbol::Param(i));
                    }
                    let v = self.param_value(i)?;
                    self.decimal(months(&v)?)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// A param's value in this run, folded: as set, the part in force of
    /// a dated setting, or as declared.
    fn param_value(&self, i: ParamId) -> Option<Value> {
        let p = self.policy.param(i)?;
        match self.options.params.get(&p.name) {
            Some(v) => Some(v.clone()),
            None => match self.options.dated_params.get(&p.name) {
                Some(d) => Some(d.at(self.options.at?).ok()?.0.clone()),
                None => crate::eval::constant(self.policy, p.value.as_ref()?, self.options).ok(),
            },
        }
    }

    /// Whether `e` is a date the plan compares: a literal, `today`, a fact
    /// or a param of dates.
    fn is_date(&self, e: &Expr) -> bool {
        match &e.node {
            ExprKind::Lit(l) => matches!(l.value, LitValue::Date(_)),
            ExprKind::Today => true,
            ExprKind::Name(n) => match n.symbol {
                Some(Symbol::Fact(f)) => self.policy.fact(f).is_some_and(|f| f.unit == Unit::Date),
                Some(Symbol::Param(p)) => {
                    self.policy.param(p).is_some_and(|p| p.unit == Unit::Date)
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// A date as its cell (`kinds::date_cell`), for a comparison of two or
    /// the whole years between two — the only places a date is read, so
    /// no arithmetic meets a cell: a literal, `today` (the evaluation
    /// date, when the run has one), a param, a fact's column. Anything
    /// else — a date moved by a duration, the time between two — is left
    /// to the interpreter.
    fn date(&mut self, e: &Expr) -> Compiled {
        let cell = |c: &mut Self, d| Some((c.constant(super::kinds::date_cell(d)), 0));
        match &e.node {
            ExprKind::Lit(l) => match &l.value {
                LitValue::Date(d) => cell(self, *d),
                _ => None,
            },
            ExprKind::Today => cell(self, self.options.at?),
            ExprKind::Name(n) if self.as_declared(n) && self.is_date(e) => match n.symbol? {
                Symbol::Fact(f) => self.fact(f),
                Symbol::Param(i) if super::causes::open_param(self.policy, self.options, i) => {
                    self.name(Symbol::Param(i))
                }
                Symbol::Param(i) => match self.param_value(i)? {
                    Value::Date(d) => cell(self, d),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether `e` is a value of an enumeration the plan stores by index:
    /// a variant written, or a fact of an enumeration.
    fn enumerated(&self, e: &Expr) -> bool {
        let ExprKind::Name(n) = &e.node else {
            return false;
        };
        match n.symbol {
            Some(Symbol::Variant(..)) => true,
            Some(Symbol::Fact(f)) => self
                .policy
                .fact(f)
                .is_some_and(|f| matches!(f.unit, Unit::Enum(_))),
            _ => false,
        }
    }

    /// A value of an enumeration: a variant as its index, or an
    /// enumeration fact's column.
    fn variant(&mut self, e: &Expr) -> Compiled {
        let ExprKind::Name(n) = &e.node else {
            return None;
        };
        match n.symbol? {
            Symbol::Variant(_, v) => Some((self.constant(i64::try_from(v).ok()?), 0)),
            Symbol::Fact(f) if self.enumerated(e) && self.as_declared(n) => self.fact(f),
            _ => None,
        }
    }

    /// `v in set`: a variant (or an enumeration fact) in a set fact.
    fn member(&mut self, l: &Expr, r: &Expr) -> Compiled {
        let v = self.variant(l)?;
        let ExprKind::Name(n) = &r.node else {
            return None;
        };
        let Symbol::Fact(f) = n.symbol? else {
            return None;
        };
        if !matches!(self.policy.fact(f)?.unit, Unit::Set(_)) || !self.as_declared(n) {
            return None;
        }
        let s = self.fact(f)?;
        Some((self.push(Op::In(v.0, s.0)), 0))
    }

    /// Two values of an enumeration compared: the interpreter orders no
    /// variants, so every comparison but `!=` asks whether they are the
    /// same (`eval::values::compare`).
    fn same_variant(&mut self, c: CmpOp, l: &Expr, r: &Expr) -> Compiled {
        let (l, r) = (self.variant(l)?, self.variant(r)?);
        let c = if c == CmpOp::Ne { CmpOp::Ne } else { CmpOp::Eq };
        Some((self.push(Op::Arith(Arith::Cmp(c), l.0, r.0)), 0))
    }

    /// `min` / `max` of several arguments, as a chain of pairs, left to
    /// right as the interpreter reads them.
    fn extreme(&mut self, op: Arith, args: &[Expr]) -> Compiled {
        let args: Vec<_> = args.iter().map(|a| self.expr(a)).collect();
        if self.any_unplanned(&args) {
            return None;
        }
        let (args, scale) = self.common(&args)?;
        let (first, rest) = args.split_first()?;
        let mut acc = *first;
        for a in rest {
            acc = self.push(Op::Arith(op, acc, *a));
        }
        Some((acc, scale))
    }

    /// `clamp(x, lo, hi)`.
    fn clamp(&mut self, args: &[Expr]) -> Compiled {
        let [x, lo, hi] = args else {
            return None;
        };
        let parts = [self.expr(x), self.expr(lo), self.expr(hi)];
        if self.any_unplanned(&parts) {
            return None;
        }
        let (args, scale) = self.common(&parts)?;
        let [x, lo, hi] = args.as_slice() else {
            return None;
        };
        Some((self.push(Op::Clamp(*x, *lo, *hi)), scale))
    }

    fn tiers(&mut self, t: &Tiers) -> Compiled {
        // Subject, prior and thresholds compare at one scale; values and
        // the otherwise branch come out at another. The interpreter
        // evaluates the subject and the prior first: either unplanned
        // leaves the table to it. A threshold or a value unplanned is
        // reached only on the rows that get that far (the lowered `if`s
        // below).
        let mut keys = vec![self.expr(&t.subject)];
        if let Some(p) = &t.prior {
            keys.push(self.expr(p));
        }
        if self.any_unplanned(&keys) {
            return None;
        }
        let mut values = Vec::with_capacity(t.rows.len() + 1);
        for (th, v) in &t.rows {
            keys.push(self.expr(th));
            values.push(self.expr(v));
        }
        if let Some(o) = &t.otherwise {
            values.push(self.expr(o));
        }
        let (keys, _) = self.common(&keys)?;
        let (values, scale) = self.common(&values)?;
        let (&subject, mut thresholds) = keys.split_first()?;
        let prior = match t.prior {
            Some(_) => {
                let (&p, rest) = thresholds.split_first()?;
                thresholds = rest;
                Some(p)
            }
            None => None,
        };
        // The common table, of constant thresholds and amounts, is one
        // pass over the rows.
        let constant = |a: &Arg| match a {
            Arg::Const(i) => self.consts.get(*i).copied(),
            _ => None,
        };
        let const_rows: Option<Vec<(i64, i64)>> = thresholds
            .iter()
            .zip(&values)
            .map(|(t, v)| Some((constant(t)?, constant(v)?)))
            .collect();
        let const_otherwise = t
            .otherwise
            .as_ref()
            .map(|_| values.last().and_then(constant));
        if let (Some(rows), false) = (const_rows, const_otherwise == Some(None)) {
            let op = Op::ConstTiers {
                subject,
                prior,
                cmp: t.cmp,
                rows,
                otherwise: const_otherwise.flatten(),
            };
            return Some((self.push(op), scale));
        }
        // Otherwise lowered to what the kernels already do, first row outermost:
        // `if hit₁ then v₁ else if hit₂ then v₂ … else otherwise`, where
        // `hitᵢ = (subject cmp thᵢ) × (prior < thᵢ)`. A product of
        // conditions, unlike `and`, is not a value unless both sides are,
        // so an undecidable test sends the row to the interpreter, as the
        // interpreter's own table stops at it.
        let mut acc = match t.otherwise {
            Some(_) => *values.last()?,
            None => Arg::Nothing,
        };
        for (th, v) in thresholds.iter().zip(&values).rev() {
            let mut hit = self.push(Op::Arith(Arith::Cmp(t.cmp), subject, *th));
            if let Some(p) = prior {
                let below = self.push(Op::Arith(Arith::Cmp(CmpOp::Lt), p, *th));
                hit = self.push(Op::Arith(Arith::Mul, hit, below));
            }
            // A test not known leaves the table to the interpreter: it
            // names the causes of the first operand not known in each
            // comparison, not of both.
            let hit = self.push(Op::Strict(hit));
            acc = self.push(Op::If(hit, *v, acc));
        }
        Some((acc, scale))
    }

    fn is_constant(e: &Expr) -> bool {
        match &e.node {
            ExprKind::Lit(_) => true,
            // A quotient may not terminate, which the interpreter refuses
            // when it keeps the value (found by the plan_vs_interpreter
            // fuzz target): the value path divides only when exact. A run
            // of divisions (`a / b / c`) is one chain.
            ExprKind::Binary(BinaryOp::Div, ..) | ExprKind::Chain(BinaryOp::Div, _) => false,
            ExprKind::Binary(_, l, r) => Self::is_constant(l) && Self::is_constant(r),
            ExprKind::Chain(_, terms) => terms.iter().all(Self::is_constant),
            ExprKind::Unary(UnaryOp::Neg | UnaryOp::Soft, x) => Self::is_constant(x),
            _ => false,
        }
    }

    /// Whether the plan leaves item `i` to the interpreter on every row: an
    /// item decided record by record, or a member of a stacking group or
    /// a cap, which the interpreter amends after deciding the members.
    fn always_deferred(&self, i: ItemId) -> bool {
        let info = self.policy.item(i);
        info.is_none_or(|info| info.each.is_some())
            || self.policy.groups.iter().any(|g| g.members.contains(&i))
            || self.policy.caps.iter().any(|c| c.items.contains(&i))
    }

    fn item(&mut self, i: ItemId) -> Option<()> {
        let ast = &self.policy.item(i)?.ast;
        let kind = ast.kind.node;
        if self.always_deferred(i) {
            // Its `when` unplanned: deferred on every row, and what other
            // items see of it is unplanned.
            let when = Some(self.unplanned().0);
            return self.decided(
                i,
                Op::Decide {
                    item: i.0,
                    when,
                    body: Body::Listed,
                },
                0,
            );
        }
        let when = ast.when.as_ref().map(|w| self.expr(w).0);
        let (op, scale) = match (kind, &ast.body) {
            (ItemKind::Commitment, _) => (
                Op::Decide {
                    item: i.0,
                    when,
                    body: Body::Listed,
                },
                0,
            ),
            (ItemKind::Benefit, b) if Self::is_constant(b.expr()) => {
                // A constant that fails (1 / 0, an empty range) makes the
                // item an error for every row: the interpreter says so.
                let body = match crate::eval::constant(self.policy, b.expr(), self.options) {
                    Ok(_) => Body::Constant,
                    Err(_) => Body::Value(self.unplanned().0),
                };
                (
                    Op::Decide {
                        item: i.0,
                        when,
                        body,
                    },
                    0,
                )
            }
            // A benefit's value, bound or not: granted whenever it is one.
            (ItemKind::Benefit, b) => {
                let (v, scale) = self.expr(b.expr());
                let op = Op::DecideKind {
                    item: i.0,
                    when,
                    body: KindBody::Benefit(v),
                };
                (op, scale)
            }
            // A monetary item whose rule is a range `lo..hi`: its bounds.
            (k, ItemBody::Value(e)) if k.is_monetary() && is_range(e) => {
                let (lo, hi, scale) = self.range(e)?;
                if let (Some(h), Arg::Reg(r)) = (self.highs.get_mut(i.0), hi) {
                    *h = Some(r);
                }
                let op = Op::DecideKind {
                    item: i.0,
                    when,
                    body: KindBody::Range(lo, hi),
                };
                (op, scale)
            }
            (_, ItemBody::Value(e)) => {
                let (arg, scale) = self.expr(e);
                (
                    Op::Decide {
                        item: i.0,
                        when,
                        body: Body::Value(arg),
                    },
                    scale,
                )
            }
            _ => {
                let body = Body::Value(self.unplanned().0);
                (
                    Op::Decide {
                        item: i.0,
                        when,
                        body,
                    },
                    0,
                )
            }
        };
        let planned = !self.certainly_deferred(&op);
        if let Some(p) = self.planned.get_mut(i.0) {
            *p = planned;
        }
        self.decided(i, op, scale)
    }

    /// Whether a decision is deferred on every row whatever the facts: its
    /// `when` unplanned, or no `when` and its rule unplanned.
    fn certainly_deferred(&self, op: &Op) -> bool {
        let (when, body) = match op {
            Op::Decide { when, body, .. } => (
                *when,
                match body {
                    Body::Value(v) => Some(*v),
                    _ => None,
                },
            ),
            Op::DecideKind { when, body, .. } => (
                *when,
                Some(match body {
                    KindBody::Benefit(v) | KindBody::Range(v, _) => *v,
                }),
            ),
            _ => return true,
        };
        match when {
            Some(w) => self.is_unplanned(w),
            None => body.is_some_and(|b| self.is_unplanned(b)),
        }
    }

    /// Pushes an item's decision and records its register and scale.
    fn decided(&mut self, i: ItemId, op: Op, scale: u32) -> Option<()> {
        let Arg::Reg(reg) = self.push(op) else {
            return None;
        };
        *self.items.get_mut(i.0)? = Some((scale, reg));
        Some(())
    }

    /// A range's ends at one scale, the high end in a register of its own
    /// (its amounts are read from there). Either end unplanned leaves the
    /// item to the interpreter wherever its `when` holds.
    fn range(&mut self, e: &Expr) -> Option<(Arg, Arg, u32)> {
        let (lo, hi) = match &e.node {
            ExprKind::Binary(BinaryOp::Range, lo, hi) => (lo, hi),
            ExprKind::Unary(UnaryOp::Soft, x) => return self.range(x),
            _ => return None,
        };
        let ends = [self.expr(lo), self.expr(hi)];
        if self.any_unplanned(&ends) {
            let u = self.unplanned().0;
            return Some((u, u, 0));
        }
        let (args, scale) = self.common(&ends)?;
        let [lo, hi] = args.as_slice() else {
            return None;
        };
        // A register of its own, so the batch can copy the high amounts.
        let hi = match hi {
            Arg::Reg(_) => *hi,
            other => self.push(Op::Rescale(*other, 1)),
        };
        Some((*lo, hi, scale))
    }
}

/// Whether a rule is a range `lo..hi` (soft or not).
fn is_range(e: &Expr) -> bool {
    match &e.node {
        ExprKind::Binary(BinaryOp::Range, ..) => true,
        ExprKind::Unary(UnaryOp::Soft, x) => is_range(x),
        _ => false,
    }
}

/// Whether the fast path computes with values of `unit`: not weights nor
/// money per unit, whose products the interpreter's unit algebra decides
/// (a fact of these units has no column either, `columns::fact_scale`).
fn compiled_unit(unit: crate::units::Unit) -> bool {
    !matches!(
        unit,
        crate::units::Unit::Weight | crate::units::Unit::MoneyPer(_)
    )
}
