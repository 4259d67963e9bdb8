//! Population runs: the compiled plan agrees digit for digit with the
//! interpreter over generated populations; CSV, JSON Lines and facts files
//! stream in input order; unreadable rows are reported with their line and
//! skipped (exit code 1), or stop the run with --strict; key columns pass
//! through; unknown columns are warned about; sets are written `a;b`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use decree::eval::Facts;
use decree::plan::Plan;
use decree::population::read::{Chunk, Csv, ReadOptions, Source, Typed};
use decree::population::write::{RowFormat, RowWriter};
use decree::population::{Collect, RowResult, RowView, Settings, Sink};
use decree::value::{Unit, Value};
use decree::{Options, Policy, SourceFile};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

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

/// Whether the plan decided each row.
#[derive(Default)]
struct ByPlan(Vec<bool>);

impl Sink for ByPlan {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), decree::Diagnostic> {
        self.0.push(row.by_plan());
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
fn policies_the_plan_cannot_express_get_no_plan() {
    // The draft has discretionary ranges and soft caps: the interpreter runs it.
    let draft = load("policies/shenzhen-manufacturing-2020.decree");
    assert!(Plan::compile(&draft, &Options::default()).is_none());
}

fn decree(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_decree"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// A fresh temporary folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("decree-batch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const ANCHOR: &str = "examples/bench/anchor.decree";

const BAD_ROWS: &str = "investment,fixed_asset_investment,loan_interest,lease_interest,annual_output,prior_peak_output,actual_sales,_name\n\
     1.2亿,0,100万,0,600亿,480亿,0,华芯\n\
     3亿,,0,0,0,0,0,缺一项\n\
     lots,0,0,0,0,0,0,坏行\n\
     -5,0,0,0,0,0,0,负数\n\
     5000万元,1亿,20M,0,1000亿,999亿,3400万,大厂\n";

#[test]
fn csv_end_to_end_with_bad_rows_in_order() {
    let dir = scratch("csv");
    let input = dir.join("pop.csv");
    std::fs::write(&input, BAD_ROWS).unwrap();
    let out = dir.join("out.csv");
    let o = decree(&[
        "batch",
        ANCHOR,
        "--facts",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--summary",
    ]);
    // Rejected rows make the run fail, and say how many and where.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Long messages wrap: read them in one line.
    let err = stderr(&o).replace("\n  │ ", " ");
    assert!(
        err.contains("pop.csv:4:") && err.contains("`lots`"),
        "{err}"
    );
    assert!(
        err.contains("pop.csv:5:") && err.contains("negative"),
        "{err}"
    );
    assert!(err.contains("2 of 5 rows"), "{err}");
    assert!(err.contains("(lines 4, 5)"), "{err}");
    assert!(
        stdout(&o).contains("3 rows evaluated, 2 rejected"),
        "{}",
        stdout(&o)
    );
    let written = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert!(lines[0].starts_with("line,tech_upgrade.status"));
    // Rows in input order, with their input lines; the row missing a fact is undetermined.
    assert!(
        lines[1].starts_with("2,granted,24000000,24000000,granted,500000,500000"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("3,granted,50000000,50000000"),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains("undetermined"), "{}", lines[2]);
    assert!(
        lines[3].starts_with("6,granted,10000000,10000000"),
        "{}",
        lines[3]
    );
    assert_eq!(lines.len(), 4);
    // --strict stops at the first bad row.
    let o = decree(&[
        "batch",
        ANCHOR,
        "--facts",
        input.to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("pop.csv:4:"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("pop.csv:5:"), "{}", stderr(&o));
}

#[test]
fn every_row_rejected_still_writes_the_header_and_fails() {
    let dir = scratch("all-bad");
    let input = dir.join("pop.csv");
    std::fs::write(&input, "investment,actual_sales\nlots,1\n-1,2\n").unwrap();
    for out in ["out.csv", "out.jsonl"] {
        let out = dir.join(out);
        let o = decree(&[
            "batch",
            ANCHOR,
            "--facts",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("2 of 2 rows"), "{}", stderr(&o));
        let written = std::fs::read_to_string(&out).unwrap();
        if out.extension().unwrap() == "csv" {
            assert!(
                written.starts_with("line,tech_upgrade.status,"),
                "{written:?}"
            );
            assert_eq!(written.lines().count(), 1);
        } else {
            assert_eq!(written, "");
        }
    }
}

#[test]
fn unknown_columns_are_warned_once_with_a_suggestion_and_refused_under_strict() {
    let dir = scratch("columns");
    let input = dir.join("pop.csv");
    let mut text = "investmnet,actual_sales,_note,region\n".to_string();
    for i in 0..50 {
        text.push_str(&format!("{i}00万,1万,x,south\n"));
    }
    std::fs::write(&input, &text).unwrap();
    let o = decree(&["batch", ANCHOR, "--facts", input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        err.matches("column `investmnet` is not a fact").count(),
        1,
        "{err}"
    );
    assert!(err.contains("did you mean `investment`?"), "{err}");
    assert_eq!(
        err.matches("column `region` is not a fact").count(),
        1,
        "{err}"
    );
    // A column of notes is ignored silently.
    assert!(!err.contains("column `_note`"), "{err}");
    let o = decree(&[
        "batch",
        ANCHOR,
        "--facts",
        input.to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("column `investmnet` is not a fact"), "{err}");
    assert!(err.contains("did you mean `investment`?"), "{err}");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

#[test]
fn key_columns_pass_through_to_the_output() {
    let dir = scratch("keys");
    let input = dir.join("pop.csv");
    std::fs::write(
        &input,
        "id,investment,name\nA-1,1亿,\"华芯, 深圳\"\nA-2,lots,坏行\nA-3,2亿,大厂\n",
    )
    .unwrap();
    let out = dir.join("out.csv");
    let args = |out: &Path| {
        vec![
            "batch".to_string(),
            ANCHOR.into(),
            "--facts".into(),
            input.to_str().unwrap().into(),
            "--key".into(),
            "id".into(),
            "--key".into(),
            "name".into(),
            "--out".into(),
            out.to_str().unwrap().into(),
        ]
    };
    let run = |args: Vec<String>| decree(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let o = run(args(&out));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let written = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert!(
        lines[0].starts_with("line,id,name,tech_upgrade.status"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("2,A-1,\"华芯, 深圳\",granted,20000000"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("4,A-3,大厂,granted,40000000"),
        "{}",
        lines[2]
    );
    // The key columns need not be facts: no warning for them.
    assert!(!stderr(&o).contains("column `id`"), "{}", stderr(&o));
    let jsonl = dir.join("out.jsonl");
    let o = run(args(&jsonl));
    assert_eq!(o.status.code(), Some(1));
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&jsonl)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["keys"]["id"], "A-1");
    assert_eq!(first["keys"]["name"], "华芯, 深圳");
    // A key naming no column is an error with a suggestion.
    let o = decree(&[
        "batch",
        ANCHOR,
        "--facts",
        input.to_str().unwrap(),
        "--key",
        "ids",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("--key `ids` names no column"), "{err}");
    assert!(err.contains("did you mean `id`?"), "{err}");
}

#[test]
fn a_set_of_column_is_written_with_semicolons() {
    let dir = scratch("sets");
    let policy = dir.join("p.decree");
    std::fs::write(
        &policy,
        "enum honour { national_champion_enterprise \"国家单项冠军示范企业\", city_champion_product \"市级单项冠军产品\" }\n\
         fact honours: set of honour \"获得的称号\"\n\
         fact listed: bool\n\
         measure 13 \"m\" {\n\
           award national = 300万 when national_champion_enterprise in honours\n\
           award city = 100万 when city_champion_product in honours and listed\n\
         }\n",
    )
    .unwrap();
    let input = dir.join("pop.csv");
    std::fs::write(
        &input,
        "honours,listed\n\
         national_champion_enterprise;city_champion_product,TRUE\n\
         国家单项冠军示范企业；市级单项冠军产品,是\n\
         city_champion_product,否\n\
         [],false\n\
         ,true\n\
         省级冠军,true\n",
    )
    .unwrap();
    let out = dir.join("out.csv");
    let o = decree(&[
        "batch",
        policy.to_str().unwrap(),
        "--facts",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`省级冠军` is not one of"),
        "{}",
        stderr(&o)
    );
    let written = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(
        lines[1],
        "2,granted,3000000,3000000,granted,1000000,1000000,4000000,4000000"
    );
    assert_eq!(
        lines[2],
        "3,granted,3000000,3000000,granted,1000000,1000000,4000000,4000000"
    );
    assert_eq!(lines[3], "4,ineligible,,,ineligible,,,0,0");
    assert_eq!(lines[4], "5,ineligible,,,ineligible,,,0,0");
    assert!(lines[5].starts_with("6,undetermined"), "{}", lines[5]);
    assert_eq!(lines.len(), 6);
}

#[test]
fn json_lines_in_and_out() {
    let dir = scratch("jsonl");
    let input = dir.join("pop.jsonl");
    std::fs::write(
        &input,
        "{\"investment\": \"1.2亿\", \"actual_sales\": 3400000}\n\n{\"investment\": true}\n{\"investment\": 0.5}\n",
    )
    .unwrap();
    let out = dir.join("out.jsonl");
    let o = decree(&[
        "batch",
        ANCHOR,
        "--facts",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("pop.jsonl:3:"), "{}", stderr(&o));
    let written = std::fs::read_to_string(&out).unwrap();
    let docs: Vec<serde_json::Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["line"], 1);
    assert_eq!(docs[0]["items"]["tech_upgrade"]["amount"], "24000000");
    assert_eq!(docs[0]["items"]["first_set"]["amount"], "1020000");
    assert_eq!(docs[0]["items"]["milestone"]["status"], "undetermined");
    assert_eq!(docs[1]["line"], 4);
    assert_eq!(docs[1]["items"]["tech_upgrade"]["amount"], "0.1");
}

#[test]
fn a_folder_of_facts_files_and_single_facts_files_are_populations() {
    let draft = "policies/shenzhen-manufacturing-2020.decree";
    let dir = scratch("folder");
    let out = dir.join("out.csv");
    let o = decree(&[
        "batch",
        draft,
        "--facts",
        "examples/enterprises",
        "--at",
        "2026-01-01",
        "--out",
        out.to_str().unwrap(),
        "--summary",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("24 rows evaluated, 0 rejected"),
        "{}",
        stdout(&o)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 25);
    let huaxin = "examples/enterprises/huaxin-electronics.json";
    let toml = dir.join("huaxin.toml");
    std::fs::write(&toml, "annual_output = \"620亿\"\nprior_peak_output = \"480亿\"\nis_industrial_enterprise = true\n").unwrap();
    for file in [huaxin, toml.to_str().unwrap()] {
        let o = decree(&[
            "batch",
            draft,
            "--facts",
            file,
            "--at",
            "2026-01-01",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{file}: {}", stderr(&o));
        assert_eq!(
            std::fs::read_to_string(&out).unwrap().lines().count(),
            2,
            "{file}"
        );
    }
}

#[test]
fn the_summary_names_items_by_label_and_counts_ineligible_apart() {
    let dir = scratch("summary");
    let policy = dir.join("p.decree");
    std::fs::write(
        &policy,
        "fact investment: money \"技术改造项目投资额\"\n\
         measure 8 \"以技术改造引领智能化转型\" {\n\
           subsidy tech_upgrade \"技术改造资助\" = min(20% * investment, 5000万) when investment >= 1000万\n\
         }\n",
    )
    .unwrap();
    let input = dir.join("pop.csv");
    std::fs::write(&input, "investment,_note\n1亿,a\n2亿,b\n100万,c\n,d\n").unwrap();
    let o = decree(&[
        "batch",
        policy.to_str().unwrap(),
        "--facts",
        input.to_str().unwrap(),
        "--summary",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(
        table.contains("fiscal summary over 4 enterprises"),
        "{table}"
    );
    assert!(table.contains("ineligible"), "{table}");
    // The item by its label, its name below.
    let rows: Vec<Vec<&str>> = table
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| l.split(['│', '┆']).map(str::trim).collect())
        .collect();
    let at = rows
        .iter()
        .position(|r| r.get(2) == Some(&"技术改造资助"))
        .unwrap_or_else(|| panic!("{table}"));
    assert_eq!(rows[at + 1][2], "tech_upgrade", "{table}");
    // Granted 2, ineligible 1, undetermined 1 (the empty cell), apart.
    assert_eq!(&rows[at][3..6], ["2", "1", "1"], "{table}");
    assert!(table.contains("6,000万元"), "{table}");
    assert!(table.contains("技术改造项目投资额"), "{table}");
}

#[test]
fn a_summary_too_large_for_exact_decimals_is_an_error() {
    let dir = scratch("overflow");
    let policy = dir.join("p.decree");
    std::fs::write(
        &policy,
        "fact g: money\nmeasure 13 \"配套\" {\n  matching a = g\n}\n",
    )
    .unwrap();
    let input = dir.join("pop.csv");
    let mut text = "g\n".to_string();
    for _ in 0..10 {
        text.push_str("20000000000000000万亿\n");
    }
    std::fs::write(&input, &text).unwrap();
    let o = decree(&[
        "batch",
        policy.to_str().unwrap(),
        "--facts",
        input.to_str().unwrap(),
        "--summary",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("decree::overflow"), "{}", stderr(&o));
    assert!(!stdout(&o).contains("fiscal summary"), "{}", stdout(&o));
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
