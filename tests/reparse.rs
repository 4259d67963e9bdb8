//! `syntax::reparse`, which the language server runs on every keystroke,
//! against a whole `syntax::parse` of the same text: the same program,
//! every span the same (the AST's equality ignores spans, so the programs
//! are compared by their debug text, which shows them), the same errors,
//! and the program left as it was when the new text does not parse.
//!
//! The texts are the bundled policies, the batch programs and the corpus
//! of cases, each edited at random places: snippets inserted (blanks,
//! comments, digits, units, labels, keywords, braces, whole
//! declarations), ranges deleted, digits changed, and stretches of the
//! file copied elsewhere; and runs of such edits, as a drafter types.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use decree::Limits;
use decree::ast::Program;
use decree::span::SourceFile;
use proptest::prelude::*;

/// Every policy text the tests read.
fn corpus() -> Vec<String> {
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    for dir in ["policies", "tests/batch", "tests/cases"] {
        let mut here: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "decree"))
            .collect();
        here.sort();
        paths.extend(here);
    }
    let texts: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("a policy"))
        .filter(|t| parse(t).is_ok())
        .collect();
    assert!(texts.len() > 100, "the corpus is read");
    texts
}

fn corpus_once() -> &'static [String] {
    static CORPUS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(corpus)
}

fn parse(text: &str) -> Result<Program, decree::diagnostic::Diagnostics> {
    decree::syntax::parse(&SourceFile::new("policy.decree", text), &Limits::default())
}

/// What a text inserted somewhere may be.
const SNIPPETS: &[&str] = &[
    " ",
    "\n",
    "\n\n",
    "# a note\n",
    "#",
    "0",
    "7",
    "万",
    "%",
    " + 1",
    " * 2",
    "\"a label\"",
    "x",
    "_y",
    "(",
    ")",
    "{",
    "}",
    ",",
    "，",
    "measure",
    " when true",
    "fact extra_fact: money \"额外\"\n",
    "param extra_param: rate = 5%\n",
    "\n  measure 99 \"新增\" {\n    subsidy extra_item = 1万\n  }\n",
    "\nmeasure 98 \"另一\" { award another = 2万 }\n",
    "subsidy inserted = 3万\n",
];

/// One edit of a text.
#[derive(Debug, Clone)]
enum Edit {
    /// Insert a snippet at a fraction of the text.
    Insert(f64, usize),
    /// Delete this many bytes from a fraction of the text.
    Delete(f64, usize),
    /// Change the digit at or after a fraction of the text.
    Digit(f64, u8),
    /// Copy this many bytes from one fraction of the text to another.
    Copy(f64, usize, f64),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0.0..1.0, 0..SNIPPETS.len()).prop_map(|(at, s)| Edit::Insert(at, s)),
        (0.0..1.0, 1usize..60).prop_map(|(at, n)| Edit::Delete(at, n)),
        (0.0..1.0, 0u8..10).prop_map(|(at, d)| Edit::Digit(at, d)),
        (0.0..1.0, 1usize..400, 0.0..1.0).prop_map(|(a, n, b)| Edit::Copy(a, n, b)),
    ]
}

/// The char boundary at or before a fraction of `text`.
fn at(text: &str, fraction: f64) -> usize {
    let mut i = ((text.len() as f64) * fraction) as usize;
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut out = text.to_string();
    match *edit {
        Edit::Insert(f, s) => out.insert_str(at(text, f), SNIPPETS[s]),
        Edit::Delete(f, n) => {
            let from = at(text, f);
            let mut to = (from + n).min(text.len());
            while !text.is_char_boundary(to) {
                to += 1;
            }
            out.replace_range(from..to, "");
        }
        Edit::Digit(f, d) => {
            let from = at(text, f);
            if let Some(i) = text[from..].find(|c: char| c.is_ascii_digit()) {
                let i = from + i;
                out.replace_range(i..i + 1, &d.to_string());
            }
        }
        Edit::Copy(f, n, g) => {
            let from = at(text, f);
            let mut to = (from + n).min(text.len());
            while !text.is_char_boundary(to) {
                to += 1;
            }
            let piece = text[from..to].to_string();
            out.insert_str(at(text, g), &piece);
        }
    }
    out
}

/// Reparses `old` (parsed as `program`) into `new` and holds the result to
/// a whole parse of `new`; returns whether `new` parsed.
fn holds(program: &mut Program, old: &str, new: &str) -> Result<bool, TestCaseError> {
    let before = format!("{program:?}");
    let source = SourceFile::new("policy.decree", new);
    let got = decree::syntax::reparse(program, old, &source, &Limits::default());
    match (got, parse(new)) {
        (Ok(()), Ok(whole)) => {
            let (got, want) = (format!("{program:?}"), format!("{whole:?}"));
            prop_assert!(
                got == want,
                "{}\nthe edit: {}",
                first_difference(&got, &want),
                edit_shown(old, new)
            );
            Ok(true)
        }
        (Err(got), Err(whole)) => {
            prop_assert_eq!(format!("{got:?}"), format!("{whole:?}"));
            prop_assert_eq!(
                format!("{program:?}"),
                before,
                "a failed reparse keeps the program"
            );
            Ok(false)
        }
        (Ok(()), Err(whole)) => Err(TestCaseError::fail(format!(
            "reparse read a text the whole parse refuses: {}\nthe edit: {}",
            whole
                .0
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_default(),
            edit_shown(old, new)
        ))),
        (Err(got), Ok(_)) => Err(TestCaseError::fail(format!(
            "reparse refused a text the whole parse reads: {got:?}"
        ))),
    }
}

/// The edit from `old` to `new` as the text around it before and after.
fn edit_shown(old: &str, new: &str) -> String {
    let at = old
        .char_indices()
        .zip(new.chars())
        .find(|((_, a), b)| a != b)
        .map_or(old.len().min(new.len()), |((i, _), _)| i);
    let around = |t: &str| {
        let from = t[..at].char_indices().rev().nth(80).map_or(0, |(i, _)| i);
        let to = t[at..]
            .char_indices()
            .nth(120)
            .map_or(t.len(), |(i, _)| at + i);
        format!("{:?}", &t[from..to])
    };
    format!(
        "at byte {at}\n before: {}\n after:  {}",
        around(old),
        around(new)
    )
}

/// Where two debug texts first differ, with some of each around it.
fn first_difference(got: &str, want: &str) -> String {
    let at = got
        .char_indices()
        .zip(want.chars())
        .find(|((_, a), b)| a != b)
        .map_or(got.len().min(want.len()), |((i, _), _)| i);
    let mut from = at.saturating_sub(300);
    while !got.is_char_boundary(from) || !want.is_char_boundary(from) {
        from -= 1;
    }
    let end = |t: &str| {
        let mut e = (at + 200).min(t.len());
        while !t.is_char_boundary(e) {
            e += 1;
        }
        e
    };
    format!(
        "the reparse differs from the whole parse at {at}:\n reparse: …{}…\n whole:   …{}…",
        &got[from..end(got)],
        &want[from..end(want)]
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// One edit of one text.
    #[test]
    fn one_edit_reparses_as_the_whole_text_parses(file in any::<prop::sample::Index>(), e in edit()) {
        let corpus = corpus_once();
        let old = &corpus[file.index(corpus.len())];
        let mut program = parse(old).expect("the corpus parses");
        let new = apply(old, &e);
        holds(&mut program, old, &new)?;
    }

    /// A run of edits, each reparsed from the last text that parsed, as
    /// the language server keeps it.
    #[test]
    fn a_run_of_edits_reparses_as_each_text_parses(
        file in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..8),
    ) {
        let corpus = corpus_once();
        let mut good = corpus[file.index(corpus.len())].clone();
        let mut program = parse(&good).expect("the corpus parses");
        let mut text = good.clone();
        for e in &edits {
            text = apply(&text, e);
            if holds(&mut program, &good, &text)? {
                good = text.clone();
            }
        }
    }
}

/// The bundled draft, edited in each of its chapters, in its facts and
/// params, and at both ends: every place the reparse reads differently.
#[test]
fn the_draft_reparses_at_every_kind_of_place() {
    let draft =
        std::fs::read_to_string("policies/shenzhen-manufacturing-2020.decree").expect("the draft");
    let places = [
        // Inside a measure of a chapter: the measures alone are read.
        ("培育先进制造业集群", "培育先进制造业集群（修订）"),
        // A chapter's title: the chapter is read whole.
        ("提升制造业发展能级", "提升制造业发展的能级"),
    ];
    for (from, to) in places {
        let new = draft.replacen(from, to, 1);
        assert_ne!(new, draft, "{from} is in the draft");
        let mut program = parse(&draft).expect("the draft parses");
        holds(&mut program, &draft, &new).expect("reparsed as parsed");
    }
    for (i, edited) in [
        format!("# a first line\n{draft}"),
        format!("{draft}\nfact appended: money \"追加\"\n"),
        draft.replacen("5000万", "5001万", 1),
        draft.replacen("}", "} }", 1),
    ]
    .iter()
    .enumerate()
    {
        let mut program = parse(&draft).expect("the draft parses");
        holds(&mut program, &draft, edited).unwrap_or_else(|e| panic!("edit {i}: {e}"));
    }
}
