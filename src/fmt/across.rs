//! Printing the declarations that act across items (issue 16): stacking
//! groups and cumulative caps, each on one line in either surface.

use super::{Printer, labelled};
use crate::ast::{CapDecl, CapRule, Covered, Exclusive, Ident};

impl Printer<'_> {
    /// ` per RECORD` (` 每个 RECORD`), or nothing for a group or cap of
    /// the enterprise.
    fn per_record(&self, per: Option<&Ident>) -> String {
        per.map_or(String::new(), |r| format!(" {} {}", self.kw("per"), r.node))
    }

    /// `exclusive NAME "label" [per RECORD] [in order] { a, b }`.
    pub(super) fn exclusive(&mut self, g: &Exclusive) {
        let head = labelled(
            format!("{} {}", self.kw("exclusive"), g.name.node),
            g.label.as_ref(),
            " ",
        );
        let per = self.per_record(g.per.as_ref());
        let order = if g.in_order {
            format!(" {}", self.kw("in_order"))
        } else {
            String::new()
        };
        let members: Vec<&str> = g.members.iter().map(|m| m.node.as_str()).collect();
        let text = format!("{head}{per}{order} {{ {} }}", members.join(", "));
        self.entry(g.span.0.start, g.span.0.end, &text);
    }

    /// `cap NAME "label" = AMOUNT [per RECORD] over { a, measure 8 } pro rata|in order`.
    pub(super) fn cap(&mut self, c: &CapDecl) {
        let head = labelled(
            format!("{} {}", self.kw("cap"), c.name.node),
            c.label.as_ref(),
            " ",
        );
        let (amount, _) = self.expr(&c.amount, None);
        let per = self.per_record(c.per.as_ref());
        let over: Vec<String> = c
            .over
            .iter()
            .map(|o| match o {
                Covered::Item(i) => i.node.clone(),
                Covered::Measure(n) => format!("{} {}", self.kw("measure"), n.node),
            })
            .collect();
        // English reads `over` (the keyword of `first reaching … over`),
        // Chinese `覆盖`.
        let covers = match self.surface {
            crate::syntax::keywords::Surface::English => self.kw("over"),
            crate::syntax::keywords::Surface::Chinese => self.kw("covers"),
        };
        let rule = match c.rule.node {
            CapRule::ProRata => self.kw("pro_rata"),
            CapRule::InOrder => self.kw("in_order"),
        };
        let text = format!(
            "{head} = {amount}{per} {covers} {{ {} }} {rule}",
            over.join(", ")
        );
        self.entry(c.span.0.start, c.span.0.end, &text);
    }
}
