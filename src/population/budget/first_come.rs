//! First come, first served (先到先得): a budget paid out in the order
//! of a filing fact (a date or a number), ties in input order. Each
//! enterprise gets the least of its entitlement and what is left of the
//! fund when its turn comes, so the last one funded may get part of its
//! entitlement and every later one nothing; the allocations sum to the
//! lesser of the fund and the demand, exactly.
//!
//! The first pass sums the demand *per filing value* (memory O(distinct
//! filing values among the claimants): a few hundred days for a filing
//! date, up to one entry per claimant for a filing number), and from it
//! the cut: the filing value at which the fund runs out, and what is left
//! for the rows filed on it. The last pass needs no more than that cut:
//! rows filed before it are paid in full, rows filed on it are paid from
//! what is left in input order (which is how they reach the sink, on any
//! number of threads), rows filed after it get nothing.

use std::collections::BTreeMap;

use crate::check::FactId;
use crate::diagnostic::Diagnostic;
use crate::population::RowView;
use crate::value::Value;

/// Where an enterprise stands in the filing order: its filing date or
/// number (a budget orders by one fact, so the two never meet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Filed {
    /// A filing date.
    Date(jiff::civil::Date),
    /// A filing number (or count).
    Number(rust_decimal::Decimal),
}

impl Filed {
    /// The row's place in the filing order; `None` when its filing fact is
    /// not given (or, which the checker rules out, is neither a date nor
    /// a number).
    fn of(row: &RowView<'_>, fact: FactId) -> Option<Filed> {
        match row.fact(fact)? {
            Value::Date(d) => Some(Filed::Date(d)),
            Value::Num(_, n) => Some(Filed::Number(n.normalize())),
            _ => None,
        }
    }
}

/// A first-come budget's state over the passes.
#[derive(Debug)]
pub(super) struct FirstCome {
    /// The fact giving the filing order.
    pub fact: FactId,
    /// First pass: the demand of the claimants filed on each value, in fen.
    by_filing: BTreeMap<Filed, i128>,
    /// Claimants whose filing fact is not given.
    pub unordered: u64,
    /// The first of them, to name.
    pub first_unordered: Option<String>,
    /// After the first pass, when demand exceeds the fund: the filing
    /// value at which it runs out, and the fen left for the rows filed on
    /// it (run down in input order by the last pass).
    cut: Option<(Filed, i128)>,
}

impl FirstCome {
    /// A budget served in the order of `fact`.
    pub fn new(fact: FactId) -> FirstCome {
        FirstCome {
            fact,
            by_filing: BTreeMap::new(),
            unordered: 0,
            first_unordered: None,
            cut: None,
        }
    }

    /// First pass: a row's entitlement `e` (fen) counted at its filing
    /// value. A row that claims nothing needs no place in the order.
    pub fn count(&mut self, row: &RowView<'_>, e: i128) -> Result<(), Diagnostic> {
        if e == 0 {
            return Ok(());
        }
        match Filed::of(row, self.fact) {
            Some(f) => {
                let d = self.by_filing.entry(f).or_insert(0);
                *d = d.checked_add(e).ok_or_else(|| super::overflow("demand"))?;
            }
            None => {
                self.unordered += 1;
                if self.first_unordered.is_none() {
                    self.first_unordered = Some(row.name().into_owned());
                }
            }
        }
        Ok(())
    }

    /// After the first pass, with demand above the fund: where the fund
    /// runs out.
    pub fn cut(&mut self, fund: i128) {
        let mut left = fund;
        self.cut = None;
        for (&filed, &demand) in &self.by_filing {
            if demand > left {
                self.cut = Some((filed, left));
                break;
            }
            left -= demand;
        }
        self.by_filing.clear();
    }

    /// Last pass, with demand above the fund: the allocation of a row
    /// entitled to `e` fen, in input order.
    pub fn allocate(&mut self, row: &RowView<'_>, e: i128) -> i128 {
        if e == 0 {
            return 0;
        }
        let (Some(filed), Some((at, left))) = (Filed::of(row, self.fact), self.cut.as_mut()) else {
            // No cut: every claimant was paid before the fund ran out
            // (which demand above the fund rules out), or the row's
            // filing is not known (which withholds the whole allocation
            // before this pass).
            return e;
        };
        match filed.cmp(at) {
            std::cmp::Ordering::Less => e,
            std::cmp::Ordering::Equal => {
                let paid = e.min(*left);
                *left -= paid;
                paid
            }
            std::cmp::Ordering::Greater => 0,
        }
    }
}
