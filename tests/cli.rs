//! The `decree` binary end to end: exit codes, streams and formats.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::decree;
use std::process::{Command, Output};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const POLICY: &str = "policies/measures-2-8-13.decree";
const FACTS: &str = "examples/enterprises/huaxin-electronics.json";

#[test]
fn check_succeeds_on_the_bundled_policy() {
    let o = decree(&["check", POLICY]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("ok"));
}

#[test]
fn check_fails_with_code_1_and_a_diagnostic() {
    let o = decree(&["check", "tests/cases/unit_money_plus_rate.decree"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("decree::unit_mismatch"));
}

#[test]
fn usage_errors_exit_with_code_2() {
    assert_eq!(decree(&["eval", POLICY]).status.code(), Some(2));
    assert_eq!(decree(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_missing_file_is_a_diagnostic_not_a_panic() {
    let o = decree(&["check", "no/such/file.decree"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("decree::io"));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn eval_prints_a_table_with_drafters_amounts() {
    let o = decree(&["eval", POLICY, "--facts", FACTS, "--at", "2026-01-01"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("2,400万元"), "{out}");
    assert!(out.contains("undetermined"), "{out}");
}

#[test]
fn eval_json_carries_exact_yuan_as_strings() {
    let o = decree(&[
        "eval",
        POLICY,
        "--facts",
        FACTS,
        "--at",
        "2026-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let items: Vec<&serde_json::Value> = v["measures"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["items"].as_array().unwrap())
        .collect();
    let tech = items.iter().find(|i| i["name"] == "tech_upgrade").unwrap();
    assert_eq!(tech["amount"], "24000000");
    assert_eq!(tech["status"], "granted");
    assert!(v["total"]["min"].is_string() && v["total"]["max"].is_string());
}

#[test]
fn set_fills_a_tbd_and_an_issue_date() {
    let o = decree(&[
        "eval",
        POLICY,
        "--facts",
        FACTS,
        "--at",
        "2025-12-31",
        "--set",
        "issued=2021-01-01",
        "--set",
        "growth_rate_threshold=15%",
        "--set",
        "expansion_award=100万",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["window"]["status"], "in_force");
    assert_eq!(v["window"]["last_day"], "2025-12-31");
    let o = decree(&[
        "eval",
        POLICY,
        "--facts",
        FACTS,
        "--at",
        "2026-01-01",
        "--set",
        "issued=2021-01-01",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["window"]["status"], "not_in_force");
    assert_eq!(v["measures"][0]["items"][0]["status"], "not_in_force");
}

#[test]
fn a_bad_set_is_a_diagnostic_with_exit_1() {
    let o = decree(&["eval", POLICY, "--facts", FACTS, "--set", "growth_rate=15%"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("did you mean `growth_rate_threshold`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn explain_shows_the_clause_and_the_cap() {
    let o = decree(&[
        "explain",
        POLICY,
        "tech_upgrade_interest",
        "--facts",
        FACTS,
        "--at",
        "2026-01-01",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("贴息"), "{out}");
    assert!(out.contains("capped at 500万元"), "{out}");
    let o = decree(&["explain", POLICY, "tech_upgrad", "--facts", FACTS]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("did you mean `tech_upgrade`"));
}

#[test]
fn invalid_utf8_is_a_diagnostic() {
    let dir = std::env::temp_dir().join(format!("decree-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.decree");
    std::fs::write(&f, b"fact x: money\n\xff\xfe measure").unwrap();
    let o = decree(&["check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not valid UTF-8"));
}

#[test]
fn decree_test_passes_on_the_bundled_draft_and_reports_coverage() {
    let o = decree(&[
        "test",
        "policies/shenzhen-manufacturing-2020.test.decree",
        "--coverage",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(" passed, 0 failed"), "{out}");
    assert!(
        out.contains("every item, branch, tier row and min/max argument is reached"),
        "{out}"
    );
}

#[test]
fn a_failing_expectation_exits_1_with_a_diagnostic_at_the_expect() {
    let o = decree(&["test", "tests/cases/test_blocks_failing.decree"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("1 passed, 3 failed"), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("decree::test_failed"), "{err}");
    assert!(
        err.contains("expected `tech_upgrade` = 6,000万元, got 5,000万元"),
        "{err}"
    );
}

#[test]
fn eval_over_a_folder_prints_every_enterprise_and_a_fiscal_summary() {
    let o = decree(&[
        "eval",
        "policies/shenzhen-manufacturing-2020.decree",
        "--facts",
        "examples/enterprises",
        "--at",
        "2026-01-01",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("enterprise: zhongke-chain-leader"), "{out}");
    assert!(out.contains("fiscal summary over 24 enterprises"), "{out}");
    let o = decree(&[
        "eval",
        "policies/shenzhen-manufacturing-2020.decree",
        "--facts",
        "examples/enterprises",
        "--at",
        "2026-01-01",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["enterprises"].as_array().unwrap().len(), 24);
    assert_eq!(v["summary"]["enterprises"], 24);
    assert!(v["summary"]["total"]["min"].is_string());
}

/// A copy of `text` in a fresh temporary folder, for commands that may write.
fn scratch_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("decree-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const UNFORMATTED: &str = "fact x:money\nmeasure 1 \"m\" { subsidy s = min( 20%*x,5万 ) }\n";

#[test]
fn fmt_check_shows_a_diff_changes_nothing_and_exits_1() {
    let path = scratch_file("check.decree", UNFORMATTED);
    let p = path.to_str().unwrap();
    let o = decree(&["fmt", "--check", p]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("-measure 1 \"m\" { subsidy s = min( 20%*x,5万 ) }"),
        "{out}"
    );
    assert!(out.contains("+  subsidy s = min(20% * x, 5万)"), "{out}");
    assert!(out.contains(&format!("would reformat {p}")), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), UNFORMATTED);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn fmt_check_with_stdout_prints_the_text_and_still_exits_1() {
    let path = scratch_file("check-stdout.decree", UNFORMATTED);
    let p = path.to_str().unwrap();
    let o = decree(&["fmt", "--check", "--stdout", p]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "fact x: money\n\nmeasure 1 \"m\" {\n  subsidy s = min(20% * x, 5万)\n}\n"
    );
    assert!(stderr(&o).contains("would reformat"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), UNFORMATTED);

    // Once formatted, the same command exits 0.
    std::fs::write(&path, stdout(&o)).unwrap();
    let again = decree(&["fmt", "--check", "--stdout", p]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn eval_over_a_folder_can_print_only_the_summary() {
    let draft = "policies/shenzhen-manufacturing-2020.decree";
    let args = |more: &[&'static str]| {
        let mut a = vec![
            "eval",
            draft,
            "--facts",
            "examples/enterprises",
            "--at",
            "2026-01-01",
        ];
        a.extend(more);
        a
    };
    let o = decree(&args(&["--summary-only"]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("fiscal summary over 24 enterprises"),
        "{out}"
    );
    assert!(!out.contains("enterprise: "), "{out}");
    // The same summary as the full run's, in JSON too.
    let full = decree(&args(&["--format", "json"]));
    let only = decree(&args(&["--summary-only", "--format", "json"]));
    assert_eq!(only.status.code(), Some(0), "{}", stderr(&only));
    let full: serde_json::Value = serde_json::from_str(&stdout(&full)).unwrap();
    let only: serde_json::Value = serde_json::from_str(&stdout(&only)).unwrap();
    assert_eq!(only["summary"], full["summary"]);
    assert_eq!(only.as_object().unwrap().len(), 1);
}

#[test]
fn eval_over_a_folder_json_is_one_document_printed_as_it_goes() {
    let o = decree(&[
        "eval",
        POLICY,
        "--facts",
        "examples/enterprises",
        "--at",
        "2026-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("{\n\"enterprises\": [\n{\n  \"policy\""),
        "{text}"
    );
    assert!(text.ends_with("\n}\n"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["enterprises"][0]["enterprise"], "anxin-precision");
}

/// One set of spellings for a condition and a set, whether in a facts
/// file's string, a CSV cell or --set.
#[test]
fn conditions_and_sets_are_spelt_one_way_everywhere() {
    let policy = scratch_file(
        "spellings.decree",
        "enum honour { national_champion_enterprise \"国家单项冠军示范企业\", city_champion_product \"市级单项冠军产品\" }\n\
         fact honours: set of honour\nfact industrial: bool\n\
         param pilot: bool = false\n\
         measure 13 \"m\" {\n  award a = 300万 when industrial and pilot and city_champion_product in honours\n}\n",
    );
    let dir = policy.parent().unwrap();
    let facts = dir.join("firm.json");
    std::fs::write(
        &facts,
        r#"{"industrial": "TRUE", "honours": "national_champion_enterprise;市级单项冠军产品"}"#,
    )
    .unwrap();
    for pilot in ["true", "TRUE", "True", "是"] {
        let o = decree(&[
            "eval",
            policy.to_str().unwrap(),
            "--facts",
            facts.to_str().unwrap(),
            "--set",
            &format!("pilot={pilot}"),
            "--format",
            "json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{pilot}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["total"]["min"], "3000000", "{pilot}");
    }
    let o = decree(&[
        "eval",
        policy.to_str().unwrap(),
        "--facts",
        facts.to_str().unwrap(),
        "--set",
        "pilot=yes",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("`yes` is not true or false"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// On a terminal, `decree batch` shows rows done, rows per second and the
/// time left; elsewhere it draws nothing.
#[cfg(unix)]
#[test]
fn batch_shows_its_progress_on_a_terminal_only() {
    // A discretionary range: no plan, every row through the interpreter, in
    // chunks of 1,024, so that progress is drawn several times.
    let policy = scratch_file(
        "progress.decree",
        "fact x: money\nmeasure 1 \"m\" {\n  award a = 0元..min(x, 50万)\n}\n",
    );
    let dir = policy.parent().unwrap();
    let input = dir.join("pop.csv");
    let mut text = "x\n".to_string();
    for i in 0..20_000 {
        text.push_str(&format!("{i}\n"));
    }
    std::fs::write(&input, &text).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_decree"));
    cmd.args([
        "batch",
        policy.to_str().unwrap(),
        "--facts",
        input.to_str().unwrap(),
    ])
    .env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(cmd, Some(60_000)).unwrap();
    p.exp_string("rows/s").unwrap();
    p.exp_string("left").unwrap();
    p.exp_string("20000 rows evaluated, 0 rejected").unwrap();
    let o = decree(&[
        "batch",
        policy.to_str().unwrap(),
        "--facts",
        input.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("rows/s"), "{}", stderr(&o));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_facts_file_that_cannot_be_read_in_a_folder_is_reported_and_fails_the_run() {
    let good = std::fs::read_to_string(FACTS).unwrap();
    let folder = scratch_file("a-good.json", &good);
    let dir = folder.parent().unwrap();
    std::fs::write(dir.join("b-bad.json"), "{\"annual_output\": true}").unwrap();
    let o = decree(&[
        "eval",
        POLICY,
        "--facts",
        dir.to_str().unwrap(),
        "--at",
        "2026-01-01",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("enterprise: a-good"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("fiscal summary over 1 enterprises"),
        "{}",
        stdout(&o)
    );
    assert!(stderr(&o).contains("b-bad.json"), "{}", stderr(&o));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn batch_warns_once_about_an_unknown_json_key_and_refuses_it_under_strict() {
    let path = scratch_file(
        "keys.jsonl",
        "{\"tech_upgrade_investmnt\": \"1亿\"}\n{\"tech_upgrade_investmnt\": \"2亿\"}\n",
    );
    let p = path.to_str().unwrap();
    let o = decree(&["batch", POLICY, "--facts", p, "--at", "2026-01-01"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        err.matches("is not a fact of this policy").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("did you mean `tech_upgrade_investment`?"),
        "{err}"
    );
    let o = decree(&[
        "batch",
        POLICY,
        "--facts",
        p,
        "--at",
        "2026-01-01",
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

/// `eval --facts DIR` allocates the policy's budgets over the folder: the
/// summary table says what is entitled and what is allocated, with the
/// budget's line; the JSON summary has its totals and `allocated_total`.
/// The folder is the first-come example's population as facts files.
#[test]
fn eval_over_a_folder_allocates_its_budgets() {
    let dir = std::env::temp_dir().join(format!("decree-cli-budget-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let csv = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/first-come/population.csv"),
    )
    .unwrap();
    for line in csv.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let json = format!(
            "{{\"filed_on\": \"{}\", \"is_sme\": {}, \"new_jobs\": {}, \"graduates\": {}}}",
            c[1], c[2], c[3], c[4]
        );
        std::fs::write(dir.join(format!("{}.json", c[0])), json).unwrap();
    }
    let policy = "examples/first-come/jobs-fund-illustration.decree";
    let d = dir.to_str().unwrap();
    let o = decree(&[
        "eval",
        policy,
        "--facts",
        d,
        "--at",
        "2024-06-01",
        "--summary-only",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    for want in [
        "total entitled",
        "450.3万元",
        "total allocated",
        "budget 稳岗扩岗专项资金 (jobs_fund): 300万元 for a demand of 450.3万元 from 24 enterprises; allocated 300万元 (factor 0.666223, first come by filed_on)",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
    let o = decree(&[
        "eval",
        policy,
        "--facts",
        d,
        "--at",
        "2024-06-01",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = &v["summary"];
    assert_eq!(v["enterprises"].as_array().unwrap().len(), 24);
    assert_eq!(s["budgets"][0]["allocated"], "3000000", "{s}");
    assert_eq!(s["budgets"][0]["factor"], "0.666223");
    assert_eq!(s["total"]["min"], "4503000");
    assert_eq!(s["allocated_total"]["min"], "3000000");
    let _ = std::fs::remove_dir_all(&dir);
}
