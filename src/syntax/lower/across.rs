//! Lowering the declarations that act across items (issue 16): stacking
//! groups (`exclusive`, 就高不重复) and cumulative caps (`cap`, 累计上限).

use super::{Lowered, Lowerer, P, parts};
use crate::ast::{CapDecl, CapRule, Covered, Exclusive, Ident};
use crate::span::{Loc, Spanned};
use crate::syntax::Rule;

impl Lowerer<'_> {
    /// `per RECORD`, when the declaration has one.
    fn per_record(&self, p: &P<'_>) -> Option<Ident> {
        let clause = p
            .clone()
            .into_inner()
            .find(|c| c.as_rule() == Rule::per_record)?;
        parts(clause).next().map(|r| self.ident(&r))
    }

    /// `exclusive NAME "label" [per RECORD] [in order] { a, b, … }`.
    pub(super) fn exclusive(&self, p: P<'_>) -> Lowered<Exclusive> {
        let whole = self.span(&p);
        let in_order = p
            .clone()
            .into_inner()
            .any(|c| c.as_rule() == Rule::kw_in_order);
        let per = self.per_record(&p);
        let mut it = parts(p)
            .filter(|c| c.as_rule() != Rule::per_record)
            .peekable();
        let (name, label) = self.name_and_label(&mut it, whole)?;
        let members = it.map(|m| self.ident(&m)).collect();
        Ok(Exclusive {
            name,
            label,
            in_order,
            per,
            members,
            span: Loc(whole),
        })
    }

    /// A group's or cap's name and optional label, the first parts of it.
    fn name_and_label<'i>(
        &self,
        it: &mut std::iter::Peekable<impl Iterator<Item = P<'i>>>,
        whole: crate::span::Span,
    ) -> Lowered<(Ident, Option<super::Text>)> {
        let name = self.ident(&it.next().ok_or_else(|| self.missing(whole))?);
        let label = match it.peek() {
            Some(l) if l.as_rule() == Rule::string => it.next().map(|l| self.string(l)),
            _ => None,
        };
        Ok((name, label))
    }

    /// `cap NAME "label" = AMOUNT [per RECORD] over { a, measure 8 } pro rata|in order`.
    pub(super) fn cap(&self, p: P<'_>) -> Lowered<CapDecl> {
        let whole = self.span(&p);
        let rule = p
            .clone()
            .into_inner()
            .find(|c| matches!(c.as_rule(), Rule::kw_pro_rata | Rule::kw_in_order))
            .ok_or_else(|| self.missing(whole))?;
        let rule = Spanned::new(
            if rule.as_rule() == Rule::kw_pro_rata {
                CapRule::ProRata
            } else {
                CapRule::InOrder
            },
            self.span(&rule),
        );
        let per = self.per_record(&p);
        let mut it = parts(p)
            .filter(|c| c.as_rule() != Rule::per_record)
            .peekable();
        let (name, label) = self.name_and_label(&mut it, whole)?;
        let amount = self.expr(it.next().ok_or_else(|| self.missing(whole))?)?.0;
        let mut over = Vec::new();
        for c in it {
            let at = self.span(&c);
            let inner = parts(c).next().ok_or_else(|| self.missing(at))?;
            over.push(match inner.as_rule() {
                Rule::integer => Covered::Measure(self.integer(&inner)?),
                _ => Covered::Item(self.ident(&inner)),
            });
        }
        Ok(CapDecl {
            name,
            label,
            amount,
            per,
            over,
            rule,
            span: Loc(whole),
        })
    }
}
