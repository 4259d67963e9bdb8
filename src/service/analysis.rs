//! A document's analysis: parse, check (or load the included policy), run
//! its tests, and turn every diagnostic into a [`Problem`] at a range of the
//! document.

use std::sync::Arc;

use super::{Checked, Document, Included, LineIndex, Range, TestOutcome, TestSummary};
use crate::ast::{Program, TestDecl};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::span::{SourceFile, Span};
use crate::{Limits, testing};

/// One error or warning, placed in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where (the diagnostic's primary label).
    pub range: Range,
    /// Error or warning.
    pub severity: Severity,
    /// The stable code (`decree::…`).
    pub code: Code,
    /// The message.
    pub message: String,
    /// Every label of the diagnostic that lies in this document, the
    /// primary one first.
    pub related: Vec<Related>,
    /// How to fix it, if the diagnostic says.
    pub help: Option<String>,
}

/// A labelled range that a [`Problem`] points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Where.
    pub range: Range,
    /// What the label says there.
    pub message: String,
}

impl Document {
    /// Analyses the current text into problems, its program and (when it
    /// checks) its policy; a policy that checked before is kept when this
    /// text does not.
    pub(super) fn analyse(&mut self, include: &dyn Fn(&str) -> Included) {
        self.analyse_after(None, include);
    }

    /// [`Document::analyse`] after an edit of `parsed`, a text that parsed
    /// and its program: only what the edit touched is read again.
    pub(super) fn analyse_after(
        &mut self,
        parsed: Option<(Program, SourceFile)>,
        include: &dyn Fn(&str) -> Included,
    ) {
        self.problems.clear();
        self.tests = None;
        let limits = Limits::default();
        let read = match parsed {
            None => crate::syntax::parse(&self.source, &limits),
            Some((mut program, old)) => {
                match crate::syntax::reparse(&mut program, &old.text, &self.source, &limits) {
                    Ok(()) => Ok(program),
                    Err(ds) => {
                        self.stale = Some((program, old));
                        Err(ds)
                    }
                }
            }
        };
        let program = match read {
            Ok(p) => {
                // The current text parses: no older one is needed.
                self.stale = None;
                p
            }
            Err(ds) => {
                self.program = None;
                self.add_all(&ds.0, Span::default());
                return;
            }
        };
        if let Some(checked) = self.policy_of(&program, include) {
            self.run_tests(&checked, &program);
            self.policy = Some(checked);
        }
        self.program = Some(program);
    }

    /// The policy the program is or includes, its problems added.
    fn policy_of(
        &mut self,
        program: &Program,
        include: &dyn Fn(&str) -> Included,
    ) -> Option<Checked> {
        let included = match testing::include_of(&self.source, program) {
            Ok(i) => i,
            Err(d) => {
                self.add(&d, Span::default());
                return None;
            }
        };
        let Some(inc) = included else {
            return match crate::check_program(&self.source, program) {
                Ok(policy) => {
                    let warnings = policy.warnings.clone();
                    self.add_all(&warnings, Span::default());
                    Some(checked(policy))
                }
                Err(ds) => {
                    self.add_all(&ds.0, Span::default());
                    None
                }
            };
        };
        let at = inc.span;
        let src = match include(&inc.node) {
            // The policy included as it was: no need to check it again
            // (and its tests' outcomes stay valid, see `super::rerun`).
            Ok(src)
                if self
                    .policy
                    .as_ref()
                    .is_some_and(|c| same_file(&c.policy.source, &src)) =>
            {
                return self.policy.clone();
            }
            Ok(src) => src,
            Err(why) => {
                let d = Diagnostic::error(
                    Code::Io,
                    format!("cannot read the included policy `{}`: {why}", inc.node),
                )
                .help("the path is relative to the file that includes it");
                self.add(&d, at);
                return None;
            }
        };
        match crate::load(&src) {
            Ok(policy) => Some(checked(policy)),
            Err(ds) => {
                self.add(&included_errors(&src, &ds.0), at);
                None
            }
        }
    }

    /// Runs the program's tests, one at a time so that a failure placed in
    /// another file (an evaluation error in the included policy) can be
    /// shown at its test.
    ///
    /// A test written as it was, against the same policy, is not run again
    /// (see [`super::rerun`]).
    fn run_tests(&mut self, checked: &Checked, program: &Program) {
        let mut reached = testing::Reached::default();
        let tests = testing::tests_in(program);
        let mut each = Vec::new();
        self.reruns.against(&checked.policy);
        let mut written = Vec::new();
        for t in &tests {
            let whole = t.span.0;
            let text = self
                .source
                .text
                .get(whole.start..whole.end)
                .unwrap_or("")
                .to_string();
            let start = self.index.position(whole.start);
            let passed = match self.reruns.get(&text, start) {
                Some((passed, problems)) => {
                    self.problems.extend(problems);
                    passed
                }
                None => {
                    let before = self.problems.len();
                    let results = testing::run(&checked.policy, &self.source, &[t], &mut reached);
                    let mut passed = true;
                    for r in results {
                        passed &= r.passed();
                        self.add_all(&r.failures, test_span(t));
                    }
                    let end_line = self.index.position(whole.end).line;
                    let problems = self.problems.get(before..).unwrap_or(&[]);
                    self.reruns.keep(&text, start, end_line, passed, problems);
                    passed
                }
            };
            written.push((text, start.character));
            each.push(TestOutcome {
                name: t.name.node.clone(),
                range: self.index.range(test_span(t)),
                passed,
            });
        }
        self.reruns.retain(&written);
        if let Some(first) = each.first() {
            self.tests = Some(TestSummary {
                range: first.range,
                tests: each.len(),
                failed: each.iter().filter(|t| !t.passed).count(),
                each,
            });
        }
    }

    fn add_all(&mut self, diagnostics: &[Diagnostic], fallback: Span) {
        for d in diagnostics {
            self.add(d, fallback);
        }
    }

    /// Adds one diagnostic: at its primary label when that label is in this
    /// document, else at `fallback`.
    fn add(&mut self, d: &Diagnostic, fallback: Span) {
        let here = d
            .source
            .as_ref()
            .is_none_or(|s| s.name == self.source.name && s.text == self.source.text);
        let related: Vec<Related> = if here {
            d.labels
                .iter()
                .map(|l| Related {
                    range: self.index.range(l.span),
                    message: l.text.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let range = match (here, d.span()) {
            (true, Some(span)) => self.index.range(span),
            _ => self.index.range(fallback),
        };
        self.problems.push(Problem {
            range,
            severity: d.severity,
            code: d.code,
            message: d.message.clone(),
            related,
            help: d.help.clone(),
        });
    }
}

/// Whether two sources are one file with one text.
fn same_file(a: &SourceFile, b: &SourceFile) -> bool {
    a.name == b.name && a.text == b.text
}

fn checked(policy: crate::Policy) -> Checked {
    Checked {
        index: LineIndex::new(policy.source.text.clone()),
        policy: Arc::new(policy),
    }
}

/// Where a test's failures stand when they point elsewhere: its name.
fn test_span(t: &TestDecl) -> Span {
    t.name.span
}

/// One diagnostic, at the `include`, for the errors of the included policy:
/// how many, and the first, with its line.
fn included_errors(src: &SourceFile, errors: &[Diagnostic]) -> Diagnostic {
    let first = errors.first();
    let place = first
        .and_then(Diagnostic::span)
        .map(|s| src.line_col(s.start))
        .map_or(String::new(), |(l, c)| format!(" (line {l}, column {c})"));
    let n = errors.len();
    let what = if n == 1 { "an error" } else { "errors" };
    Diagnostic::error(
        first.map_or(Code::Invalid, |d| d.code),
        format!(
            "the included policy `{}` has {what}: {}{place}",
            src.name,
            first.map_or("", |d| d.message.as_str()),
        ),
    )
}
