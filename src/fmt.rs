//! The formatter: one canonical layout for decree files, in either keyword
//! surface, keeping every comment and every text.
//!
//! [`format`] prints the AST back, keywords spelt from the keyword table in
//! the chosen [`Surface`], literals as they were written, and each comment
//! where it stood: a comment on its own line before the entry (declaration,
//! field, cite, item, row, test line) that follows it; a comment after code
//! at the end of the first line of the entry that starts on its line.
//! Laws (checked by property tests): formatting is idempotent, and parsing
//! the output gives the same AST as parsing the input.

use crate::ast::*;
use crate::span::{SourceFile, Span};
use crate::syntax::keywords::{Surface, keyword};
use crate::syntax::scan::{TokenKind, scan};
use crate::value::Unit;

/// A `#` comment found in the source.
#[derive(Debug, Clone)]
struct Comment {
    offset: usize,
    line: usize,
    /// The text from `#` to the end of the line, trailing blanks removed.
    text: String,
    /// Code stands before it on its line.
    trailing: bool,
    used: bool,
}

/// Every comment of a source, where the grammar sees them (see
/// [`crate::syntax::scan`]).
fn comments(source: &SourceFile) -> Vec<Comment> {
    scan(&source.text)
        .filter_map(|token| match token.kind {
            TokenKind::Comment { after_code, line } => Some(Comment {
                offset: token.span.start,
                line,
                text: source.slice(token.span).trim_end().to_string(),
                trailing: after_code,
                used: false,
            }),
            _ => None,
        })
        .collect()
}

/// Formats a parsed file. `source` must be the text `program` was parsed from.
pub fn format(source: &SourceFile, program: &Program, surface: Surface) -> String {
    let mut p = Printer {
        source,
        surface,
        comments: comments(source),
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

struct Printer<'s> {
    source: &'s SourceFile,
    surface: Surface,
    comments: Vec<Comment>,
    out: String,
    indent: usize,
}

/// How tightly an expression binds (the Pratt table of `syntax::lower`), for
/// parentheses when printing.
pub(crate) fn precedence(e: &Expr) -> u8 {
    match &e.node {
        ExprKind::Binary(op, ..) => match op {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Cmp(_) | BinaryOp::In => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div => 6,
            BinaryOp::Range => 7,
        },
        ExprKind::Unary(UnaryOp::Not | UnaryOp::Soft, _) => 3,
        ExprKind::Unary(UnaryOp::Neg, _) => 8,
        ExprKind::If(..) => 0,
        _ => 9,
    }
}

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
        keyword(rule).map_or("", |k| k.spelling(self.surface))
    }

    fn line_of(&self, offset: usize) -> usize {
        self.source.line_col(offset).0
    }

    /// Own-line comments (and stray trailing ones) before `upto`.
    fn leading(&mut self, upto: usize) {
        let pad = "  ".repeat(self.indent);
        for c in self.comments.iter_mut() {
            if !c.used && c.offset < upto {
                c.used = true;
                self.out.push_str(&pad);
                self.out.push_str(&c.text);
                self.out.push('\n');
            }
        }
    }

    /// One output line for the entry starting at `start`: its leading
    /// comments, the text, and the trailing comment of its first line.
    fn entry(&mut self, start: usize, text: &str) {
        self.leading(start);
        let line = self.line_of(start);
        let pad = "  ".repeat(self.indent);
        let mut lines = text.split('\n');
        let first = lines.next().unwrap_or("");
        self.out.push_str(&pad);
        self.out.push_str(first);
        if let Some(c) = self
            .comments
            .iter_mut()
            .find(|c| !c.used && c.trailing && c.line == line && c.offset > start)
        {
            c.used = true;
            self.out.push_str("  ");
            self.out.push_str(&c.text);
        }
        self.out.push('\n');
        for l in lines {
            if l.is_empty() {
                self.out.push('\n');
            } else {
                self.out.push_str(&pad);
                self.out.push_str(l);
                self.out.push('\n');
            }
        }
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
        self.out.push_str(&"  ".repeat(self.indent));
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
            Decl::Fact(f) => {
                let mut t = format!(
                    "{} {}: {}",
                    self.kw("fact"),
                    f.name.node,
                    self.type_ref(&f.ty.node)
                );
                if let Some(l) = &f.label {
                    t.push(' ');
                    t.push_str(&quote(l));
                }
                self.entry(f.span.0.start, &t);
            }
            Decl::Param(p) => {
                self.leading(p.span.0.start);
                let value = match &p.value {
                    Some(e) => self.expr(e),
                    None => self.kw("tbd").to_string(),
                };
                let mut t = format!(
                    "{} {}: {} = {value}",
                    self.kw("param"),
                    p.name.node,
                    self.type_ref(&p.ty.node)
                );
                if let Some(l) = &p.label {
                    t.push(' ');
                    t.push_str(&quote(l));
                }
                self.entry(p.span.0.start, &t);
            }
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
            let mut t = name.node.clone();
            if let Some(l) = label {
                t.push(' ');
                t.push_str(&quote(l));
            }
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
        let mut head = format!("{kind} {}", item.name.node);
        if let Some(l) = &item.label {
            head.push(' ');
            head.push_str(&quote(l));
        }
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
            self.out.push_str(&"  ".repeat(self.indent));
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
            self.out.push_str(&"  ".repeat(self.indent));
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

    fn expr(&mut self, e: &Expr) -> String {
        let mut s = String::new();
        self.write(e, &mut s);
        s
    }

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
            ExprKind::Name(n) => out.push_str(n),
            ExprKind::Unary(op, x) => {
                match op {
                    UnaryOp::Neg => out.push('-'),
                    UnaryOp::Not => {
                        out.push_str(self.kw("not"));
                        out.push(' ');
                    }
                    UnaryOp::Soft => {
                        out.push_str(self.kw("soft"));
                        out.push(' ');
                    }
                }
                self.child(x, precedence(e), out);
            }
            ExprKind::Binary(op, l, r) => {
                let p = precedence(e);
                self.child(l, p, out);
                let sym = match op {
                    BinaryOp::Add => " + ".to_string(),
                    BinaryOp::Sub => " - ".to_string(),
                    BinaryOp::Mul => " * ".to_string(),
                    BinaryOp::Div => " / ".to_string(),
                    BinaryOp::Range => "..".to_string(),
                    BinaryOp::Cmp(c) => format!(" {} ", c.symbol()),
                    BinaryOp::And => format!(" {} ", self.kw("and")),
                    BinaryOp::Or => format!(" {} ", self.kw("or")),
                    BinaryOp::In => format!(" {} ", self.kw("in")),
                };
                out.push_str(&sym);
                self.child(r, p + 1, out);
            }
            ExprKind::If(c, t, f) => {
                out.push_str(self.kw("if"));
                out.push(' ');
                self.write(c, out);
                out.push(' ');
                out.push_str(self.kw("then"));
                out.push(' ');
                self.write(t, out);
                out.push(' ');
                out.push_str(self.kw("else"));
                out.push(' ');
                self.write(f, out);
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
                match &t.prior {
                    Some(p) => {
                        out.push_str(self.kw("first_reaching"));
                        out.push(' ');
                        self.write(&t.subject, out);
                        out.push(' ');
                        out.push_str(self.kw("over"));
                        out.push(' ');
                        self.write(p, out);
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
                out.push_str(" {\n");
                for (th, v) in &t.rows {
                    let text = format!("{} => {}", self.expr(th), self.expr(v));
                    let row = self.row(th.span, &text);
                    out.push_str(&row);
                }
                if let Some(o) = &t.otherwise {
                    let text = format!("{} => {}", self.kw("else"), self.expr(o));
                    let row = self.row(o.span, &text);
                    out.push_str(&row);
                }
                out.push('}');
            }
            ExprKind::Schedule(s) => {
                out.push_str(self.kw("schedule"));
                out.push(' ');
                self.write(&s.base, out);
                out.push_str(" {\n");
                for (b, r) in &s.brackets {
                    let text = format!("{} => {}", self.expr(b), self.expr(r));
                    let row = self.row(b.span, &text);
                    out.push_str(&row);
                }
                if let Some(a) = &s.above {
                    let text = format!("{} => {}", self.kw("above"), self.expr(a));
                    let row = self.row(a.span, &text);
                    out.push_str(&row);
                }
                out.push('}');
            }
        }
    }

    /// A table row inside an expression, indented one step, with its comments.
    fn row(&mut self, at: Span, text: &str) -> String {
        let mut s = String::new();
        let line = self.line_of(at.start);
        for c in self.comments.iter_mut() {
            if !c.used && c.offset < at.start {
                c.used = true;
                s.push_str("  ");
                s.push_str(&c.text);
                s.push('\n');
            }
        }
        let mut lines = text.split('\n');
        s.push_str("  ");
        s.push_str(lines.next().unwrap_or(""));
        if let Some(c) = self
            .comments
            .iter_mut()
            .find(|c| !c.used && c.trailing && c.line == line && c.offset > at.start)
        {
            c.used = true;
            s.push_str("  ");
            s.push_str(&c.text);
        }
        s.push('\n');
        for l in lines {
            s.push_str("  ");
            s.push_str(l);
            s.push('\n');
        }
        s
    }
}

/// An expression as decree text (English keywords), without comments.
pub fn expr_text(e: &Expr) -> String {
    let source = SourceFile::new("", "");
    let mut p = Printer {
        source: &source,
        surface: Surface::English,
        comments: Vec::new(),
        out: String::new(),
        indent: 0,
    };
    p.expr(e)
        .replace('\n', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
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
