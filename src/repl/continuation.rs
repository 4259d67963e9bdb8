//! Whether what was typed at the prompt so far is a whole input, or the
//! prompt should go on to a continuation line.

use super::Session;
use super::editing::{is_definition, starts_with_decl_keyword};
use crate::Limits;
use crate::diagnostic::Code;
use crate::span::SourceFile;
use crate::syntax;
use crate::syntax::scan::{TokenKind, scan};

impl Session {
    /// Whether a line typed is the command to leave (`:quit`, `:q`,
    /// `:exit`, with a `：` too). It leaves even on a continuation line,
    /// inside a bracket still open: the host asks before adding the line.
    pub fn quits(line: &str) -> bool {
        super::command_of(line.trim()).is_some_and(|c| Self::is_quit(c.trim()))
    }

    /// Whether a command's name (without its colon) is one that leaves.
    pub(super) fn is_quit(name: &str) -> bool {
        matches!(name, "quit" | "q" | "exit")
    }

    /// Whether `input` is unfinished: brackets still open, or it ends with
    /// `=` or an operator, so the prompt should continue on the next line.
    pub fn needs_more(input: &str) -> bool {
        const CONTINUED_BY: [&str; 10] = ["=", "=>", "+", "-", "*", "/", "×", "÷", "and", "or"];
        let mut depth: i64 = 0;
        let mut code_end = 0;
        for token in scan(input) {
            match token.kind {
                TokenKind::Comment { .. } => continue,
                TokenKind::Open => depth += 1,
                TokenKind::Close => depth -= 1,
                TokenKind::Text | TokenKind::Code => {}
            }
            code_end = token.span.end;
        }
        let code = input.get(..code_end).unwrap_or("");
        depth > 0 || CONTINUED_BY.iter().any(|s| code.ends_with(s)) || Self::stops_short(input)
    }

    /// Whether the input is decree that the parser finds unfinished: its
    /// only syntax error is at the very end (`if x >= 1亿` waiting for `then`).
    fn stops_short(input: &str) -> bool {
        let code: Vec<&str> = input
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect();
        let code = code.join("\n");
        let text = code.trim();
        if text.is_empty() {
            return false;
        }
        // `:add N ITEM` continues like the item it adds.
        let body = match super::command_of(text) {
            Some(cmd) => match cmd.strip_prefix("add") {
                Some(rest) => rest
                    .trim_start()
                    .split_once(char::is_whitespace)
                    .map_or("", |(_, item)| item.trim()),
                None => return false,
            },
            None => text,
        };
        if body.is_empty() {
            return false;
        }
        let (wrapped, offset) = if starts_with_decl_keyword(body) {
            (body.to_string(), 0)
        } else if is_definition(body) {
            (
                format!("measure 0 \"\" {{\n{body}\n}}"),
                "measure 0 \"\" {\n".len(),
            )
        } else {
            let src = SourceFile::new("<input>", body);
            return match syntax::parse_expr(&src, &Limits::default()) {
                Err(d) => d.iter().any(|x| {
                    x.code == Code::Syntax && x.span().is_some_and(|s| s.start >= body.len())
                }),
                Ok(_) => false,
            };
        };
        let src = SourceFile::new("<input>", wrapped.as_str());
        match syntax::parse(&src, &Limits::default()) {
            Err(d) => d.iter().any(|x| {
                x.code == Code::Syntax && x.span().is_some_and(|s| s.start >= offset + body.len())
            }),
            Ok(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_bracket_or_a_trailing_operator_asks_for_more() {
        assert!(Session::needs_more("min(20% * x,\n"));
        assert!(Session::needs_more("取小（20% * x，\n"));
        assert!(Session::needs_more("1万 +  # more below\n"));
        assert!(!Session::needs_more("min(1, 2) # (\n"));
        assert!(!Session::needs_more("1 + 2\n"));
    }

    #[test]
    fn quit_is_quit_with_either_colon_and_anywhere() {
        for line in [":quit", " :q ", ":exit\n", "：quit", "：q"] {
            assert!(Session::quits(line), "{line}");
        }
        for line in [":quitting", "quit", ":set q = 1", "min(:quit"] {
            assert!(!Session::quits(line), "{line}");
        }
    }

    #[test]
    fn a_full_width_colon_starts_a_command_as_a_colon_does() {
        assert!(!Session::needs_more("：eval\n"));
        assert!(Session::needs_more("：add 8 award x = min(1万,\n"));
        assert!(Session::needs_more(":add 8 award x = min(1万,\n"));
    }

    #[test]
    fn brackets_and_operators_in_texts_and_comments_do_not_count() {
        assert!(!Session::needs_more(":explain \"(\"\n"));
        assert!(!Session::needs_more("cite “（”\n"));
        assert!(!Session::needs_more("\"a\\\"(\"\n"));
        assert!(!Session::needs_more("# x = (\n"));
        // The operator is in code, the `#` in a text.
        assert!(Session::needs_more("\"a # b\" and\n"));
    }
}
