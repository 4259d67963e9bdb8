//! Byte offsets ↔ editor positions.
//!
//! decree's spans are byte offsets into UTF-8 text; editors speaking the
//! Language Server Protocol count a line and a column in UTF-16 code units
//! (so `深` is one unit and `𠀀`, outside the BMP, two). [`LineIndex`] maps
//! between the two for one text. Lines end at `\n`, `\r\n` or a lone `\r`,
//! as the protocol says. Nothing here panics: a position past a line's end
//! or past the last line is clamped, and one inside a character (between
//! the two units of a surrogate pair) moves to the character's start.

use crate::span::Span;

/// A place in a text as an editor counts it: a 0-based line and a 0-based
/// column in UTF-16 code units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 0-based line.
    pub line: u32,
    /// 0-based column, in UTF-16 code units.
    pub character: u32,
}

impl Position {
    /// A position from a line and a column.
    pub fn new(line: u32, character: u32) -> Self {
        Position { line, character }
    }
}

/// A half-open range of positions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Range {
    /// Where it starts.
    pub start: Position,
    /// Where it ends (exclusive).
    pub end: Position,
}

/// The line starts of one text, to map offsets and positions both ways.
#[derive(Debug, Clone)]
pub struct LineIndex {
    text: std::sync::Arc<str>,
    /// Byte offset of the first character of each line; `starts[0] == 0`.
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: impl Into<std::sync::Arc<str>>) -> Self {
        let text = text.into();
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        // Line breaks are rare among a policy's bytes: found with memchr,
        // the index is rebuilt on every keystroke.
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let ends_line = bytes.get(i) == Some(&b'\n') || bytes.get(i + 1) != Some(&b'\n');
            if ends_line {
                starts.push(i + 1);
            }
        }
        LineIndex { text, starts }
    }

    /// The text indexed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The position of a byte offset. An offset past the end is the end; an
    /// offset inside a character is that character's start.
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.floor_boundary(offset);
        // The last line starting at or before the offset.
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let before = self.text.get(start..offset).unwrap_or("");
        let character = before.encode_utf16().count();
        Position::new(to_u32(line), to_u32(character))
    }

    /// The byte offset of a position, clamped: a line past the last is the
    /// end of the text, a column past the line's end is the line's end
    /// (before its line break), a column between the halves of a surrogate
    /// pair is the character's start.
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return self.text.len();
        };
        let line_text = self.line_content(line);
        let mut units = 0usize;
        for (i, c) in line_text.char_indices() {
            units += c.len_utf16();
            if units > position.character as usize {
                return start + i;
            }
        }
        start + line_text.len()
    }

    /// The range of a span.
    pub fn range(&self, span: Span) -> Range {
        Range {
            start: self.position(span.start),
            end: self.position(span.end.max(span.start)),
        }
    }

    /// The span of a range (both ends clamped, the end never before the
    /// start).
    pub fn span(&self, range: Range) -> Span {
        let start = self.offset(range.start);
        Span::new(start, self.offset(range.end).max(start))
    }

    /// The number of lines (a text ending with a line break has an empty
    /// last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Line `line` without its line break.
    fn line_content(&self, line: usize) -> &str {
        let start = self.starts.get(line).copied().unwrap_or(self.text.len());
        let end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let raw = self.text.get(start..end).unwrap_or("");
        raw.strip_suffix("\r\n")
            .or_else(|| raw.strip_suffix('\n'))
            .or_else(|| raw.strip_suffix('\r'))
            .unwrap_or(raw)
    }

    /// The largest character boundary at or before `offset`, within the text.
    fn floor_boundary(&self, offset: usize) -> usize {
        let mut at = offset.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }
}

/// A count as the protocol's `u32`, saturating (a text of 4 GiB is far past
/// the parser's size limit anyway).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chinese_and_non_bmp_columns_count_utf16_units() {
        let ix = LineIndex::new("深圳 x\n𠀀a\r\nb\rc");
        assert_eq!(ix.position(0), Position::new(0, 0));
        assert_eq!(ix.position(3), Position::new(0, 1)); // after 深
        assert_eq!(ix.position(7), Position::new(0, 3)); // x
        assert_eq!(ix.position(9), Position::new(1, 0));
        assert_eq!(ix.position(13), Position::new(1, 2)); // a, after a pair
        assert_eq!(ix.offset(Position::new(1, 2)), 13);
        assert_eq!(ix.offset(Position::new(2, 0)), 16);
        assert_eq!(ix.offset(Position::new(3, 0)), 18); // after a lone \r
        assert_eq!(ix.line_count(), 4);
    }

    #[test]
    fn out_of_range_and_inside_a_character_are_clamped() {
        let ix = LineIndex::new("𠀀a\nb");
        assert_eq!(ix.offset(Position::new(0, 1)), 0); // inside the pair
        assert_eq!(ix.offset(Position::new(0, 99)), 5); // before the \n
        assert_eq!(ix.offset(Position::new(99, 0)), 7);
        assert_eq!(ix.position(2), Position::new(0, 0)); // inside 𠀀
        assert_eq!(ix.position(999), Position::new(1, 1));
        let empty = LineIndex::new("");
        assert_eq!(empty.offset(Position::new(5, 5)), 0);
        assert_eq!(empty.position(5), Position::new(0, 0));
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("a".to_string()),
            Just("深".to_string()),
            Just("𠀀".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("\r".to_string()),
            Just(" ".to_string()),
            any::<char>().prop_map(String::from),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn every_boundary_round_trips(text in text_strategy()) {
            let ix = LineIndex::new(text.as_str());
            for (i, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
                let p = ix.position(i);
                let back = ix.offset(p);
                // A `\n` of a `\r\n` is no place of its own: it maps to the
                // `\r` before it, the line's end.
                let crlf_tail = i > 0 && text.as_bytes().get(i - 1) == Some(&b'\r')
                    && text.as_bytes().get(i) == Some(&b'\n');
                if crlf_tail {
                    prop_assert_eq!(back, i - 1);
                } else {
                    prop_assert_eq!(back, i);
                }
            }
        }

        #[test]
        fn any_position_maps_to_a_boundary(text in text_strategy(), line in 0u32..50, ch in 0u32..80) {
            let ix = LineIndex::new(text.as_str());
            let off = ix.offset(Position::new(line, ch));
            prop_assert!(text.is_char_boundary(off));
            let p = ix.position(off);
            prop_assert_eq!(ix.offset(p), off);
        }
    }
}
