//! Questions about a place in a document: what the word there is (hover),
//! where it is declared (definition), where it is used (references); and
//! outlines: a document's symbols, a workspace's symbols matching a query.
//!
//! Names in decree are global to a policy (no local scopes), so a word is
//! found by the one scanner ([`crate::syntax::scan`]: texts and comments are
//! never words) and resolved through the checked policy's table of names.

use std::sync::Arc;

use super::{Document, LineIndex, Position, Range};
use crate::ast::{Decl, Measure, MeasureEntry, Program, Symbol as Sym};
use crate::check::Policy;
use crate::span::{SourceFile, Span};
use crate::syntax::keywords::{KEYWORDS, Keyword, Surface};
use crate::syntax::scan::{TokenKind, scan};

/// A range in a named file: this document or the policy it includes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file's name, as the document or the host's `include` answer gave it.
    pub file: Arc<str>,
    /// Where in it.
    pub range: Range,
}

/// What a hover shows: Markdown text and the range of the word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    /// Markdown.
    pub markdown: String,
    /// The word hovered.
    pub range: Range,
}

/// What an outline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    /// A chapter of measures.
    Chapter,
    /// A measure.
    Measure,
    /// An item of a measure.
    Item,
    /// A fact.
    Fact,
    /// A param.
    Param,
    /// An enumeration.
    Enum,
    /// A test.
    Test,
    /// A record type (its fields are its children).
    Record,
    /// A field of a record type.
    Field,
    /// A stacking group (`exclusive`, 就高不重复).
    Group,
    /// A cumulative cap (`cap`, 累计上限).
    Cap,
    /// A budget shared by a population (`budget`).
    Budget,
}

/// One entry of a document's outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// The name shown (a measure's number and title, an item's name).
    pub name: String,
    /// More about it (a label), if any.
    pub detail: Option<String>,
    /// What it is.
    pub kind: SymbolKind,
    /// The whole declaration.
    pub range: Range,
    /// Its name.
    pub selection: Range,
    /// What it holds (a chapter's measures, a measure's items).
    pub children: Vec<Symbol>,
}

/// A word at a place: a name or a keyword.
pub(super) enum Word<'t> {
    Name(&'t str, Span),
    Keyword(&'static Keyword, Span),
}

impl Document {
    /// What the word at `at` is: a fact (its type and label), a param (its
    /// value or `tbd`), an item (kind, label, cited text and, given an
    /// `example` enterprise's facts, its value there explained), an
    /// enumeration value, or a keyword (what it means, in the file's
    /// surface).
    pub fn hover(&self, at: Position, example: Option<&SourceFile>) -> Option<Hover> {
        let offset = self.index.offset(at);
        let (markdown, span) = match word_at(self.text(), offset)? {
            Word::Keyword(k, span) => (
                keyword_doc(k, crate::fmt::detect_surface(self.text())),
                span,
            ),
            Word::Name(name, span) => {
                let policy = &self.policy.as_ref()?.policy;
                let symbol = policy
                    .lookup(name)
                    .or_else(|| field_at(policy, self.text(), span, name));
                let Some(symbol) = symbol else {
                    // A group, cap or budget: named, but not in the table.
                    let across = super::across::named(policy, name)?;
                    return Some(Hover {
                        markdown: across.describe(policy),
                        range: self.index.range(span),
                    });
                };
                let mut text = describe(policy, symbol);
                if let (Sym::Item(_), Some(facts)) = (symbol, example) {
                    text.push_str(&self.on_example(name, facts));
                }
                (text, span)
            }
        };
        Some(Hover {
            markdown,
            range: self.index.range(span),
        })
    }

    /// Where the name at `at` is declared.
    pub fn definition(&self, at: Position) -> Option<Location> {
        let checked = self.policy.as_ref()?;
        let Word::Name(name, _) = word_at(self.text(), self.index.offset(at))? else {
            return None;
        };
        let span = declared(&checked.policy, name)?;
        Some(Location {
            file: checked.policy.source.name.clone(),
            range: checked.index.range(span),
        })
    }

    /// Every use of the name at `at`, in this document and (for a file of
    /// tests) the policy it includes; with its declaration when
    /// `with_declaration`.
    pub fn references(&self, at: Position, with_declaration: bool) -> Vec<Location> {
        let Some(checked) = self.policy.as_ref() else {
            return Vec::new();
        };
        let Some(Word::Name(name, _)) = word_at(self.text(), self.index.offset(at)) else {
            return Vec::new();
        };
        let Some(declared) = declared(&checked.policy, name) else {
            return Vec::new();
        };
        let declared = Some(declared);
        let mut out = Vec::new();
        let policy_file = &checked.policy.source.name;
        for span in uses(&checked.policy.source.text, name) {
            if with_declaration || Some(span) != declared {
                out.push(Location {
                    file: policy_file.clone(),
                    range: checked.index.range(span),
                });
            }
        }
        if *policy_file != self.source.name {
            out.extend(uses(self.text(), name).map(|span| Location {
                file: self.source.name.clone(),
                range: self.index.range(span),
            }));
        }
        out
    }

    /// The name at `at`, when the last checked policy declares it.
    pub fn name_at(&self, at: Position) -> Option<&str> {
        let checked = self.policy.as_ref()?;
        match word_at(self.text(), self.index.offset(at))? {
            Word::Name(name, _) => declared(&checked.policy, name).map(|_| name),
            Word::Keyword(..) => None,
        }
    }

    /// The name of the file whose policy this document's names mean: its
    /// own, or (for a file of tests) the one it includes; `None` before
    /// any has checked.
    pub fn policy_file(&self) -> Option<&str> {
        Some(&self.policy.as_ref()?.policy.source.name)
    }

    /// Every place `name` is written in this document's own text (not in
    /// the policy it includes): how a host finds a policy's names in the
    /// other documents that include it.
    pub fn uses_of(&self, name: &str) -> Vec<Location> {
        uses(self.text(), name)
            .map(|span| Location {
                file: self.source.name.clone(),
                range: self.index.range(span),
            })
            .collect()
    }

    /// The outline of the current text: chapters, their measures and
    /// items; facts, params, enumerations and tests. Empty when the text
    /// does not parse.
    pub fn symbols(&self) -> Vec<Symbol> {
        self.program
            .as_ref()
            .map_or_else(Vec::new, |p| outline(&self.index, p))
    }
}

/// A file that is not open, as far as renaming a policy's names needs it:
/// the path its `include` names (as written), if it parses and has one.
/// Parsed only: its tests are not run.
pub fn included_by(text: &str) -> Option<String> {
    let source = crate::span::SourceFile::new("", text);
    let program = crate::syntax::parse(&source, &crate::Limits::default()).ok()?;
    let include = crate::testing::include_of(&source, &program).ok()??;
    Some(include.node.clone())
}

/// Every place `name` is written in `text`, the code of the file named
/// `file` that is not open (comments and texts left out).
pub fn uses_in(file: &str, text: &str, name: &str) -> Vec<Location> {
    let index = LineIndex::new(text);
    let file: Arc<str> = Arc::from(file);
    uses(text, name)
        .map(|span| Location {
            file: file.clone(),
            range: index.range(span),
        })
        .collect()
}

/// The outline of a file that is not open (a workspace's other files):
/// parsed only, neither checked nor tested. Empty when it does not parse.
pub fn outline_of(text: &str) -> Vec<Symbol> {
    let source = crate::span::SourceFile::new("", text);
    match crate::syntax::parse(&source, &crate::Limits::default()) {
        Ok(program) => outline(&LineIndex::new(source.text.clone()), &program),
        Err(_) => Vec::new(),
    }
}

/// The symbols of `outline`, nested ones included, whose name or label
/// holds `query` (ignoring case; an empty query matches all), each with
/// the name of the symbol it stands in.
pub fn matching<'s>(outline: &'s [Symbol], query: &str) -> Vec<(&'s Symbol, Option<&'s str>)> {
    let query = query.to_lowercase();
    let holds = |s: &Symbol| {
        s.name.to_lowercase().contains(&query)
            || s.detail
                .as_ref()
                .is_some_and(|d| d.to_lowercase().contains(&query))
    };
    let mut out = Vec::new();
    let mut stack: Vec<(&Symbol, Option<&str>)> = outline.iter().rev().map(|s| (s, None)).collect();
    while let Some((s, within)) = stack.pop() {
        if holds(s) {
            out.push((s, within));
        }
        stack.extend(s.children.iter().rev().map(|c| (c, Some(s.name.as_str()))));
    }
    out
}

/// The word at `offset` (or just before it, so a cursor at a word's end
/// still finds it).
pub(super) fn word_at(text: &str, offset: usize) -> Option<Word<'_>> {
    if super::too_large(text) {
        return None;
    }
    let token = scan(text)
        .find(|t| t.kind == TokenKind::Code && t.span.start <= offset && offset <= t.span.end)?;
    let code = text.get(token.span.start..token.span.end)?;
    let within = offset - token.span.start;
    if let Some((k, s)) = keyword_in(code, within) {
        return Some(Word::Keyword(k, shift(s, token.span.start)));
    }
    let (start, end) = ident_around(code, within)?;
    let word = code.get(start..end)?;
    let starts_well = word
        .chars()
        .next()
        .is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c));
    starts_well.then(|| {
        Word::Name(
            word,
            Span::new(token.span.start + start, token.span.start + end),
        )
    })
}

/// The run of identifier characters around byte `at` of `code`.
fn ident_around(code: &str, at: usize) -> Option<(usize, usize)> {
    let is_ident = |c: char| unicode_ident::is_xid_continue(c);
    let mut start = at.min(code.len());
    while !code.is_char_boundary(start) {
        start -= 1;
    }
    while let Some(c) = code.get(..start).and_then(|s| s.chars().next_back()) {
        if !is_ident(c) {
            break;
        }
        start -= c.len_utf8();
    }
    let end = start
        + code
            .get(start..)?
            .char_indices()
            .find(|&(_, c)| !is_ident(c))
            .map_or(code.len() - start, |(i, _)| i);
    (end > start).then_some((start, end))
}

/// A keyword spelled around byte `at` of a run of code: an English one as a
/// whole word, a Chinese one anywhere (Chinese keywords need no blanks
/// around them: `不超过5000万`).
fn keyword_in(code: &str, at: usize) -> Option<(&'static Keyword, Span)> {
    if let Some((s, e)) = ident_around(code, at) {
        let word = code.get(s..e)?;
        if let Some(k) = KEYWORDS.iter().find(|k| k.english == word) {
            return Some((k, Span::new(s, e)));
        }
    }
    KEYWORDS.iter().find_map(|k| {
        code.match_indices(k.chinese)
            .map(|(i, m)| Span::new(i, i + m.len()))
            .find(|s| s.start <= at && at <= s.end)
            .map(|s| (k, s))
    })
}

fn shift(s: Span, by: usize) -> Span {
    Span::new(s.start + by, s.end + by)
}

/// Every place `name` is written as a whole word in `text`'s code.
fn uses<'t>(text: &'t str, name: &'t str) -> impl Iterator<Item = Span> + 't {
    // Past the size limit no word is looked at (see `too_large`).
    let text = if super::too_large(text) { "" } else { text };
    scan(text)
        .filter(|t| t.kind == TokenKind::Code)
        .flat_map(move |t| {
            let code = text.get(t.span.start..t.span.end).unwrap_or("");
            code.match_indices(name)
                .filter(move |&(i, m)| ident_around(code, i) == Some((i, i + m.len())))
                .map(move |(i, m)| Span::new(t.span.start + i, t.span.start + i + m.len()))
                .collect::<Vec<_>>()
        })
}

/// Where the name `name` is declared: a name of the policy's table, or a
/// stacking group, cap or budget.
fn declared(policy: &Policy, name: &str) -> Option<Span> {
    match policy.lookup(name) {
        Some(symbol) => declaration(policy, symbol),
        None => super::across::named(policy, name).map(|a| a.span()),
    }
}

/// Where a symbol's name is declared.
fn declaration(policy: &Policy, symbol: Sym) -> Option<Span> {
    match symbol {
        Sym::Fact(id) => Some(policy.fact(id)?.span),
        Sym::Param(id) => Some(policy.param(id)?.span),
        Sym::Item(id) => Some(policy.item(id)?.ast.name.span),
        Sym::Enum(e) => Some(policy.enums.get(e)?.span),
        Sym::Variant(e, v) => policy.enums.get(e)?.variant_spans.get(v).copied(),
        Sym::Record(r) => Some(policy.records.get(r)?.span),
        Sym::Field(r, f) => Some(policy.records.get(r)?.fields.get(f)?.span),
    }
}

/// A hover's Markdown for a symbol.
fn describe(policy: &Policy, symbol: Sym) -> String {
    let label = policy
        .label_of(symbol)
        .map_or(String::new(), |l| format!(" — {l}"));
    match symbol {
        Sym::Fact(id) => policy.fact(id).map_or_else(String::new, |f| {
            format!("fact `{}`: {}{label}", f.name, policy.unit_name(f.unit))
        }),
        Sym::Param(id) => policy.param(id).map_or_else(String::new, |p| {
            let value = p
                .value
                .as_ref()
                .map_or("tbd".to_string(), crate::fmt::expr_text);
            format!(
                "param `{}`: {} = {value}{label}{}",
                p.name,
                policy.unit_name(p.unit),
                super::across::dated_windows(p)
            )
        }),
        Sym::Item(id) => policy.item(id).map_or_else(String::new, |i| {
            let mut s = format!("{} `{}`{label}", i.kind().keyword(), i.name());
            if let Some(m) = policy.measures.get(i.measure) {
                s.push_str(&format!("\n\nmeasure {} {}", m.number, m.title));
            }
            for c in &i.cites {
                s.push_str(&format!("\n\n> {c}"));
            }
            s
        }),
        Sym::Variant(e, _) => {
            let of = policy.enums.get(e).map_or("", |e| e.name.as_str());
            format!("a value of `{of}`{label}")
        }
        Sym::Enum(e) => {
            let Some(info) = policy.enums.get(e) else {
                return String::new();
            };
            let values: Vec<&str> = info.variants.iter().map(|(n, _)| n.as_str()).collect();
            format!("enum `{}`: {}", info.name, values.join(", "))
        }
        Sym::Record(r) => {
            let Some(info) = policy.records.get(r) else {
                return String::new();
            };
            let fields: Vec<&str> = info.fields.iter().map(|f| f.name.as_str()).collect();
            format!("record `{}`{label}: {}", info.name, fields.join(", "))
        }
        Sym::Field(r, f) => {
            let Some((rec, field)) = policy
                .records
                .get(r)
                .and_then(|x| Some((x, x.fields.get(f)?)))
            else {
                return String::new();
            };
            format!(
                "field `{}` of record `{}`: {}{label}",
                field.name,
                rec.name,
                policy.unit_name(field.unit)
            )
        }
    }
}

/// The field a word names when it follows `p.`, where `p` is the record
/// variable of an item written `for each p in LIST`.
fn field_at(policy: &Policy, text: &str, span: Span, name: &str) -> Option<Sym> {
    let before = text.get(..span.start)?.strip_suffix('.')?;
    let var_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map(|(i, _)| i)?;
    let var = before.get(var_start..)?;
    let each = policy
        .items
        .iter()
        .find_map(|i| i.each.as_ref().filter(|e| e.var == var))?;
    let (f, _) = policy.records.get(each.record)?.field(name)?;
    Some(Sym::Field(each.record, f))
}

/// A keyword's hover, for a reader of `surface`: its spelling there, its
/// other spelling, a call's shape for a built-in function, and what it
/// means.
fn keyword_doc(k: &Keyword, surface: Surface) -> String {
    let (own, other) = match surface {
        Surface::English => (k.english, k.chinese),
        Surface::Chinese => (k.chinese, k.english),
    };
    let call = crate::ast::Builtin::ALL
        .iter()
        .find(|b| b.name() == k.english)
        .map_or(String::new(), |b| format!("\n\n`{}`", b.signature()));
    format!("**{own}** · `{other}`{call}\n\n{}", k.doc(surface))
}

/// The outline of a program.
fn outline(index: &LineIndex, program: &Program) -> Vec<Symbol> {
    let r = |s: Span| index.range(s);
    let entry = |name: String, detail: Option<&String>, kind, whole: Span, sel: Span| Symbol {
        name,
        detail: detail.cloned(),
        kind,
        range: r(whole),
        selection: r(sel),
        children: Vec::new(),
    };
    let mut out = Vec::new();
    for d in &program.decls {
        match d {
            Decl::Chapter(c) => {
                let measures: Vec<Symbol> = c.measures.iter().map(|m| measure(index, m)).collect();
                let end = c.measures.last().map_or(c.title.span, |m| m.span.0);
                let mut s = entry(
                    format!("{} {}", c.number.node, c.title.node),
                    None,
                    SymbolKind::Chapter,
                    c.number.span.to(end),
                    c.title.span,
                );
                s.children = measures;
                out.push(s);
            }
            Decl::Measure(m) => out.push(measure(index, m)),
            Decl::Fact(f) => out.push(entry(
                f.name.node.clone(),
                f.label.as_ref().map(|l| &l.node),
                SymbolKind::Fact,
                f.span.0,
                f.name.span,
            )),
            Decl::Param(p) => out.push(entry(
                p.name.node.clone(),
                p.label.as_ref().map(|l| &l.node),
                SymbolKind::Param,
                p.span.0,
                p.name.span,
            )),
            Decl::Enum(e) => out.push(entry(
                e.name.node.clone(),
                None,
                SymbolKind::Enum,
                e.span.0,
                e.name.span,
            )),
            Decl::Test(t) => out.push(entry(
                t.name.node.clone(),
                None,
                SymbolKind::Test,
                t.span.0,
                t.name.span,
            )),
            Decl::Record(rd) => {
                let mut s = entry(
                    rd.name.node.clone(),
                    rd.label.as_ref().map(|l| &l.node),
                    SymbolKind::Record,
                    rd.span.0,
                    rd.name.span,
                );
                s.children = rd
                    .fields
                    .iter()
                    .map(|f| {
                        let end = f.label.as_ref().map_or(f.ty.span, |l| l.span);
                        entry(
                            f.name.node.clone(),
                            f.label.as_ref().map(|l| &l.node),
                            SymbolKind::Field,
                            f.name.span.to(end),
                            f.name.span,
                        )
                    })
                    .collect();
                out.push(s);
            }
            Decl::Budget(b) => out.push(entry(
                b.name.node.clone(),
                b.label.as_ref().map(|l| &l.node),
                SymbolKind::Budget,
                b.span.0,
                b.name.span,
            )),
            Decl::Exclusive(g) => out.push(entry(
                g.name.node.clone(),
                g.label.as_ref().map(|l| &l.node),
                SymbolKind::Group,
                g.span.0,
                g.name.span,
            )),
            Decl::Cap(c) => out.push(entry(
                c.name.node.clone(),
                c.label.as_ref().map(|l| &l.node),
                SymbolKind::Cap,
                c.span.0,
                c.name.span,
            )),
            Decl::Policy(_) | Decl::Include(_) => {}
        }
    }
    out
}

/// A measure's outline entry, with its items.
fn measure(index: &LineIndex, m: &Measure) -> Symbol {
    let r = |s: Span| index.range(s);
    let items = m
        .entries
        .iter()
        .filter_map(|e| match e {
            MeasureEntry::Item(i) => Some(Symbol {
                name: i.name.node.clone(),
                detail: i.label.as_ref().map(|l| l.node.clone()),
                kind: SymbolKind::Item,
                range: r(i.span.0),
                selection: r(i.name.span),
                children: Vec::new(),
            }),
            MeasureEntry::Cite(_) => None,
        })
        .collect();
    Symbol {
        name: format!("measure {} {}", m.number.node, m.title.node),
        detail: None,
        kind: SymbolKind::Measure,
        range: r(m.span.0),
        selection: r(m.number.span),
        children: items,
    }
}
