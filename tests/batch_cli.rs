//! `decree batch` end to end, as a user meets it: CSV, JSON Lines and
//! facts files stream in input order; unreadable rows are reported with
//! their line and skipped (exit code 1), or stop the run with --strict;
//! the header is always written; key columns pass through; unknown columns
//! are warned about once; sets are written `a;b`; the summary names items
//! by label; a sum too large for exact decimals is an error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::decree;
use std::path::{Path, PathBuf};

/// A fresh temporary folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("decree-batch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `text` as the file `file` in the fresh folder of test `test`.
fn input(test: &str, file: &str, text: &str) -> PathBuf {
    write(&scratch(test), file, text)
}

/// `text` as the file `file` in `dir`.
fn write(dir: &Path, file: &str, text: &str) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path
}

/// `decree batch POLICY --facts INPUT MORE…`.
fn batch(policy: &str, input: &Path, more: &[&str]) -> std::process::Output {
    let mut args = vec!["batch", policy, "--facts", input.to_str().unwrap()];
    args.extend(more);
    decree(&args)
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
    let input = input("csv", "pop.csv", BAD_ROWS);
    let dir = input.parent().unwrap();
    let out = dir.join("out.csv");
    let o = batch(
        ANCHOR,
        &input,
        &["--out", out.to_str().unwrap(), "--summary"],
    );
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
    let o = batch(ANCHOR, &input, &["--strict"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("pop.csv:4:"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("pop.csv:5:"), "{}", stderr(&o));
}

#[test]
fn every_row_rejected_still_writes_the_header_and_fails() {
    let input = input(
        "all-bad",
        "pop.csv",
        "investment,actual_sales\nlots,1\n-1,2\n",
    );
    let dir = input.parent().unwrap();
    for out in ["out.csv", "out.jsonl"] {
        let out = dir.join(out);
        let o = batch(ANCHOR, &input, &["--out", out.to_str().unwrap()]);
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
    // Stopped by --strict, the output keeps its header too.
    let out = dir.join("strict.csv");
    let o = batch(
        ANCHOR,
        &input,
        &["--out", out.to_str().unwrap(), "--strict"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.starts_with("line,tech_upgrade.status,"),
        "{written:?}"
    );
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
    let o = batch(ANCHOR, &input, &[]);
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
    let o = batch(ANCHOR, &input, &["--strict"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("column `investmnet` is not a fact"), "{err}");
    assert!(err.contains("did you mean `investment`?"), "{err}");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

#[test]
fn key_columns_pass_through_to_the_output() {
    let input = input(
        "keys",
        "pop.csv",
        "id,investment,name\nA-1,1亿,\"华芯, 深圳\"\nA-2,lots,坏行\nA-3,2亿,大厂\n",
    );
    let dir = input.parent().unwrap();
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
    let o = batch(ANCHOR, &input, &["--key", "ids"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("--key `ids` names no column"), "{err}");
    assert!(err.contains("did you mean `id`?"), "{err}");
}

#[test]
fn a_set_of_column_is_written_with_semicolons() {
    let dir = scratch("sets");
    let policy = write(
        &dir,
        "p.decree",
        "enum honour { national_champion_enterprise \"国家单项冠军示范企业\", city_champion_product \"市级单项冠军产品\" }\n\
         fact honours: set of honour \"获得的称号\"\n\
         fact listed: bool\n\
         measure 13 \"m\" {\n\
           award national = 300万 when national_champion_enterprise in honours\n\
           award city = 100万 when city_champion_product in honours and listed\n\
         }\n",
    );
    let input = write(
        &dir,
        "pop.csv",
        "honours,listed\n\
         national_champion_enterprise;city_champion_product,TRUE\n\
         国家单项冠军示范企业；市级单项冠军产品,是\n\
         city_champion_product,否\n\
         [],false\n\
         ,true\n\
         省级冠军,true\n",
    );
    let out = dir.join("out.csv");
    let o = batch(
        policy.to_str().unwrap(),
        &input,
        &["--out", out.to_str().unwrap()],
    );
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
    let input = input(
        "jsonl",
        "pop.jsonl",
        "{\"investment\": \"1.2亿\", \"actual_sales\": 3400000}\n\n{\"investment\": true}\n{\"investment\": 0.5}\n",
    );
    let dir = input.parent().unwrap();
    let out = dir.join("out.jsonl");
    let o = batch(ANCHOR, &input, &["--out", out.to_str().unwrap()]);
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
    let toml = write(
        &dir,
        "huaxin.toml",
        "annual_output = \"620亿\"\nprior_peak_output = \"480亿\"\nis_industrial_enterprise = true\n",
    );
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
    let policy = write(
        &dir,
        "p.decree",
        "fact investment: money \"技术改造项目投资额\"\n\
         measure 8 \"以技术改造引领智能化转型\" {\n\
           subsidy tech_upgrade \"技术改造资助\" = min(20% * investment, 5000万) when investment >= 1000万\n\
         }\n",
    );
    let input = write(
        &dir,
        "pop.csv",
        "investment,_note\n1亿,a\n2亿,b\n100万,c\n,d\n",
    );
    let o = batch(policy.to_str().unwrap(), &input, &["--summary"]);
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
    let policy = write(
        &dir,
        "p.decree",
        "fact g: money\nmeasure 13 \"配套\" {\n  matching a = g\n}\n",
    );
    let input = dir.join("pop.csv");
    let mut text = "g\n".to_string();
    for _ in 0..10 {
        text.push_str("9000000000000000万亿\n");
    }
    std::fs::write(&input, &text).unwrap();
    let o = batch(policy.to_str().unwrap(), &input, &["--summary"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("decree::overflow"), "{}", stderr(&o));
    assert!(!stdout(&o).contains("fiscal summary"), "{}", stdout(&o));
}

/// A key may be a fact as well: it passes through and is still read as one.
#[test]
fn a_key_that_is_a_fact_is_both() {
    let input = input(
        "key-fact",
        "pop.jsonl",
        "{\"id\": 7, \"investment\": \"1亿\"}\n{\"investment\": \"2亿\"}\n",
    );
    let dir = input.parent().unwrap();
    let out = dir.join("out.jsonl");
    let o = batch(
        ANCHOR,
        &input,
        &[
            "--key",
            "id",
            "--key",
            "investment",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    // The second line has no `id`: rejected, with a suggestion-less help.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("no key `id`"), "{}", stderr(&o));
    let written = std::fs::read_to_string(&out).unwrap();
    let first: serde_json::Value = serde_json::from_str(written.lines().next().unwrap()).unwrap();
    assert_eq!(first["keys"]["id"], "7");
    assert_eq!(first["keys"]["investment"], "1亿");
    assert_eq!(first["items"]["tech_upgrade"]["amount"], "20000000");
    assert_eq!(written.lines().count(), 1);
}

/// CSV cells are read as drafters type them, through the same reader as a
/// facts file: separators (quoted, since `,` ends a cell), full-width
/// digits, a blank before the magnitude, count words, Chinese dates and
/// `是`/`否`; a cell in Chinese numerals or with a misplaced separator is a
/// rejected row, not a guess.
#[test]
fn csv_cells_are_read_as_drafters_type_them() {
    let dir = scratch("typed");
    let policy = write(
        &dir,
        "p.decree",
        "fact investment: money \"技术改造项目投资额\"\n\
         fact staff: count \"员工人数\"\n\
         fact listed_on: date \"上市日期\"\n\
         fact industrial: bool \"工业企业\"\n\
         measure 8 \"以技术改造引领智能化转型\" {\n\
           subsidy tech_upgrade \"技术改造资助\" = min(20% * investment, 5000万) when industrial and staff >= 10 and listed_on <= 2022-01-01\n\
         }\n",
    );
    let input = write(
        &dir,
        "pop.csv",
        "investment,staff,listed_on,industrial\n\
         \"5,000万\",10人,2021年6月30日,是\n\
         ５０００万,12,2021/6/30,true\n\
         5000 万,３０人,2021-06-30,TRUE\n\
         五千万,10,2021-06-30,是\n\
         \"5,00万\",10,2021-06-30,是\n",
    );
    let out = dir.join("out.csv");
    let o = batch(
        policy.to_str().unwrap(),
        &input,
        &["--out", out.to_str().unwrap(), "--summary"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    // Rows 5 and 6 rejected by line (the messages wrap: matched in parts).
    assert!(
        err.contains("pop.csv:5: column `investment`: `五千万`"),
        "{err}"
    );
    assert!(
        err.contains("pop.csv:6: column `investment`: `5,00万`"),
        "{err}"
    );
    let rows = std::fs::read_to_string(&out).unwrap();
    let granted: Vec<&str> = rows
        .lines()
        .skip(1)
        .filter(|l| l.contains("granted,10000000,10000000"))
        .collect();
    assert_eq!(granted.len(), 3, "{rows}");
    // Three times 1,000万元: the summary's total in its magnitude, exactly.
    let table = stdout(&o);
    assert!(table.contains("3,000万元"), "{table}");
}

/// A summary total reads in the magnitude its size calls for, exactly:
/// 8.385919992亿元, not 838,591,999.2元 (nor a rounded 8.39亿元).
#[test]
fn a_summary_total_reads_in_yi_exactly() {
    let dir = scratch("yi");
    let policy = write(
        &dir,
        "p.decree",
        "fact g: money\nmeasure 13 \"配套\" {\n  matching a \"配套资金\" = g\n}\n",
    );
    let input = write(&dir, "pop.csv", "g\n\"800,000,000元\"\n38591999.2\n");
    let o = batch(policy.to_str().unwrap(), &input, &["--summary"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(table.contains("8.385919992亿元"), "{table}");
    assert!(table.contains("3,859.19992万元"), "{table}");
    assert!(!table.contains("838,591,999.2"), "{table}");
}

/// A rate cell written as a bare number above 1 (`20` for a growth rate) is
/// read as written (2000%) and warned about, as in a facts file; `20%` and
/// `0.2` are taken as meant. Under --strict the warning stops the run.
#[test]
fn a_bare_rate_above_one_in_a_csv_cell_is_warned_about() {
    const DRAFT: &str = "policies/shenzhen-manufacturing-2020.decree";
    let input = input(
        "bare-rate",
        "pop.csv",
        "annual_output,output_growth_rate\n6亿,20\n6亿,20%\n6亿,0.2\n",
    );
    let o = batch(DRAFT, &input, &["--set", "growth_rate_threshold=10%"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("the rate `20` is a").count(), 1, "{err}");
    assert!(
        err.contains("pop.csv:2: column `output_growth_rate`"),
        "{err}"
    );
    assert!(err.contains("write `20%`"), "{err}");
    assert!(
        stdout(&o).contains("3 rows evaluated, 0 rejected"),
        "{}",
        stdout(&o)
    );
    let o = batch(DRAFT, &input, &["--strict"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

/// A policy with a budget: each output row carries its allocation (CSV
/// column `BUDGET.allocation`, JSON Lines `allocations`), and the
/// allocations of the bundled district population sum to its fund of 1亿
/// exactly.
#[test]
fn each_row_carries_its_budget_allocation() {
    let dir = scratch("allocations");
    let csv_out = dir.join("out.csv");
    let jsonl_out = dir.join("out.jsonl");
    for out in [&csv_out, &jsonl_out] {
        let o = decree(&[
            "batch",
            "policies/district-rules-illustration.decree",
            "--facts",
            "examples/district/population.csv",
            "--key",
            "enterprise",
            "--at",
            "2023-08-01",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let text = std::fs::read_to_string(&csv_out).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "district_fund.allocation")
        .expect("an allocation column");
    assert_eq!(col, header.len() - 1);
    let status = |name: &str| {
        header
            .iter()
            .position(|h| *h == format!("{name}.status"))
            .unwrap()
    };
    let (city, district) = (status("city_tech_upgrade"), status("district_tech_upgrade"));
    let mut sum = rust_decimal::Decimal::ZERO;
    let mut rows = 0;
    let mut split = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        sum += cells[col].parse::<rust_decimal::Decimal>().unwrap();
        rows += 1;
        // 就高不重复 per project: an enterprise whose small project keeps
        // the district's grant and whose large one the city's has both.
        if cells[city] == "granted" && cells[district] == "granted" {
            split.push(cells[1].to_string());
        }
    }
    assert_eq!(rows, 40);
    assert_eq!(split, ["E010", "E017", "E026", "E036"]);
    assert_eq!(sum, rust_decimal::Decimal::from(100_000_000));
    let jsonl = std::fs::read_to_string(&jsonl_out).unwrap();
    let mut jsum = rust_decimal::Decimal::ZERO;
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let a = v["allocations"]["district_fund"].as_str().unwrap();
        jsum += a.parse::<rust_decimal::Decimal>().unwrap();
    }
    assert_eq!(jsum, sum);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A first-come budget (the bundled example): `batch` prints its line
/// (`first come by filed_on`) and each row's allocation sums to the fund,
/// the enterprise filed last among those funded paid part.
#[test]
fn a_first_come_budget_pays_in_filing_order() {
    let dir = scratch("first-come");
    let out = dir.join("out.csv");
    let o = decree(&[
        "batch",
        "examples/first-come/jobs-fund-illustration.decree",
        "--facts",
        "examples/first-come/population.csv",
        "--key",
        "enterprise",
        "--at",
        "2024-06-01",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("budget 稳岗扩岗专项资金 (jobs_fund): 300万元 for a demand of 450.3万元 from 24 enterprises; allocated 300万元 (factor 0.666223, first come by filed_on)"),
        "{stdout}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let cell = |r: &Vec<&str>, i: usize| r[i].parse::<rust_decimal::Decimal>().unwrap();
    let sum: rust_decimal::Decimal = rows.iter().map(|r| cell(r, 10)).sum();
    assert_eq!(sum, rust_decimal::Decimal::from(3_000_000));
    // J004 (filed 2024-03-27) is the last funded: 84,500元 of 127,000元;
    // J005, filed after it, gets nothing.
    assert_eq!(rows[3][1], "J004");
    assert_eq!(
        (cell(&rows[3], 8), cell(&rows[3], 10)),
        (127_000.into(), 84_500.into())
    );
    assert_eq!(cell(&rows[4], 10), rust_decimal::Decimal::ZERO);
    let _ = std::fs::remove_dir_all(&dir);
}
