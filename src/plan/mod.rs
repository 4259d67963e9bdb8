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
//! rounds. Values of an enumeration are stored by index and sets of them
//! as bitsets (`v in set`); a monetary item whose rule is a range
//! `lo..hi` keeps both ends; a benefit's computed value (`at most rent`)
//! decides it; `soft` changes no value a row shows, so it compiles away.
//!
//! **Per item, per row.** Whatever the plan cannot compute — a date, a
//! duration, a `tbd` param, a schedule, `round`, a text, a weight — is the
//! *unplanned* register (`compile`), and a missing fact, a value with more
//! decimals than its column, an overflow, a division that does not
//! terminate or a negative amount make a cell "fallback" at run time. Both
//! travel only where the interpreter would evaluate them, so an item is
//! decided by the plan on every row where its decision does not reach
//! them, and *deferred* on the others ([`Outcomes::status`] is `None`).
//! Items the plan never decides — per-record items, members of stacking
//! groups and caps, which the interpreter amends together — are deferred
//! on every row ([`Plan::plans`]). The population loop then runs the
//! interpreter on the deferred items and the items they need only
//! (`eval::partial`), and merges both into one row, so results are
//! identical, digit for digit, to [`crate::evaluate`] (the differential
//! tests of `tests/batch.rs` and `tests/population.rs` check this).
//!
//! A policy out of force on the evaluation date gets no plan (the
//! interpreter says why for every item), nor does one of which the plan
//! would decide no item on any row.
//!
//! Files: `compile` lowers the policy to operations, `columns` holds a
//! batch of rows as fixed-point fact columns, `kernels` runs each
//! operation over a batch (deciding items by the rules of
//! `crate::eval::decide`, which the interpreter shares), `kinds` holds the
//! encodings and kernels of enumerations, sets, ranges, computed benefits
//! and the unplanned register; this file holds the plan itself and its
//! results ([`Outcomes`]).

mod columns;
mod compile;
mod kernels;
mod kinds;

use rayon::prelude::*;
use rust_decimal::Decimal;

use columns::pow10;
pub use columns::{Columns, parse_plain, to_scaled};

use crate::ast::{CmpOp, ItemKind};
use crate::check::{FactId, Policy};
use crate::eval::{Options, Status, WindowStatus};
use crate::units::Unit;
use crate::value::Value;

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
/// Granted, with a range of amounts (`lo..hi`, the two differing).
const RANGED: u8 = 5;
const DEFER: u8 = u8::MAX;

/// An operand: a register (the result of an earlier operation), a fact
/// column, a constant of the pool, or nothing (a table without `else`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg {
    Reg(usize),
    Fact(usize),
    Const(usize),
    Nothing,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Cmp(CmpOp),
    Min,
    Max,
}

/// One column operation; operation `k` writes register `k`.
#[derive(Debug, Clone)]
pub(crate) enum Op {
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
    /// Every cell "fallback": what the plan cannot compute (`compile`).
    Unplanned,
    /// `v in set`: a variant's index, a set's bitset (`kinds`).
    In(Arg, Arg),
    /// An item decided by `kinds::decide_kind`: a benefit's computed value,
    /// a range.
    DecideKind {
        item: usize,
        when: Option<Arg>,
        body: kinds::KindBody,
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Body {
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
    /// Per item: the register of its range's high end, if its rule is one.
    highs: Vec<Option<usize>>,
    /// Per item: whether the plan decides it on some rows.
    planned: Vec<bool>,
    /// Per fact slot: how its values are stored.
    encodings: Vec<kinds::Encoding>,
    /// What the interpreter needs to decide each item the plan defers.
    needs: crate::eval::partial::Needs,
    /// Scale of the total (the largest monetary item scale).
    total_scale: u32,
}

impl Plan {
    /// Compiles a policy for evaluations with `options`, or `None` when the
    /// fast path cannot express it.
    pub fn compile(policy: &Policy, options: &Options) -> Option<Plan> {
        // Outside the validity window every item is "not in force": the
        // interpreter says so with its reasons.
        if crate::eval::window(policy, options).status == WindowStatus::NotInForce {
            return None;
        }
        let c = compile::lower(policy, options)?;
        let items = c.items;
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
            highs: c.highs,
            planned: c.planned,
            encodings: c.encodings,
            needs: crate::eval::partial::Needs::of(policy),
            total_scale,
        })
    }

    /// Whether the plan decides item `item` (by index in the policy's
    /// items) on some rows; the others it defers to the interpreter on
    /// every row (per-record items, members of stacking groups and caps,
    /// items whose `when` — or whose rule, without a `when` — the plan
    /// cannot compute).
    pub fn plans(&self, item: usize) -> bool {
        self.planned.get(item).copied().unwrap_or(false)
    }

    /// How many of the policy's items the plan decides on some rows.
    pub fn planned_count(&self) -> usize {
        self.planned.iter().filter(|p| **p).count()
    }

    /// What the interpreter needs for the items the plan defers.
    pub(crate) fn needs(&self) -> &crate::eval::partial::Needs {
        &self.needs
    }

    /// Whether a cell of fact slot `slot` may be read as a plain decimal
    /// ([`parse_plain`]): a number's, not a value of an enumeration nor
    /// a set of them.
    pub fn plain_cells(&self, slot: usize) -> bool {
        self.encodings.get(slot).is_some_and(kinds::Encoding::plain)
    }

    /// A value that is no number as fact slot `slot` stores it.
    pub(crate) fn encode(&self, slot: usize, v: &Value) -> Option<i64> {
        self.encodings.get(slot)?.encode(v)
    }

    /// The facts the plan reads, by slot.
    pub fn facts(&self) -> &[FactSlot] {
        &self.facts
    }

    /// How many items the plan has results for (all of the policy's,
    /// decided or deferred row by row).
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
            let env = kernels::Env {
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
        let highs = kinds::highs(self, &status, &scratch.regs, n, &mut decided);
        Batch {
            status,
            amounts,
            highs,
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

struct Batch {
    /// Per item, per row: a status code.
    status: Vec<Vec<u8>>,
    /// Per item, per row: the amount at the item's scale.
    amounts: Vec<Vec<i64>>,
    /// Per item with a range, per row: its high end at the item's scale.
    highs: Vec<Vec<i64>>,
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

    /// Whether the plan decided every item of `row` and its total (a row
    /// with an item deferred, a range granted or a total too large for the
    /// plan's integers is not: see [`Outcomes::deferred`]).
    pub fn decided(&self, row: usize) -> bool {
        self.at(row)
            .and_then(|(b, i)| b.decided.get(i).copied())
            .unwrap_or(false)
    }

    fn code(&self, row: usize, item: usize) -> Option<u8> {
        let (b, i) = self.at(row)?;
        b.status.get(item)?.get(i).copied()
    }

    /// An item's status in `row`, when the plan decided it; `None` when it
    /// deferred it to the interpreter.
    pub fn status(&self, row: usize, item: usize) -> Option<Status> {
        Some(match self.code(row, item)? {
            GRANTED | RANGED => Status::Granted,
            INELIGIBLE => Status::Ineligible,
            MET => Status::Met,
            NOT_MET => Status::NotMet,
            LISTED => Status::Listed,
            _ => return None,
        })
    }

    /// The items of `plan` the plan deferred in `row`, for the interpreter
    /// (`eval::partial`).
    pub(crate) fn deferred(&self, plan: &Plan, row: usize) -> crate::eval::partial::ItemSet {
        let n = plan.items.len();
        let mut set = crate::eval::partial::ItemSet::empty(n);
        for item in 0..n {
            if self.status(row, item).is_none() {
                set.insert(item);
            }
        }
        set
    }

    /// An item's amount in `row` (granted monetary items only): the least
    /// of its range when it has one.
    pub fn amount(&self, plan: &Plan, row: usize, item: usize) -> Option<Decimal> {
        self.range(plan, row, item).map(|(lo, _)| lo)
    }

    /// An item's least and greatest amount in `row` (granted monetary items
    /// only; equal unless its rule is a range).
    pub fn range(&self, plan: &Plan, row: usize, item: usize) -> Option<(Decimal, Decimal)> {
        let (kind, scale, _) = plan.items.get(item)?;
        if !kind.is_monetary() || self.status(row, item)? != Status::Granted {
            return None;
        }
        let (b, i) = self.at(row)?;
        let lo = fixed(*b.amounts.get(item)?.get(i)?, *scale)?;
        let hi = match self.code(row, item)? {
            RANGED => fixed(*b.highs.get(item)?.get(i)?, *scale)?,
            _ => lo,
        };
        Some((lo, hi))
    }

    /// A decided row's total.
    pub fn total(&self, plan: &Plan, row: usize) -> Option<Decimal> {
        let (b, i) = self.at(row)?;
        Decimal::try_from_i128_with_scale(i128::from(*b.total.get(i)?), plan.total_scale).ok()
    }
}

/// A fixed-point integer as a decimal, normalized as the interpreter's
/// amounts are (the same digits).
fn fixed(v: i64, scale: u32) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(i128::from(v), scale)
        .ok()
        .map(|d| d.normalize())
}
