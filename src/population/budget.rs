//! Budgets over a population (issue 16, 资金不足时按比例核减, 先到先得):
//! the allocation of each `budget` of a policy among the enterprises of a
//! population run, exactly, in whole fen.
//!
//! An enterprise's *entitlement* is the sum of its granted amounts of the
//! budget's items (an item not granted counts nothing). When the total
//! demand D exceeds the budget B, `pro rata` gives each enterprise
//! ⌊entitlement × B ÷ D⌋ fen and the fen left over one each to the largest
//! remainders, ties to the earlier row in input order, so that the
//! allocations sum to B exactly; when D ≤ B every entitlement is paid.
//!
//! The population is read three times ([`run_with_budgets`]): the demand;
//! then (only when D > B) how many rows have each remainder, which is
//! memory O(distinct remainders), never O(rows); then the rows, each with
//! its allocation, to the sink. Rows reach every pass in input order
//! whatever the number of threads, so the allocation is the same for any.
//!
//! `first come by FACT` ([`first_come`]) needs two: the demand per filing
//! value, then the rows. A claimant whose filing fact is missing has no
//! place in the order: when D > B that budget allocates nothing, and its
//! totals name the row (when D ≤ B every entitlement is paid, in any order).
//!
//! Where an enterprise's entitlement is undetermined or a range (a missing
//! fact, discretion), the demand is not known: that budget allocates
//! nothing to anyone and its totals say how many enterprises left it open
//! (never a zero taken for a known allocation). An entitlement with a
//! fraction of a fen cannot be paid in fen and is an error naming the row.

mod first_come;
pub mod single;

use rust_decimal::Decimal;

use first_come::FirstCome;

use super::{RowView, Settings, Sink, Source, Tally, run};
use crate::check::{Allocation, BudgetInfo, Policy};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::eval::Status;
use crate::value::Value;

/// A budget's totals over a run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BudgetTotals {
    /// The budget's name.
    pub name: String,
    /// Its label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The fund B.
    #[serde(with = "rust_decimal::serde::str")]
    pub budget: Decimal,
    /// The total demand D: the sum of the known entitlements.
    #[serde(with = "rust_decimal::serde::str")]
    pub demand: Decimal,
    /// What was allocated (B when D > B, else D; zero when the demand is
    /// not known).
    #[serde(with = "rust_decimal::serde::str")]
    pub allocated: Decimal,
    /// Enterprises with an entitlement above zero.
    pub claimants: u64,
    /// Enterprises whose entitlement is undetermined or a range: when any,
    /// nothing is allocated.
    pub undetermined: u64,
    /// First come, first served: the fact giving the filing order (absent
    /// for pro rata).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_come_by: Option<String>,
    /// First come, first served: claimants whose filing fact is missing.
    /// When any and the demand exceeds the fund, nothing is allocated.
    #[serde(skip_serializing_if = "is_zero")]
    pub unordered: u64,
    /// The first of those claimants, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_unordered: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl BudgetTotals {
    /// B ÷ D when demand exceeds the budget (every entitlement's share
    /// before the fen are placed), else 1; `None` when the demand is not
    /// known or zero. For reading only: the allocation itself is exact.
    pub fn factor(&self) -> Option<Decimal> {
        if !self.allocates() || self.demand.is_zero() {
            return None;
        }
        if self.demand <= self.budget {
            return Some(Decimal::ONE);
        }
        self.budget.checked_div(self.demand).map(|f| f.round_dp(6))
    }

    /// Whether the allocation is known: every entitlement is, and (first
    /// come, first served, demand above the fund) every claimant's place
    /// in the filing order.
    pub fn allocates(&self) -> bool {
        self.undetermined == 0 && (self.unordered == 0 || self.demand <= self.budget)
    }
}

/// One budget during a run: what it pays for, and what the passes found.
struct State {
    info: BudgetInfo,
    /// Whether each item of the policy (by index) is paid by it.
    pays: Vec<bool>,
    /// B in fen.
    fund: i128,
    /// D in fen.
    demand: i128,
    claimants: u64,
    undetermined: u64,
    /// After the second pass: the least remainder that still gets a fen,
    /// and how many rows of exactly that remainder still get one.
    cut: Option<(i128, u64)>,
    /// Rows of each remainder (the second pass only).
    remainders: std::collections::BTreeMap<i128, u64>,
    /// The sum of the rounded-down shares (second pass).
    floors: i128,
    /// First come, first served: its filing order (pro rata: `None`).
    first_come: Option<FirstCome>,
}

impl State {
    /// Whether the allocation is known (see [`BudgetTotals::allocates`]).
    fn known(&self) -> bool {
        let ordered = match &self.first_come {
            Some(f) => f.unordered == 0 || self.demand <= self.fund,
            None => true,
        };
        self.undetermined == 0 && ordered
    }
}

/// An amount in whole fen; `None` for a fraction of a fen.
fn fen(d: Decimal) -> Option<i128> {
    let f = d.checked_mul(Decimal::ONE_HUNDRED)?.normalize();
    // Normalised, a whole number of fen has scale 0 and is its mantissa.
    (f.scale() == 0).then(|| f.mantissa())
}

fn from_fen(f: i128) -> Decimal {
    Decimal::from_i128_with_scale(f, 2)
}

fn overflow(what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::Overflow,
        format!("the budget's {what} is too large to compute exactly"),
    )
    .help("decree computes allocations exactly in fen; a sum beyond 28 digits cannot be")
}

/// What an enterprise is entitled to from one budget: whole fen, or
/// `None` when undetermined or a range.
fn entitlement(state: &State, row: &RowView<'_>) -> Result<Option<i128>, Diagnostic> {
    let mut sum = Decimal::ZERO;
    for (i, item) in row.items().enumerate() {
        if !state.pays.get(i).copied().unwrap_or(false) {
            continue;
        }
        match (item.status, item.min, item.max) {
            (Status::Granted, Some(lo), Some(hi)) if lo == hi => {
                sum = sum.checked_add(lo).ok_or_else(|| overflow("demand"))?;
            }
            (Status::Granted | Status::Undetermined, _, _) => return Ok(None),
            _ => {}
        }
    }
    match fen(sum) {
        Some(f) => Ok(Some(f)),
        None => Err(Diagnostic::error(
            Code::Budget,
            format!(
                "{}: an entitlement of {sum}元 from budget `{}` is not a whole number of fen",
                row.name(),
                state.info.name
            ),
        )
        .help("a budget pays in fen: round the items' amounts to the fen (round(x, 0.01元))")),
    }
}

/// The fund of every budget of `policy` at `settings`' options.
fn states(policy: &Policy, settings: &Settings) -> Result<Vec<State>, Diagnostic> {
    let mut out = Vec::new();
    for b in &policy.budgets {
        let fund = match crate::eval::constant(policy, &b.amount, &settings.options) {
            Ok(Value::Num(_, d)) => fen(d).ok_or_else(|| {
                Diagnostic::error(
                    Code::Budget,
                    format!("budget `{}` is not a whole number of fen", b.name),
                )
                .label(b.amount.span, "this fund")
                .in_source(&policy.source)
            })?,
            Ok(_) => {
                return Err(Diagnostic::error(Code::Budget, "a budget is money")
                    .label(b.amount.span, "here"));
            }
            Err(d) => return Err(d.in_source(&policy.source)),
        };
        let mut pays = vec![false; policy.items.len()];
        for i in &b.items {
            if let Some(p) = pays.get_mut(i.0) {
                *p = true;
            }
        }
        out.push(State {
            info: b.clone(),
            pays,
            fund,
            demand: 0,
            claimants: 0,
            undetermined: 0,
            cut: None,
            remainders: Default::default(),
            floors: 0,
            first_come: match b.rule {
                Allocation::ProRata => None,
                Allocation::FirstCome(fact) => Some(FirstCome::new(fact)),
            },
        });
    }
    Ok(out)
}

/// ⌊e × B ÷ D⌋ and the remainder, in fen.
fn share(e: i128, fund: i128, demand: i128) -> Result<(i128, i128), Diagnostic> {
    let x = e.checked_mul(fund).ok_or_else(|| overflow("share"))?;
    Ok((x / demand, x % demand))
}

/// The first pass's sink: the demand.
struct Demand<'s>(&'s mut [State]);

impl Sink for Demand<'_> {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        for s in self.0.iter_mut() {
            match entitlement(s, row)? {
                Some(e) => {
                    s.demand = s.demand.checked_add(e).ok_or_else(|| overflow("demand"))?;
                    s.claimants += u64::from(e > 0);
                    if let Some(f) = &mut s.first_come {
                        f.count(row, e)?;
                    }
                }
                None => s.undetermined += 1,
            }
        }
        Ok(())
    }
}

/// The second pass's sink: how many rows have each remainder.
struct Remainders<'s>(&'s mut [State]);

impl Sink for Remainders<'_> {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        for s in self.0.iter_mut().filter(|s| scaled(s)) {
            if let Some(e) = entitlement(s, row)? {
                let (q, r) = share(e, s.fund, s.demand)?;
                s.floors = s
                    .floors
                    .checked_add(q)
                    .ok_or_else(|| overflow("allocation"))?;
                if r > 0 {
                    *s.remainders.entry(r).or_insert(0) += 1;
                }
            }
        }
        Ok(())
    }
}

/// Whether a budget's demand is known and exceeds it.
fn short(s: &State) -> bool {
    s.known() && s.demand > s.fund
}

/// Whether a budget is pro rata and short: its shares are scaled.
fn scaled(s: &State) -> bool {
    s.first_come.is_none() && short(s)
}

/// From the remainders, the cut: the `fund - floors` largest remainders
/// get a fen; at the least of them, only so many rows (the first in input
/// order).
fn cut(s: &mut State) {
    let mut left = u64::try_from(s.fund - s.floors).unwrap_or(0);
    s.cut = None;
    for (&r, &n) in s.remainders.iter().rev() {
        if left == 0 {
            break;
        }
        let take = n.min(left);
        s.cut = Some((r, take));
        left -= take;
    }
    s.remainders.clear();
}

/// The last pass's sink: each row's allocations, then the row, to `inner`.
struct Allocating<'s, K> {
    states: &'s mut [State],
    inner: K,
}

impl<K: BudgetSink> Sink for Allocating<'_, K> {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        let mut allocations = Vec::with_capacity(self.states.len());
        for s in self.states.iter_mut() {
            allocations.push(allocate(s, row)?);
        }
        self.inner.allocations(&allocations)?;
        self.inner.row(row)
    }
    fn rejected(&mut self, error: &super::RowError) -> Result<(), Diagnostic> {
        self.inner.rejected(error)
    }
    fn finish(&mut self) -> Result<(), Diagnostic> {
        self.inner.finish()
    }
}

/// One row's allocation from one budget, in input order (the cut's count
/// of rows at the least remainder runs down as they come).
fn allocate(s: &mut State, row: &RowView<'_>) -> Result<Option<Decimal>, Diagnostic> {
    if !s.known() {
        return Ok(None);
    }
    let Some(e) = entitlement(s, row)? else {
        return Ok(None);
    };
    if !short(s) {
        return Ok(Some(from_fen(e)));
    }
    if let Some(f) = &mut s.first_come {
        return Ok(Some(from_fen(f.allocate(row, e))));
    }
    let (q, r) = share(e, s.fund, s.demand)?;
    let extra = match &mut s.cut {
        Some((least, _)) if r > *least => 1,
        Some((least, n)) if r == *least && *n > 0 && r > 0 => {
            *n -= 1;
            1
        }
        _ => 0,
    };
    Ok(Some(from_fen(q + extra)))
}

/// A sink that also takes each row's allocations, given just before the
/// row itself.
pub trait BudgetSink: Sink {
    /// The row's allocation from each budget of the policy (in their
    /// order): `None` where the allocation is not known.
    ///
    /// # Errors
    /// Stops the run.
    fn allocations(&mut self, allocations: &[Option<Decimal>]) -> Result<(), Diagnostic> {
        let _ = allocations;
        Ok(())
    }
}

impl<S: BudgetSink + ?Sized> BudgetSink for &mut S {
    fn allocations(&mut self, allocations: &[Option<Decimal>]) -> Result<(), Diagnostic> {
        (**self).allocations(allocations)
    }
}

/// Two sinks: each row's allocations to both.
impl<A: BudgetSink, B: BudgetSink> BudgetSink for (A, B) {
    fn allocations(&mut self, allocations: &[Option<Decimal>]) -> Result<(), Diagnostic> {
        self.0.allocations(allocations)?;
        self.1.allocations(allocations)
    }
}

/// A sink that may be absent: nothing goes to it.
impl<S: BudgetSink> BudgetSink for Option<S> {
    fn allocations(&mut self, allocations: &[Option<Decimal>]) -> Result<(), Diagnostic> {
        self.as_mut().map_or(Ok(()), |s| s.allocations(allocations))
    }
}

/// A population run with the policy's budgets allocated: the source is
/// opened (`open`) once per pass, and must give the same rows each time.
/// Returns the last pass's tally and each budget's totals.
///
/// # Errors
/// What opening the source or a pass returns; a budget whose fund is not
/// a constant number of fen; a sum too large to compute exactly.
pub fn run_with_budgets<'p, S, K>(
    mut open: impl FnMut() -> Result<S, Diagnostics>,
    sink: &mut K,
    settings: &Settings,
    mut progress: impl FnMut(&super::Progress),
) -> Result<(Tally, Vec<BudgetTotals>), Diagnostics>
where
    S: Source<'p>,
    K: BudgetSink + Send,
{
    let mut source = open()?;
    let policy = source.policy();
    let mut states = states(policy, settings)?;
    if !states.is_empty() {
        run(&mut source, &mut Demand(&mut states), settings, |_| {})?;
        for s in states.iter_mut().filter(|s| short(s)) {
            let fund = s.fund;
            if let Some(f) = &mut s.first_come {
                f.cut(fund);
            }
        }
        if states.iter().any(scaled) {
            run(&mut open()?, &mut Remainders(&mut states), settings, |_| {})?;
            states.iter_mut().filter(|s| scaled(s)).for_each(cut);
        }
        source = open()?;
    }
    let mut last = Allocating {
        states: &mut states,
        inner: sink,
    };
    let tally = run(&mut source, &mut last, settings, &mut progress)?;
    let totals = states
        .iter()
        .map(|s| BudgetTotals {
            name: s.info.name.clone(),
            label: s.info.label.clone(),
            budget: from_fen(s.fund).normalize(),
            demand: from_fen(s.demand).normalize(),
            allocated: if s.known() {
                from_fen(s.demand.min(s.fund)).normalize()
            } else {
                Decimal::ZERO
            },
            claimants: s.claimants,
            undetermined: s.undetermined,
            first_come_by: s.first_come.as_ref().map(|f| {
                policy
                    .fact(f.fact)
                    .map_or_else(String::new, |i| i.name.clone())
            }),
            unordered: s.first_come.as_ref().map_or(0, |f| f.unordered),
            first_unordered: s
                .first_come
                .as_ref()
                .and_then(|f| f.first_unordered.clone()),
        })
        .collect();
    Ok((tally, totals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_fen_are_exact_or_refused() {
        assert_eq!(fen(Decimal::new(12345, 2)), Some(12345));
        assert_eq!(fen(Decimal::new(5, 0)), Some(500));
        assert_eq!(fen(Decimal::new(1, 3)), None);
    }
}
