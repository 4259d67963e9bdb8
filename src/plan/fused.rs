//! The kernels of fused operations (see `fuse`): an item's whole formula,
//! its decision and its share of the row total in one pass over the batch,
//! instead of one pass (and one register) per operation.
//!
//! Each kernel computes, cell for cell, what the chain of operations it
//! replaces would have computed — the same values, the same states, the
//! same overflow falling back — and decides by the same
//! [`DecideTable`](super::kernels::DecideTable), so fusing changes no
//! result (`tests/plan_fusion.rs` checks fused and unfused plans and the
//! interpreter against each other).

use super::kernels::{DecideTable, Env, TierTable};
use super::{Arg, DEFER, Decisions, FALLBACK, OK, Plan, Reg};
use crate::ast::CmpOp;

/// A fused operation. Like every operation, the one at index `k` writes
/// register `k`: an item's kernel there writes what other items see of it.
#[derive(Debug, Clone)]
pub(crate) enum Fused {
    /// An operation folded into a later fused one: it writes nothing, and
    /// nothing reads its register.
    Folded,
    /// An item `min(rate × (f₁ + f₂ + …), cap)` (or without the cap) over
    /// fact columns, decided after an optional `when`: `Decide` over
    /// `Arith(Min, Arith(Mul, Const, Fact | Add…), Const)`.
    CappedItem {
        /// The item decided.
        item: usize,
        /// Its `when`, if any.
        when: Option<Arg>,
        /// The constant factor.
        rate: i64,
        /// Fact slots added left to right, at one scale.
        terms: Vec<usize>,
        /// The constant cap, at the product's scale.
        cap: Option<i64>,
    },
    /// An item whose value is a constant tier table: `Decide` over
    /// `ConstTiers`.
    TierItem {
        /// The item decided.
        item: usize,
        /// Its `when`, if any.
        when: Option<Arg>,
        /// The table's subject.
        subject: Arg,
        /// The table's prior (`first reaching … over prior`).
        prior: Option<Arg>,
        /// The table, tabulated.
        table: TierTable,
        /// How the subject meets a threshold.
        cmp: CmpOp,
    },
}

/// Runs a fused operation over the batch, writing `out`, the item's
/// status codes, and its share of the totals.
pub(super) fn apply(env: &Env<'_>, f: &Fused, out: &mut Reg, plan: &Plan, d: &mut Decisions) {
    let (item, when) = match f {
        Fused::Folded => return,
        Fused::CappedItem { item, when, .. } | Fused::TierItem { item, when, .. } => (*item, *when),
    };
    let Some(&(kind, scale, _)) = plan.items.get(item) else {
        return;
    };
    let table = DecideTable::new(kind, true, false);
    let when = when.map_or((env.ones, env.ok), |w| env.arg(w));
    let mut codes = vec![DEFER; out.v.len()];
    match f {
        Fused::Folded => return,
        Fused::CappedItem {
            rate, terms, cap, ..
        } => capped(env, &table, when, (*rate, terms, *cap), out, &mut codes),
        Fused::TierItem {
            subject,
            prior,
            table: tiers,
            cmp,
            ..
        } => {
            let subject = env.arg(*subject);
            let prior = prior.map(|p| env.arg(p));
            tier_item(&table, when, subject, prior, tiers, *cmp, out, &mut codes);
        }
    }
    d.settle(item, kind, scale, plan.total_scale, &codes, &out.v);
    if let Some(slot) = d.status.get_mut(item) {
        *slot = codes;
    }
}

type Operand<'a> = (&'a [i64], &'a [u8]);

/// `min(rate × Σ terms, cap)` and its decision, per row. As the unfused
/// chain does: an overflow anywhere falls back, otherwise the state is the
/// worst of the terms' (constants are values).
fn capped(
    env: &Env<'_>,
    table: &DecideTable,
    when: Operand<'_>,
    (rate, terms, cap): (i64, &[usize], Option<i64>),
    out: &mut Reg,
    codes: &mut [u8],
) {
    let cap = cap.unwrap_or(i64::MAX);
    let body = |x: i64, st: u8, over: bool| {
        let (p, o) = x.overflowing_mul(rate);
        if over | o {
            (0, FALLBACK)
        } else {
            (p.min(cap), st)
        }
    };
    let cells = out.v.iter_mut().zip(out.s.iter_mut()).zip(codes.iter_mut());
    let when = when.0.iter().zip(when.1);
    match terms {
        [a] => {
            let a = env.arg(Arg::Fact(*a));
            let args = when.zip(a.0.iter().zip(a.1));
            for (((v, s), code), ((w, sw), (x, sx))) in cells.zip(args) {
                (*code, (*v, *s)) = table.decide((*w, *sw), body(*x, *sx, false));
            }
        }
        [a, b] => {
            let (a, b) = (env.arg(Arg::Fact(*a)), env.arg(Arg::Fact(*b)));
            let args = when.zip(a.0.iter().zip(a.1).zip(b.0.iter().zip(b.1)));
            for (((v, s), code), ((w, sw), ((x, sx), (y, sy)))) in cells.zip(args) {
                let (sum, over) = x.overflowing_add(*y);
                let cell = body(sum, (*sx).max(*sy), over);
                (*code, (*v, *s)) = table.decide((*w, *sw), cell);
            }
        }
        _ => {
            let sum = sum_of(env, terms);
            let args = when.zip(sum.iter());
            for (((v, s), code), ((w, sw), (x, st, over))) in cells.zip(args) {
                (*code, (*v, *s)) = table.decide((*w, *sw), body(*x, *st, *over));
            }
        }
    }
}

/// The terms added left to right, with their worst state and whether an
/// addition overflowed, for a sum of more than two facts.
fn sum_of(env: &Env<'_>, terms: &[usize]) -> Vec<(i64, u8, bool)> {
    let mut terms = terms.iter().map(|t| env.arg(Arg::Fact(*t)));
    let Some(first) = terms.next() else {
        return Vec::new();
    };
    let mut acc: Vec<(i64, u8, bool)> = first
        .0
        .iter()
        .zip(first.1)
        .map(|(v, s)| (*v, *s, false))
        .collect();
    for t in terms {
        for ((x, st, over), (y, sy)) in acc.iter_mut().zip(t.0.iter().zip(t.1)) {
            let (sum, o) = x.overflowing_add(*y);
            (*x, *st, *over) = (sum, (*st).max(*sy), *over | o);
        }
    }
    acc
}

/// A constant tier table's value and the item's decision, per row, one
/// loop per comparator.
#[allow(clippy::too_many_arguments)]
fn tier_item(
    table: &DecideTable,
    when: Operand<'_>,
    subject: Operand<'_>,
    prior: Option<Operand<'_>>,
    tiers: &TierTable,
    cmp: CmpOp,
    out: &mut Reg,
    codes: &mut [u8],
) {
    let run = |hit: fn(i64, i64) -> bool, out: &mut Reg, codes: &mut [u8]| {
        tier_rows(table, when, subject, prior, tiers, hit, out, codes);
    };
    match cmp {
        CmpOp::Ge => run(|x, t| x >= t, out, codes),
        CmpOp::Gt => run(|x, t| x > t, out, codes),
        CmpOp::Le => run(|x, t| x <= t, out, codes),
        CmpOp::Lt => run(|x, t| x < t, out, codes),
        CmpOp::Eq => run(|x, t| x == t, out, codes),
        CmpOp::Ne => run(|x, t| x != t, out, codes),
    }
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn tier_rows(
    table: &DecideTable,
    when: Operand<'_>,
    subject: Operand<'_>,
    prior: Option<Operand<'_>>,
    tiers: &TierTable,
    hit: impl Fn(i64, i64) -> bool,
    out: &mut Reg,
    codes: &mut [u8],
) {
    let cells = out.v.iter_mut().zip(out.s.iter_mut()).zip(codes.iter_mut());
    let args = when
        .0
        .iter()
        .zip(when.1)
        .zip(subject.0.iter().zip(subject.1));
    match prior {
        None => {
            for (((v, s), code), ((w, sw), (x, sx))) in cells.zip(args) {
                let cell = if *sx == OK {
                    tiers.cell(|t| hit(*x, t), |_| true)
                } else {
                    (0, FALLBACK)
                };
                (*code, (*v, *s)) = table.decide((*w, *sw), cell);
            }
        }
        Some(p) => {
            let args = args.zip(p.0.iter().zip(p.1));
            for (((v, s), code), (((w, sw), (x, sx)), (p, sp))) in cells.zip(args) {
                let cell = if *sx == OK && *sp == OK {
                    tiers.cell(|t| hit(*x, t), |t| *p < t)
                } else {
                    (0, FALLBACK)
                };
                (*code, (*v, *s)) = table.decide((*w, *sw), cell);
            }
        }
    }
}
