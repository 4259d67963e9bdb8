//! Diagnostics: every error or warning a user can cause, as data.
//!
//! One [`Diagnostic`] type serves every stage (syntax, check, facts,
//! evaluation, tests) so that hosts — the CLI, the REPL, a language server, a
//! web playground — get the same fields: a stable [`Code`], a message, labelled
//! spans in the source they are about, and help. It implements
//! [`miette::Diagnostic`] for rendering, and [`serde::Serialize`] for hosts that
//! render their own.

mod excerpt;
mod suggest;

use std::fmt;

pub use suggest::suggest;

use crate::span::{SourceFile, Span};

/// The stable code of a diagnostic. The string form (`decree::…`) is part of
/// the public interface: tools match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// The text does not follow the grammar.
    Syntax,
    /// A name that is declared nowhere.
    UnknownName,
    /// A name, measure number or key declared twice.
    Duplicate,
    /// Items that depend on each other in a circle.
    Cycle,
    /// Operands or values whose units do not fit together.
    UnitMismatch,
    /// A construct used where it does not belong (wrong argument count, a
    /// commitment without text, …).
    Invalid,
    /// Tier rows or schedule brackets in an order that makes some unreachable.
    TierOrder,
    /// A literal that cannot be represented exactly.
    Literal,
    /// A result that would need more than 28 significant digits.
    Precision,
    /// A result too large to represent.
    Overflow,
    /// Division by zero.
    DivisionByZero,
    /// A monetary item that computes to a negative amount.
    NegativeAmount,
    /// Input nested or sized beyond the configured limits.
    Limit,
    /// A facts file that cannot be read as facts.
    Facts,
    /// A key in a facts file that the policy does not declare (a warning).
    UnknownFact,
    /// A `--set NAME=VALUE` that names nothing or does not parse.
    Set,
    /// A file that cannot be read.
    Io,
    /// An `expect` in a decree test that did not hold.
    TestFailed,
    /// A stacking group or cumulative cap that cannot be applied as
    /// written (a non-monetary member, an item in two groups, a member
    /// that uses another member, `amount_of` of what is not a monetary item).
    Stacking,
    /// Two parts of a dated value in force on the same day, or a part
    /// that ends before it begins (issue 16).
    DatedOverlap,
    /// Days between two parts of a dated value when none is in force (a
    /// warning; issue 16).
    DatedGap,
    /// A budget declaration that names what it cannot pay for (issue 16).
    Budget,
}

impl Code {
    /// The stable string form, e.g. `decree::unit_mismatch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "decree::syntax",
            Code::UnknownName => "decree::unknown_name",
            Code::Duplicate => "decree::duplicate",
            Code::Cycle => "decree::cycle",
            Code::UnitMismatch => "decree::unit_mismatch",
            Code::Invalid => "decree::invalid",
            Code::TierOrder => "decree::tier_order",
            Code::Literal => "decree::literal",
            Code::Precision => "decree::precision",
            Code::Overflow => "decree::overflow",
            Code::DivisionByZero => "decree::division_by_zero",
            Code::NegativeAmount => "decree::negative_amount",
            Code::Limit => "decree::limit",
            Code::Facts => "decree::facts",
            Code::UnknownFact => "decree::unknown_fact",
            Code::Set => "decree::set",
            Code::Io => "decree::io",
            Code::TestFailed => "decree::test_failed",
            Code::Stacking => "decree::stacking",
            Code::DatedOverlap => "decree::dated_overlap",
            Code::DatedGap => "decree::dated_gap",
            Code::Budget => "decree::budget",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is wrong; the command fails.
    Error,
    /// Worth knowing; the command goes on.
    Warning,
}

/// A labelled span.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What the user should read there.
    pub text: String,
}

/// One error or warning about the user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One lowercase line, no final period.
    pub message: String,
    /// Spans in [`Diagnostic::source`], the primary one first.
    pub labels: Vec<Label>,
    /// A hint on how to fix it.
    pub help: Option<String>,
    /// The file the spans are in (absent for errors with no place, such as a
    /// missing file).
    pub source: Option<SourceFile>,
}

impl Diagnostic {
    /// An error with a message and no place yet.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            source: None,
        }
    }

    /// A warning with a message and no place yet.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Adds a labelled span.
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches the source the spans point into (unless one is set already).
    pub fn in_source(mut self, source: &SourceFile) -> Self {
        if self.source.is_none() {
            self.source = Some(source.clone());
        }
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The primary span, if any.
    pub fn span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    /// This diagnostic as plain data for hosts that render their own.
    pub fn to_data(&self) -> DiagnosticData {
        let file = self.source.as_ref().map(|s| s.name.to_string());
        let position = |span: Span| {
            self.source.as_ref().map(|s| {
                let (line, column) = s.line_col(span.start);
                Position { line, column }
            })
        };
        DiagnosticData {
            code: self.code,
            severity: self.severity,
            message: self.message.clone(),
            file,
            span: self.span(),
            start: self.span().and_then(position),
            labels: self.labels.clone(),
            help: self.help.clone(),
        }
    }
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// A diagnostic as serializable data (see `docs/JSON.md`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiagnosticData {
    /// `decree::…`
    pub code: Code,
    /// `error` or `warning`.
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// File name, when the diagnostic is about a file.
    pub file: Option<String>,
    /// Primary span in bytes.
    pub span: Option<Span>,
    /// Line and column where the primary span starts.
    pub start: Option<Position>,
    /// All labels, primary first.
    pub labels: Vec<Label>,
    /// Help, if any.
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source
            .as_ref()
            .map(|s| &s.text as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.source.as_ref()?;
        labelled_spans(&self.labels)
    }
}

/// Several diagnostics, as returned by a stage that reports all it finds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Whether any of them is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Iterates over them.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// Renders them all as text, one after another (see [`render`]).
    pub fn render(&self, style: RenderStyle) -> String {
        self.0.iter().map(|d| render(d, style)).collect()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.iter().filter(|d| d.is_error()).count();
        write!(f, "{n} error(s)")
    }
}

impl std::error::Error for Diagnostics {}

/// How to render diagnostics as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderStyle {
    /// Unicode, no colour, 100 columns: stable, for tests and pipes.
    Plain,
    /// Unicode with colour, for terminals.
    Color,
}

/// Renders one diagnostic with miette's graphical handler, the source text
/// with its file name, labels, code and help included.
pub fn render(diagnostic: &Diagnostic, style: RenderStyle) -> String {
    let theme = match style {
        RenderStyle::Plain => miette::GraphicalTheme::unicode_nocolor(),
        RenderStyle::Color => miette::GraphicalTheme::unicode(),
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    let named;
    let with_name: &dyn miette::Diagnostic = match &diagnostic.source {
        Some(src) => {
            named = Named::of(diagnostic, src);
            &named
        }
        None => diagnostic,
    };
    if handler.render_report(&mut out, with_name).is_err() {
        out = format!("{}: {}\n", diagnostic.code, diagnostic.message);
    }
    out
}

/// A diagnostic whose source carries its file name, for rendering, with
/// over-long lines cut around the labels ([`excerpt`]).
struct Named<'a> {
    inner: &'a Diagnostic,
    source: miette::NamedSource<std::sync::Arc<str>>,
    /// The labels, moved into the cut text when lines were cut.
    labels: Vec<Label>,
}

impl<'a> Named<'a> {
    fn of(inner: &'a Diagnostic, src: &SourceFile) -> Self {
        let spans: Vec<Span> = inner.labels.iter().map(|l| l.span).collect();
        match excerpt::Excerpt::of(&src.text, &spans) {
            None => Named {
                inner,
                source: src.named_source(),
                labels: inner.labels.clone(),
            },
            Some(cut) => Named {
                inner,
                labels: inner
                    .labels
                    .iter()
                    .map(|l| Label {
                        span: cut.span(l.span),
                        text: match cut.column_if_cut(&src.text, l.span.start) {
                            Some(c) => format!("{} (column {c})", l.text),
                            None => l.text.clone(),
                        },
                    })
                    .collect(),
                source: miette::NamedSource::new(src.name.as_ref(), cut.text.into()),
            },
        }
    }
}

impl fmt::Debug for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::error::Error for Named<'_> {}

impl miette::Diagnostic for Named<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        miette::Diagnostic::code(self.inner)
    }
    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(self.inner)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        miette::Diagnostic::help(self.inner)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        labelled_spans(&self.labels)
    }
}

/// Labels as miette's, the first one primary.
fn labelled_spans(labels: &[Label]) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
    if labels.is_empty() {
        return None;
    }
    Some(Box::new(labels.iter().enumerate().map(|(i, l)| {
        let label = (!l.text.is_empty()).then(|| l.text.clone());
        if i == 0 {
            miette::LabeledSpan::new_primary_with_span(label, l.span)
        } else {
            miette::LabeledSpan::new_with_span(label, l.span)
        }
    })))
}
