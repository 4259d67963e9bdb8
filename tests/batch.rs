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

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(prop::collection::vec(amount(), 7), 1..400).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, values)| {
                let mut facts = Facts::new(format!("row {}", i + 2));
                for (name, v) in FACTS.iter().zip(values) {
                    if let Some(d) = v {
                        facts.set(fact(name), Value::Num(Unit::Money, d));
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
        _ => prop::sample::select(vec!["true", "false", "", "maybe", "1"]).prop_map(str::to_string).boxed(),
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

    /// The CSV fast path (cells parsed straight into the plan's columns)
    /// agrees with reading every row as typed facts and interpreting it,
    /// rejected rows included.
    #[test]
    fn csv_chunks_through_the_plan_agree_with_the_interpreter(csv in ops_csv(), chunk in 1usize..100) {
        let policy = load("tests/batch/ops.decree");
        let options = Options::default();
        let plan = Plan::compile(&policy, &options).expect("every operation of ops.decree compiles");
        let mut expected = Vec::new();
        let mut slow = decree::batch::RowReader::new(&policy, csv.as_bytes(), decree::batch::RowFormat::Csv).unwrap();
        while let Some(r) = slow.next_row() {
            expected.push(r.map(|row| RowResult::from_evaluation(&policy, row.line, &decree::evaluate(&policy, &row.facts, &options))).map_err(|e| e.line));
        }
        let mut got = Vec::new();
        let mut fast = decree::batch::RowReader::new(&policy, csv.as_bytes(), decree::batch::RowFormat::Csv).unwrap();
        while let Some(c) = fast.next_chunk(Some(&plan), chunk) {
            let results = decree::batch::evaluate(&policy, Some(&plan), &c, &options);
            let mut rows: Vec<Result<RowResult, u64>> = (0..results.len()).map(|i| Ok(results.row(i).unwrap().to_result(&policy))).collect();
            rows.extend(c.errors.iter().map(|e| Err(e.line)));
            got.extend(rows);
        }
        let line = |r: &Result<RowResult, u64>| match r { Ok(r) => r.line, Err(l) => *l };
        got.sort_by_key(line);
        prop_assert_eq!(got, expected);
    }

    /// Typed rows through the plan agree with the interpreter on a policy
    /// using every operation the plan compiles.
    #[test]
    fn every_plan_operation_agrees_with_the_interpreter(csv in ops_csv()) {
        let policy = load("tests/batch/ops.decree");
        let options = Options::default();
        let plan = Plan::compile(&policy, &options).unwrap();
        let mut reader = decree::batch::RowReader::new(&policy, csv.as_bytes(), decree::batch::RowFormat::Csv).unwrap();
        let mut rows = Vec::new();
        while let Some(r) = reader.next_row() {
            if let Ok(r) = r {
                rows.push(r);
            }
        }
        let fast = decree::batch::evaluate_chunk(&policy, Some(&plan), &rows, &options);
        prop_assert_eq!(fast, interpreted(&policy, &rows, &options));
    }
}

#[test]
fn the_plan_decides_rows_of_every_operation() {
    // Plain values of the ops policy: the plan, not the interpreter, decides.
    let policy = load("tests/batch/ops.decree");
    let plan = Plan::compile(&policy, &Options::default()).unwrap();
    let csv = "revenue,cost,growth,staff,floor_area,listed\n300000000,120000000,0.22,800,12000,false\n5000000,1000000.5,0.05,10,100,true\n";
    let mut reader =
        decree::batch::RowReader::new(&policy, csv.as_bytes(), decree::batch::RowFormat::Csv)
            .unwrap();
    let chunk = reader.next_chunk(Some(&plan), 10).unwrap();
    let results = decree::batch::evaluate(&policy, Some(&plan), &chunk, &Options::default());
    for i in 0..2 {
        assert!(
            matches!(results.row(i), Some(decree::batch::RowView::Plan { .. })),
            "row {i} went to the interpreter"
        );
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
                facts.set(
                    fact(name),
                    Value::Num(Unit::Money, Decimal::new(fen * 1000, 2)),
                );
            }
            Row { line: i + 2, facts }
        })
        .collect();
    let decided = decree::batch::plan_rows(&plan, &rows)
        .iter()
        .filter(|r| r.is_some())
        .count();
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
/// object, for amounts, ranges, statuses without amounts and Chinese names.
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
    let mut out = Vec::new();
    let mut writer = decree::batch::RowWriter::new(&policy, &mut out, true);
    for (line, pairs) in rows.iter().enumerate() {
        let facts = decree::facts_from_pairs(&policy, pairs).unwrap();
        let e = decree::evaluate(&policy, &facts, &Options::default());
        writer
            .write(&RowResult::from_evaluation(&policy, line as u64 + 1, &e))
            .unwrap();
    }
    drop(writer);
    let text = String::from_utf8(out).unwrap();
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
}
