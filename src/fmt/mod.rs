//! The formatter: one canonical layout for decree files, in either keyword
//! surface, keeping every comment, every text and the parentheses a reader
//! needs.
//!
//! [`format()`] prints the AST back, keywords spelt from the keyword table in
//! the chosen [`Surface`], literals as they were written. The layout
//! (documented for drafters in `docs/LANGUAGE.md`, "Layout"):
//!
//! - **Comments** stay where they stood: a comment on its own line before
//!   the entry (declaration, field, cite, item, row, test line) that
//!   follows it; an end-of-line comment at the end of the line that now
//!   holds the code it followed (`comments`).
//! - **Blank lines**: one stands where the author left one or more between
//!   entries or comments, never right after a `{`; a block declaration
//!   (policy, enum, chapter, measure, test) is always set apart from its
//!   neighbours by one, as are the measures of a chapter from its cites
//!   and from each other.
//! - **Columns**: consecutive facts, params and enum variants line up their
//!   labels, table rows their `=>`, consecutive lines their end-of-line
//!   comments (`layout`). Test lines are not aligned: they are read one by
//!   one, and a long item name would push the others far right.
//! - **Width**: [`WIDTH`] terminal columns. An item's rule that does not
//!   fit after its `=` goes on the next line, indented; an expression that
//!   does not fit there either breaks before the operators of its loosest
//!   chain (`or`, `and`, `+` …), each continuation one step deeper.
//! - **Parentheses**: those the precedence table needs, those a reader
//!   needs (`and` inside `or`, a product inside a compared sum), and those
//!   the author wrote around an operation (`(a * b) + c`); not around a
//!   name, a literal, a call, a whole rule or the left operand of an
//!   operator of its own level (`(a + b) - c`), and never doubled.
//!
//! Laws (checked by property tests): formatting is idempotent, and parsing
//! the output gives the same AST as parsing the input.
//!
//! Comments are found by the parser's scanner ([`crate::syntax::scan`]) and
//! put back by `comments`; expressions are printed by the one expression
//! printer (`crate::syntax::print`), which explanations and diffs share.

mod across;
mod budget;
mod comments;
mod layout;
mod records;

use comments::{Comments, Entry};
use layout::Column;

use crate::ast::*;
use crate::span::{SourceFile, Span};
use crate::syntax::keywords::{Surface, keyword, spell};
use crate::syntax::print::{Printer as ExprPrinter, STEP, Style, Tables, Wrap, columns};
use crate::value::Unit;

/// How tightly an expression binds, for code that prints expressions
/// itself; the table is [`crate::syntax::precedence`].
#[allow(
    unused_imports,
    reason = "kept for the evaluator's own printing of expressions"
)]
pub(crate) use crate::syntax::precedence::precedence;

/// The widest a formatted line should be, in terminal columns (a label or
/// a text longer than that stays whole).
pub const WIDTH: usize = 100;

/// Formats a parsed file. `source` must be the text `program` was parsed from.
pub fn format(source: &SourceFile, program: &Program, surface: Surface) -> String {
    // The column marks are private-use characters; a source that holds one
    // (in a text or a comment) is formatted without columns, so a mark of
    // the author's is never taken for the formatter's.
    let align = !layout::has_marks(&source.text);
    let note: &'static str = if align { "\u{E001}" } else { "  " };
    let comments = Comments::of(source, note);
    let mut p = Printer {
        source,
        surface,
        trailing: comments.trailing(),
        comments,
        out: String::new(),
        indent: 0,
        align,
        opened: false,
    };
    p.program(program);
    let aligned = if align { layout::align(&p.out) } else { p.out };
    let mut text = aligned.trim_end_matches('\n').to_string();
    text.push('\n');
    text
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
    /// Whether columns are marked for [`layout::align`].
    align: bool,
    /// Where the end-of-line comments stand in the source, in order.
    trailing: Vec<usize>,
    /// The last line written opens a block: no blank line may follow.
    opened: bool,
}

/// `head`, then the label in quotes when there is one, in a column.
fn labelled(mut head: String, label: Option<&Text>, cell: &str) -> String {
    if let Some(l) = label {
        head.push_str(cell);
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

/// Every line of `text` after the first `n` blanks further in (the
/// first too when `first`).
fn indented(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.split('\n')
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Wrapping at [`WIDTH`]: lines after the first start at column `pad`
/// (the first at `first`, on a line indented `line0` past `pad`).
fn wrap_at(pad: usize, first: usize, line0: usize) -> Wrap {
    Wrap {
        width: WIDTH,
        pad,
        first,
        line0,
    }
}

/// The lines of an entry being built, with its marks (see [`Entry`]).
struct Lines {
    text: String,
    marks: Vec<(usize, usize)>,
    /// How many lines the item's rule took.
    rule_lines: usize,
}

impl Lines {
    /// How many lines the text has.
    fn count(&self) -> usize {
        self.text.matches('\n').count() + 1
    }
}

/// Where an item ends: its own span may reach past its last clause, so the
/// clauses say.
fn item_end(item: &Item) -> usize {
    let body = match &item.body {
        ItemBody::Value(e) | ItemBody::AtMost(e) | ItemBody::AtLeast(e) => e,
    };
    [
        Some(body.span.end),
        item.when.as_ref().map(|w| w.span.end),
        item.by.as_ref().map(|b| b.span.end),
        item.concerns.as_ref().map(|c| c.span.end),
        item.each.as_ref().map(|e| e.span.0.end),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(item.span.0.end)
}

/// Marks whose lines are `by` further down.
fn shifted(marks: &[(usize, usize)], by: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    marks.iter().map(move |(end, line)| (*end, line + by))
}

impl Printer<'_> {
    fn kw(&self, rule: &str) -> &'static str {
        spell(rule, self.surface)
    }

    fn pad(&self) -> String {
        "  ".repeat(self.indent)
    }

    /// The mark of `column` between a cell and the next (a blank
    /// without columns).
    fn cell(&self, column: Column) -> String {
        if self.align {
            column.mark().to_string()
        } else {
            " ".to_string()
        }
    }

    /// Appends `text`, without the blank line it may start with where
    /// none may stand (at the start, after a `{`, after another).
    fn emit(&mut self, text: &str) {
        let text = if self.opened || self.out.is_empty() || self.out.ends_with("\n\n") {
            text.trim_start_matches('\n')
        } else {
            text
        };
        if !text.is_empty() {
            self.opened = false;
        }
        self.out.push_str(text);
    }

    /// Own-line comments (and stray trailing ones) before `upto`.
    fn leading(&mut self, upto: usize) {
        let pad = self.pad();
        let lines = self.comments.before(upto, &pad);
        self.emit(&lines);
    }

    /// The lines of an entry of one line starting at `start` and ending
    /// at `end`.
    fn entry(&mut self, start: usize, end: usize, text: &str) {
        self.entry_with(start, end, text, &[], None);
    }

    /// Places the comments before the entry at `start`, and says whether
    /// a blank line goes before it: asked before the entry's own parts
    /// (table rows) are placed.
    fn begin(&mut self, start: usize) -> Option<bool> {
        self.leading(start);
        Some(self.comments.blank_before(start))
    }

    /// The lines of an entry: its leading comments, a blank line where the
    /// author left one, the text, and its end-of-line comments on the lines
    /// `marks` say (see [`Entry`]).
    fn entry_with(
        &mut self,
        start: usize,
        end: usize,
        text: &str,
        marks: &[(usize, usize)],
        blank: Option<bool>,
    ) {
        let pad = self.pad();
        let entry = Entry {
            start,
            end,
            text,
            marks,
            blank,
        };
        let lines = self.comments.entry(&entry, &pad);
        self.emit(&lines);
    }

    /// A header line that opens a block (`measure 1 "…" {`).
    fn open(&mut self, start: usize, end: usize, text: &str) {
        self.entry(start, end, text);
        self.opened = true;
    }

    /// A blank line, as the canonical layout puts between blocks.
    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") && !self.opened {
            self.out.push('\n');
        }
    }

    fn close(&mut self, upto: usize) {
        self.indent += 1;
        self.leading(upto);
        self.indent -= 1;
        let line = format!("{}}}\n", self.pad());
        self.out.push_str(&line);
        self.opened = false;
    }

    // ------------------------------------------------------------ declarations

    fn program(&mut self, program: &Program) {
        let block = |d: &Decl| {
            matches!(
                d,
                Decl::Policy(_)
                    | Decl::Chapter(_)
                    | Decl::Measure(_)
                    | Decl::Test(_)
                    | Decl::Enum(_)
                    | Decl::Record(_)
            )
        };
        let mut previous: Option<&Decl> = None;
        for d in &program.decls {
            if previous.is_some_and(|p| block(p) || block(d)) {
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
            Decl::Chapter(c) => self.chapter(c),
            Decl::Measure(m) => self.measure(m),
            Decl::Include(t) => {
                let text = format!("{} {}", self.kw("include"), quote(t));
                self.entry(t.span.start, t.span.end, &text);
            }
            Decl::Test(t) => self.test(t),
            Decl::Record(r) => self.record(r),
            Decl::Exclusive(g) => self.exclusive(g),
            Decl::Cap(c) => self.cap(c),
            Decl::Budget(b) => self.budget(b),
        }
    }

    fn chapter(&mut self, c: &Chapter) {
        let t = format!(
            "{} {} {} {{",
            self.kw("chapter"),
            c.number.node,
            quote(&c.title)
        );
        self.open(c.number.span.start, c.title.span.end, &t);
        self.indent += 1;
        for cite in &c.cites {
            let t = format!("{} {}", self.kw("cite"), quote(cite));
            self.entry(cite.span.start, cite.span.end, &t);
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

    fn fact(&mut self, f: &FactDecl) {
        let head = format!(
            "{} {}: {}",
            self.kw("fact"),
            f.name.node,
            self.type_ref(&f.ty.node)
        );
        let text = labelled(head, f.label.as_ref(), &self.cell(Column::FactLabel));
        let end = f.label.as_ref().map_or(f.ty.span.end, |l| l.span.end);
        self.entry(f.span.0.start, end, &text);
    }

    fn param(&mut self, p: &ParamDecl) {
        let blank = self.begin(p.span.0.start);
        let head = format!(
            "{} {}: {} = ",
            self.kw("param"),
            p.name.node,
            self.type_ref(&p.ty.node)
        );
        let (value, marks) = match &p.value {
            Some(e) => {
                let pad = self.indent * 2;
                self.expr(e, Some(wrap_at(pad, pad + columns(&head), 0)))
            }
            None => (self.kw("tbd").to_string(), Vec::new()),
        };
        let cell = self.cell(Column::ParamLabel);
        let text = labelled(format!("{head}{value}"), p.label.as_ref(), &cell);
        let end = p.label.as_ref().map_or(p.value_span.0.end, |l| l.span.end);
        self.entry_with(p.span.0.start, end, &text, &marks, blank);
    }

    fn policy(&mut self, h: &PolicyHeader) {
        let t = format!("{} {} {{", self.kw("policy"), quote(&h.title));
        self.open(h.span.0.start, h.title.span.end, &t);
        self.indent += 1;
        if let Some(i) = &h.issued {
            let v = match i.node {
                IssueDate::Tbd => self.kw("tbd").to_string(),
                IssueDate::On(d) => d.to_string(),
            };
            let t = format!("{} {v}", self.kw("issued"));
            self.entry(i.span.start, i.span.end, &t);
        }
        if let Some(v) = &h.valid {
            let lit = literal_after_keyword(self.source.slice(v.span));
            let t = format!("{} {lit}", self.kw("valid"));
            self.entry(v.span.start, v.span.end, &t);
        }
        self.indent -= 1;
        self.close(h.span.0.end);
    }

    fn enum_decl(&mut self, e: &EnumDecl) {
        let t = format!("{} {} {{", self.kw("enum"), e.name.node);
        self.open(e.span.0.start, e.name.span.end, &t);
        self.indent += 1;
        for (name, label) in &e.variants {
            let mut t = labelled(
                name.node.clone(),
                label.as_ref(),
                &self.cell(Column::VariantLabel),
            );
            t.push(',');
            let end = label.as_ref().map_or(name.span.end, |l| l.span.end);
            self.entry(name.span.start, end, &t);
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
                    Unit::Weight => "weight",
                    Unit::MoneyPer(crate::units::PerUnit::Area) => "money_per_area",
                    Unit::MoneyPer(crate::units::PerUnit::Count) => "money_per_count",
                    Unit::MoneyPer(crate::units::PerUnit::Weight) => "money_per_weight",
                    Unit::Duration => "duration",
                    Unit::Date => "date",
                    Unit::Bool => "bool",
                    _ => "text",
                };
                self.kw(rule).to_string()
            }
            TypeRef::Enum(n) => n.node.clone(),
            TypeRef::SetOf(n) => format!("{} {}", self.kw("set_of"), n.node),
            TypeRef::ListOf(n) => format!("{} {}", self.kw("list_of"), n.node),
        }
    }

    fn measure(&mut self, m: &Measure) {
        let t = format!(
            "{} {} {} {{",
            self.kw("measure"),
            m.number.node,
            quote(&m.title)
        );
        self.open(m.span.0.start, m.title.span.end, &t);
        self.indent += 1;
        for e in &m.entries {
            match e {
                MeasureEntry::Cite(c) => {
                    let t = format!("{} {}", self.kw("cite"), quote(c));
                    self.entry(c.span.start, c.span.end, &t);
                }
                MeasureEntry::Item(item) => self.item(item),
            }
        }
        self.indent -= 1;
        self.close(m.span.0.end);
    }

    /// An item: its rule after the `=` when it fits there, else on the
    /// next line one step in (wrapped if it does not fit there either);
    /// then `when`, `by` and `concerns` each on a line one step in.
    fn item(&mut self, item: &Item) {
        // Comments before the item come before it, not inside its tables;
        // its end-of-line comments are its own, not its rows'.
        let blank = self.begin(item.span.0.start);
        self.comments.hold(Some(item.span.0.start));
        let mut lines = self.item_rule(item);
        self.item_clauses(item, &mut lines);
        self.comments.hold(None);
        let (start, end) = (item.span.0.start, item_end(item));
        self.entry_with(start, end, &lines.text, &lines.marks, blank);
    }

    /// `kind name "label" = rule`: the rule after the `=` when it fits
    /// there (with a `by` that joins it), else on the next line one step in.
    fn item_rule(&mut self, item: &Item) -> Lines {
        let kind = self.kw(item.kind.node.keyword());
        let head = labelled(
            format!("{kind} {}", item.name.node),
            item.label.as_ref(),
            " ",
        );
        let (prefix, body) = match &item.body {
            ItemBody::Value(e) => (String::new(), e),
            ItemBody::AtMost(e) => (format!("{} ", self.kw("at_most")), e),
            ItemBody::AtLeast(e) => (format!("{} ", self.kw("at_least")), e),
        };
        let pad = self.indent * 2;
        let after_eq = pad + columns(&head) + 3 + columns(&prefix);
        // A `by` joins the rule's line when there is no `when`: it is
        // measured with the rule.
        let by = match (&item.by, &item.when) {
            (Some(b), None) => 1 + columns(&format!("{} {}", self.kw("by"), b.node)),
            _ => 0,
        };
        // A comment after the `=` ends the head's line: the rule goes below.
        let noted = self
            .comments
            .trailing_between(item.span.0.start, body.span.start);
        if !noted && self.fits(body, after_eq + by) {
            let (rule, marks) = self.expr(body, Some(wrap_at(pad, after_eq, 0)));
            let rule_lines = rule.matches('\n').count() + 1;
            let text = format!("{head} = {prefix}{rule}");
            Lines {
                text,
                marks,
                rule_lines,
            }
        } else {
            let first = pad + STEP + columns(&prefix);
            let (rule, marks) = self.expr(body, Some(wrap_at(pad + STEP, first, 0)));
            let rule_lines = rule.matches('\n').count() + 1;
            let text = format!("{head} =\n{}", indented(&format!("{prefix}{rule}"), STEP));
            let marks = shifted(&marks, 1).collect();
            Lines {
                text,
                marks,
                rule_lines,
            }
        }
    }

    /// `when` on a line of its own one step in; `by` at the end of a rule
    /// of one line with no `when`, `concerns` at the end of an item of one
    /// line, where they fit (and no comment ends the line before them),
    /// else each on a line of its own.
    fn item_clauses(&mut self, item: &Item, lines: &mut Lines) {
        let pad = self.indent * 2;
        let body = match &item.body {
            ItemBody::Value(e) | ItemBody::AtMost(e) | ItemBody::AtLeast(e) => e,
        };
        if let Some(e) = &item.each {
            let each = self.each_clause(e);
            let join = !self
                .comments
                .trailing_between(body.span.end, e.span.0.start);
            self.tail(&mut lines.text, &each, join);
            lines.rule_lines = lines.count();
            lines.marks.push((e.span.0.end, lines.count() - 1));
        }
        if let Some(w) = &item.when {
            let when = self.kw("when");
            let first = pad + STEP + columns(when) + 1;
            let (cond, m) = self.expr(w, Some(wrap_at(pad, first, STEP)));
            lines.marks.extend(shifted(&m, lines.count()));
            lines.text.push_str(&format!("\n  {when} {cond}"));
        }
        let one_line = lines.count() == 1;
        let mut code_end = item.when.as_ref().map_or(body.span.end, |w| w.span.end);
        if let Some(b) = &item.by {
            let by = format!("{} {}", self.kw("by"), b.node);
            let join = item.when.is_none()
                && lines.rule_lines == 1
                && !self.comments.trailing_between(code_end, b.span.start);
            self.tail(&mut lines.text, &by, join);
            code_end = b.span.end;
            lines.marks.push((b.span.end, lines.count() - 1));
        }
        if let Some(c) = &item.concerns {
            let concerns = format!("{} {}", self.kw("concerns"), quote(c));
            let join = one_line
                && lines.count() == 1
                && !self.comments.trailing_between(code_end, c.span.start);
            self.tail(&mut lines.text, &concerns, join);
            lines.marks.push((c.span.end, lines.count() - 1));
        }
    }

    /// `part` (`by …`, `concerns …`) at the end of the last line of an
    /// item's `text` when `join` and it fits there, else on a line of its
    /// own one step in.
    fn tail(&self, text: &mut String, part: &str, join: bool) {
        let last = text.rsplit('\n').next().unwrap_or("");
        let column = self.indent * 2 + columns(last) + 1 + columns(part);
        let table_end = last.trim_start().starts_with('}');
        if join && column <= WIDTH && !table_end {
            text.push(' ');
        } else {
            text.push_str("\n  ");
        }
        text.push_str(part);
    }

    fn test(&mut self, t: &TestDecl) {
        let head = format!("{} {} {{", self.kw("test"), quote(&t.name));
        self.open(t.span.0.start, t.name.span.end, &head);
        self.indent += 1;
        if !t.facts.is_empty() {
            let start = t.facts.first().map_or(0, |(n, _)| n.span.start);
            self.leading(start);
            let line = format!("{}{} {{\n", self.pad(), self.kw("facts"));
            self.emit(&line);
            self.opened = true;
            self.indent += 1;
            for (name, input) in &t.facts {
                self.leading(name.span.start);
                let (v, end) = match input {
                    FactInput::Value(e) => (self.expr(e, None).0, e.span.end),
                    FactInput::List(items) => {
                        let names: Vec<&str> = items.iter().map(|i| i.node.as_str()).collect();
                        let end = items.last().map_or(name.span.end, |i| i.span.end);
                        (format!("[{}]", names.join(", ")), end)
                    }
                    FactInput::Records(records) => {
                        let end = records.last().map_or(name.span.end, |r| r.span.end);
                        (self.records_input(records), end)
                    }
                };
                let text = format!("{} = {v}", name.node);
                self.entry(name.span.start, end, &text);
            }
            self.indent -= 1;
            let line = format!("{}}}\n", self.pad());
            self.out.push_str(&line);
            self.opened = false;
        }
        for (name, e) in &t.sets {
            let n = if name.node == "issued" {
                self.kw("issued").to_string()
            } else {
                name.node.clone()
            };
            let value = self.expr(e, None).0;
            let text = format!("{} {n} = {value}", self.kw("set"));
            self.entry(name.span.start, e.span.end, &text);
        }
        if let Some(at) = &t.at {
            let text = format!("{} {}", self.kw("at"), at.node);
            self.entry(at.span.start, at.span.end, &text);
        }
        for x in &t.expects {
            let want = self.expected(&x.want);
            let text = format!("{} {} = {want}", self.kw("expect"), x.item.node);
            let end = match &x.want {
                Expected::Status(s, by) => by.last().map_or(s.span.end, |b| b.span.end),
                Expected::Value(
                    ItemBody::Value(e) | ItemBody::AtMost(e) | ItemBody::AtLeast(e),
                ) => e.span.end,
            };
            self.entry(x.span.0.start, end, &text);
        }
        self.indent -= 1;
        self.close(t.span.0.end);
    }

    /// What a test line expects, after its `=`.
    fn expected(&mut self, want: &Expected) -> String {
        match want {
            Expected::Status(s, by) => {
                let rule = s.node.keyword();
                let mut w = self.kw(rule).to_string();
                if !by.is_empty() {
                    let names: Vec<&str> = by.iter().map(|b| b.node.as_str()).collect();
                    w.push_str(&format!(" {} {}", self.kw("by"), names.join(", ")));
                }
                w
            }
            Expected::Value(ItemBody::Value(e)) => self.expr(e, None).0,
            Expected::Value(ItemBody::AtMost(e)) => {
                format!("{} {}", self.kw("at_most"), self.expr(e, None).0)
            }
            Expected::Value(ItemBody::AtLeast(e)) => {
                format!("{} {}", self.kw("at_least"), self.expr(e, None).0)
            }
        }
    }

    // ------------------------------------------------------------ expressions

    /// An expression, wrapped as `wrap` says, and its marks (where its
    /// names and literals end in the source, and on which of its lines
    /// they stand); the rows of its tables carry their comments, indented
    /// one step inside the entry, their `=>` in a column.
    fn expr(&mut self, e: &Expr, wrap: Option<Wrap>) -> (String, Vec<(usize, usize)>) {
        let style = Style::source(self.surface);
        let gap = self.cell(Column::RowArrow);
        let (source, comments) = (self.source, &mut self.comments);
        let mut row = |at: Span, text: &str| {
            let entry = Entry {
                start: at.start,
                end: at.start,
                text,
                marks: &[],
                blank: None,
            };
            comments.entry(&entry, "  ")
        };
        let mut printer = ExprPrinter::new(style, Tables::Rows(&mut row))
            .keeping_parentheses(&source.text)
            .breaking_at(&self.trailing)
            .row_gap(&gap);
        if let Some(wrap) = wrap {
            printer = printer.wrapping(wrap);
        }
        let text = printer.print(e);
        let marks = printer.marks().to_vec();
        (text, marks)
    }

    /// Whether `e` fits on one line from column `first` (up to the `{` of
    /// its first table, if it has one: the rows go on lines of their own).
    fn fits(&self, e: &Expr, first: usize) -> bool {
        let text = ExprPrinter::new(Style::source(self.surface), Tables::Elided)
            .keeping_parentheses(&self.source.text)
            .print(e);
        let head = text
            .find(" {…}")
            .map_or(text.as_str(), |i| text.get(..i + 2).unwrap_or(&text));
        first + columns(head) <= WIDTH
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
