//! The one expression printer: decree expressions back as text, for the
//! formatter, for explanations and for diffs alike.
//!
//! What differs between them is a [`Style`] — the keyword surface, how a
//! name is shown (as written, or by a callback such as "its label"), and
//! the operator symbols — and [`Tables`]: whether the rows of `tiers`,
//! `first reaching` and `schedule` are printed, one a line, or left out as
//! `{…}`. Parentheses come from the one precedence table
//! ([`super::precedence`]) the parser is built from, so a printed
//! expression reads back as the same tree.

use crate::ast::{BinaryOp, CmpOp, Expr, ExprKind, Name, Schedule, Tiers, UnaryOp};
use crate::span::Span;
use crate::syntax::keywords::{Surface, spell};
use crate::syntax::precedence::precedence;

/// How names are shown.
#[derive(Clone, Copy)]
pub(crate) enum Names<'a> {
    /// As written in the source.
    AsWritten,
    /// As the callback writes them into the text it is given (an
    /// explanation shows labels).
    By(&'a dyn Fn(&Name, &mut String)),
}

/// How multiplication and division are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Symbols {
    /// `*` and `/`, as decree source is typed.
    Ascii,
    /// `×` and `÷`, as explanations read.
    Math,
}

/// How an expression is spelt.
#[derive(Clone, Copy)]
pub(crate) struct Style<'a> {
    /// The keyword surface.
    pub surface: Surface,
    /// How names are shown.
    pub names: Names<'a>,
    /// How `*` and `/` are written.
    pub symbols: Symbols,
}

impl Style<'_> {
    /// Decree source: names as written, `*` and `/`.
    pub(crate) fn source(surface: Surface) -> Style<'static> {
        Style {
            surface,
            names: Names::AsWritten,
            symbols: Symbols::Ascii,
        }
    }
}

/// What becomes of the rows of a table (`tiers`, `first reaching`,
/// `schedule`).
pub(crate) enum Tables<'a> {
    /// Left out: `tiers x {…}`.
    Elided,
    /// Printed between `{` and `}`, one a line: the callback is given where
    /// the row starts and its text (`threshold => value`, which may span
    /// lines when a value is itself a table) and returns the lines to
    /// print, each ending in a line feed — the formatter indents them and
    /// puts back the comments they carried.
    Rows(&'a mut dyn FnMut(Span, &str) -> String),
}

/// Prints expressions in one style.
pub(crate) struct Printer<'a> {
    style: Style<'a>,
    tables: Tables<'a>,
}

impl<'a> Printer<'a> {
    /// A printer in `style`, with tables as `tables` says.
    pub(crate) fn new(style: Style<'a>, tables: Tables<'a>) -> Self {
        Printer { style, tables }
    }

    /// The text of `e`.
    pub(crate) fn print(&mut self, e: &Expr) -> String {
        let mut out = String::new();
        self.write(e, &mut out);
        out
    }

    fn kw(&self, rule: &str) -> &'static str {
        spell(rule, self.style.surface)
    }

    /// `e`, in parentheses when it binds more loosely than `min`.
    fn child(&mut self, e: &Expr, min: u8, out: &mut String) {
        if precedence(e) < min {
            out.push('(');
            self.write(e, out);
            out.push(')');
        } else {
            self.write(e, out);
        }
    }

    fn write(&mut self, e: &Expr, out: &mut String) {
        match &e.node {
            ExprKind::Lit(l) => out.push_str(&l.raw),
            ExprKind::Name(n) => match self.style.names {
                Names::AsWritten => out.push_str(n),
                Names::By(show) => show(n, out),
            },
            ExprKind::Unary(op, x) => {
                let keyword = match op {
                    UnaryOp::Neg => None,
                    UnaryOp::Not => Some("not"),
                    UnaryOp::Soft => Some("soft"),
                };
                match keyword {
                    None => out.push('-'),
                    Some(keyword) => {
                        out.push_str(self.kw(keyword));
                        out.push(' ');
                    }
                }
                self.child(x, precedence(e), out);
            }
            ExprKind::Binary(op, l, r) => {
                let p = precedence(e);
                self.child(l, p, out);
                self.operator(*op, out);
                self.child(r, p + 1, out);
            }
            ExprKind::Chain(op, terms) => {
                let p = precedence(e);
                for (i, t) in terms.iter().enumerate() {
                    if i > 0 {
                        self.operator(*op, out);
                    }
                    // Left-associative: only operands after the first need
                    // brackets at the same level.
                    self.child(t, if i == 0 { p } else { p + 1 }, out);
                }
            }
            ExprKind::If(c, t, f) => {
                out.push_str(self.kw("if"));
                out.push(' ');
                self.write(c, out);
                for (keyword, part) in [("then", t), ("else", f)] {
                    out.push(' ');
                    out.push_str(self.kw(keyword));
                    out.push(' ');
                    self.write(part, out);
                }
            }
            ExprKind::Call(f, args) => {
                out.push_str(self.kw(f.name()));
                out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(a, out);
                }
                out.push(')');
            }
            ExprKind::Tiers(t) => self.tiers(t, out),
            ExprKind::Schedule(s) => self.schedule(s, out),
        }
    }

    /// An infix operator with the blanks around it (`..` has none).
    fn operator(&self, op: BinaryOp, out: &mut String) {
        let symbol = match (op, self.style.symbols) {
            (BinaryOp::Range, _) => return out.push_str(".."),
            (BinaryOp::Mul, Symbols::Ascii) => "*",
            (BinaryOp::Div, Symbols::Ascii) => "/",
            (BinaryOp::And, _) => self.kw("and"),
            (BinaryOp::Or, _) => self.kw("or"),
            (BinaryOp::In, _) => self.kw("in"),
            (other, _) => other.symbol(),
        };
        out.push(' ');
        out.push_str(symbol);
        out.push(' ');
    }

    fn tiers(&mut self, t: &Tiers, out: &mut String) {
        match &t.prior {
            Some(prior) => {
                out.push_str(self.kw("first_reaching"));
                out.push(' ');
                self.write(&t.subject, out);
                out.push(' ');
                out.push_str(self.kw("over"));
                out.push(' ');
                self.write(prior, out);
            }
            None => {
                out.push_str(self.kw("tiers"));
                out.push(' ');
                self.write(&t.subject, out);
                if t.cmp != CmpOp::Ge {
                    out.push(' ');
                    out.push_str(t.cmp.symbol());
                }
            }
        }
        let last = t.otherwise.as_ref().map(|o| ("else", o));
        self.rows(&t.rows, last, out);
    }

    fn schedule(&mut self, s: &Schedule, out: &mut String) {
        out.push_str(self.kw("schedule"));
        out.push(' ');
        self.write(&s.base, out);
        let last = s.above.as_ref().map(|a| ("above", a));
        self.rows(&s.brackets, last, out);
    }

    /// A table's rows, then its last row (`else => …`, `above => …`),
    /// written after a keyword.
    fn rows(&mut self, rows: &[(Expr, Expr)], last: Option<(&str, &Expr)>, out: &mut String) {
        if let Tables::Elided = self.tables {
            out.push_str(" {…}");
            return;
        }
        out.push_str(" {\n");
        for (key, value) in rows {
            let text = format!("{} => {}", self.print(key), self.print(value));
            out.push_str(&self.row(key.span, &text));
        }
        if let Some((keyword, value)) = last {
            let text = format!("{} => {}", self.kw(keyword), self.print(value));
            out.push_str(&self.row(value.span, &text));
        }
        out.push('}');
    }

    fn row(&mut self, at: Span, text: &str) -> String {
        match &mut self.tables {
            Tables::Rows(row) => row(at, text),
            Tables::Elided => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Limits, SourceFile};

    fn expr(text: &str) -> Expr {
        crate::syntax::parse_expr(&SourceFile::new("t", text), &Limits::default()).unwrap()
    }

    fn in_style(text: &str, style: Style<'_>) -> String {
        let mut row = |_: Span, text: &str| format!("  {text}\n");
        Printer::new(style, Tables::Rows(&mut row)).print(&expr(text))
    }

    #[test]
    fn parentheses_only_where_the_precedence_table_needs_them() {
        let source = Style::source(Surface::English);
        assert_eq!(in_style("(a + b) * c", source), "(a + b) * c");
        assert_eq!(in_style("a + (b * c)", source), "a + b * c");
        assert_eq!(in_style("a - (b - c)", source), "a - (b - c)");
        assert_eq!(in_style("(a - b) - c", source), "a - b - c");
        assert_eq!(in_style("not (a and b)", source), "not (a and b)");
        assert_eq!(in_style("-(1..2)", source), "-(1..2)");
        assert_eq!(
            in_style("(if a then b else c) + 1", source),
            "(if a then b else c) + 1"
        );
    }

    #[test]
    fn surfaces_names_symbols_and_tables() {
        let label = |n: &Name, out: &mut String| {
            out.push_str(if n.text == "x" { "投资额" } else { "?" })
        };
        let explained = Style {
            surface: Surface::English,
            names: Names::By(&label),
            symbols: Symbols::Math,
        };
        let zh = Style::source(Surface::Chinese);
        assert_eq!(
            in_style("min(20% * x, 1万) / 2", explained),
            "min(20% × 投资额, 1万) ÷ 2"
        );
        assert_eq!(
            in_style("min(20% * x, 1万) / 2", zh),
            "取小(20% * x, 1万) / 2"
        );
        let table = "tiers x > { 1 => 2 else => 3 }";
        assert_eq!(
            in_style(table, Style::source(Surface::English)),
            "tiers x > {\n  1 => 2\n  else => 3\n}"
        );
        let mut elided = Printer::new(explained, Tables::Elided);
        assert_eq!(elided.print(&expr(table)), "tiers 投资额 > {…}");
        assert_eq!(
            elided.print(&expr("schedule x { 1 => 2 above => 3 }")),
            "schedule 投资额 {…}"
        );
    }
}
