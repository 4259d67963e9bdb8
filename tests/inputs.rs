//! Inputs as people type them, through the `decree` binary (issue 13):
//! `--set` values with the facts files' spellings and their warnings, a
//! facts file drawn up for a larger policy, and tables plain off a
//! terminal, coloured on one unless `NO_COLOR` says otherwise. The
//! spellings themselves are pinned in `src/facts/` (unit tests) and in the
//! corpus (`tests/cases/input_*`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::decree;
use std::process::Output;

const POLICY: &str = "policies/measures-2-8-13.decree";
const FACTS: &str = "examples/enterprises/huaxin-electronics.json";
/// An enterprise of the whole draft: most of its keys are facts of other
/// measures than 2, 8 and 13.
const DRAFT_FACTS: &str = "examples/enterprises/zhongke-chain-leader.json";

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn eval(more: &[&str]) -> Output {
    let mut args = vec!["eval", POLICY, "--at", "2026-01-01"];
    args.extend(more);
    decree(&args)
}

#[test]
fn a_facts_file_for_a_larger_policy_gives_one_warning() {
    let o = eval(&["--facts", DRAFT_FACTS]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("decree::unknown_fact").count(), 1, "{err}");
    // No did-you-mean points at a fact the file gives: those are other
    // facts, not misspellings.
    assert!(!err.contains("did you mean"), "{err}");
    insta::assert_snapshot!(err);
}

#[test]
fn a_bare_rate_in_a_setting_is_warned_about_and_taken_as_written() {
    let o = eval(&["--facts", FACTS, "--set", "growth_rate_threshold=15"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("decree::set"), "{err}");
    insta::assert_snapshot!(err);
    // Written with `%`, or as a fraction, the same setting is quiet.
    for quiet in [
        "growth_rate_threshold=15%",
        "growth_rate_threshold=0.15",
        "growth_rate_threshold=１５％",
    ] {
        let o = eval(&["--facts", FACTS, "--set", quiet]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            !stderr(&o).contains("decree::set"),
            "{quiet}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn a_setting_reads_the_facts_spellings() {
    let at = |set: &str| {
        let o = eval(&["--facts", FACTS, "--set", set, "--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{set}: {}", stderr(&o));
        stdout(&o)
    };
    // The issue date in Chinese and with slashes is the ISO date.
    let iso = at("issued=2021-01-01");
    assert_eq!(at("issued=2021年1月1日"), iso);
    assert_eq!(at("issued=2021/1/1"), iso);
    // Money as typed.
    let plain = at("expansion_award=5000万");
    for typed in [
        "expansion_award=5,000万",
        "expansion_award=5000 万",
        "expansion_award=５０００万元",
    ] {
        assert_eq!(at(typed), plain, "{typed}");
    }
    // Chinese numerals are refused, with the forms that are read.
    let o = eval(&["--facts", FACTS, "--set", "expansion_award=五千万"]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("chinese_numerals_in_a_setting", stderr(&o));
}

/// `--at` reads the spellings of a date fact too.
#[test]
fn the_evaluation_date_reads_the_facts_spellings() {
    let on = |at: &str| {
        let o = decree(&[
            "eval", POLICY, "--facts", FACTS, "--at", at, "--format", "json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{at}: {}", stderr(&o));
        stdout(&o)
    };
    let iso = on("2026-01-01");
    assert_eq!(on("2026年1月1日"), iso);
    assert_eq!(on("2026/1/1"), iso);
    let o = decree(&["eval", POLICY, "--facts", FACTS, "--at", "2026年13月1日"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("`2026年13月1日` is not a date"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn tables_are_plain_text_off_a_terminal() {
    let o = eval(&["--facts", FACTS]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stdout(&o).contains('\u{1b}'), "{}", stdout(&o));
    assert!(stdout(&o).contains("granted"), "{}", stdout(&o));
}

#[test]
fn a_coloured_table_differs_from_the_plain_one_only_by_escapes() {
    let src = std::fs::read_to_string(POLICY).unwrap();
    let policy = decree::load(&decree::SourceFile::new(POLICY, src)).unwrap();
    let facts_text = std::fs::read_to_string(FACTS).unwrap();
    let (facts, _) =
        decree::facts::load(&policy, &decree::SourceFile::new(FACTS, facts_text)).unwrap();
    let options = decree::Options {
        at: Some("2026-01-01".parse().unwrap()),
        ..decree::Options::default()
    };
    let evaluation = decree::evaluate(&policy, &facts, &options);
    let plain = decree::report::to_table(&evaluation);
    let colour = decree::report::to_table_styled(&evaluation, decree::RenderStyle::Color);
    assert!(!plain.contains('\u{1b}'));
    assert!(colour.contains('\u{1b}'), "{colour}");
    assert_eq!(strip_escapes(&colour), plain);
}

/// `text` without its ANSI escape sequences (`ESC [ … letter`).
fn strip_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// On a terminal the table is coloured, unless `NO_COLOR` is set.
#[cfg(unix)]
#[test]
fn tables_are_coloured_on_a_terminal_unless_no_color() {
    let run = |no_color: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_decree"));
        cmd.current_dir(common::root())
            .args(["eval", POLICY, "--facts", FACTS, "--at", "2026-01-01"])
            .env("TERM", "xterm")
            .env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let mut p = rexpect::session::spawn_command(cmd, Some(60_000)).unwrap();
        p.exp_eof().unwrap()
    };
    let coloured = run(false);
    assert!(coloured.contains("\u{1b}["), "{coloured}");
    assert!(coloured.contains("granted"), "{coloured}");
    let plain = run(true);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    assert!(plain.contains("granted"), "{plain}");
}

/// Files for a REPL session, in memory.
#[derive(Default)]
struct MemFiles(std::collections::BTreeMap<String, String>);

impl decree::repl::Files for MemFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        self.0.get(path).cloned().ok_or("no such file".into())
    }
    fn write(&self, _path: &str, _text: &str) -> Result<(), String> {
        Err("read-only".into())
    }
}

/// The REPL's `:set` reads a fact as a facts file does — typed forms, and
/// a warning for a bare rate above 1 — and a param as `--set` does.
#[test]
fn the_repl_reads_and_doubts_values_as_facts_files_do() {
    let mut files = MemFiles::default();
    files.0.insert(
        "p.decree".into(),
        "fact growth: rate\nfact investment: money\nparam share: rate = 20%\n\
         measure 1 \"m\" { subsidy s = min(growth * investment, share * investment) }\n"
            .into(),
    );
    let mut session = decree::repl::Session::new(Box::new(files));
    assert!(!session.execute(":load p.decree").failed());
    let r = session.execute(":set investment = ５，０００万元");
    assert!(!r.failed() && r.diagnostics.is_empty(), "{r:?}");
    assert_eq!(r.output, "investment = 5,000万元");
    for (set, shown) in [
        (":set growth = 20", "growth = 2000%"),
        (":set share = 15", "share = 1500%"),
    ] {
        let r = session.execute(set);
        assert!(!r.failed(), "{set}: {r:?}");
        assert_eq!(r.output, shown);
        assert_eq!(r.diagnostics.len(), 1, "{set}: {r:?}");
        assert!(
            r.diagnostics[0].help.as_deref().unwrap_or("").contains("`"),
            "{r:?}"
        );
    }
    let r = session.execute(":set growth = 20%");
    assert!(r.diagnostics.is_empty(), "{r:?}");
}

mod properties {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn policy() -> decree::Policy {
        decree::load(&decree::SourceFile::new(
            "p.decree",
            "fact m: money\nfact r: rate\nfact c: count\nfact a: area\nfact d: date\nfact t: duration\n",
        ))
        .unwrap()
    }

    /// A non-negative amount of at most 28 digits, any scale.
    fn amount() -> impl Strategy<Value = Decimal> {
        (0u32..=28).prop_flat_map(|digits| {
            let top = 10i128.pow(digits);
            (0..top.max(1), 0..=digits)
                .prop_map(|(m, scale)| Decimal::from_i128_with_scale(m, scale))
        })
    }

    proptest! {
        /// An amount as a table shows it (`1,234.56789万元`, thousands
        /// separators and all) reads back as the same amount: the shown
        /// form is exact, never rounded.
        #[test]
        fn an_amount_as_shown_reads_back_exactly(d in amount()) {
            let p = policy();
            let unit = p.fact_named("m").unwrap().1.unit;
            for shown in [decree::value::format_money(d), decree::value::format_money_plain(d)] {
                let back = decree::facts::parse_text_value(&p, unit, &shown);
                prop_assert_eq!(back, Ok(Some(decree::value::Value::Num(unit, d))), "{}", shown);
            }
        }

        /// Any text, for any unit, is a value or a reason: never a panic.
        #[test]
        fn any_typed_text_is_a_value_or_a_reason(text in "[0-9０-９,，.．%％ 万亿千百十元人家个年月日/\\-－a-zA-Z㎡平方米五千]{0,24}") {
            let p = policy();
            for name in ["m", "r", "c", "a", "d", "t"] {
                let unit = p.fact_named(name).unwrap().1.unit;
                let _ = decree::facts::parse_text_value(&p, unit, &text);
            }
        }
    }
}
