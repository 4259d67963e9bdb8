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
//! duration, a schedule, `round`, a text, a weight — is the *unplanned*
//! register (`compile`), and a value with more decimals than its column,
//! an overflow, a division that does not terminate or a negative amount
//! make a cell "fallback" at run time. A fact a row does not give and a
//! `tbd` param left open are not: their cells are "not known", holding the
//! bitset of their causes (`causes`), so an item they leave open is
//! decided *undetermined* by the plan, with the causes the interpreter
//! names ([`Outcomes::causes`]). Both
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
//! Files: `compile` lowers the policy to operations, `causes` gives the
//! causes of undetermined items their bits and decodes them, `columns` holds a
//! batch of rows as fixed-point fact columns, `kernels` runs each
//! operation over a batch (deciding items by the rules of
//! `crate::eval::decide`, which the interpreter shares), `kinds` holds the
//! encodings and kernels of enumerations, sets, ranges, computed benefits
//! and the unplanned register; this file holds the plan itself and its
//! results ([`Outcomes`]).

mod causes;
mod columns;
mod compile;
mod fuse;
mod fused;
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

/// Cell states: a value, "not known" (a missing fact, a `tbd` param: the
/// cell's value is then the bitset of its causes, see `causes`),
/// "nothing" (no tier matched, an item used is not granted), or "the
/// interpreter must decide this row". Ordered so that the worst of two
/// operands' states (`max`) is the interpreter's `combine`: nothing beats
/// not known, which beats a value, and what the plan cannot decide beats
/// all.
const OK: u8 = 0;
const UNKNOWN: u8 = 1;
const NOTHING: u8 = 2;
const FALLBACK: u8 = 3;

/// Item status codes in [`Outcomes`]; `DEFER` sends the row to the
/// interpreter.
const GRANTED: u8 = 0;
const INELIGIBLE: u8 = 1;
const MET: u8 = 2;
const NOT_MET: u8 = 3;
const LISTED: u8 = 4;
/// Granted, with a range of amounts (`lo..hi`, the two differing).
const RANGED: u8 = 5;
/// Undetermined, its causes the bitset in the item's register (codes from
/// this one on leave the row's total to `Outcomes`).
const UNDETERMINED: u8 = 6;
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
    /// `round`, `round_down`, `round_up` to a constant step.
    Round(Arg, Rounder),
    /// `years_between(from, to)` of two date cells (`kinds::date_cell`).
    YearsBetween(Arg, Arg),
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
    /// Every cell "not known" for these causes (a `tbd` param).
    Unknown(i64),
    /// A cell "not known" as "fallback": for a test whose causes the
    /// interpreter gathers otherwise than the plan's operations do (a tier
    /// table's, `Compiler::tiers`).
    Strict(Arg),
    /// `v in set`: a variant's index, a set's bitset (`kinds`).
    In(Arg, Arg),
    /// An item decided by `kinds::decide_kind`: a benefit's computed value,
    /// a range.
    DecideKind {
        item: usize,
        when: Option<Arg>,
        body: kinds::KindBody,
    },
    /// Operations fused into one pass by `fuse` (kernels in `fused`).
    Fused(fused::Fused),
}

/// How [`Op::Round`] rounds a value `x`: `x × factor` (its scale brought
/// to the step's) to the nearest, the lower or the higher multiple of
/// `step` (`> 0`), at that scale.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rounder {
    /// Brings `x` to the common scale.
    pub factor: i64,
    /// The step at the common scale.
    pub step: i64,
    /// Which multiple.
    pub how: crate::eval::arith::Rounding,
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
    /// Per fact slot: the cell of a row that does not give the fact (not
    /// known, its cause's bit; or, a fact without a bit, fallback).
    pub(crate) missing: Vec<(i64, u8)>,
    /// Per item: the causes its cells' bits stand for (`causes`).
    decode: Vec<causes::Decode>,
    /// Scale of the total (the largest monetary item scale).
    total_scale: u32,
}

impl Plan {
    /// Compiles a policy for evaluations with `options`, or `None` when the
    /// fast path cannot express it.
    pub fn compile(policy: &Policy, options: &Options) -> Option<Plan> {
        Self::build(policy, options, true)
    }

    /// The same plan with every operation its own pass, as before fusion
    /// (`fuse`): for differential tests and benchmarks of the fusion.
    pub fn compile_unfused(policy: &Policy, options: &Options) -> Option<Plan> {
        Self::build(policy, options, false)
    }

    /// How many items the plan decides in one fused pass each.
    pub fn fused_items(&self) -> usize {
        self.ops
            .iter()
            .filter(|op| matches!(op, Op::Fused(f) if !matches!(f, fused::Fused::Folded)))
            .count()
    }

    fn build(policy: &Policy, options: &Options, fusion: bool) -> Option<Plan> {
        // Outside the validity window every item is "not in force": the
        // interpreter says so with its reasons.
        if crate::eval::window(policy, options).status == WindowStatus::NotInForce {
            return None;
        }
        let c = compile::lower(policy, options)?;
        let ops = if fusion {
            fuse::fuse(c.ops, &c.consts, &c.items)
        } else {
            c.ops
        };
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
            ops,
            items,
            highs: c.highs,
            planned: c.planned,
            encodings: c.encodings,
            needs: crate::eval::partial::Needs::of(policy),
            missing: c.missing,
            decode: c.decode,
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
        let mut decisions = Decisions::new(self.items.len(), n);
        for (k, op) in self.ops.iter().enumerate() {
            // An operation folded into a later one writes nothing.
            if matches!(op, Op::Fused(fused::Fused::Folded)) {
                continue;
            }
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
                tables: &scratch.tables,
            };
            env.apply(op, out, self, &mut decisions);
        }
        self.settle_rest(&mut decisions, &scratch.regs, n);
        // Before the amounts leave: a range's high end may be read from any
        // register.
        let highs = kinds::highs(
            self,
            &decisions.status,
            &scratch.regs,
            n,
            &mut decisions.decided,
        );
        // The causes of the undetermined items, from their registers'
        // bits; bits that do not decode leave the item to the interpreter.
        let causes = causes::collect(self, &mut decisions.status, &scratch.regs, n);
        // The amounts leave with the batch; the register gets a new
        // buffer (as large, so the next batch does not grow it).
        let amounts = self
            .items
            .iter()
            .map(
                |(kind, _, reg)| match (kind.is_monetary(), scratch.regs.get_mut(*reg)) {
                    (true, Some(r)) if r.v.len() == n => {
                        std::mem::replace(&mut r.v, Vec::with_capacity(BATCH))
                    }
                    _ => Vec::new(),
                },
            )
            .collect();
        Batch {
            status: decisions.status,
            amounts,
            highs,
            total: decisions.total,
            decided: decisions.decided,
            causes,
        }
    }

    /// Adds to the totals the items no kernel settled (see
    /// [`Decisions::settle`]); an item without a status for every row
    /// leaves the batch to the interpreter rather than a wrong total.
    fn settle_rest(&self, d: &mut Decisions, regs: &[Reg], n: usize) {
        for (i, (kind, scale, reg)) in self.items.iter().enumerate() {
            if d.settled.get(i).copied().unwrap_or(true) {
                continue;
            }
            let codes = std::mem::take(d.status.get_mut(i).unwrap_or(&mut Vec::new()));
            match regs.get(*reg) {
                Some(r) if codes.len() == n && r.v.len() == n => {
                    d.settle(i, *kind, *scale, self.total_scale, &codes, &r.v);
                }
                _ => d.decided.iter_mut().for_each(|x| *x = false),
            }
            if let Some(slot) = d.status.get_mut(i) {
                *slot = codes;
            }
        }
    }
}

impl Plan {
    /// Per item, the table its `Decide` operation decides by, built once
    /// rather than per batch.
    fn decide_tables(&self) -> Vec<Option<kernels::DecideTable>> {
        let mut tables = vec![None; self.items.len()];
        for op in &self.ops {
            if let Op::Decide { item, body, .. } = op
                && let (Some(slot), Some((kind, ..))) =
                    (tables.get_mut(*item), self.items.get(*item))
            {
                let has_body = matches!(body, Body::Value(_));
                let constant = matches!(body, Body::Constant);
                *slot = Some(kernels::DecideTable::new(*kind, has_body, constant));
            }
        }
        tables
    }
}

/// One batch's decisions as the kernels write them: per item its status
/// codes, and per row the total so far and whether the plan decides it.
/// It reads as the per-item status columns (`Deref`), which is all most
/// kernels write.
pub(crate) struct Decisions {
    /// Per item, per row: a status code (`DEFER` until decided).
    pub status: Vec<Vec<u8>>,
    /// Per item: whether its codes and amounts are in `total` and
    /// `decided` already.
    pub settled: Vec<bool>,
    /// Per row: the total of the settled items, at the plan's total scale.
    pub total: Vec<i64>,
    /// Per row: no settled item deferred and the total did not overflow.
    pub decided: Vec<bool>,
}

impl Decisions {
    fn new(items: usize, n: usize) -> Decisions {
        Decisions {
            status: vec![Vec::new(); items],
            settled: vec![false; items],
            total: vec![0; n],
            decided: vec![true; n],
        }
    }

    /// Item `item`'s [`Share`] of the totals, once: `None` when it was
    /// taken already (or, which cannot happen, its scale does not fit the
    /// total's: then no row of the batch is decided).
    pub fn share(
        &mut self,
        item: usize,
        kind: ItemKind,
        scale: u32,
        total_scale: u32,
    ) -> Option<Share> {
        match self.settled.get_mut(item) {
            Some(s) if !*s => *s = true,
            _ => return None,
        }
        if !kind.is_monetary() {
            return Some(Share { factor: 0 });
        }
        match pow10(total_scale.saturating_sub(scale)) {
            Some(factor) => Some(Share { factor }),
            None => {
                self.decided.iter_mut().for_each(|d| *d = false);
                None
            }
        }
    }

    /// Takes item `item`'s codes and amounts (at `scale`) into the rows'
    /// totals (at `total_scale`) and decided flags, once (see [`Share`]).
    /// Both slices are one per row.
    pub fn settle(
        &mut self,
        item: usize,
        kind: ItemKind,
        scale: u32,
        total_scale: u32,
        codes: &[u8],
        amounts: &[i64],
    ) {
        let Some(share) = self.share(item, kind, scale, total_scale) else {
            return;
        };
        // Columns not one per row (which no kernel writes) leave the whole
        // batch to the interpreter.
        let n = self.total.len();
        if codes.len() != n || (kind.is_monetary() && amounts.len() != n) {
            self.decided.iter_mut().for_each(|d| *d = false);
            return;
        }
        let rows = self.total.iter_mut().zip(self.decided.iter_mut());
        let cells = codes
            .iter()
            .zip(amounts.iter().chain(std::iter::repeat(&0)));
        for ((t, d), (code, a)) in rows.zip(cells) {
            share.add(t, d, *code, *a);
        }
    }
}

/// How an item's decisions go into the rows: a deferred item leaves its
/// row to the interpreter, a granted amount (times `factor`, its scale
/// brought to the total's; `factor` 0 for an item that is not monetary)
/// adds to the total, and a total that overflows leaves its row to the
/// interpreter rather than being wrong.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Share {
    factor: i64,
}

impl Share {
    /// A share that adds nothing and defers nothing (for a kernel whose
    /// item is settled otherwise).
    pub const NONE: Share = Share { factor: 0 };

    /// One row: its total `t`, whether it is decided `d`, the item's code
    /// and amount.
    #[inline(always)]
    pub fn add(self, t: &mut i64, d: &mut bool, code: u8, amount: i64) {
        // Branch-free: a row not granted adds zero.
        let add = if code == GRANTED { amount } else { 0 };
        let (scaled, o1) = add.overflowing_mul(self.factor);
        let (sum, o2) = t.overflowing_add(scaled);
        *t = sum;
        // An undetermined item (or one deferred) leaves the row's total,
        // which is then incomplete, to `Outcomes`.
        *d &= !(o1 | o2) & (code < UNDETERMINED);
    }
}

impl std::ops::Deref for Decisions {
    type Target = [Vec<u8>];
    fn deref(&self) -> &[Vec<u8>] {
        &self.status
    }
}

impl std::ops::DerefMut for Decisions {
    fn deref_mut(&mut self) -> &mut [Vec<u8>] {
        &mut self.status
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
    /// Per item, the decision table of its `Decide` operation.
    tables: Vec<Option<kernels::DecideTable>>,
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
            tables: plan.decide_tables(),
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
    /// The causes of the undetermined items, by (item, row in the batch),
    /// in that order.
    causes: Vec<causes::Causes>,
}

/// An item's status, its least and greatest amount (granted monetary
/// items) as integers, and their scale: [`Outcomes::fixed`].
pub(crate) type FixedItem = (Status, Option<(i64, i64)>, u32);

/// One row of [`Outcomes`], for reading its items one by one in fixed
/// point.
pub(crate) struct FixedRow<'a> {
    plan: &'a Plan,
    batch: &'a Batch,
    i: usize,
}

impl FixedRow<'_> {
    /// An item's result in fixed point: its status and, for a granted
    /// monetary item, its least and greatest amount as integers counting
    /// `10^-scale` (they print as [`Outcomes::range`]'s decimals do, once
    /// trailing zeros are dropped). An undetermined item's causes are not
    /// in it ([`Outcomes::causes`]). `None` when the plan deferred the
    /// item.
    pub(crate) fn item(&self, item: usize) -> Option<FixedItem> {
        let (b, i) = (self.batch, self.i);
        let code = *b.status.get(item)?.get(i)?;
        let status = status_of(code)?;
        let (kind, scale, _) = self.plan.items.get(item)?;
        if status != Status::Granted || !kind.is_monetary() {
            return Some((status, None, *scale));
        }
        let lo = *b.amounts.get(item)?.get(i)?;
        let hi = match code {
            RANGED => *b.highs.get(item)?.get(i)?,
            _ => lo,
        };
        Some((status, Some((lo, hi)), *scale))
    }
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
        status_of(self.code(row, item)?)
    }

    /// Why an item the plan decided undetermined in `row` is so (its
    /// facts missing, its `tbd` params), in the interpreter's order; empty
    /// for any other item.
    pub fn causes(&self, row: usize, item: usize) -> &[crate::eval::Cause] {
        let Some((b, i)) = self.at(row) else {
            return &[];
        };
        let key = (
            u32::try_from(item).unwrap_or(u32::MAX),
            u32::try_from(i).unwrap_or(u32::MAX),
        );
        match b.causes.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(k) => b.causes.get(k).map_or(&[], |(_, c)| c),
            Err(_) => &[],
        }
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

    /// Row `row`'s items in fixed point, for a writer that prints digits
    /// without making decimals ([`FixedRow::item`]).
    pub(crate) fn fixed_row<'a>(&'a self, plan: &'a Plan, row: usize) -> Option<FixedRow<'a>> {
        let (batch, i) = self.at(row)?;
        Some(FixedRow { plan, batch, i })
    }

    /// A decided row's total, with the interpreter's digits: normalized,
    /// as `Total::sum` leaves its sum (`2.5 + 1.5` is `4`, `42805466.5 +
    /// 42805466.5` is `85610933`), not at the plan's total scale. `None`
    /// (the row then goes to the interpreter) past `Decimal`'s scales,
    /// which cannot happen.
    pub fn total(&self, plan: &Plan, row: usize) -> Option<Decimal> {
        let (b, i) = self.at(row)?;
        let total = *b.total.get(i)?;
        let scale = normalized_scale(total, plan.total_scale);
        // Divided in 64 bits (a division by one skipped), as 128-bit
        // division costs a call; exact, the zeros dropped being zeros.
        let divisor = pow10(plan.total_scale.checked_sub(scale)?)?;
        let whole = if divisor == 1 { total } else { total / divisor };
        (scale <= Decimal::MAX_SCALE).then(|| Decimal::new(whole, scale))
    }

    /// A row's total over items the plan decided, least and greatest, and
    /// whether it counts every monetary item (none undetermined): for a
    /// row [`Outcomes::decided`] leaves out for a range granted or an item
    /// undetermined. Summed exactly in 128-bit fixed point and normalized,
    /// as `population`'s decimal sum gives it; `None` when the plan
    /// deferred an item of the row, or the sum leaves `Decimal`'s range
    /// (the caller then sums in decimals).
    pub(crate) fn span(&self, plan: &Plan, row: usize) -> Option<((Decimal, Decimal), bool)> {
        let (b, i) = self.at(row)?;
        let (mut lo, mut hi, mut complete) = (0i128, 0i128, true);
        for (item, (kind, scale, _)) in plan.items.iter().enumerate() {
            let code = *b.status.get(item)?.get(i)?;
            // A code past the statuses is a deferral (`Outcomes::status`).
            if code > UNDETERMINED {
                return None;
            }
            if !kind.is_monetary() {
                continue;
            }
            let (a, z) = match code {
                GRANTED => {
                    let a = *b.amounts.get(item)?.get(i)?;
                    (a, a)
                }
                RANGED => (*b.amounts.get(item)?.get(i)?, *b.highs.get(item)?.get(i)?),
                UNDETERMINED => {
                    complete = false;
                    continue;
                }
                _ => continue,
            };
            let factor = 10i128.checked_pow(plan.total_scale.checked_sub(*scale)?)?;
            lo = lo.checked_add(i128::from(a).checked_mul(factor)?)?;
            hi = hi.checked_add(i128::from(z).checked_mul(factor)?)?;
        }
        let at = |v: i128| {
            Decimal::try_from_i128_with_scale(v, plan.total_scale)
                .ok()
                .map(|d| d.normalize())
        };
        Some(((at(lo)?, at(hi)?), complete))
    }
}

/// The status a code stands for; `None` for a deferral.
fn status_of(code: u8) -> Option<Status> {
    Some(match code {
        GRANTED | RANGED => Status::Granted,
        INELIGIBLE => Status::Ineligible,
        MET => Status::Met,
        NOT_MET => Status::NotMet,
        LISTED => Status::Listed,
        UNDETERMINED => Status::Undetermined,
        _ => return None,
    })
}

/// The scale of `v × 10^-scale` once its trailing zeros are dropped.
fn normalized_scale(mut v: i64, mut scale: u32) -> u32 {
    while scale > 0 && v % 10 == 0 {
        v /= 10;
        scale -= 1;
    }
    scale
}

/// A fixed-point integer as a decimal, normalized as the interpreter's
/// amounts are (the same digits).
fn fixed(v: i64, scale: u32) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(i128::from(v), scale)
        .ok()
        .map(|d| d.normalize())
}
