//! One item's decision: its `when`, then its rule, then the status the
//! rules of [`super::decide`] give them — and what other items see of it.

use std::collections::BTreeSet;

use super::decide::{self, Ineligible, Logic, Rule, Seen, Verdict};
use super::out::{Nothing, shape};
use super::trace::{self, Role, Step};
use super::{Evaluator, ItemResult, Out, Range, Soft, Status};
use crate::ast::{ExprKind, Item, ItemBody, ItemKind, LitValue, Literal};
use crate::check::ItemId;
use crate::diagnostic::{Code, Diagnostic};
use crate::value::{BoundKind, Value};

/// What other items see of an item, and its result.
type Decided = (Out, ItemResult);

impl<'p> Evaluator<'p> {
    /// A result with nothing decided yet but the status.
    pub(super) fn blank_result(&self, idx: ItemId, status: Status) -> ItemResult {
        let info = self.policy.item(idx);
        let ast = info.map(|i| &i.ast);
        let cites = match info {
            Some(i) if self.explaining() => i.cites.clone(),
            _ => Vec::new(),
        };
        // Labels and concerns are for readers, as cites are: a lean run
        // (a population's) keeps the name only, and allocates per item no
        // text it would throw away.
        let reader = ast.filter(|_| self.explaining());
        ItemResult {
            name: ast.map(|a| a.name.node.clone()).unwrap_or_default(),
            label: reader.and_then(|a| a.label.as_ref().map(|l| l.node.clone())),
            kind: ast.map_or(ItemKind::Commitment, |a| a.kind.node),
            status,
            amount: None,
            range: None,
            value: None,
            soft_cap: false,
            rounded: None,
            undetermined_by: Vec::new(),
            reason: None,
            notes: Vec::new(),
            cites,
            concerns: reader.and_then(|a| a.concerns.as_ref().map(|c| c.node.clone())),
            by: ast.and_then(|a| a.by.as_ref().map(|b| b.node)),
            explanation: None,
            records: Vec::new(),
            superseded_by: None,
            capped: None,
            outcome: None,
            raw: None,
        }
    }

    /// An item of a policy not in force on the evaluation date.
    pub(super) fn not_in_force(&self, idx: ItemId) -> Decided {
        let mut r = self.blank_result(idx, Status::NotInForce);
        if self.explaining() {
            r.reason = Some("the policy is not in force on the evaluation date".into());
        }
        (Out::Nothing(Nothing::NotInForce), r)
    }

    /// Evaluates one item: its `when`, then its rule.
    pub(super) fn item(&mut self, idx: ItemId) -> Decided {
        let policy = self.policy;
        let Some(info) = policy.item(idx) else {
            let blank = self.blank_result(idx, Status::Error);
            return (Out::Nothing(Nothing::Invalid("no such item")), blank);
        };
        if let (Some(each), None) = (&info.each, self.record) {
            return self.per_record(idx, each);
        }
        let ast = &info.ast;
        let mut result = self.blank_result(idx, Status::Granted);
        let mut condition = None;
        if let Some(when) = &ast.when {
            let (out, step) = match self.eval(when) {
                Ok(x) => x,
                Err(d) => return self.failed(idx, d),
            };
            if let Logic::Decided(b) = out.logic() {
                self.hit(when.span, usize::from(b));
            }
            condition = step.map(|s| s.in_role(Role::Condition));
            if let Some(verdict) = decide::by_condition(out.logic()) {
                return self.decided_by_condition(idx, ast, result, verdict, out, condition);
            }
        }
        if ast.kind.node == ItemKind::Commitment {
            if let (
                true,
                ExprKind::Lit(Literal {
                    value: LitValue::Text(t),
                    ..
                }),
            ) = (self.explaining(), &ast.body.expr().node)
            {
                result.value = Some(t.clone());
            }
            let steps: Vec<Step<'p>> = condition.into_iter().collect();
            let out = Out::val(Value::Bool(true));
            return self.conclude(
                idx,
                result,
                Verdict::Listed,
                out,
                &steps,
                trace::Verdict::Blank,
            );
        }
        let (out, body) = match self.eval(ast.body.expr()) {
            Ok((out, step)) => (bound(&ast.body, out), step),
            Err(d) => return self.failed(idx, d),
        };
        if let Out::Val(s) = &out {
            if super::quotient::unkept(&s.value) {
                let d = self.unrounded(&s.value, ast.body.expr().span);
                return self.failed(idx, d);
            }
        }
        let rule = match &out {
            Out::Val(s) => Rule::Value(shape(&s.value)),
            Out::Unknown(_) => Rule::Unknown,
            Out::Nothing(_) => Rule::Nothing,
        };
        let verdict = decide::by_rule(ast.kind.node, rule);
        match (&out, verdict) {
            (Out::Val(s), Verdict::Negative) => {
                let d = self
                    .err(
                        Code::NegativeAmount,
                        ast.body.expr().span,
                        format!("`{}` comes to a negative amount, {}", ast.name.node, s.value),
                        "computes to less than 0元",
                    )
                    .help("a grant cannot be negative; cap it below with max(…, 0元) if that is the intent");
                return self.failed(idx, d);
            }
            (Out::Val(s), _) => self.record_value(&mut result, ast.kind.node, verdict, s),
            (Out::Unknown(causes), _) => {
                result.undetermined_by = causes.iter().cloned().collect();
            }
            (Out::Nothing(why), _) => {
                if self.explaining() {
                    result.reason = Some(why.render(policy));
                }
            }
        }
        let steps: Vec<Step<'p>> = condition.into_iter().chain(body).collect();
        self.conclude(idx, result, verdict, out, &steps, trace::Verdict::Value)
    }

    /// An item whose condition is false, cannot be decided or came to
    /// nothing: its rule decides nothing (but names what it would need).
    fn decided_by_condition(
        &mut self,
        idx: ItemId,
        ast: &'p Item,
        mut result: ItemResult,
        verdict: Verdict,
        out: Out,
        condition: Option<Step<'p>>,
    ) -> Decided {
        let explain = self.explaining();
        let shown = match (&out, verdict) {
            (_, Verdict::Ineligible(Ineligible::ConditionNotMet)) => {
                if explain {
                    let part = match (&ast.when, &condition) {
                        (Some(w), Some(c)) => trace::false_part(self.policy, w, c),
                        _ => String::new(),
                    };
                    result.reason = Some(format!("condition not met: {part}"));
                }
                trace::Verdict::Ineligible
            }
            (Out::Unknown(causes), _) => {
                // Name what the amount needs too, so that filling the
                // condition's holes does not reveal new ones.
                let mut causes: BTreeSet<_> = causes.clone();
                if ast.kind.node != ItemKind::Commitment {
                    // Only the causes are wanted: build no explanation.
                    let quiet = std::mem::replace(&mut self.quiet, true);
                    let body = self.eval(ast.body.expr());
                    self.quiet = quiet;
                    if let Ok((Out::Unknown(more), _)) = body {
                        causes.extend(more);
                    }
                }
                result.undetermined_by = causes.into_iter().collect();
                if explain {
                    result.reason = Some("the condition cannot be decided".into());
                }
                trace::Verdict::Undetermined
            }
            (Out::Nothing(why), _) => {
                if explain {
                    result.reason = Some(why.render(self.policy));
                }
                trace::Verdict::Blank
            }
            _ => trace::Verdict::Blank,
        };
        // What the condition came to stands for the item's value: false,
        // or the causes that leave it open.
        let out = match out {
            Out::Unknown(_) => Out::Unknown(result.undetermined_by.iter().cloned().collect()),
            Out::Val(_) => Out::val(Value::Bool(false)),
            nothing => nothing,
        };
        let steps: Vec<Step<'p>> = condition.into_iter().collect();
        self.conclude(idx, result, verdict, out, &steps, shown)
    }

    /// Fills in a granted (or met, or zero) value: its text, its amount or
    /// range, why it is not granted.
    fn record_value(&self, result: &mut ItemResult, kind: ItemKind, verdict: Verdict, s: &Soft) {
        result.soft_cap = s.soft;
        if self.explaining() {
            result.value = Some(s.value.to_string());
        }
        match verdict {
            Verdict::Ineligible(why) if self.explaining() => {
                result.reason = Some(
                    match why {
                        Ineligible::ZeroAmount => "the amount comes to 0元",
                        _ => "the criteria are not met",
                    }
                    .into(),
                );
            }
            Verdict::Granted if kind.is_monetary() => {
                if let Some((_, lo, hi)) = s.value.bounds() {
                    if lo == hi {
                        result.amount = Some(lo.normalize());
                    } else {
                        result.range = Some(Range {
                            min: lo.normalize(),
                            max: hi.normalize(),
                        });
                    }
                }
            }
            _ => {}
        }
    }

    /// The item's status and explanation, and what other items see of it.
    fn conclude(
        &self,
        idx: ItemId,
        mut result: ItemResult,
        verdict: Verdict,
        out: Out,
        steps: &[Step<'p>],
        shown: trace::Verdict,
    ) -> Decided {
        result.status = status(verdict);
        if self.explaining() {
            let steps: Vec<&Step<'p>> = steps.iter().collect();
            let (explanation, notes, rounded) =
                trace::explain(self.policy, result.kind, &result.name, shown, &steps);
            result.explanation = Some(Box::new(explanation));
            result.notes = notes;
            result.rounded = rounded;
        }
        if let Out::Val(s) = &out {
            result.raw = Some(s.value.clone());
        }
        let seen = match decide::seen(result.kind, verdict) {
            Seen::False => Out::val(Value::Bool(false)),
            Seen::NotGranted => Out::Nothing(Nothing::NotGranted(idx)),
            Seen::Failed => Out::Nothing(Nothing::Failed(idx)),
            // Other items use a benefit's bound as its value: `at most 1%`
            // is 1%.
            Seen::Value => match out {
                Out::Val(Soft {
                    value: Value::Bound(_, inner),
                    soft,
                }) => Out::Val(Soft {
                    value: *inner,
                    soft,
                }),
                other => other,
            },
        };
        result.outcome = Some(seen.clone());
        (seen, result)
    }

    /// An item whose evaluation failed: its status is an error, the
    /// diagnostic is kept, and other items see that it failed.
    pub(super) fn failed(&mut self, idx: ItemId, d: Diagnostic) -> Decided {
        let mut r = self.blank_result(idx, Status::Error);
        r.reason = Some(d.message.clone());
        self.errors.push(d);
        (Out::Nothing(Nothing::Failed(idx)), r)
    }
}

/// A benefit's `at most X` / `at least X` makes its value a bound.
fn bound(body: &ItemBody, out: Out) -> Out {
    let kind = match body {
        ItemBody::Value(_) => return out,
        ItemBody::AtMost(_) => BoundKind::AtMost,
        ItemBody::AtLeast(_) => BoundKind::AtLeast,
    };
    match out {
        Out::Val(s) => Out::Val(Soft {
            value: Value::Bound(kind, Box::new(s.value)),
            soft: s.soft,
        }),
        other => other,
    }
}

/// The status a verdict gives.
fn status(verdict: Verdict) -> Status {
    match verdict {
        Verdict::Granted => Status::Granted,
        Verdict::Ineligible(_) => Status::Ineligible,
        Verdict::Undetermined => Status::Undetermined,
        Verdict::Met => Status::Met,
        Verdict::NotMet => Status::NotMet,
        Verdict::Listed => Status::Listed,
        Verdict::Negative => Status::Error,
    }
}
