//! The compiled evaluation plan: a checked policy lowered once for fast
//! population runs.
//!
//! Names become slots, params are folded to constants, explanations are
//! gone, and the policy becomes a flat program of column operations that
//! runs over batches of rows in exact scaled-integer arithmetic: every
//! value is an `i64` counting units of `10^-scale`, where each operation's
//! scale is fixed at compile time (money facts in fen, rates in
//! ten-thousandths, a product's scale the sum of its operands'), so a
//! product is one checked `i64` multiplication and no operation ever
//! rounds.
//!
//! Wherever a row needs what this cannot do exactly — a missing fact, a
//! value with more decimals than its column's scale, an overflow, a
//! division that does not terminate, a negative amount — the plan marks
//! the row and the interpreter evaluates it, so results are identical,
//! digit for digit, to [`crate::evaluate`] (a differential test checks
//! this).
//!
//! A policy the plan cannot express at all (dates, ranges, schedules,
//! `round`, `tbd` params, an evaluation date outside the window …) gets no
//! plan, and every row goes to the interpreter.

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::ast::*;
use crate::check::{FactId, ItemId, Policy, Symbol};
use crate::eval::{Options, Status, WindowStatus};
use crate::value::{Unit, Value};

/// Rows per column batch: small enough that a batch's registers stay in
/// cache, large enough that per-batch work is negligible.
const BATCH: usize = 1024;

/// Largest scale of any value (`10^18` still fits an `i64`).
const MAX_SCALE: u32 = 18;

/// Cell states: a value, "nothing" (no tier matched, an item used is not
/// granted), or "the interpreter must decide this row".
const OK: u8 = 0;
const NOTHING: u8 = 1;
const FALLBACK: u8 = 2;

/// Item status codes in [`Outcomes`]; `DEFER` sends the row to the
/// interpreter.
const GRANTED: u8 = 0;
const INELIGIBLE: u8 = 1;
const MET: u8 = 2;
const NOT_MET: u8 = 3;
const LISTED: u8 = 4;
const DEFER: u8 = u8::MAX;

/// An operand: a register (the result of an earlier operation), a fact
/// column, a constant of the pool, or nothing (a table without `else`).
#[derive(Debug, Clone, Copy)]
enum Arg {
    Reg(usize),
    Fact(usize),
    Const(usize),
    Nothing,
}

#[derive(Debug, Clone, Copy)]
enum Arith {
    Add,
    Sub,
    Mul,
    Cmp(CmpOp),
    Min,
    Max,
}

/// One column operation; operation `k` writes register `k`.
#[derive(Debug, Clone)]
enum Op {
    /// `x × factor`: aligns a value to a larger scale.
    Rescale(Arg, i64),
    Neg(Arg),
    Not(Arg),
    /// Add, subtract, multiply, compare: any fallback wins, then any
    /// nothing. Min and max: the first argument that is not a value wins,
    /// as the interpreter reads them left to right.
    Arith(Arith, Arg, Arg),
    /// `a × factor ÷ b`, only when exact.
    Div(Arg, Arg, i128),
    And(Arg, Arg),
    Or(Arg, Arg),
    If(Arg, Arg, Arg),
    Clamp(Arg, Arg, Arg),
    /// A tier table of constant thresholds and values (see
    /// `Compiler::tiers` for its meaning): the first row whose test holds
    /// (and, with a prior, which the prior had not reached) gives its
    /// value; none, the otherwise value or nothing. An undecidable subject
    /// or prior falls back.
    ConstTiers {
        subject: Arg,
        prior: Option<Arg>,
        cmp: CmpOp,
        rows: Vec<(i64, i64)>,
        otherwise: Option<i64>,
    },
    /// An item's status from its `when` and body; the register holds what
    /// other items see of it.
    Decide {
        item: usize,
        when: Option<Arg>,
        body: Body,
    },
}

#[derive(Debug, Clone, Copy)]
enum Body {
    /// Money, a condition (eligibility, target).
    Value(Arg),
    /// A benefit whose value is a constant: granted when its `when` holds.
    Constant,
    /// A commitment: always listed.
    Listed,
}

/// A fact the plan reads: its name, unit and fixed-point scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactSlot {
    /// The fact.
    pub id: FactId,
    /// The fact's name.
    pub name: String,
    /// Its unit.
    pub unit: Unit,
    /// Values are stored as integers counting `10^-scale`.
    pub scale: u32,
}

/// A compiled policy.
#[derive(Debug, Clone)]
pub struct Plan {
    facts: Vec<FactSlot>,
    /// Constant pool, each as a full column so operands are always slices.
    consts: Vec<Vec<i64>>,
    ops: Vec<Op>,
    /// Per item (policy order): kind, scale of its amount, register.
    items: Vec<(ItemKind, u32, usize)>,
    /// Scale of the total (the largest monetary item scale).
    total_scale: u32,
}

/// A batch of rows as fixed-point fact columns, one per [`FactSlot`].
#[derive(Debug, Clone, Default)]
pub struct Columns {
    len: usize,
    values: Vec<Vec<i64>>,
    states: Vec<Vec<u8>>,
}

impl Columns {
    /// Empty columns for `plan`'s facts.
    pub fn new(plan: &Plan) -> Columns {
        Columns {
            len: 0,
            values: vec![Vec::new(); plan.facts.len()],
            states: vec![Vec::new(); plan.facts.len()],
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a row whose facts are all missing; returns its index.
    pub fn push_row(&mut self) -> usize {
        for v in &mut self.values {
            v.push(0);
        }
        for s in &mut self.states {
            s.push(FALLBACK);
        }
        self.len += 1;
        self.len - 1
    }

    /// Removes the rows from `len` on.
    pub fn truncate(&mut self, len: usize) {
        for v in &mut self.values {
            v.truncate(len);
        }
        for s in &mut self.states {
            s.truncate(len);
        }
        self.len = self.len.min(len);
    }

    /// Sets a fact of a row from its integer at the slot's scale.
    pub fn set_fixed(&mut self, slot: usize, row: usize, v: i64) {
        if let (Some(x), Some(s)) = (
            self.values.get_mut(slot).and_then(|c| c.get_mut(row)),
            self.states.get_mut(slot).and_then(|c| c.get_mut(row)),
        ) {
            *x = v;
            *s = OK;
        }
    }

    /// Sets a fact of a row from a typed value; a value the slot's scale
    /// cannot hold exactly leaves the fact missing, so the row falls back.
    pub fn set_value(&mut self, plan: &Plan, slot: usize, row: usize, v: &Value) {
        let Some(f) = plan.facts.get(slot) else {
            return;
        };
        if let Some(x) = to_scaled(v, f.scale) {
            self.set_fixed(slot, row, x);
        }
    }

    fn value(&self, slot: usize, range: &std::ops::Range<usize>) -> (&[i64], &[u8]) {
        (
            self.values
                .get(slot)
                .and_then(|c| c.get(range.clone()))
                .unwrap_or(&[]),
            self.states
                .get(slot)
                .and_then(|c| c.get(range.clone()))
                .unwrap_or(&[]),
        )
    }
}

/// A plain decimal (`123`, `123.45`, no sign, no magnitude) as an integer
/// at `scale`; `None` for anything else, which the caller reads the slow
/// way.
pub fn parse_plain(text: &[u8], scale: u32) -> Option<i64> {
    let (int, frac) = match text.iter().position(|b| *b == b'.') {
        Some(dot) => (text.get(..dot)?, text.get(dot + 1..)?),
        None => (text, &[][..]),
    };
    if int.is_empty() || frac.len() > scale as usize {
        return None;
    }
    let mut v: i64 = 0;
    for b in int.iter().chain(frac) {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    v.checked_mul(pow10(scale - frac.len() as u32)?)
}

/// A value as an integer at `scale`, when exact.
pub fn to_scaled(v: &Value, scale: u32) -> Option<i64> {
    match v {
        Value::Num(_, d) => decimal_to_scaled(*d, scale),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

fn decimal_to_scaled(d: Decimal, scale: u32) -> Option<i64> {
    let d = d.normalize();
    if d.scale() > scale {
        return None;
    }
    let m = d
        .mantissa()
        .checked_mul(i128::from(pow10(scale - d.scale())?))?;
    i64::try_from(m).ok()
}

fn pow10(e: u32) -> Option<i64> {
    10i64.checked_pow(e)
}

/// The scale a fact's column is stored at: money and areas in hundredths
/// (fen, square decimetres), rates in ten-thousandths, counts whole.
fn fact_scale(unit: Unit) -> Option<u32> {
    match unit {
        Unit::Money | Unit::Area => Some(2),
        Unit::Rate | Unit::Number => Some(4),
        Unit::Count | Unit::Bool => Some(0),
        _ => None,
    }
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

    fn binary(&mut self, op: Arith, l: &Expr, r: &Expr) -> Compiled {
        let (l, r) = (self.expr(l)?, self.expr(r)?);
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
                LitValue::Quantity(_, d) => self.decimal(*d),
                LitValue::Bool(b) => Some((self.constant(i64::from(*b)), 0)),
                _ => None,
            },
            ExprKind::Name(n) => match n.symbol? {
                Symbol::Fact(i) => self.fact(i),
                Symbol::Item(i) => {
                    let (scale, reg) = (*self.items.get(i.0)?)?;
                    Some((Arg::Reg(reg), scale))
                }
                Symbol::Param(i) => {
                    let p = self.policy.param(i)?;
                    // Folded: an override, or the policy's constant value.
                    let v = match self.options.params.get(&p.name) {
                        Some(v) => v.clone(),
                        None => crate::eval::constant(self.policy, p.value.as_ref()?, self.options)
                            .ok()?,
                    };
                    match v {
                        Value::Num(_, d) => self.decimal(d),
                        Value::Bool(b) => Some((self.constant(i64::from(b)), 0)),
                        _ => None,
                    }
                }
                _ => None,
            },
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
            ExprKind::Binary(BinaryOp::Range | BinaryOp::In, ..) => None,
            ExprKind::Binary(BinaryOp::Add, l, r) => self.binary(Arith::Add, l, r),
            ExprKind::Binary(BinaryOp::Sub, l, r) => self.binary(Arith::Sub, l, r),
            ExprKind::Binary(BinaryOp::Mul, l, r) => self.binary(Arith::Mul, l, r),
            ExprKind::Binary(BinaryOp::Cmp(c), l, r) => self.binary(Arith::Cmp(*c), l, r),
            ExprKind::Binary(BinaryOp::Div, l, r) => {
                let ((a, sa), (b, sb)) = (self.expr(l)?, self.expr(r)?);
                // The quotient is kept at six decimals or the dividend's
                // scale; one that needs more falls back.
                let scale = sa.max(6);
                let factor = 10i128.checked_pow(scale.checked_sub(sa)? + sb)?;
                Some((self.push(Op::Div(a, b, factor)), scale))
            }
            ExprKind::Binary(BinaryOp::And, l, r) => {
                let ((a, _), (b, _)) = (self.expr(l)?, self.expr(r)?);
                Some((self.push(Op::And(a, b)), 0))
            }
            ExprKind::Binary(BinaryOp::Or, l, r) => {
                let ((a, _), (b, _)) = (self.expr(l)?, self.expr(r)?);
                Some((self.push(Op::Or(a, b)), 0))
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
                let args = args
                    .iter()
                    .map(|a| self.expr(a))
                    .collect::<Option<Vec<_>>>()?;
                let (args, scale) = self.common(&args)?;
                let op = if *b == Builtin::Min {
                    Arith::Min
                } else {
                    Arith::Max
                };
                let (first, rest) = args.split_first()?;
                let mut acc = *first;
                for a in rest {
                    acc = self.push(Op::Arith(op, acc, *a));
                }
                Some((acc, scale))
            }
            ExprKind::Call(Builtin::Clamp, args) => {
                let [x, lo, hi] = args.as_slice() else {
                    return None;
                };
                let parts = [self.expr(x)?, self.expr(lo)?, self.expr(hi)?];
                let (args, scale) = self.common(&parts)?;
                let [x, lo, hi] = args.as_slice() else {
                    return None;
                };
                Some((self.push(Op::Clamp(*x, *lo, *hi)), scale))
            }
            ExprKind::Call(Builtin::Round, _) | ExprKind::Schedule(_) => None,
            ExprKind::Tiers(t) => self.tiers(t),
        }
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

impl Plan {
    /// Compiles a policy for evaluations with `options`, or `None` when the
    /// fast path cannot express it.
    pub fn compile(policy: &Policy, options: &Options) -> Option<Plan> {
        // Outside the validity window every item is "not in force": the
        // interpreter says so with its reasons.
        let probe = crate::evaluate(policy, &crate::eval::Facts::default(), options);
        if probe.window.status == WindowStatus::NotInForce {
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
        let total_scale = items
            .iter()
            .filter(|(k, ..)| k.is_monetary())
            .map(|(_, s, _)| *s)
            .max()
            .unwrap_or(0);
        Some(Plan {
            facts: c.facts,
            consts: c.consts.iter().map(|v| vec![*v; BATCH]).collect(),
            ops: c.ops,
            items,
            total_scale,
        })
    }

    /// The facts the plan reads, by slot.
    pub fn facts(&self) -> &[FactSlot] {
        &self.facts
    }

    /// How many items the plan decides (all of the policy's).
    pub fn item_count(&self) -> usize {
        self.items.len()
    }

    /// Evaluates every row of `columns`, batch by batch on every core.
    pub fn run(&self, columns: &Columns) -> Outcomes {
        let starts: Vec<usize> = (0..columns.len).step_by(BATCH).collect();
        let batches = starts
            .par_iter()
            .map_init(
                || Scratch::new(self),
                |scratch, &start| {
                    self.run_batch(columns, start..(start + BATCH).min(columns.len), scratch)
                },
            )
            .collect();
        Outcomes { batches }
    }

    fn run_batch(
        &self,
        columns: &Columns,
        range: std::ops::Range<usize>,
        scratch: &mut Scratch,
    ) -> Batch {
        let n = range.len();
        let mut status = vec![Vec::new(); self.items.len()];
        for (k, op) in self.ops.iter().enumerate() {
            // Registers before `k` are read, register `k` is written.
            let k = k.min(scratch.regs.len());
            let (done, rest) = scratch.regs.split_at_mut(k);
            let Some(out) = rest.first_mut() else {
                break;
            };
            out.v.resize(n, 0);
            out.s.resize(n, FALLBACK);
            let env = Env {
                regs: done,
                columns,
                range: &range,
                consts: &self.consts,
                ok: scratch.ok.get(..n).unwrap_or(&[]),
                nothing: scratch.nothing.get(..n).unwrap_or(&[]),
                ones: scratch.ones.get(..n).unwrap_or(&[]),
                fallback: &scratch.fallback,
            };
            env.apply(op, out, self, &mut status);
        }
        // Totals, and which rows the plan decided.
        let mut total = vec![0i64; n];
        let mut decided = vec![true; n];
        for (i, (kind, scale, reg)) in self.items.iter().enumerate() {
            let (Some(st), Some(r)) = (status.get(i), scratch.regs.get(*reg)) else {
                decided.iter_mut().for_each(|d| *d = false);
                continue;
            };
            if st.len() != n {
                decided.iter_mut().for_each(|d| *d = false);
                continue;
            }
            let monetary = kind.is_monetary();
            // Item scales are at most the total's (≤ MAX_SCALE), so this
            // cannot fail; if it did, no row is decided rather than a wrong
            // total written.
            let Some(factor) = pow10(self.total_scale.saturating_sub(*scale)) else {
                decided.iter_mut().for_each(|d| *d = false);
                continue;
            };
            for (((t, d), code), a) in total.iter_mut().zip(&mut decided).zip(st).zip(&r.v) {
                if *code == DEFER {
                    *d = false;
                } else if monetary && *code == GRANTED {
                    match a.checked_mul(factor).and_then(|a| t.checked_add(a)) {
                        Some(sum) => *t = sum,
                        None => *d = false,
                    }
                }
            }
        }
        let amounts = self
            .items
            .iter()
            .map(
                |(kind, _, reg)| match (kind.is_monetary(), scratch.regs.get(*reg)) {
                    (true, Some(r)) => r.v.get(..n).map(<[i64]>::to_vec).unwrap_or_default(),
                    _ => Vec::new(),
                },
            )
            .collect();
        Batch {
            status,
            amounts,
            total,
            decided,
        }
    }
}

/// One thread's registers, reused from batch to batch.
struct Scratch {
    regs: Vec<Reg>,
    /// All-`OK` states, for constants.
    ok: Vec<u8>,
    /// All-`NOTHING` states.
    nothing: Vec<u8>,
    /// All ones: the `when` of an item without one.
    ones: Vec<i64>,
    /// All-`FALLBACK` states, for an operand that is somehow missing.
    fallback: (Vec<i64>, Vec<u8>),
}

impl Scratch {
    fn new(plan: &Plan) -> Scratch {
        Scratch {
            regs: (0..plan.ops.len())
                .map(|_| Reg {
                    v: Vec::with_capacity(BATCH),
                    s: Vec::with_capacity(BATCH),
                })
                .collect(),
            ok: vec![OK; BATCH],
            ones: vec![1; BATCH],
            nothing: vec![NOTHING; BATCH],
            fallback: (vec![0; BATCH], vec![FALLBACK; BATCH]),
        }
    }
}

struct Reg {
    v: Vec<i64>,
    s: Vec<u8>,
}

struct Env<'a> {
    regs: &'a [Reg],
    columns: &'a Columns,
    range: &'a std::ops::Range<usize>,
    consts: &'a [Vec<i64>],
    ok: &'a [u8],
    nothing: &'a [u8],
    ones: &'a [i64],
    fallback: &'a (Vec<i64>, Vec<u8>),
}

impl<'a> Env<'a> {
    /// An operand's values and states, exactly one per row of the batch
    /// (all "fallback" if the operand is somehow missing), so kernels can
    /// zip slices without bounds checks.
    fn arg(&self, a: Arg) -> (&'a [i64], &'a [u8]) {
        let n = self.range.len();
        let (v, s) = match a {
            Arg::Reg(r) => self
                .regs
                .get(r)
                .map_or((&[][..], &[][..]), |r| (&r.v[..], &r.s[..])),
            Arg::Fact(slot) => self.columns.value(slot, self.range),
            Arg::Const(i) => (self.consts.get(i).map_or(&[][..], |c| &c[..]), self.ok),
            Arg::Nothing => (self.ones, self.nothing),
        };
        match (v.get(..n), s.get(..n)) {
            (Some(v), Some(s)) => (v, s),
            _ => (
                self.fallback.0.get(..n).unwrap_or(&[]),
                self.fallback.1.get(..n).unwrap_or(&[]),
            ),
        }
    }

    fn apply(&self, op: &Op, out: &mut Reg, plan: &Plan, status: &mut [Vec<u8>]) {
        match op {
            Op::Rescale(x, f) => {
                let f = *f;
                unary(self.arg(*x), out, |v| v.checked_mul(f));
            }
            Op::Neg(x) => unary(self.arg(*x), out, i64::checked_neg),
            Op::Not(x) => unary(self.arg(*x), out, |v| Some(i64::from(v == 0))),
            Op::Arith(op, a, b) => {
                let (a, b) = (self.arg(*a), self.arg(*b));
                match op {
                    Arith::Add => lifted(a, b, out, i64::checked_add),
                    Arith::Sub => lifted(a, b, out, i64::checked_sub),
                    Arith::Mul => lifted(a, b, out, i64::checked_mul),
                    // One loop per comparator: no dispatch per row.
                    Arith::Cmp(CmpOp::Lt) => lifted(a, b, out, |x, y| Some(i64::from(x < y))),
                    Arith::Cmp(CmpOp::Le) => lifted(a, b, out, |x, y| Some(i64::from(x <= y))),
                    Arith::Cmp(CmpOp::Gt) => lifted(a, b, out, |x, y| Some(i64::from(x > y))),
                    Arith::Cmp(CmpOp::Ge) => lifted(a, b, out, |x, y| Some(i64::from(x >= y))),
                    Arith::Cmp(CmpOp::Eq) => lifted(a, b, out, |x, y| Some(i64::from(x == y))),
                    Arith::Cmp(CmpOp::Ne) => lifted(a, b, out, |x, y| Some(i64::from(x != y))),
                    Arith::Min => first_not_value(a, b, out, i64::min),
                    Arith::Max => first_not_value(a, b, out, i64::max),
                }
            }
            Op::Div(a, b, factor) => {
                let f = *factor;
                lifted(self.arg(*a), self.arg(*b), out, |x, y| {
                    if y == 0 {
                        return None;
                    }
                    let p = i128::from(x).checked_mul(f)?;
                    let y = i128::from(y);
                    if p % y != 0 {
                        return None;
                    }
                    i64::try_from(p / y).ok()
                });
            }
            // Kleene logic with all facts known: a definite side decides.
            Op::And(a, b) => map2(out, self.arg(*a), self.arg(*b), |x, sx, y, sy| {
                match (sx, x, sy, y) {
                    (OK, 0, ..) => (0, OK),
                    (OK, _, OK, 0) => (0, OK),
                    (OK, _, OK, _) => (1, OK),
                    _ => (0, FALLBACK),
                }
            }),
            Op::Or(a, b) => map2(out, self.arg(*a), self.arg(*b), |x, sx, y, sy| {
                match (sx, x, sy, y) {
                    (OK, x, ..) if x != 0 => (1, OK),
                    (OK, _, OK, y) => (i64::from(y != 0), OK),
                    _ => (0, FALLBACK),
                }
            }),
            Op::If(c, t, f) => map3(
                out,
                self.arg(*c),
                self.arg(*t),
                self.arg(*f),
                |c, t, f| match c {
                    (0, OK) => f,
                    (_, OK) => t,
                    _ => (0, FALLBACK),
                },
            ),
            Op::Clamp(x, lo, hi) => map3(
                out,
                self.arg(*x),
                self.arg(*lo),
                self.arg(*hi),
                |x, l, h| match (x, l, h) {
                    ((x, OK), (l, OK), (h, OK)) if l <= h => (x.max(l).min(h), OK),
                    _ => (0, FALLBACK),
                },
            ),
            Op::ConstTiers {
                subject,
                prior,
                cmp,
                rows,
                otherwise,
            } => {
                let (s, p) = (self.arg(*subject), prior.map(|p| self.arg(p)));
                let o = *otherwise;
                // One loop per comparator: no dispatch per row.
                match cmp {
                    CmpOp::Ge => const_tiers(out, s, p, rows, o, |x, t| x >= t),
                    CmpOp::Gt => const_tiers(out, s, p, rows, o, |x, t| x > t),
                    CmpOp::Le => const_tiers(out, s, p, rows, o, |x, t| x <= t),
                    CmpOp::Lt => const_tiers(out, s, p, rows, o, |x, t| x < t),
                    CmpOp::Eq => const_tiers(out, s, p, rows, o, |x, t| x == t),
                    CmpOp::Ne => const_tiers(out, s, p, rows, o, |x, t| x != t),
                }
            }
            Op::Decide { item, when, body } => {
                let kind = plan.items.get(*item).map_or(ItemKind::Commitment, |i| i.0);
                // No `when` is a `when` that always holds.
                let (wv, ws) = when.map_or((self.ones, self.ok), |w| self.arg(w));
                let constant = matches!(body, Body::Constant);
                let (has_body, (bv, bs)) = match body {
                    Body::Value(b) => (true, self.arg(*b)),
                    _ => (false, (self.ones, self.ok)),
                };
                let mut codes = vec![DEFER; out.v.len()];
                let cells = out.v.iter_mut().zip(out.s.iter_mut()).zip(codes.iter_mut());
                let args = wv.iter().zip(ws).zip(bv.iter().zip(bs));
                for (((v, s), code), ((w, sw), (b, sb))) in cells.zip(args) {
                    let b = has_body.then_some((*b, *sb));
                    (*code, (*v, *s)) = decide(kind, (*w, *sw), b, constant);
                }
                if let Some(slot) = status.get_mut(*item) {
                    *slot = codes;
                }
            }
        }
    }
}

type Operand<'a> = (&'a [i64], &'a [u8]);

// The kernels zip equally long slices (see `Env::arg`), so the loops have
// no bounds checks and compile to straight-line code. A cell whose state
// is not `OK` may hold any value: every consumer looks at the state first.

fn map1(out: &mut Reg, x: Operand<'_>, f: impl Fn(i64, u8) -> (i64, u8)) {
    let cells = out.v.iter_mut().zip(out.s.iter_mut());
    for ((v, s), (x, sx)) in cells.zip(x.0.iter().zip(x.1)) {
        (*v, *s) = f(*x, *sx);
    }
}

fn map2(out: &mut Reg, a: Operand<'_>, b: Operand<'_>, f: impl Fn(i64, u8, i64, u8) -> (i64, u8)) {
    let cells = out.v.iter_mut().zip(out.s.iter_mut());
    let args = a.0.iter().zip(a.1).zip(b.0.iter().zip(b.1));
    for ((v, s), ((x, sx), (y, sy))) in cells.zip(args) {
        (*v, *s) = f(*x, *sx, *y, *sy);
    }
}

fn map3(
    out: &mut Reg,
    a: Operand<'_>,
    b: Operand<'_>,
    c: Operand<'_>,
    f: impl Fn((i64, u8), (i64, u8), (i64, u8)) -> (i64, u8),
) {
    let cells = out.v.iter_mut().zip(out.s.iter_mut());
    let args =
        a.0.iter()
            .zip(a.1)
            .zip(b.0.iter().zip(b.1))
            .zip(c.0.iter().zip(c.1));
    for ((v, s), (((x, sx), (y, sy)), (z, sz))) in cells.zip(args) {
        (*v, *s) = f((*x, *sx), (*y, *sy), (*z, *sz));
    }
}

fn unary(x: Operand<'_>, out: &mut Reg, f: impl Fn(i64) -> Option<i64>) {
    map1(out, x, |x, sx| match f(x) {
        Some(y) => (y, sx),
        None => (0, FALLBACK),
    });
}

fn const_tiers(
    out: &mut Reg,
    subject: Operand<'_>,
    prior: Option<Operand<'_>>,
    rows: &[(i64, i64)],
    otherwise: Option<i64>,
    hit: impl Fn(i64, i64) -> bool,
) {
    let none = otherwise.map_or((0, NOTHING), |o| (o, OK));
    match prior {
        None => map1(out, subject, |x, sx| {
            if sx != OK {
                return (0, FALLBACK);
            }
            rows.iter()
                .find(|(t, _)| hit(x, *t))
                .map_or(none, |(_, v)| (*v, OK))
        }),
        Some(prior) => map2(out, subject, prior, |x, sx, p, sp| {
            if sx != OK || sp != OK {
                return (0, FALLBACK);
            }
            rows.iter()
                .find(|(t, _)| hit(x, *t) && p < *t)
                .map_or(none, |(_, v)| (*v, OK))
        }),
    }
}

/// Arithmetic: a fallback on either side wins, then a nothing.
fn lifted(a: Operand<'_>, b: Operand<'_>, out: &mut Reg, f: impl Fn(i64, i64) -> Option<i64>) {
    map2(out, a, b, |x, sx, y, sy| match f(x, y) {
        Some(r) => (r, sx.max(sy)),
        None => (0, FALLBACK),
    });
}

/// Min and max: the first side that is not a value decides.
fn first_not_value(a: Operand<'_>, b: Operand<'_>, out: &mut Reg, f: impl Fn(i64, i64) -> i64) {
    map2(out, a, b, |x, sx, y, sy| {
        (f(x, y), if sx != OK { sx } else { sy })
    });
}

/// What other items see of an item that is not granted: an eligibility is
/// false, anything else is nothing.
fn not_granted(kind: ItemKind) -> (i64, u8) {
    if kind == ItemKind::Eligibility {
        (0, OK)
    } else {
        (0, NOTHING)
    }
}

/// An item's status code and what other items see of it, as the
/// interpreter decides them.
fn decide(
    kind: ItemKind,
    when: (i64, u8),
    body: Option<(i64, u8)>,
    constant: bool,
) -> (u8, (i64, u8)) {
    match when {
        (_, FALLBACK) => return (DEFER, (0, FALLBACK)),
        (_, NOTHING) | (0, _) => return (INELIGIBLE, not_granted(kind)),
        _ => {}
    }
    if kind == ItemKind::Commitment {
        return (LISTED, (1, OK));
    }
    if constant {
        // Granted, but its value is a benefit the fast path does not carry.
        return (GRANTED, (0, FALLBACK));
    }
    match body {
        None | Some((_, FALLBACK)) => (DEFER, (0, FALLBACK)),
        Some((_, NOTHING)) => (INELIGIBLE, not_granted(kind)),
        Some((x, _)) => match kind {
            ItemKind::Target => (if x != 0 { MET } else { NOT_MET }, (x, OK)),
            ItemKind::Eligibility if x != 0 => (GRANTED, (1, OK)),
            ItemKind::Eligibility => (INELIGIBLE, (0, OK)),
            // A negative amount is an error the interpreter reports.
            k if k.is_monetary() && x < 0 => (DEFER, (0, FALLBACK)),
            k if k.is_monetary() && x == 0 => (INELIGIBLE, (0, NOTHING)),
            k if k.is_monetary() => (GRANTED, (x, OK)),
            _ => (DEFER, (0, FALLBACK)),
        },
    }
}

struct Batch {
    /// Per item, per row: a status code.
    status: Vec<Vec<u8>>,
    /// Per item, per row: the amount at the item's scale.
    amounts: Vec<Vec<i64>>,
    /// Per row: the total at the plan's total scale.
    total: Vec<i64>,
    /// Per row: whether the plan decided it.
    decided: Vec<bool>,
}

/// The plan's results for a run of rows, kept as columns.
pub struct Outcomes {
    batches: Vec<Batch>,
}

impl Outcomes {
    fn at(&self, row: usize) -> Option<(&Batch, usize)> {
        Some((self.batches.get(row / BATCH)?, row % BATCH))
    }

    /// Whether the plan decided `row` (otherwise the interpreter must).
    pub fn decided(&self, row: usize) -> bool {
        self.at(row)
            .and_then(|(b, i)| b.decided.get(i).copied())
            .unwrap_or(false)
    }

    /// An item's status for a decided row.
    pub fn status(&self, row: usize, item: usize) -> Option<Status> {
        let (b, i) = self.at(row)?;
        Some(match *b.status.get(item)?.get(i)? {
            GRANTED => Status::Granted,
            INELIGIBLE => Status::Ineligible,
            MET => Status::Met,
            NOT_MET => Status::NotMet,
            LISTED => Status::Listed,
            _ => return None,
        })
    }

    /// An item's amount for a decided row (granted monetary items only).
    pub fn amount(&self, plan: &Plan, row: usize, item: usize) -> Option<Decimal> {
        let (kind, scale, _) = plan.items.get(item)?;
        if !kind.is_monetary() || self.status(row, item)? != Status::Granted {
            return None;
        }
        let (b, i) = self.at(row)?;
        Decimal::try_from_i128_with_scale(i128::from(*b.amounts.get(item)?.get(i)?), *scale).ok()
    }

    /// A decided row's total.
    pub fn total(&self, plan: &Plan, row: usize) -> Option<Decimal> {
        let (b, i) = self.at(row)?;
        Decimal::try_from_i128_with_scale(i128::from(*b.total.get(i)?), plan.total_scale).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_parse_at_a_scale() {
        assert_eq!(parse_plain(b"123.45", 2), Some(12345));
        assert_eq!(parse_plain(b"123", 2), Some(12300));
        assert_eq!(parse_plain(b"0.5", 4), Some(5000));
        // More decimals than the column holds, signs, magnitudes: slow path.
        assert_eq!(parse_plain(b"1.234", 2), None);
        assert_eq!(parse_plain(b"-1", 2), None);
        assert_eq!(parse_plain("1.2亿".as_bytes(), 2), None);
        assert_eq!(parse_plain(b"", 2), None);
        assert_eq!(parse_plain(b".5", 2), None);
        assert_eq!(parse_plain(b"99999999999999999999", 2), None);
    }

    #[test]
    fn scaled_values_are_exact_or_absent() {
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        assert_eq!(decimal_to_scaled(d("1.50"), 2), Some(150));
        assert_eq!(decimal_to_scaled(d("1.505"), 2), None);
        assert_eq!(decimal_to_scaled(d("100000000000000000000000000"), 2), None);
    }
}
