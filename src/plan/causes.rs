//! Undetermined items in the plan: a cell "not known" (`UNKNOWN`) holds in
//! its value the bitset of its causes — the facts a row does not give and
//! the `tbd` params it reaches — so the plan decides an item undetermined
//! with the causes the interpreter names, rather than deferring the row.
//!
//! An `i64` holds 63 causes, and a policy may have more facts: bits are
//! given so that no two causes an item can reach (through its own rules
//! and the items they name) share one (a greedy colouring), so that each
//! item decodes its bits without ambiguity. A cause left without a bit
//! (more than 63 that one item reaches) is not carried: its missing cells
//! fall back to the interpreter as before.
//!
//! The kernels join bits exactly where the interpreter joins causes:
//! `combine` (arithmetic, comparisons, `in`, `min`, ranges) keeps the
//! causes of both operands, Kleene's `and` / `or` those of both sides when
//! neither decides, `if` those of its condition, and an item whose `when`
//! is not known those of its `when` and of its rule (evaluated for its
//! causes, `eval::item`).

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{DEFER, Plan, Reg, UNDETERMINED};
use crate::ast::{ExprKind, walk_exprs};
use crate::check::{FactId, ParamId, Policy, Symbol};
use crate::eval::{Cause, Options};

/// Most causes one item may reach and still decide undetermined.
const BITS: u32 = 63;

/// A cause the plan carries as a bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Key {
    /// A fact a row may not give.
    Fact(FactId),
    /// A `tbd` param the evaluation leaves open.
    Param(ParamId),
}

/// Per item: the cause each bit its cells may carry stands for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Decode(Vec<(u32, Cause)>);

/// The bits of a policy's causes, and what each item decodes them to.
pub(super) struct Bits {
    /// Per cause with a bit: the bit.
    pub bits: Vec<(Key, u32)>,
    /// Per item (policy order): its decoding.
    pub decode: Vec<Decode>,
}

impl Bits {
    /// The bit (as a one-bit set) of a cause, if it has one.
    pub fn of(&self, key: Key) -> Option<i64> {
        self.bits
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, b)| 1i64 << b)
    }
}

/// Whether param `p` is left `tbd` by `options`: no setting, dated or
/// not, and no value of its own (the interpreter's `param`).
pub(super) fn open_param(policy: &Policy, options: &Options, p: ParamId) -> bool {
    policy.param(p).is_some_and(|info| {
        info.value.is_none()
            && !options.params.contains_key(&info.name)
            && !options.dated_params.contains_key(&info.name)
    })
}

/// The cause a key stands for, as the interpreter names it.
fn cause(policy: &Policy, key: Key) -> Option<Cause> {
    Some(match key {
        Key::Fact(f) => {
            let info = policy.fact(f)?;
            Cause::Fact {
                name: info.name.clone(),
                label: info.label.clone(),
            }
        }
        Key::Param(p) => {
            let info = policy.param(p)?;
            Cause::Param {
                name: info.name.clone(),
                label: info.label.clone(),
            }
        }
    })
}

/// Gives the causes of `policy` their bits: per item the causes its rules
/// name and those of the items they name, each item's causes on distinct
/// bits.
pub(super) fn assign(policy: &Policy, options: &Options) -> Bits {
    let n = policy.items.len();
    let mut reach: Vec<BTreeSet<Key>> = vec![BTreeSet::new(); n];
    // In the policy's order an item's references come before it.
    for &i in &policy.order {
        let Some(info) = policy.item(i) else {
            continue;
        };
        let mut set = BTreeSet::new();
        let mut deps = Vec::new();
        for e in info.ast.when.iter().chain([info.ast.body.expr()]) {
            walk_exprs(e, &mut |x| {
                if let ExprKind::Name(name) = &x.node {
                    match name.symbol {
                        Some(Symbol::Fact(f)) => {
                            set.insert(Key::Fact(f));
                        }
                        Some(Symbol::Param(p)) if open_param(policy, options, p) => {
                            set.insert(Key::Param(p));
                        }
                        Some(Symbol::Item(j)) => deps.push(j.0),
                        _ => {}
                    }
                }
            });
        }
        for d in deps {
            if let Some(r) = reach.get(d) {
                set.extend(r.iter().copied());
            }
        }
        if let Some(slot) = reach.get_mut(i.0) {
            *slot = set;
        }
    }
    // Greedy colouring: each cause the lowest bit no cause it shares an
    // item with has.
    let mut bits: Vec<(Key, u32)> = Vec::new();
    let all: BTreeSet<Key> = reach.iter().flatten().copied().collect();
    for key in all {
        let mut taken = 0u64;
        for set in reach.iter().filter(|s| s.contains(&key)) {
            for other in set {
                if let Some((_, b)) = bits.iter().find(|(k, _)| k == other) {
                    taken |= 1 << b;
                }
            }
        }
        if let Some(b) = (0..BITS).find(|b| taken & (1 << b) == 0) {
            bits.push((key, b));
        }
    }
    let decode = reach
        .iter()
        .map(|set| {
            Decode(
                set.iter()
                    .filter_map(|k| {
                        let (_, b) = bits.iter().find(|(x, _)| x == k)?;
                        Some((*b, cause(policy, *k)?))
                    })
                    .collect(),
            )
        })
        .collect();
    Bits { bits, decode }
}

impl Decode {
    /// The causes of a bitset, in the interpreter's order; `None` if a bit
    /// stands for no cause of the item (which the kernels never write).
    fn causes(&self, bits: i64) -> Option<Vec<Cause>> {
        if bits <= 0 {
            return None;
        }
        let mut out = BTreeSet::new();
        for b in 0..BITS {
            if bits & (1 << b) != 0 {
                let (_, c) = self.0.iter().find(|(x, _)| *x == b)?;
                out.insert(c.clone());
            }
        }
        Some(out.into_iter().collect())
    }
}

/// An undetermined item's causes in a batch: (item, row in the batch) and
/// the causes, shared by the rows that have the same.
pub(super) type Causes = ((u32, u32), Arc<[Cause]>);

/// The causes of every item the batch decided undetermined, by (item,
/// row in the batch) in that order, read from the items' registers; an
/// item whose bits do not decode is deferred instead. Rows of an item
/// with the same causes share one list, decoded once.
pub(super) fn collect(plan: &Plan, status: &mut [Vec<u8>], regs: &[Reg], n: usize) -> Vec<Causes> {
    let mut out = Vec::new();
    for (item, codes) in status.iter_mut().enumerate() {
        if !codes.contains(&UNDETERMINED) {
            continue;
        }
        let reg = plan.items.get(item).and_then(|(_, _, r)| regs.get(*r));
        let decode = plan.decode.get(item);
        // An item has few sets of causes: the last one decoded is nearly
        // always the next one's.
        let mut last: Option<(i64, Arc<[Cause]>)> = None;
        for (row, code) in codes.iter_mut().enumerate().take(n) {
            if *code != UNDETERMINED {
                continue;
            }
            let bits = reg.and_then(|r| r.v.get(row)).copied().unwrap_or(0);
            let key = (u32::try_from(item).ok(), u32::try_from(row).ok());
            let causes = match &last {
                Some((b, c)) if *b == bits => Some(Arc::clone(c)),
                _ => decode
                    .and_then(|d| d.causes(bits))
                    .map(Arc::<[Cause]>::from),
            };
            match (causes, key) {
                (Some(c), (Some(i), Some(r))) => {
                    last = Some((bits, Arc::clone(&c)));
                    out.push(((i, r), c));
                }
                _ => *code = DEFER,
            }
        }
    }
    out
}

/// The cells' join of not-known states: the worst state, and for "not
/// known" the union of the causes of the operands that are not known (a
/// cell's value means nothing under any other state but "value").
#[inline(always)]
pub(super) fn join((x, sx): (i64, u8), (y, sy): (i64, u8)) -> (i64, u8) {
    let s = sx.max(sy);
    let bits = |v: i64, st: u8| if st == super::UNKNOWN { v } else { 0 };
    (
        if s == super::UNKNOWN {
            bits(x, sx) | bits(y, sy)
        } else {
            0
        },
        s,
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::plan::{FALLBACK, NOTHING, OK, UNKNOWN};
    use crate::span::SourceFile;

    #[test]
    fn joins_keep_the_causes_of_every_operand_not_known() {
        assert_eq!(join((0b01, UNKNOWN), (0b10, UNKNOWN)), (0b11, UNKNOWN));
        assert_eq!(join((0b01, UNKNOWN), (7, OK)), (0b01, UNKNOWN));
        // Nothing beats not known; what the plan cannot decide beats all.
        assert_eq!(join((0b01, UNKNOWN), (0, NOTHING)).1, NOTHING);
        assert_eq!(join((0, NOTHING), (0b01, UNKNOWN)).1, NOTHING);
        assert_eq!(join((0b01, UNKNOWN), (0, FALLBACK)).1, FALLBACK);
    }

    #[test]
    fn an_items_causes_have_distinct_bits_and_decode_in_the_interpreters_order() {
        let text = r#"
fact b: money "b"
fact a: money "a"
fact c: bool "c"
param p: money = tbd "p"
measure 1 "m" {
  subsidy x = a + b when c
  subsidy y = x + p
}
"#;
        let policy = crate::load(&SourceFile::new("p.decree", text)).unwrap();
        let bits = assign(&policy, &Options::default());
        let y = policy.items.iter().position(|i| i.name() == "y").unwrap();
        let d = &bits.decode[y];
        let mut seen: Vec<u32> = d.0.iter().map(|(b, _)| *b).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 4, "a, b, c and p on four bits");
        let all = d.0.iter().fold(0i64, |acc, (b, _)| acc | 1 << b);
        let names: Vec<String> = d
            .causes(all)
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(names.len(), 4);
        // Facts before params, by name: the interpreter's `BTreeSet` order.
        assert_eq!(
            names,
            ["fact a (a)", "fact b (b)", "fact c (c)", "tbd p (p)"]
        );
        // A bit no cause of the item has, or no bit: not decoded.
        assert!(d.causes(1 << 62).is_none());
        assert!(d.causes(0).is_none());
        // A param given a value is no cause.
        let mut set = Options::default();
        crate::facts::apply_setting(&policy, "p=5", &mut set).unwrap();
        assert_eq!(assign(&policy, &set).decode[y].0.len(), 3);
    }
}
