//! One row's results as a sink reads them, wherever they came from — the
//! plan's columns, the plan's columns with the items it deferred decided
//! by the interpreter ([`Mixed`]), the interpreter's compact
//! [`RowResult`], or a whole [`Evaluation`] — without building per-row
//! structures for the plan's rows.

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::read::{Chunk, RowHead};
use super::{ItemOutcome, RowResult};
use crate::check::{FactId, Policy};
use crate::diagnostic::Diagnostic;
use crate::eval::partial::Partial;
use crate::eval::{Cause, Evaluation, MeasureResult, Status};
use crate::plan::{FixedItem, FixedRow, Outcomes, Plan};
use crate::value::Value;

/// A row the plan decided in part: the interpreter's outcomes for the
/// items it deferred (and the items those need), and the row's total over
/// both, summed as [`crate::eval::Total::sum`] sums an evaluation's.
pub(super) struct Mixed {
    /// The interpreter's outcomes, by item index, in index order.
    items: Vec<(usize, ItemOutcome)>,
    /// The total, least and greatest.
    total: (Decimal, Decimal),
    /// Whether the total counts every monetary item.
    complete: bool,
    /// The errors the interpreter met.
    errors: Vec<Diagnostic>,
}

impl Mixed {
    /// Row `row` of the plan's outcomes with `partial`'s items (if any) in
    /// the place of the plan's; `None` when its total cannot be had
    /// exactly (the interpreter's whole evaluation then says what it
    /// leaves out, and why).
    pub(super) fn merge(
        policy: &Policy,
        plan: &Plan,
        outcomes: &Outcomes,
        row: usize,
        partial: Option<Partial>,
    ) -> Option<Mixed> {
        if partial.is_none() {
            // Every item the plan's: summed in its fixed point.
            if let Some((total, complete)) = outcomes.span(plan, row) {
                return Some(Mixed {
                    items: Vec::new(),
                    total,
                    complete,
                    errors: Vec::new(),
                });
            }
        }
        let (results, errors) = partial.map_or((Vec::new(), Vec::new()), |p| (p.results, p.errors));
        // The partial results are the row's own: their causes are moved,
        // not copied. Into a vector of its own: collected in place, the
        // outcomes would keep the results' far larger allocation for as
        // long as the chunk lives.
        let mut items: Vec<(usize, ItemOutcome)> = Vec::with_capacity(results.len());
        for (id, r) in results {
            let (min, max) = super::amounts(&r);
            let outcome = ItemOutcome {
                status: r.status,
                min,
                max,
                causes: r.undetermined_by,
            };
            items.push((id.0, outcome));
        }
        let mut theirs = items.iter().peekable();
        let (mut lo, mut hi, mut complete) = (Decimal::ZERO, Decimal::ZERO, true);
        for (i, info) in policy.items.iter().enumerate() {
            let mine = theirs.next_if(|(k, _)| *k == i).map(|(_, o)| o);
            if !info.kind().is_monetary() {
                continue;
            }
            let (status, amounts) = match mine {
                Some(o) => (o.status, o.min.zip(o.max)),
                None => (outcomes.status(row, i)?, outcomes.range(plan, row, i)),
            };
            match status {
                Status::Granted => {
                    let (a, b) = amounts.unwrap_or((Decimal::ZERO, Decimal::ZERO));
                    // Exactly, or the whole row to the interpreter.
                    lo = crate::eval::arith::add(lo, a).ok()?;
                    hi = crate::eval::arith::add(hi, b).ok()?;
                }
                Status::Undetermined | Status::Error => complete = false,
                _ => {}
            }
        }
        Some(Mixed {
            items,
            total: (lo.normalize(), hi.normalize()),
            complete,
            errors,
        })
    }
}

/// One row's results.
#[derive(Clone, Copy)]
pub struct RowView<'a> {
    line: u64,
    name: Option<&'a str>,
    keys: &'a [String],
    warnings: &'a [Diagnostic],
    kind: Kind<'a>,
    /// The chunk the row was read in and its place there, for its facts.
    read: Option<(&'a Chunk, usize, &'a Policy)>,
}

/// Who decided the row, and where its results are.
#[derive(Clone, Copy)]
enum Kind<'a> {
    /// The plan, with the row's total.
    Plan {
        plan: &'a Plan,
        outcomes: &'a Outcomes,
        row: usize,
        total: Decimal,
    },
    /// The plan, and the interpreter for the items the plan deferred.
    Mixed {
        plan: &'a Plan,
        outcomes: &'a Outcomes,
        row: usize,
        mixed: &'a Mixed,
    },
    /// The interpreter, without explanations.
    Result(&'a RowResult),
    /// The interpreter, the whole evaluation kept.
    Evaluation(&'a Evaluation),
}

/// One item's result in a [`RowView`].
#[derive(Debug, Clone, Copy)]
pub struct ItemView<'a> {
    /// Status.
    pub status: Status,
    /// Least amount (granted monetary items).
    pub min: Option<Decimal>,
    /// Greatest amount.
    pub max: Option<Decimal>,
    /// Why undetermined.
    pub causes: &'a [Cause],
}

impl<'a> RowView<'a> {
    fn with(head: &'a RowHead, kind: Kind<'a>) -> RowView<'a> {
        RowView {
            line: head.line,
            name: head.name.as_deref(),
            keys: &head.keys,
            warnings: &head.warnings,
            kind,
            read: None,
        }
    }

    /// The row as read in `chunk` at `i`, so that [`RowView::fact`] finds
    /// its facts.
    pub(super) fn read_in(self, chunk: &'a Chunk, i: usize, policy: &'a Policy) -> RowView<'a> {
        RowView {
            read: Some((chunk, i, policy)),
            ..self
        }
    }

    /// One of the row's facts as read (a first-come budget's filing
    /// order); `None` when the row does not give it, or for a row that
    /// was not read from a population (one evaluation, a kept result).
    pub fn fact(&self, id: FactId) -> Option<Value> {
        let (chunk, i, policy) = self.read?;
        chunk.fact(policy, i, id)
    }

    /// A row the plan decided.
    pub(super) fn planned(
        head: &'a RowHead,
        plan: &'a Plan,
        outcomes: &'a Outcomes,
        row: usize,
        total: Decimal,
    ) -> RowView<'a> {
        let kind = Kind::Plan {
            plan,
            outcomes,
            row,
            total,
        };
        RowView::with(head, kind)
    }

    /// A row the plan decided in part, the interpreter the rest.
    pub(super) fn mixed(
        head: &'a RowHead,
        plan: &'a Plan,
        outcomes: &'a Outcomes,
        row: usize,
        mixed: &'a Mixed,
    ) -> RowView<'a> {
        let kind = Kind::Mixed {
            plan,
            outcomes,
            row,
            mixed,
        };
        RowView::with(head, kind)
    }

    /// A row the interpreter evaluated, kept compact.
    pub(super) fn interpreted(head: &'a RowHead, result: &'a RowResult) -> RowView<'a> {
        RowView::with(head, Kind::Result(result))
    }

    /// A row the interpreter evaluated, kept whole.
    pub(super) fn evaluated(head: &'a RowHead, evaluation: &'a Evaluation) -> RowView<'a> {
        RowView::with(head, Kind::Evaluation(evaluation))
    }

    /// One evaluation as a row (for a caller that evaluated it itself).
    pub fn of_evaluation(line: u64, evaluation: &'a Evaluation) -> RowView<'a> {
        RowView {
            line,
            name: Some(&evaluation.enterprise),
            keys: &[],
            warnings: &[],
            kind: Kind::Evaluation(evaluation),
            read: None,
        }
    }

    /// A kept result as a row.
    pub fn of_result(result: &'a RowResult) -> RowView<'a> {
        RowView {
            line: result.line,
            name: Some(&result.name),
            keys: &result.keys,
            warnings: &[],
            kind: Kind::Result(result),
            read: None,
        }
    }

    /// Where the row is in the input: its line, or its place in a folder.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The enterprise: its facts file's name, or `row N`.
    pub fn name(&self) -> Cow<'a, str> {
        match self.name {
            Some(n) => Cow::Borrowed(n),
            None => Cow::Owned(format!("row {}", self.line)),
        }
    }

    /// The row's key columns, in the order asked for.
    pub fn keys(&self) -> &'a [String] {
        self.keys
    }

    /// Warnings about the row's facts (unknown keys, nulls).
    pub fn warnings(&self) -> &'a [Diagnostic] {
        self.warnings
    }

    /// Whether the compiled plan decided the row, all of it or all but
    /// the items it deferred to the interpreter (otherwise the interpreter
    /// evaluated the whole row).
    pub fn by_plan(&self) -> bool {
        matches!(self.kind, Kind::Plan { .. } | Kind::Mixed { .. })
    }

    /// Its items in the policy's item order as a CSV writer prints them
    /// (statuses and amounts): the plan's fixed point where the plan
    /// decided the item, the item's result otherwise.
    pub(crate) fn cells(&self) -> Cells<'a> {
        let fixed = match self.kind {
            Kind::Plan {
                plan,
                outcomes,
                row,
                ..
            }
            | Kind::Mixed {
                plan,
                outcomes,
                row,
                ..
            } => outcomes.fixed_row(plan, row),
            _ => None,
        };
        Cells {
            items: self.items(),
            fixed,
        }
    }

    /// How many of the row's items the interpreter decided: none for a row
    /// the plan decided whole, every item for a row it did not take.
    pub fn interpreted_items(&self) -> usize {
        match self.kind {
            Kind::Plan { .. } => 0,
            Kind::Mixed { mixed, .. } => mixed.items.len(),
            Kind::Result(r) => r.items.len(),
            Kind::Evaluation(e) => e.measures.iter().map(|m| m.items.len()).sum(),
        }
    }

    /// The whole evaluation, for a run with [`Detail::Full`](super::Detail::Full).
    pub fn evaluation(&self) -> Option<&'a Evaluation> {
        match self.kind {
            Kind::Evaluation(e) => Some(e),
            _ => None,
        }
    }

    /// The errors its evaluation met; empty when none.
    pub fn errors(&self) -> &'a [Diagnostic] {
        match self.kind {
            Kind::Plan { .. } => &[],
            Kind::Mixed { mixed, .. } => &mixed.errors,
            Kind::Result(r) => &r.errors,
            Kind::Evaluation(e) => &e.errors,
        }
    }

    /// The total of its monetary items, least and greatest.
    pub fn total(&self) -> (Decimal, Decimal) {
        match self.kind {
            Kind::Plan { total, .. } => (total, total),
            Kind::Mixed { mixed, .. } => mixed.total,
            Kind::Result(r) => (r.total_min, r.total_max),
            Kind::Evaluation(e) => (e.total.min, e.total.max),
        }
    }

    /// Whether the total counts every monetary item. A row the plan
    /// decides always does: the plan leaves undetermined rows to the
    /// interpreter.
    pub fn complete(&self) -> bool {
        match self.kind {
            Kind::Plan { .. } => true,
            Kind::Mixed { mixed, .. } => mixed.complete,
            Kind::Result(r) => r.complete,
            Kind::Evaluation(e) => e.total.complete,
        }
    }

    /// Its items' results, in the policy's item order.
    pub fn items(&self) -> Items<'a> {
        Items {
            kind: match self.kind {
                Kind::Plan {
                    plan,
                    outcomes,
                    row,
                    ..
                } => ItemsKind::Plan {
                    plan,
                    outcomes,
                    row,
                    next: 0,
                    mixed: [].iter().peekable(),
                },
                Kind::Mixed {
                    plan,
                    outcomes,
                    row,
                    mixed,
                } => ItemsKind::Plan {
                    plan,
                    outcomes,
                    row,
                    next: 0,
                    mixed: mixed.items.iter().peekable(),
                },
                Kind::Result(r) => ItemsKind::Result(r.items.iter()),
                Kind::Evaluation(e) => ItemsKind::Evaluation {
                    measures: &e.measures,
                    measure: 0,
                    item: 0,
                },
            },
        }
    }

    /// Its results, kept.
    pub fn to_result(&self) -> RowResult {
        let (total_min, total_max) = self.total();
        RowResult {
            line: self.line,
            name: self.name().into_owned(),
            keys: self.keys.to_vec(),
            items: self
                .items()
                .map(|o| ItemOutcome {
                    status: o.status,
                    min: o.min,
                    max: o.max,
                    causes: o.causes.to_vec(),
                })
                .collect(),
            total_min,
            total_max,
            complete: self.complete(),
            errors: self.errors().to_vec(),
        }
    }
}

/// The items of a [`RowView`], in the policy's item order.
pub struct Items<'a> {
    kind: ItemsKind<'a>,
}

enum ItemsKind<'a> {
    Plan {
        plan: &'a Plan,
        outcomes: &'a Outcomes,
        row: usize,
        next: usize,
        /// The interpreter's outcomes for the items the plan deferred.
        mixed: std::iter::Peekable<std::slice::Iter<'a, (usize, ItemOutcome)>>,
    },
    Result(std::slice::Iter<'a, ItemOutcome>),
    Evaluation {
        measures: &'a [MeasureResult],
        measure: usize,
        item: usize,
    },
}

impl<'a> Iterator for Items<'a> {
    type Item = ItemView<'a>;

    fn next(&mut self) -> Option<ItemView<'a>> {
        match &mut self.kind {
            ItemsKind::Plan {
                plan,
                outcomes,
                row,
                next,
                mixed,
            } => {
                let i = *next;
                if i >= plan.item_count() {
                    return None;
                }
                *next += 1;
                Some(match mixed.next_if(|(k, _)| *k == i) {
                    Some((_, o)) => outcome_view(o),
                    None => plan_item(plan, outcomes, *row, i),
                })
            }
            ItemsKind::Result(items) => items.next().map(outcome_view),
            ItemsKind::Evaluation {
                measures,
                measure,
                item,
            } => loop {
                let m = measures.get(*measure)?;
                if let Some(r) = m.items.get(*item) {
                    *item += 1;
                    let (min, max) = super::amounts(r);
                    return Some(ItemView {
                        status: r.status,
                        min,
                        max,
                        causes: &r.undetermined_by,
                    });
                }
                *measure += 1;
                *item = 0;
            },
        }
    }
}

/// A kept outcome as an item's view.
fn outcome_view(o: &ItemOutcome) -> ItemView<'_> {
    ItemView {
        status: o.status,
        min: o.min,
        max: o.max,
        causes: &o.causes,
    }
}

/// Item `i` of a row the plan decided.
fn plan_item<'a>(plan: &'a Plan, outcomes: &'a Outcomes, row: usize, i: usize) -> ItemView<'a> {
    let amounts = outcomes.range(plan, row, i);
    ItemView {
        // A row the plan took has every status it did not defer; were one
        // missing it would be an error, not a grant.
        status: outcomes.status(row, i).unwrap_or(Status::Error),
        min: amounts.map(|a| a.0),
        max: amounts.map(|a| a.1),
        // An item the plan decided undetermined names its causes.
        causes: outcomes.causes(row, i),
    }
}

/// One item of a row as a writer prints it ([`RowView::cells`]).
pub(crate) enum Cell<'a> {
    /// Decided by the plan, in its fixed point: the status and, for a
    /// granted monetary item, its least and greatest amount counting
    /// `10^-scale`.
    Fixed(FixedItem),
    /// Any other item: its result.
    Item(ItemView<'a>),
}

/// The cells of a [`RowView`], in the policy's item order: the plan's
/// row in fixed point (when the plan decided the row, all or in part) and
/// the items' results for the items it did not decide.
pub(crate) struct Cells<'a> {
    items: Items<'a>,
    fixed: Option<FixedRow<'a>>,
}

impl<'a> Iterator for Cells<'a> {
    type Item = Cell<'a>;

    fn next(&mut self) -> Option<Cell<'a>> {
        if let (Some(fixed), ItemsKind::Plan { next, mixed, .. }) =
            (&self.fixed, &mut self.items.kind)
        {
            let i = *next;
            // An item the interpreter decided comes from its result.
            if mixed.peek().is_none_or(|(k, _)| *k != i)
                && let Some(f) = fixed.item(i)
            {
                *next += 1;
                return Some(Cell::Fixed(f));
            }
        }
        self.items.next().map(Cell::Item)
    }
}
