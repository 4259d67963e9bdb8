//! Budgets over a population (issue 16): `population::budget::
//! run_with_budgets` allocates a budget pro rata exactly, over a
//! generated CSV and generated populations: the allocations sum to the
//! budget whenever demand exceeds it, none exceeds its entitlement or is
//! negative, and the result is the same on 1 and 4 threads and whatever
//! the order of the measures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use decree::population::budget::{BudgetSink, BudgetTotals, run_with_budgets};
use decree::population::read::{Csv, ReadOptions};
use decree::population::{RowView, Settings, Sink};
use decree::{Diagnostic, Options, Policy, SourceFile};
use proptest::prelude::*;
use rust_decimal::Decimal;

const MEASURE_8: &str =
    "measure 8 \"技术改造\" {\n  subsidy upgrade = min(investment * 20%, 3000万)\n}\n";
const MEASURE_9: &str = "measure 9 \"首台套\" {\n  award first = 500万 when first_set\n  benefit land = 1 when first_set\n}\n";

fn policy(budget: &str, measures_swapped: bool) -> Policy {
    let measures = if measures_swapped {
        format!("{MEASURE_9}\n{MEASURE_8}")
    } else {
        format!("{MEASURE_8}\n{MEASURE_9}")
    };
    let text = format!(
        "fact investment: money\nfact first_set: bool\n\n{measures}\nbudget fund \"专项资金\" = {budget} for {{ upgrade, measure 9 }} pro rata\n"
    );
    decree::load(&SourceFile::new("b.decree", text))
        .unwrap_or_else(|d| panic!("{}", d.render(decree::RenderStyle::Plain)))
}

/// Each row's entitlement (the sum of its granted amounts of the budget's
/// items) and allocation.
#[derive(Default)]
struct Rows(Vec<(Decimal, Option<Decimal>)>, Option<Option<Decimal>>);

impl Sink for Rows {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        let (total, _) = row.total();
        self.0.push((total, self.1.take().flatten()));
        Ok(())
    }
}

impl BudgetSink for Rows {
    fn allocations(&mut self, a: &[Option<Decimal>]) -> Result<(), Diagnostic> {
        self.1 = Some(a[0]);
        Ok(())
    }
}

fn run(policy: &Policy, csv: &str) -> (Vec<(Decimal, Option<Decimal>)>, Vec<BudgetTotals>) {
    let options = ReadOptions {
        name: "pop.csv".into(),
        ..ReadOptions::default()
    };
    let open = || Csv::new(policy, csv.as_bytes(), &options).map(|(c, _)| c);
    let mut rows = Rows::default();
    let settings = Settings::lean(Options::default());
    let (_, totals) = run_with_budgets(open, &mut rows, &settings, |_| {}).unwrap();
    (rows.0, totals)
}

fn csv(rows: &[(u64, bool)]) -> String {
    let mut s = String::from("investment,first_set\n");
    // Whole yuan: 20% of them is whole fen, as a budget pays.
    for (yuan, first) in rows {
        s.push_str(&format!("{yuan},{first}\n"));
    }
    s
}

#[test]
fn a_generated_population_shares_the_budget_exactly() {
    let rows: Vec<(u64, bool)> = (0..3000u64)
        .map(|i| ((i * 7_919_113) % 200_000_000, i % 3 == 0))
        .collect();
    let text = csv(&rows);
    let (out, totals) = run(&policy("2亿", false), &text);
    let t = &totals[0];
    assert!(t.demand > t.budget, "{t:?}");
    assert_eq!(t.allocated, t.budget);
    let sum: Decimal = out.iter().map(|(_, a)| a.unwrap()).sum();
    assert_eq!(sum, Decimal::from(200_000_000));
    for (e, a) in &out {
        let a = a.unwrap();
        assert!(a >= Decimal::ZERO && a <= *e, "{a} of {e}");
    }
    // A budget above the demand pays every entitlement.
    let (out, totals) = run(&policy("1000亿", false), &text);
    assert_eq!(totals[0].allocated, totals[0].demand);
    assert!(out.iter().all(|(e, a)| Some(*e) == *a));
}

#[test]
fn an_undetermined_entitlement_leaves_the_allocation_open() {
    let text = "investment,first_set\n100000000,true\n,true\n";
    let (out, totals) = run(&policy("1亿", false), text);
    assert_eq!(totals[0].undetermined, 1);
    assert!(out.iter().all(|(_, a)| a.is_none()));
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn allocations_sum_to_the_budget_on_any_threads_and_order(
        rows in prop::collection::vec((0u64..50_000_000, any::<bool>()), 1..300),
        budget_fen in 1u64..100_000_000_000,
    ) {
        let text = csv(&rows);
        let budget = format!("{}.{:02}元", budget_fen / 100, budget_fen % 100);
        let (one, totals) = in_pool(1, || run(&policy(&budget, false), &text));
        let (four, _) = in_pool(4, || run(&policy(&budget, false), &text));
        let (swapped, _) = in_pool(4, || run(&policy(&budget, true), &text));
        prop_assert_eq!(&one, &four);
        prop_assert_eq!(&one, &swapped);
        let t = &totals[0];
        let sum: Decimal = one.iter().map(|(_, a)| a.unwrap()).sum();
        if t.demand > t.budget {
            prop_assert_eq!(sum, t.budget);
        } else {
            prop_assert_eq!(sum, t.demand);
        }
        for (e, a) in &one {
            let a = a.unwrap();
            prop_assert!(a >= Decimal::ZERO && a <= *e, "{} of {}", a, e);
        }
    }
}

/// The bundled 实施细则 (an illustration) over its example population: the
/// district fund of 1亿 is short of the demand, and each enterprise gets
/// its entitlement scaled down to the fen, the fen left over by largest
/// remainder, summing to the fund exactly.
#[test]
fn the_bundled_district_rules_share_their_fund_over_the_example_population() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let policy = decree::load(&SourceFile::new(
        "district-rules-illustration.decree",
        read("policies/district-rules-illustration.decree"),
    ))
    .unwrap();
    let text = read("examples/district/population.csv");
    let options = ReadOptions {
        name: "population.csv".into(),
        keys: vec!["enterprise".into()],
        ..ReadOptions::default()
    };
    let open = || Csv::new(&policy, text.as_bytes(), &options).map(|(c, _)| c);
    let mut rows = Entitlements::default();
    let at = jiff::civil::date(2023, 8, 1);
    // Whole evaluations, so that the sink can read each item by name.
    let settings = Settings::full(Options {
        at: Some(at),
        ..Options::default()
    });
    let (_, totals) = run_with_budgets(open, &mut rows, &settings, |_| {}).unwrap();
    let t = &totals[0];
    let fund = Decimal::from(100_000_000);
    assert_eq!(t.budget, fund);
    assert!(t.demand > fund, "{t:?}");
    assert_eq!(t.allocated, fund);
    let allocations: Vec<Decimal> = rows.0.iter().map(|(_, a)| a.unwrap()).collect();
    assert_eq!(allocations.iter().copied().sum::<Decimal>(), fund);
    let demand: Decimal = rows.0.iter().map(|(e, _)| *e).sum();
    assert_eq!(demand, t.demand);
    // Each share is entitlement × fund ÷ demand taken down to the fen, or
    // one fen more: never above the entitlement.
    let fen = Decimal::new(1, 2);
    for ((e, _), a) in rows.0.iter().zip(&allocations) {
        let floor = (*e * fund / demand).trunc_with_scale(2);
        assert!(*a == floor || *a == floor + fen, "{a} for {e}");
        assert!(*a <= *e);
    }
}

/// Each row's entitlement to the district fund (its granted amounts of the
/// fund's items) and its allocation.
#[derive(Default)]
struct Entitlements(Vec<(Decimal, Option<Decimal>)>, Option<Option<Decimal>>);

impl Sink for Entitlements {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        let evaluation = row.evaluation().expect("a run with whole evaluations");
        let amount = |name: &str| {
            evaluation
                .item(name)
                .and_then(|i| i.amount)
                .unwrap_or_default()
        };
        let entitlement = amount("district_tech_upgrade") + amount("startup_rent");
        self.0.push((entitlement, self.1.take().flatten()));
        Ok(())
    }
}

impl BudgetSink for Entitlements {
    fn allocations(&mut self, a: &[Option<Decimal>]) -> Result<(), Diagnostic> {
        self.1 = Some(a[0]);
        Ok(())
    }
}

/// A policy of one first-come budget, in the order of a filing number
/// (`filed`, a count) or a filing date (`filed_on`).
fn first_come_policy(budget: &str, by: &str) -> Policy {
    let text = format!(
        "fact investment: money\nfact filed: count\nfact filed_on: date\n\n{MEASURE_8}\nbudget fund \"专项资金\" = {budget} for {{ upgrade }} first come by {by}\n"
    );
    decree::load(&SourceFile::new("f.decree", text))
        .unwrap_or_else(|d| panic!("{}", d.render(decree::RenderStyle::Plain)))
}

/// Rows of (investment in yuan, filing number), with their filing date
/// the filing number's day of 2023 (so both orders agree).
fn filing_csv(rows: &[(u64, u8)]) -> String {
    let mut s = String::from("investment,filed,filed_on\n");
    for (yuan, filed) in rows {
        let day = jiff::civil::date(2023, 1, 1)
            .checked_add(jiff::Span::new().days(i64::from(*filed)))
            .unwrap();
        s.push_str(&format!("{yuan},{filed},{day}\n"));
    }
    s
}

/// `run`, with the plan (lean) or with the interpreter on every row (full).
fn run_with(
    policy: &Policy,
    csv: &str,
    planned: bool,
) -> (Vec<(Decimal, Option<Decimal>)>, Vec<BudgetTotals>) {
    let options = ReadOptions {
        name: "pop.csv".into(),
        ..ReadOptions::default()
    };
    let open = || Csv::new(policy, csv.as_bytes(), &options).map(|(c, _)| c);
    let mut rows = Rows::default();
    let settings = if planned {
        Settings::lean(Options::default())
    } else {
        Settings::full(Options::default())
    };
    let (_, totals) = run_with_budgets(open, &mut rows, &settings, |_| {}).unwrap();
    (rows.0, totals)
}

/// First come, first served by the rule itself: the claimants in filing
/// order (ties in input order) are paid in full until one is paid part
/// (or nothing) of its entitlement, and every later one nothing.
fn served_in_order(rows: &[(u64, u8)], out: &[(Decimal, Option<Decimal>)], fund: Decimal) -> bool {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| (rows[i].1, i));
    let mut left = fund;
    order.iter().all(|&i| {
        let (e, a) = out[i];
        let expected = e.min(left);
        left -= expected;
        a == Some(expected)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn first_come_pays_in_filing_order_on_any_threads_with_or_without_the_plan(
        rows in prop::collection::vec((0u64..50_000_000, 0u8..20), 1..200),
        budget_fen in 1u64..100_000_000_000,
        by_date in any::<bool>(),
    ) {
        let text = filing_csv(&rows);
        let budget = format!("{}.{:02}元", budget_fen / 100, budget_fen % 100);
        let by = if by_date { "filed_on" } else { "filed" };
        let policy = first_come_policy(&budget, by);
        let (one, totals) = in_pool(1, || run_with(&policy, &text, true));
        let (four, _) = in_pool(4, || run_with(&policy, &text, true));
        let (interpreted, _) = in_pool(4, || run_with(&policy, &text, false));
        prop_assert_eq!(&one, &four);
        prop_assert_eq!(&one, &interpreted);
        let t = &totals[0];
        prop_assert_eq!(t.first_come_by.as_deref(), Some(by));
        let sum: Decimal = one.iter().map(|(_, a)| a.unwrap()).sum();
        prop_assert_eq!(sum, t.budget.min(t.demand));
        prop_assert_eq!(t.allocated, sum);
        for (e, a) in &one {
            let a = a.unwrap();
            prop_assert!(a >= Decimal::ZERO && a <= *e, "{} of {}", a, e);
        }
        // An earlier filer is never worse off than a later one entitled
        // to as much.
        for (i, x) in rows.iter().enumerate() {
            for (j, y) in rows.iter().enumerate().skip(i + 1) {
                if one[i].0 == one[j].0 {
                    let (earlier, later) = if x.1 <= y.1 { (i, j) } else { (j, i) };
                    prop_assert!(one[earlier].1 >= one[later].1);
                }
            }
        }
        prop_assert!(served_in_order(&rows, &one, t.budget));
    }
}

/// A short fund: the earliest filer is paid in full, the next gets what
/// is left, the last nothing; on the same day, the earlier row first.
#[test]
fn first_come_pays_the_earliest_filers_and_part_of_the_last_funded() {
    // Entitlements 20% of the investment: 400万, 600万, 200万, 1000万.
    let text = "investment,filed,filed_on\n20000000,3,2023-03-01\n30000000,1,2023-02-01\n10000000,3,2023-03-01\n50000000,2,2023-02-15\n";
    let (out, totals) = run(&first_come_policy("1500万", "filed_on"), text);
    let wan = |n: i64| Decimal::from(n * 10_000);
    let allocations: Vec<Decimal> = out.iter().map(|(_, a)| a.unwrap()).collect();
    // 600万 (filed first), 1000万 … only 900万 left: the 2023-02-15 filer
    // gets 900万, the two of 2023-03-01 nothing.
    assert_eq!(allocations, vec![wan(0), wan(600), wan(0), wan(900)]);
    assert_eq!(totals[0].allocated, wan(1500));
    assert_eq!(totals[0].demand, wan(2200));
    // With room for the day's first: input order on the same day.
    let (out, _) = run(&first_come_policy("1700万", "filed_on"), text);
    let allocations: Vec<Decimal> = out.iter().map(|(_, a)| a.unwrap()).collect();
    assert_eq!(allocations, vec![wan(100), wan(600), wan(0), wan(1000)]);
}

/// A claimant without a filing date has no place in the order: when the
/// fund is short nothing is allocated and the totals name the row; when it
/// covers the demand, every entitlement is paid whatever the order.
#[test]
fn a_claimant_without_a_filing_order_withholds_a_short_allocation() {
    let text = "investment,filed,filed_on\n20000000,1,2023-03-01\n10000000,,\n0,,\n";
    let (out, totals) = run(&first_come_policy("500万", "filed_on"), text);
    let t = &totals[0];
    assert_eq!(
        (t.unordered, t.first_unordered.as_deref()),
        (1, Some("row 3"))
    );
    assert!(!t.allocates());
    assert_eq!(t.allocated, Decimal::ZERO);
    assert!(out.iter().all(|(_, a)| a.is_none()));
    let lines = decree::report::tables::budget_lines(&totals);
    assert!(
        lines.contains("1 claimants have no filed_on (the first: row 3)"),
        "{lines}"
    );
    let (out, totals) = run(&first_come_policy("1亿", "filed_on"), text);
    assert!(totals[0].allocates());
    assert!(out.iter().all(|(e, a)| Some(*e) == *a));
}

/// The bundled first-come example (an illustration): its tests in the
/// language pass and reach every point, and over its population the fund
/// of 300万 goes to the earliest filers, the last one funded paid part.
#[test]
fn the_bundled_first_come_example_pays_its_fund_in_filing_order() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/first-come");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let src = SourceFile::new(
        "jobs-fund-illustration.decree",
        read("jobs-fund-illustration.decree"),
    );
    let policy = decree::load(&src).unwrap();
    let suite = SourceFile::new(
        "jobs-fund-illustration.test.decree",
        read("jobs-fund-illustration.test.decree"),
    );
    let program = decree::syntax::parse(&suite, &decree::Limits::default()).unwrap();
    let mut reached = decree::testing::Reached::default();
    let tests = decree::testing::tests_in(&program);
    for r in decree::testing::run(&policy, &suite, &tests, &mut reached) {
        assert!(r.passed(), "{:?}", r.name);
    }
    assert!(decree::testing::coverage(&policy, &reached).gaps.is_empty());

    let text = read("population.csv");
    let options = ReadOptions {
        name: "population.csv".into(),
        keys: vec!["enterprise".into()],
        ..ReadOptions::default()
    };
    let open = || Csv::new(&policy, text.as_bytes(), &options).map(|(c, _)| c);
    let mut rows = Rows::default();
    let settings = Settings::lean(Options {
        at: Some(jiff::civil::date(2024, 6, 1)),
        ..Options::default()
    });
    let (_, totals) = run_with_budgets(open, &mut rows, &settings, |_| {}).unwrap();
    let t = &totals[0];
    let fund = Decimal::from(3_000_000);
    assert!(t.demand > fund, "{t:?}");
    assert_eq!(t.allocated, fund);
    let allocations: Vec<Decimal> = rows.0.iter().map(|(_, a)| a.unwrap()).collect();
    assert_eq!(allocations.iter().copied().sum::<Decimal>(), fund);
    // Exactly one enterprise is paid part of its entitlement.
    let partly = rows
        .0
        .iter()
        .filter(|(e, a)| a.is_some_and(|a| a > Decimal::ZERO && a < *e))
        .count();
    assert_eq!(partly, 1);
    // In filing order (the dates of the CSV), paid in full, then part, then nothing.
    let dates: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    let mut order: Vec<usize> = (0..dates.len()).collect();
    order.sort_by_key(|&i| (dates[i], i));
    let mut left = fund;
    for i in order {
        let (e, a) = rows.0[i];
        assert_eq!(a, Some(e.min(left)), "row {i}");
        left -= e.min(left);
    }
}
