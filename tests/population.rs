//! The draft over generated populations, two ways: through
//! `population::run` (as CSV with set-valued cells, as JSON Lines and as a
//! folder of facts files, and through `decree batch`), and enterprise by
//! enterprise through `decree::evaluate`. They must agree digit for digit:
//! every status, amount, cause and total. The enterprises are those of the
//! draft's differential test (`tests/draft/firms.rs`), with every fact
//! spelt as a register would write it: conditions `TRUE` / `是`, money in
//! yuan or 万, rates as percentages or fractions, sets `a;b` by name or
//! label.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "draft/firms.rs"]
mod firms;

use common::population::{agree, run};
use decree::population::read::{Csv, Files, JsonLines, ReadOptions};
use decree::population::{RowResult, RowView};
use decree::report::rows::{RowFormat, RowWriter};
use decree::value::DurationUnit;
use decree::{Options, Policy, SourceFile};
use firms::{F, Firm, firm, load, to_facts};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rust_decimal::Decimal;

const ENTERPRISES: usize = 400;
const SEED: u64 = 0x5EED_2020_0707;

fn firms() -> Vec<Firm> {
    let mut rng = StdRng::seed_from_u64(SEED);
    (0..ENTERPRISES).map(|i| firm(&mut rng, i)).collect()
}

/// The options of every row of a run: with the draft's open figures left
/// `tbd` and no issue date, or filled in and in force.
fn settings(policy: &Policy) -> [Options; 2] {
    let open = Options {
        at: Some("2026-01-01".parse().unwrap()),
        ..Options::default()
    };
    let filled = firms::filled_options(policy);
    [open, filled]
}

/// A value of an enum by its name or, every other time, its label.
fn variant(policy: &Policy, name: &str, k: usize) -> String {
    let label = policy
        .enums
        .iter()
        .flat_map(|e| &e.variants)
        .find(|(n, _)| n == name)
        .and_then(|(_, l)| l.clone());
    match label {
        Some(l) if k % 2 == 1 => l,
        _ => name.to_string(),
    }
}

/// A fact as a register's cell would write it, in one of several
/// spellings chosen by `k`.
fn cell(policy: &Policy, value: &F, k: usize) -> String {
    let wan = Decimal::from(10_000);
    match value {
        F::Bool(b) => {
            let spellings = [
                ["true", "false"],
                ["TRUE", "FALSE"],
                ["是", "否"],
                ["True", "False"],
                // Blanks around, which the plan's fast reading of a
                // condition trims as the facts reader does.
                [" true", "否 "],
            ];
            spellings[k % spellings.len()][usize::from(!*b)].to_string()
        }
        F::Money(d) if k.is_multiple_of(3) && (d % wan).is_zero() => {
            format!("{}万", (d / wan).normalize())
        }
        F::Money(d) if k % 3 == 1 => format!("{}元", d.normalize()),
        F::Money(d) | F::Area(d) => d.normalize().to_string(),
        F::Rate(d) if k.is_multiple_of(2) => format!("{}%", (d * Decimal::ONE_HUNDRED).normalize()),
        F::Rate(d) => d.normalize().to_string(),
        F::Count(c) => c.to_string(),
        F::Duration(n, DurationUnit::Years) => format!("{n} years"),
        F::Duration(n, _) => format!("{n} months"),
        F::Set(s) if s.is_empty() => "[]".to_string(),
        F::Set(s) => {
            let separator = if k.is_multiple_of(2) { ";" } else { "；" };
            s.iter()
                .enumerate()
                .map(|(j, v)| variant(policy, v, k + j))
                .collect::<Vec<_>>()
                .join(separator)
        }
    }
}

/// The population as CSV: a column per fact of the draft, empty cells for
/// the facts an enterprise does not give.
fn csv(policy: &Policy, firms: &[Firm]) -> String {
    let names: Vec<&str> = policy.facts.iter().map(|f| f.name.as_str()).collect();
    let mut text = names.join(",");
    text.push('\n');
    for (i, f) in firms.iter().enumerate() {
        let cells: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(k, n)| {
                f.facts
                    .get(n)
                    .map_or(String::new(), |v| cell(policy, v, i + k))
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

/// One enterprise as a JSON object of facts: conditions as booleans, sets
/// as lists (or, every other one, as text), everything else as text.
fn json(policy: &Policy, f: &Firm, i: usize) -> String {
    let mut map = serde_json::Map::new();
    for (k, (name, value)) in f.facts.iter().enumerate() {
        let v = match value {
            F::Bool(b) => serde_json::Value::Bool(*b),
            F::Set(s) if (i + k).is_multiple_of(2) => s
                .iter()
                .map(|v| serde_json::Value::from(variant(policy, v, k)))
                .collect(),
            other => serde_json::Value::from(cell(policy, other, i + k)),
        };
        map.insert((*name).to_string(), v);
    }
    serde_json::Value::Object(map).to_string()
}

/// Each enterprise evaluated alone.
fn one_by_one(policy: &Policy, firms: &[Firm], options: &Options) -> Vec<RowResult> {
    let facts: Vec<_> = firms
        .iter()
        .enumerate()
        .map(|(i, f)| to_facts(policy, f, i))
        .collect();
    common::population::each_alone(policy, &facts, options)
}

#[test]
fn population_runs_agree_with_single_evaluations_digit_for_digit() {
    let policy = load();
    let firms = firms();
    let text = csv(&policy, &firms);
    let lines: Vec<String> = firms
        .iter()
        .enumerate()
        .map(|(i, f)| json(&policy, f, i))
        .collect();
    let jsonl = lines.join("\n");
    let files: Vec<SourceFile> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| SourceFile::new(format!("enterprise-{i:04}.json"), l.as_str()))
        .collect();
    let read = ReadOptions {
        name: "population".into(),
        ..ReadOptions::default()
    };
    for options in settings(&policy) {
        let expected = one_by_one(&policy, &firms, &options);
        let (csv, warnings) = Csv::new(&policy, text.as_bytes(), &read).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        agree("CSV", &run(csv, &options), &expected);
        agree(
            "JSON Lines",
            &run(
                JsonLines::new(&policy, jsonl.as_bytes(), read.clone()),
                &options,
            ),
            &expected,
        );
        let files = files.clone().into_iter().map(Ok);
        agree(
            "facts files",
            &run(Files::new(&policy, files, read.clone()), &options),
            &expected,
        );
    }
}

/// `decree batch` writes, row by row, what each enterprise evaluated alone
/// comes to.
#[test]
fn decree_batch_writes_what_single_evaluations_give() {
    let policy = load();
    let firms = firms();
    let dir = std::env::temp_dir().join(format!("decree-population-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("register.csv");
    std::fs::write(&input, csv(&policy, &firms)).unwrap();
    let out = dir.join("out.csv");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_decree"))
        .args(["batch", firms::POLICY, "--at", "2026-01-01", "--facts"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let options = &settings(&policy)[0];
    let mut expected = Vec::new();
    let mut writer = RowWriter::new(&policy, &mut expected, RowFormat::Csv, "expected", &[]);
    for (i, f) in firms.iter().enumerate() {
        let e = decree::evaluate(&policy, &to_facts(&policy, f, i), options);
        writer
            .write(&RowView::of_evaluation(i as u64 + 2, &e))
            .unwrap();
    }
    drop(writer);
    let expected = String::from_utf8(expected).unwrap();
    let written = std::fs::read_to_string(&out).unwrap();
    for (n, (w, e)) in written.lines().zip(expected.lines()).enumerate() {
        assert_eq!(w, e, "line {}", n + 1);
    }
    assert_eq!(written.lines().count(), expected.lines().count());
    std::fs::remove_dir_all(&dir).unwrap();
}
