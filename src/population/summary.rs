//! The one fiscal summary of a population, kept as rows stream past:
//! per item how many enterprises are granted, ineligible, undetermined
//! (and why), not in force or in error, the total granted, the least,
//! median and greatest amount; over all, the total cost and how many
//! enterprises' totals are incomplete. `decree batch --summary`,
//! `decree eval --facts DIR` and `decree diff --facts` all count with it.
//! A run that allocates budgets ([`super::budget::run_with_budgets`]) gives
//! it each budget's totals at the end ([`Summary::set_budgets`]): the
//! summary then says what was allocated beside what was entitled.
//!
//! Memory is bounded whatever the number of rows: the median keeps at
//! most [`MAX_DISTINCT`] distinct amounts per item. A sum too large for
//! exact decimals is a `decree::overflow` error, never a saturated or
//! dropped sum.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::Sink;
use super::budget::{BudgetSink, BudgetTotals};
use super::view::RowView;
use crate::ast::ItemKind;
use crate::check::Policy;
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{Cause, Evaluation, Range, Status, arith};

/// Most distinct amounts an item's histogram keeps before it coarsens.
pub const MAX_DISTINCT: usize = 1 << 15;

/// Granted amounts and their counts, for the median in bounded memory:
/// exact while there are at most [`MAX_DISTINCT`] distinct amounts; past
/// that, amounts are counted in buckets of a power of ten yuan, and the
/// median is known to lie in one bucket.
#[derive(Debug, Clone, Default)]
struct Histogram {
    /// `None`: exact amounts. `Some(q)`: buckets `[k·q, (k+1)·q)`.
    quantum: Option<Decimal>,
    counts: BTreeMap<Decimal, u64>,
}

impl Histogram {
    fn key(&self, d: Decimal) -> Decimal {
        match self.quantum {
            None => d.normalize(),
            Some(q) => d
                .checked_div(q)
                .map(|k| (k.floor() * q).normalize())
                .unwrap_or(d),
        }
    }

    fn add(&mut self, d: Decimal) {
        *self.counts.entry(self.key(d)).or_insert(0) += 1;
        while self.counts.len() > MAX_DISTINCT {
            let q = match self.quantum {
                None => Decimal::ONE,
                Some(q) => match q.checked_mul(Decimal::TEN) {
                    Some(q) => q,
                    None => break,
                },
            };
            self.quantum = Some(q);
            let old = std::mem::take(&mut self.counts);
            for (k, c) in old {
                *self.counts.entry(self.key(k)).or_insert(0) += c;
            }
        }
    }

    /// The lower median.
    fn median(&self) -> Option<Median> {
        let n: u64 = self.counts.values().sum();
        let target = n.checked_sub(1)? / 2;
        let mut seen = 0;
        for (v, c) in &self.counts {
            if seen + c > target {
                return Some(match self.quantum {
                    None => Median::Exact(*v),
                    Some(width) => Median::Within { from: *v, width },
                });
            }
            seen += c;
        }
        None
    }
}

/// The median of an item's granted amounts (the lower median, of the
/// least amounts of ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Median {
    /// Exactly this amount.
    Exact(Decimal),
    /// Too many distinct amounts to keep: the median lies in
    /// `[from, from + width)`.
    Within {
        /// The bucket's start.
        from: Decimal,
        /// Its width, a power of ten yuan.
        width: Decimal,
    },
}

/// A cause of undetermined results and how many enterprises it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CauseCount {
    /// The cause.
    pub cause: Cause,
    /// Enterprises concerned.
    pub enterprises: u64,
}

/// One item over the population.
#[derive(Debug, Clone)]
pub struct ItemSummary {
    /// Item name.
    pub name: String,
    /// Item label.
    pub label: Option<String>,
    /// Item kind.
    pub kind: ItemKind,
    /// Index of its measure in [`Summary::measures`].
    pub measure: usize,
    /// Enterprises granted (met, for targets; listed, for commitments).
    pub granted: u64,
    /// Enterprises ineligible (not met, for targets).
    pub ineligible: u64,
    /// Enterprises for which it is undetermined.
    pub undetermined: u64,
    /// Enterprises for which the policy is not in force.
    pub not_in_force: u64,
    /// Enterprises whose evaluation of it failed.
    pub errors: u64,
    /// Enterprises for which another member of its stacking group is
    /// granted instead.
    pub superseded: u64,
    /// Total granted, in yuan (monetary items; `None` for the others).
    pub total: Option<Range>,
    /// Smallest amount granted.
    pub min: Option<Decimal>,
    /// Largest amount granted.
    pub max: Option<Decimal>,
    /// Why it is undetermined, with how many enterprises each cause
    /// concerns, in the order first met.
    pub causes: Vec<CauseCount>,
    histogram: Histogram,
}

impl ItemSummary {
    /// The median amount granted.
    pub fn median(&self) -> Option<Median> {
        self.histogram.median()
    }
}

/// A measure the summary's items belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureHead {
    /// Number.
    pub number: u32,
    /// Title.
    pub title: String,
}

/// A policy's fiscal summary over a population, kept as rows come.
#[derive(Debug, Clone)]
pub struct Summary {
    enterprises: u64,
    measures: Vec<MeasureHead>,
    items: Vec<ItemSummary>,
    total: Range,
    /// Of `total`, the revenue forgone (tax reliefs), when the policy has
    /// a tax relief.
    forgone: Option<Range>,
    incomplete: u64,
    /// Each item's new total while a row is added, before any is kept.
    pending: Vec<Option<Range>>,
    /// Each budget's totals, once a run that allocates them has ended.
    budgets: Vec<BudgetTotals>,
}

const ZERO: Range = Range {
    min: Decimal::ZERO,
    max: Decimal::ZERO,
};

impl Summary {
    /// An empty summary of `policy`'s items.
    pub fn new(policy: &Policy) -> Summary {
        let items = policy
            .items
            .iter()
            .map(|i| ItemSummary {
                name: i.name().to_string(),
                label: i.ast.label.as_ref().map(|t| t.node.clone()),
                kind: i.kind(),
                measure: i.measure,
                granted: 0,
                ineligible: 0,
                undetermined: 0,
                not_in_force: 0,
                errors: 0,
                superseded: 0,
                total: i.kind().is_monetary().then_some(ZERO),
                min: None,
                max: None,
                causes: Vec::new(),
                histogram: Histogram::default(),
            })
            .collect();
        let measures = policy
            .measures
            .iter()
            .map(|m| MeasureHead {
                number: m.number,
                title: m.title.clone(),
            })
            .collect();
        Summary {
            enterprises: 0,
            measures,
            items,
            total: ZERO,
            forgone: policy
                .items
                .iter()
                .any(|i| i.kind().is_revenue_forgone())
                .then_some(ZERO),
            incomplete: 0,
            pending: Vec::new(),
            budgets: Vec::new(),
        }
    }

    /// Each budget's totals, from the run that allocated them (the run
    /// counted this summary's rows).
    pub fn set_budgets(&mut self, totals: Vec<BudgetTotals>) {
        self.budgets = totals;
    }

    /// The budgets' totals: empty unless [`Summary::set_budgets`] gave them.
    pub fn budgets(&self) -> &[BudgetTotals] {
        &self.budgets
    }

    /// What is paid once the budgets are allocated: the total less, for
    /// each budget, the demand it could not meet (demand − allocated).
    /// `None` without budgets, or when a budget's allocation is not known
    /// (its demand is not, and neither is what it leaves unpaid).
    pub fn allocated_total(&self) -> Option<Range> {
        if self.budgets.is_empty() {
            return None;
        }
        let mut unpaid = Decimal::ZERO;
        for b in &self.budgets {
            if !b.allocates() {
                return None;
            }
            let short = arith::sub(b.demand, b.allocated).ok()?;
            unpaid = arith::add(unpaid, short).ok()?;
        }
        // The unpaid part of sums the total counts: exact.
        Some(Range {
            min: arith::sub(self.total.min, unpaid).ok()?,
            max: arith::sub(self.total.max, unpaid).ok()?,
        })
    }

    /// Enterprises counted.
    pub fn enterprises(&self) -> u64 {
        self.enterprises
    }

    /// The policy's measures, in file order.
    pub fn measures(&self) -> &[MeasureHead] {
        &self.measures
    }

    /// Per item, in the policy's item order (grouped by measure).
    pub fn items(&self) -> &[ItemSummary] {
        &self.items
    }

    /// The item called `name`.
    pub fn item(&self, name: &str) -> Option<&ItemSummary> {
        self.items.iter().find(|i| i.name == name)
    }

    /// Total of all monetary items granted, in yuan, least and greatest.
    pub fn total(&self) -> Range {
        self.total
    }

    /// Of the total, the revenue forgone (tax reliefs), least and
    /// greatest; `None` when the policy has no tax relief.
    pub fn revenue_forgone(&self) -> Option<Range> {
        self.forgone
    }

    /// Of the total, the outlays (every monetary item but tax reliefs);
    /// `None` when the policy has no tax relief (the total is all outlays).
    pub fn outlays(&self) -> Option<Range> {
        let f = self.forgone?;
        // A part of a sum that fitted: exact.
        Some(Range {
            min: arith::sub(self.total.min, f.min).unwrap_or(self.total.min),
            max: arith::sub(self.total.max, f.max).unwrap_or(self.total.max),
        })
    }

    /// Enterprises whose total is incomplete (some monetary item
    /// undetermined or failed).
    pub fn incomplete_enterprises(&self) -> u64 {
        self.incomplete
    }

    /// Counts one row in. Nothing is counted when a sum would not fit.
    ///
    /// # Errors
    /// [`Code::Overflow`] when a total is too large for exact decimals:
    /// no summary rather than a saturated one.
    pub fn add(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        let (lo, hi) = row.total();
        let total = sum(self.total, lo, hi)?;
        let mut forgone = self.forgone;
        if let Some(f) = &mut forgone {
            for (s, o) in self.items.iter().zip(row.items()) {
                if let (true, Status::Granted, Some(lo), Some(hi)) =
                    (s.kind.is_revenue_forgone(), o.status, o.min, o.max)
                {
                    *f = sum(*f, lo, hi)?;
                }
            }
        }
        self.pending.clear();
        for (s, o) in self.items.iter().zip(row.items()) {
            self.pending.push(match (s.total, o.status, o.min, o.max) {
                (Some(t), Status::Granted, Some(lo), Some(hi)) => Some(sum(t, lo, hi)?),
                _ => None,
            });
        }
        self.total = total;
        self.forgone = forgone;
        self.enterprises += 1;
        if !row.complete() {
            self.incomplete += 1;
        }
        for ((s, o), t) in self.items.iter_mut().zip(row.items()).zip(&self.pending) {
            s.count(o.status);
            if let (Some(t), Some(lo), Some(hi)) = (t, o.min, o.max) {
                s.total = Some(*t);
                s.min = Some(s.min.map_or(lo, |m| m.min(lo)));
                s.max = Some(s.max.map_or(hi, |m| m.max(hi)));
                s.histogram.add(lo);
            }
            for c in o.causes {
                match s.causes.iter_mut().find(|x| x.cause == *c) {
                    Some(x) => x.enterprises += 1,
                    None => s.causes.push(CauseCount {
                        cause: c.clone(),
                        enterprises: 1,
                    }),
                }
            }
        }
        Ok(())
    }

    /// Counts one evaluation in.
    ///
    /// # Errors
    /// As [`Summary::add`].
    pub fn add_evaluation(&mut self, e: &Evaluation) -> Result<(), Diagnostic> {
        self.add(&RowView::of_evaluation(0, e))
    }
}

impl ItemSummary {
    fn count(&mut self, status: Status) {
        match status {
            Status::Granted | Status::Met | Status::Listed => self.granted += 1,
            Status::Ineligible | Status::NotMet => self.ineligible += 1,
            Status::Undetermined => self.undetermined += 1,
            Status::NotInForce => self.not_in_force += 1,
            Status::Error => self.errors += 1,
            Status::Superseded => self.superseded += 1,
        }
    }
}

/// `r` plus `lo..hi`, or an overflow error.
fn sum(r: Range, lo: Decimal, hi: Decimal) -> Result<Range, Diagnostic> {
    // Exactly, or an error: rust_decimal's own addition rounds past 28 digits.
    match (arith::add(r.min, lo), arith::add(r.max, hi)) {
        (Ok(min), Ok(max)) => Ok(Range { min, max }),
        _ => Err(Diagnostic::error(
            Code::Overflow,
            "the fiscal summary does not fit in exact decimals (about 7.9 × 10^28 yuan, 28 significant digits)",
        )
        .help("check the facts for absurd amounts, or summarize fewer enterprises")),
    }
}

/// A summary is a sink: each row is counted in.
impl Sink for Summary {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        self.add(row)
    }
}

/// A summary counts entitlements row by row; the budgets' totals come at
/// the end ([`Summary::set_budgets`]), not per row.
impl BudgetSink for Summary {}
