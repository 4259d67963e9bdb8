//! The compiled evaluation plan: a checked policy lowered once for fast
//! population runs.
//!
//! Names become slots, params are folded to constants, explanations are
//! gone, and items are evaluated column by column over batches of rows in
//! exact fixed-point arithmetic (`i128` counting millionths). Wherever a
//! row needs what the fast path cannot do exactly — a missing fact, a value
//! with more than six decimals, an inexact product or quotient, an
//! overflow, a negative amount — the plan gives up on that row and the
//! interpreter evaluates it, so results are identical, digit for digit, to
//! [`crate::evaluate`] (a differential test checks this).
//!
//! A policy the plan cannot express at all (dates, ranges, schedules,
//! `round`, `tbd` params, an evaluation date outside the window …) gets no
//! plan, and every row goes to the interpreter.

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::ast::*;
use crate::batch::{ItemOutcome, Row, RowResult};
use crate::check::{Policy, Symbol};
use crate::eval::{Options, Status, WindowStatus};
use crate::value::{Unit, Value};

/// Fixed-point scale: values count millionths.
const SCALE: i128 = 1_000_000;
const SCALE_DIGITS: u32 = 6;

/// Each row's status and amount for one item; `None` for the interpreter.
type Outcomes = Vec<Option<(Status, Option<i128>)>>;

/// Rows per column batch.
const BATCH: usize = 1024;

/// A value of the fast path, or why the row must go to the interpreter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// A number (millionths) or a condition (0 / 1).
    V(i128),
    /// Nothing: no tier matched, an item used is not granted.
    Nothing,
    /// The fast path cannot decide this row.
    Fallback,
}

#[derive(Debug, Clone)]
enum Node {
    Const(i128),
    Fact(usize),
    Item(usize),
    Neg(Box<Node>),
    Not(Box<Node>),
    Bin(BinaryOp, Box<Node>, Box<Node>),
    If(Box<Node>, Box<Node>, Box<Node>),
    MinMax(bool, Vec<Node>),
    Clamp(Box<Node>, Box<Node>, Box<Node>),
    Tiers {
        subject: Box<Node>,
        prior: Option<Box<Node>>,
        cmp: CmpOp,
        rows: Vec<(Node, Node)>,
        otherwise: Option<Box<Node>>,
    },
}

#[derive(Debug, Clone)]
enum Body {
    /// Money, a condition (eligibility, target), or a constant benefit.
    Value(Node),
    /// A benefit whose value is a constant: granted when its `when` holds.
    Constant,
    /// A commitment: always listed.
    Listed,
}

#[derive(Debug, Clone)]
struct PlanItem {
    kind: ItemKind,
    when: Option<Node>,
    body: Body,
}

/// A compiled policy.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Fact slots: name and whether it is a condition.
    facts: Vec<String>,
    items: Vec<PlanItem>,
    order: Vec<usize>,
}

/// A value as a fixed-point number, when exact.
pub fn to_fixed(v: &Value) -> Option<i128> {
    match v {
        Value::Num(_, d) => decimal_to_fixed(*d),
        Value::Bool(b) => Some(i128::from(*b)),
        _ => None,
    }
}

fn decimal_to_fixed(d: Decimal) -> Option<i128> {
    let d = d.normalize();
    let scale = d.scale();
    if scale > SCALE_DIGITS {
        return None;
    }
    d.mantissa().checked_mul(10i128.pow(SCALE_DIGITS - scale))
}

fn fixed_to_decimal(v: i128) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(v, SCALE_DIGITS)
        .ok()
        .map(|d| d.normalize())
}

struct Compiler<'p> {
    policy: &'p Policy,
    options: &'p Options,
    facts: Vec<String>,
}

impl Compiler<'_> {
    fn fact_slot(&mut self, name: &str) -> usize {
        match self.facts.iter().position(|f| f == name) {
            Some(i) => i,
            None => {
                self.facts.push(name.to_string());
                self.facts.len() - 1
            }
        }
    }

    fn lit(&self, v: &LitValue) -> Option<Node> {
        match v {
            LitValue::Quantity(_, d) => decimal_to_fixed(*d).map(Node::Const),
            LitValue::Bool(b) => Some(Node::Const(i128::from(*b))),
            _ => None,
        }
    }

    fn expr(&mut self, e: &Expr) -> Option<Node> {
        Some(match &e.node {
            ExprKind::Lit(l) => self.lit(&l.value)?,
            ExprKind::Name(n) => match self.policy.lookup(n)? {
                Symbol::Fact(i) => {
                    let f = self.policy.facts.get(i)?;
                    if !(f.unit.is_numeric() || f.unit == Unit::Bool) {
                        return None;
                    }
                    Node::Fact(self.fact_slot(n))
                }
                Symbol::Item(i) => Node::Item(i),
                Symbol::Param(i) => {
                    let p = self.policy.params.get(i)?;
                    // Folded: an override, or the policy's constant value.
                    let v = match self.options.params.get(&p.name) {
                        Some(v) => v.clone(),
                        None => crate::eval::constant(self.policy, p.value.as_ref()?, self.options)
                            .ok()?,
                    };
                    Node::Const(to_fixed(&v)?)
                }
                _ => return None,
            },
            ExprKind::Unary(UnaryOp::Neg, x) => Node::Neg(Box::new(self.expr(x)?)),
            ExprKind::Unary(UnaryOp::Not, x) => Node::Not(Box::new(self.expr(x)?)),
            // A soft cap only flags the result; the fast path has no flags.
            ExprKind::Unary(UnaryOp::Soft, _) => return None,
            ExprKind::Binary(BinaryOp::Range | BinaryOp::In, ..) => return None,
            ExprKind::Binary(op, l, r) => {
                Node::Bin(*op, Box::new(self.expr(l)?), Box::new(self.expr(r)?))
            }
            ExprKind::If(c, t, f) => Node::If(
                Box::new(self.expr(c)?),
                Box::new(self.expr(t)?),
                Box::new(self.expr(f)?),
            ),
            ExprKind::Call(Builtin::Min, args) => Node::MinMax(
                true,
                args.iter().map(|a| self.expr(a)).collect::<Option<_>>()?,
            ),
            ExprKind::Call(Builtin::Max, args) => Node::MinMax(
                false,
                args.iter().map(|a| self.expr(a)).collect::<Option<_>>()?,
            ),
            ExprKind::Call(Builtin::Clamp, args) => match args.as_slice() {
                [x, lo, hi] => Node::Clamp(
                    Box::new(self.expr(x)?),
                    Box::new(self.expr(lo)?),
                    Box::new(self.expr(hi)?),
                ),
                _ => return None,
            },
            ExprKind::Call(Builtin::Round, _) | ExprKind::Schedule(_) => return None,
            ExprKind::Tiers(t) => Node::Tiers {
                subject: Box::new(self.expr(&t.subject)?),
                prior: match &t.prior {
                    Some(p) => Some(Box::new(self.expr(p)?)),
                    None => None,
                },
                cmp: t.cmp,
                rows: t
                    .rows
                    .iter()
                    .map(|(a, b)| Some((self.expr(a)?, self.expr(b)?)))
                    .collect::<Option<_>>()?,
                otherwise: match &t.otherwise {
                    Some(o) => Some(Box::new(self.expr(o)?)),
                    None => None,
                },
            },
        })
    }

    fn is_constant(e: &Expr) -> bool {
        match &e.node {
            ExprKind::Lit(_) => true,
            ExprKind::Binary(_, l, r) => Self::is_constant(l) && Self::is_constant(r),
            ExprKind::Unary(UnaryOp::Neg, x) => Self::is_constant(x),
            _ => false,
        }
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
        };
        let mut items = Vec::with_capacity(policy.items.len());
        for info in &policy.items {
            let ast = &info.ast;
            let when = match &ast.when {
                Some(w) => Some(c.expr(w)?),
                None => None,
            };
            let body = match (ast.kind.node, &ast.body) {
                (ItemKind::Commitment, _) => Body::Listed,
                (ItemKind::Benefit, b) if Compiler::is_constant(b.expr()) => Body::Constant,
                (ItemKind::Benefit, _) => return None,
                (_, ItemBody::Value(e)) => Body::Value(c.expr(e)?),
                _ => return None,
            };
            items.push(PlanItem {
                kind: ast.kind.node,
                when,
                body,
            });
        }
        Some(Plan {
            facts: c.facts,
            items,
            order: policy.order.clone(),
        })
    }

    /// Evaluates rows; `None` for each row the interpreter must take.
    pub fn run(&self, rows: &[Row]) -> Vec<Option<RowResult>> {
        rows.par_chunks(BATCH)
            .flat_map_iter(|chunk| self.run_batch(chunk))
            .collect()
    }

    fn run_batch(&self, rows: &[Row]) -> Vec<Option<RowResult>> {
        let n = rows.len();
        // Fact columns.
        let facts: Vec<Vec<Cell>> = self
            .facts
            .iter()
            .map(|name| {
                rows.iter()
                    .map(|r| match r.facts.values.get(name).and_then(to_fixed) {
                        Some(v) => Cell::V(v),
                        None => Cell::Fallback,
                    })
                    .collect()
            })
            .collect();
        // Item columns: what other items see, and each row's outcome.
        let mut seen: Vec<Vec<Cell>> = vec![Vec::new(); self.items.len()];
        let mut outcome: Vec<Outcomes> = vec![Vec::new(); self.items.len()];
        for &i in &self.order {
            let Some(item) = self.items.get(i) else {
                continue;
            };
            let ctx = Ctx {
                facts: &facts,
                items: &seen,
                n,
            };
            let when = item.when.as_ref().map(|w| ctx.eval(w));
            let body = match &item.body {
                Body::Value(node) => Some(ctx.eval(node)),
                _ => None,
            };
            let mut s = Vec::with_capacity(n);
            let mut o = Vec::with_capacity(n);
            for row in 0..n {
                let w = when
                    .as_ref()
                    .map(|w| w.get(row).copied().unwrap_or(Cell::Fallback));
                let (out, see) = match w {
                    Some(Cell::Fallback) => (None, Cell::Fallback),
                    Some(Cell::Nothing) => {
                        (Some((Status::Ineligible, None)), nothing_for(item.kind))
                    }
                    Some(Cell::V(0)) => {
                        (Some((Status::Ineligible, None)), ineligible_seen(item.kind))
                    }
                    _ => {
                        let v = body
                            .as_ref()
                            .map(|b| b.get(row).copied().unwrap_or(Cell::Fallback));
                        decide(item, v)
                    }
                };
                s.push(see);
                o.push(out);
            }
            if let Some(slot) = seen.get_mut(i) {
                *slot = s;
            }
            if let Some(slot) = outcome.get_mut(i) {
                *slot = o;
            }
        }
        (0..n)
            .map(|row| {
                let mut items = Vec::with_capacity(self.items.len());
                let mut total: i128 = 0;
                for (i, item) in self.items.iter().enumerate() {
                    let (status, amount) = outcome.get(i)?.get(row).copied().flatten()?;
                    let amount = match amount {
                        Some(a) => {
                            if item.kind.is_monetary() && status == Status::Granted {
                                total = total.checked_add(a)?;
                            }
                            Some(fixed_to_decimal(a)?)
                        }
                        None => None,
                    };
                    items.push(ItemOutcome {
                        status,
                        min: amount,
                        max: amount,
                        causes: Vec::new(),
                    });
                }
                let total = fixed_to_decimal(total)?;
                Some(RowResult {
                    line: rows.get(row).map_or(0, |r| r.line),
                    items,
                    total_min: total,
                    total_max: total,
                    failed: false,
                })
            })
            .collect()
    }
}

/// What other items see of an item whose `when` is false.
fn ineligible_seen(kind: ItemKind) -> Cell {
    if kind == ItemKind::Eligibility {
        Cell::V(0)
    } else {
        Cell::Nothing
    }
}

fn nothing_for(kind: ItemKind) -> Cell {
    ineligible_seen(kind)
}

/// An item's status and amount from its value, as the interpreter decides.
fn decide(item: &PlanItem, v: Option<Cell>) -> (Option<(Status, Option<i128>)>, Cell) {
    match (&item.body, v) {
        (Body::Listed, _) => (Some((Status::Listed, None)), Cell::V(1)),
        (Body::Constant, _) => (Some((Status::Granted, None)), Cell::Fallback),
        (_, None | Some(Cell::Fallback)) => (None, Cell::Fallback),
        (_, Some(Cell::Nothing)) => (Some((Status::Ineligible, None)), nothing_for(item.kind)),
        (_, Some(Cell::V(x))) => match item.kind {
            ItemKind::Target => (
                Some((if x != 0 { Status::Met } else { Status::NotMet }, None)),
                Cell::V(x),
            ),
            ItemKind::Eligibility => {
                if x != 0 {
                    (Some((Status::Granted, None)), Cell::V(1))
                } else {
                    (Some((Status::Ineligible, None)), Cell::V(0))
                }
            }
            k if k.is_monetary() => {
                if x < 0 {
                    // A negative amount is an error the interpreter reports.
                    (None, Cell::Fallback)
                } else if x == 0 {
                    (Some((Status::Ineligible, None)), Cell::Nothing)
                } else {
                    (Some((Status::Granted, Some(x))), Cell::V(x))
                }
            }
            _ => (None, Cell::Fallback),
        },
    }
}

struct Ctx<'a> {
    facts: &'a [Vec<Cell>],
    items: &'a [Vec<Cell>],
    n: usize,
}

fn lift2(a: Cell, b: Cell, f: impl Fn(i128, i128) -> Option<i128>) -> Cell {
    match (a, b) {
        (Cell::Fallback, _) | (_, Cell::Fallback) => Cell::Fallback,
        (Cell::Nothing, _) | (_, Cell::Nothing) => Cell::Nothing,
        (Cell::V(x), Cell::V(y)) => f(x, y).map_or(Cell::Fallback, Cell::V),
    }
}

fn mul(x: i128, y: i128) -> Option<i128> {
    let p = x.checked_mul(y)?;
    (p % SCALE == 0).then_some(p / SCALE)
}

fn div(x: i128, y: i128) -> Option<i128> {
    if y == 0 {
        return None;
    }
    let p = x.checked_mul(SCALE)?;
    (p % y == 0).then_some(p / y)
}

fn cmp(op: CmpOp, x: i128, y: i128) -> i128 {
    i128::from(match op {
        CmpOp::Lt => x < y,
        CmpOp::Le => x <= y,
        CmpOp::Gt => x > y,
        CmpOp::Ge => x >= y,
        CmpOp::Eq => x == y,
        CmpOp::Ne => x != y,
    })
}

impl Ctx<'_> {
    fn eval(&self, node: &Node) -> Vec<Cell> {
        match node {
            Node::Const(c) => vec![Cell::V(*c); self.n],
            Node::Fact(i) => self
                .facts
                .get(*i)
                .cloned()
                .unwrap_or_else(|| vec![Cell::Fallback; self.n]),
            Node::Item(i) => self
                .items
                .get(*i)
                .cloned()
                .unwrap_or_else(|| vec![Cell::Fallback; self.n]),
            Node::Neg(x) => self
                .eval(x)
                .into_iter()
                .map(|c| match c {
                    Cell::V(v) => v.checked_neg().map_or(Cell::Fallback, Cell::V),
                    other => other,
                })
                .collect(),
            Node::Not(x) => self
                .eval(x)
                .into_iter()
                .map(|c| match c {
                    Cell::V(v) => Cell::V(i128::from(v == 0)),
                    other => other,
                })
                .collect(),
            Node::Bin(op, l, r) => {
                let (a, b) = (self.eval(l), self.eval(r));
                let op = *op;
                a.into_iter()
                    .zip(b)
                    .map(|(x, y)| match op {
                        // Kleene logic with all facts known: a definite side decides.
                        BinaryOp::And => match (x, y) {
                            (Cell::V(0), _) => Cell::V(0),
                            (Cell::V(_), Cell::V(0)) => Cell::V(0),
                            (Cell::V(_), Cell::V(_)) => Cell::V(1),
                            (Cell::Nothing, _) | (_, Cell::Nothing) => Cell::Fallback,
                            _ => Cell::Fallback,
                        },
                        BinaryOp::Or => match (x, y) {
                            (Cell::V(v), _) if v != 0 => Cell::V(1),
                            (Cell::V(_), Cell::V(w)) => Cell::V(i128::from(w != 0)),
                            _ => Cell::Fallback,
                        },
                        BinaryOp::Add => lift2(x, y, i128::checked_add),
                        BinaryOp::Sub => lift2(x, y, i128::checked_sub),
                        BinaryOp::Mul => lift2(x, y, mul),
                        BinaryOp::Div => lift2(x, y, div),
                        BinaryOp::Cmp(c) => lift2(x, y, |a, b| Some(cmp(c, a, b))),
                        BinaryOp::Range | BinaryOp::In => Cell::Fallback,
                    })
                    .collect()
            }
            Node::If(c, t, f) => {
                let (c, t, f) = (self.eval(c), self.eval(t), self.eval(f));
                c.into_iter()
                    .zip(t.into_iter().zip(f))
                    .map(|(c, (t, f))| match c {
                        Cell::V(0) => f,
                        Cell::V(_) => t,
                        _ => Cell::Fallback,
                    })
                    .collect()
            }
            Node::MinMax(pick_min, args) => {
                let cols: Vec<Vec<Cell>> = args.iter().map(|a| self.eval(a)).collect();
                (0..self.n)
                    .map(|row| {
                        let mut acc: Option<i128> = None;
                        for col in &cols {
                            match col.get(row).copied().unwrap_or(Cell::Fallback) {
                                Cell::V(v) => {
                                    acc = Some(match acc {
                                        None => v,
                                        Some(a) if *pick_min => a.min(v),
                                        Some(a) => a.max(v),
                                    })
                                }
                                Cell::Nothing => return Cell::Nothing,
                                Cell::Fallback => return Cell::Fallback,
                            }
                        }
                        acc.map_or(Cell::Fallback, Cell::V)
                    })
                    .collect()
            }
            Node::Clamp(x, lo, hi) => {
                let (x, lo, hi) = (self.eval(x), self.eval(lo), self.eval(hi));
                x.into_iter()
                    .zip(lo.into_iter().zip(hi))
                    .map(|(x, (l, h))| match (x, l, h) {
                        (Cell::V(x), Cell::V(l), Cell::V(h)) if l <= h => Cell::V(x.max(l).min(h)),
                        _ => Cell::Fallback,
                    })
                    .collect()
            }
            Node::Tiers {
                subject,
                prior,
                cmp: op,
                rows,
                otherwise,
            } => {
                let s = self.eval(subject);
                let p = prior.as_ref().map(|p| self.eval(p));
                let ths: Vec<Vec<Cell>> = rows.iter().map(|(t, _)| self.eval(t)).collect();
                let vals: Vec<Vec<Cell>> = rows.iter().map(|(_, v)| self.eval(v)).collect();
                let other = otherwise.as_ref().map(|o| self.eval(o));
                (0..self.n)
                    .map(|row| {
                        let Some(Cell::V(x)) = s.get(row).copied() else {
                            return Cell::Fallback;
                        };
                        for (th, val) in ths.iter().zip(&vals) {
                            let Some(Cell::V(t)) = th.get(row).copied() else {
                                return Cell::Fallback;
                            };
                            let mut hit = cmp(*op, x, t) != 0;
                            if let Some(p) = &p {
                                let Some(Cell::V(pv)) = p.get(row).copied() else {
                                    return Cell::Fallback;
                                };
                                hit = hit && pv < t;
                            }
                            if hit {
                                return val.get(row).copied().unwrap_or(Cell::Fallback);
                            }
                        }
                        match &other {
                            Some(o) => o.get(row).copied().unwrap_or(Cell::Fallback),
                            None => Cell::Nothing,
                        }
                    })
                    .collect()
            }
        }
    }
}
