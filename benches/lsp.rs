//! Benchmarks of the language service (`decree::service`, what `decree lsp`
//! answers from) on the bundled 28-measure draft: the cost of one keystroke
//! (a one-character edit, the re-analysis `Document::edit` does, and the
//! problems turned into diagnostics as the server turns them), the same with
//! the inlay hints refreshed for one example enterprise (issue 14 aims the
//! whole cycle under 20 ms), a digit typed and deleted in turn (each edit
//! moves the spans after it), an edit that leaves the draft unparsable, an
//! edit to the draft's file of tests (which re-runs its tests against the
//! included draft), and semantic tokens and symbols alone. Each iteration is
//! one edit: the edits alternate between two texts one character apart, so
//! every iteration does the same work. Run with `cargo bench --bench lsp`;
//! figures are recorded in docs/PERFORMANCE.md.
#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::unwrap_used)]

use decree::SourceFile;
use decree::service::{Document, Included, LineIndex, Range};
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

const DRAFT: &str = "policies/shenzhen-manufacturing-2020.decree";
const TESTS: &str = "policies/shenzhen-manufacturing-2020.test.decree";
const FACTS: &str = "examples/enterprises/anxin-precision.json";

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect(path)
}

/// The include of a file that includes nothing.
fn no_include(_: &str) -> Included {
    Err("no include".into())
}

/// The range of the one character at byte `offset` of `text`.
fn one_char_at(text: &str, offset: usize) -> Range {
    let index = LineIndex::new(text);
    let start = index.position(offset);
    let end = index.position(offset + text[offset..].chars().next().unwrap().len_utf8());
    Range { start, end }
}

/// The byte offset of `needle` in `text`, which must hold it once.
fn find_once(text: &str, needle: &str) -> usize {
    let at = text.find(needle).expect(needle);
    assert_eq!(text.rfind(needle), Some(at), "{needle} more than once");
    at
}

/// The draft, opened; and the range of the `0` of `30%` in measure 9's
/// platform subsidy (`min(30% * iiot_platform_investment, 1000万)`, in the
/// middle of the file), which the keystroke benchmarks toggle between `0`
/// and `1` (both check).
fn draft() -> (Document, Range) {
    let text = read(DRAFT);
    let doc = Document::new(DRAFT, &text, &no_include);
    assert!(doc.problems().is_empty(), "the draft checks");
    let at = find_once(&text, "min(30% * iiot_platform_investment") + "min(3".len();
    (doc, one_char_at(&text, at))
}

/// One problem as the server sends it: range, message with its help, and
/// the related labels.
struct Diagnostic {
    _range: Range,
    _message: String,
    _related: Vec<(Range, String)>,
}

/// The problems as the server turns them into diagnostics.
fn diagnostics(doc: &Document) -> Vec<Diagnostic> {
    doc.problems()
        .iter()
        .map(|p| Diagnostic {
            _range: p.range,
            _message: match &p.help {
                Some(help) => format!("{}\nhelp: {help}", p.message),
                None => p.message.clone(),
            },
            _related: p
                .related
                .iter()
                .map(|r| (r.range, r.message.clone()))
                .collect(),
        })
        .collect()
}

/// `a` and `b` in turn, one per call: what a toggled character is retyped as.
fn toggle<'a>(a: &'a str, b: &'a str) -> impl FnMut() -> &'a str {
    let mut flip = false;
    move || {
        flip = !flip;
        if flip { a } else { b }
    }
}

#[divan::bench(sample_count = 50)]
fn edit_one_digit_of_the_draft_and_refresh_diagnostics(b: Bencher) {
    let (mut doc, range) = draft();
    let mut next = toggle("1", "0");
    b.bench_local(|| {
        doc.edit(range, next(), &no_include);
        black_box(diagnostics(&doc))
    });
    assert!(doc.problems().is_empty());
}

/// A digit typed into the draft (`30%` becomes `300%`) and deleted, in
/// turn: unlike a digit retyped, every edit moves the text after it, so
/// the spans of every declaration after it move too.
#[divan::bench(sample_count = 50)]
fn type_and_delete_a_digit_of_the_draft_and_refresh_diagnostics(b: Bencher) {
    let (mut doc, range) = draft();
    let typed_at = Range {
        start: range.start,
        end: range.start,
    };
    let mut typed = false;
    b.bench_local(|| {
        if typed {
            doc.edit(range, "", &no_include);
        } else {
            doc.edit(typed_at, "0", &no_include);
        }
        typed = !typed;
        black_box(diagnostics(&doc))
    });
    assert!(doc.problems().is_empty());
}

#[divan::bench(sample_count = 50)]
fn edit_one_digit_of_the_draft_and_refresh_diagnostics_and_hints(b: Bencher) {
    let (mut doc, range) = draft();
    let facts = SourceFile::new("anxin-precision.json", read(FACTS));
    assert!(!doc.amounts(&facts).expect("facts").is_empty());
    let mut next = toggle("1", "0");
    b.bench_local(|| {
        doc.edit(range, next(), &no_include);
        let diagnostics = diagnostics(&doc);
        let hints = doc.amounts(&facts).expect("facts");
        black_box((diagnostics, hints))
    });
    assert!(doc.problems().is_empty());
}

/// The draft with a `{` typed after `min(` in measure 9, then that
/// character retyped as `}` and `{` in turn: every analysis is of a text
/// that does not parse.
#[divan::bench(sample_count = 50)]
fn edit_the_draft_into_a_syntax_error_and_refresh_diagnostics(b: Bencher) {
    let (mut doc, range) = draft();
    let at = Range {
        start: range.start,
        end: range.start,
    };
    doc.edit(at, "{", &no_include);
    assert!(!doc.problems().is_empty(), "`{{` breaks the draft");
    let mut next = toggle("}", "{");
    b.bench_local(|| {
        doc.edit(range, next(), &no_include);
        black_box(diagnostics(&doc))
    });
    assert!(!doc.problems().is_empty(), "`}}` breaks it too");
}

/// The draft's file of tests, with the space after `=` in the first
/// test's first fact deleted and typed again in turn; each analysis parses
/// the file, loads the included draft and runs every test.
#[divan::bench(sample_count = 20)]
fn edit_the_test_file_and_rerun_its_tests(b: Bencher) {
    let draft = SourceFile::new(DRAFT, read(DRAFT));
    let include = move |_: &str| -> Included { Ok(draft.clone()) };
    let text = read(TESTS);
    let mut doc = Document::new(TESTS, &text, &include);
    assert!(doc.problems().is_empty(), "the tests pass");
    // The tests do run: a wrong expectation is a problem.
    let wrong = text.replacen(
        "expect tech_upgrade = 4800万",
        "expect tech_upgrade = 4801万",
        1,
    );
    assert_ne!(wrong, text);
    assert!(!Document::new(TESTS, &wrong, &include).problems().is_empty());
    // The first fact of the first test: `name = value`.
    let first_test = text.find("\ntest ").expect("a test");
    let facts = first_test + text[first_test..].find("facts {").expect("facts");
    let space = facts + text[facts..].find("= ").expect("a fact") + 1;
    let deleted = one_char_at(&text, space);
    let reinserted = Range {
        start: deleted.start,
        end: deleted.start,
    };
    let mut flip = false;
    b.bench_local(|| {
        flip = !flip;
        if flip {
            doc.edit(deleted, "", &include);
        } else {
            doc.edit(reinserted, " ", &include);
        }
        black_box(diagnostics(&doc))
    });
    assert!(doc.problems().is_empty());
}

#[divan::bench(sample_count = 50)]
fn semantic_tokens_of_the_draft(b: Bencher) {
    let (doc, _) = draft();
    assert!(!doc.highlights().is_empty());
    b.bench_local(|| black_box(&doc).highlights());
}

#[divan::bench(sample_count = 50)]
fn symbols_of_the_draft(b: Bencher) {
    let (doc, _) = draft();
    assert!(!doc.symbols().is_empty());
    b.bench_local(|| black_box(&doc).symbols());
}

/// Opening the draft (`Document::new`): one analysis with no edit, for
/// comparison with the keystroke benchmarks.
#[divan::bench(sample_count = 50)]
fn open_the_draft(b: Bencher) {
    let text = read(DRAFT);
    b.bench(|| Document::new(DRAFT, black_box(&text), &no_include));
}

/// Opening the draft and closing it again: `open_the_draft` with the
/// document dropped inside the timing, as an edit drops the analysis it
/// replaces.
#[divan::bench(sample_count = 50)]
fn open_and_close_the_draft(b: Bencher) {
    let text = read(DRAFT);
    b.bench(|| drop(Document::new(DRAFT, black_box(&text), &no_include)));
}
