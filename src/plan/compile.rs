//! Lowering a checked policy to the plan's flat list of column
//! operations: names to fact slots and registers, params folded to
//! constants, every value given its fixed-point scale.

use rust_decimal::Decimal;

use super::columns::{fact_scale, pow10};
use super::{Arg, Arith, Body, FactSlot, MAX_SCALE, Op};
use crate::ast::*;
use crate::check::{FactId, ItemId, Policy, Symbol};
use crate::eval::Options;
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
}

/// Lowers `policy` for evaluations with `options`; `None` when some item
/// cannot be expressed.
pub(super) fn lower(policy: &Policy, options: &Options) -> Option<Lowered> {
    // Records (issue 16): a list of records is no column, and a per-record
    // item is decided record by record. Stacking groups and caps act across
    // items after they are decided: the interpreter applies them
    // (`eval::stacking`, `eval::caps`). Every row goes to the interpreter.
    if policy.items.iter().any(|i| i.each.is_some())
        || policy
            .facts
            .iter()
            .any(|f| matches!(f.unit, crate::units::Unit::List(_)))
        || !policy.groups.is_empty()
        || !policy.caps.is_empty()
    {
        return None;
    }
    let mut c = Compiler {
        policy,
        options,
        facts: Vec::new(),
        consts: Vec::new(),
        ops: Vec::new(),
        items: vec![None; policy.items.len()],
    };
    for &i in &policy.order {
        c.item(i)?;
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
    })
}

struct Compiler<'p> {
    policy: &'p Policy,
    options: &'p Options,
    facts: Vec<FactSlot>,
    consts: Vec<i64>,
    ops: Vec<Op>,
    /// Per item: scale and register, once compiled.
    items: Vec<Option<(u32, usize)>>,
}

type Compiled = Option<(Arg, u32)>;

impl Compiler<'_> {
    fn push(&mut self, op: Op) -> Arg {
        self.ops.push(op);
        Arg::Reg(self.ops.len() - 1)
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
        let scale = fact_scale(unit)?;
        let slot = match self.facts.iter().position(|f| f.id == id) {
            Some(i) => i,
            None => {
                self.facts.push(FactSlot {
                    id,
                    name: name.to_string(),
                    unit,
                    scale,
                });
                self.facts.len() - 1
            }
        };
        Some((Arg::Fact(slot), scale))
    }

    /// `arg` (at scale `from`) at the larger scale `to`.
    fn align(&mut self, (arg, from): (Arg, u32), to: u32) -> Option<Arg> {
        if from == to {
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

    /// `l op r` over two compiled operands (value, scale).
    fn pair(&mut self, op: BinaryOp, l: (Arg, u32), r: (Arg, u32)) -> Compiled {
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

    fn expr(&mut self, e: &Expr) -> Compiled {
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
            ExprKind::Name(n) => self.name(n.symbol?),
            ExprKind::Unary(UnaryOp::Neg, x) => {
                let (x, s) = self.expr(x)?;
                Some((self.push(Op::Neg(x)), s))
            }
            ExprKind::Unary(UnaryOp::Not, x) => {
                let (x, _) = self.expr(x)?;
                Some((self.push(Op::Not(x)), 0))
            }
            // A soft cap only flags the result; the fast path has no flags.
            ExprKind::Unary(UnaryOp::Soft, _) => None,
            ExprKind::Binary(op, l, r) => {
                let (l, r) = (self.expr(l)?, self.expr(r)?);
                self.pair(*op, l, r)
            }
            // One operation per operator written, left to right, as the
            // interpreter folds the chain.
            ExprKind::Chain(op, terms) => {
                let (first, rest) = terms.split_first()?;
                let mut acc = self.expr(first)?;
                for t in rest {
                    let next = self.expr(t)?;
                    acc = self.pair(*op, acc, next)?;
                }
                Some(acc)
            }
            ExprKind::If(c, t, f) => {
                let (c, _) = self.expr(c)?;
                let (t, f) = (self.expr(t)?, self.expr(f)?);
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
                let mut acc = self.expr(first)?;
                for a in rest {
                    let next = self.expr(a)?;
                    acc = self.pair(BinaryOp::Add, acc, next)?;
                }
                Some(acc)
            }
            // `amount_of` reads an item's status, which the fast path
            // does not keep as a value.
            ExprKind::Call(Builtin::Round | Builtin::AmountOf, _) | ExprKind::Schedule(_) => None,
            // Dates and rounding down or up go to the interpreter.
            ExprKind::Today
            | ExprKind::Call(Builtin::YearsBetween | Builtin::RoundDown | Builtin::RoundUp, _) => {
                None
            }
            ExprKind::Tiers(t) => self.tiers(t),
            // Fixed once the evaluation date is: the part in force; no
            // date, or a gap, leaves the rows to the interpreter.
            ExprKind::Dated(d) => match crate::dated::in_force(d, self.options.at?) {
                crate::dated::InForce::Part(i, _) => self.expr(&d.parts.get(i)?.value),
                crate::dated::InForce::Gap { .. } => None,
            },
        }
    }

    /// A fact's column, an item's register, or a param folded to a
    /// constant (its override, or its own constant value).
    fn name(&mut self, symbol: Symbol) -> Compiled {
        match symbol {
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

    /// `min` / `max` of several arguments, as a chain of pairs, left to
    /// right as the interpreter reads them.
    fn extreme(&mut self, op: Arith, args: &[Expr]) -> Compiled {
        let args = args
            .iter()
            .map(|a| self.expr(a))
            .collect::<Option<Vec<_>>>()?;
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
        let parts = [self.expr(x)?, self.expr(lo)?, self.expr(hi)?];
        let (args, scale) = self.common(&parts)?;
        let [x, lo, hi] = args.as_slice() else {
            return None;
        };
        Some((self.push(Op::Clamp(*x, *lo, *hi)), scale))
    }

    fn tiers(&mut self, t: &Tiers) -> Compiled {
        // Subject, prior and thresholds compare at one scale; values and
        // the otherwise branch come out at another.
        let mut keys = vec![self.expr(&t.subject)?];
        if let Some(p) = &t.prior {
            keys.push(self.expr(p)?);
        }
        let mut values = Vec::with_capacity(t.rows.len() + 1);
        for (th, v) in &t.rows {
            keys.push(self.expr(th)?);
            values.push(self.expr(v)?);
        }
        if let Some(o) = &t.otherwise {
            values.push(self.expr(o)?);
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
            acc = self.push(Op::If(hit, *v, acc));
        }
        Some((acc, scale))
    }

    fn is_constant(e: &Expr) -> bool {
        match &e.node {
            ExprKind::Lit(_) => true,
            ExprKind::Binary(_, l, r) => Self::is_constant(l) && Self::is_constant(r),
            ExprKind::Chain(_, terms) => terms.iter().all(Self::is_constant),
            ExprKind::Unary(UnaryOp::Neg, x) => Self::is_constant(x),
            _ => false,
        }
    }

    fn item(&mut self, i: ItemId) -> Option<()> {
        let ast = &self.policy.item(i)?.ast;
        let kind = ast.kind.node;
        let when = match &ast.when {
            Some(w) => Some(self.expr(w)?.0),
            None => None,
        };
        let (body, scale) = match (kind, &ast.body) {
            (ItemKind::Commitment, _) => (Body::Listed, 0),
            (ItemKind::Benefit, b) if Self::is_constant(b.expr()) => {
                // A constant that fails (1 / 0, an empty range) makes the
                // item an error for every row: the interpreter says so.
                crate::eval::constant(self.policy, b.expr(), self.options).ok()?;
                (Body::Constant, 0)
            }
            (ItemKind::Benefit, _) => return None,
            (_, ItemBody::Value(e)) => {
                let (arg, scale) = self.expr(e)?;
                (Body::Value(arg), scale)
            }
            _ => return None,
        };
        let Arg::Reg(reg) = self.push(Op::Decide {
            item: i.0,
            when,
            body,
        }) else {
            return None;
        };
        *self.items.get_mut(i.0)? = Some((scale, reg));
        Some(())
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
