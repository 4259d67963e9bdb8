//! Population runs in the library: the compiled plan agrees digit for digit
//! with the interpreter over generated populations, typed or read from CSV
//! in chunks of any size; the lean run changes nothing the rows show; JSON
//! Lines are written in serde_json's layout. `decree batch` end to end is
//! `tests/batch_cli.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::root;
use decree::eval::Facts;
use decree::plan::Plan;
use decree::population::read::{Chunk, Csv, ReadOptions, Source, Typed};
use decree::population::{Collect, RowResult, RowView, Settings, Sink};
use decree::report::rows::{RowFormat, RowWriter};
use decree::value::{Unit, Value};
use decree::{Options, Policy, SourceFile};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn load(rel: &str) -> Policy {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    decree::load(&SourceFile::new(rel, text)).unwrap()
}

/// The anchor policy, loaded once: facts are typed by it.
fn anchor() -> &'static Policy {
    static ANCHOR: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    ANCHOR.get_or_init(|| load("examples/bench/anchor.decree"))
}

/// The anchor's fact called `name`.
fn fact(name: &str) -> decree::check::FactId {
    anchor().fact_named(name).unwrap().0
}

const FACTS: [&str; 7] = [
    "investment",
    "fixed_asset_investment",
    "loan_interest",
    "lease_interest",
    "annual_output",
    "prior_peak_output",
    "actual_sales",
];

/// Amounts in fen up to 2000亿, often exactly at or near the caps and
/// thresholds, sometimes with more decimals than the plan takes, sometimes
/// missing.
fn amount() -> impl Strategy<Value = Option<Decimal>> {
    prop_oneof![
        8 => (0i64..20_000_000_000_000).prop_map(|fen| Some(Decimal::new(fen, 2))),
        2 => prop::sample::select(vec![
            "250000000", "2500000", "33333333.33", "33333334", "10000000000", "50000000000", "100000000000",
            "9999999999.99", "0", "0.0000001",
        ])
        .prop_map(|s| Some(s.parse().unwrap())),
        1 => Just(None),
    ]
}

fn rows() -> impl Strategy<Value = Vec<Facts>> {
    prop::collection::vec(prop::collection::vec(amount(), 7), 1..400).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, values)| {
                let mut facts = Facts::new(format!("row {}", i + 1));
                for (name, v) in FACTS.iter().zip(values) {
                    if let Some(d) = v {
                        facts.set(fact(name), Value::Num(Unit::Money, d));
                    }
                }
                facts
            })
            .collect()
    })
}

/// Each row through the interpreter alone, numbered from 1 as a run
/// numbers typed rows, and named as it names them.
fn interpreted(policy: &Policy, rows: &[Facts], options: &Options) -> Vec<RowResult> {
    rows.iter()
        .enumerate()
        .map(|(i, f)| {
            let line = i as u64 + 1;
            let mut r =
                RowResult::from_evaluation(policy, line, &decree::evaluate(policy, f, options));
            if r.name.is_empty() {
                r.name = format!("row {line}");
            }
            r
        })
        .collect()
}

/// A source that reads at most `cap` rows at a time: chunk boundaries
/// anywhere.
struct Capped<S>(S, usize);

impl<'p, S: Source<'p>> Source<'p> for Capped<S> {
    fn policy(&self) -> &'p Policy {
        self.0.policy()
    }
    fn next_chunk(&mut self, plan: Option<&Plan>, max: usize) -> Option<Chunk> {
        self.0.next_chunk(plan, max.min(self.1))
    }
}

/// Every row's results and rejected row, through `population::run`.
fn collect<'p>(mut source: impl Source<'p>, settings: &Settings) -> Collect {
    let mut sink = Collect::default();
    decree::population::run(&mut source, &mut sink, settings, |_| {}).unwrap();
    sink
}

/// Whether the plan decided each row, every item of it (none left to the
/// interpreter).
#[derive(Default)]
struct ByPlan(Vec<bool>);

impl Sink for ByPlan {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), decree::Diagnostic> {
        self.0.push(row.by_plan() && row.interpreted_items() == 0);
        Ok(())
    }
}

/// A CSV text as a source.
fn csv<'p>(policy: &'p Policy, text: &'p str) -> Csv<'p, &'p [u8]> {
    let options = ReadOptions {
        name: "pop.csv".into(),
        ..ReadOptions::default()
    };
    Csv::new(policy, text.as_bytes(), &options).unwrap().0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    #[test]
    fn the_plan_agrees_with_the_interpreter(rows in rows()) {
        let policy = anchor();
        let options = Options::default();
        prop_assert!(Plan::compile(policy, &options).is_some(), "the anchor policy compiles");
        let fast = collect(Typed::new(policy, rows.clone()), &Settings::lean(options.clone()));
        prop_assert_eq!(fast.rows, interpreted(policy, &rows, &options));
    }
}

/// A cell of a population CSV for the facts of tests/batch/ops.decree:
/// plain numbers (what the reader parses straight into fixed point), values
/// at and around the policy's thresholds, magnitudes, more decimals than a
/// column holds, negatives, empty cells and garbage.
fn ops_cell(column: usize) -> BoxedStrategy<String> {
    let plain = |hi: i64| (0..hi).prop_map(|v| v.to_string()).boxed();
    let fen = (0i64..200_000_000_000).prop_map(|f| format!("{}.{:02}", f / 100, f % 100));
    let odd = prop::sample::select(vec![
        "",
        "1亿",
        "10亿",
        "3.5万",
        "1.005",
        "-5",
        "abc",
        "0",
        "100000000",
        "99999999.99",
        "1e3",
    ])
    .prop_map(str::to_string);
    match column {
        // revenue, cost: money
        0 | 1 => prop_oneof![4 => fen, 2 => plain(2_000_000_000), 2 => odd].boxed(),
        // growth: rate
        2 => prop_oneof![
            4 => (0i64..5000).prop_map(|b| format!("{}%", b as f64 / 100.0)),
            2 => prop::sample::select(vec!["0.1", "0.2", "0.3", "0.30001", "10%", "20%", "30%", "0.123456789", ""]).prop_map(str::to_string),
            1 => odd,
        ]
        .boxed(),
        // staff: count
        3 => prop_oneof![4 => plain(2000), 1 => Just("500".to_string()), 1 => Just("0".into()), 1 => Just("2.5".into()), 1 => Just("".into())].boxed(),
        // floor_area: area
        4 => prop_oneof![4 => plain(20_000), 1 => Just("5000".to_string()), 1 => Just("4999.99".into()), 1 => odd].boxed(),
        // listed: bool
        _ => prop::sample::select(vec!["true", "false", "TRUE", "False", "是", "否", "", "maybe", "1"]).prop_map(str::to_string).boxed(),
    }
}

fn ops_csv() -> impl Strategy<Value = String> {
    let row = (0..6).map(ops_cell).collect::<Vec<_>>();
    prop::collection::vec(row, 1..300).prop_map(|rows| {
        let mut text = "revenue,cost,growth,staff,floor_area,listed\n".to_string();
        for r in rows {
            text.push_str(&r.join(","));
            text.push('\n');
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// The CSV fast path (cells parsed straight into the plan's columns, in
    /// chunks of any size) agrees with reading every row as typed facts and
    /// interpreting it, rejected rows included, in input order.
    #[test]
    fn csv_chunks_through_the_plan_agree_with_the_interpreter(text in ops_csv(), chunk in 1usize..100) {
        let policy = load("tests/batch/ops.decree");
        let options = Options::default();
        prop_assert!(Plan::compile(&policy, &options).is_some(), "every operation of ops.decree compiles");
        let slow = collect(csv(&policy, &text), &Settings::full(options.clone()));
        let fast = collect(Capped(csv(&policy, &text), chunk), &Settings::lean(options));
        prop_assert_eq!(fast, slow);
    }

    /// Typed rows through the plan agree with the interpreter on a policy
    /// using every operation the plan compiles.
    #[test]
    fn every_plan_operation_agrees_with_the_interpreter(text in ops_csv()) {
        let policy = load("tests/batch/ops.decree");
        let options = Options::default();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let rows: Vec<Facts> = lines
            .filter_map(|line| {
                let pairs: Vec<(&str, &str)> = header.iter().copied().zip(line.split(',')).collect();
                decree::facts_from_pairs(&policy, &pairs).ok()
            })
            .collect();
        let fast = collect(Typed::new(&policy, rows.clone()), &Settings::lean(options.clone()));
        prop_assert_eq!(fast.rows, interpreted(&policy, &rows, &options));
    }
}

/// A cell of a population CSV for the facts of tests/batch/kinds.decree:
/// amounts plain and odd, values of an enumeration and sets of them by
/// name or label (and digits, which must not be read as numbers), dates,
/// durations, empty cells and garbage.
fn kinds_cell(column: usize) -> BoxedStrategy<String> {
    let fen = (0i64..50_000_000_000).prop_map(|f| format!("{}.{:02}", f / 100, f % 100));
    let odd =
        |cells: &[&'static str]| prop::sample::select(cells.to_vec()).prop_map(str::to_string);
    let money = || {
        prop_oneof![
            4 => fen.clone(),
            2 => odd(&["100000000", "10000000", "5000000", "0", "1亿", "3.5万", "", "1.005", "-5", "abc"]),
        ]
        .boxed()
    };
    match column {
        // investment, funds, rent
        0..=2 => money(),
        // share
        3 => odd(&["10%", "0.25", "3%", "0", "", "0.123456789", "x"]).boxed(),
        // staff
        4 => prop_oneof![3 => (0i64..1000).prop_map(|v| v.to_string()), 1 => odd(&["", "50", "100", "2.5"])].boxed(),
        // listed
        5 => odd(&["true", "false", "是", "否", "", "maybe"]).boxed(),
        // scale: an enumeration
        6 => odd(&["small", "medium", "large", "中型", "大型", "", "huge", "1", "0"]).boxed(),
        // titles: a set
        7 => odd(&["gold", "silver;bronze", "金奖；铜奖", "[]", "", "gold;silver;bronze", "platinum", "1", "0", "bronze"]).boxed(),
        // founded: a date
        // (leap days and the evaluation date's anniversaries too)
        8 => odd(&["2019-05-01", "2020-01-01", "2021-07-15", "", "2020-13-01", "20200101", "2020-02-29", "2021-06-30", "2021-07-01", "2020-12-31", "2024-06-30", "2025-01-01"]).boxed(),
        // running: a duration
        // (compared by months in the plan: odd ones too)
        _ => odd(&["2 years", "3 years", "36 months", "35 months", "", "3", "4 years", "1.5 years", "-3 years", "0.5 months", "30 days", "2.5 years"]).boxed(),
    }
}

fn kinds_csv() -> impl Strategy<Value = String> {
    let row = (0..10).map(kinds_cell).collect::<Vec<_>>();
    prop::collection::vec(row, 1..200).prop_map(|rows| {
        let mut text =
            "investment,funds,rent,share,staff,listed,scale,titles,founded,running\n".to_string();
        for r in rows {
            text.push_str(&r.join(","));
            text.push('\n');
        }
        text
    })
}

/// The options of the kinds policy's runs: its `tbd` amount open, or set
/// with an evaluation date.
fn kinds_options(policy: &Policy) -> [Options; 2] {
    let mut set = Options {
        at: Some("2024-06-30".parse().unwrap()),
        ..Options::default()
    };
    decree::facts::apply_setting(policy, "award_amount=200万", &mut set).unwrap();
    [Options::default(), set]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// Ranges, soft caps, computed benefits, enumerations and sets, a `tbd`
    /// param, durations (odd ones too), rounding and dates (compared,
    /// counted in years) through the plan, and a date moved by a duration,
    /// schedules, a stacking group and a cap deferred to the
    /// interpreter item by item: the rows
    /// agree with the interpreter's whole evaluations, rejected rows
    /// included, in chunks of any size.
    #[test]
    fn every_kind_agrees_with_the_interpreter_item_by_item(text in kinds_csv(), chunk in 1usize..100) {
        let policy = load("tests/batch/kinds.decree");
        for options in kinds_options(&policy) {
            prop_assert!(Plan::compile(&policy, &options).is_some());
            let slow = collect(csv(&policy, &text), &Settings::full(options.clone()));
            let fast = collect(Capped(csv(&policy, &text), chunk), &Settings::lean(options));
            prop_assert_eq!(fast, slow);
        }
    }
}

/// A cell for the facts of tests/batch/unknown.decree: empty often (the
/// fact missing), plain, odd (more decimals than a column holds, which the
/// interpreter reads), or garbage (the row rejected).
fn unknown_cell(column: usize) -> BoxedStrategy<String> {
    let odd =
        |cells: &[&'static str]| prop::sample::select(cells.to_vec()).prop_map(str::to_string);
    let fen = (0i64..5_000_000_000).prop_map(|f| format!("{}.{:02}", f / 100, f % 100));
    match column {
        0 | 1 => prop_oneof![
            3 => fen,
            3 => odd(&["", "", "0", "100000000", "10000000", "1000000000", "1.005", "3.5万"]),
            1 => odd(&["abc"]),
        ]
        .boxed(),
        2 => odd(&["10%", "0.25", "", "", "0.123456789", "9.99%"]).boxed(),
        3 => prop_oneof![2 => (0i64..50).prop_map(|v| v.to_string()), 1 => odd(&["", "10", "11"])]
            .boxed(),
        4 | 5 => odd(&["true", "false", "", "", "是"]).boxed(),
        6 => odd(&["small", "large", "", "大型"]).boxed(),
        _ => odd(&["gold", "silver;gold", "silver", "", "[]"]).boxed(),
    }
}

fn unknown_csv() -> impl Strategy<Value = String> {
    let row = (0..8).map(unknown_cell).collect::<Vec<_>>();
    prop::collection::vec(row, 1..150).prop_map(|rows| {
        let mut text = "revenue,cost,growth,staff,listed,local,scale,titles\n".to_string();
        for r in rows {
            text.push_str(&r.join(","));
            text.push('\n');
        }
        text
    })
}

/// The unknowns policy's runs: its `tbd` params open, or set.
fn unknown_options(policy: &Policy) -> [Options; 2] {
    let mut set = Options::default();
    for s in ["bonus=50万", "floor=10%"] {
        decree::facts::apply_setting(policy, s, &mut set).unwrap();
    }
    [Options::default(), set]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// Missing facts and `tbd` params through every operation: the plan
    /// decides items undetermined with the interpreter's causes (or defers
    /// them), and every row agrees with the interpreter's whole evaluation,
    /// in chunks of any size.
    #[test]
    fn undetermined_items_agree_with_the_interpreter(text in unknown_csv(), chunk in 1usize..100) {
        let policy = load("tests/batch/unknown.decree");
        for options in unknown_options(&policy) {
            prop_assert!(Plan::compile(&policy, &options).is_some());
            let slow = collect(csv(&policy, &text), &Settings::full(options.clone()));
            let fast = collect(Capped(csv(&policy, &text), chunk), &Settings::lean(options));
            prop_assert_eq!(fast, slow);
        }
    }
}

/// A row that leaves facts out, with the params `tbd`: the plan itself
/// decides the items they leave open undetermined, naming the causes the
/// interpreter names (`and` / `or` short circuits, a `when` and a rule both
/// open, a `tbd` param in a `when` and in a rule, an item using one).
#[test]
fn the_plan_decides_undetermined_items_with_their_causes() {
    let policy = load("tests/batch/unknown.decree");
    let options = Options::default();
    let plan = Plan::compile(&policy, &options).unwrap();
    let text = "revenue,cost,growth,staff,listed,local,scale,titles\n\
        ,5000000,,20,true,,large,gold\n\
        200000000,,0.2,5,false,true,,\n";
    let rows = collect(csv(&policy, text), &Settings::full(options.clone()));
    let mut cols = decree::plan::Columns::new(&plan);
    let facts: Vec<Facts> = text
        .lines()
        .skip(1)
        .map(|line| {
            let header = [
                "revenue", "cost", "growth", "staff", "listed", "local", "scale", "titles",
            ];
            let pairs: Vec<(&str, &str)> = header
                .iter()
                .copied()
                .zip(line.split(','))
                .filter(|(_, v)| !v.is_empty())
                .collect();
            decree::facts_from_pairs(&policy, &pairs).unwrap()
        })
        .collect();
    for f in &facts {
        let r = cols.push_row();
        for (slot, s) in plan.facts().iter().enumerate() {
            if let Some(v) = f.get(s.id) {
                cols.set_value(&plan, slot, r, v);
            }
        }
    }
    let out = plan.run(&cols);
    let at = |name: &str| policy.items.iter().position(|i| i.name() == name).unwrap();
    let mut by_plan = 0;
    for (r, row) in rows.rows.iter().enumerate() {
        for (i, o) in row.items.iter().enumerate() {
            if let Some(status) = out.status(r, i) {
                assert_eq!(status, o.status, "row {r} item {}", policy.items[i].name());
                assert_eq!(
                    out.causes(r, i),
                    o.causes.as_slice(),
                    "row {r} item {}",
                    policy.items[i].name()
                );
                if status == decree::eval::Status::Undetermined {
                    by_plan += 1;
                }
            }
        }
    }
    // Row 1: `local` missing, `growth` missing and `floor`, `bonus` tbd.
    for name in [
        "qualified",
        "fast",
        "capped",
        "award_open",
        "band",
        "support",
        "extra",
        "words",
    ] {
        assert_eq!(
            out.status(0, at(name)),
            Some(decree::eval::Status::Undetermined),
            "{name}"
        );
    }
    // `listed` decides `either` alone; `two` and `margin_target` need the
    // missing revenue, `uses` an undetermined item.
    assert_eq!(
        out.status(0, at("either")),
        Some(decree::eval::Status::Granted)
    );
    for name in ["two", "margin_target", "uses"] {
        assert_eq!(
            out.status(0, at(name)),
            Some(decree::eval::Status::Undetermined),
            "{name}"
        );
    }
    assert!(by_plan >= 12, "{by_plan} undetermined by the plan");
}

/// How many of each row's items the interpreter decided.
#[derive(Default)]
struct Interpreted(Vec<usize>);

impl Sink for Interpreted {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), decree::Diagnostic> {
        self.0.push(if row.by_plan() {
            row.interpreted_items()
        } else {
            usize::MAX
        });
        Ok(())
    }
}

#[test]
fn the_interpreter_decides_only_the_items_the_plan_defers() {
    let policy = load("tests/batch/kinds.decree");
    let n = policy.items.len();
    let at = |name: &str| policy.items.iter().position(|i| i.name() == name).unwrap();
    let plan = Plan::compile(&policy, &Options::default()).unwrap();
    // Decided by the plan on some rows, however they use what it cannot
    // compute; the members of the group and cap on none.
    for name in [
        "matched",
        "band",
        "rent_cap",
        "medalist",
        "open",
        "grown",
        "startup",
        "young",
        "before_cutoff",
    ] {
        assert!(plan.plans(at(name)), "{name}");
    }
    // A date moved by a duration, or the years to an evaluation date the
    // run does not have, with no `when` to decide them; the group's and
    // cap's members.
    for name in [
        "first_year",
        "three_years",
        "equipment",
        "upgrade",
        "soft_capped",
    ] {
        assert!(!plan.plans(at(name)), "{name}");
    }
    // With an evaluation date, the years to it are the plan's.
    let dated = Options {
        at: Some("2024-06-30".parse().unwrap()),
        ..Options::default()
    };
    let plan_at = Plan::compile(&policy, &dated).unwrap();
    assert!(plan_at.plans(at("three_years")));
    assert!(!plan_at.plans(at("first_year")));
    // A row that dates nothing, needs no `tbd` and is in no group: the
    // plan alone, but for the group and cap and what they need.
    let text = "investment,funds,rent,share,staff,listed,scale,titles,founded,running\n\
        50000000,1000000,30,10%,20,false,medium,gold;bronze,2019-05-01,2 years\n\
        50000000,1000000,30,10%,20,true,medium,gold,,\n";
    let mut seen = Interpreted::default();
    let settings = Settings::lean(Options::default());
    decree::population::run(&mut csv(&policy, text), &mut seen, &settings, |_| {}).unwrap();
    assert_eq!(seen.0.len(), 2);
    for k in &seen.0 {
        assert!(
            *k > 0 && *k < n,
            "{:?} of {n} items by the interpreter",
            seen.0
        );
    }
    // And the results are the interpreter's.
    let slow = collect(csv(&policy, text), &Settings::full(Options::default()));
    let fast = collect(csv(&policy, text), &settings);
    assert_eq!(fast, slow);
}

#[test]
fn the_plan_decides_rows_of_every_operation() {
    // Plain values of the ops policy: the plan, not the interpreter, decides.
    let policy = load("tests/batch/ops.decree");
    let text = "revenue,cost,growth,staff,floor_area,listed\n300000000,120000000,0.22,800,12000,false\n5000000,1000000.5,0.05,10,100,true\n";
    let mut by_plan = ByPlan::default();
    let settings = Settings::lean(Options::default());
    decree::population::run(&mut csv(&policy, text), &mut by_plan, &settings, |_| {}).unwrap();
    assert_eq!(by_plan.0, vec![true, true], "a row went to the interpreter");
}

#[test]
fn the_plan_decides_most_rows_itself() {
    let policy = anchor();
    let rows: Vec<Facts> = (0..1000)
        .map(|i| {
            let mut facts = Facts::default();
            for (k, name) in FACTS.iter().enumerate() {
                let fen = (i as i64 * 7919 + k as i64 * 104_729) % 5_000_000_000;
                facts.set(
                    fact(name),
                    Value::Num(Unit::Money, Decimal::new(fen * 1000, 2)),
                );
            }
            facts
        })
        .collect();
    let mut by_plan = ByPlan::default();
    let settings = Settings::lean(Options::default());
    decree::population::run(
        &mut Typed::new(policy, rows),
        &mut by_plan,
        &settings,
        |_| {},
    )
    .unwrap();
    let decided = by_plan.0.iter().filter(|b| **b).count();
    assert!(decided > 950, "only {decided} of 1000 rows by the plan");
}

#[test]
fn the_draft_is_planned_item_by_item() {
    // Ranges, soft caps, computed benefits, `in` over sets, `tbd` params
    // and durations compared compile.
    let draft = load("policies/shenzhen-manufacturing-2020.decree");
    let plan = Plan::compile(&draft, &Options::default()).expect("the draft has a plan");
    let unplanned: Vec<&str> = (0..draft.items.len())
        .filter(|i| !plan.plans(*i))
        .map(|i| draft.items[i].name())
        .collect();
    eprintln!(
        "planned {} of {}; not: {unplanned:?}",
        plan.planned_count(),
        draft.items.len()
    );
    assert_eq!(plan.item_count(), draft.items.len());
}

/// `decree batch` skips explanation texts; nothing it writes may change.
#[test]
fn skipping_explanations_changes_no_status_amount_or_cause() {
    let draft = load("policies/shenzhen-manufacturing-2020.decree");
    let quick = Options {
        skip_explanations: true,
        ..Options::default()
    };
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("examples/enterprises")).unwrap() {
        let path = entry.unwrap().path();
        let src = SourceFile::new(
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        );
        let Ok((facts, _)) = decree::facts::load(&draft, &src) else {
            continue;
        };
        let full = RowResult::from_evaluation(
            &draft,
            1,
            &decree::evaluate(&draft, &facts, &Options::default()),
        );
        let fast = RowResult::from_evaluation(&draft, 1, &decree::evaluate(&draft, &facts, &quick));
        assert_eq!(full, fast, "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 20);
}

/// JSON Lines are written piece by piece, not through a map: each line must
/// still be valid JSON in exactly the layout serde_json gives the same
/// object, for amounts, ranges, statuses without amounts, Chinese names and
/// keys.
#[test]
fn json_lines_are_the_layout_serde_json_gives() {
    let policy = decree::load(&SourceFile::new(
        "t.decree",
        "fact 投资额: money\nfact listed: bool\n\
         measure 1 \"m\" {\n\
           subsidy 技改资助 = min(20% * 投资额, 5000万)\n\
           award band = 10万..30万 when listed\n\
           eligibility big = 投资额 >= 1亿\n\
         }\n",
    ))
    .unwrap();
    let rows = [
        vec![("投资额", "3亿"), ("listed", "true")],
        vec![("投资额", "1234.5")],
        vec![("listed", "false")],
    ];
    let written = |keys: &[String]| {
        let mut out = Vec::new();
        let mut writer = RowWriter::new(&policy, &mut out, RowFormat::JsonLines, "out.jsonl", keys);
        for (line, pairs) in rows.iter().enumerate() {
            let facts = decree::facts_from_pairs(&policy, pairs).unwrap();
            let e = decree::evaluate(&policy, &facts, &Options::default());
            let mut r = RowResult::from_evaluation(&policy, line as u64 + 1, &e);
            r.keys = keys.iter().map(|k| format!("{k} \"{line}\"")).collect();
            writer.write(&RowView::of_result(&r)).unwrap();
        }
        writer.finish().unwrap();
        drop(writer);
        String::from_utf8(out).unwrap()
    };
    let text = written(&[]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    for line in &lines {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(&serde_json::to_string(&value).unwrap(), line);
    }
    assert_eq!(
        lines[0],
        r#"{"line":1,"items":{"技改资助":{"status":"granted","amount":"50000000"},"band":{"status":"granted","min":"100000","max":"300000"},"big":{"status":"granted"}},"total":{"min":"50100000","max":"50300000"}}"#
    );
    let text = written(&["编号".to_string(), "id".to_string()]);
    for line in text.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), line);
    }
    assert!(
        text.starts_with(r#"{"line":1,"keys":{"编号":"编号 \"0\"","id":"id \"0\""},"items""#),
        "{text}"
    );
}
