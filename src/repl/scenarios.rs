//! Saved what-ifs: `:save`, `:scenarios` and `:compare`.

use std::collections::BTreeMap;

use super::comparison::compare_table;
use super::{Reply, Session};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::eval::{Evaluation, Facts, Options};
use crate::span::SourceFile;
use crate::value::Value;

/// A saved what-if: the policy text, facts and settings at one moment.
#[derive(Debug, Clone)]
pub(super) struct Scenario {
    text: String,
    facts: BTreeMap<String, Value>,
    options: Options,
}

impl Session {
    fn snapshot(&self) -> Scenario {
        Scenario {
            text: self.text.clone(),
            facts: self.facts.clone(),
            options: self.options.clone(),
        }
    }

    /// `:save NAME`.
    pub(super) fn save(&mut self, name: &str) -> Reply {
        if name.is_empty() || name.contains(char::is_whitespace) {
            return self.usage("give the scenario a one-word name", ":save base");
        }
        if self.policy.is_none() {
            return Reply::error(Diagnostic::error(Code::Invalid, "no policy is loaded"));
        }
        let existed = self
            .scenarios
            .insert(name.to_string(), self.snapshot())
            .is_some();
        Reply::text(if existed {
            format!("scenario `{name}` replaced")
        } else {
            format!("scenario `{name}` saved")
        })
    }

    /// `:scenarios`.
    pub(super) fn list_scenarios(&self) -> Reply {
        if self.scenarios.is_empty() {
            return Reply::text("no scenarios saved (:save NAME)");
        }
        let mut out = String::new();
        for (name, s) in &self.scenarios {
            let params: Vec<String> = s
                .options
                .params
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            out.push_str(&format!("{name}: {} facts", s.facts.len()));
            if !params.is_empty() {
                out.push_str(&format!(", {}", params.join(", ")));
            }
            out.push('\n');
        }
        Reply::text(out)
    }

    /// A scenario's evaluation, and its budgets as the enterprise sees
    /// them (the allocation against an expected demand, or a note that it
    /// depends on the population).
    fn scenario_evaluation(&self, s: &Scenario) -> Result<(Evaluation, String), Diagnostics> {
        let source = SourceFile::new("<scenario>", s.text.as_str());
        let policy = crate::load(&source)?;
        let facts = Facts::from_named(&policy, "", s.facts.iter().map(|(k, v)| (k.as_str(), v)));
        let e = crate::evaluate(&policy, &facts, &s.options);
        let shares = crate::population::budget::single::shares(&policy, &e, &s.options);
        Ok((e, crate::report::tables::budget_share_lines(&shares)))
    }

    /// `:compare A [B]`, B being the current state when not named.
    pub(super) fn compare(&mut self, arg: &str) -> Reply {
        let names: Vec<&str> = arg.split_whitespace().collect();
        let (a_name, b_name) = match names.as_slice() {
            [a] => (*a, "current"),
            [a, b] => (*a, *b),
            _ => return self.usage("name one or two scenarios", ":compare base [what_if]"),
        };
        let pick = |n: &str| -> Result<Scenario, Box<Reply>> {
            if n == "current" {
                return Ok(self.snapshot());
            }
            self.scenarios.get(n).cloned().ok_or_else(|| {
                Box::new(Reply::error(
                    Diagnostic::error(Code::UnknownName, format!("no scenario `{n}`"))
                        .help(":scenarios lists them"),
                ))
            })
        };
        let (a, b) = match (pick(a_name), pick(b_name)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(r), _) | (_, Err(r)) => return *r,
        };
        let ((ea, ba), (eb, bb)) =
            match (self.scenario_evaluation(&a), self.scenario_evaluation(&b)) {
                (Ok(x), Ok(y)) => (x, y),
                (Err(d), _) | (_, Err(d)) => return Reply::errors(d),
            };
        let mut text = compare_table(a_name, b_name, &ea, &eb);
        // Under a budget: each scenario's allocation, a line each.
        for (name, lines) in [(a_name, ba), (b_name, bb)] {
            for line in lines.lines() {
                text.push_str(&format!("{name}: {line}\n"));
            }
        }
        Reply::text(text)
    }
}
