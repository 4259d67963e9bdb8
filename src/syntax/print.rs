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
use crate::syntax::scan::TokenKind;

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

/// Where an expression stands on the page, for wrapping it at a width.
///
/// Columns are terminal columns ([`columns`]). The printer's lines after
/// the first are relative to `pad`: the caller puts `pad` before each.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wrap {
    /// The widest a line may be.
    pub width: usize,
    /// The column of the entry's left margin.
    pub pad: usize,
    /// The column where the expression starts on its first line.
    pub first: usize,
    /// How far the first line is indented past `pad` (a `when` line is
    /// indented one step inside its item).
    pub line0: usize,
}

/// How far a continuation line is indented past the line it continues.
pub(crate) const STEP: usize = 2;

/// The width of `text` in terminal columns: a Chinese character or a
/// full-width punctuation mark takes two.
pub(crate) fn columns(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// Prints expressions in one style.
pub(crate) struct Printer<'a> {
    style: Style<'a>,
    tables: Tables<'a>,
    /// The source text the expressions were parsed from, when the
    /// parentheses the author wrote are to be kept.
    written: Option<&'a str>,
    /// Where to wrap long expressions, if anywhere.
    wrap: Option<Wrap>,
    /// What stands between a table row's key and its `=>`.
    row_gap: &'a str,
    /// Inside an arithmetic operand of a comparison, where a product or
    /// quotient inside a sum is put in parentheses for the reader.
    clarify_products: bool,
    /// For every name and literal written: where it ends in the source and
    /// on which line of the output (0 for the first) it stands.
    marks: Vec<(usize, usize)>,
    /// Where end-of-line comments stand in the source, in order: an
    /// expression with one inside is broken (a line ends at each comment).
    comments: &'a [usize],
    /// How many line feeds the output held at a length, so that marking a
    /// leaf counts only what was written since (not the whole output again).
    counted: (usize, usize),
    /// Whether to keep `marks` (the formatter places comments by them; an
    /// explanation, printing an expression per step, does not need them).
    marking: bool,
    /// The indentation of the continuation lines of the broken expression
    /// being printed, which those of a part of it go deeper than.
    enclosing: Option<usize>,
}

impl<'a> Printer<'a> {
    /// A printer in `style`, with tables as `tables` says.
    pub(crate) fn new(style: Style<'a>, tables: Tables<'a>) -> Self {
        Printer {
            style,
            tables,
            written: None,
            wrap: None,
            row_gap: " ",
            clarify_products: false,
            marks: Vec::new(),
            comments: &[],
            enclosing: None,
            counted: (0, 0),
            marking: true,
        }
    }

    /// A printer that keeps no [`Printer::marks`].
    pub(crate) fn without_marks(mut self) -> Self {
        self.marking = false;
        self
    }

    /// Breaks an expression that has an end-of-line comment inside it
    /// (`comments`: where they stand in the source, in order) even when it
    /// would fit, so each comment keeps a line of its own to end.
    pub(crate) fn breaking_at(mut self, comments: &'a [usize]) -> Self {
        self.comments = comments;
        self
    }

    /// Whether `e`, or a part of it the wrapping reaches (an operand, an
    /// argument, the part of an `if`, the operand of a prefix), has an
    /// end-of-line comment in a gap where it can be broken.
    fn must_break(&self, e: &Expr) -> bool {
        if self.comments.is_empty() {
            return false;
        }
        self.has_comment(e)
            || match &e.node {
                ExprKind::Binary(op, ..) if *op != BinaryOp::Range => {
                    chain(e).into_iter().any(|(_, x)| self.must_break(x))
                }
                ExprKind::Chain(..) => chain(e).into_iter().any(|(_, x)| self.must_break(x)),
                ExprKind::Unary(_, x) => self.must_break(x),
                ExprKind::Call(_, args) => args.iter().any(|a| self.must_break(a)),
                ExprKind::If(c, t, f) => [c, t, f].iter().any(|x| self.must_break(x)),
                _ => false,
            }
    }

    /// Whether an end-of-line comment stands in a gap where `e` can be
    /// broken: between the operands of its loosest chain, between the
    /// arguments of a call (or after the last), between the parts of an
    /// `if`. Breaking there gives the comment a line of its own to end; a
    /// comment anywhere else would stay where it is however `e` is laid out.
    fn has_comment(&self, e: &Expr) -> bool {
        let parts: Vec<&Expr> = match &e.node {
            ExprKind::Binary(op, ..) if *op != BinaryOp::Range => {
                chain(e).into_iter().map(|(_, x)| x).collect()
            }
            ExprKind::Chain(..) => chain(e).into_iter().map(|(_, x)| x).collect(),
            ExprKind::Call(_, args) => args.iter().collect(),
            ExprKind::If(c, t, f) => vec![c, t, f],
            _ => return false,
        };
        let mut gaps: Vec<(usize, usize)> = parts
            .windows(2)
            .filter_map(|w| match w {
                [a, b] => Some((a.span.end, b.span.start)),
                _ => None,
            })
            .collect();
        if let (ExprKind::Call(..), Some(last)) = (&e.node, parts.last()) {
            gaps.push((last.span.end, e.span.end));
        }
        gaps.iter().any(|&(from, to)| {
            let first = self.comments.partition_point(|&c| c < from);
            self.comments.get(first).is_some_and(|&c| c < to)
        })
    }

    /// Keeps the parentheses the author wrote around an operand that is
    /// itself an operation (`(a * b) + c`), as `source` shows them: the
    /// expressions printed must have been parsed from `source`.
    pub(crate) fn keeping_parentheses(mut self, source: &'a str) -> Self {
        self.written = Some(source);
        self
    }

    /// Wraps what does not fit as `wrap` says, at operators.
    pub(crate) fn wrapping(mut self, wrap: Wrap) -> Self {
        self.wrap = Some(wrap);
        self
    }

    /// Puts `gap` between a table row's key and its `=>` (the formatter
    /// marks a column there, to align the rows).
    pub(crate) fn row_gap(mut self, gap: &'a str) -> Self {
        self.row_gap = gap;
        self
    }

    /// The text of `e`.
    pub(crate) fn print(&mut self, e: &Expr) -> String {
        let mut out = String::new();
        match self.wrap {
            Some(_) => self.wrapped(e, &mut out),
            None => self.write(e, &mut out),
        }
        out
    }

    /// Where each name and literal printed so far stands: its end in the
    /// source and its line in the output (see [`Printer::print`]).
    pub(crate) fn marks(&self) -> &[(usize, usize)] {
        &self.marks
    }

    fn kw(&self, rule: &str) -> &'static str {
        spell(rule, self.style.surface)
    }

    /// Whether `e`, an operand of `parent`, is put in parentheses: when
    /// the precedence table needs them (it binds more loosely than `min`),
    /// when a reader needs them (`and` inside `or`; a product inside a sum
    /// that is compared), or when the author wrote them around an
    /// operation whose place is not plain from the operators alone — not
    /// around the left operand of an operator of its own level, where
    /// `(a + b) + c` reads as `a + b + c`.
    fn parenthesised(&self, e: &Expr, min: u8, parent: Option<BinaryOp>) -> bool {
        use BinaryOp::{Add, And, Div, Mul, Or, Sub};
        let op = match &e.node {
            ExprKind::Binary(op, ..) | ExprKind::Chain(op, _) => Some(*op),
            _ => None,
        };
        let compound = matches!(
            e.node,
            ExprKind::Binary(..) | ExprKind::Chain(..) | ExprKind::Unary(..)
        );
        precedence(e) < min
            || matches!((parent, op), (Some(Or), Some(And)))
            || (self.clarify_products
                && matches!(parent, Some(Add | Sub))
                && matches!(op, Some(Mul | Div)))
            || (compound
                && precedence(e) != min
                && self
                    .written
                    .is_some_and(|s| written_in_parentheses(s, e.span)))
    }

    /// `e` as an operand of `parent`, in parentheses when
    /// [`Printer::parenthesised`] says so.
    fn child(&mut self, e: &Expr, min: u8, parent: Option<BinaryOp>, out: &mut String) {
        if self.parenthesised(e, min, parent) {
            out.push('(');
            self.write(e, out);
            out.push(')');
        } else {
            self.write(e, out);
        }
    }

    fn write(&mut self, e: &Expr, out: &mut String) {
        let clarify = self.clarify_products;
        self.clarify_products = clarify && is_arithmetic(e);
        match &e.node {
            ExprKind::Lit(l) => {
                out.push_str(&l.raw);
                self.mark(e.span, out);
            }
            ExprKind::Name(n) => {
                match self.style.names {
                    Names::AsWritten => out.push_str(n),
                    Names::By(show) => show(n, out),
                }
                self.mark(e.span, out);
            }
            ExprKind::Unary(op, x) => {
                self.prefix(*op, out);
                self.child(x, precedence(e), None, out);
            }
            ExprKind::Binary(op, l, r) => {
                let p = precedence(e);
                self.clarify_products |= is_comparison(*op);
                self.child(l, p, Some(*op), out);
                self.operator(*op, out);
                self.child(r, p + 1, Some(*op), out);
            }
            ExprKind::Chain(op, terms) => {
                let p = precedence(e);
                for (i, t) in terms.iter().enumerate() {
                    if i > 0 {
                        self.operator(*op, out);
                    }
                    // Left-associative: only operands after the first need
                    // brackets at the same level.
                    self.child(t, if i == 0 { p } else { p + 1 }, Some(*op), out);
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
            ExprKind::Today => {
                out.push_str(self.kw("today"));
                self.mark(e.span, out);
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
            ExprKind::Tiers(t) => {
                self.tiers(t, out);
                self.mark(e.span, out);
            }
            ExprKind::Schedule(s) => {
                self.schedule(s, out);
                self.mark(e.span, out);
            }
            ExprKind::Dated(d) => self.dated(d, out),
        }
        self.clarify_products = clarify;
    }

    fn mark(&mut self, at: Span, out: &str) {
        if !self.marking {
            return;
        }
        let (len, lines) = self.counted;
        let line = match out.get(len..) {
            Some(new) => lines + new.matches('\n').count(),
            None => out.matches('\n').count(),
        };
        self.counted = (out.len(), line);
        self.marks.push((at.end, line));
    }

    /// A prefix operator: `-`, or its keyword and a blank.
    fn prefix(&self, op: UnaryOp, out: &mut String) {
        let keyword = match op {
            UnaryOp::Neg => return out.push('-'),
            UnaryOp::Not => "not",
            UnaryOp::Soft => "soft",
        };
        out.push_str(self.kw(keyword));
        out.push(' ');
    }

    // ------------------------------------------------------------ wrapping

    /// `e`, broken over lines at its operators where it does not fit in
    /// the width: before each operator of its loosest chain (`a or b or
    /// c`), each continuation line indented one step past the line the
    /// expression started on; inside parentheses, calls and `if` likewise.
    /// An expression holding a table is printed as it stands: the table
    /// breaks it already. One with an end-of-line comment inside is broken
    /// even if it fits.
    fn wrapped(&mut self, e: &Expr, out: &mut String) {
        let Some(wrap) = self.wrap else {
            return self.write(e, out);
        };
        let fits = self.column(out) + columns(&self.flat(e)) <= wrap.width;
        if has_table(e) || (fits && !self.must_break(e)) {
            return self.write(e, out);
        }
        let clarify = self.clarify_products;
        self.clarify_products = clarify && is_arithmetic(e);
        let enclosing = self.enclosing;
        let cont = (self.line_indent(out) + STEP).max(enclosing.map_or(0, |c| c + STEP));
        self.enclosing = Some(cont);
        match &e.node {
            ExprKind::Binary(op, ..) | ExprKind::Chain(op, _) if *op != BinaryOp::Range => {
                self.clarify_products |= is_comparison(*op);
                let p = precedence(e);
                let operands = chain(e);
                let first_op = operands.get(1).and_then(|(op, _)| *op);
                // A long sum of names and amounts is filled, as many terms
                // to a line as fit; conditions and anything compound get a
                // line each, which reads (and diffs) one clause at a time.
                let fill = is_arithmetic(e)
                    && !self.must_break(e)
                    && operands
                        .iter()
                        .all(|(_, x)| matches!(x.node, ExprKind::Lit(_) | ExprKind::Name(_)));
                for (i, (op, x)) in operands.into_iter().enumerate() {
                    if let Some(op) = op {
                        let piece = columns(self.symbol(op)) + 1 + columns(&self.flat(x));
                        if fill && self.column(out) + 1 + piece <= wrap.width {
                            out.push(' ');
                        } else {
                            newline(cont, out);
                        }
                        out.push_str(self.symbol(op));
                        out.push(' ');
                    }
                    let min = if i == 0 { p } else { p + 1 };
                    self.wrapped_child(x, min, op.or(first_op), out);
                }
            }
            ExprKind::Unary(op, x) => {
                self.prefix(*op, out);
                self.wrapped_child(x, precedence(e), None, out);
            }
            ExprKind::Today => {
                out.push_str(self.kw("today"));
                self.mark(e.span, out);
            }
            ExprKind::Call(f, args) => {
                out.push_str(self.kw(f.name()));
                out.push('(');
                // Names and amounts fill their lines (`sum` of many terms);
                // compound arguments get a line each.
                let fill = !self.must_break(e)
                    && args
                        .iter()
                        .all(|a| matches!(a.node, ExprKind::Lit(_) | ExprKind::Name(_)));
                for (i, a) in args.iter().enumerate() {
                    let piece = columns(&self.flat(a)) + 1;
                    if fill && i > 0 && self.column(out) + 1 + piece <= wrap.width {
                        out.push(' ');
                    } else {
                        newline(cont, out);
                    }
                    self.wrapped(a, out);
                    if i + 1 < args.len() {
                        out.push(',');
                    }
                }
                newline(cont.saturating_sub(STEP), out);
                out.push(')');
                // The `)` has a line of its own: a comment that followed the
                // call in the source ends that line, not the last argument's
                // (where, formatted again, it would break the call apart).
                self.mark(e.span, out);
            }
            ExprKind::If(c, t, f) => {
                out.push_str(self.kw("if"));
                out.push(' ');
                self.wrapped(c, out);
                for (keyword, part) in [("then", t), ("else", f)] {
                    newline(cont, out);
                    out.push_str(self.kw(keyword));
                    out.push(' ');
                    self.wrapped(part, out);
                }
            }
            _ => self.write(e, out),
        }
        self.clarify_products = clarify;
        self.enclosing = enclosing;
    }

    /// [`Printer::child`], wrapping.
    fn wrapped_child(&mut self, e: &Expr, min: u8, parent: Option<BinaryOp>, out: &mut String) {
        if self.parenthesised(e, min, parent) {
            out.push('(');
            self.wrapped(e, out);
            out.push(')');
        } else {
            self.wrapped(e, out);
        }
    }

    /// `e` on one line (tables left out), to measure it.
    fn flat(&self, e: &Expr) -> String {
        let mut p = Printer::new(self.style, Tables::Elided);
        p.written = self.written;
        p.clarify_products = self.clarify_products;
        p.print(e)
    }

    /// The column `out` has reached.
    fn column(&self, out: &str) -> usize {
        let Some(wrap) = self.wrap else { return 0 };
        match out.rfind('\n') {
            Some(i) => wrap.pad + columns(out.get(i + 1..).unwrap_or("")),
            None => wrap.first + columns(out),
        }
    }

    /// How far the line `out` is on is indented past the margin.
    fn line_indent(&self, out: &str) -> usize {
        match out.rfind('\n') {
            Some(i) => {
                let line = out.get(i + 1..).unwrap_or("");
                line.len() - line.trim_start_matches(' ').len()
            }
            None => self.wrap.map_or(0, |w| w.line0),
        }
    }

    // ------------------------------------------------------------ operators and tables

    /// An infix operator with the blanks around it (`..` has none).
    fn operator(&self, op: BinaryOp, out: &mut String) {
        if op == BinaryOp::Range {
            return out.push_str("..");
        }
        out.push(' ');
        out.push_str(self.symbol(op));
        out.push(' ');
    }

    /// How an infix operator is spelt.
    fn symbol(&self, op: BinaryOp) -> &'static str {
        match (op, self.style.symbols) {
            (BinaryOp::Mul, Symbols::Ascii) => "*",
            (BinaryOp::Div, Symbols::Ascii) => "/",
            (BinaryOp::And, _) => self.kw("and"),
            (BinaryOp::Or, _) => self.kw("or"),
            (BinaryOp::In, _) => self.kw("in"),
            (other, _) => other.symbol(),
        }
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

    /// A dated value on one line: `dated { 5000万 from 2021-01-01, … }`,
    /// or its parts alone where written bare (a param's value).
    fn dated(&mut self, d: &crate::ast::Dated, out: &mut String) {
        if !d.bare {
            out.push_str(self.kw("dated"));
            out.push_str(" { ");
        }
        for (i, p) in d.parts.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.write(&p.value, out);
            out.push(' ');
            out.push_str(self.kw("from"));
            out.push_str(&format!(" {}", p.from.node));
            if let Some(u) = &p.until {
                out.push(' ');
                out.push_str(self.kw("until"));
                out.push_str(&format!(" {}", u.node));
            }
        }
        if !d.bare {
            out.push_str(" }");
        }
    }

    fn schedule(&mut self, s: &Schedule, out: &mut String) {
        out.push_str(self.kw("schedule"));
        out.push(' ');
        self.write(&s.base, out);
        let last = s.above.as_ref().map(|a| ("above", a));
        self.rows(&s.brackets, last, out);
    }

    /// A table's rows, then its last row (`else => …`, `above => …`),
    /// written after a keyword. The rows are printed apart, so their
    /// marks are dropped: the rows place their own comments.
    fn rows(&mut self, rows: &[(Expr, Expr)], last: Option<(&str, &Expr)>, out: &mut String) {
        if let Tables::Elided = self.tables {
            out.push_str(" {…}");
            return;
        }
        let (marks, wrap, gap) = (self.marks.len(), self.wrap.take(), self.row_gap);
        let counted = self.counted;
        out.push_str(" {\n");
        let mut first = true;
        let mut push = |text: String, out: &mut String| {
            // No blank line right after the `{`.
            let text = if first {
                text.trim_start_matches('\n')
            } else {
                &text
            };
            out.push_str(text);
            first = false;
        };
        for (key, value) in rows {
            let text = format!("{}{gap}=> {}", self.print(key), self.print(value));
            push(self.row(key.span, &text), out);
        }
        if let Some((keyword, value)) = last {
            let text = format!("{}{gap}=> {}", self.kw(keyword), self.print(value));
            push(self.row(value.span, &text), out);
        }
        out.push('}');
        self.marks.truncate(marks);
        self.wrap = wrap;
        self.counted = counted;
    }

    fn row(&mut self, at: Span, text: &str) -> String {
        match &mut self.tables {
            Tables::Rows(row) => row(at, text),
            Tables::Elided => String::new(),
        }
    }
}

/// Starts a new line indented `indent` columns past the margin.
fn newline(indent: usize, out: &mut String) {
    out.push('\n');
    out.push_str(&" ".repeat(indent));
}

/// The operands of `e`'s loosest chain, each with the operator before it:
/// `a - b + c` is `a`, `- b`, `+ c` (operators of one level associate to
/// the left, so the chain is the left spine, through the parser's chains
/// of one operator as through its binary nodes).
fn chain(e: &Expr) -> Vec<(Option<BinaryOp>, &Expr)> {
    let mut rights = Vec::new();
    let mut at = e;
    loop {
        if precedence(at) != precedence(e) {
            break;
        }
        match &at.node {
            ExprKind::Binary(op, l, r) if *op != BinaryOp::Range => {
                rights.push((Some(*op), r.as_ref()));
                at = l;
            }
            ExprKind::Chain(op, terms) => {
                let Some((first, rest)) = terms.split_first() else {
                    break;
                };
                rights.extend(rest.iter().rev().map(|t| (Some(*op), t)));
                at = first;
            }
            _ => break,
        }
    }
    rights.push((None, at));
    rights.reverse();
    rights
}

/// Whether `e` has a table (`tiers`, `first reaching`, `schedule`) in it.
fn has_table(e: &Expr) -> bool {
    match &e.node {
        ExprKind::Tiers(_) | ExprKind::Schedule(_) => true,
        ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::Today => false,
        ExprKind::Unary(_, x) => has_table(x),
        ExprKind::Binary(_, l, r) => has_table(l) || has_table(r),
        ExprKind::If(c, t, f) => has_table(c) || has_table(t) || has_table(f),
        ExprKind::Call(_, args) | ExprKind::Chain(_, args) => args.iter().any(has_table),
        ExprKind::Dated(d) => d.parts.iter().any(|p| has_table(&p.value)),
    }
}

/// Whether `e` is a sum, difference, product, quotient or negation.
fn is_arithmetic(e: &Expr) -> bool {
    use BinaryOp::{Add, Div, Mul, Sub};
    matches!(
        e.node,
        ExprKind::Binary(Add | Sub | Mul | Div, ..)
            | ExprKind::Chain(Add | Sub | Mul | Div, _)
            | ExprKind::Unary(UnaryOp::Neg, _)
    )
}

/// Whether `op` compares (`>=`, `in` …).
fn is_comparison(op: BinaryOp) -> bool {
    matches!(op, BinaryOp::Cmp(_) | BinaryOp::In)
}

/// Whether the source at `at` is one pair of brackets, `(…)` or `（…）`,
/// around the whole of it: the parser keeps the brackets in the span of
/// the expression they enclose. The brackets are found by the one scanner,
/// so one inside a text or a comment is not taken for one.
fn written_in_parentheses(source: &str, at: Span) -> bool {
    let Some(text) = source.get(at.start..at.end) else {
        return false;
    };
    if !(text.starts_with(['(', '（']) && text.ends_with([')', '）'])) {
        return false;
    }
    let mut depth = 0usize;
    for token in crate::syntax::scan::scan(text) {
        match token.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return token.span.end == text.len();
                }
            }
            _ => {}
        }
    }
    false
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

    #[test]
    fn parentheses_a_reader_needs() {
        let source = Style::source(Surface::English);
        assert_eq!(in_style("a or b and c", source), "a or (b and c)");
        assert_eq!(in_style("a and b or c", source), "(a and b) or c");
        assert_eq!(in_style("x * y + z > 1", source), "(x * y) + z > 1");
        assert_eq!(in_style("z - x / y in s", source), "z - (x / y) in s");
        // Not compared, or inside a call: as the precedence table says.
        assert_eq!(in_style("x * y + z", source), "x * y + z");
        assert_eq!(
            in_style("min(x * y + z, 1) > 2", source),
            "min(x * y + z, 1) > 2"
        );
    }

    fn as_written(text: &str) -> String {
        let file = SourceFile::new("t", text);
        let e = crate::syntax::parse_expr(&file, &Limits::default()).unwrap();
        let mut row = |_: Span, text: &str| format!("  {text}\n");
        Printer::new(Style::source(Surface::English), Tables::Rows(&mut row))
            .keeping_parentheses(&file.text)
            .print(&e)
    }

    #[test]
    fn parentheses_the_author_wrote_around_an_operation_stay() {
        assert_eq!(as_written("(a * b) + c"), "(a * b) + c");
        assert_eq!(as_written("（a * b） + c"), "(a * b) + c");
        assert_eq!(as_written("((a + b)) * c"), "(a + b) * c");
        assert_eq!(as_written("(a) + (1) + (min(a, b))"), "a + 1 + min(a, b)");
        assert_eq!(as_written("((a + b))"), "a + b");
        assert_eq!(as_written("min((a + b), c)"), "min(a + b, c)");
        assert_eq!(as_written("(a) + (b)"), "a + b");
        assert_eq!(as_written("(not a) and b"), "(not a) and b");
        // Where the operators say it already: left to right, one level.
        assert_eq!(as_written("(a + b) - c"), "a + b - c");
        assert_eq!(as_written("(a or b) or c"), "a or b or c");
        assert_eq!(as_written("a - (b + c)"), "a - (b + c)");
    }

    fn wrapped(text: &str, width: usize) -> String {
        let wrap = Wrap {
            width,
            pad: 0,
            first: 0,
            line0: 0,
        };
        let mut row = |_: Span, text: &str| format!("  {text}\n");
        Printer::new(Style::source(Surface::English), Tables::Rows(&mut row))
            .wrapping(wrap)
            .print(&expr(text))
    }

    #[test]
    fn long_expressions_break_before_their_loosest_operators() {
        assert_eq!(
            wrapped("aaaa and bbbb or cccc", 100),
            "(aaaa and bbbb) or cccc"
        );
        assert_eq!(
            wrapped("aaaa and bbbb or cccc", 12),
            "(aaaa\n    and bbbb)\n  or cccc"
        );
        assert_eq!(
            wrapped("投资额 + 产值 + 税额", 12),
            "投资额\n  + 产值\n  + 税额"
        );
        assert_eq!(
            wrapped("min(aaaa + bbbb, cccc)", 14),
            "min(\n  aaaa + bbbb,\n  cccc\n)"
        );
        assert_eq!(
            wrapped("if aaaa then bbbb else cccc", 12),
            "if aaaa\n  then bbbb\n  else cccc"
        );
        // A range is not broken: `..` has no blanks around it.
        assert_eq!(wrapped("aaaa..bbbb", 4), "aaaa..bbbb");
    }

    #[test]
    fn terminal_columns() {
        assert_eq!(columns("ab"), 2);
        assert_eq!(columns("投资额"), 6);
        assert_eq!(columns("（）"), 4);
    }
}
