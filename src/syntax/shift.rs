//! Moving the spans of parsed declarations by the bytes an edit before
//! them added or removed, so that an editor's change re-reads only the
//! declarations it touched (`super::reparse`) and every span after it is
//! still the file's, exactly as a whole parse would make it.
//!
//! Every span in the AST is one of [`Span`], [`Loc`] or the span of a
//! [`Spanned`] value; the impls below visit each field that holds one.
//! `tests/reparse.rs` compares every span of a reparse with a whole parse,
//! so a field missed here fails there.

use crate::ast::*;
use crate::span::{Loc, Span, Spanned};

/// Moves every span by `by` bytes.
pub(super) trait Shift {
    /// Adds `by` (negative: an edit removed bytes) to every offset.
    fn shift(&mut self, by: isize);
}

impl Shift for Span {
    fn shift(&mut self, by: isize) {
        self.start = self.start.saturating_add_signed(by);
        self.end = self.end.saturating_add_signed(by);
    }
}

impl Shift for Loc {
    fn shift(&mut self, by: isize) {
        self.0.shift(by);
    }
}

/// Values whose only span is their [`Spanned`] wrapper's: a name, a
/// text, a number, a date.
macro_rules! plain {
    ($($t:ty),*) => {
        $(impl Shift for Spanned<$t> {
            fn shift(&mut self, by: isize) {
                self.span.shift(by);
            }
        })*
    };
}

plain!(
    String,
    u32,
    jiff::civil::Date,
    ItemKind,
    ExpectStatus,
    IssueDate,
    crate::units::Duration,
    CapRule
);

/// A type, and the enum or record it names.
impl Shift for Spanned<TypeRef> {
    fn shift(&mut self, by: isize) {
        self.span.shift(by);
        match &mut self.node {
            TypeRef::Unit(_) => {}
            TypeRef::Enum(name) | TypeRef::SetOf(name) | TypeRef::ListOf(name) => name.shift(by),
        }
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: isize) {
        if let Some(x) = self {
            x.shift(by);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: isize) {
        for x in self {
            x.shift(by);
        }
    }
}

impl<A: Shift, B: Shift> Shift for (A, B) {
    fn shift(&mut self, by: isize) {
        self.0.shift(by);
        self.1.shift(by);
    }
}

/// An expression and every expression in it; dated values' dates too.
fn shift_expr(e: &mut Expr, by: isize) {
    walk_exprs_mut(e, &mut |x| {
        x.span.shift(by);
        if let ExprKind::Dated(d) = &mut x.node {
            for part in &mut d.parts {
                part.from.shift(by);
                part.until.shift(by);
                part.span.shift(by);
            }
        }
    });
}

fn expr(e: &mut Expr, by: isize) {
    shift_expr(e, by);
}

fn opt_expr(e: &mut Option<Expr>, by: isize) {
    if let Some(e) = e {
        expr(e, by);
    }
}

impl Shift for Decl {
    fn shift(&mut self, by: isize) {
        match self {
            Decl::Policy(h) => {
                h.title.shift(by);
                h.issued.shift(by);
                h.valid.shift(by);
                h.span.shift(by);
            }
            Decl::Enum(e) => {
                e.name.shift(by);
                e.variants.shift(by);
                e.span.shift(by);
            }
            Decl::Fact(f) => {
                f.name.shift(by);
                f.ty.shift(by);
                f.label.shift(by);
                f.span.shift(by);
            }
            Decl::Param(p) => {
                p.name.shift(by);
                p.ty.shift(by);
                opt_expr(&mut p.value, by);
                p.value_span.shift(by);
                p.label.shift(by);
                p.span.shift(by);
            }
            Decl::Chapter(c) => c.shift(by),
            Decl::Measure(m) => m.shift(by),
            Decl::Include(t) => t.shift(by),
            Decl::Test(t) => t.shift(by),
            Decl::Record(r) => {
                r.name.shift(by);
                r.label.shift(by);
                r.fields.shift(by);
                r.span.shift(by);
            }
            Decl::Exclusive(g) => {
                g.name.shift(by);
                g.label.shift(by);
                g.per.shift(by);
                g.members.shift(by);
                g.span.shift(by);
            }
            Decl::Cap(c) => {
                c.name.shift(by);
                c.label.shift(by);
                expr(&mut c.amount, by);
                c.per.shift(by);
                c.over.shift(by);
                c.rule.span.shift(by);
                c.span.shift(by);
            }
            Decl::Budget(b) => {
                b.name.shift(by);
                b.label.shift(by);
                expr(&mut b.amount, by);
                b.members.shift(by);
                if let BudgetRule::FirstCome(_, at) = &mut b.rule.node {
                    at.shift(by);
                }
                b.rule.span.shift(by);
                opt_expr(&mut b.against, by);
                b.span.shift(by);
            }
        }
    }
}

impl Shift for Chapter {
    fn shift(&mut self, by: isize) {
        self.number.shift(by);
        self.title.shift(by);
        self.cites.shift(by);
        self.measures.shift(by);
        self.span.shift(by);
    }
}

impl Shift for Measure {
    fn shift(&mut self, by: isize) {
        self.number.shift(by);
        self.title.shift(by);
        self.entries.shift(by);
        self.span.shift(by);
    }
}

impl Shift for MeasureEntry {
    fn shift(&mut self, by: isize) {
        match self {
            MeasureEntry::Cite(t) => t.shift(by),
            MeasureEntry::Item(i) => i.shift(by),
        }
    }
}

impl Shift for Item {
    fn shift(&mut self, by: isize) {
        self.kind.shift(by);
        self.name.shift(by);
        self.label.shift(by);
        self.body.shift(by);
        opt_expr(&mut self.when, by);
        self.by.shift(by);
        self.concerns.shift(by);
        if let Some(each) = &mut self.each {
            each.var.shift(by);
            each.list.shift(by);
            each.span.shift(by);
        }
        self.span.shift(by);
    }
}

impl Shift for ItemBody {
    fn shift(&mut self, by: isize) {
        expr(self.expr_mut(), by);
    }
}

impl Shift for FieldDecl {
    fn shift(&mut self, by: isize) {
        self.name.shift(by);
        self.ty.shift(by);
        self.label.shift(by);
    }
}

impl Shift for Covered {
    fn shift(&mut self, by: isize) {
        match self {
            Covered::Item(i) => i.shift(by),
            Covered::Measure(m) => m.shift(by),
        }
    }
}

impl Shift for BudgetMember {
    fn shift(&mut self, by: isize) {
        match self {
            BudgetMember::Item(_, at) => at.shift(by),
            BudgetMember::Measure(m) => m.shift(by),
        }
    }
}

impl Shift for TestDecl {
    fn shift(&mut self, by: isize) {
        self.name.shift(by);
        self.facts.shift(by);
        for (name, value) in &mut self.sets {
            name.shift(by);
            expr(value, by);
        }
        self.at.shift(by);
        self.expects.shift(by);
        self.span.shift(by);
    }
}

impl Shift for FactInput {
    fn shift(&mut self, by: isize) {
        match self {
            FactInput::Value(e) => expr(e, by),
            FactInput::List(names) => names.shift(by),
            FactInput::Records(records) => {
                for r in records {
                    r.span.shift(by);
                    r.node.shift(by);
                }
            }
        }
    }
}

impl Shift for Expect {
    fn shift(&mut self, by: isize) {
        self.item.shift(by);
        match &mut self.want {
            Expected::Status(status, by_names) => {
                status.shift(by);
                by_names.shift(by);
            }
            Expected::Value(body) => body.shift(by),
        }
        self.span.shift(by);
    }
}
