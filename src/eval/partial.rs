//! Partial evaluation: the interpreter run on some of a policy's items
//! only — those the compiled plan deferred for one row, and every item they
//! need — so that a population row is decided by the plan wherever it can
//! be and by the interpreter only where it must (`population::run`).
//!
//! This is the one interpreter, not a second evaluator: the items are
//! evaluated by [`Evaluator::item`] in the policy's order, stacking groups
//! and caps settled by the same `settle`, exactly as [`super::evaluate`]
//! does for all of them. What an item's evaluation reads is static — the
//! items named in its rules (with `amount_of`), the members of the groups
//! and caps it belongs to, the facts its rules and those items name — so an
//! item evaluated with [`Needs::closure`] of itself comes out as it does in
//! a whole evaluation.
//!
//! The one thing a whole evaluation shares across items is the step limit
//! (`Limits::max_steps`); [`Partial::within_limit`] says whether the
//! items left out could have pushed a whole evaluation over it, in which
//! case the caller evaluates the whole row instead.

use super::{Evaluator, ItemResult, Options, WindowStatus, window};
use crate::ast::{Expr, walk_exprs};
use crate::check::{FactId, ItemId, Policy, Symbol};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::Facts;

/// A set of items (by index in [`Policy::items`]), as a bitset.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ItemSet {
    words: Vec<u64>,
}

impl ItemSet {
    /// The empty set over `n` items.
    pub(crate) fn empty(n: usize) -> ItemSet {
        ItemSet {
            words: vec![0; n.div_ceil(64)],
        }
    }

    /// Adds item `i`.
    pub(crate) fn insert(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    /// Whether item `i` is in the set.
    pub(crate) fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Adds every item of `other`.
    pub(crate) fn union(&mut self, other: &ItemSet) {
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w |= o;
        }
    }

    /// Whether no item is in the set.
    pub(crate) fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// How many items are in the set.
    pub(crate) fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// What evaluating each item needs, worked out once per policy.
#[derive(Debug, Clone)]
pub(crate) struct Needs {
    /// Per item: the items that must be evaluated for it to come out as in
    /// a whole evaluation (itself included).
    closure: Vec<ItemSet>,
    /// Per item: a bound on the steps its own evaluation takes.
    steps: Vec<u64>,
    /// The steps of evaluating every param once.
    param_steps: u64,
    /// Per item: the facts its rules name (the list of a per-record item).
    facts: Vec<Vec<FactId>>,
}

impl Needs {
    /// The needs of `policy`'s items.
    pub(crate) fn of(policy: &Policy) -> Needs {
        let n = policy.items.len();
        let mut direct: Vec<ItemSet> = vec![ItemSet::empty(n); n];
        let mut facts: Vec<Vec<FactId>> = vec![Vec::new(); n];
        let mut steps = vec![0u64; n];
        for (i, info) in policy.items.iter().enumerate() {
            let (Some(d), Some(f), Some(s)) =
                (direct.get_mut(i), facts.get_mut(i), steps.get_mut(i))
            else {
                continue;
            };
            d.insert(i);
            let exprs = info.ast.when.iter().chain([info.ast.body.expr()]);
            for e in exprs {
                *s = s.saturating_add(read(e, d, f));
            }
            // A condition left open evaluates the rule once more for its
            // causes (`decided_by_condition`): twice the nodes bounds it.
            *s = s.saturating_mul(2);
            if let Some(each) = &info.each {
                f.push(each.fact);
            }
        }
        // Members of a stacking group or cap are decided together, and a
        // cap waits for the groups its members are in: one cluster each.
        let clusters = policy
            .groups
            .iter()
            .map(|g| g.members.as_slice())
            .chain(policy.caps.iter().map(|c| c.items.as_slice()));
        for members in clusters {
            let mut all = ItemSet::empty(n);
            for m in members {
                all.insert(m.0);
            }
            for m in members {
                if let Some(d) = direct.get_mut(m.0) {
                    d.union(&all);
                }
            }
        }
        let closure = (0..n).map(|i| close(&direct, i, n)).collect();
        let mut param_steps = 0u64;
        let mut ignored = (ItemSet::empty(n), Vec::new());
        for p in &policy.params {
            if let Some(e) = &p.value {
                param_steps = param_steps.saturating_add(read(e, &mut ignored.0, &mut ignored.1));
            }
        }
        // A param's rule may name facts (it cannot in a checked policy
        // today): every item is given them, so none is ever missing.
        for f in &mut facts {
            f.extend(ignored.1.iter().copied());
        }
        for c in &policy.caps {
            param_steps =
                param_steps.saturating_add(read(&c.amount, &mut ignored.0, &mut ignored.1));
        }
        Needs {
            closure,
            steps,
            param_steps,
            facts,
        }
    }

    /// The items to evaluate so that every item of `wanted` comes out as
    /// in a whole evaluation.
    pub(crate) fn closure(&self, wanted: &ItemSet) -> ItemSet {
        let mut all = ItemSet::empty(self.closure.len());
        for (i, c) in self.closure.iter().enumerate() {
            if wanted.contains(i) {
                all.union(c);
            }
        }
        all
    }

    /// The facts the items of `items` read, each once.
    pub(crate) fn facts(&self, items: &ItemSet) -> Vec<FactId> {
        let mut out: Vec<FactId> = self
            .facts
            .iter()
            .enumerate()
            .filter(|(i, _)| items.contains(*i))
            .flat_map(|(_, f)| f.iter().copied())
            .collect();
        out.sort_by_key(|f| f.0);
        out.dedup();
        out
    }

    /// How many items the policy has.
    pub(crate) fn len(&self) -> usize {
        self.closure.len()
    }
}

/// The items and facts `e` names, added to `items` and `facts`; returns
/// its number of nodes.
fn read(e: &Expr, items: &mut ItemSet, facts: &mut Vec<FactId>) -> u64 {
    let mut nodes = 0u64;
    walk_exprs(e, &mut |x| {
        nodes = nodes.saturating_add(1);
        if let crate::ast::ExprKind::Name(n) = &x.node {
            match n.symbol {
                Some(Symbol::Item(i)) => items.insert(i.0),
                Some(Symbol::Fact(f)) => facts.push(f),
                _ => {}
            }
        }
    });
    nodes
}

/// Everything item `i` reaches through `direct`.
fn close(direct: &[ItemSet], i: usize, n: usize) -> ItemSet {
    let mut seen = ItemSet::empty(n);
    let mut stack = vec![i];
    while let Some(j) = stack.pop() {
        if seen.contains(j) {
            continue;
        }
        seen.insert(j);
        if let Some(d) = direct.get(j) {
            stack.extend((0..n).filter(|k| d.contains(*k) && !seen.contains(*k)));
        }
    }
    seen
}

/// Some items' results, as the interpreter decided them.
pub(crate) struct Partial {
    /// The items evaluated, in the policy's order, with their results.
    pub results: Vec<(ItemId, ItemResult)>,
    /// The errors met, in the order a whole evaluation meets them.
    pub errors: Vec<Diagnostic>,
    /// Steps taken.
    steps: u64,
    /// Whether a limit was reached.
    limited: bool,
}

impl Partial {
    /// Whether a whole evaluation of the same row stays within the limits
    /// exactly as this one did: no limit was reached here, and the items
    /// left out (at most their bound of steps each, and every param once)
    /// could not have taken a whole evaluation over the step limit.
    pub(crate) fn within_limit(&self, needs: &Needs, items: &ItemSet, options: &Options) -> bool {
        let rest = needs
            .steps
            .iter()
            .enumerate()
            .filter(|(i, _)| !items.contains(*i))
            .fold(needs.param_steps, |acc, (_, s)| acc.saturating_add(*s));
        !self.limited && self.steps.saturating_add(rest) <= options.limits.max_steps
    }
}

/// Evaluates the items of `items` (a closure, [`Needs::closure`]) for one
/// enterprise, in the policy's order.
pub(crate) fn evaluate_items(
    policy: &Policy,
    facts: &Facts,
    options: &Options,
    items: &ItemSet,
) -> Partial {
    let mut ev = Evaluator::new(policy, facts, options);
    let in_force = window(policy, options).status != WindowStatus::NotInForce;
    for &idx in &policy.order {
        if !items.contains(idx.0) {
            continue;
        }
        let result = if in_force {
            ev.item(idx)
        } else {
            ev.not_in_force(idx)
        };
        if let Some(slot) = ev.items.get_mut(idx.0) {
            *slot = Some(result);
        }
        ev.settle();
    }
    let limited = ev.errors.iter().any(|d| d.code == Code::Limit);
    let results = ev
        .items
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| r.map(|(_, r)| (ItemId(i), r)))
        .collect();
    Partial {
        results,
        errors: ev.errors,
        steps: ev.steps,
        limited,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::span::SourceFile;

    const POLICY: &str = r#"
fact x: money "x"
fact y: money "y"
fact on: bool "on"
param p: money = tbd "p"
measure 1 "m" {
  subsidy a = min(20% * x, 100万)
  subsidy b = a + 1万 when on
  subsidy c = 10% * y
  subsidy d = p when on
}
"#;

    fn policy() -> Policy {
        crate::load(&SourceFile::new("p.decree", POLICY)).expect("checks")
    }

    fn set(policy: &Policy, names: &[&str]) -> ItemSet {
        let mut s = ItemSet::empty(policy.items.len());
        for n in names {
            let i = policy.items.iter().position(|i| i.name() == *n).unwrap();
            s.insert(i);
        }
        s
    }

    #[test]
    fn an_item_needs_the_items_it_names_and_their_facts() {
        let policy = policy();
        let needs = Needs::of(&policy);
        let b = needs.closure(&set(&policy, &["b"]));
        assert_eq!(b, set(&policy, &["a", "b"]));
        let facts: Vec<&str> = needs
            .facts(&b)
            .iter()
            .map(|f| policy.fact(*f).unwrap().name.as_str())
            .collect();
        assert_eq!(facts, ["x", "on"]);
        assert_eq!(needs.closure(&set(&policy, &["c"])), set(&policy, &["c"]));
    }

    #[test]
    fn the_items_evaluated_come_out_as_in_a_whole_evaluation() {
        let policy = policy();
        let needs = Needs::of(&policy);
        let facts =
            crate::facts_from_pairs(&policy, &[("x", "3亿"), ("on", "true"), ("y", "5")]).unwrap();
        let options = Options {
            skip_explanations: true,
            ..Options::default()
        };
        let whole = crate::evaluate(&policy, &facts, &options);
        let wanted = needs.closure(&set(&policy, &["b", "d"]));
        let part = evaluate_items(&policy, &facts, &options, &wanted);
        assert!(part.within_limit(&needs, &wanted, &options));
        let names: Vec<&str> = part.results.iter().map(|(_, r)| r.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "d"]);
        for (_, r) in &part.results {
            let w = whole.item(&r.name).unwrap();
            assert_eq!(
                (w.status, w.amount, &w.undetermined_by),
                (r.status, r.amount, &r.undetermined_by)
            );
        }
        // A step limit the rest of the policy could reach: not within it.
        let tight = Options {
            limits: crate::Limits::default().with_max_steps(part.steps + 1),
            ..options
        };
        assert!(!part.within_limit(&needs, &wanted, &tight));
    }
}
