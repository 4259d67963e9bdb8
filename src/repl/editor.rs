//! The terminal front end of the REPL: completion, highlighting, hints and
//! multi-line input for rustyline.

use std::borrow::Cow;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use super::{COMMANDS, Session};
use crate::syntax::keywords::KEYWORDS;

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
        if start == 0 && word.starts_with(':') {
            for (c, _) in COMMANDS {
                let cmd = c.split_whitespace().next().unwrap_or(c);
                if cmd.starts_with(word) {
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

impl Validator for DecreeHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        if Session::needs_more(ctx.input()) {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

const KEYWORD_COLOR: &str = "\x1b[1;34m";
const NUMBER_COLOR: &str = "\x1b[33m";
const STRING_COLOR: &str = "\x1b[32m";
const COMMAND_COLOR: &str = "\x1b[1;35m";
const COMMENT_COLOR: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Colours decree code: keywords, numbers with their units, strings,
/// comments and `:commands`. The text itself is unchanged.
pub fn highlight_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut i = 0;
    let at = |k: usize| chars.get(k).map(|(_, c)| *c);
    let offset = |k: usize| chars.get(k).map_or(line.len(), |(o, _)| *o);
    while let Some(c) = at(i) {
        let start = i;
        let color;
        if c == '#' {
            i = chars.len();
            color = COMMENT_COLOR;
        } else if c == '"' {
            i += 1;
            while at(i).is_some_and(|x| x != '"') {
                i += 1;
            }
            i = (i + 1).min(chars.len());
            color = STRING_COLOR;
        } else if c == ':' && start == 0 {
            while at(i).is_some_and(|x| !x.is_whitespace()) {
                i += 1;
            }
            color = COMMAND_COLOR;
        } else if c.is_ascii_digit() {
            while at(i).is_some_and(|x| x.is_ascii_digit() || "._%％:万亿千百十KMB元".contains(x))
            {
                i += 1;
            }
            color = NUMBER_COLOR;
        } else if c.is_alphanumeric() || c == '_' {
            while at(i).is_some_and(|x| x.is_alphanumeric() || x == '_') {
                i += 1;
            }
            let word = line.get(offset(start)..offset(i)).unwrap_or("");
            let is_kw = KEYWORDS
                .iter()
                .any(|k| k.english == word || k.chinese == word);
            color = if is_kw { KEYWORD_COLOR } else { "" };
        } else {
            i += 1;
            color = "";
        }
        let piece = line.get(offset(start)..offset(i)).unwrap_or("");
        if color.is_empty() {
            out.push_str(piece);
        } else {
            out.push_str(color);
            out.push_str(piece);
            out.push_str(RESET);
        }
    }
    out
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
