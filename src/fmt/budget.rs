//! Formatting a budget declaration (issue 16) in the canonical layout:
//! `budget NAME "label" = 2亿 for { a, b, measure 9 } pro rata`, on one
//! line, in either keyword surface.

use super::Printer;
use crate::ast::*;

impl Printer<'_> {
    /// `budget NAME "label" = AMOUNT for { … } RULE`.
    pub(super) fn budget(&mut self, b: &BudgetDecl) {
        let blank = self.begin(b.span.0.start);
        let label = b
            .label
            .as_ref()
            .map(|l| format!(" {}", super::quote(l)))
            .unwrap_or_default();
        let (amount, _) = self.expr(&b.amount, None);
        let members: Vec<String> = b
            .members
            .iter()
            .map(|m| match m {
                BudgetMember::Item(n, _) => n.text.clone(),
                BudgetMember::Measure(n) => format!("{} {}", self.kw("measure"), n.node),
            })
            .collect();
        let rule = match &b.rule.node {
            BudgetRule::ProRata => match &b.against {
                Some(demand) => {
                    let (demand, _) = self.expr(demand, None);
                    format!("{} {} {demand}", self.kw("pro_rata"), self.kw("against"))
                }
                None => self.kw("pro_rata").to_string(),
            },
            BudgetRule::FirstCome(f, _) => format!("{} {}", self.kw("first_come"), f.text),
        };
        let text = format!(
            "{} {}{label} = {amount} {} {{ {} }} {rule}",
            self.kw("budget"),
            b.name.node,
            self.kw("for"),
            members.join(", "),
        );
        self.entry_with(b.span.0.start, b.span.0.end, &text, &[], blank);
    }
}
