//! Semantic diffs of the bundled draft against its revisions in
//! `examples/revisions/`, text and JSON, with and without the fiscal impact
//! over `examples/enterprises/`; exit codes; and `decree` as git's external
//! diff driver in a real repository.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{decree, root};
use decree::population::read::{Files, ReadOptions, Typed};
use decree::{Options, Policy, SourceFile};

const DRAFT: &str = "policies/shenzhen-manufacturing-2020.decree";

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
