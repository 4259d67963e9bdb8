//! Where one evaluation keeps what it has decided of each item: what
//! other items see of it (its [`Out`]) and its [`ItemResult`], the latter
//! already in its place among its measure's results.
//!
//! A result is some 500 bytes, and an evaluation used to keep results by
//! item and move each into its measure at the end: two more copies of
//! every result, which were most of a lean evaluation's time. Here each
//! result is written once, where the [`super::MeasureResult`] will own it,
//! over a placeholder that owns no memory.

use super::{ItemResult, Out, Status};
use crate::ast::ItemKind;
use crate::check::{ItemId, Policy};

/// The outcomes and results of one evaluation's items.
#[derive(Default)]
pub(super) struct Slots {
    /// What each item comes to as other items see it, by [`ItemId`]:
    /// `Some` once it is evaluated.
    seen: Vec<Option<Out>>,
    /// The results, measure by measure in the order written (an item in
    /// no measure, which a checked policy does not have, in one more
    /// list at the end, never shown).
    results: Vec<Vec<ItemResult>>,
    /// Where each item's result stands in `results`, by [`ItemId`].
    at: Vec<(usize, usize)>,
}

impl Slots {
    /// No item evaluated yet.
    pub(super) fn new(policy: &Policy) -> Slots {
        let n = policy.items.len();
        let strays = policy.measures.len();
        let mut at: Vec<Option<(usize, usize)>> = vec![None; n];
        let mut results: Vec<Vec<ItemResult>> = policy
            .measures
            .iter()
            .enumerate()
            .map(|(m, info)| {
                let mut list = Vec::with_capacity(info.items.len());
                for (k, &i) in info.items.iter().enumerate() {
                    // An item listed twice keeps its first place, as the
                    // measures showed only its first before.
                    if let Some(slot) = at.get_mut(i.0).filter(|s| s.is_none()) {
                        *slot = Some((m, k));
                    }
                    list.push(placeholder());
                }
                list
            })
            .collect();
        let mut stray = Vec::new();
        let at = at
            .into_iter()
            .map(|a| {
                a.unwrap_or_else(|| {
                    stray.push(placeholder());
                    (strays, stray.len() - 1)
                })
            })
            .collect();
        results.push(stray);
        Slots {
            seen: super::nones(n),
            results,
            at,
        }
    }

    /// Item `i`'s place in `results`.
    fn place(&self, i: ItemId) -> Option<(usize, usize)> {
        self.at.get(i.0).copied()
    }

    /// Whether item `i` is evaluated.
    pub(super) fn is_set(&self, i: ItemId) -> bool {
        self.seen.get(i.0).is_some_and(Option::is_some)
    }

    /// What item `i` comes to, once evaluated.
    pub(super) fn seen(&self, i: ItemId) -> Option<&Out> {
        self.seen.get(i.0).and_then(Option::as_ref)
    }

    /// Item `i`'s result, once evaluated.
    pub(super) fn result(&self, i: ItemId) -> Option<&ItemResult> {
        self.seen(i)?;
        let (m, k) = self.place(i)?;
        self.results.get(m)?.get(k)
    }

    /// What item `i` comes to and its result, to change them.
    pub(super) fn get_mut(&mut self, i: ItemId) -> Option<(&mut Out, &mut ItemResult)> {
        let (m, k) = self.place(i)?;
        let seen = self.seen.get_mut(i.0)?.as_mut()?;
        let result = self.results.get_mut(m)?.get_mut(k)?;
        Some((seen, result))
    }

    /// Records item `i` as evaluated.
    pub(super) fn set(&mut self, i: ItemId, (out, result): (Out, ItemResult)) {
        let Some((m, k)) = self.place(i) else {
            return;
        };
        if let (Some(seen), Some(slot)) = (
            self.seen.get_mut(i.0),
            self.results.get_mut(m).and_then(|r| r.get_mut(k)),
        ) {
            *seen = Some(out);
            *slot = result;
        }
    }

    /// Takes item `i`'s outcome and result away: it is not evaluated
    /// until set again.
    pub(super) fn take(&mut self, i: ItemId) -> Option<(Out, ItemResult)> {
        let (m, k) = self.place(i)?;
        let slot = self.results.get_mut(m)?.get_mut(k)?;
        let out = self.seen.get_mut(i.0)?.take()?;
        Some((out, std::mem::replace(slot, placeholder())))
    }

    /// Whether the result at `k` of measure `m` is an evaluated item's.
    fn shown(&self, ids: &[ItemId], m: usize, k: usize) -> bool {
        ids.get(k)
            .is_some_and(|&i| self.place(i) == Some((m, k)) && self.is_set(i))
    }

    /// The results of each measure's evaluated items, in the order
    /// written.
    pub(super) fn into_measures(mut self, policy: &Policy) -> Vec<Vec<ItemResult>> {
        let mut lists = std::mem::take(&mut self.results);
        lists.truncate(policy.measures.len());
        lists
            .into_iter()
            .zip(&policy.measures)
            .enumerate()
            .map(|(m, (list, info))| {
                let all = (0..list.len()).all(|k| self.shown(&info.items, m, k));
                if all {
                    return list;
                }
                list.into_iter()
                    .enumerate()
                    .filter(|(k, _)| self.shown(&info.items, m, *k))
                    .map(|(_, r)| r)
                    .collect()
            })
            .collect()
    }

    /// The evaluated items' results, in the order of their ids.
    pub(super) fn into_evaluated(mut self) -> Vec<(ItemId, ItemResult)> {
        (0..self.seen.len())
            .map(ItemId)
            .filter_map(|i| Some((i, self.take(i)?.1)))
            .collect()
    }
}

/// A result standing for one not yet evaluated: it owns no memory, so
/// writing it costs no allocation and dropping it nothing.
fn placeholder() -> ItemResult {
    ItemResult {
        name: String::new(),
        label: None,
        kind: ItemKind::Commitment,
        status: Status::Error,
        amount: None,
        range: None,
        value: None,
        soft_cap: false,
        rounded: None,
        undetermined_by: Vec::new(),
        reason: None,
        notes: Vec::new(),
        cites: Vec::new(),
        concerns: None,
        by: None,
        explanation: None,
        records: Vec::new(),
        superseded_by: None,
        capped: None,
        outcome: None,
        raw: None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::span::SourceFile;

    const POLICY: &str = r#"
fact x: money "x"
measure 1 "one" {
  subsidy a = 10% * x
  subsidy b = 20% * x
}
measure 2 "two" {
  subsidy c = 30% * x
}
"#;

    fn result(name: &str) -> ItemResult {
        ItemResult {
            name: name.into(),
            ..placeholder()
        }
    }

    /// Only evaluated items are shown, each in its measure in the order
    /// written, whatever the order they were set in; one taken away is
    /// not evaluated until set again.
    #[test]
    fn results_stand_in_their_measures_in_the_order_written() {
        let policy = crate::load(&SourceFile::new("p.decree", POLICY)).expect("checks");
        let id = |n: &str| policy.item_index(n).expect("an item");
        let mut slots = Slots::new(&policy);
        let out = || Out::Nothing(super::super::Nothing::NotInForce);
        slots.set(id("c"), (out(), result("c")));
        slots.set(id("b"), (out(), result("b")));
        assert!(slots.is_set(id("b")) && !slots.is_set(id("a")));
        assert!(slots.result(id("a")).is_none());
        assert_eq!(slots.result(id("c")).map(|r| r.name.as_str()), Some("c"));
        let (_, taken) = slots.take(id("c")).expect("set");
        assert_eq!(taken.name, "c");
        assert!(!slots.is_set(id("c")) && slots.take(id("c")).is_none());
        slots.set(id("c"), (out(), taken));
        slots.set(id("a"), (out(), result("a")));
        let names: Vec<Vec<String>> = slots
            .into_measures(&policy)
            .into_iter()
            .map(|m| m.into_iter().map(|r| r.name).collect())
            .collect();
        assert_eq!(names, [vec!["a", "b"], vec!["c"]]);

        let mut some = Slots::new(&policy);
        some.set(id("c"), (out(), result("c")));
        some.set(id("a"), (out(), result("a")));
        let evaluated: Vec<(ItemId, String)> = some
            .into_evaluated()
            .into_iter()
            .map(|(i, r)| (i, r.name))
            .collect();
        assert_eq!(evaluated, [(id("a"), "a".into()), (id("c"), "c".into())]);
        let mut partial = Slots::new(&policy);
        partial.set(id("b"), (out(), result("b")));
        let shown: Vec<usize> = partial
            .into_measures(&policy)
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(shown, [1, 0]);
    }
}
