//! The one scan of decree text for what every tool must agree on: where
//! the texts in quotes, the comments and the brackets are.
//!
//! The parser's size pre-check (bracket depth), the formatter (comments and
//! the lines they stand on), the REPL (is the input finished?) and its
//! highlighter all read source through [`scan`], so they cannot disagree
//! about whether a `#` or a bracket is code. The rules are the grammar's
//! (`grammar/decree.pest`):
//!
//! - blanks are space, tab, carriage return, line feed, U+3000 and U+FEFF;
//! - a comment runs from `#` up to the line feed (not included). A carriage
//!   return alone does not end it: lines are counted by line feeds, here, in
//!   the formatter and in diagnostics;
//! - a text is `"…"`, where `\"`, `\\`, `\n` and `\t` are escapes, or
//!   `“…”`, without escapes; neither crosses a line end (`\n`, `\r`);
//! - brackets are `(` `{` `[` and their full-width forms `（` `｛` `【`, closed
//!   by `)` `}` `]` `）` `｝` `】`.
//!
//! On text the grammar rejects the scan still ends and never panics: an
//! unclosed text stops at its line's end, and a backslash always takes the
//! character after it, so the tokens after a syntax error are a best guess.

use crate::span::Span;

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A text in quotes, its quotes included.
    Text,
    /// A comment: from `#` up to the line feed, which is not part of it.
    Comment {
        /// Whether code (anything but blanks) stands before it on its line.
        after_code: bool,
        /// The 1-based line it stands on (lines end at line feeds).
        line: usize,
    },
    /// An opening bracket: `(`, `{`, `[`, `（`, `｛` or `【`.
    Open,
    /// A closing bracket: `)`, `}`, `]`, `）`, `｝` or `】`.
    Close,
    /// A run of other code, up to a blank, a bracket, a quote or a `#`.
    Code,
}

/// One token of the scan: what it is and where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Its bytes in the text.
    pub span: Span,
}

/// Scans `text`: every token in order; what lies between two tokens is
/// blanks.
pub fn scan(text: &str) -> Scanner<'_> {
    Scanner {
        text,
        at: 0,
        line: 1,
        line_has_code: false,
    }
}

/// The tokens of a text, in order (see [`scan`]).
#[derive(Debug, Clone)]
pub struct Scanner<'t> {
    text: &'t str,
    at: usize,
    line: usize,
    line_has_code: bool,
}

/// The grammar's `WHITESPACE`.
pub fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{3000}' | '\u{FEFF}')
}

fn is_open(c: char) -> bool {
    matches!(c, '(' | '{' | '[' | '（' | '｛' | '【')
}

fn is_close(c: char) -> bool {
    matches!(c, ')' | '}' | ']' | '）' | '｝' | '】')
}

/// Whether `c` ends a run of code: it starts another token or a blank.
fn ends_code(c: char) -> bool {
    is_blank(c) || is_open(c) || is_close(c) || matches!(c, '#' | '"' | '“')
}

/// The length of the text in quotes at the start of `rest`, which begins
/// with its opening quote: up to its closing quote, or up to the line end
/// when it is not closed.
fn quoted_len(rest: &str, close: char, escapes: bool) -> usize {
    let mut chars = rest.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\n' | '\r' => return i,
            '\\' if escapes => {
                chars.next_if(|(_, next)| !matches!(next, '\n' | '\r'));
            }
            c if c == close => return i + c.len_utf8(),
            _ => {}
        }
    }
    rest.len()
}

impl Scanner<'_> {
    /// Steps over blanks, counting lines.
    fn skip_blanks(&mut self) {
        let rest = self.text.get(self.at..).unwrap_or("");
        for c in rest.chars() {
            if !is_blank(c) {
                break;
            }
            if c == '\n' {
                self.line += 1;
                self.line_has_code = false;
            }
            self.at += c.len_utf8();
        }
    }
}

impl Iterator for Scanner<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        self.skip_blanks();
        let rest = self.text.get(self.at..)?;
        let first = rest.chars().next()?;
        let (kind, len) = match first {
            '#' => {
                let kind = TokenKind::Comment {
                    after_code: self.line_has_code,
                    line: self.line,
                };
                (kind, rest.find('\n').unwrap_or(rest.len()))
            }
            '"' => (TokenKind::Text, quoted_len(rest, '"', true)),
            '“' => (TokenKind::Text, quoted_len(rest, '”', false)),
            c if is_open(c) => (TokenKind::Open, c.len_utf8()),
            c if is_close(c) => (TokenKind::Close, c.len_utf8()),
            _ => (TokenKind::Code, rest.find(ends_code).unwrap_or(rest.len())),
        };
        if !matches!(kind, TokenKind::Comment { .. }) {
            self.line_has_code = true;
        }
        let start = self.at;
        self.at += len;
        Some(Token {
            kind,
            span: Span::new(start, self.at),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind::*;

    /// The tokens of `text` as (kind, text) pairs.
    fn tokens(text: &str) -> Vec<(TokenKind, &str)> {
        scan(text)
            .map(|t| (t.kind, &text[t.span.start..t.span.end]))
            .collect()
    }

    fn comments(text: &str) -> Vec<&str> {
        tokens(text)
            .into_iter()
            .filter(|(k, _)| matches!(k, Comment { .. }))
            .map(|(_, t)| t)
            .collect()
    }

    #[test]
    fn a_hash_in_a_text_is_text() {
        assert_eq!(
            tokens(r#"cite "第1# 条" # note"#),
            [
                (Code, "cite"),
                (Text, "\"第1# 条\""),
                (
                    Comment {
                        after_code: true,
                        line: 1
                    },
                    "# note"
                ),
            ]
        );
    }

    #[test]
    fn escapes_in_ascii_texts() {
        assert_eq!(comments(r##"x = "a\"# b" # c"##), ["# c"]);
        assert_eq!(comments(r#"x = "a\\" # c"#), ["# c"]);
        assert_eq!(comments(r##"x = "\\\"#\\" # c"##), ["# c"]);
    }

    #[test]
    fn chinese_quotes_have_no_escapes() {
        assert_eq!(comments("cite “他说\"# 不”  # c"), ["# c"]);
        // A backslash is text in “…”: the text closes at the first ”.
        assert_eq!(
            tokens("“a\\” # c"),
            [
                (Text, "“a\\”"),
                (
                    Comment {
                        after_code: true,
                        line: 1
                    },
                    "# c"
                )
            ]
        );
        assert_eq!(comments("x = “(# ” (#)"), ["#)"]);
    }

    #[test]
    fn a_carriage_return_alone_does_not_end_a_comment() {
        assert_eq!(
            comments("# a\rfact x: money\nfact y: money"),
            ["# a\rfact x: money"]
        );
        // With CRLF endings the comment runs up to the line feed.
        assert_eq!(comments("# a\r\nfact x: money # b\r\n"), ["# a\r", "# b\r"]);
    }

    #[test]
    fn texts_do_not_cross_line_ends() {
        assert_eq!(
            tokens("\"open\n(#"),
            [
                (Text, "\"open"),
                (Open, "("),
                (
                    Comment {
                        after_code: true,
                        line: 2
                    },
                    "#"
                )
            ]
        );
        assert_eq!(tokens("“open\r)")[1], (Close, ")"));
        // A backslash before the line end does not carry the text over.
        assert_eq!(tokens("\"a\\\n(")[1], (Open, "("));
    }

    #[test]
    fn full_width_brackets() {
        let kinds: Vec<TokenKind> = tokens("取小（a，｛b【c】｝）")
            .iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(
            kinds,
            [
                Code, Open, Code, Open, Code, Open, Code, Close, Close, Close
            ]
        );
    }

    #[test]
    fn comments_know_their_line_and_whether_code_precedes() {
        let text = "# head\nfact a: money  # after\n\u{3000}\u{FEFF}  # own\r\n\"t\"#x";
        let found: Vec<TokenKind> = scan(text)
            .filter(|t| matches!(t.kind, Comment { .. }))
            .map(|t| t.kind)
            .collect();
        assert_eq!(
            found,
            [
                Comment {
                    after_code: false,
                    line: 1
                },
                Comment {
                    after_code: true,
                    line: 2
                },
                Comment {
                    after_code: false,
                    line: 3
                },
                Comment {
                    after_code: true,
                    line: 4
                },
            ]
        );
    }

    #[test]
    fn code_runs_stop_at_other_tokens() {
        assert_eq!(
            tokens("a+b#c"),
            [
                (Code, "a+b"),
                (
                    Comment {
                        after_code: true,
                        line: 1
                    },
                    "#c"
                )
            ]
        );
        assert_eq!(tokens("x\"y\"z").len(), 3);
        assert!(tokens("").is_empty());
        assert!(tokens(" \t\r\n\u{3000}").is_empty());
    }

    proptest::proptest! {
        /// On any text: tokens in order, on character boundaries, with only
        /// blanks between them; every comment starts with `#` and holds no
        /// line feed.
        #[test]
        fn tokens_tile_any_text(text in "[ \"“”#\\\\()（）{}\n\ra-z\u{3000}]{0,40}|\\PC{0,40}") {
            let mut at = 0;
            for t in scan(&text) {
                proptest::prop_assert!(t.span.start >= at && t.span.end > t.span.start);
                let gap = text.get(at..t.span.start);
                proptest::prop_assert!(gap.is_some_and(|g| g.chars().all(is_blank)));
                let piece = text.get(t.span.start..t.span.end).unwrap_or_default();
                proptest::prop_assert!(!piece.is_empty());
                if let Comment { .. } = t.kind {
                    proptest::prop_assert!(piece.starts_with('#') && !piece.contains('\n'));
                }
                at = t.span.end;
            }
            proptest::prop_assert!(text.get(at..).is_some_and(|g| g.chars().all(is_blank)));
        }
    }

    // ------------------------------------------------ against the parser

    use crate::syntax::{DecreeParser, Rule};
    use pest::Parser as _;

    /// Where the parser's texts in quotes are, in a text it accepts.
    fn parsed_texts(text: &str) -> Option<Vec<Span>> {
        let pairs = DecreeParser::parse(Rule::file, text).ok()?;
        let spans = pairs
            .flatten()
            .filter(|p| p.as_rule() == Rule::string)
            .map(|p| Span::new(p.as_span().start(), p.as_span().end()))
            .collect();
        Some(spans)
    }

    /// The comments the parser skipped: no grammar rule but `string`
    /// matches a `#` except `COMMENT`, so every `#` outside the parser's
    /// texts starts a comment, which `COMMENT` runs up to the line feed.
    fn parsed_comments(text: &str) -> Option<Vec<Span>> {
        let texts = parsed_texts(text)?;
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(at) = text.get(from..).and_then(|r| r.find('#')).map(|i| from + i) {
            if let Some(t) = texts.iter().find(|t| t.start <= at && at < t.end) {
                from = t.end;
                continue;
            }
            let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
            out.push(Span::new(at, end));
            from = end;
        }
        Some(out)
    }

    /// The text with every scanned comment replaced by as many spaces.
    fn blanked(text: &str) -> String {
        let mut out = text.to_string();
        for t in scan(text).filter(|t| matches!(t.kind, Comment { .. })) {
            out.replace_range(t.span.start..t.span.end, &" ".repeat(t.span.len()));
        }
        out
    }

    /// The parse tree as (rule, start, end) rows.
    fn tree(text: &str) -> Vec<(Rule, usize, usize)> {
        DecreeParser::parse(Rule::file, text)
            .map(|pairs| {
                pairs
                    .flatten()
                    .map(|p| (p.as_rule(), p.as_span().start(), p.as_span().end()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn repository_files() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let dirs = [
            "policies",
            "examples",
            "examples/bench",
            "examples/revisions",
            "tests/cases",
            "tests/batch",
            "tests/hostile",
        ];
        for dir in dirs {
            for entry in std::fs::read_dir(root.join(dir)).into_iter().flatten() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|x| x == "decree") {
                    files.push(path);
                }
            }
        }
        files
    }

    /// Over every decree file of the repository that parses, the scanner's
    /// comments are exactly those the parser skipped, and blanking them out
    /// leaves the parse tree as it was.
    #[test]
    fn the_scanner_finds_the_comments_the_parser_skips() {
        let mut checked = 0;
        let mut with_comments = 0;
        for path in repository_files() {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            let Some(want) = parsed_comments(&text) else {
                continue;
            };
            let found: Vec<Span> = scan(&text)
                .filter(|t| matches!(t.kind, Comment { .. }))
                .map(|t| t.span)
                .collect();
            assert_eq!(found, want, "{}", path.display());
            assert_eq!(tree(&blanked(&text)), tree(&text), "{}", path.display());
            checked += 1;
            with_comments += usize::from(!found.is_empty());
        }
        assert!(
            checked > 60 && with_comments > 40,
            "{checked} files, {with_comments} with comments"
        );
    }

    /// The same over texts made to trip a scanner: escapes, Chinese quotes,
    /// `#` in texts, lone carriage returns.
    #[test]
    fn tricky_texts_agree_with_the_parser() {
        let cases = [
            "fact a: money \"额\\\"# 不是注释\" # 注释\n",
            "fact a: money \"\\\\\" # 注释\n",
            "fact a: money “引号里 # 不是” # 是\n",
            "# one\rfact a: money\nfact b: money\n",
            "fact a: money # x\r\nfact b: money # y\r\n",
            "measure 1 “（#” {#\n award x = min(1万, 2万)#\n}#",
            "\u{FEFF}# bom\nfact a: money\u{3000}# wide blank\n",
        ];
        for text in cases {
            let want = parsed_comments(text).unwrap_or_else(|| panic!("does not parse: {text:?}"));
            let found: Vec<Span> = scan(text)
                .filter(|t| matches!(t.kind, Comment { .. }))
                .map(|t| t.span)
                .collect();
            assert_eq!(found, want, "{text:?}");
            assert_eq!(tree(&blanked(text)), tree(text), "{text:?}");
        }
    }
}
