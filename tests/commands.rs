//! `decree check`, `decree test` and `decree fmt` given folders as well as
//! files; `decree test --coverage` merged over files; `decree explain` by
//! an item's label. Folders are made under the system's temporary folder:
//! nothing is written into the working tree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::{decree, root};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh folder under the system's temporary folder, for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("decree-cmd-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A folder of two policies, one in a subfolder, and a text file.
fn tree(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(
        dir.join("b.decree"),
        "fact x: money\nmeasure 1 \"m\" { subsidy s = x }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("sub/a.decree"),
        "fact y: money\nmeasure 2 \"n\" { subsidy t = y }\n",
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "not a policy").unwrap();
    dir
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn check_takes_a_folder_recursively_in_sorted_order() {
    let dir = tree("check");
    let o = decree(&["check", arg(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<String> = stdout(&o)
        .lines()
        .map(|l| l.replace(arg(&dir), "DIR"))
        .collect();
    assert_eq!(
        lines,
        [
            "DIR/b.decree: ok — 1 measures, 1 items, 1 facts, 0 params",
            "DIR/sub/a.decree: ok — 1 measures, 1 items, 1 facts, 0 params",
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_folder_without_decree_files_is_an_error_with_a_diagnostic() {
    let dir = temp_dir("empty");
    std::fs::write(dir.join("notes.txt"), "nothing").unwrap();
    for command in ["check", "test", "fmt"] {
        let o = decree(&[command, arg(&dir)]);
        assert_eq!(o.status.code(), Some(1), "{command}");
        let err = stderr(&o);
        assert!(err.contains("decree::io"), "{command}: {err}");
        assert!(
            err.contains("no `.decree` file in the folder"),
            "{command}: {err}"
        );
        assert!(err.contains("this folder"), "{command}: {err}");
        assert!(err.contains("help:"), "{command}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_takes_a_folder_and_formats_every_decree_file_in_it() {
    let dir = tree("fmt");
    let o = decree(&["fmt", "--check", arg(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    // Both one-line measures are reformatted, in path order.
    let b = out.find(&format!("would reformat {}/b.decree", arg(&dir)));
    let a = out.find(&format!("would reformat {}/sub/a.decree", arg(&dir)));
    assert!(b.is_some() && a.is_some() && b < a, "{out}");
    let o = decree(&["fmt", arg(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = decree(&["fmt", "--check", arg(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "not a policy"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn test_takes_a_folder_and_merges_coverage_across_files() {
    let o = decree(&["test", "--coverage", "policies"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // The draft has no tests of its own; the file of tests that includes it
    // covers it: one line for it, full, not "0 of …".
    let draft: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("coverage of policies/shenzhen-manufacturing-2020.decree"))
        .collect();
    assert_eq!(
        draft,
        ["coverage of policies/shenzhen-manufacturing-2020.decree: 228 of 228 points reached"],
        "{out}"
    );
    assert!(!out.contains(" 0 of "), "{out}");
    assert!(
        out.contains("coverage of policies/measures-2-8-13.decree: 37 of 37 points reached"),
        "{out}"
    );
    // Tests in both files of tests ran, in path order.
    let first = out
        .find("ok      policies/measures-2-8-13.test.decree")
        .unwrap();
    let second = out
        .find("ok      policies/shenzhen-manufacturing-2020.test.decree")
        .unwrap();
    assert!(first < second, "{out}");
}

#[test]
fn a_policy_without_tests_is_said_to_have_none() {
    let o = decree(&[
        "test",
        "--coverage",
        "policies/shenzhen-manufacturing-2020.decree",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "coverage of policies/shenzhen-manufacturing-2020.decree: no tests (no file given holds a test of it)\n\
         0 passed, 0 failed\n"
    );
}

#[test]
fn coverage_counts_schedule_brackets_and_levels_reached_before() {
    let dir = temp_dir("coverage");
    let policy = root().join("tests/cases/test_coverage_tables.decree");
    let f = dir.join("t.decree");
    std::fs::copy(&policy, &f).unwrap();
    let o = decree(&["test", "--coverage", arg(&f)]);
    let out = stdout(&o);
    assert!(out.contains("8 of 15 points reached"), "{out}");
    assert!(
        out.contains("schedule bracket 3 (above, at 2%) is never reached"),
        "{out}"
    );
    assert!(out.contains("no test falls below every level"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

const DRAFT: &str = "policies/shenzhen-manufacturing-2020.decree";
const HUAXIN: &str = "examples/enterprises/huaxin-electronics.json";

#[test]
fn explain_takes_an_items_label_as_well_as_its_name() {
    let by_name = decree(&[
        "explain",
        DRAFT,
        "tech_upgrade",
        "--facts",
        HUAXIN,
        "--at",
        "2026-01-01",
    ]);
    assert_eq!(by_name.status.code(), Some(0), "{}", stderr(&by_name));
    let by_label = decree(&[
        "explain",
        DRAFT,
        "技术改造资助",
        "--facts",
        HUAXIN,
        "--at",
        "2026-01-01",
    ]);
    assert_eq!(by_label.status.code(), Some(0), "{}", stderr(&by_label));
    assert_eq!(stdout(&by_label), stdout(&by_name));
    assert!(stdout(&by_label).contains("subsidy tech_upgrade (技术改造资助)"));
    let json = decree(&[
        "explain",
        DRAFT,
        "技术改造贴息",
        "--facts",
        HUAXIN,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["name"], "tech_upgrade_interest");
}

#[test]
fn an_unknown_name_or_label_gets_a_did_you_mean_on_the_argument() {
    let o = decree(&["explain", DRAFT, "技术改造资", "--facts", HUAXIN]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("decree::unknown_name"), "{err}");
    assert!(
        err.contains("no item named or labelled `技术改造资`"),
        "{err}"
    );
    assert!(err.contains("not an item's name or label"), "{err}");
    assert!(
        err.contains("did you mean `tech_upgrade` (“技术改造资助”)?"),
        "{err}"
    );
    let o = decree(&["explain", DRAFT, "tech_upgrad", "--facts", HUAXIN]);
    assert!(
        stderr(&o).contains("did you mean `tech_upgrade` (“技术改造资助”)?"),
        "{}",
        stderr(&o)
    );
    let o = decree(&["explain", DRAFT, "zzzz", "--facts", HUAXIN]);
    assert!(
        stderr(&o).contains("`decree eval` lists every item"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_file_that_does_not_check_is_reported_and_the_others_run() {
    let dir = tree("test-broken");
    std::fs::write(
        dir.join("broken.decree"),
        "measure 1 \"m\" { subsidy s = nope }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("c.decree"),
        "fact x: money\nmeasure 3 \"m\" { subsidy s = x }\n\
         test \"t\" {\n  facts { x = 1万 }\n  expect s = 1万\n}\n",
    )
    .unwrap();
    let o = decree(&["test", arg(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("decree::unknown_name"),
        "{}",
        stderr(&o)
    );
    let out = stdout(&o);
    assert!(out.contains("ok      "), "{out}");
    assert!(
        out.ends_with("1 passed, 0 failed, 1 file not run\n"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `explain --help` does not offer a folder for `--facts`; given one, it
/// says an explanation is of one enterprise (not "Is a directory").
#[test]
fn explain_refuses_a_folder_of_facts_with_a_diagnostic() {
    let help = stdout(&decree(&["explain", "--help"]));
    let facts_help: String = help
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("--facts <FACTS>"))
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        facts_help.contains("`decree eval` also takes a folder"),
        "{help}"
    );
    let out = decree(&[
        "explain",
        DRAFT,
        "tech_upgrade",
        "--facts",
        "examples/enterprises",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("is a folder: an explanation is of one enterprise"),
        "{err}"
    );
    assert!(!err.contains("Is a directory"), "{err}");
}
