//! The formatter's layout rules, one case a file: each `tests/fmt/*.decree`
//! is formatted in the surface it is written in and the input and the
//! result are snapshotted (`tests/fmt/snapshots/`), so each snapshot reads
//! as "this becomes that". Each result must also be its own canonical form. Adding a
//! case is adding a file.
//!
//! And the bundled files: every file of `policies/`, `examples/` and
//! `tests/cases/` that parses is in canonical form (`decree fmt --check`
//! passes on it). The cases whose point is a spelling the formatter
//! changes (the symbols `×` `≥`, full-width punctuation, 60 nested
//! parentheses) live in `tests/spellings/` instead.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use decree::syntax::keywords::Surface;
use decree::{Limits, SourceFile};
use std::path::{Path, PathBuf};

/// What stands between the input and the result in a snapshot.
const RESULT: &str = "\n──────── formatted ────────\n\n";

fn format(name: &str, text: &str, surface: Surface) -> Option<String> {
    let src = SourceFile::new(name, text);
    let program = decree::syntax::parse(&src, &Limits::default()).ok()?;
    Some(decree::fmt::format(&src, &program, surface))
}

#[test]
fn layout_cases() {
    insta::glob!("fmt/*.decree", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.display().to_string();
        let surface = decree::fmt::detect_surface(&text);
        let once = format(&name, &text, surface).unwrap_or_else(|| panic!("{name} does not parse"));
        let twice = format(&name, &once, surface).unwrap();
        assert_eq!(once, twice, "{name}: the result is not canonical");
        insta::with_settings!({
            snapshot_path => "fmt/snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!("layout", format!("{text}{RESULT}{once}"));
        });
    });
}

/// A case in the other surface too: the layout does not depend on it.
#[test]
fn chinese_case_in_english_keywords() {
    let text = include_str!("fmt/chinese_surface.decree");
    let en = format("chinese_surface.decree", text, Surface::English).unwrap();
    insta::with_settings!({
        snapshot_path => "fmt/snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("chinese_surface_in_english", en);
    });
}

/// A source holding the private-use characters the formatter marks its
/// columns with is formatted without columns: the author's characters
/// stay as they are and nothing is misaligned.
#[test]
fn a_source_with_the_column_marks_in_it_is_formatted_without_columns() {
    let text = "fact a: bool \"\u{E000}甲\"  # \u{E001}\nfact bbbb: bool \"乙\"\n";
    let once = format("marks.decree", text, Surface::English).unwrap();
    assert_eq!(once, text);
    let twice = format("marks.decree", &once, Surface::English).unwrap();
    assert_eq!(once, twice);
}

/// Every `.decree` file under `dir`, however deep.
fn decree_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let path = e.unwrap().path();
        if path.is_dir() {
            decree_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "decree") {
            out.push(path);
        }
    }
}

#[test]
fn every_bundled_file_that_parses_is_canonical() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["policies", "examples", "tests/cases"] {
        decree_files(&root.join(dir), &mut files);
    }
    files.sort();
    let mut checked = 0;
    let mut not_canonical = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let name = path.display().to_string();
        let surface = decree::fmt::detect_surface(&text);
        let Some(formatted) = format(&name, &text, surface) else {
            continue;
        };
        checked += 1;
        if formatted != text {
            not_canonical.push(name);
        }
    }
    assert!(checked > 50, "only {checked} files parse");
    assert!(
        not_canonical.is_empty(),
        "not in canonical form (run `decree fmt` on them):\n{}",
        not_canonical.join("\n")
    );
}
