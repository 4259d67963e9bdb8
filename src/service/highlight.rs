//! Semantic highlighting: what each word of the text is, by the one scanner
//! and the checked policy's names.

use super::{Document, Range};
use crate::ast::Symbol as Sym;
use crate::span::Span;
use crate::syntax::keywords::KEYWORDS;
use crate::syntax::scan::{TokenKind, scan};

/// What a highlighted word is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A comment.
    Comment,
    /// A text in quotes.
    Text,
    /// A keyword of either surface.
    Keyword,
    /// A number, with its magnitude or unit (`5000万`, `20%`).
    Number,
    /// A fact's name.
    Fact,
    /// A param's name.
    Param,
    /// An item's name.
    Item,
    /// An enumeration's name.
    Enum,
    /// An enumeration value.
    EnumValue,
}

/// One highlighted word: never more than one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Highlight {
    /// Where.
    pub range: Range,
    /// What it is.
    pub class: Class,
}

impl Document {
    /// The highlighted words of the current text, in order. Names are
    /// classed by the last checked policy; a name it does not declare is
    /// left plain. A text past the size limit has none (see
    /// [`super::too_large`]).
    pub fn highlights(&self) -> Vec<Highlight> {
        let text = self.text();
        if super::too_large(text) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for t in scan(text) {
            let class = match t.kind {
                TokenKind::Comment { .. } => Class::Comment,
                TokenKind::Text => Class::Text,
                TokenKind::Code => {
                    self.code_words(t.span, &mut out);
                    continue;
                }
                TokenKind::Open | TokenKind::Close => continue,
            };
            out.push(Highlight {
                range: self.index.range(t.span),
                class,
            });
        }
        out
    }

    /// The words of one run of code.
    fn code_words(&self, span: Span, out: &mut Vec<Highlight>) {
        let code = self.text().get(span.start..span.end).unwrap_or("");
        let mut at = 0;
        while let Some(c) = code.get(at..).and_then(|s| s.chars().next()) {
            let rest = code.get(at..).unwrap_or("");
            let (len, class) = self.word(rest, c);
            let len = len.max(c.len_utf8());
            if let Some(class) = class {
                let start = span.start + at;
                out.push(Highlight {
                    range: self.index.range(Span::new(start, start + len)),
                    class,
                });
            }
            at += len;
        }
    }

    /// The length and class of the word `rest` starts with (`c` its first
    /// character); no class for punctuation and unknown names.
    fn word(&self, rest: &str, c: char) -> (usize, Option<Class>) {
        let chinese = KEYWORDS
            .iter()
            .filter(|k| rest.starts_with(k.chinese))
            .map(|k| k.chinese.len())
            .max();
        if let Some(len) = chinese {
            return (len, Some(Class::Keyword));
        }
        let run = |pred: &dyn Fn(char) -> bool| {
            rest.char_indices()
                .find(|&(_, c)| !pred(c))
                .map_or(rest.len(), |(i, _)| i)
        };
        if c.is_ascii_digit() {
            let len = run(&|c| unicode_ident::is_xid_continue(c) || c == '.' || c == '%');
            return (len, Some(Class::Number));
        }
        if c != '_' && !unicode_ident::is_xid_start(c) {
            return (c.len_utf8(), None);
        }
        let len = run(&|c| unicode_ident::is_xid_continue(c));
        let word = rest.get(..len).unwrap_or("");
        if KEYWORDS.iter().any(|k| k.english == word) {
            return (len, Some(Class::Keyword));
        }
        let symbol = self.policy.as_ref().and_then(|p| p.policy.lookup(word));
        let class = symbol.map(|s| match s {
            Sym::Fact(_) => Class::Fact,
            Sym::Param(_) => Class::Param,
            Sym::Item(_) => Class::Item,
            Sym::Enum(_) | Sym::Record(_) => Class::Enum,
            Sym::Variant(..) => Class::EnumValue,
            Sym::Field(..) => Class::Fact,
        });
        (len, class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Included;

    fn none(_: &str) -> Included {
        Err("none".to_string())
    }

    #[test]
    fn a_text_past_the_size_limit_has_no_words() {
        let limit = crate::Limits::default().max_source_bytes;
        let mut text = "fact investment: money\n".to_string();
        text.push_str(&"a".repeat(limit + 1 - text.len()));
        let doc = Document::new("p.decree", &text, &none);
        assert_eq!(doc.problems().len(), 1);
        assert_eq!(doc.problems()[0].code, crate::diagnostic::Code::Limit);
        assert_eq!(doc.highlights(), []);
        assert_eq!(doc.hover(crate::service::Position::new(0, 0), None), None);
        // One byte less, and the words are back.
        text.pop();
        let doc = Document::new("p.decree", &text, &none);
        assert!(!doc.highlights().is_empty());
        assert!(
            doc.hover(crate::service::Position::new(0, 0), None)
                .is_some()
        );
    }

    #[test]
    fn words_are_classed_in_both_surfaces() {
        let text = "fact investment: money \"投资额\" # 注\nmeasure 8 \"技改\" {\n  资助 tech = 取小(20% * investment, 5000万)\n}\n";
        let doc = Document::new("p.decree", text, &none);
        let classes: Vec<(u32, u32, Class)> = doc
            .highlights()
            .iter()
            .map(|h| (h.range.start.line, h.range.start.character, h.class))
            .collect();
        use Class::*;
        assert_eq!(
            classes,
            [
                (0, 0, Keyword),
                (0, 5, Fact),
                (0, 17, Keyword),
                (0, 23, Text),
                (0, 29, Comment),
                (1, 0, Keyword),
                (1, 8, Number),
                (1, 10, Text),
                (2, 2, Keyword),
                (2, 5, Item),
                (2, 12, Keyword),
                (2, 15, Number),
                (2, 21, Fact),
                (2, 33, Number),
            ]
        );
    }
}
