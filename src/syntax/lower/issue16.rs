//! Lowering the constructs of issue 16 that belong to this file's
//! feature: dated values (`VALUE from DATE [until DATE], …`, bare as a
//! param's value or as `dated { … }`) and budget declarations.

use super::{Lowered, Lowerer, P, parts};
use crate::ast::*;
use crate::span::{Loc, Spanned};
use crate::syntax::Rule;

impl Lowerer<'_> {
    /// The parts of a dated value, from the pairs of `dated_part`s; `bare`
    /// when written as a param's value without `dated { … }`.
    pub(super) fn dated<'i>(
        &self,
        at: crate::span::Span,
        pairs: impl Iterator<Item = P<'i>>,
        bare: bool,
    ) -> Lowered<(Expr, usize)> {
        let mut out = Vec::new();
        let mut depth = 0;
        for part in pairs {
            let part_at = self.span(&part);
            let mut it = parts(part);
            let (value, d) = self.expr(it.next().ok_or_else(|| self.missing(part_at))?)?;
            depth = depth.max(d);
            let from = it.next().ok_or_else(|| self.missing(part_at))?;
            let from = Spanned::new(self.date(&from)?, self.span(&from));
            let until = match it.next() {
                Some(u) => Some(Spanned::new(self.date(&u)?, self.span(&u))),
                None => None,
            };
            out.push(DatedPart {
                value,
                from,
                until,
                span: Loc(part_at),
            });
        }
        if out.len() > self.limits.max_table_rows {
            return Err(self.err(
                crate::diagnostic::Code::Limit,
                at,
                format!(
                    "a dated value of {} parts, more than the limit of {}",
                    out.len(),
                    self.limits.max_table_rows
                ),
                "this dated value",
            ));
        }
        let e = ExprKind::Dated(Box::new(Dated { parts: out, bare }));
        self.deeper(Spanned::new(e, at), depth)
    }

    /// `dated { … }` in an expression.
    pub(super) fn dated_expr(&self, p: P<'_>) -> Lowered<(Expr, usize)> {
        let at = self.span(&p);
        self.dated(at, parts(p), false)
    }

    /// A param's bare `dated_parts`.
    pub(super) fn dated_parts(&self, p: P<'_>) -> Lowered<(Expr, usize)> {
        let at = self.span(&p);
        self.dated(at, parts(p), true)
    }

    /// `budget NAME "label" = AMOUNT for { … } RULE`.
    pub(super) fn budget(&self, p: P<'_>) -> Lowered<BudgetDecl> {
        let whole = self.span(&p);
        let mut it = parts(p).peekable();
        let name = self.ident(&it.next().ok_or_else(|| self.missing(whole))?);
        let label = it
            .next_if(|c| c.as_rule() == Rule::string)
            .map(|l| self.string(l));
        let (amount, _) = self.expr(it.next().ok_or_else(|| self.missing(whole))?)?;
        let mut members = Vec::new();
        let mut rule = None;
        let mut against = None;
        for c in it {
            let at = self.span(&c);
            match c.as_rule() {
                Rule::budget_member => {
                    let m = parts(c).next().ok_or_else(|| self.missing(at))?;
                    members.push(match m.as_rule() {
                        Rule::integer => BudgetMember::Measure(self.integer(&m)?),
                        _ => BudgetMember::Item(Name::new(m.as_str()), Loc(self.span(&m))),
                    });
                }
                _ => {
                    let r = match parts(c).next() {
                        // `pro rata against NAME`: the name as an expression.
                        Some(a) if a.as_rule() == Rule::budget_against => {
                            let n = parts(a).next().ok_or_else(|| self.missing(at))?;
                            let kind = ExprKind::Name(Name::new(n.as_str()));
                            against = Some(Spanned::new(kind, self.span(&n)));
                            BudgetRule::ProRata
                        }
                        Some(f) => BudgetRule::FirstCome(Name::new(f.as_str()), Loc(self.span(&f))),
                        None => BudgetRule::ProRata,
                    };
                    rule = Some(Spanned::new(r, at));
                }
            }
        }
        Ok(BudgetDecl {
            name,
            label,
            amount,
            members,
            rule: rule.ok_or_else(|| self.missing(whole))?,
            against,
            span: Loc(whole),
        })
    }
}
