//! Evaluating in the session's context: `:eval`, `:explain`, and
//! expressions typed at the prompt.

use super::{Reply, Session};
use crate::ast::Expr;
use crate::check::Policy;
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{Evaluation, Facts};
use crate::span::SourceFile;
use crate::{Limits, report, syntax};

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
        Reply {
            output: report::to_table(&e),
            diagnostics: e.errors.clone(),
            quit: false,
        }
    }

    /// `:explain ITEM`: how an item's value was reached.
    pub(super) fn explain(&mut self, name: &str) -> Reply {
        let policy = match self.need_policy() {
            Ok(p) => p,
            Err(r) => return *r,
        };
        let e = self.evaluation(policy);
        match e.item(name) {
            Some(item) => Reply::text(report::explain(&e, item)),
            None => {
                let names = policy.items.iter().map(|i| i.name());
                let d = Diagnostic::error(Code::UnknownName, format!("no item `{name}`"));
                Reply::error(match crate::check::suggest(name, names) {
                    Some(b) => d.help(format!("did you mean `{b}`?")),
                    None => d,
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
