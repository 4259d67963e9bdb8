//! Reading a file again after an editor's change: only the declarations
//! the change touched go through pest again, and the rest of the previous
//! [`Program`] is kept, its spans moved by the bytes the change added or
//! removed (`super::shift`). The language server does this on every
//! keystroke; the result is the one a whole [`super::parse`] gives, spans
//! included (`tests/reparse.rs` holds it to that).
//!
//! A change is placed by the units' ends: a unit owns the text from the
//! end of the one before it to its own end, blanks and comments included.
//! The units are the file's declarations; inside one chapter, its
//! measures; inside one measure, its cites and items. The narrowest run
//! that holds the whole change is read, from the unit before the change's
//! owner, since text added after a unit may extend it (a label after a
//! fact, a clause after an item):
//!
//! * among declarations, up to the end of the unit after the change, and
//!   on past the blanks and comments that follow to the next token (a
//!   declaration that ends in an optional part takes them into its span);
//!   no line feed before that token, and the whole text is read, since a
//!   comment the change opened could run on past the slice;
//! * inside a chapter or a measure, up to its closing brace, which is read
//!   too (`measure_run`, `entry_run`), so that a change commenting the
//!   brace out fails as the whole parse does.
//!
//! A slice that does not read cleanly sends the text to a whole parse, so
//! an error is always the whole parse's.

use pest::Parser as _;

use super::lower::Lowerer;
use super::parser::{DecreeParser, Rule};
use super::shift::Shift;
use crate::Limits;
use crate::ast::{Chapter, Decl, Measure, MeasureEntry, Program};
use crate::diagnostic::Diagnostics;
use crate::span::SourceFile;

/// Makes `program`, the parse of `old_text`, the parse of `new` (that
/// text after an edit), reading again only what the edit touched: what
/// [`super::parse`] makes of `new`. When `new` does not parse, the errors
/// are the whole parse's and `program` is left as it was, still the parse
/// of `old_text`, for the edit that mends it. `limits` are those `program`
/// was parsed within: the brackets are counted again only where the text
/// is read again.
pub fn reparse(
    program: &mut Program,
    old_text: &str,
    new: &SourceFile,
    limits: &Limits,
) -> Result<(), Diagnostics> {
    let Some(edit) = Edit::between(old_text, &new.text) else {
        return Ok(());
    };
    super::check_size(new, limits)?;
    let read = Reader { edit, new, limits };
    if read.program(program) != Step::Read {
        *program = super::parse(new, limits)?;
    }
    Ok(())
}

/// How reading a run again went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The run read the edit: the program is the new text's.
    Read,
    /// The edit does not lie within this run alone: the run around it may
    /// read it.
    Wider,
    /// The slice did not read: the text is broken, or the edit changed
    /// where runs begin or end. A whole parse decides (an error is then
    /// the whole parse's), without trying the wider runs first: a text
    /// being typed is often broken, and a wider slice would only fail
    /// more slowly.
    Whole,
}

/// The bytes an edit changed: `start..old_end` of the old text became
/// `start..new_end` of the new, all before and after the same.
#[derive(Debug, Clone, Copy)]
struct Edit {
    start: usize,
    old_end: usize,
    new_end: usize,
}

impl Edit {
    /// The edit from `old` to `new`, by their common beginning and end;
    /// `None` if they are the same.
    fn between(old: &str, new: &str) -> Option<Edit> {
        if old == new {
            return None;
        }
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let mut start = common_len(a.chunks(64), b.chunks(64), a.iter(), b.iter());
        while !old.is_char_boundary(start) {
            start -= 1;
        }
        // The common end, within what is left after the common beginning.
        let room = a.len().min(b.len()) - start;
        let (a_end, b_end) = (tail(a, room), tail(b, room));
        let mut same_end = common_len(
            a_end.rchunks(64),
            b_end.rchunks(64),
            a_end.iter().rev(),
            b_end.iter().rev(),
        );
        while !old.is_char_boundary(a.len() - same_end) {
            same_end -= 1;
        }
        Some(Edit {
            start,
            old_end: a.len() - same_end,
            new_end: b.len() - same_end,
        })
    }

    /// What the edit adds to every offset after it.
    fn delta(&self) -> isize {
        self.new_end as isize - self.old_end as isize
    }

    /// Where an offset of the old text after the edit is in the new.
    fn moved(&self, at: usize) -> usize {
        at.saturating_add_signed(self.delta())
    }
}

/// How many bytes two texts have in common, read in the same direction:
/// by whole blocks (a memcmp each) as far as they agree, then byte by
/// byte, from the same place, in the first block that differs.
fn common_len<'a>(
    mut blocks_a: impl Iterator<Item = &'a [u8]>,
    mut blocks_b: impl Iterator<Item = &'a [u8]>,
    bytes_a: impl Iterator<Item = &'a u8>,
    bytes_b: impl Iterator<Item = &'a u8>,
) -> usize {
    let mut same = 0;
    while let (Some(x), Some(y)) = (blocks_a.next(), blocks_b.next()) {
        if x != y {
            break;
        }
        same += x.len();
    }
    same + bytes_a
        .zip(bytes_b)
        .skip(same)
        .take_while(|(x, y)| x == y)
        .count()
}

/// The last `n` bytes of `bytes`.
fn tail(bytes: &[u8], n: usize) -> &[u8] {
    bytes
        .get(bytes.len().saturating_sub(n)..)
        .unwrap_or_default()
}

/// The units to read again, by their ends: `lo..hi` of `ends`, owners of
/// the edit and one more on each side.
fn widened(ends: &[usize], edit: &Edit) -> (usize, usize) {
    let first = ends.partition_point(|&e| e < edit.start);
    let last = ends.partition_point(|&e| e < edit.old_end);
    (first.saturating_sub(1), (last + 2).min(ends.len()))
}

/// One run of units (declarations, a chapter's measures, a measure's
/// cites and items) and where it lies.
struct Run<'u, T> {
    units: &'u mut Vec<T>,
    /// Where each unit ends, in the old text.
    ends: Vec<usize>,
    /// Where the text before the first unit may start being read: the
    /// file's start, or the first unit's own start when that is known.
    before: Option<usize>,
    /// For a chapter's measures or a measure's entries, where the chapter
    /// or measure ends in the old text: the slice runs to there, its
    /// closing brace included, so that a change that comments the brace
    /// out or extends the last unit is read as the whole parse reads it.
    /// `None` for the file's declarations.
    closed_at: Option<usize>,
    /// How many brackets are open where the run is.
    depth: usize,
}

/// An edit of a parsed text, and the text after it.
struct Reader<'a> {
    edit: Edit,
    new: &'a SourceFile,
    limits: &'a Limits,
}

impl Reader<'_> {
    /// Reads again what the edit touched, the narrowest run first: a
    /// measure's entries, a chapter's measures, the declarations.
    fn program(&self, program: &mut Program) -> Step {
        let ends: Vec<usize> = program.decls.iter().map(|d| d.span().end).collect();
        let owner = ends.partition_point(|&e| e < self.edit.start);
        let inner = match program.decls.get_mut(owner) {
            Some(Decl::Chapter(c)) => self.chapter(c),
            Some(Decl::Measure(m)) => self.measure(m, 1),
            _ => Step::Wider,
        };
        if inner != Step::Wider {
            if inner == Step::Read {
                for d in program.decls.iter_mut().skip(owner + 1) {
                    d.shift(self.edit.delta());
                }
            }
            return inner;
        }
        self.run(
            Run {
                units: &mut program.decls,
                ends,
                before: Some(0),
                closed_at: None,
                depth: 0,
            },
            Rule::file,
            |l, pairs| l.program(pairs).map(|p| p.decls),
        )
    }

    /// The measures of a chapter, if the edit lies among them alone.
    fn chapter(&self, chapter: &mut Chapter) -> Step {
        let Some(head) = chapter.measures.first() else {
            return Step::Wider;
        };
        let first = head.span.0.start;
        // After the first measure's keyword and before the chapter's
        // closing brace (the edit ends at a character's start, so before
        // the brace's, `}` or `｝`): its number, title, opening brace, cites
        // and closing brace stay as they were.
        if !(self.edit.start > first && self.edit.old_end < chapter.span.0.end) {
            return Step::Wider;
        }
        let ends: Vec<usize> = chapter.measures.iter().map(|m| m.span.0.end).collect();
        let owner = ends.partition_point(|&e| e < self.edit.start);
        let inner = match chapter.measures.get_mut(owner) {
            Some(m) => self.measure(m, 2),
            None => Step::Wider,
        };
        let step = match inner {
            Step::Read => {
                for m in chapter.measures.iter_mut().skip(owner + 1) {
                    m.shift(self.edit.delta());
                }
                Step::Read
            }
            Step::Whole => Step::Whole,
            Step::Wider => self.run(
                Run {
                    units: &mut chapter.measures,
                    ends,
                    before: Some(first),
                    closed_at: Some(chapter.span.0.end),
                    depth: 1,
                },
                Rule::measure_run,
                |l, pairs| l.measures(pairs),
            ),
        };
        if step == Step::Read {
            chapter.span.0.end = self.edit.moved(chapter.span.0.end);
        }
        step
    }

    /// The cites and items of a measure (inside `depth` brackets), if the
    /// edit lies among them alone.
    fn measure(&self, measure: &mut Measure, depth: usize) -> Step {
        let ends: Vec<usize> = measure.entries.iter().map(|e| entry_span(e).end).collect();
        let Some(head) = measure.entries.first() else {
            return Step::Wider;
        };
        // After the first entry's keyword (a cite's text starts after
        // it) and before the measure's closing brace.
        if !(self.edit.start > entry_span(head).start && self.edit.old_end < measure.span.0.end) {
            return Step::Wider;
        }
        // An item's span starts at its keyword, a cite's at its text: text
        // before the first entry is read again only when it is an item.
        let before = match head {
            MeasureEntry::Item(i) => Some(i.span.0.start),
            MeasureEntry::Cite(_) => None,
        };
        let step = self.run(
            Run {
                units: &mut measure.entries,
                ends,
                before,
                closed_at: Some(measure.span.0.end),
                depth: depth + 1,
            },
            Rule::entry_run,
            |l, pairs| l.entries(pairs),
        );
        if step == Step::Read {
            measure.span.0.end = self.edit.moved(measure.span.0.end);
        }
        step
    }

    /// Where the slice of declarations that ends with an unchanged one at
    /// `end` (of the new text) must stop: at the next token, past the
    /// blanks and comments after it, as a declaration ending in an
    /// optional part (a label, a clause) takes them into its span. `None`
    /// when no line feed lies between: a comment the edit opened before
    /// `end` could run past the slice.
    fn next_token(&self, end: usize) -> Option<usize> {
        let rest = self.new.text.get(end..)?;
        let next = super::scan::scan(rest)
            .find(|t| !matches!(t.kind, super::scan::TokenKind::Comment { .. }))
            .map_or(rest.len(), |t| t.span.start);
        let gap = rest.get(..next)?;
        (next == rest.len() || gap.contains('\n')).then_some(end + next)
    }

    /// Reads again the units of `run` the edit touched, and moves those
    /// after them; nothing is changed unless it is [`Step::Read`].
    fn run<T: Shift>(
        &self,
        run: Run<'_, T>,
        rule: Rule,
        lower: impl Fn(&Lowerer<'_>, pest::iterators::Pairs<'_, Rule>) -> Result<Vec<T>, Diagnostics>,
    ) -> Step {
        match self.slice(run, rule, lower) {
            Some(step) => step,
            None => Step::Whole,
        }
    }

    fn slice<T: Shift>(
        &self,
        run: Run<'_, T>,
        rule: Rule,
        lower: impl Fn(&Lowerer<'_>, pest::iterators::Pairs<'_, Rule>) -> Result<Vec<T>, Diagnostics>,
    ) -> Option<Step> {
        let Run {
            units,
            ends,
            before,
            closed_at,
            depth,
        } = run;
        let (lo, hi) = widened(&ends, &self.edit);
        let from = match (lo, before) {
            (0, Some(start)) => start,
            // A cite first, its keyword before its span: the run around
            // this one reads it.
            (0, None) => return Some(Step::Wider),
            _ => *ends.get(lo - 1)?,
        };
        let (hi, to) = match closed_at {
            Some(end) => (ends.len(), self.edit.moved(end)),
            None if hi == ends.len() => (hi, self.new.text.len()),
            None => match self.next_token(self.edit.moved(*ends.get(hi.checked_sub(1)?)?)) {
                Some(to) => (hi, to),
                None => return Some(Step::Whole),
            },
        };
        let text = self.new.text.get(from..to)?;
        if super::too_deep(text, depth, self.limits).is_some() {
            return None;
        }
        let pairs = DecreeParser::parse(rule, text).ok()?;
        let read = lower(&Lowerer::at(self.new, self.limits, from), pairs).ok()?;
        for u in units.iter_mut().skip(hi) {
            u.shift(self.edit.delta());
        }
        units.splice(lo..hi, read);
        Some(Step::Read)
    }
}

/// Where a measure's cite or item is: a cite's text, an item whole.
fn entry_span(e: &MeasureEntry) -> crate::span::Span {
    match e {
        MeasureEntry::Cite(t) => t.span,
        MeasureEntry::Item(i) => i.span.0,
    }
}
