//! The comments of a source file, each put back exactly once.
//!
//! The formatter prints an entry (a declaration, a field, a cite, an item,
//! a table row, a test line) and asks for its comments: the own-line
//! comments that stood before it go on lines of their own before it, and
//! an end-of-line comment on the line it started on goes at the end of its
//! first line. A comment already placed is never placed again, so each
//! one comes out once whatever the nesting of tables inside items.

use crate::span::SourceFile;
use crate::syntax::scan::{TokenKind, scan};

/// A `#` comment found in the source.
#[derive(Debug, Clone)]
struct Comment {
    offset: usize,
    line: usize,
    /// The text from `#` to the end of the line, trailing blanks removed.
    text: String,
    /// Code stands before it on its line.
    trailing: bool,
    placed: bool,
}

/// The comments of one source, in order, with which are placed already.
#[derive(Debug, Clone, Default)]
pub(super) struct Comments {
    list: Vec<Comment>,
}

impl Comments {
    /// Every comment of `source`, where the grammar sees them (see
    /// [`crate::syntax::scan`]).
    pub(super) fn of(source: &SourceFile) -> Comments {
        let list = scan(&source.text)
            .filter_map(|token| match token.kind {
                TokenKind::Comment { after_code, line } => Some(Comment {
                    offset: token.span.start,
                    line,
                    text: source.slice(token.span).trim_end().to_string(),
                    trailing: after_code,
                    placed: false,
                }),
                _ => None,
            })
            .collect();
        Comments { list }
    }

    /// The comments not yet placed that stand before `upto` (own-line
    /// ones, and end-of-line ones no entry took), one a line after `pad`.
    pub(super) fn before(&mut self, upto: usize, pad: &str) -> String {
        let mut out = String::new();
        for c in self
            .list
            .iter_mut()
            .filter(|c| !c.placed && c.offset < upto)
        {
            c.placed = true;
            out.push_str(pad);
            out.push_str(&c.text);
            out.push('\n');
        }
        out
    }

    /// The lines of an entry that starts at `start`, on `line`: its
    /// comments before it, then `text` after `pad`, the end-of-line comment
    /// of that line after its first line.
    pub(super) fn entry(&mut self, line: usize, start: usize, text: &str, pad: &str) -> String {
        let mut out = self.before(start, pad);
        let mut lines = text.split('\n');
        out.push_str(pad);
        out.push_str(lines.next().unwrap_or(""));
        let end_of_line = self
            .list
            .iter_mut()
            .find(|c| !c.placed && c.trailing && c.line == line && c.offset > start);
        if let Some(c) = end_of_line {
            c.placed = true;
            out.push_str("  ");
            out.push_str(&c.text);
        }
        out.push('\n');
        for l in lines {
            if !l.is_empty() {
                out.push_str(pad);
                out.push_str(l);
            }
            out.push('\n');
        }
        out
    }
}
