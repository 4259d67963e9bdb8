//! The comments of a source file, each put back exactly once, and the
//! blank lines the author left between entries.
//!
//! The formatter prints an entry (a declaration, a field, a cite, an item,
//! a table row, a test line) and asks for its comments: the own-line
//! comments that stood before it go on lines of their own before it, and
//! an end-of-line comment goes at the end of the output line that holds
//! the code it followed (the printer's marks say which line that is). A
//! comment already placed is never placed again, so each one comes out
//! once whatever the nesting of tables inside items.
//!
//! One blank line stands before an own-line comment or an entry where the
//! author left one or more before it in the source.

use crate::span::SourceFile;
use crate::syntax::scan::{TokenKind, is_blank, scan};

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

/// One entry to print with its comments (see [`Comments::entry`]).
pub(super) struct Entry<'a> {
    /// Where the entry starts in the source.
    pub start: usize,
    /// Where its last token ends: end-of-line comments up to that line are
    /// its own.
    pub end: usize,
    /// Its text, one or more lines (without the margin).
    pub text: &'a str,
    /// Where code ends in the source and on which line of `text` it now
    /// stands, in any order; an end-of-line comment goes to the line of the
    /// last code before it (the first line when no mark is before it).
    pub marks: &'a [(usize, usize)],
    /// Whether a blank line goes before it (after its leading comments),
    /// when that was asked before anything inside it (a table row) was
    /// placed; `None` asks [`Comments::blank_before`] its start now.
    pub blank: Option<bool>,
}

/// The comments of one source, in order, with which are placed already,
/// and where its lines and blank lines are.
#[derive(Debug, Clone, Default)]
pub(super) struct Comments {
    list: Vec<Comment>,
    /// The offset of every line feed.
    newlines: Vec<usize>,
    /// Whether each line (0-based) is blank.
    blank: Vec<bool>,
    /// What stands between code and its end-of-line comment.
    gap: &'static str,
    /// The furthest end of an entry or comment placed so far.
    last_end: usize,
    /// The start of the entry being printed, whose end-of-line comments
    /// wait for it (the rows of its tables do not take them).
    held: Option<usize>,
}

impl Comments {
    /// Every comment of `source`, where the grammar sees them (see
    /// [`crate::syntax::scan`]); `gap` goes between code and an end-of-line
    /// comment.
    pub(super) fn of(source: &SourceFile, gap: &'static str) -> Comments {
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
        let newlines = source.text.match_indices('\n').map(|(i, _)| i).collect();
        let blank = source
            .text
            .split('\n')
            .map(|l| l.chars().all(is_blank))
            .collect();
        Comments {
            list,
            newlines,
            blank,
            gap,
            last_end: 0,
            held: None,
        }
    }

    /// The 1-based line of `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&n| n < offset) + 1
    }

    /// Whether the author left a blank line before the entry or comment
    /// at `offset`: the line before its line is blank, and nothing placed
    /// so far ends on its line (a second entry on a line follows the
    /// first, whatever stood before the line).
    pub(super) fn blank_before(&self, offset: usize) -> bool {
        let line = self.line_of(offset);
        line >= 2
            && self.line_of(self.last_end) < line
            && self.blank.get(line - 2).copied().unwrap_or(false)
    }

    /// Where the end-of-line comments stand, in order.
    pub(super) fn trailing(&self) -> Vec<usize> {
        self.list
            .iter()
            .filter(|c| c.trailing)
            .map(|c| c.offset)
            .collect()
    }

    /// Whether an end-of-line comment stands between `from` and `to`.
    pub(super) fn trailing_between(&self, from: usize, to: usize) -> bool {
        self.list
            .iter()
            .any(|c| c.trailing && from < c.offset && c.offset < to)
    }

    /// Holds the end-of-line comments after `start` for the entry that
    /// starts there (`None` lets them go).
    pub(super) fn hold(&mut self, start: Option<usize>) {
        self.held = start;
    }

    /// Whether `c` waits for the entry being printed.
    fn is_held(&self, c: &Comment) -> bool {
        c.trailing && self.held.is_some_and(|start| c.offset > start)
    }

    /// The comments not yet placed that stand before `upto` (own-line
    /// ones, and end-of-line ones no entry took), one a line after `pad`,
    /// each after a blank line where the author left one (a line feed
    /// alone starts the text then).
    pub(super) fn before(&mut self, upto: usize, pad: &str) -> String {
        let mut out = String::new();
        let pending: Vec<usize> = (0..self.list.len())
            .filter(|&i| {
                self.list
                    .get(i)
                    .is_some_and(|c| !c.placed && c.offset < upto && !self.is_held(c))
            })
            .collect();
        for i in pending {
            let blank = self
                .list
                .get(i)
                .is_some_and(|c| !c.trailing && self.blank_before(c.offset));
            let Some(c) = self.list.get_mut(i) else {
                continue;
            };
            c.placed = true;
            self.last_end = self.last_end.max(c.offset);
            if blank {
                out.push('\n');
            }
            out.push_str(pad);
            out.push_str(&c.text);
            out.push('\n');
        }
        out
    }

    /// The lines of an entry: its comments before it, a blank line where
    /// `entry.blank` says, then its text after `pad`, each end-of-line
    /// comment of its source lines at the end of the line holding the code
    /// it followed. A comment whose line has one already goes on a line of
    /// its own before the next entry (the printer breaks lines at comments,
    /// so this is rare: code of several lines the layout joins, such as a
    /// fact's name and label on two lines).
    pub(super) fn entry(&mut self, entry: &Entry<'_>, pad: &str) -> String {
        let mut out = self.before(entry.start, pad);
        if entry
            .blank
            .unwrap_or_else(|| self.blank_before(entry.start))
        {
            out.push('\n');
        }
        self.last_end = self.last_end.max(entry.end);
        let mut lines: Vec<String> = entry.text.split('\n').map(str::to_string).collect();
        let last_line = self.line_of(entry.end);
        let mut commented = vec![false; lines.len()];
        let mut last_end = self.last_end;
        let gap = self.gap;
        for c in self
            .list
            .iter_mut()
            .filter(|c| !c.placed && c.trailing && c.offset > entry.start && c.line <= last_line)
        {
            let at = entry
                .marks
                .iter()
                .filter(|(end, _)| *end <= c.offset)
                .max_by_key(|(end, _)| *end)
                .map_or(0, |(_, line)| *line);
            let at = at.min(lines.len().saturating_sub(1));
            // A comment whose line has one already is left for the next
            // entry, before which it goes on a line of its own, as it stands
            // when the output is formatted again.
            if let (Some(line), Some(has)) = (lines.get_mut(at), commented.get_mut(at)) {
                if !*has {
                    c.placed = true;
                    last_end = last_end.max(c.offset);
                    line.push_str(gap);
                    line.push_str(&c.text);
                    *has = true;
                }
            }
        }
        self.last_end = last_end;
        for l in &lines {
            if !l.is_empty() {
                out.push_str(pad);
                out.push_str(l);
            }
            out.push('\n');
        }
        out
    }
}
