//! The fiscal impact of a revision over a population: each version runs
//! the population through [`population::run`], counted by the one
//! [`Summary`], and the two are paired enterprise by enterprise. Each
//! version's budgets are allocated over the population
//! ([`population::budget::run_with_budgets`]), so a revision that changes
//! a fund, or the demand on it, shows in what is allocated.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::check::Policy;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::eval::{Options, Range, arith};
use crate::population::budget::{BudgetSink, BudgetTotals, run_with_budgets};
use crate::population::{RowError, RowView, Settings, Sink, Source, Summary};

/// One item's effect over a population, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemImpact {
    /// Item name.
    pub item: String,
    /// Measure number (in the new version when it exists there).
    pub measure: u32,
    /// Enterprises granted before.
    pub granted_before: u64,
    /// Enterprises granted after.
    pub granted_after: u64,
    /// Enterprises for which it is undetermined before.
    pub undetermined_before: u64,
    /// Enterprises for which it is undetermined after.
    pub undetermined_after: u64,
    /// Total granted before, in yuan.
    pub total_before: Range,
    /// Total granted after, in yuan.
    pub total_after: Range,
    /// After minus before.
    pub delta: Range,
}

/// One enterprise whose entitlement changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnterpriseImpact {
    /// The enterprise (facts file name).
    pub enterprise: String,
    /// Its total before.
    pub before: Range,
    /// Its total after.
    pub after: Range,
    /// After minus before.
    pub delta: Range,
}

/// The fiscal impact of a revision over a population.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    /// How many enterprises.
    pub enterprises: u64,
    /// Items whose count or total changed.
    pub items: Vec<ItemImpact>,
    /// Enterprises whose entitlement rose most (largest first, at most 5).
    pub most_up: Vec<EnterpriseImpact>,
    /// Enterprises whose entitlement fell most (largest fall first, at most 5).
    pub most_down: Vec<EnterpriseImpact>,
    /// Total fiscal cost before.
    pub total_before: Range,
    /// Total fiscal cost after.
    pub total_after: Range,
    /// After minus before (min: least after − least before; max likewise).
    pub delta: Range,
    /// Enterprises whose total before or after leaves out undetermined items.
    pub incomplete_enterprises: u64,
    /// Of the totals, the revenue forgone (tax reliefs) before and after;
    /// only when either version has a tax relief.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue_forgone: Option<Forgone>,
    /// Each budget of either version, before and after: only when either
    /// declares one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<BudgetImpact>,
    /// The totals once the budgets are allocated, before and after: only
    /// when either version declares a budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocated: Option<Allocated>,
}

/// One budget over the population, in each version that declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetImpact {
    /// The budget's name.
    pub budget: String,
    /// Its totals in the old version; `None` when it does not declare it.
    pub before: Option<BudgetTotals>,
    /// Its totals in the new version; `None` when it does not declare it.
    pub after: Option<BudgetTotals>,
}

/// The total fiscal cost once the budgets are allocated (the entitlements
/// less what the budgets leave unpaid), before and after; a side is
/// `None` when a budget's allocation is not known there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocated {
    /// Allocated before.
    pub before: Option<Range>,
    /// Allocated after.
    pub after: Option<Range>,
    /// After minus before, when both are known.
    pub delta: Option<Range>,
}

/// The budgets of both versions, paired by name: the new version's order,
/// then those only the old one declares.
fn budget_impacts(before: &Summary, after: &Summary) -> Vec<BudgetImpact> {
    let find = |s: &Summary, name: &str| s.budgets().iter().find(|b| b.name == name).cloned();
    let mut out: Vec<BudgetImpact> = after
        .budgets()
        .iter()
        .map(|b| BudgetImpact {
            budget: b.name.clone(),
            before: find(before, &b.name),
            after: Some(b.clone()),
        })
        .collect();
    for b in before.budgets() {
        if find(after, &b.name).is_none() {
            out.push(BudgetImpact {
                budget: b.name.clone(),
                before: Some(b.clone()),
                after: None,
            });
        }
    }
    out
}

/// The allocated totals before and after, when either side has a budget.
/// A side without budgets pays its entitlements.
fn allocated(before: &Summary, after: &Summary) -> Result<Option<Allocated>, Diagnostic> {
    if before.budgets().is_empty() && after.budgets().is_empty() {
        return Ok(None);
    }
    let paid = |s: &Summary| {
        if s.budgets().is_empty() {
            Some(s.total())
        } else {
            s.allocated_total()
        }
    };
    let (b, a) = (paid(before), paid(after));
    let delta = match (b, a) {
        (Some(b), Some(a)) => Some(delta(b, a)?),
        _ => None,
    };
    Ok(Some(Allocated {
        before: b.map(|r| range(r.min, r.max)),
        after: a.map(|r| range(r.min, r.max)),
        delta,
    }))
}

/// The revenue forgone (tax reliefs) of a revision, before and after; the
/// outlays are the totals less these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forgone {
    /// Revenue forgone before.
    pub before: Range,
    /// Revenue forgone after.
    pub after: Range,
    /// After minus before.
    pub delta: Range,
}

/// The revenue forgone before and after, when either side has a tax
/// relief (the other side then forgoes nothing).
fn forgone(before: &Summary, after: &Summary) -> Result<Option<Forgone>, Diagnostic> {
    if before.revenue_forgone().is_none() && after.revenue_forgone().is_none() {
        return Ok(None);
    }
    let (b, a) = (
        before.revenue_forgone().unwrap_or(ZERO),
        after.revenue_forgone().unwrap_or(ZERO),
    );
    Ok(Some(Forgone {
        before: range(b.min, b.max),
        after: range(a.min, a.max),
        delta: delta(b, a)?,
    }))
}

fn range(min: Decimal, max: Decimal) -> Range {
    Range {
        min: min.normalize(),
        max: max.normalize(),
    }
}

/// A difference too large for exact decimals: the impact is not given at
/// all rather than given wrong.
fn too_large() -> Diagnostic {
    Diagnostic::error(
        Code::Overflow,
        "the fiscal impact does not fit in exact decimals (about 7.9 × 10^28 yuan)",
    )
    .help("check the facts for absurd amounts, or compare a smaller population")
}

/// `after − before`, end by end.
fn delta(before: Range, after: Range) -> Result<Range, Diagnostic> {
    match (
        arith::sub(after.min, before.min),
        arith::sub(after.max, before.max),
    ) {
        (Ok(min), Ok(max)) => Ok(range(min, max)),
        _ => Err(too_large()),
    }
}

/// One version's side of an impact: the population's summary, and each
/// enterprise's name, total and whether it is complete, in input order.
/// (The totals are what pairs the two versions enterprise by enterprise:
/// memory grows with the population, by one name and two amounts each.)
pub struct Side {
    summary: Summary,
    enterprises: Vec<(String, Range, bool)>,
    /// The first row that could not be read: an impact needs every row.
    rejected: Option<RowError>,
}

impl Side {
    /// An empty side for `policy`.
    pub fn new(policy: &Policy) -> Side {
        Side {
            summary: Summary::new(policy),
            enterprises: Vec::new(),
            rejected: None,
        }
    }
}

/// A side counts entitlements; its budgets' totals reach its summary
/// when the run ends.
impl BudgetSink for Side {}

impl Sink for Side {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        self.summary.add(row)?;
        let (min, max) = row.total();
        let total = Range { min, max };
        self.enterprises
            .push((row.name().into_owned(), total, row.complete()));
        Ok(())
    }

    fn rejected(&mut self, error: &RowError) -> Result<(), Diagnostic> {
        self.rejected = Some(error.clone());
        Err(Diagnostic::error(
            Code::Facts,
            format!("the facts of line {} cannot be read", error.line),
        ))
    }
}

/// Runs a population through one version of the policy, its budgets
/// allocated (`open` is called once per pass).
fn side<'p, S: Source<'p>>(
    policy: &'p Policy,
    open: impl FnMut() -> Result<S, Diagnostics>,
    options: &Options,
) -> Result<Side, Diagnostics> {
    let mut side = Side::new(policy);
    let settings = Settings::lean(options.clone());
    match run_with_budgets(open, &mut side, &settings, |_| {}) {
        Ok((_, budgets)) => {
            side.summary.set_budgets(budgets);
            Ok(side)
        }
        Err(d) => Err(match side.rejected {
            Some(e) => Diagnostics(e.diagnostics),
            None => d,
        }),
    }
}

/// Evaluates both versions for every enterprise of a population and sums
/// the difference. `open` gives the population's rows typed by one version
/// (it is called once for each, and once more for each further pass that
/// a version's budgets need).
///
/// # Errors
/// A row that cannot be read (an impact needs every enterprise), and
/// [`Code::Overflow`] when a total or a difference is too large for exact
/// decimals.
pub fn impact<'p, S: Source<'p>>(
    old: &'p Policy,
    new: &'p Policy,
    mut open: impl FnMut(&'p Policy) -> Result<S, Diagnostics>,
    options: &Options,
) -> Result<Impact, Diagnostics> {
    let before = side(old, || open(old), options)?;
    let after = side(new, || open(new), options)?;
    compare(old, new, &before, &after).map_err(Diagnostics::from)
}

/// The monetary items of both versions, with their measure numbers, by
/// measure: the new version's, then those only the old one has.
fn monetary_items(old: &Policy, new: &Policy) -> Vec<(String, u32)> {
    let number =
        |p: &Policy, i: &crate::check::ItemInfo| p.measures.get(i.measure).map_or(0, |m| m.number);
    let mut names: Vec<(String, u32)> = new
        .items
        .iter()
        .filter(|i| i.kind().is_monetary())
        .map(|i| (i.name().to_string(), number(new, i)))
        .collect();
    for i in old.items.iter().filter(|i| i.kind().is_monetary()) {
        if !names.iter().any(|(n, _)| n == i.name()) {
            names.push((i.name().to_string(), number(old, i)));
        }
    }
    names.sort_by_key(|(_, m)| *m);
    names
}

/// The items whose count of grants, total or count of undetermined results
/// changed.
fn item_impacts(
    old: &Policy,
    new: &Policy,
    before: &Summary,
    after: &Summary,
) -> Result<Vec<ItemImpact>, Diagnostic> {
    let mut items = Vec::new();
    for (name, measure) in monetary_items(old, new) {
        let count = |s: &Summary| {
            s.item(&name).map_or((0, 0, ZERO), |i| {
                (i.granted, i.undetermined, i.total.unwrap_or(ZERO))
            })
        };
        let (gb, ub, tb) = count(before);
        let (ga, ua, ta) = count(after);
        if gb != ga || tb != ta || ub != ua {
            items.push(ItemImpact {
                item: name,
                measure,
                granted_before: gb,
                granted_after: ga,
                undetermined_before: ub,
                undetermined_after: ua,
                total_before: range(tb.min, tb.max),
                total_after: range(ta.min, ta.max),
                delta: delta(tb, ta)?,
            });
        }
    }
    Ok(items)
}

const ZERO: Range = Range {
    min: Decimal::ZERO,
    max: Decimal::ZERO,
};

/// Up to five enterprises whose total rose most, and five whose total fell
/// most.
fn movers(
    before: &Side,
    after: &Side,
) -> Result<(Vec<EnterpriseImpact>, Vec<EnterpriseImpact>), Diagnostic> {
    let mut per = Vec::new();
    for ((name, b, _), (_, a, _)) in before.enterprises.iter().zip(&after.enterprises) {
        let x = EnterpriseImpact {
            enterprise: name.clone(),
            before: range(b.min, b.max),
            after: range(a.min, a.max),
            delta: delta(*b, *a)?,
        };
        if !x.delta.min.is_zero() || !x.delta.max.is_zero() {
            per.push(x);
        }
    }
    let most_up = most(&mut per, |x| x.delta.max, true);
    let most_down = most(&mut per, |x| x.delta.min, false);
    Ok((most_up, most_down))
}

/// The five enterprises that rose most (`up`: the largest `end` of their
/// delta first, above zero) or fell most (the most negative first), ties
/// by name.
fn most(
    per: &mut [EnterpriseImpact],
    end: impl Fn(&EnterpriseImpact) -> Decimal,
    up: bool,
) -> Vec<EnterpriseImpact> {
    per.sort_by(|x, y| {
        let by = if up {
            end(y).cmp(&end(x))
        } else {
            end(x).cmp(&end(y))
        };
        by.then_with(|| x.enterprise.cmp(&y.enterprise))
    });
    per.iter()
        .filter(|x| {
            if up {
                end(x) > Decimal::ZERO
            } else {
                end(x) < Decimal::ZERO
            }
        })
        .take(5)
        .cloned()
        .collect()
}

/// The impact of the two sides of one population.
fn compare(old: &Policy, new: &Policy, before: &Side, after: &Side) -> Result<Impact, Diagnostic> {
    if before.enterprises.len() != after.enterprises.len() {
        return Err(Diagnostic::error(
            Code::Facts,
            format!(
                "the two versions read {} and {} enterprises from the same population",
                before.enterprises.len(),
                after.enterprises.len()
            ),
        ));
    }
    let (most_up, most_down) = movers(before, after)?;
    let incomplete = before
        .enterprises
        .iter()
        .zip(&after.enterprises)
        .filter(|((_, _, b), (_, _, a))| !b || !a)
        .count() as u64;
    let (b, a) = (before.summary.total(), after.summary.total());
    Ok(Impact {
        enterprises: before.enterprises.len() as u64,
        items: item_impacts(old, new, &before.summary, &after.summary)?,
        most_up,
        most_down,
        total_before: range(b.min, b.max),
        total_after: range(a.min, a.max),
        delta: delta(b, a)?,
        incomplete_enterprises: incomplete,
        revenue_forgone: forgone(&before.summary, &after.summary)?,
        budgets: budget_impacts(&before.summary, &after.summary),
        allocated: allocated(&before.summary, &after.summary)?,
    })
}
