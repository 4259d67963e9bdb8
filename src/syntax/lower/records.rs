//! Lowering the constructs of records: `record` declarations, an item's
//! `for each p in list` clause, and a test's records (`[ { f = v }, … ]`).
//! Field references (`p.investment`) are names, lowered with the other
//! tokens of an expression.

use super::{Lowered, Lowerer, P, parts};
use crate::ast::*;
use crate::span::{Loc, Spanned};
use crate::syntax::Rule;

impl Lowerer<'_> {
    /// `record name "label" { field: type "label", … }`.
    pub(super) fn record(&self, p: P<'_>) -> Lowered<RecordDecl> {
        let whole = self.span(&p);
        let mut it = parts(p).peekable();
        let name = self.ident(&it.next().ok_or_else(|| self.missing(whole))?);
        let label = match it.peek() {
            Some(l) if l.as_rule() == Rule::string => it.next().map(|l| self.string(l)),
            _ => None,
        };
        let mut fields = Vec::new();
        for f in it {
            let at = self.span(&f);
            let mut fi = parts(f);
            let fname = self.ident(&fi.next().ok_or_else(|| self.missing(at))?);
            let ty = self.type_ref(fi.next().ok_or_else(|| self.missing(at))?)?;
            let flabel = fi.next().map(|l| self.string(l));
            fields.push(FieldDecl {
                name: fname,
                ty,
                label: flabel,
            });
        }
        Ok(RecordDecl {
            name,
            label,
            fields,
            span: Loc(whole),
        })
    }

    /// `for each p in projects`.
    pub(super) fn each(&self, p: P<'_>) -> Lowered<ForEach> {
        let at = self.span(&p);
        let mut it = parts(p);
        let var = self.ident(&it.next().ok_or_else(|| self.missing(at))?);
        let list = self.ident(&it.next().ok_or_else(|| self.missing(at))?);
        Ok(ForEach {
            var,
            list,
            span: Loc(at),
        })
    }

    /// A test's records: `[ { investment = 3000万, kind = upgrade }, … ]`.
    pub(super) fn records(&self, p: P<'_>) -> Lowered<FactInput> {
        let mut records = Vec::new();
        for r in parts(p) {
            let at = self.span(&r);
            let mut fields = Vec::new();
            for fv in parts(r) {
                let fat = self.span(&fv);
                let mut it = parts(fv);
                let name = self.ident(&it.next().ok_or_else(|| self.missing(fat))?);
                let v = it.next().ok_or_else(|| self.missing(fat))?;
                fields.push((name, self.fact_input(v)?));
            }
            records.push(Spanned::new(fields, at));
        }
        Ok(FactInput::Records(records))
    }

    /// A fact's (or a record field's) value in a test: a list of enum
    /// values, records, or an expression.
    pub(super) fn fact_input(&self, v: P<'_>) -> Lowered<FactInput> {
        Ok(match v.as_rule() {
            Rule::list_lit => FactInput::List(parts(v).map(|i| self.ident(&i)).collect()),
            Rule::records_lit => self.records(v)?,
            _ => FactInput::Value(self.expr(v)?.0),
        })
    }
}
