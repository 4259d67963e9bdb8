//! Population runs: the compiled plan agrees digit for digit with the
//! interpreter over generated populations; CSV and JSON Lines stream in
//! input order; unreadable rows are reported with their line and skipped
//! (or stop the run with --strict).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use decree::batch::{Row, RowResult};
use decree::eval::Facts;
use decree::plan::Plan;
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

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(prop::collection::vec(amount(), 7), 1..400).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, values)| {
                let mut facts = Facts {
                    values: BTreeMap::new(),
                    name: format!("row {}", i + 2),
                };
                for (name, v) in FACTS.iter().zip(values) {
                    if let Some(d) = v {
                        facts
                            .values
                            .insert((*name).to_string(), Value::Num(Unit::Money, d));
                    }
                }
                Row {
                    line: i as u64 + 2,
                    facts,
                }
            })
            .collect()
    })
}

fn interpreted(policy: &Policy, rows: &[Row], options: &Options) -> Vec<RowResult> {
    rows.iter()
        .map(|r| {
            RowResult::from_evaluation(policy, r.line, &decree::evaluate(policy, &r.facts, options))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    #[test]
    fn the_plan_agrees_with_the_interpreter(rows in rows()) {
        let policy = load("examples/bench/anchor.decree");
        let options = Options::default();
        let plan = Plan::compile(&policy, &options).expect("the anchor policy compiles");
        let fast = decree::batch::evaluate_chunk(&policy, Some(&plan), &rows, &options);
        let slow = interpreted(&policy, &rows, &options);
        prop_assert_eq!(fast, slow);
    }
}

#[test]
fn the_plan_decides_most_rows_itself() {
    let policy = load("examples/bench/anchor.decree");
    let plan = Plan::compile(&policy, &Options::default()).unwrap();
    let rows: Vec<Row> = (0..1000)
        .map(|i| {
            let mut facts = Facts::default();
            for (k, name) in FACTS.iter().enumerate() {
                let fen = (i as i64 * 7919 + k as i64 * 104_729) % 5_000_000_000;
                facts.values.insert(
                    (*name).to_string(),
                    Value::Num(Unit::Money, Decimal::new(fen * 1000, 2)),
                );
            }
            Row { line: i + 2, facts }
        })
        .collect();
    let decided = plan.run(&rows).iter().filter(|r| r.is_some()).count();
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

#[test]
fn csv_end_to_end_with_bad_rows_in_order() {
    let dir = std::env::temp_dir().join(format!("decree-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("pop.csv");
    std::fs::write(
        &input,
        "investment,fixed_asset_investment,loan_interest,lease_interest,annual_output,prior_peak_output,actual_sales,name\n\
         1.2亿,0,100万,0,600亿,480亿,0,华芯\n\
         3亿,,0,0,0,0,0,缺一项\n\
         lots,0,0,0,0,0,0,坏行\n\
         -5,0,0,0,0,0,0,负数\n\
         5000万元,1亿,20M,0,1000亿,999亿,3400万,大厂\n",
    )
    .unwrap();
    let out = dir.join("out.csv");
    let o = decree(&[
        "batch",
        "examples/bench/anchor.decree",
        "--facts",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--summary",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("pop.csv:4:") && err.contains("`lots`"),
        "{err}"
    );
    assert!(
        err.contains("pop.csv:5:") && err.contains("negative"),
        "{err}"
    );
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(
        summary.contains("4 rows evaluated, 2 rejected")
            || summary.contains("3 rows evaluated, 2 rejected"),
        "{summary}"
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
        "examples/bench/anchor.decree",
        "--facts",
        input.to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("pop.csv:4:"));
}

#[test]
fn json_lines_in_and_out() {
    let dir = std::env::temp_dir().join(format!("decree-batch-jsonl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("pop.jsonl");
    std::fs::write(
        &input,
        "{\"investment\": \"1.2亿\", \"actual_sales\": 3400000}\n\n{\"investment\": true}\n{\"investment\": 0.5}\n",
    )
    .unwrap();
    let out = dir.join("out.jsonl");
    let o = decree(&[
        "batch",
        "examples/bench/anchor.decree",
        "--facts",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("pop.jsonl:3:"));
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
