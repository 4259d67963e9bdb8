//! Evaluating in the session's context: `:eval`, `:explain`, and
//! expressions typed at the prompt.

use super::{Reply, Session};
use crate::ast::Expr;
use crate::check::Policy;
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{Evaluation, Facts};
use crate::span::SourceFile;
use crate::{Limits, report, syntax};

/// How the command line gives a draft its issue date, which the validity
/// line of a table names.
const CLI_ISSUED: &str = "--set issued=YYYY-MM-DD";

/// How the REPL gives a draft its issue date.
const REPL_ISSUED: &str = ":set issued = YYYY-MM-DD";

/// A table as the REPL shows it: where the validity line tells how to
/// give the issue date, it names the REPL's own command, not the command
/// line's option.
fn in_repl_terms(e: &Evaluation, table: String) -> String {
    if e.window.note == crate::eval::WindowNote::IssueTbd {
        table.replacen(CLI_ISSUED, REPL_ISSUED, 1)
    } else {
        table
    }
}

impl Session {
    fn facts(&self, policy: &Policy) -> Facts {
        let named = self.facts.iter().map(|(k, v)| (k.as_str(), v));
        Facts::from_named(policy, "repl", named)
    }

    fn evaluation(&self, policy: &Policy) -> Evaluation {
        crate::evaluate(policy, &self.facts(policy), &self.options)
    }

    /// `:eval [N]`: the table of every measure, or of measure N.
    pub(super) fn eval(&mut self, arg: &str) -> Reply {
        let policy = match self.need_policy() {
            Ok(p) => p,
            Err(r) => return *r,
        };
        let mut e = self.evaluation(policy);
        if !arg.is_empty() {
            let Ok(n) = arg.parse::<u32>() else {
                return self.usage(&format!("`{arg}` is not a measure number"), ":eval [N]");
            };
            e.measures.retain(|m| m.number == n);
            if e.measures.is_empty() {
                return Reply::error(Diagnostic::error(
                    Code::UnknownName,
                    format!("no measure {n}"),
                ));
            }
            let (total, overflow) = crate::eval::Total::sum(&e.measures);
            e.total = total;
            // Errors of the whole evaluation stand; the measure's own sum
            // may overflow as the whole one did: say it once.
            if let Some(d) = overflow {
                if !e.errors.iter().any(|x| x.message == d.message) {
                    e.errors.push(d);
                }
            }
        }
        // Budgets (issue 16): the entitlement, and the allocation against
        // the expected demand or why it depends on the population.
        let mut shares = crate::population::budget::single::shares(policy, &e, &self.options);
        // `:eval N` shows the budgets that pay for an item of measure N
        // only: another measure's fund would read as an entitlement of 0元.
        let shown = |name: &String| {
            e.measures
                .iter()
                .any(|m| m.items.iter().any(|i| &i.name == name))
        };
        shares.retain(|s| s.items.iter().any(shown));
        let table = report::to_table(&e) + &report::tables::budget_share_lines(&shares);
        Reply {
            output: in_repl_terms(&e, table),
            diagnostics: e.errors.clone(),
            quit: false,
        }
    }

    /// `:explain ITEM`: how an item's value was reached (ITEM by its name
    /// or its label).
    pub(super) fn explain(&mut self, name: &str) -> Reply {
        let policy = match self.need_policy() {
            Ok(p) => p,
            Err(r) => return *r,
        };
        let e = self.evaluation(policy);
        // By its name or its label, as `decree explain`.
        let called = policy.items_called(name);
        let item = match called.as_slice() {
            [one] => policy.item(*one).and_then(|i| e.item(i.name())),
            _ => None,
        };
        match item {
            Some(item) => Reply::text(report::explain(&e, item)),
            None if called.len() > 1 => Reply::error(
                Diagnostic::error(
                    Code::Invalid,
                    format!("`{name}` is the label of several items"),
                )
                .help("name the item instead"),
            ),
            None => {
                let d = Diagnostic::error(
                    Code::UnknownName,
                    format!("no item named or labelled `{name}`"),
                );
                Reply::error(match policy.item_like(name).and_then(|i| policy.item(i)) {
                    Some(b) => d.help(match &b.ast.label {
                        Some(l) => format!("did you mean `{}` (“{}”)?", b.name(), l.node),
                        None => format!("did you mean `{}`?", b.name()),
                    }),
                    None => d.help("`:eval` lists every item"),
                })
            }
        }
    }

    /// An expression typed at the prompt, evaluated in the session's context.
    pub(super) fn expression(&mut self, input: &str) -> Reply {
        let policy = match self.need_policy() {
            Ok(p) => p,
            Err(r) => return *r,
        };
        let source = SourceFile::new(format!("<input {}>", self.inputs), input);
        let expr: Expr = match syntax::parse_expr(&source, &Limits::default()) {
            Ok(e) => e,
            Err(d) => return Reply::errors(d),
        };
        let expr = match crate::check::check_expr(policy, &source, &expr) {
            Ok((_, resolved)) => resolved,
            Err(d) => return Reply::errors(d),
        };
        let (_, result) =
            crate::eval::evaluate_expr(policy, &self.facts(policy), &self.options, &expr);
        match result {
            Ok((out, trace)) => {
                let mut text = format!("= {}", out.render(policy));
                if let Some(n) = &trace.note {
                    text.push_str(&format!("  — {n}"));
                }
                Reply::text(text)
            }
            Err(d) => Reply::error(d.in_source(&source)),
        }
    }
}
