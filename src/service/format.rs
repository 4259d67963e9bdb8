//! Formatting as an editor applies it: the changes that turn the current
//! text into what `decree fmt` writes ([`Document::formatted`], the one
//! formatter), as a few line-wise edits rather than one replacement of the
//! whole text, so the cursor, folds and marks of unchanged lines stay put.
//! Formatting a range applies only the changes that touch its lines (a
//! run of adjacent changed lines is one change).

use similar::{DiffOp, TextDiff};

use super::{Document, Range};
use crate::span::Span;

/// Replace `range` of the current text by `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// What is replaced.
    pub range: Range,
    /// By what.
    pub text: String,
}

impl Document {
    /// The edits that format the current text, or (given `within`) those
    /// of them that touch its lines; empty when the text is canonical,
    /// `None` when it does not parse (as `decree fmt` refuses it).
    /// Applying all of them gives exactly [`Document::formatted`].
    pub fn format_edits(&self, within: Option<Range>) -> Option<Vec<Edit>> {
        let new = self.formatted()?;
        let old = self.text();
        let diff = TextDiff::from_lines(old, &new);
        let old_lines = line_starts(old);
        let new_lines = line_starts(&new);
        let byte = |starts: &[usize], text: &str, line: usize| {
            starts.get(line).copied().unwrap_or(text.len())
        };
        let mut edits = Vec::new();
        for op in diff.ops() {
            if let DiffOp::Equal { .. } = op {
                continue;
            }
            let (o, n) = (op.old_range(), op.new_range());
            let touched = within.is_none_or(|r| {
                let (first, last) = (r.start.line as usize, r.end.line as usize);
                // An insertion before line `o.start` touches that line.
                o.start <= last && first < o.end.max(o.start + 1)
            });
            if !touched {
                continue;
            }
            let span = Span::new(byte(&old_lines, old, o.start), byte(&old_lines, old, o.end));
            let text = new
                .get(byte(&new_lines, &new, n.start)..byte(&new_lines, &new, n.end))
                .unwrap_or("")
                .to_string();
            edits.push(Edit {
                range: self.index.range(span),
                text,
            });
        }
        Some(edits)
    }
}

/// The byte offset at which each line of `text` starts.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::{Included, Position};

    fn none(_: &str) -> Included {
        Err("none".to_string())
    }

    /// The text with `edits` applied (they do not overlap), last first.
    fn applied(doc: &Document, edits: &[Edit]) -> String {
        let mut text = doc.text().to_string();
        let mut spans: Vec<(Span, &str)> = edits
            .iter()
            .map(|e| (doc.index().span(e.range), e.text.as_str()))
            .collect();
        spans.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
        for (s, t) in spans {
            text.replace_range(s.start..s.end, t);
        }
        text
    }

    const MESSY: &str = "fact   investment: money \"投资额\"\nparam cap: money = 5000万   \"上限\"\nmeasure 8 \"技改\" {\n        subsidy tech \"技改资助\" = min(20%*investment,cap)\n}";

    #[test]
    fn all_the_edits_give_what_decree_fmt_gives() {
        let doc = Document::new("m.decree", MESSY, &none);
        let edits = doc.format_edits(None).expect("it parses");
        assert!(edits.len() > 1, "line-wise edits: {edits:?}");
        assert_eq!(applied(&doc, &edits), doc.formatted().expect("it parses"));
        let canonical = Document::new("c.decree", &applied(&doc, &edits), &none);
        assert_eq!(canonical.format_edits(None), Some(Vec::new()));
        let broken = Document::new("b.decree", "measure {", &none);
        assert_eq!(broken.format_edits(None), None);
    }

    #[test]
    fn a_range_formats_only_the_lines_it_touches() {
        let doc = Document::new("m.decree", MESSY, &none);
        let line = |l| Range {
            start: Position::new(l, 0),
            end: Position::new(l, 3),
        };
        let first = applied(&doc, &doc.format_edits(Some(line(0))).expect("parses"));
        assert!(
            first.starts_with("fact investment: money \"投资额\"\n"),
            "{first}"
        );
        assert!(
            first.contains("min(20%*investment,cap)"),
            "line 4 untouched: {first}"
        );
        let rule = applied(&doc, &doc.format_edits(Some(line(3))).expect("parses"));
        assert!(rule.starts_with("fact   investment"), "{rule}");
        assert!(
            rule.contains("  subsidy tech \"技改资助\" = min(20% * investment, cap)\n"),
            "{rule}"
        );
    }
}
