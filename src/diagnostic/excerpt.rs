//! Source lines cut to a readable width for rendering: a diagnostic on a
//! 20 KB line (ten thousand brackets, a generated sum) shows the part of
//! the line around its labels, not the whole line.
//!
//! Only characters within over-long lines are left out (each cut marked
//! `…`); no line break is added or removed, so line numbers stay true and
//! every label is moved to where its text now stands.

use crate::span::Span;

/// Lines longer than this many characters are cut.
pub(super) const MAX_LINE: usize = 160;

/// How many characters of a cut line are kept before its first label.
const BEFORE: usize = 40;

/// A run of the original text kept in the excerpt: `orig` in the original
/// starts at byte `at` of the excerpt.
struct Kept {
    orig: Span,
    at: usize,
}

/// The text with over-long lines cut, and a map from original offsets.
pub(super) struct Excerpt {
    /// The text to render.
    pub text: String,
    kept: Vec<Kept>,
}

impl Excerpt {
    /// `text` with every line over [`MAX_LINE`] characters cut to a window
    /// around the first of `spans` that starts on it (or to its start).
    /// `None` when no line is that long: the text is rendered as it is.
    pub(super) fn of(text: &str, spans: &[Span]) -> Option<Excerpt> {
        if !text.split('\n').any(|l| l.chars().count() > MAX_LINE) {
            return None;
        }
        let mut out = Excerpt {
            text: String::with_capacity(text.len().min(64 * 1024)),
            kept: Vec::new(),
        };
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let end = start + line.len();
            out.line(text, Span::new(start, end), spans);
            start = end;
        }
        Some(out)
    }

    /// Copies one line (with its line break), cut if it is too long.
    fn line(&mut self, text: &str, line: Span, spans: &[Span]) {
        let body = &text[line.start..line.end];
        if body.trim_end_matches(['\n', '\r']).chars().count() <= MAX_LINE {
            return self.keep(text, line);
        }
        let focus = spans
            .iter()
            .map(|s| s.start)
            .filter(|s| (line.start..line.end).contains(s))
            .min()
            .unwrap_or(line.start);
        // A label near the start of the line keeps the start (and so its
        // true column); one further in gets a window from a little before it.
        let near_start = text[line.start..focus].chars().count() < MAX_LINE - BEFORE;
        let from = if near_start {
            line.start
        } else {
            back_chars(text, focus, BEFORE).max(line.start)
        };
        let to = forward_chars(text, from, MAX_LINE).min(line.end);
        if from > line.start {
            self.text.push('…');
        }
        self.keep(text, Span::new(from, to));
        if to < line.end {
            self.text.push('…');
            let newline = body.len() - body.trim_end_matches(['\n', '\r']).len();
            self.keep(text, Span::new(line.end - newline, line.end));
        }
    }

    fn keep(&mut self, text: &str, orig: Span) {
        self.kept.push(Kept {
            orig,
            at: self.text.len(),
        });
        self.text.push_str(&text[orig.start..orig.end]);
    }

    /// Where an original offset stands in the excerpt: inside a kept run,
    /// or at the nearest edge of one when it was cut away.
    pub(super) fn offset(&self, orig: usize) -> usize {
        let i = self.kept.partition_point(|k| k.orig.end <= orig);
        match self.kept.get(i) {
            Some(k) if orig >= k.orig.start => k.at + (orig - k.orig.start),
            Some(k) => k.at,
            None => self.text.len(),
        }
    }

    /// The column (from 1, in characters) of an original offset whose line
    /// was cut before it, so a label can say where it really is: the
    /// renderer counts columns in the cut line.
    pub(super) fn column_if_cut(&self, text: &str, orig: usize) -> Option<usize> {
        let i = self.kept.partition_point(|k| k.orig.end <= orig);
        let k = self.kept.get(i)?;
        let line_start = text[..k.orig.start].rfind('\n').map_or(0, |n| n + 1);
        if k.orig.start == line_start {
            return None;
        }
        let at = orig.clamp(k.orig.start, k.orig.end);
        Some(text[line_start..at].chars().count() + 1)
    }

    /// A span of the original moved into the excerpt.
    pub(super) fn span(&self, s: Span) -> Span {
        let start = self.offset(s.start);
        Span::new(start, self.offset(s.end).max(start))
    }
}

/// The byte offset `n` characters before `at` (or 0).
fn back_chars(text: &str, at: usize, n: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// The byte offset `n` characters after `at` (or the end).
fn forward_chars(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_not_copied() {
        assert!(Excerpt::of("a\nb\n", &[Span::new(0, 1)]).is_none());
    }

    #[test]
    fn a_long_line_is_cut_around_its_label_and_keeps_its_line() {
        let long = format!("{}x{}", "(".repeat(5000), ")".repeat(5000));
        let text = format!("first\n{long}\nlast\n");
        let at = 6 + 5000;
        let e = Excerpt::of(&text, &[Span::new(at, at + 1)]).unwrap();
        let lines: Vec<&str> = e.text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!((lines[0], lines[2]), ("first", "last"));
        assert!(lines[1].starts_with('…') && lines[1].ends_with('…'));
        assert!(lines[1].chars().count() <= MAX_LINE + 2);
        let s = e.span(Span::new(at, at + 1));
        assert_eq!(&e.text[s.start..s.end], "x");
        assert_eq!(e.column_if_cut(&text, at), Some(5001));
        assert_eq!(e.column_if_cut(&text, 2), None);
        // Offsets past the window land at its edge, inside the text.
        assert!(e.offset(text.len() - 6) <= e.text.len());
        assert_eq!(&e.text[e.offset(text.len() - 5)..], "last\n");
    }

    #[test]
    fn cuts_fall_between_characters() {
        let text = "金".repeat(1000);
        let e = Excerpt::of(&text, &[Span::new(300, 303)]).unwrap();
        assert!(e.text.chars().all(|c| c == '金' || c == '…'));
        let s = e.span(Span::new(300, 303));
        assert_eq!(&e.text[s.start..s.end], "金");
    }
}
