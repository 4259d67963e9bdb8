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

use super::causes::join;
use super::kernels::{DecideTable, Env, TierTable, open_tiers};
use super::{Arg, DEFER, Decisions, FALLBACK, OK, Plan, Reg, Share};
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
        /// The item's decisions.
        decide: Box<DecideTable>,
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
        /// The item's decisions.
        decide: Box<DecideTable>,
    },
}

/// Runs a fused operation over the batch, writing `out`, the item's
/// status codes, and its share of the totals.
pub(super) fn apply(env: &Env<'_>, f: &Fused, out: &mut Reg, plan: &Plan, d: &mut Decisions) {
    let (item, when, table) = match f {
        Fused::Folded => return,
        Fused::CappedItem {
            item, when, decide, ..
        }
        | Fused::TierItem {
            item, when, decide, ..
        } => (*item, *when, decide),
    };
    let Some(&(kind, scale, _)) = plan.items.get(item) else {
        return;
    };
    let mut codes = vec![DEFER; out.v.len()];
    // Settled here, row by row, unless (which cannot happen) the item was
    // settled already or the columns are not one per row: then by
    // `Decisions::settle`, which sorts that out.
    let share = (d.total.len() == out.v.len())
        .then(|| d.share(item, kind, scale, plan.total_scale))
        .flatten();
    let mut sink = Sink {
        v: &mut out.v,
        s: &mut out.s,
        codes: &mut codes,
        total: &mut d.total,
        decided: &mut d.decided,
        share: share.unwrap_or(Share::NONE),
    };
    let when = when.map(|w| env.arg(w));
    match f {
        Fused::Folded => {}
        Fused::CappedItem {
            rate, terms, cap, ..
        } => capped(env, table, when, (*rate, terms, *cap), &mut sink),
        Fused::TierItem {
            subject,
            prior,
            table: tiers,
            cmp,
            ..
        } => {
            let subject = env.arg(*subject);
            let prior = prior.map(|p| env.arg(p));
            tier_item(table, when, (subject, prior), tiers, *cmp, &mut sink);
        }
    }
    if share.is_none() {
        d.settle(item, kind, scale, plan.total_scale, &codes, &out.v);
    }
    if let Some(slot) = d.status.get_mut(item) {
        *slot = codes;
    }
}

type Operand<'a> = (&'a [i64], &'a [u8]);

/// Where a fused kernel writes, one per row: what other items see (value,
/// state), the status code, and the row's total and decided flag.
struct Sink<'s> {
    v: &'s mut [i64],
    s: &'s mut [u8],
    codes: &'s mut [u8],
    total: &'s mut [i64],
    decided: &'s mut [bool],
    share: Share,
}

impl Sink<'_> {
    /// Decides every row: `cell` gives a row's body cell from its inputs,
    /// `table` the decision after its `when` cell (none: always holds).
    #[inline(always)]
    fn drive<T>(
        &mut self,
        table: &DecideTable,
        when: Option<Operand<'_>>,
        inputs: impl Iterator<Item = T>,
        cell: impl Fn(T) -> (i64, u8),
    ) {
        let share = self.share;
        let outs = self
            .v
            .iter_mut()
            .zip(self.s.iter_mut())
            .zip(self.codes.iter_mut())
            .zip(self.total.iter_mut().zip(self.decided.iter_mut()));
        let put = |(((v, s), code), (t, d)): (((&mut i64, &mut u8), &mut u8), _), w, x| {
            let (c, seen) = table.decide(w, cell(x));
            (*v, *s) = seen;
            *code = c;
            share.add(t, d, c, seen.0);
        };
        match when {
            // The common case: no `when`, decided as one that holds.
            None => {
                for (o, x) in outs.zip(inputs) {
                    put(o, (1, OK), x);
                }
            }
            Some((wv, ws)) => {
                for ((o, (w, sw)), x) in outs.zip(wv.iter().zip(ws)).zip(inputs) {
                    put(o, (*w, *sw), x);
                }
            }
        }
    }
}

impl Sink<'_> {
    /// Decides every row of a batch whose body is a value on every row
    /// (`value` gives it) and whose `when` always holds: the plain case,
    /// with no state to read or merge.
    #[inline(always)]
    fn drive_plain<T>(
        &mut self,
        table: &DecideTable,
        inputs: impl Iterator<Item = T>,
        value: impl Fn(T) -> i64,
    ) {
        let (share, [neg, zero, pos]) = (self.share, table.when_holds());
        let outs = self
            .v
            .iter_mut()
            .zip(self.s.iter_mut())
            .zip(self.codes.iter_mut())
            .zip(self.total.iter_mut().zip(self.decided.iter_mut()));
        for ((((v, s), code), (t, d)), x) in outs.zip(inputs) {
            let x = value(x);
            let e = match x.cmp(&0) {
                std::cmp::Ordering::Less => neg,
                std::cmp::Ordering::Equal => zero,
                std::cmp::Ordering::Greater => pos,
            };
            let (c, seen) = e.apply(x);
            (*v, *s) = seen;
            *code = c;
            share.add(t, d, c, seen.0);
        }
    }
}

/// Whether every sum of `terms` and its product by `rate` fit an `i64` on
/// every row of the batch, and every term is a value: the bounds of each
/// term over the batch bound every partial sum, and a product by a
/// constant is monotonic, so checking the bounds checks every row.
fn plain_in_range(terms: &[Operand<'_>], rate: i64) -> bool {
    let mut lo: i128 = 0;
    let mut hi: i128 = 0;
    for (v, s) in terms {
        if !s.iter().all(|s| *s == OK) {
            return false;
        }
        let (min, max) = v
            .iter()
            .fold((i64::MAX, i64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
        lo += i128::from(min);
        hi += i128::from(max);
        if i64::try_from(lo).is_err() || i64::try_from(hi).is_err() {
            return false;
        }
    }
    let r = i128::from(rate);
    [lo * r, hi * r].iter().all(|p| i64::try_from(*p).is_ok())
}

/// `min(rate × Σ terms, cap)` and its decision, per row. As the unfused
/// chain does: an overflow anywhere falls back, otherwise the state is the
/// worst of the terms' (constants are values).
fn capped(
    env: &Env<'_>,
    table: &DecideTable,
    when: Option<Operand<'_>>,
    (rate, terms, cap): (i64, &[usize], Option<i64>),
    sink: &mut Sink<'_>,
) {
    let cap = cap.unwrap_or(i64::MAX);
    let body = move |x: i64, st: u8, over: bool| {
        // Not a value: as it is (not known, with the terms' causes).
        if st != OK {
            return (x, st);
        }
        let (p, o) = x.overflowing_mul(rate);
        if over | o {
            (0, FALLBACK)
        } else {
            (p.min(cap), st)
        }
    };
    let fact = |t: &usize| env.arg(Arg::Fact(*t));
    // The common case, every term a value and nothing near overflowing:
    // the same values without states or overflow checks.
    if when.is_none() && terms.len() <= 2 {
        let columns: Vec<Operand<'_>> = terms.iter().map(fact).collect();
        if plain_in_range(&columns, rate) {
            let value = move |x: i64| (x * rate).min(cap);
            match columns.as_slice() {
                [a] => sink.drive_plain(table, a.0.iter(), |x| value(*x)),
                [a, b] => sink.drive_plain(table, a.0.iter().zip(b.0), |(x, y)| value(x + y)),
                _ => {}
            }
            return;
        }
    }
    match terms {
        [a] => {
            let a = env.arg(Arg::Fact(*a));
            let xs = a.0.iter().zip(a.1);
            sink.drive(table, when, xs, |(x, sx)| body(*x, *sx, false));
        }
        [a, b] => {
            let (a, b) = (env.arg(Arg::Fact(*a)), env.arg(Arg::Fact(*b)));
            let xs = a.0.iter().zip(a.1).zip(b.0.iter().zip(b.1));
            sink.drive(table, when, xs, |((x, sx), (y, sy))| {
                if (*sx | *sy) != OK {
                    return join((*x, *sx), (*y, *sy));
                }
                let (sum, over) = x.overflowing_add(*y);
                body(sum, OK, over)
            });
        }
        _ => {
            let sum = sum_of(env, terms);
            sink.drive(table, when, sum.iter(), |(x, st, over)| {
                body(*x, *st, *over)
            });
        }
    }
}

/// The terms added left to right, with their worst state (and the causes
/// of those not known) and whether an addition overflowed, for a sum of
/// more than two facts.
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
            if (*st | *sy) != OK {
                (*x, *st) = join((*x, *st), (*y, *sy));
                continue;
            }
            let (sum, o) = x.overflowing_add(*y);
            (*x, *over) = (sum, *over | o);
        }
    }
    acc
}

/// A constant tier table's value and the item's decision, per row, one
/// loop per comparator.
fn tier_item(
    table: &DecideTable,
    when: Option<Operand<'_>>,
    keys: (Operand<'_>, Option<Operand<'_>>),
    tiers: &TierTable,
    cmp: CmpOp,
    sink: &mut Sink<'_>,
) {
    let (t, w) = (table, when);
    match cmp {
        CmpOp::Ge => tier_rows(t, w, keys, tiers, |x, t| x >= t, sink),
        CmpOp::Gt => tier_rows(t, w, keys, tiers, |x, t| x > t, sink),
        CmpOp::Le => tier_rows(t, w, keys, tiers, |x, t| x <= t, sink),
        CmpOp::Lt => tier_rows(t, w, keys, tiers, |x, t| x < t, sink),
        CmpOp::Eq => tier_rows(t, w, keys, tiers, |x, t| x == t, sink),
        CmpOp::Ne => tier_rows(t, w, keys, tiers, |x, t| x != t, sink),
    }
}

#[inline(always)]
fn tier_rows(
    table: &DecideTable,
    when: Option<Operand<'_>>,
    (subject, prior): (Operand<'_>, Option<Operand<'_>>),
    tiers: &TierTable,
    hit: impl Fn(i64, i64) -> bool + Copy,
    sink: &mut Sink<'_>,
) {
    let xs = subject.0.iter().zip(subject.1);
    match prior {
        None => sink.drive(table, when, xs, |(x, sx)| {
            if *sx == OK {
                tiers.cell(|t| hit(*x, t), |_| true)
            } else {
                open_tiers(&tiers.rows, tiers.none, (*x, *sx), None, &hit)
            }
        }),
        Some(p) => {
            let xs = xs.zip(p.0.iter().zip(p.1));
            sink.drive(table, when, xs, |((x, sx), (p, sp))| {
                if *sx == OK && *sp == OK {
                    tiers.cell(|t| hit(*x, t), |t| *p < t)
                } else {
                    open_tiers(&tiers.rows, tiers.none, (*x, *sx), Some((*p, *sp)), &hit)
                }
            });
        }
    }
}
