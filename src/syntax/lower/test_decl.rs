//! Lowering tests written in the language: `test "…" { facts { … } set … at … expect … }`.

use super::{Lowered, Lowerer, P, parts};
use crate::ast::*;
use crate::span::{Loc, Span, Spanned};
use crate::syntax::Rule;

impl Lowerer<'_> {
    /// A `test "…" { … }` declaration.
    pub(super) fn test(&self, p: P<'_>) -> Lowered<TestDecl> {
        let whole = self.span(&p);
        let mut it = parts(p);
        let name = self.string(it.next().ok_or_else(|| self.missing(whole))?);
        let mut t = TestDecl {
            name,
            facts: Vec::new(),
            sets: Vec::new(),
            at: None,
            expects: Vec::new(),
            span: Loc(whole),
        };
        for entry in it {
            let at = self.span(&entry);
            match entry.as_rule() {
                Rule::facts_block => {
                    for line in parts(entry) {
                        let line_at = self.span(&line);
                        let mut l = parts(line);
                        let fact = self.ident(&l.next().ok_or_else(|| self.missing(line_at))?);
                        let v = l.next().ok_or_else(|| self.missing(line_at))?;
                        let input = self.fact_input(v)?;
                        t.facts.push((fact, input));
                    }
                }
                Rule::set_line => {
                    // `set issued = …` names the header's issue date, a keyword.
                    let mut name = None;
                    let mut value = None;
                    for c in entry.into_inner() {
                        match c.as_rule() {
                            Rule::ident | Rule::kw_issued => {
                                name = Some(Spanned::new(
                                    if c.as_rule() == Rule::kw_issued {
                                        "issued".to_string()
                                    } else {
                                        c.as_str().to_string()
                                    },
                                    self.span(&c),
                                ));
                            }
                            Rule::expr => value = Some(self.expr(c)?.0),
                            _ => {}
                        }
                    }
                    match (name, value) {
                        (Some(n), Some(v)) => t.sets.push((n, v)),
                        _ => return Err(self.missing(at)),
                    }
                }
                Rule::at_line => {
                    let d = parts(entry).next().ok_or_else(|| self.missing(at))?;
                    t.at = Some(Spanned::new(self.date(&d)?, at));
                }
                _ => t.expects.push(self.expect(entry)?),
            }
        }
        Ok(t)
    }

    fn expect(&self, p: P<'_>) -> Lowered<Expect> {
        let at = self.span(&p);
        let mut l = parts(p);
        let item = self.ident(&l.next().ok_or_else(|| self.missing(at))?);
        let v = l.next().ok_or_else(|| self.missing(at))?;
        let want = match v.as_rule() {
            Rule::expect_status => {
                let s_at = self.span(&v);
                let kw = v.clone().into_inner().next().map(|k| k.as_rule());
                let status = match kw {
                    Some(Rule::kw_granted) => ExpectStatus::Granted,
                    Some(Rule::kw_ineligible) => ExpectStatus::Ineligible,
                    Some(Rule::kw_undetermined) => ExpectStatus::Undetermined,
                    Some(Rule::kw_not_in_force) => ExpectStatus::NotInForce,
                    Some(Rule::kw_met) => ExpectStatus::Met,
                    Some(Rule::kw_not_met) => ExpectStatus::NotMet,
                    Some(Rule::kw_superseded) => ExpectStatus::Superseded,
                    _ => ExpectStatus::Listed,
                };
                let kw_end = v
                    .clone()
                    .into_inner()
                    .next()
                    .map_or(s_at.end, |k| self.span(&k).end);
                let by: Vec<Ident> = parts(v).map(|i| self.ident(&i)).collect();
                let end = by.last().map_or(kw_end, |b| b.span.end);
                Expected::Status(Spanned::new(status, Span::new(s_at.start, end)), by)
            }
            Rule::at_most => {
                let e = parts(v).next().ok_or_else(|| self.missing(at))?;
                Expected::Value(ItemBody::AtMost(self.expr(e)?.0))
            }
            Rule::at_least => {
                let e = parts(v).next().ok_or_else(|| self.missing(at))?;
                Expected::Value(ItemBody::AtLeast(self.expr(e)?.0))
            }
            _ => Expected::Value(ItemBody::Value(self.expr(v)?.0)),
        };
        // The line ends where its value ends: a pest pair's span runs on
        // over the blanks before an optional comma.
        let end = match &want {
            Expected::Status(s, _) => s.span.end,
            Expected::Value(body) => body.expr().span.end,
        };
        Ok(Expect {
            item,
            want,
            span: Loc(Span::new(at.start, end)),
        })
    }
}
