//! Semantic diffs of the bundled draft against its revisions in
//! `examples/revisions/`, text and JSON, with and without the fiscal impact
//! over `examples/enterprises/`; exit codes; and `decree` as git's external
//! diff driver in a real repository (files changed, added and deleted);
//! the changes of tests and where in a table a change is.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{decree, root};
use decree::population::read::{Files, ReadOptions, Typed};
use decree::{Options, Policy, SourceFile};

const DRAFT: &str = "policies/shenzhen-manufacturing-2020.decree";
const DRAFT_TESTS: &str = "policies/shenzhen-manufacturing-2020.test.decree";

fn load(rel: &str) -> Policy {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    decree::load(&SourceFile::new(rel, text))
        .unwrap_or_else(|d| panic!("{}", d.render(decree::RenderStyle::Plain)))
}

/// The example enterprises' facts files, in name order, as the host reads
/// them.
fn enterprises() -> Vec<SourceFile> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples/enterprises"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            SourceFile::new(
                f.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(f).unwrap(),
            )
        })
        .collect()
}

/// The impact of `new` over the example enterprises.
fn impact(old: &Policy, new: &Policy) -> decree::diff::Impact {
    let files = enterprises();
    let open = |p| {
        let files = files.clone().into_iter().map(Ok);
        Ok(Files::new(p, files, ReadOptions::default()))
    };
    decree::diff::impact(old, new, open, &Options::default()).unwrap()
}

fn revisions() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("examples/revisions"))
        .unwrap()
        .map(|e| {
            format!(
                "examples/revisions/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .filter(|n| n.ends_with(".decree"))
        .collect();
    v.sort();
    v
}

#[test]
fn there_are_three_revisions_and_a_reformatted_copy() {
    let r = revisions();
    assert!(r.len() >= 4, "{r:?}");
    assert!(r.iter().any(|n| n.contains("reformatted")));
}

#[test]
fn a_reformatted_copy_has_no_semantic_changes() {
    for rev in revisions().iter().filter(|n| n.contains("reformatted")) {
        let d = decree::diff::diff(&load(DRAFT), &load(rev));
        assert!(d.is_empty(), "{rev}: {:?}", d.changes);
    }
    // The reformatted copy really is different text (Chinese keywords).
    let a = std::fs::read_to_string(root().join(DRAFT)).unwrap();
    let b = std::fs::read_to_string(root().join("examples/revisions/0-reformatted-chinese.decree"))
        .unwrap();
    assert_ne!(a, b);
    assert!(b.contains("措施 8"));
}

#[test]
fn diff_snapshots_of_every_revision() {
    let old = load(DRAFT);
    for rev in revisions() {
        let new = load(&rev);
        let d = decree::diff::diff(&old, &new);
        let stem = Path::new(&rev)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let impact = impact(&old, &new);
        insta::assert_snapshot!(
            format!("{stem}.text"),
            decree::diff::render(&d, None, decree::diff::Colour::Plain)
        );
        insta::assert_snapshot!(
            format!("{stem}.impact.text"),
            decree::diff::render(&d, Some(&impact), decree::diff::Colour::Plain)
        );
        let json = |impact| decree::report::json::diff(DRAFT, &rev, &d, impact);
        insta::assert_snapshot!(format!("{stem}.json"), json(None));
        insta::assert_snapshot!(format!("{stem}.impact.json"), json(Some(&impact)));
    }
}

#[test]
fn exit_codes_are_those_of_diff() {
    assert_eq!(
        decree(&[
            "diff",
            DRAFT,
            "examples/revisions/0-reformatted-chinese.decree"
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        decree(&[
            "diff",
            DRAFT,
            "examples/revisions/1-tighter-tech-upgrade.decree"
        ])
        .status
        .code(),
        Some(1)
    );
    assert_eq!(
        decree(&["diff", DRAFT, "no/such.decree"]).status.code(),
        Some(2)
    );
    let o = decree(&[
        "diff",
        DRAFT,
        "examples/revisions/3-growth-rate-filled.decree",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["same"], false);
    assert_eq!(v["changes"][0]["details"][0], "tbd → 15%");
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn decree_is_gits_external_diff_driver() {
    let dir = std::env::temp_dir().join(format!("decree-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["config", "user.email", "drafter@example.org"]);
    git(&dir, &["config", "user.name", "drafter"]);
    // The two configuration lines of the README.
    let driver = format!("{} git-diff", env!("CARGO_BIN_EXE_decree"));
    git(&dir, &["config", "diff.decree.command", &driver]);
    std::fs::write(dir.join(".gitattributes"), "*.decree diff=decree\n").unwrap();
    std::fs::copy(root().join(DRAFT), dir.join("draft.decree")).unwrap();
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "征求意见稿"]);
    std::fs::copy(
        root().join("examples/revisions/1-tighter-tech-upgrade.decree"),
        dir.join("draft.decree"),
    )
    .unwrap();
    let out = git(&dir, &["diff"]);
    assert!(out.contains("cap 5000万 → 3000万"), "{out}");
    assert!(out.contains("rate 20% → 15%"), "{out}");
    git(&dir, &["commit", "-q", "-am", "送审稿"]);
    let log = git(&dir, &["log", "-p", "--ext-diff"]);
    assert!(
        log.contains("condition gained `and is_listed_company`"),
        "{log}"
    );
    // A reformatting commit shows no semantic change.
    std::fs::copy(
        root().join("examples/revisions/0-reformatted-chinese.decree"),
        dir.join("draft.decree"),
    )
    .unwrap();
    let out = git(&dir, &["diff"]);
    assert!(
        out.contains("decree diff a/draft.decree b/draft.decree"),
        "{out}"
    );
    git(&dir, &["commit", "-q", "-am", "中文关键字"]);
    // A file added: git hands the driver /dev/null for the old side, and
    // every measure is added (not a line diff of an "empty" file).
    std::fs::copy(
        root().join("policies/measures-2-8-13.decree"),
        dir.join("new.decree"),
    )
    .unwrap();
    git(&dir, &["add", "new.decree"]);
    let out = git(&dir, &["diff", "--cached"]);
    assert!(
        out.contains("decree diff a/new.decree b/new.decree"),
        "{out}"
    );
    assert!(out.contains("+ measure 8"), "{out}");
    assert!(!out.contains("does not check"), "{out}");
    git(&dir, &["commit", "-q", "-m", "新文件"]);
    // A file deleted: every measure removed.
    git(&dir, &["rm", "-q", "new.decree"]);
    let out = git(&dir, &["diff", "--cached"]);
    assert!(out.contains("- measure 8"), "{out}");
    assert!(!out.contains("does not check"), "{out}");
    git(&dir, &["commit", "-q", "-m", "删除"]);
    // A changed expectation in a file of tests is a semantic change.
    let tests = std::fs::read_to_string(root().join(DRAFT_TESTS)).unwrap();
    std::fs::write(dir.join("draft.test.decree"), &tests).unwrap();
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "测试"]);
    let changed = tests.replace(
        "expect industrial_investment = 4800万",
        "expect industrial_investment = 4000万",
    );
    std::fs::write(dir.join("draft.test.decree"), changed).unwrap();
    let out = git(&dir, &["diff"]);
    assert!(
        out.contains("expect industrial_investment: 4800万 → 4000万"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fresh folder under the system's temporary folder, for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("decree-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn git_diff_compares_an_added_or_deleted_file_with_an_empty_policy() {
    let draft = root().join(DRAFT);
    let draft = draft.to_str().unwrap();
    let added = decree(&[
        "git-diff",
        "d.decree",
        "/dev/null",
        "0",
        "0",
        draft,
        "1",
        "100644",
    ]);
    assert_eq!(added.status.code(), Some(0));
    let text = String::from_utf8_lossy(&added.stdout);
    assert!(
        text.starts_with("decree diff a/d.decree b/d.decree\n"),
        "{text}"
    );
    assert!(
        !text.contains("does not check") && !text.contains("is empty"),
        "{text}"
    );
    // Every measure of the draft is added, 1 to 28.
    for n in 1..=28 {
        assert!(
            text.contains(&format!("+ measure {n}\n")),
            "measure {n}: {text}"
        );
    }
    assert!(text.contains("+ fact tech_upgrade_investment"), "{text}");
    let deleted = decree(&[
        "git-diff",
        "d.decree",
        draft,
        "1",
        "100644",
        "/dev/null",
        "0",
        "0",
    ]);
    assert_eq!(deleted.status.code(), Some(0));
    let text = String::from_utf8_lossy(&deleted.stdout);
    for n in 1..=28 {
        assert!(
            text.contains(&format!("- measure {n}: “")),
            "measure {n}: {text}"
        );
    }
    assert!(!text.contains("does not check"), "{text}");
}

#[test]
fn a_changed_expectation_makes_decree_diff_exit_1_in_text_and_json() {
    let dir = temp_dir("diff-tests");
    let tests = std::fs::read_to_string(root().join(DRAFT_TESTS)).unwrap();
    let changed = dir.join("changed.test.decree");
    std::fs::write(
        &changed,
        tests.replace(
            "expect industrial_investment = 4800万",
            "expect industrial_investment = 4000万",
        ),
    )
    .unwrap();
    let changed = changed.to_str().unwrap();
    let o = decree(&["diff", DRAFT_TESTS, changed]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        text,
        "~ test “m5 工业投资项目: 2.4亿 → 4800万 (under the cap)”: \
         expect industrial_investment: 4800万 → 4000万\n"
    );
    let o = decree(&["diff", DRAFT_TESTS, changed, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["same"], false);
    assert_eq!(
        v["changes"][0]["path"],
        "test “m5 工业投资项目: 2.4亿 → 4800万 (under the cap)”"
    );
    assert_eq!(v["changes"][0]["kind"], "changed");
    // The same file against itself: nothing.
    assert_eq!(
        decree(&["diff", DRAFT_TESTS, DRAFT_TESTS]).status.code(),
        Some(0)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A policy file as parsed and checked, for diffs with its tests.
fn version(text: &str) -> (Policy, decree::ast::Program) {
    let src = SourceFile::new("inline.decree", text);
    let program = decree::syntax::parse(&src, &decree::Limits::default()).unwrap();
    (decree::check_program(&src, &program).unwrap(), program)
}

const TESTED: &str = r#"
fact revenue: money "营业收入"
fact listed: bool
param share: rate = tbd
measure 2 "梯队" {
  award tiered = tiers revenue { 100亿 => 300万  else => 0元 }
}
test "big" {
  facts { revenue = 120亿  listed = true }
  set share = 20%
  expect tiered = 300万
}
test "small" {
  facts { revenue = 1亿 }
  expect tiered = 0元
}
test "nothing known" {
  expect tiered = undetermined by revenue
}
"#;

#[test]
fn test_changes_are_told_after_the_rules() {
    let changed = TESTED
        .replace("{ 100亿 => 300万", "{ 100亿 => 250万")
        .replace("revenue = 120亿  listed = true", "revenue = 150亿")
        .replace(
            "set share = 20%",
            "set share = 15%
  at 2021-06-01",
        )
        .replace(
            "expect tiered = 300万",
            "expect tiered = 250万
  expect tiered = granted",
        )
        .replace(r#"test "small""#, r#"test "below every row""#)
        .replace(
            "test \"nothing known\" {\n  expect tiered = undetermined by revenue\n}",
            "test \"listed\" {\n  facts { listed = true }\n  expect tiered = undetermined\n}",
        );
    let ((a, pa), (b, pb)) = (version(TESTED), version(&changed));
    let d = decree::diff::diff(&a, &b).and_tests(&pa, &pb);
    let text = decree::diff::render(&d, None, decree::diff::Colour::Plain);
    insta::assert_snapshot!(text, @r"
    ~ measure 2 / tiered: row 1 (revenue >= 100亿): amount 300万 → 250万
    ~ test “big”
        at (none) → 2021-06-01
        fact revenue: 120亿 → 150亿
        fact listed removed (was true)
        set share: 20% → 15%
        expect tiered: 300万 → 250万
        expect tiered added: granted
    → test “small”: “small” → “below every row”
    - test “nothing known”: expect tiered = undetermined by revenue
    + test “listed”: expect tiered = undetermined
    ");
    // Tests alone make a difference.
    let only_tests = TESTED.replace("expect tiered = 0元", "expect tiered = ineligible");
    let (c, pc) = version(&only_tests);
    assert!(decree::diff::diff(&a, &c).is_empty());
    assert!(!decree::diff::diff(&a, &c).and_tests(&pa, &pc).is_empty());
}

#[test]
fn a_change_in_a_table_names_its_row_or_bracket() {
    let old = r#"
fact revenue: money "营业收入"
fact sales: money
measure 2 "梯队" {
  award tiered = tiers revenue { 100亿 => 300万  50亿 => 200万  else => 10万 }
  award milestone = first reaching revenue over revenue { 100亿 => 300万 }
  award graduated = schedule sales { 1000万 => 10%  5000万 => 5%  above => 2% }
}
"#;
    let new = old
        .replace("50亿 => 200万  else => 10万", "40亿 => 150万  else => 5万")
        .replace("over revenue {", "over revenue * 2 {")
        .replace("1000万 => 10%", "1000万 => 12%")
        .replace("5000万 => 5%  above => 2%", "6000万 => 4%  above => 1%");
    let d = decree::diff::diff(&policy_of(old), &policy_of(&new));
    let text = decree::diff::render(&d, None, decree::diff::Colour::Plain);
    insta::assert_snapshot!(text, @r"
    ~ measure 2 / tiered
        row 2 (revenue >= 50亿): threshold 50亿 → 40亿, amount 200万 → 150万
        else row: amount 10万 → 5万
    ~ measure 2 / milestone: prior peak: rule `revenue` → `revenue * 2`
    ~ measure 2 / graduated
        bracket 1 (up to 1000万): rate 10% → 12%
        bracket 2 (over 1000万): upper bound 5000万 → 6000万, rate 5% → 4%
        bracket 3 (over 5000万): rate 2% → 1%
    ");
}

fn policy_of(text: &str) -> Policy {
    decree::load(&SourceFile::new("inline.decree", text)).unwrap()
}

const BASE: &str = r#"
fact x: money "投资额"
fact listed: bool
measure 8 "技改" {
  cite "按不超过项目投资额的20%，给予最高5000万元资助。"
  subsidy tech = min(20% * x, 5000万)  # the cap
}
measure 2 "梯队" {
  award milestone = first reaching x over x { 100亿 => 300万 }
  eligibility big = x >= 100亿
}
"#;

#[test]
fn reordering_reformatting_and_comments_make_no_difference() {
    let moved = r#"
# a new comment
measure 2 "梯队" {
  eligibility big = x >= 100亿
  award milestone = first reaching x over x {
    100亿 => 300万   # level
  }
}
fact listed: bool
fact x: money "投资额"
measure 8 "技改" {
  cite "按不超过项目投资额的20%，给予最高5000万元资助。"
  资助 tech = 取小(20% * x, 50M)
}
"#;
    assert!(decree::diff::diff(&policy_of(BASE), &policy_of(moved)).is_empty());
}

#[test]
fn a_renamed_item_with_the_same_rule_is_a_rename() {
    let renamed = BASE.replace("subsidy tech =", "subsidy tech_upgrade =");
    let d = decree::diff::diff(&policy_of(BASE), &policy_of(&renamed));
    assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
    assert_eq!(d.changes[0].kind, decree::diff::ChangeKind::Renamed);
    assert_eq!(
        d.changes[0].details,
        vec!["`tech` → `tech_upgrade`".to_string()]
    );
}

#[test]
fn rule_changes_read_as_drafters_think() {
    let changed = BASE
        .replace("min(20% * x, 5000万)", "min(15% * x, 3000万)")
        .replace("{ 100亿 => 300万 }", "{ 80亿 => 300万 }")
        .replace(
            "eligibility big = x >= 100亿",
            "eligibility big = x >= 100亿 and listed",
        )
        .replace(
            "按不超过项目投资额的20%，给予最高5000万元资助。",
            "按不超过项目投资额的15%，给予最高3000万元资助。",
        );
    let d = decree::diff::diff(&policy_of(BASE), &policy_of(&changed));
    let text = decree::diff::render(&d, None, decree::diff::Colour::Plain);
    insta::assert_snapshot!(text, @r"
    ~ measure 2 / milestone: threshold 100亿 → 80亿
    ~ measure 2 / big: condition gained `and listed`
    ~ measure 8
        cite added: “按不超过项目投资额的15%，给予最高3000万元资助。”
        cite removed: “按不超过项目投资额的20%，给予最高5000万元资助。”
    ~ measure 8 / tech
        rate 20% → 15%
        cap 5000万 → 3000万
    ");
}

#[test]
fn items_moved_out_of_a_deleted_measure_are_told() {
    // Measure 2 is folded into measure 8: `milestone` moves (its threshold
    // changed on the way), `big` goes with the deleted measure.
    let merged = r#"
fact x: money "投资额"
fact listed: bool
measure 8 "技改" {
  cite "按不超过项目投资额的20%，给予最高5000万元资助。"
  subsidy tech = min(20% * x, 5000万)
  award milestone = first reaching x over x { 80亿 => 300万 }
}
"#;
    let d = decree::diff::diff(&policy_of(BASE), &policy_of(merged));
    let text = decree::diff::render(&d, None, decree::diff::Colour::Plain);
    insta::assert_snapshot!(text, @r"
    - measure 2: “梯队”
    ~ measure 2 / milestone
        moved to measure 8
        threshold 100亿 → 80亿
        cite added: “按不超过项目投资额的20%，给予最高5000万元资助。”
    ");
}

#[test]
fn an_impact_too_large_for_exact_decimals_is_an_error_not_a_saturated_sum() {
    let old = policy_of("fact x: money\nmeasure 1 \"m\" { matching s = x }\n");
    let new = policy_of("fact x: money\nmeasure 1 \"m\" { matching s = x + 1元 }\n");
    // Each enterprise is exact (4 × 10^27 yuan); twenty of them are not.
    let x = decree::facts_from_pairs(&old, &[("x", "4000000000000000万亿")]).unwrap();
    let over = |n: usize| {
        let x = x.clone();
        let open = move |p| Ok(Typed::new(p, vec![x.clone(); n]));
        decree::diff::impact(&old, &new, open, &Options::default())
    };
    assert_eq!(over(2).unwrap().delta.min, rust_decimal::Decimal::from(2));
    let err = over(20).unwrap_err();
    assert_eq!(err.0[0].code, decree::Code::Overflow);
}

/// A revision that cuts a budget's fund (the bundled first-come example,
/// 300万 → 200万): the rules diff names the change (exit 1), and the impact
/// over the example population allocates the budget on both sides: the
/// entitlements are the same, what is allocated falls by 100万; the JSON
/// has each side's budget totals and the allocated totals.
#[test]
fn a_budgets_fund_cut_is_part_of_the_impact() {
    const POLICY: &str = "examples/first-come/jobs-fund-illustration.decree";
    let dir = temp_dir("budget-cut");
    let text = std::fs::read_to_string(root().join(POLICY)).unwrap();
    let cut = dir.join("cut.decree");
    std::fs::write(&cut, text.replace("= 300万 for", "= 200万 for")).unwrap();
    let args = |format: &str| {
        decree(&[
            "diff",
            POLICY,
            cut.to_str().unwrap(),
            "--facts",
            "examples/first-come/population.csv",
            "--at",
            "2024-06-01",
            "--format",
            format,
        ])
    };
    let o = args("text");
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("~ budget jobs_fund: fund 300万 → 200万"),
        "{out}"
    );
    assert!(
        out.contains("total fiscal cost: 450.3万元 → 450.3万元 (0元)"),
        "{out}"
    );
    assert!(
        out.contains("budget 稳岗扩岗专项资金 (jobs_fund): fund 300万元 → 200万元, demand 450.3万元 → 450.3万元, allocated 300万元 → 200万元"),
        "{out}"
    );
    assert!(
        out.contains("total allocated (budgets applied): 300万元 → 200万元 (-100万元)"),
        "{out}"
    );
    let o = args("json");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let impact = &v["impact"];
    assert_eq!(impact["budgets"][0]["budget"], "jobs_fund");
    assert_eq!(impact["budgets"][0]["before"]["allocated"], "3000000");
    assert_eq!(impact["budgets"][0]["after"]["allocated"], "2000000");
    assert_eq!(impact["budgets"][0]["after"]["first_come_by"], "filed_on");
    assert_eq!(impact["allocated"]["delta"]["min"], "-1000000", "{impact}");
    let _ = std::fs::remove_dir_all(&dir);
}
