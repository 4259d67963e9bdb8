//! The case corpus: every `tests/cases/*.decree` file is checked (and, when
//! its header names facts, evaluated) and its output snapshotted with insta.
//!
//! A case's header is its leading `#` comment lines; these keys are read:
//!
//! ```text
//! # facts: name.json          facts file, relative to tests/cases/
//! # at: 2026-01-01            evaluation date (default: none, window unchecked)
//! # set: NAME=VALUE           a --set, may repeat
//! # explain: ITEM             also explain this item, may repeat
//! # format: json              snapshot the JSON instead of the table
//! # test: run                 run the file's `test` blocks (`coverage` also reports coverage)
//! ```
//!
//! Adding a case is adding a file; `cargo insta review` shows its snapshot.
//! `tests/cases/` is in canonical form (`decree fmt --check` passes);
//! `tests/spellings/` holds the cases whose point is a spelling the
//! formatter would change.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use decree::{Diagnostics, Options, RenderStyle, SourceFile};

struct Header {
    facts: Option<String>,
    at: Option<String>,
    set: Vec<String>,
    explain: Vec<String>,
    json: bool,
    test: Option<String>,
}

fn header(text: &str) -> Header {
    let mut h = Header {
        facts: None,
        at: None,
        set: Vec::new(),
        explain: Vec::new(),
        json: false,
        test: None,
    };
    for line in text.lines() {
        let Some(rest) = line.strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = rest.split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        match key.trim() {
            "facts" => h.facts = Some(value),
            "at" => h.at = Some(value),
            "set" => h.set.push(value),
            "explain" => h.explain.push(value),
            "format" => h.json = value == "json",
            "test" => h.test = Some(value),
            _ => {}
        }
    }
    h
}

fn diagnostics(d: &Diagnostics) -> String {
    d.render(RenderStyle::Plain)
}

/// Runs one case and returns what it shows a user.
fn run(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let dir = path.parent().unwrap();
    let folder = dir.file_name().unwrap().to_string_lossy();
    let name = format!("{folder}/{}", path.file_name().unwrap().to_string_lossy());
    let src = SourceFile::new(name, text.clone());
    let h = header(&text);
    let policy = match decree::load(&src) {
        Ok(p) => p,
        Err(d) => return format!("check failed\n\n{}", diagnostics(&d)),
    };
    let mut out = String::new();
    if !policy.warnings.is_empty() {
        out.push_str(&diagnostics(&Diagnostics(policy.warnings.clone())));
    }
    if let Some(mode) = &h.test {
        let program = decree::syntax::parse(&src, &decree::Limits::default()).unwrap();
        let tests = decree::testing::tests_in(&program);
        let mut reached = decree::testing::Reached::default();
        for r in decree::testing::run(&policy, &src, &tests, &mut reached) {
            let verdict = if r.passed() { "ok" } else { "FAILED" };
            out.push_str(&format!(
                "{verdict} {} ({} expects held)\n",
                r.name, r.passed_expects
            ));
            out.push_str(&diagnostics(&Diagnostics(r.failures)));
        }
        if mode == "coverage" {
            let cov = decree::testing::coverage(&policy, &reached);
            out.push_str(&decree::testing::render_coverage(&policy, &cov));
        }
        return out;
    }
    let Some(facts_file) = &h.facts else {
        out.push_str(&format!(
            "check ok: {} measures, {} items, {} facts, {} params\n",
            policy.measures.len(),
            policy.items.len(),
            policy.facts.len(),
            policy.params.len()
        ));
        return out;
    };
    let facts_path = dir.join(facts_file);
    let facts_text = std::fs::read_to_string(&facts_path).unwrap();
    let facts_name = Path::new(&folder.to_string()).join(facts_file);
    let facts_src = SourceFile::new(facts_name.display().to_string(), facts_text);
    let mut options = Options {
        at: h.at.as_ref().map(|a| a.parse().unwrap()),
        ..Options::default()
    };
    for s in &h.set {
        if let Err(d) = decree::facts::apply_setting(&policy, s, &mut options) {
            out.push_str(&diagnostics(&d.into()));
            return out;
        }
    }
    let (facts, warnings) = match decree::facts::load(&policy, &facts_src) {
        Ok(x) => x,
        Err(d) => return format!("{out}facts rejected\n\n{}", diagnostics(&d)),
    };
    out.push_str(&diagnostics(&Diagnostics(warnings.clone())));
    let evaluation = decree::evaluate(&policy, &facts, &options);
    // A policy's budgets as this enterprise sees them (none: nothing).
    let shares = decree::population::budget::single::shares(&policy, &evaluation, &options);
    if h.json {
        out.push_str(&decree::report::json::to_json_with_budgets(
            &evaluation,
            &warnings,
            &shares,
        ));
        out.push('\n');
    } else {
        out.push_str(&decree::report::to_table(&evaluation));
        out.push_str(&decree::report::tables::budget_share_lines(&shares));
    }
    for item in &h.explain {
        let result = evaluation
            .item(item)
            .unwrap_or_else(|| panic!("no item {item}"));
        out.push_str(&format!("\n--- explain {item}\n"));
        out.push_str(&decree::report::explain(&evaluation, result));
    }
    if !evaluation.errors.is_empty() {
        out.push_str("\nevaluation errors\n\n");
        out.push_str(&diagnostics(&Diagnostics(evaluation.errors.clone())));
    }
    out
}

#[test]
fn cases() {
    insta::glob!("cases/*.decree", |path| {
        insta::assert_snapshot!(run(path));
    });
}

/// Cases written in the spellings `decree fmt` normalises (full-width
/// punctuation, `×` `≥` `−`, redundant brackets): the spelling is what
/// they test, so they stand apart from the canonical `tests/cases/`, and
/// read their facts from there.
#[test]
fn spellings() {
    insta::glob!("spellings/*.decree", |path| {
        insta::assert_snapshot!(run(path));
    });
}
