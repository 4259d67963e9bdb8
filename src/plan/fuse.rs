//! Peephole fusion of the plan's operations: the shapes that dominate real
//! policies become one pass each (kernels in `fused`) instead of one pass
//! and one register per operation.
//!
//! - `min(rate × fact, cap)`, `min(rate × (f₁ + f₂ …), cap)` and
//!   `rate × fact`, decided: `Decide` over `Min(Mul(Const, Fact | Add…),
//!   Const)` becomes [`Fused::CappedItem`];
//! - a constant tier table of at most [`TierTable::MAX_ROWS`] rows,
//!   decided: `Decide` over `ConstTiers` becomes [`Fused::TierItem`].
//!
//! Register numbers do not change: the fused operation takes the place of
//! the `Decide` (and writes its register, what other items see), and every
//! operation folded into it becomes [`Fused::Folded`]. An operation is
//! folded only when the fused one is its only reader, so nothing else ever
//! reads a register that is no longer written.

use super::fused::Fused;
use super::kernels::{DecideTable, TierTable};
use super::{Arg, Arith, Body, Op};
use crate::ast::ItemKind;

/// The operations with the shapes above fused; the others unchanged.
/// `items` are the plan's (kind, scale, register), by item.
pub(super) fn fuse(mut ops: Vec<Op>, consts: &[i64], items: &[(ItemKind, u32, usize)]) -> Vec<Op> {
    let uses = uses(&ops);
    for k in 0..ops.len() {
        let Some(Op::Decide { item, when, body }) = ops.get(k) else {
            continue;
        };
        let (item, when) = (*item, *when);
        let Body::Value(Arg::Reg(body)) = *body else {
            continue;
        };
        // The body's register must be read by this decision alone.
        if uses.get(body) != Some(&1) {
            continue;
        }
        let Some(&(kind, ..)) = items.get(item) else {
            continue;
        };
        let m = Matcher {
            ops: &ops,
            uses: &uses,
            consts,
            decide: DecideTable::new(kind, true, false),
        };
        let Some((fused, folded)) = m
            .capped(item, when, body)
            .or_else(|| m.tiers(item, when, body))
        else {
            continue;
        };
        for f in folded {
            if let Some(op) = ops.get_mut(f) {
                *op = Op::Fused(Fused::Folded);
            }
        }
        if let Some(op) = ops.get_mut(k) {
            *op = Op::Fused(fused);
        }
    }
    ops
}

/// How many times each register is read; a register read by an operation
/// whose operands are not known here counts as read by everything before
/// it, so that nothing it might read is folded.
fn uses(ops: &[Op]) -> Vec<usize> {
    let mut uses = vec![0usize; ops.len()];
    for (k, op) in ops.iter().enumerate() {
        match operands(op) {
            Some(args) => {
                for a in args {
                    if let Arg::Reg(r) = a
                        && let Some(u) = uses.get_mut(r)
                    {
                        *u += 1;
                    }
                }
            }
            None => uses.iter_mut().take(k).for_each(|u| *u += 2),
        }
    }
    uses
}

/// The operands an operation reads, or `None` for an operation this pass
/// does not know (a variant added later: give it an arm here to let the
/// operations feeding it be fused).
fn operands(op: &Op) -> Option<Vec<Arg>> {
    Some(match op {
        Op::Rescale(x, _) | Op::Neg(x) | Op::Not(x) | Op::Strict(x) | Op::Round(x, _) => {
            vec![*x]
        }
        Op::Arith(_, a, b)
        | Op::Div(a, b, _)
        | Op::And(a, b)
        | Op::Or(a, b)
        | Op::YearsBetween(a, b) => vec![*a, *b],
        Op::If(a, b, c) | Op::Clamp(a, b, c) => vec![*a, *b, *c],
        Op::ConstTiers { subject, prior, .. } => {
            let mut v = vec![*subject];
            v.extend(*prior);
            v
        }
        Op::Decide { when, body, .. } => {
            let mut v: Vec<Arg> = when.iter().copied().collect();
            if let Body::Value(b) = body {
                v.push(*b);
            }
            v
        }
        Op::Fused(Fused::Folded) => Vec::new(),
        Op::Fused(Fused::CappedItem { when, .. }) => when.iter().copied().collect(),
        Op::Fused(Fused::TierItem {
            when,
            subject,
            prior,
            ..
        }) => {
            let mut v: Vec<Arg> = when.iter().copied().collect();
            v.push(*subject);
            v.extend(*prior);
            v
        }
        Op::Unplanned | Op::Unknown(_) => Vec::new(),
        Op::In(a, b) => vec![*a, *b],
        Op::DecideKind { when, body, .. } => {
            let mut v: Vec<Arg> = when.iter().copied().collect();
            match body {
                super::kinds::KindBody::Benefit(b) => v.push(*b),
                super::kinds::KindBody::Range(lo, hi) => v.extend([*lo, *hi]),
            }
            v
        }
    })
}

/// Reads shapes out of the operation list.
struct Matcher<'a> {
    ops: &'a [Op],
    uses: &'a [usize],
    consts: &'a [i64],
    /// The decisions of the item being matched.
    decide: DecideTable,
}

/// A fused operation and the registers folded into it.
type Match = (Fused, Vec<usize>);

impl Matcher<'_> {
    /// The operation writing register `r`, when only one operation reads
    /// it (so it can be folded).
    fn single(&self, r: usize) -> Option<&Op> {
        (self.uses.get(r) == Some(&1))
            .then(|| self.ops.get(r))
            .flatten()
    }

    fn constant(&self, a: Arg) -> Option<i64> {
        match a {
            Arg::Const(i) => self.consts.get(i).copied(),
            _ => None,
        }
    }

    /// One of a pair that is a constant, and the other.
    fn split_const(&self, a: Arg, b: Arg) -> Option<(i64, Arg)> {
        match (self.constant(a), self.constant(b)) {
            (Some(c), None) => Some((c, b)),
            (None, Some(c)) => Some((c, a)),
            _ => None,
        }
    }

    /// `min(rate × Σ facts, cap)` or `rate × Σ facts` in register `body`.
    fn capped(&self, item: usize, when: Option<Arg>, body: usize) -> Option<Match> {
        let mut folded = vec![body];
        let (cap, product) = match self.ops.get(body)? {
            Op::Arith(Arith::Min, a, b) => {
                let (cap, other) = self.split_const(*a, *b)?;
                let Arg::Reg(p) = other else {
                    return None;
                };
                (Some(cap), p)
            }
            Op::Arith(Arith::Mul, ..) => (None, body),
            _ => return None,
        };
        if cap.is_some() {
            folded.push(product);
        }
        let Op::Arith(Arith::Mul, a, b) = (if cap.is_some() {
            self.single(product)?
        } else {
            self.ops.get(product)?
        }) else {
            return None;
        };
        let (rate, sum) = self.split_const(*a, *b)?;
        let terms = self.sum(sum, &mut folded)?;
        Some((
            Fused::CappedItem {
                item,
                when,
                rate,
                terms,
                cap,
                decide: Box::new(self.decide),
            },
            folded,
        ))
    }

    /// The fact slots of a fact or a left-to-right sum of facts (each
    /// addition folded).
    fn sum(&self, a: Arg, folded: &mut Vec<usize>) -> Option<Vec<usize>> {
        match a {
            Arg::Fact(f) => Some(vec![f]),
            Arg::Reg(r) => {
                let Op::Arith(Arith::Add, x, Arg::Fact(y)) = self.single(r)? else {
                    return None;
                };
                folded.push(r);
                let mut terms = self.sum(*x, folded)?;
                terms.push(*y);
                Some(terms)
            }
            _ => None,
        }
    }

    /// A constant tier table of a few rows in register `body`.
    fn tiers(&self, item: usize, when: Option<Arg>, body: usize) -> Option<Match> {
        let Op::ConstTiers {
            subject,
            prior,
            cmp,
            rows,
            otherwise,
        } = self.ops.get(body)?
        else {
            return None;
        };
        let table = TierTable::new(rows, *otherwise)?;
        Some((
            Fused::TierItem {
                item,
                when,
                subject: *subject,
                prior: *prior,
                table,
                cmp: *cmp,
                decide: Box::new(self.decide),
            },
            vec![body],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowered(text: &str) -> Option<super::super::compile::Lowered> {
        let policy = crate::load(&crate::SourceFile::new("t", text.to_string())).ok()?;
        super::super::compile::lower(&policy, &crate::Options::default())
    }

    fn kinds(ops: &[Op]) -> Vec<&'static str> {
        ops.iter()
            .map(|op| match op {
                Op::Fused(Fused::Folded) => "folded",
                Op::Fused(Fused::CappedItem { .. }) => "capped",
                Op::Fused(Fused::TierItem { .. }) => "tiers",
                _ => "op",
            })
            .collect()
    }

    const HEAD: &str = "policy \"p\" {\n  issued tbd\n  valid 5 years\n}\nfact x: money \"x\"\nfact y: money \"y\"\n";

    #[test]
    fn the_anchor_shapes_fuse_and_fold_their_operations() {
        let text = std::fs::read_to_string("examples/bench/anchor.decree").unwrap_or_default();
        let Some(c) = lowered(&text) else {
            panic!("the anchor lowers");
        };
        let ops = fuse(c.ops, &c.consts, &c.items);
        let k = kinds(&ops);
        assert_eq!(k.iter().filter(|k| **k == "capped").count(), 4, "{k:?}");
        assert_eq!(k.iter().filter(|k| **k == "tiers").count(), 1, "{k:?}");
        assert!(k.iter().all(|k| *k != "op"), "{k:?}");
    }

    #[test]
    fn an_item_read_by_another_fuses_and_keeps_its_register() {
        // `b` reads `a`'s decision register, which the fused kernel writes;
        // `b`'s own sum is no fused shape.
        let text = format!(
            "{HEAD}measure 1 \"m\" {{\n  subsidy a = min(20% * x, 100万)\n  subsidy b = a + 1元\n}}\n"
        );
        let Some(c) = lowered(&text) else {
            panic!("lowers");
        };
        let before = c.ops.len();
        let ops = fuse(c.ops, &c.consts, &c.items);
        assert_eq!(ops.len(), before);
        // `a` fuses (its register is read by `b`, which the fused kernel
        // writes); `b`'s sum does not.
        assert_eq!(kinds(&ops), vec!["folded", "folded", "capped", "op", "op"]);
    }

    #[test]
    fn unknown_shapes_are_left_alone() {
        let text = format!(
            "{HEAD}measure 1 \"m\" {{\n  subsidy a = min(x - y, 100万)\n  subsidy b = max(20% * x, 1元)\n}}\n"
        );
        let Some(c) = lowered(&text) else {
            panic!("lowers");
        };
        let ops = fuse(c.ops, &c.consts, &c.items);
        assert!(kinds(&ops).iter().all(|k| *k == "op"), "{:?}", kinds(&ops));
    }
}
