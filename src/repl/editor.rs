//! The terminal front end of the REPL: completion, highlighting, hints and
//! multi-line input for rustyline.

use std::borrow::Cow;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use super::COMMANDS;
use crate::syntax::keywords::KEYWORDS;
use crate::syntax::scan::{TokenKind, scan};

/// rustyline's helper for decree: knows the session's names.
pub struct DecreeHelper {
    /// Names to complete: items, facts, params, enum values, measure numbers.
    pub names: Vec<String>,
    hinter: HistoryHinter,
}

impl DecreeHelper {
    /// A helper completing `names`.
    pub fn new(names: Vec<String>) -> Self {
        DecreeHelper {
            names,
            hinter: HistoryHinter::new(),
        }
    }
}

impl Helper for DecreeHelper {}

/// Where the word being typed starts: after the last blank or bracket.
fn word_start(line: &str, pos: usize) -> usize {
    line.get(..pos)
        .and_then(|l| {
            l.char_indices()
                .rev()
                .find(|(_, c)| c.is_whitespace() || "(),+-*/=<>{}[]，（）".contains(*c))
                .map(|(i, c)| i + c.len_utf8())
        })
        .unwrap_or(0)
}

impl Completer for DecreeHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = word_start(line, pos);
        let word = line.get(start..pos).unwrap_or("");
        let mut out: Vec<Pair> = Vec::new();
        let pair = |s: &str| Pair {
            display: s.to_string(),
            replacement: s.to_string(),
        };
        if let (0, Some(typed)) = (start, super::command_of(word)) {
            // `：se` completes as `:se` does (to `:set`).
            for (c, _) in COMMANDS {
                let cmd = c.split_whitespace().next().unwrap_or(c);
                if super::command_of(cmd).is_some_and(|name| name.starts_with(typed)) {
                    out.push(pair(cmd));
                }
            }
            return Ok((start, out));
        }
        for n in &self.names {
            if n.starts_with(word) && !word.is_empty() {
                out.push(pair(n));
            }
        }
        if start == 0 || !line.trim_start().starts_with(':') {
            for k in KEYWORDS {
                for s in [k.english, k.chinese] {
                    if !word.is_empty() && s.starts_with(word) && !s.contains(' ') {
                        out.push(pair(s));
                    }
                }
            }
        }
        out.dedup_by(|a, b| a.replacement == b.replacement);
        Ok((start, out))
    }
}

impl Hinter for DecreeHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

/// Every line is accepted as typed: the host reads an unfinished input
/// line by line ([`super::Session::needs_more`]), each continuation line with its
/// own prompt ([`super::CONTINUATION_PROMPT`]), so that `:quit` is seen on
/// any line, even inside a bracket still open.
impl Validator for DecreeHelper {
    fn validate(&self, _ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(ValidationResult::Valid(None))
    }
}

const KEYWORD_COLOR: &str = "\x1b[1;34m";
const NUMBER_COLOR: &str = "\x1b[33m";
const STRING_COLOR: &str = "\x1b[32m";
const COMMAND_COLOR: &str = "\x1b[1;35m";
const COMMENT_COLOR: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Colours decree code: keywords, numbers with their units, strings,
/// comments and `:commands`. The text itself is unchanged. Texts and
/// comments are found by the scanner the parser uses, so a `#` in a text
/// is coloured as text.
pub fn highlight_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let mut at = 0;
    for token in scan(line) {
        out.push_str(line.get(at..token.span.start).unwrap_or(""));
        let piece = line.get(token.span.start..token.span.end).unwrap_or("");
        match token.kind {
            TokenKind::Comment { .. } => paint(&mut out, COMMENT_COLOR, piece),
            TokenKind::Text => paint(&mut out, STRING_COLOR, piece),
            TokenKind::Open | TokenKind::Close => out.push_str(piece),
            TokenKind::Code if token.span.start == 0 && super::command_of(piece).is_some() => {
                paint(&mut out, COMMAND_COLOR, piece);
            }
            TokenKind::Code => highlight_code(&mut out, piece),
        }
        at = token.span.end;
    }
    out.push_str(line.get(at..).unwrap_or(""));
    out
}

/// Colours a run of code: numbers with their units, and keywords.
fn highlight_code(out: &mut String, code: &str) {
    let mut rest = code;
    while let Some(c) = rest.chars().next() {
        let (len, color) = if c.is_ascii_digit() {
            let len = rest
                .find(|x: char| !(x.is_ascii_digit() || "._%％:万亿千百十KMB元".contains(x)))
                .unwrap_or(rest.len());
            (len, NUMBER_COLOR)
        } else if c.is_alphanumeric() || c == '_' {
            let len = rest
                .find(|x: char| !(x.is_alphanumeric() || x == '_'))
                .unwrap_or(rest.len());
            let word = rest.get(..len).unwrap_or("");
            let is_kw = KEYWORDS
                .iter()
                .any(|k| k.english == word || k.chinese == word);
            (len, if is_kw { KEYWORD_COLOR } else { "" })
        } else {
            (c.len_utf8(), "")
        };
        let (piece, after) = rest.split_at_checked(len).unwrap_or((rest, ""));
        paint(out, color, piece);
        rest = after;
    }
}

/// Appends `piece` in `color` (as it is when `color` is empty).
fn paint(out: &mut String, color: &str, piece: &str) {
    if color.is_empty() {
        out.push_str(piece);
    } else {
        out.push_str(color);
        out.push_str(piece);
        out.push_str(RESET);
    }
}

impl Highlighter for DecreeHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Owned(highlight_line(line))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("{COMMENT_COLOR}{hint}{RESET}"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The highlighted line with colours named, for reading.
    fn named(line: &str) -> String {
        highlight_line(line)
            .replace(KEYWORD_COLOR, "<kw>")
            .replace(NUMBER_COLOR, "<num>")
            .replace(STRING_COLOR, "<str>")
            .replace(COMMAND_COLOR, "<cmd>")
            .replace(COMMENT_COLOR, "<rem>")
            .replace(RESET, "</>")
    }

    #[test]
    fn colours_keywords_numbers_texts_comments_and_commands() {
        assert_eq!(
            named("取小(20% * 投资额, 5000万) # 上限"),
            "<kw>取小</>(<num>20%</> * 投资额, <num>5000万</>) <rem># 上限</>"
        );
        assert_eq!(named(":set x = 3亿"), "<cmd>:set</> x = <num>3亿</>");
        assert_eq!(named("：set x＝3亿"), "<cmd>：set</> x＝<num>3亿</>");
    }

    #[test]
    fn commands_complete_after_either_colon() {
        let helper = DecreeHelper::new(Vec::new());
        let history = rustyline::history::DefaultHistory::new();
        let ctx = Context::new(&history);
        for typed in [":se", "：se"] {
            let (start, found) = helper
                .complete(typed, typed.len(), &ctx)
                .unwrap_or_default();
            let found: Vec<String> = found.into_iter().map(|p| p.replacement).collect();
            assert_eq!((start, found), (0, vec![":set".to_string()]), "{typed}");
        }
    }

    #[test]
    fn a_hash_in_a_text_is_text() {
        assert_eq!(
            named("cite \"第#1条\" # note"),
            "<kw>cite</> <str>\"第#1条\"</> <rem># note</>"
        );
        assert_eq!(named("cite “第#1条”"), "<kw>cite</> <str>“第#1条”</>");
        assert_eq!(named("x = \"a\\\"#\""), "x = <str>\"a\\\"#\"</>");
    }

    #[test]
    fn the_text_is_unchanged() {
        for line in ["", "  a  ", "if x\u{3000}then “y", "\"open", "（a）【b】"] {
            let plain = named(line)
                .replace("<kw>", "")
                .replace("<num>", "")
                .replace("<str>", "")
                .replace("<cmd>", "")
                .replace("<rem>", "")
                .replace("</>", "");
            assert_eq!(plain, line);
        }
    }
}
