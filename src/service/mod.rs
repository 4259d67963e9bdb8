//! The language service: a decree file's text in, an editor's answers out
//! (diagnostics, hover, definitions, references, symbols, formatting,
//! completion, folding, renaming, highlighting, each item's value as an
//! inlay hint).
//!
//! It knows nothing of the Language Server Protocol: positions are its own
//! [`Position`]s (line, UTF-16 column, as editors count), answers are plain
//! data. `decree lsp` (`src/cli/lsp.rs`) puts them on the wire; a web
//! studio can use them as they are. Every answer comes from the one owner of
//! that behaviour: the parser and checker ([`crate::load`]), the test runner
//! ([`crate::testing`]), the formatter ([`crate::fmt`]), the scanner
//! ([`crate::syntax::scan`]) and the keyword table. Like the rest of the
//! library it opens no file: a file of tests names its policy with
//! `include`, and the host reads it (see [`Document::update`]).

mod across;
mod analysis;
mod complete;
mod format;
mod highlight;
mod hints;
mod navigate;
mod position;
mod rename;
mod rerun;

use std::sync::Arc;

pub use analysis::{Problem, Related};
pub use complete::{Completion, CompletionKind, Fold};
pub use format::Edit;
pub use highlight::{Class, Highlight};
pub use hints::{Hint, ItemValue, MeasureMark, example_name};
pub use navigate::{
    Hover, Location, Symbol, SymbolKind, included_by, matching, outline_of, uses_in,
};
pub use position::{LineIndex, Position, Range};

use crate::ast::Program;
use crate::check::Policy;
use crate::span::SourceFile;

/// Whether `text` is past the loader's size limit (the default
/// [`crate::Limits::max_source_bytes`]). Its one problem is then that
/// limit, and the service answers no question about its words: scanning
/// 50 MB for every hover or highlight would stall an editor for seconds.
pub(crate) fn too_large(text: &str) -> bool {
    text.len() > crate::Limits::default().max_source_bytes
}

/// What the host answers when a file of tests includes a policy: the
/// policy's text under the name its diagnostics and locations will carry
/// (the host's path or URI for it), or why it cannot be read.
pub type Included = Result<SourceFile, String>;

/// One open document and what the service knows of it.
#[derive(Debug, Clone)]
pub struct Document {
    /// The current text, under the document's name.
    source: SourceFile,
    /// Positions of the current text.
    index: LineIndex,
    /// The problems of the current text.
    problems: Vec<Problem>,
    /// The current text, parsed, if it parses.
    program: Option<Program>,
    /// While the current text does not parse: the last text that did and
    /// its program, so that the edit that mends it reads again only what
    /// changed since (`syntax::reparse`).
    stale: Option<(Program, SourceFile)>,
    /// The last policy that checked: this file's, or the one it includes.
    /// Kept while the text does not parse, so hover and definitions go on
    /// answering during an edit.
    policy: Option<Checked>,
    /// How the current text's tests went, if it has any and they ran.
    tests: Option<TestSummary>,
    /// The date the example enterprise is evaluated at (`today` in rules,
    /// the part of a dated value in force, the validity window): the
    /// host's, as `decree eval` takes today's; none until it sets one.
    example_date: Option<jiff::civil::Date>,
    /// The outcomes of the tests' last run, so an edit runs again only the
    /// tests it touched.
    reruns: rerun::Reruns,
}

/// How a file's tests went, for its "run N tests" lens and one lens a
/// test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSummary {
    /// The first test's name.
    pub range: Range,
    /// How many tests the file declares.
    pub tests: usize,
    /// How many of them failed.
    pub failed: usize,
    /// Each test, in the order written.
    pub each: Vec<TestOutcome>,
}

/// How one test went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// Its name.
    pub name: String,
    /// Where its name is written.
    pub range: Range,
    /// Whether every `expect` of it held.
    pub passed: bool,
}

/// A checked policy with the positions of its own text (which may be an
/// older text of this document, or another file).
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    policy: Arc<Policy>,
    index: LineIndex,
}

impl Document {
    /// A document named `name` (its path or URI, as diagnostics carry it),
    /// analysed from `text`; `include` reads a policy the file includes,
    /// given the path the `include` names.
    pub fn new(name: &str, text: &str, include: &dyn Fn(&str) -> Included) -> Self {
        let source = SourceFile::new(name, text);
        let mut doc = Document {
            index: LineIndex::new(source.text.clone()),
            source,
            problems: Vec::new(),
            program: None,
            stale: None,
            policy: None,
            tests: None,
            example_date: None,
            reruns: rerun::Reruns::default(),
        };
        doc.analyse(include);
        doc
    }

    /// Sets the date the example enterprise is evaluated at (see
    /// [`Document::evaluate`]); `None` leaves rules that need it
    /// undetermined.
    pub fn set_example_date(&mut self, at: Option<jiff::civil::Date>) {
        self.example_date = at;
    }

    /// Replaces the whole text and analyses it again.
    pub fn update(&mut self, text: &str, include: &dyn Fn(&str) -> Included) {
        let new = SourceFile::new(self.source.name.clone(), text);
        let old = std::mem::replace(&mut self.source, new);
        let parsed = match self.program.take() {
            Some(program) => Some((program, old)),
            None => self.stale.take(),
        };
        self.index = LineIndex::new(self.source.text.clone());
        self.analyse_after(parsed, include);
    }

    /// Replaces `range` of the current text by `text` (an editor's
    /// incremental change) and analyses again. A range outside the text is
    /// clamped to it.
    pub fn edit(&mut self, range: Range, text: &str, include: &dyn Fn(&str) -> Included) {
        let span = self.index.span(range);
        let mut new = String::with_capacity(self.source.text.len() + text.len());
        new.push_str(self.source.text.get(..span.start).unwrap_or(""));
        new.push_str(text);
        new.push_str(self.source.text.get(span.end..).unwrap_or(""));
        self.update(&new, include);
    }

    /// The current text.
    pub fn text(&self) -> &str {
        &self.source.text
    }

    /// The current text as a source file (cheap to clone).
    pub fn source(&self) -> &SourceFile {
        &self.source
    }

    /// The document's name.
    pub fn name(&self) -> &str {
        &self.source.name
    }

    /// Positions of the current text.
    pub fn index(&self) -> &LineIndex {
        &self.index
    }

    /// Every error and warning of the current text: syntax, checking, the
    /// included policy, and the `expect`s of its tests that fail.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The last policy that checked (see [`Document`]).
    pub fn policy(&self) -> Option<&Policy> {
        self.policy.as_ref().map(|c| c.policy.as_ref())
    }

    /// How the current text's tests went: `None` when it declares none, or
    /// when they could not run (the text or its policy does not check).
    pub fn tests(&self) -> Option<&TestSummary> {
        self.tests.as_ref()
    }

    /// The current text in canonical layout, as `decree fmt` writes it (in
    /// the keyword surface the file mostly uses); `None` when it does not
    /// parse.
    pub fn formatted(&self) -> Option<String> {
        let program = self.program.as_ref()?;
        let surface = crate::fmt::detect_surface(&self.source.text);
        Some(crate::fmt::format(&self.source, program, surface))
    }
}
