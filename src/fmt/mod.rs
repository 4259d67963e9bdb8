//! The formatter: one canonical layout for decree files, in either keyword
//! surface, keeping every comment and every text.
//!
//! [`format()`] prints the AST back, keywords spelt from the keyword table in
//! the chosen [`Surface`], literals as they were written, and each comment
//! where it stood: a comment on its own line before the entry (declaration,
//! field, cite, item, row, test line) that follows it; a comment after code
//! at the end of the first line of the entry that starts on its line.
//! Laws (checked by property tests): formatting is idempotent, and parsing
//! the output gives the same AST as parsing the input.
//!
//! Comments are found by the parser's scanner ([`crate::syntax::scan`]) and
//! put back by `comments`; expressions are printed by the one expression
//! printer (`crate::syntax::print`), which explanations and diffs share.

mod comments;

use comments::Comments;

use crate::ast::*;
use crate::span::{SourceFile, Span};
use crate::syntax::keywords::{Surface, keyword, spell};
use crate::syntax::print::{Printer as ExprPrinter, Style, Tables};
use crate::value::Unit;

/// How tightly an expression binds, for code that prints expressions
/// itself; the table is [`crate::syntax::precedence`].
#[allow(
    unused_imports,
    reason = "kept for the evaluator's own printing of expressions"
)]
pub(crate) use crate::syntax::precedence::precedence;

/// Formats a parsed file. `source` must be the text `program` was parsed from.
pub fn format(source: &SourceFile, program: &Program, surface: Surface) -> String {
    let mut p = Printer {
        source,
        surface,
        comments: Comments::of(source),
        out: String::new(),
        indent: 0,
    };
    p.program(program);
    p.out
}

/// The surface a file is mostly written in: Chinese when more declarations
/// start with a Chinese keyword than with an English one.
pub fn detect_surface(text: &str) -> Surface {
    let decls = [
        "policy", "fact", "param", "enum", "measure", "chapter", "test", "include", "cite",
    ];
    let (mut en, mut zh) = (0, 0);
    for line in text.lines() {
        let first = line.split_whitespace().next().unwrap_or("");
        for d in decls {
            if let Some(k) = keyword(d) {
                if first == k.english {
                    en += 1;
                } else if first == k.chinese {
                    zh += 1;
                }
            }
        }
    }
    if zh > en {
        Surface::Chinese
    } else {
        Surface::English
    }
}

/// Prints the declarations of one file, with its comments.
struct Printer<'s> {
    source: &'s SourceFile,
    surface: Surface,
    comments: Comments,
    out: String,
    indent: usize,
}

/// `head`, then the label in quotes when there is one.
fn labelled(mut head: String, label: Option<&Text>) -> String {
    if let Some(l) = label {
        head.push(' ');
        head.push_str(&quote(l));
    }
    head
}

/// A text in quotes, escaped as the grammar reads it back.
fn quote(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

impl Printer<'_> {
    fn kw(&self, rule: &str) -> &'static str {
        spell(rule, self.surface)
    }

    fn pad(&self) -> String {
        "  ".repeat(self.indent)
    }

    /// Own-line comments (and stray trailing ones) before `upto`.
    fn leading(&mut self, upto: usize) {
        let pad = self.pad();
        let lines = self.comments.before(upto, &pad);
        self.out.push_str(&lines);
    }

    /// The lines of the entry starting at `start`: its leading comments,
    /// the text, and the trailing comment of its first line.
    fn entry(&mut self, start: usize, text: &str) {
        let pad = self.pad();
        let line = self.source.line_col(start).0;
        let lines = self.comments.entry(line, start, text, &pad);
        self.out.push_str(&lines);
    }

    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn close(&mut self, upto: usize) {
        self.indent += 1;
        self.leading(upto);
        self.indent -= 1;
        self.out.push_str(&self.pad());
        self.out.push_str("}\n");
    }

    // ------------------------------------------------------------ declarations

    fn program(&mut self, program: &Program) {
        let mut previous: Option<&Decl> = None;
        for d in &program.decls {
            let spaced = matches!(
                d,
                Decl::Policy(_)
                    | Decl::Chapter(_)
                    | Decl::Measure(_)
                    | Decl::Test(_)
                    | Decl::Enum(_)
            ) || !matches!(
                (previous, d),
                (Some(Decl::Fact(_)), Decl::Fact(_)) | (Some(Decl::Param(_)), Decl::Param(_))
            );
            if spaced && previous.is_some() {
                self.blank();
            }
            self.decl(d);
            previous = Some(d);
        }
        self.leading(usize::MAX);
    }

    fn decl(&mut self, d: &Decl) {
        match d {
            Decl::Policy(h) => self.policy(h),
            Decl::Enum(e) => self.enum_decl(e),
            Decl::Fact(f) => self.fact(f),
            Decl::Param(p) => self.param(p),
            Decl::Chapter(c) => {
                let t = format!(
                    "{} {} {} {{",
                    self.kw("chapter"),
                    c.number.node,
                    quote(&c.title)
                );
                self.entry(c.number.span.start, &t);
                self.indent += 1;
                for cite in &c.cites {
                    let t = format!("{} {}", self.kw("cite"), quote(cite));
                    self.entry(cite.span.start, &t);
                }
                for (i, m) in c.measures.iter().enumerate() {
                    if i > 0 || !c.cites.is_empty() {
                        self.blank();
                    }
                    self.measure(m);
                }
                self.indent -= 1;
                let end = c.measures.last().map_or(c.title.span.end, |m| m.span.0.end);
                self.close(end);
            }
            Decl::Measure(m) => self.measure(m),
            Decl::Include(t) => {
                let text = format!("{} {}", self.kw("include"), quote(t));
                self.entry(t.span.start, &text);
            }
            Decl::Test(t) => self.test(t),
        }
    }

    fn fact(&mut self, f: &FactDecl) {
        let head = format!(
            "{} {}: {}",
            self.kw("fact"),
            f.name.node,
            self.type_ref(&f.ty.node)
        );
        self.entry(f.span.0.start, &labelled(head, f.label.as_ref()));
    }

    fn param(&mut self, p: &ParamDecl) {
        self.leading(p.span.0.start);
        let value = match &p.value {
            Some(e) => self.expr(e),
            None => self.kw("tbd").to_string(),
        };
        let head = format!(
            "{} {}: {} = {value}",
            self.kw("param"),
            p.name.node,
            self.type_ref(&p.ty.node)
        );
        self.entry(p.span.0.start, &labelled(head, p.label.as_ref()));
    }

    fn policy(&mut self, h: &PolicyHeader) {
        let t = format!("{} {} {{", self.kw("policy"), quote(&h.title));
        self.entry(h.span.0.start, &t);
        self.indent += 1;
        if let Some(i) = &h.issued {
            let v = match i.node {
                IssueDate::Tbd => self.kw("tbd").to_string(),
                IssueDate::On(d) => d.to_string(),
            };
            let t = format!("{} {v}", self.kw("issued"));
            self.entry(i.span.start, &t);
        }
        if let Some(v) = &h.valid {
            let lit = literal_after_keyword(self.source.slice(v.span));
            let t = format!("{} {lit}", self.kw("valid"));
            self.entry(v.span.start, &t);
        }
        self.indent -= 1;
        self.close(h.span.0.end);
    }

    fn enum_decl(&mut self, e: &EnumDecl) {
        let t = format!("{} {} {{", self.kw("enum"), e.name.node);
        self.entry(e.span.0.start, &t);
        self.indent += 1;
        for (name, label) in &e.variants {
            let mut t = labelled(name.node.clone(), label.as_ref());
            t.push(',');
            self.entry(name.span.start, &t);
        }
        self.indent -= 1;
        self.close(e.span.0.end);
    }

    fn type_ref(&self, t: &TypeRef) -> String {
        match t {
            TypeRef::Unit(u) => {
                let rule = match u {
                    Unit::Money => "money",
                    Unit::Rate => "rate",
                    Unit::Count => "count",
                    Unit::Area => "area",
                    Unit::Duration => "duration",
                    Unit::Date => "date",
                    Unit::Bool => "bool",
                    _ => "text",
                };
                self.kw(rule).to_string()
            }
            TypeRef::Enum(n) => n.node.clone(),
            TypeRef::SetOf(n) => format!("{} {}", self.kw("set_of"), n.node),
        }
    }

    fn measure(&mut self, m: &Measure) {
        let t = format!(
            "{} {} {} {{",
            self.kw("measure"),
            m.number.node,
            quote(&m.title)
        );
        self.entry(m.span.0.start, &t);
        self.indent += 1;
        let mut after_item = false;
        for e in &m.entries {
            match e {
                MeasureEntry::Cite(c) => {
                    if after_item {
                        self.blank();
                        after_item = false;
                    }
                    let t = format!("{} {}", self.kw("cite"), quote(c));
                    self.entry(c.span.start, &t);
                }
                MeasureEntry::Item(item) => {
                    self.item(item);
                    after_item = true;
                }
            }
        }
        self.indent -= 1;
        self.close(m.span.0.end);
    }

    fn item(&mut self, item: &Item) {
        // Comments before the item come before it, not inside its tables.
        self.leading(item.span.0.start);
        let kind = self.kw(item.kind.node.keyword());
        let head = labelled(format!("{kind} {}", item.name.node), item.label.as_ref());
        let body = match &item.body {
            ItemBody::Value(e) => self.expr(e),
            ItemBody::AtMost(e) => format!("{} {}", self.kw("at_most"), self.expr(e)),
            ItemBody::AtLeast(e) => format!("{} {}", self.kw("at_least"), self.expr(e)),
        };
        let mut text = format!("{head} = {body}");
        if let Some(w) = &item.when {
            text.push_str(&format!("\n  {} {}", self.kw("when"), self.expr(w)));
        }
        if let Some(b) = &item.by {
            text.push_str(&format!("\n  {} {}", self.kw("by"), b.node));
        }
        if let Some(c) = &item.concerns {
            text.push_str(&format!("\n  {} {}", self.kw("concerns"), quote(c)));
        }
        self.entry(item.span.0.start, &text);
    }

    fn test(&mut self, t: &TestDecl) {
        let head = format!("{} {} {{", self.kw("test"), quote(&t.name));
        self.entry(t.span.0.start, &head);
        self.indent += 1;
        if !t.facts.is_empty() {
            let start = t.facts.first().map_or(0, |(n, _)| n.span.start);
            self.leading(start);
            self.out.push_str(&self.pad());
            self.out.push_str(&format!("{} {{\n", self.kw("facts")));
            self.indent += 1;
            for (name, input) in &t.facts {
                self.leading(name.span.start);
                let v = match input {
                    FactInput::Value(e) => self.expr(e),
                    FactInput::List(items) => {
                        let names: Vec<&str> = items.iter().map(|i| i.node.as_str()).collect();
                        format!("[{}]", names.join(", "))
                    }
                };
                self.entry(name.span.start, &format!("{} = {v}", name.node));
            }
            self.indent -= 1;
            self.out.push_str(&self.pad());
            self.out.push_str("}\n");
        }
        for (name, e) in &t.sets {
            let n = if name.node == "issued" {
                self.kw("issued").to_string()
            } else {
                name.node.clone()
            };
            let text = format!("{} {n} = {}", self.kw("set"), self.expr(e));
            self.entry(name.span.start, &text);
        }
        if let Some(at) = &t.at {
            let text = format!("{} {}", self.kw("at"), at.node);
            self.entry(at.span.start, &text);
        }
        for x in &t.expects {
            let want = match &x.want {
                Expected::Status(s, by) => {
                    let rule = match s.node {
                        ExpectStatus::Granted => "granted",
                        ExpectStatus::Ineligible => "ineligible",
                        ExpectStatus::Undetermined => "undetermined",
                        ExpectStatus::NotInForce => "not_in_force",
                        ExpectStatus::Met => "met",
                        ExpectStatus::NotMet => "not_met",
                        ExpectStatus::Listed => "listed",
                    };
                    let mut w = self.kw(rule).to_string();
                    if !by.is_empty() {
                        let names: Vec<&str> = by.iter().map(|b| b.node.as_str()).collect();
                        w.push_str(&format!(" {} {}", self.kw("by"), names.join(", ")));
                    }
                    w
                }
                Expected::Value(ItemBody::Value(e)) => self.expr(e),
                Expected::Value(ItemBody::AtMost(e)) => {
                    format!("{} {}", self.kw("at_most"), self.expr(e))
                }
                Expected::Value(ItemBody::AtLeast(e)) => {
                    format!("{} {}", self.kw("at_least"), self.expr(e))
                }
            };
            let text = format!("{} {} = {want}", self.kw("expect"), x.item.node);
            self.entry(x.span.0.start, &text);
        }
        self.indent -= 1;
        self.close(t.span.0.end);
    }

    // ------------------------------------------------------------ expressions

    /// An expression; the rows of its tables carry their comments, indented
    /// one step inside the entry.
    fn expr(&mut self, e: &Expr) -> String {
        let style = Style::source(self.surface);
        let (source, comments) = (self.source, &mut self.comments);
        let mut row = |at: Span, text: &str| {
            let line = source.line_col(at.start).0;
            comments.entry(line, at.start, text, "  ")
        };
        ExprPrinter::new(style, Tables::Rows(&mut row)).print(e)
    }
}

/// An expression as decree text on one line (English keywords), without
/// comments.
pub fn expr_text(e: &Expr) -> String {
    let mut row = |_: Span, text: &str| format!("{text}\n");
    let text = ExprPrinter::new(Style::source(Surface::English), Tables::Rows(&mut row)).print(e);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The literal of a `valid` field as written, after its keyword: the
/// grammar lets whitespace (including U+3000 and U+FEFF, which are not
/// Unicode white space to Rust) and comments stand between the two; the
/// comments are placed by the comment pass, so they are skipped here.
fn literal_after_keyword(field: &str) -> String {
    let is_space = |c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{FEFF}';
    let mut rest = field.trim_start_matches(|c: char| !is_space(c) && c != '#');
    loop {
        rest = rest.trim_start_matches(is_space);
        match rest.strip_prefix('#') {
            Some(comment) => rest = comment.split_once('\n').map_or("", |(_, after)| after),
            None => break,
        }
    }
    rest.split(is_space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    fn expr(text: &str) -> Expr {
        crate::syntax::parse_expr(&SourceFile::new("t", text), &Limits::default()).unwrap()
    }

    #[test]
    fn expr_text_is_one_line_of_english_decree() {
        assert_eq!(
            expr_text(&expr("分档 x ｛\n 1万 => 取小(a, b)，\n 否则 => 0元 ｝")),
            "tiers x { 1万 => min(a, b) else => 0元 }"
        );
        assert_eq!(
            expr_text(&expr("schedule x { 1 => tiers y { 2 => 3 } above => 4 }")),
            "schedule x { 1 => tiers y { 2 => 3 } above => 4 }"
        );
    }
}
