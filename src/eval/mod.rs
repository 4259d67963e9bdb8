//! The interpreter: a checked [`Policy`] and an enterprise's [`Facts`] in, an
//! [`Evaluation`] out — every item's status, exact amount and explanation.
//!
//! Values that cannot be known are not zero: an expression evaluates to an
//! [`Out`], which is a value, *undetermined* (carrying the missing facts, `tbd`
//! params or discretion that made it so), or *nothing* (no tier matched, an
//! item used is not granted). `and`/`or` follow Kleene's three-valued logic,
//! and discretionary ranges flow through arithmetic bound by bound.

mod arith;
mod describe;
mod result;

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

pub use arith::ArithError;
pub use describe::{describe, display_name};
pub use result::*;

use crate::ast::*;
use crate::check::{FactId, ItemId, ParamId, Policy, Symbol};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::units::{join, product, quotient};
use crate::value::{BoundKind, Duration, DurationUnit, Unit, Value, format_quantity};

/// The facts about one enterprise, typed by a policy's declarations and
/// held by [`FactId`]: built for one policy (by [`crate::facts`] or
/// [`Facts::set`]) and read by its evaluations, which never look a fact up
/// by its name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// A name for the enterprise (usually the facts file's name).
    pub name: String,
    /// Values by fact index; `None` for a fact not given.
    values: Vec<Option<Value>>,
}

impl Facts {
    /// No facts yet, for the enterprise called `name`.
    pub fn new(name: impl Into<String>) -> Facts {
        Facts {
            name: name.into(),
            values: Vec::new(),
        }
    }

    /// The value of a fact, if given.
    pub fn get(&self, id: FactId) -> Option<&Value> {
        self.values.get(id.0).and_then(Option::as_ref)
    }

    /// Gives a fact its value (replacing any before).
    pub fn set(&mut self, id: FactId, value: Value) {
        if self.values.len() <= id.0 {
            self.values.resize(id.0 + 1, None);
        }
        if let Some(slot) = self.values.get_mut(id.0) {
            *slot = Some(value);
        }
    }

    /// Takes a fact's value away.
    pub fn remove(&mut self, id: FactId) -> Option<Value> {
        self.values.get_mut(id.0).and_then(Option::take)
    }

    /// The facts given, with their ids, in the policy's order.
    pub fn iter(&self) -> impl Iterator<Item = (FactId, &Value)> {
        self.values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((FactId(i), v.as_ref()?)))
    }

    /// How many facts are given.
    pub fn len(&self) -> usize {
        self.values.iter().filter(|v| v.is_some()).count()
    }

    /// Whether no fact is given.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Facts given by name, typed already, for `policy`; names that are
    /// not facts of `policy` are left out (a REPL session keeps its facts
    /// by name while its policy is redefined).
    pub fn from_named<'a>(
        policy: &Policy,
        name: impl Into<String>,
        values: impl IntoIterator<Item = (&'a str, &'a Value)>,
    ) -> Facts {
        let mut facts = Facts::new(name);
        for (n, v) in values {
            if let Some((id, _)) = policy.fact_named(n) {
                facts.set(id, v.clone());
            }
        }
        facts
    }

    /// The facts given, by name, for `policy` (the policy they were typed
    /// by).
    pub fn named<'a>(&'a self, policy: &'a Policy) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.iter()
            .filter_map(|(id, v)| Some((policy.fact(id)?.name.as_str(), v)))
    }
}

/// Settings of one evaluation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Date of evaluation, checked against the validity window.
    pub at: Option<jiff::civil::Date>,
    /// Values for params, overriding the policy's (and filling `tbd`s).
    pub params: BTreeMap<String, Value>,
    /// An issue date for a draft whose header says `issued tbd`.
    pub issued: Option<jiff::civil::Date>,
    /// Bounds on the work of one evaluation (steps, nesting).
    pub limits: crate::Limits,
    /// Leave out what only a reader needs: explanation trees, notes (and so
    /// `rounded`), cites and the detail of reasons (an ineligible item's reason is only
    /// "condition not met"). For population runs, which keep statuses,
    /// amounts and causes: those are the same either way.
    pub skip_explanations: bool,
}

/// Why a value is not known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cause {
    /// A fact the enterprise's facts do not give.
    Fact {
        /// The fact's name.
        name: String,
        /// Its label.
        #[serde(skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// A param the draft leaves `tbd`.
    Param {
        /// The param's name.
        name: String,
        /// Its label.
        #[serde(skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// A comparison that a discretionary range does not decide.
    Discretion,
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cause::Fact {
                name,
                label: Some(l),
            } => write!(f, "fact {l} ({name})"),
            Cause::Fact { name, label: None } => write!(f, "fact {name}"),
            Cause::Param {
                name,
                label: Some(l),
            } => write!(f, "tbd {l} ({name})"),
            Cause::Param { name, label: None } => write!(f, "tbd {name}"),
            Cause::Discretion => f.write_str("discretion (a range leaves it open)"),
        }
    }
}

/// A value with a flag saying a soft cap (原则上) bound it.
#[derive(Debug, Clone, PartialEq)]
pub struct Soft {
    /// The value.
    pub value: Value,
    /// Whether a soft cap decided it.
    pub soft: bool,
}

/// The outcome of evaluating an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    /// A value.
    Val(Soft),
    /// Not known, for these causes.
    Unknown(BTreeSet<Cause>),
    /// Nothing: no tier matched, or an item used is not granted; says why.
    Nothing(String),
}

impl Out {
    fn val(value: Value) -> Out {
        Out::Val(Soft { value, soft: false })
    }

    /// The outcome as drafters read it: a value, or why there is none.
    pub fn render(&self) -> String {
        match self {
            Out::Val(s) if s.soft => format!("{} (soft)", s.value),
            Out::Val(s) => s.value.to_string(),
            Out::Unknown(c) => {
                let names: Vec<String> = c.iter().map(ToString::to_string).collect();
                format!("undetermined ({})", names.join(", "))
            }
            Out::Nothing(why) => format!("none ({why})"),
        }
    }
}

type Ev = Result<(Out, Trace), Diagnostic>;

/// Evaluates every item of `policy` for one enterprise.
pub fn evaluate(policy: &Policy, facts: &Facts, options: &Options) -> Evaluation {
    evaluate_with(policy, facts, options, None).0
}

/// Evaluates the policy, then one more expression in its context (items
/// usable by name), as the REPL does for what-if questions.
pub fn evaluate_expr(
    policy: &Policy,
    facts: &Facts,
    options: &Options,
    expr: &Expr,
) -> (Evaluation, Result<(Out, Trace), Diagnostic>) {
    let (evaluation, extra) = evaluate_with(policy, facts, options, Some(expr));
    let extra = extra.unwrap_or_else(|| {
        Ok((
            Out::Nothing("not evaluated".into()),
            Trace::new(String::new()),
        ))
    });
    (evaluation, extra)
}

type Extra = Option<Result<(Out, Trace), Diagnostic>>;

fn evaluate_with(
    policy: &Policy,
    facts: &Facts,
    options: &Options,
    expr: Option<&Expr>,
) -> (Evaluation, Extra) {
    let window = window(policy, options);
    let mut ev = Evaluator {
        policy,
        facts,
        options,
        items: vec![None; policy.items.len()],
        params: BTreeMap::new(),
        errors: Vec::new(),
        hits: Vec::new(),
        steps: 0,
        depth: 0,
    };
    let in_force = window.status != WindowStatus::NotInForce;
    // Cites are for readers: a population run leaves them out.
    let cites_of = |cites: &Vec<String>| {
        if options.skip_explanations {
            Vec::new()
        } else {
            cites.clone()
        }
    };
    for &idx in &policy.order {
        let result = if in_force {
            ev.item(idx)
        } else {
            ev.not_in_force(idx)
        };
        if let Some(slot) = ev.items.get_mut(idx.0) {
            *slot = Some(result);
        }
    }
    let extra = expr.map(|e| ev.eval(e));
    let mut results: Vec<Option<ItemResult>> =
        ev.items.into_iter().map(|r| r.map(|(_, r)| r)).collect();
    let measures = policy
        .measures
        .iter()
        .map(|m| MeasureResult {
            number: m.number,
            title: m.title.clone(),
            chapter: m.chapter.as_ref().map(|c| ChapterRef {
                number: c.number,
                title: c.title.clone(),
                cites: cites_of(&c.cites),
            }),
            cites: cites_of(&m.cites),
            items: m
                .items
                .iter()
                .filter_map(|&i| results.get_mut(i.0).and_then(Option::take))
                .collect(),
        })
        .collect::<Vec<_>>();
    let (total, overflow) = Total::sum(&measures);
    ev.errors.extend(overflow);
    // Once a limit is reached every later item reports it: say it once.
    let mut limit_seen = false;
    ev.errors.retain(|d| {
        let first = !(d.code == Code::Limit && limit_seen);
        limit_seen |= d.code == Code::Limit;
        first
    });
    let evaluation = Evaluation {
        policy: policy.header.title.clone(),
        enterprise: facts.name.clone(),
        window,
        measures,
        total,
        errors: ev.errors,
        hits: ev.hits,
    };
    (evaluation, extra)
}

/// Evaluates an expression that uses no facts (literals, params, ranges),
/// as tests and `--set` need. Anything undetermined is an error.
pub fn constant(policy: &Policy, e: &Expr, options: &Options) -> Result<Value, Diagnostic> {
    let facts = Facts::default();
    let mut ev = Evaluator {
        policy,
        facts: &facts,
        options,
        items: vec![None; policy.items.len()],
        params: BTreeMap::new(),
        errors: Vec::new(),
        hits: Vec::new(),
        steps: 0,
        depth: 0,
    };
    match ev.eval(e)?.0 {
        Out::Val(s) => Ok(s.value),
        other => Err(Diagnostic::error(
            Code::Invalid,
            format!("expected a constant value, but this is {}", other.render()),
        )
        .label(e.span, "not a constant")
        .help("write a literal such as 2400万, 20%, 2%..3% or true")),
    }
}

/// Where the evaluation date stands in the policy's validity window.
fn window(policy: &Policy, options: &Options) -> Window {
    let issued = options.issued.or(match policy.header.issued {
        Some(IssueDate::On(d)) => Some(d),
        _ => None,
    });
    let valid = policy.header.valid;
    let expires = match (issued, valid.and_then(|v| v.to_span())) {
        (Some(i), Some(span)) => i
            .checked_add(span)
            .ok()
            .and_then(|end| end.yesterday().ok()),
        _ => None,
    };
    let (status, note) = match (issued, options.at) {
        (None, _) => (
            WindowStatus::Unchecked,
            "the issue date is tbd: the validity window is not checked (give one with --set issued=YYYY-MM-DD)".to_string(),
        ),
        (Some(_), None) => (
            WindowStatus::Unchecked,
            "no evaluation date: the validity window is not checked".to_string(),
        ),
        (Some(i), Some(at)) if at < i => (
            WindowStatus::NotInForce,
            format!("{at} is before the issue date {i}"),
        ),
        (Some(_), Some(at)) => match expires {
            Some(last) if at > last => (
                WindowStatus::NotInForce,
                format!("{at} is after the last day in force, {last}"),
            ),
            Some(last) => (WindowStatus::InForce, format!("in force until {last}")),
            None => (WindowStatus::InForce, "in force (no expiry stated)".to_string()),
        },
    };
    Window {
        status,
        issued,
        last_day: expires,
        at: options.at,
        note,
    }
}

struct Evaluator<'p> {
    policy: &'p Policy,
    facts: &'p Facts,
    options: &'p Options,
    /// Each item's outcome (as other items see it) and result, once evaluated.
    items: Vec<Option<(Out, ItemResult)>>,
    params: BTreeMap<ParamId, Out>,
    errors: Vec<Diagnostic>,
    /// Branches taken, for `decree test --coverage`.
    hits: Vec<Hit>,
    /// Expressions evaluated so far, against `Limits::max_steps`.
    steps: u64,
    /// Current nesting of `eval` calls, against `Limits::max_eval_depth`.
    depth: usize,
}

impl Evaluator<'_> {
    fn err(
        &self,
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(code, message)
            .label(span, label)
            .in_source(&self.policy.source)
    }

    /// Whether to build texts for readers (explanations, notes, cites,
    /// reasons' detail): not in population runs (`skip_explanations`).
    fn explaining(&self) -> bool {
        !self.options.skip_explanations
    }

    fn blank_result(&self, idx: ItemId, status: Status) -> ItemResult {
        let info = self.policy.item(idx);
        let ast = info.map(|i| &i.ast);
        let cites = match info {
            Some(i) if self.explaining() => i.cites.clone(),
            _ => Vec::new(),
        };
        ItemResult {
            name: ast.map(|a| a.name.node.clone()).unwrap_or_default(),
            label: ast.and_then(|a| a.label.as_ref().map(|l| l.node.clone())),
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
            concerns: ast.and_then(|a| a.concerns.as_ref().map(|c| c.node.clone())),
            by: ast.and_then(|a| a.by.as_ref().map(|b| b.node)),
            explanation: None,
            outcome: None,
            raw: None,
        }
    }

    fn not_in_force(&self, idx: ItemId) -> (Out, ItemResult) {
        let mut r = self.blank_result(idx, Status::NotInForce);
        r.reason = Some("the policy is not in force on the evaluation date".into());
        (Out::Nothing("the policy is not in force".into()), r)
    }

    /// Evaluates one item: its `when`, then its value.
    fn item(&mut self, idx: ItemId) -> (Out, ItemResult) {
        let Some(info) = self.policy.item(idx) else {
            return (
                Out::Nothing(String::new()),
                self.blank_result(idx, Status::Error),
            );
        };
        let ast = &info.ast;
        let kind = ast.kind.node;
        let mut result = self.blank_result(idx, Status::Granted);
        let explain = self.explaining();
        let mut trace = Trace::new(if explain {
            format!("{} {}", kind.keyword(), ast.name.node)
        } else {
            String::new()
        });
        // The condition first: definitely false means ineligible, whatever the amount.
        if let Some(when) = &ast.when {
            match self.eval(when) {
                Err(d) => return self.failed(idx, d),
                Ok((out, t)) => {
                    if let Out::Val(Soft {
                        value: Value::Bool(b),
                        ..
                    }) = &out
                    {
                        self.hits.push(Hit {
                            span: when.span,
                            branch: u32::from(*b),
                        });
                    }
                    let failing = match &out {
                        Out::Val(Soft {
                            value: Value::Bool(false),
                            ..
                        }) if explain => Some(false_part(self.policy, when, &t)),
                        _ => None,
                    };
                    trace.children.push(t.with_note("condition"));
                    match out {
                        Out::Val(Soft {
                            value: Value::Bool(true),
                            ..
                        }) => {}
                        Out::Val(_) => {
                            result.status = Status::Ineligible;
                            result.reason = Some(match failing {
                                Some(part) => format!("condition not met: {part}"),
                                None => "condition not met".to_string(),
                            });
                            trace.value = "ineligible".into();
                            return self.finish(
                                result,
                                trace,
                                Out::Val(Soft {
                                    value: Value::Bool(false),
                                    soft: false,
                                }),
                                kind,
                            );
                        }
                        Out::Unknown(mut causes) => {
                            // Name what the amount needs too, so that filling
                            // the condition's holes does not reveal new ones.
                            if kind != ItemKind::Commitment {
                                if let Ok((Out::Unknown(more), _)) = self.eval(ast.body.expr()) {
                                    causes.extend(more);
                                }
                            }
                            result.status = Status::Undetermined;
                            result.undetermined_by = causes.iter().cloned().collect();
                            result.reason = Some("the condition cannot be decided".into());
                            trace.value = "undetermined".into();
                            return self.finish(result, trace, Out::Unknown(causes), kind);
                        }
                        Out::Nothing(why) => {
                            result.status = Status::Ineligible;
                            result.reason = Some(why.clone());
                            return self.finish(result, trace, Out::Nothing(why), kind);
                        }
                    }
                }
            }
        }
        if kind == ItemKind::Commitment {
            result.status = Status::Listed;
            if let ExprKind::Lit(Literal {
                value: LitValue::Text(t),
                ..
            }) = &ast.body.expr().node
            {
                result.value = Some(t.clone());
            }
            return self.finish(result, trace, Out::val(Value::Bool(true)), kind);
        }
        let (out, t) = match self.eval(ast.body.expr()) {
            Ok(x) => x,
            Err(d) => return self.failed(idx, d),
        };
        trace.value = t.value.clone();
        trace.children.push(t);
        let out = match (&ast.body, out) {
            (ItemBody::AtMost(_), Out::Val(s)) => Out::Val(Soft {
                value: Value::Bound(BoundKind::AtMost, Box::new(s.value)),
                soft: s.soft,
            }),
            (ItemBody::AtLeast(_), Out::Val(s)) => Out::Val(Soft {
                value: Value::Bound(BoundKind::AtLeast, Box::new(s.value)),
                soft: s.soft,
            }),
            (_, out) => out,
        };
        match &out {
            Out::Unknown(causes) => {
                result.status = Status::Undetermined;
                result.undetermined_by = causes.iter().cloned().collect();
            }
            Out::Nothing(why) => {
                result.status = Status::Ineligible;
                result.reason = Some(why.clone());
            }
            Out::Val(s) => {
                result.soft_cap = s.soft;
                result.value = Some(s.value.to_string());
                match (kind, &s.value) {
                    (ItemKind::Target, Value::Bool(b)) => {
                        result.status = if *b { Status::Met } else { Status::NotMet };
                    }
                    (ItemKind::Eligibility, Value::Bool(false)) => {
                        result.status = Status::Ineligible;
                        result.reason = Some("the criteria are not met".into());
                    }
                    (k, v) if k.is_monetary() => {
                        if let Some((_, lo, hi)) = v.bounds() {
                            if lo.is_sign_negative() && !lo.is_zero() {
                                let d = self.err(
                                    Code::NegativeAmount,
                                    ast.body.expr().span,
                                    format!("`{}` comes to a negative amount, {}", ast.name.node, v),
                                    "computes to less than 0元",
                                )
                                .help("a grant cannot be negative; cap it below with max(…, 0元) if that is the intent");
                                return self.failed(idx, d);
                            }
                            if hi.is_zero() {
                                result.status = Status::Ineligible;
                                result.reason = Some("the amount comes to 0元".into());
                            } else if lo == hi {
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
        }
        self.finish(result, trace, out, kind)
    }

    fn finish(
        &self,
        mut result: ItemResult,
        trace: Trace,
        out: Out,
        kind: ItemKind,
    ) -> (Out, ItemResult) {
        if self.explaining() {
            trace.collect_notes(&mut result.notes);
            if let Some(r) = result.notes.iter().find(|n| n.starts_with("rounded")) {
                result.rounded = Some(r.clone());
            }
            result.explanation = Some(trace);
        }
        if let Out::Val(s) = &out {
            result.raw = Some(s.value.clone());
        }
        // What other items see when they use this one.
        let seen = match (&result.status, kind) {
            (Status::Ineligible, ItemKind::Eligibility) => Out::val(Value::Bool(false)),
            (Status::Ineligible | Status::NotInForce, _) => {
                Out::Nothing(format!("`{}` is not granted", result.name))
            }
            (Status::Error, _) => Out::Nothing(format!("`{}` failed", result.name)),
            // Other items use a benefit's bound as its value: `at most 1%` is 1%.
            _ => match out {
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

    fn failed(&mut self, idx: ItemId, d: Diagnostic) -> (Out, ItemResult) {
        let mut r = self.blank_result(idx, Status::Error);
        r.reason = Some(d.message.clone());
        self.errors.push(d);
        let why = format!("`{}` failed", r.name);
        (Out::Nothing(why), r)
    }

    // ------------------------------------------------------------ expressions

    /// Evaluates an expression within the step and depth limits: a policy
    /// that exceeds them (a long chain of params, a huge program) gets a
    /// diagnostic, never a stack overflow or a hang.
    fn eval(&mut self, e: &Expr) -> Ev {
        let limits = &self.options.limits;
        self.steps = self.steps.saturating_add(1);
        if self.steps > limits.max_steps {
            return Err(self
                .err(
                    Code::Limit,
                    e.span,
                    format!("the evaluation took more than {} steps", limits.max_steps),
                    "the step limit was reached here",
                )
                .help(
                    "raise the limit (Limits::max_steps) if the policy is this large on purpose",
                ));
        }
        if self.depth >= limits.max_eval_depth {
            return Err(self
                .err(
                    Code::Limit,
                    e.span,
                    format!(
                        "the evaluation nested more than {} deep",
                        limits.max_eval_depth
                    ),
                    "too deep here",
                )
                .help("a long chain of params, each defined by the next, nests this deep; define them directly"));
        }
        self.depth += 1;
        let result = self.eval_node(e);
        self.depth -= 1;
        result
    }

    fn eval_node(&mut self, e: &Expr) -> Ev {
        let explain = self.explaining();
        let text = if explain {
            describe(self.policy, e)
        } else {
            String::new()
        };
        let (out, mut trace) = match &e.node {
            ExprKind::Lit(l) => {
                let v = lit_value(&l.value);
                let shown = if explain {
                    v.to_string()
                } else {
                    String::new()
                };
                return Ok((Out::val(v), Trace::leaf(text, shown)));
            }
            ExprKind::Name(n) => return Ok(self.name(n, e.span, text)),
            ExprKind::Unary(op, x) => self.unary(*op, x)?,
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e.span)?,
            ExprKind::If(c, t, f) => self.if_(c, t, f, e.span)?,
            ExprKind::Call(f, args) => self.call(*f, args, e.span)?,
            ExprKind::Tiers(t) => self.tiers(t, e.span)?,
            ExprKind::Schedule(s) => self.schedule(s, e.span)?,
        };
        trace.expr = text;
        if explain {
            trace.value = out.render();
        }
        Ok((out, trace))
    }

    fn name(&mut self, name: &Name, span: Span, text: String) -> (Out, Trace) {
        let n = name.text.as_str();
        let out = match name.symbol {
            Some(Symbol::Fact(i)) => match self.facts.get(i) {
                Some(v) => Out::val(v.clone()),
                None => Out::Unknown(BTreeSet::from([Cause::Fact {
                    name: n.to_string(),
                    label: self.policy.fact(i).and_then(|f| f.label.clone()),
                }])),
            },
            Some(Symbol::Param(i)) => self.param(i),
            Some(Symbol::Item(i)) => match self.items.get(i.0).and_then(Option::as_ref) {
                Some((out, _)) => out.clone(),
                None => Out::Nothing(format!("`{n}` is not evaluated yet")),
            },
            Some(Symbol::Variant(..)) => Out::val(Value::Variant(n.to_string())),
            Some(Symbol::Enum(_)) | None => Out::Nothing(format!("`{n}` is not a value")),
        };
        let _ = span;
        if !self.explaining() {
            return (out, Trace::leaf(String::new(), String::new()));
        }
        let shown = if text == n {
            text
        } else {
            format!("{text} ({n})")
        };
        let rendered = out.render();
        (out, Trace::leaf(shown, rendered))
    }

    fn param(&mut self, i: ParamId) -> Out {
        if let Some(out) = self.params.get(&i) {
            return out.clone();
        }
        let Some(p) = self.policy.param(i) else {
            return Out::Nothing(String::new());
        };
        let out = if let Some(v) = self.options.params.get(&p.name) {
            Out::val(v.clone())
        } else if let Some(e) = &p.value {
            match self.eval(e) {
                Ok((out, _)) => out,
                Err(d) => {
                    self.errors.push(d);
                    Out::Nothing(format!("param `{}` failed", p.name))
                }
            }
        } else {
            Out::Unknown(BTreeSet::from([Cause::Param {
                name: p.name.clone(),
                label: p.label.clone(),
            }]))
        };
        self.params.insert(i, out.clone());
        out
    }

    fn unary(&mut self, op: UnaryOp, x: &Expr) -> Result<(Out, Trace), Diagnostic> {
        let (o, t) = self.eval(x)?;
        let mut trace = Trace::new(String::new());
        trace.children.push(t);
        let out = match (op, o) {
            (_, o @ (Out::Unknown(_) | Out::Nothing(_))) => o,
            (UnaryOp::Soft, Out::Val(s)) => Out::Val(Soft {
                value: s.value,
                soft: true,
            }),
            (UnaryOp::Not, Out::Val(s)) => match s.value {
                Value::Bool(b) => Out::val(Value::Bool(!b)),
                _ => Out::Nothing("not a condition".into()),
            },
            (UnaryOp::Neg, Out::Val(s)) => match s.value {
                Value::Num(u, d) => Out::val(Value::Num(u, -d)),
                Value::Range(u, lo, hi) => Out::val(Value::Range(u, -hi, -lo)),
                Value::Duration(d) => Out::val(Value::Duration(Duration {
                    amount: -d.amount,
                    unit: d.unit,
                })),
                _ => Out::Nothing("not a number".into()),
            },
        };
        Ok((out, trace))
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        l: &Expr,
        r: &Expr,
        span: Span,
    ) -> Result<(Out, Trace), Diagnostic> {
        let mut trace = Trace::new(String::new());
        let (lo, lt) = self.eval(l)?;
        trace.children.push(lt);
        // Kleene logic: a definite left side may decide alone.
        if let (
            BinaryOp::And | BinaryOp::Or,
            Out::Val(Soft {
                value: Value::Bool(b),
                ..
            }),
        ) = (op, &lo)
        {
            if (*b && op == BinaryOp::Or) || (!*b && op == BinaryOp::And) {
                return Ok((Out::val(Value::Bool(*b)), trace));
            }
        }
        let (ro, rt) = self.eval(r)?;
        trace.children.push(rt);
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            return Ok((kleene(op, lo, ro), trace));
        }
        let (a, b) = match (lo, ro) {
            (Out::Nothing(w), _) | (_, Out::Nothing(w)) => return Ok((Out::Nothing(w), trace)),
            (Out::Unknown(mut x), Out::Unknown(y)) => {
                x.extend(y);
                return Ok((Out::Unknown(x), trace));
            }
            (Out::Unknown(x), _) | (_, Out::Unknown(x)) => return Ok((Out::Unknown(x), trace)),
            (Out::Val(a), Out::Val(b)) => (a, b),
        };
        let soft = a.soft || b.soft;
        let value = match op {
            BinaryOp::Cmp(c) => match self.compare(c, &a.value, &b.value, span)? {
                Some(b) => Value::Bool(b),
                None => return Ok((Out::Unknown(BTreeSet::from([Cause::Discretion])), trace)),
            },
            BinaryOp::In => match (&a.value, &b.value) {
                (Value::Variant(v), Value::Set(s)) => Value::Bool(s.contains(v)),
                _ => Value::Bool(false),
            },
            BinaryOp::Range => match (a.value.bounds(), b.value.bounds()) {
                (Some((u, lo, _)), Some((_, _, hi))) if lo <= hi => Value::Range(u, lo, hi),
                (Some((u, lo, _)), Some((_, _, hi))) => {
                    let _ = u;
                    return Err(self
                        .err(
                            Code::Invalid,
                            span,
                            format!("the range starts above where it ends ({lo} > {hi})"),
                            "empty range",
                        )
                        .help("write the lower end first: 2%..3%"));
                }
                _ => return Err(self.err(Code::Invalid, span, "a range needs numbers", "here")),
            },
            _ => self.arith(op, &a.value, &b.value, span)?,
        };
        Ok((Out::Val(Soft { value, soft }), trace))
    }

    fn arith_error(
        &self,
        e: ArithError,
        span: Span,
        op: BinaryOp,
        a: &Value,
        b: &Value,
    ) -> Diagnostic {
        let (code, message, help) = match e {
            ArithError::Overflow => (
                Code::Overflow,
                format!("{a} {} {b} is too large to represent", op.symbol()),
                "amounts are exact up to about 7.9 × 10^28; check the facts for a misplaced magnitude",
            ),
            ArithError::DivisionByZero => (
                Code::DivisionByZero,
                format!("division by zero: {a} ÷ {b}"),
                "guard the division with a condition: if divisor > 0 then … else …",
            ),
            ArithError::Precision => (
                Code::Precision,
                format!(
                    "{a} {} {b} has no exact result within 28 significant digits",
                    op.symbol()
                ),
                "round the result where the policy says so: round(…, 0.01元)",
            ),
        };
        self.err(code, span, message, "in this expression")
            .help(help)
    }

    fn arith(&self, op: BinaryOp, a: &Value, b: &Value, span: Span) -> Result<Value, Diagnostic> {
        let fail = |e| self.arith_error(e, span, op, a, b);
        match (a, b) {
            (Value::Duration(x), Value::Duration(y))
                if matches!(op, BinaryOp::Add | BinaryOp::Sub) =>
            {
                let (p, q) = x.comparable(y).ok_or_else(|| {
                    self.err(
                        Code::UnitMismatch,
                        span,
                        format!("cannot combine {x} and {y}"),
                        "months and days",
                    )
                    .help("write both durations in months or years, or both in days")
                })?;
                let amount = if op == BinaryOp::Add {
                    arith::add(p, q)
                } else {
                    arith::sub(p, q)
                }
                .map_err(fail)?;
                let unit = if x.unit == DurationUnit::Days {
                    DurationUnit::Days
                } else {
                    DurationUnit::Months
                };
                let amount = if x.unit == y.unit && x.unit == DurationUnit::Years {
                    return Ok(Value::Duration(Duration {
                        amount: if op == BinaryOp::Add {
                            arith::add(x.amount, y.amount)
                        } else {
                            arith::sub(x.amount, y.amount)
                        }
                        .map_err(fail)?,
                        unit: DurationUnit::Years,
                    }));
                } else {
                    amount
                };
                Ok(Value::Duration(Duration { amount, unit }))
            }
            (Value::Date(d), Value::Duration(x)) | (Value::Duration(x), Value::Date(d)) => {
                let span_j = x.to_span().ok_or_else(|| {
                    self.err(
                        Code::Invalid,
                        span,
                        format!("{x} is not a whole number of calendar units"),
                        "here",
                    )
                })?;
                let span_j = if op == BinaryOp::Sub {
                    span_j.negate()
                } else {
                    span_j
                };
                d.checked_add(span_j).map(Value::Date).map_err(|_| {
                    self.err(
                        Code::Overflow,
                        span,
                        "the date falls outside the calendar",
                        "here",
                    )
                })
            }
            (Value::Date(x), Value::Date(y)) if op == BinaryOp::Sub => {
                let days = (*x - *y).get_days();
                Ok(Value::Duration(Duration {
                    amount: Decimal::from(days),
                    unit: DurationUnit::Days,
                }))
            }
            (Value::Duration(x), other) | (other, Value::Duration(x))
                if matches!(op, BinaryOp::Mul | BinaryOp::Div) =>
            {
                let Some((_, n, n_hi)) = other.bounds() else {
                    return Err(self.err(
                        Code::UnitMismatch,
                        span,
                        "a duration scales only by a number",
                        "here",
                    ));
                };
                if n != n_hi {
                    return Err(self.err(
                        Code::Invalid,
                        span,
                        "a duration cannot be scaled by a range",
                        "here",
                    ));
                }
                let amount = if op == BinaryOp::Mul {
                    arith::mul(x.amount, n)
                } else {
                    arith::div(x.amount, n)
                }
                .map_err(fail)?;
                Ok(Value::Duration(Duration {
                    amount,
                    unit: x.unit,
                }))
            }
            _ => {
                let ((ua, alo, ahi), (ub, blo, bhi)) = match (a.bounds(), b.bounds()) {
                    (Some(x), Some(y)) => (x, y),
                    _ => {
                        return Err(self.err(
                            Code::UnitMismatch,
                            span,
                            format!("cannot compute {a} {} {b}", op.symbol()),
                            "here",
                        ));
                    }
                };
                let unit = match op {
                    BinaryOp::Mul => product(ua, ub),
                    BinaryOp::Div => quotient(ua, ub),
                    _ => join(ua, ub),
                }
                .unwrap_or(ua);
                let point = alo == ahi && blo == bhi;
                let (lo, hi) = match op {
                    BinaryOp::Add => (
                        arith::add(alo, blo).map_err(fail)?,
                        arith::add(ahi, bhi).map_err(fail)?,
                    ),
                    BinaryOp::Sub => (
                        arith::sub(alo, bhi).map_err(fail)?,
                        arith::sub(ahi, blo).map_err(fail)?,
                    ),
                    BinaryOp::Mul => arith::hull([
                        arith::mul(alo, blo).map_err(fail)?,
                        arith::mul(alo, bhi).map_err(fail)?,
                        arith::mul(ahi, blo).map_err(fail)?,
                        arith::mul(ahi, bhi).map_err(fail)?,
                    ]),
                    _ => {
                        if blo <= Decimal::ZERO && bhi >= Decimal::ZERO {
                            return Err(fail(ArithError::DivisionByZero));
                        }
                        arith::hull([
                            arith::div(alo, blo).map_err(fail)?,
                            arith::div(alo, bhi).map_err(fail)?,
                            arith::div(ahi, blo).map_err(fail)?,
                            arith::div(ahi, bhi).map_err(fail)?,
                        ])
                    }
                };
                Ok(if point || lo == hi {
                    Value::Num(unit, lo)
                } else {
                    Value::Range(unit, lo, hi)
                })
            }
        }
    }

    /// `Some(bool)` when decided, `None` when a range leaves it to discretion.
    fn compare(
        &self,
        op: CmpOp,
        a: &Value,
        b: &Value,
        span: Span,
    ) -> Result<Option<bool>, Diagnostic> {
        use std::cmp::Ordering;
        let ord = |o: Ordering| match op {
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
        };
        if let (Some((_, alo, ahi)), Some((_, blo, bhi))) = (a.bounds(), b.bounds()) {
            let at_lo = ord(alo.cmp(&bhi));
            let at_hi = ord(ahi.cmp(&blo));
            let corners = [
                ord(alo.cmp(&blo)),
                ord(alo.cmp(&bhi)),
                ord(ahi.cmp(&blo)),
                ord(ahi.cmp(&bhi)),
                at_lo,
                at_hi,
            ];
            let all_true = corners.iter().all(|c| *c);
            let all_false = corners.iter().all(|c| !*c);
            // An equality between ranges is decided only when they are disjoint
            // or the same single point.
            return Ok(match op {
                CmpOp::Eq | CmpOp::Ne if !(alo == ahi && blo == bhi) => {
                    if ahi < blo || bhi < alo {
                        Some(op == CmpOp::Ne)
                    } else {
                        None
                    }
                }
                _ if all_true => Some(true),
                _ if all_false => Some(false),
                _ => None,
            });
        }
        let o = match (a, b) {
            (Value::Date(x), Value::Date(y)) => x.cmp(y),
            (Value::Duration(x), Value::Duration(y)) => {
                let (p, q) = x.comparable(y).ok_or_else(|| {
                    self.err(
                        Code::UnitMismatch,
                        span,
                        format!("cannot compare {x} with {y}"),
                        "months and days",
                    )
                    .help("write both durations in months or years, or both in days")
                })?;
                p.cmp(&q)
            }
            _ => {
                let equal = a == b;
                return Ok(Some(match op {
                    CmpOp::Ne => !equal,
                    _ => equal,
                }));
            }
        };
        Ok(Some(ord(o)))
    }

    fn if_(
        &mut self,
        c: &Expr,
        t: &Expr,
        f: &Expr,
        span: Span,
    ) -> Result<(Out, Trace), Diagnostic> {
        let mut trace = Trace::new(String::new());
        let (co, ct) = self.eval(c)?;
        trace.children.push(ct.with_note("condition"));
        match co {
            Out::Val(Soft {
                value: Value::Bool(b),
                ..
            }) => {
                self.hits.push(Hit {
                    span,
                    branch: u32::from(!b),
                });
                let (o, bt) = self.eval(if b { t } else { f })?;
                trace.children.push(bt.with_note(if b {
                    "then branch taken"
                } else {
                    "else branch taken"
                }));
                Ok((o, trace))
            }
            Out::Unknown(causes) => {
                let (a, at) = self.eval(t)?;
                let (b, bt) = self.eval(f)?;
                trace.children.push(at);
                trace.children.push(bt);
                if a == b && matches!(a, Out::Val(_)) {
                    return Ok((a, trace));
                }
                Ok((Out::Unknown(causes), trace))
            }
            other => Ok((other, trace)),
        }
    }

    fn call(&mut self, f: Builtin, args: &[Expr], span: Span) -> Result<(Out, Trace), Diagnostic> {
        if f == Builtin::Round {
            return self.round(args, span);
        }
        let mut trace = Trace::new(String::new());
        let mut outs = Vec::with_capacity(args.len());
        for a in args {
            let (o, t) = self.eval(a)?;
            trace.children.push(t);
            outs.push(o);
        }
        let mut vals = Vec::with_capacity(outs.len());
        let mut causes = BTreeSet::new();
        for o in outs {
            match o {
                Out::Nothing(w) => return Ok((Out::Nothing(w), trace)),
                Out::Unknown(c) => causes.extend(c),
                Out::Val(v) => vals.push(v),
            }
        }
        if !causes.is_empty() {
            return Ok((Out::Unknown(causes), trace));
        }
        let pick_min = match f {
            Builtin::Min => true,
            Builtin::Max => false,
            _ => return self.clamp(vals, trace, span),
        };
        let Some(out) = self.extreme(&vals, pick_min, &mut trace, args, span) else {
            return Err(self.err(
                Code::Invalid,
                span,
                format!("`{}` needs numbers", f.name()),
                "here",
            ));
        };
        Ok((Out::Val(out), trace))
    }

    /// `min`/`max` bound by bound, noting which argument bound the result.
    fn extreme(
        &mut self,
        vals: &[Soft],
        pick_min: bool,
        trace: &mut Trace,
        args: &[Expr],
        span: Span,
    ) -> Option<Soft> {
        let better = |x: Decimal, y: Decimal| if pick_min { x < y } else { x > y };
        let mut lo_at = 0;
        let mut hi_at = 0;
        let mut unit = Unit::Number;
        let (mut lo, mut hi) = (Decimal::ZERO, Decimal::ZERO);
        for (i, v) in vals.iter().enumerate() {
            let (u, l, h) = v.value.bounds()?;
            if i == 0 || better(l, lo) {
                lo = l;
                lo_at = i;
            }
            if i == 0 || better(h, hi) {
                hi = h;
                hi_at = i;
            }
            if i == 0 || u != Unit::Number {
                unit = u;
            }
        }
        let soft =
            vals.get(lo_at).is_some_and(|v| v.soft) || vals.get(hi_at).is_some_and(|v| v.soft);
        for at in [lo_at, hi_at] {
            self.hits.push(Hit {
                span,
                branch: u32::try_from(at).unwrap_or(u32::MAX),
            });
        }
        let value = if lo == hi {
            Value::Num(unit, lo)
        } else {
            Value::Range(unit, lo, hi)
        };
        if vals.len() > 1 && self.explaining() {
            let word = if pick_min { "cap" } else { "floor" };
            let soft_word = if soft { " (soft cap, 原则上)" } else { "" };
            let note = if lo_at == 0 && hi_at == 0 {
                let others: Vec<String> =
                    vals.iter().skip(1).map(|v| v.value.to_string()).collect();
                // A tie with a cap is worth saying: the amount is exactly
                // what the cap allows.
                let tied = vals
                    .iter()
                    .skip(1)
                    .any(|v| v.value.bounds().is_some_and(|(_, l, h)| l == lo && h == hi));
                let rel = match (tied, pick_min) {
                    (true, _) => "exactly at",
                    (false, true) => "under",
                    (false, false) => "above",
                };
                format!("{rel} the {word} {}", others.join(", "))
            } else if lo_at == hi_at {
                let bound = vals
                    .get(lo_at)
                    .map(|v| v.value.to_string())
                    .unwrap_or_default();
                let verb = if pick_min {
                    "capped at"
                } else {
                    "raised to the floor"
                };
                let literal = args.get(lo_at).is_some_and(|a| {
                    matches!(a.node, ExprKind::Lit(_) | ExprKind::Unary(UnaryOp::Soft, _))
                });
                let which = args
                    .get(lo_at)
                    .map(|a| describe(self.policy, a))
                    .unwrap_or_default();
                if literal || which == bound {
                    format!("{verb} {bound}{soft_word}")
                } else {
                    format!("{verb} {bound} ({which}){soft_word}")
                }
            } else {
                format!("the {word} binds for part of the range{soft_word}")
            };
            trace.note = Some(note);
        }
        Some(Soft { value, soft })
    }

    fn clamp(
        &self,
        vals: Vec<Soft>,
        mut trace: Trace,
        span: Span,
    ) -> Result<(Out, Trace), Diagnostic> {
        let mut it = vals.into_iter();
        let (Some(x), Some(lo), Some(hi)) = (it.next(), it.next(), it.next()) else {
            return Err(self.err(
                Code::Invalid,
                span,
                "`clamp` takes a value, a low and a high bound",
                "here",
            ));
        };
        let (Some((_, l, _)), Some((_, _, h))) = (lo.value.bounds(), hi.value.bounds()) else {
            return Err(self.err(Code::Invalid, span, "`clamp` needs numbers", "here"));
        };
        if l > h {
            return Err(self.err(
                Code::Invalid,
                span,
                format!("`clamp` bounds are reversed: {} > {}", lo.value, hi.value),
                "here",
            ));
        }
        let Some((u, a, b)) = x.value.bounds() else {
            return Err(self.err(Code::Invalid, span, "`clamp` needs numbers", "here"));
        };
        let (ca, cb) = (a.max(l).min(h), b.max(l).min(h));
        let mut soft = x.soft;
        if b > h {
            trace.note = Some(format!("capped at {}", hi.value));
            soft |= hi.soft;
        } else if a < l {
            trace.note = Some(format!("raised to {}", lo.value));
            soft |= lo.soft;
        }
        let value = if ca == cb {
            Value::Num(u, ca)
        } else {
            Value::Range(u, ca, cb)
        };
        Ok((Out::Val(Soft { value, soft }), trace))
    }

    /// `round(x, step)`: to the nearest multiple of `step`, halves away from
    /// zero. `round(a / b, step)` divides exactly, so a quotient that does not
    /// terminate still rounds correctly.
    fn round(&mut self, args: &[Expr], span: Span) -> Result<(Out, Trace), Diagnostic> {
        let mut trace = Trace::new(String::new());
        let (x, step) = match args {
            [x] => (x, None),
            [x, s] => (x, Some(s)),
            _ => {
                return Err(self.err(
                    Code::Invalid,
                    span,
                    "`round` takes a value and a step",
                    "here",
                ));
            }
        };
        let (num, den) = match &x.node {
            ExprKind::Binary(BinaryOp::Div, a, b) => (a.as_ref(), Some(b.as_ref())),
            _ => (x, None),
        };
        let mut parts = vec![self.eval(num)?];
        if let Some(d) = den {
            parts.push(self.eval(d)?);
        }
        let step_out = match step {
            Some(s) => Some(self.eval(s)?),
            None => None,
        };
        let mut vals = Vec::new();
        let mut causes = BTreeSet::new();
        for (o, t) in parts.into_iter().chain(step_out) {
            trace.children.push(t);
            match o {
                Out::Nothing(w) => return Ok((Out::Nothing(w), trace)),
                Out::Unknown(c) => causes.extend(c),
                Out::Val(v) => vals.push(v),
            }
        }
        if !causes.is_empty() {
            return Ok((Out::Unknown(causes), trace));
        }
        let bounds: Vec<(Unit, Decimal, Decimal)> =
            vals.iter().filter_map(|v| v.value.bounds()).collect();
        let soft = vals.iter().any(|v| v.soft);
        let (unit, lo, hi) = *bounds
            .first()
            .ok_or_else(|| self.err(Code::Invalid, span, "`round` needs a number", "here"))?;
        let (den_unit, den_value) = match den {
            Some(_) => {
                let (u, d, dh) = *bounds.get(1).ok_or_else(|| {
                    self.err(Code::Invalid, span, "`round` needs a number", "here")
                })?;
                if d != dh {
                    return Err(self.err(
                        Code::Invalid,
                        span,
                        "cannot round a division by a range",
                        "here",
                    ));
                }
                (Some(u), d)
            }
            None => (None, Decimal::ONE),
        };
        let result_unit = match den_unit {
            Some(du) => quotient(unit, du).unwrap_or(unit),
            None => unit,
        };
        let step_value = match step {
            Some(_) => bounds.last().map(|b| b.1).unwrap_or(Decimal::ONE),
            None => Decimal::ONE,
        };
        if step_value <= Decimal::ZERO {
            return Err(self.err(
                Code::Invalid,
                span,
                "the rounding step must be positive",
                "here",
            ));
        }
        let den_shown = Value::Num(den_unit.unwrap_or(Unit::Number), den_value);
        if den_value.is_zero() {
            // Said with the divisor's own unit (÷ 0%), not the step's.
            return Err(self.arith_error(
                ArithError::DivisionByZero,
                span,
                BinaryOp::Div,
                &Value::Num(unit, lo),
                &den_shown,
            ));
        }
        let divisor = arith::mul(den_value, step_value).map_err(|e| {
            self.arith_error(
                e,
                span,
                BinaryOp::Mul,
                &den_shown,
                &Value::Num(result_unit, step_value),
            )
        })?;
        let one = |v: Decimal| -> Result<Decimal, Diagnostic> {
            let n = arith::round_quotient(v, divisor).map_err(|e| {
                self.arith_error(
                    e,
                    span,
                    BinaryOp::Div,
                    &Value::Num(unit, v),
                    &Value::Num(unit, divisor),
                )
            })?;
            arith::mul(n, step_value).map_err(|e| {
                self.arith_error(
                    e,
                    span,
                    BinaryOp::Mul,
                    &Value::Num(unit, n),
                    &Value::Num(unit, step_value),
                )
            })
        };
        let (rlo, rhi) = (one(lo)?, one(hi)?);
        if self.explaining() {
            trace.note = Some(format!(
                "rounded to the nearest {} (halves away from zero, 四舍五入)",
                format_quantity(result_unit, step_value)
            ));
        }
        let value = if rlo == rhi {
            Value::Num(result_unit, rlo)
        } else {
            Value::Range(result_unit, rlo, rhi)
        };
        Ok((Out::Val(Soft { value, soft }), trace))
    }

    /// A tier table: the first row whose test holds wins. With a prior peak
    /// (`first reaching X over P`) a row's test is `X >= T and P < T`.
    fn tiers(&mut self, t: &Tiers, span: Span) -> Result<(Out, Trace), Diagnostic> {
        let branch = |n: usize| Hit {
            span,
            branch: u32::try_from(n).unwrap_or(u32::MAX),
        };
        let mut trace = Trace::new(String::new());
        let (subject, st) = self.eval(&t.subject)?;
        trace.children.push(st);
        let prior = match &t.prior {
            Some(p) => {
                let (o, pt) = self.eval(p)?;
                trace.children.push(pt);
                Some(o)
            }
            None => None,
        };
        let mut causes: BTreeSet<Cause> = BTreeSet::new();
        for (n, (threshold, value)) in t.rows.iter().enumerate() {
            let (th, tt) = self.eval(threshold)?;
            // Each test is Some(bool) when decided, else None with its causes.
            let mut row_causes: BTreeSet<Cause> = BTreeSet::new();
            let mut test =
                |a: &Out, op: CmpOp, b: &Out, this: &Self| -> Result<Option<bool>, Diagnostic> {
                    match (a, b) {
                        (Out::Val(x), Out::Val(y)) => {
                            let r = this.compare(op, &x.value, &y.value, threshold.span)?;
                            if r.is_none() {
                                row_causes.insert(Cause::Discretion);
                            }
                            Ok(r)
                        }
                        (Out::Unknown(c), _) | (_, Out::Unknown(c)) => {
                            row_causes.extend(c.iter().cloned());
                            Ok(None)
                        }
                        _ => Ok(Some(false)),
                    }
                };
            if let (Out::Nothing(w), _) | (_, Out::Nothing(w)) = (&subject, &th) {
                return Ok((Out::Nothing(w.clone()), trace));
            }
            let reached = test(&subject, t.cmp, &th, self)?;
            let fresh = match &prior {
                None => Some(true),
                Some(p) => test(p, CmpOp::Lt, &th, self)?,
            };
            // Kleene `and` of the two tests.
            let hit = match (reached, fresh) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            match hit {
                Some(false) => continue,
                None => {
                    causes.extend(row_causes);
                    trace
                        .children
                        .push(tt.with_note(format!("row {} undecided", n + 1)));
                    return Ok((Out::Unknown(causes), trace));
                }
                Some(true) => {
                    self.hits.push(branch(n));
                    let (o, vt) = self.eval(value)?;
                    if self.explaining() {
                        let th_text = match &th {
                            Out::Val(x) => x.value.to_string(),
                            _ => String::new(),
                        };
                        trace.note = Some(if t.prior.is_some() {
                            format!("tier {} matched: first reaching {th_text}", n + 1)
                        } else {
                            format!("tier {} matched: {} {th_text}", n + 1, t.cmp.symbol())
                        });
                    }
                    trace.children.push(vt);
                    return Ok((o, trace));
                }
            }
        }
        self.hits.push(branch(t.rows.len()));
        match &t.otherwise {
            Some(o) => {
                let (out, ot) = self.eval(o)?;
                trace.note = Some("no tier matched: else row".into());
                trace.children.push(ot);
                Ok((out, trace))
            }
            None => {
                let why = if t.prior.is_some() {
                    "no output level reached for the first time".to_string()
                } else {
                    "no tier matched".to_string()
                };
                trace.note = Some(why.clone());
                Ok((Out::Nothing(why), trace))
            }
        }
    }

    /// A marginal schedule: each bracket's part of the base at its own rate.
    fn schedule(&mut self, s: &Schedule, span: Span) -> Result<(Out, Trace), Diagnostic> {
        let mut trace = Trace::new(String::new());
        let (base, bt) = self.eval(&s.base)?;
        trace.children.push(bt);
        let base = match base {
            Out::Val(v) => v,
            other => return Ok((other, trace)),
        };
        let Some((unit, blo, bhi)) = base.value.bounds() else {
            return Err(self.err(
                Code::Invalid,
                span,
                "a schedule needs a number as its base",
                "here",
            ));
        };
        let mut rows: Vec<(Option<Decimal>, Decimal)> = Vec::new();
        for (bound, rate) in &s.brackets {
            let (b, _) = self.eval(bound)?;
            let (r, _) = self.eval(rate)?;
            match (b, r) {
                (Out::Val(b), Out::Val(r)) => {
                    let (Some((_, bv, _)), Some((_, rv, _))) = (b.value.bounds(), r.value.bounds())
                    else {
                        return Err(self.err(
                            Code::Invalid,
                            bound.span,
                            "a bracket needs a number and a rate",
                            "here",
                        ));
                    };
                    rows.push((Some(bv), rv));
                }
                (Out::Unknown(c), _) | (_, Out::Unknown(c)) => return Ok((Out::Unknown(c), trace)),
                (Out::Nothing(w), _) | (_, Out::Nothing(w)) => return Ok((Out::Nothing(w), trace)),
            }
        }
        if let Some(above) = &s.above {
            match self.eval(above)?.0 {
                Out::Val(r) => {
                    if let Some((_, rv, _)) = r.value.bounds() {
                        rows.push((None, rv));
                    }
                }
                other => return Ok((other, trace)),
            }
        }
        let at = |x: Decimal| -> Result<(Decimal, Vec<String>), ArithError> {
            let mut total = Decimal::ZERO;
            let mut lower = Decimal::ZERO;
            let mut parts = Vec::new();
            for (upper, rate) in &rows {
                let top = match upper {
                    Some(u) => x.min(*u),
                    None => x,
                };
                if top <= lower {
                    break;
                }
                let portion = arith::sub(top, lower)?;
                let amount = arith::mul(portion, *rate)?;
                parts.push(format!(
                    "{} × {} = {}",
                    format_quantity(unit, portion),
                    crate::value::format_rate(*rate),
                    format_quantity(unit, amount)
                ));
                total = arith::add(total, amount)?;
                match upper {
                    Some(u) => lower = *u,
                    None => break,
                }
            }
            Ok((total, parts))
        };
        let err = |e| {
            self.arith_error(
                e,
                span,
                BinaryOp::Mul,
                &base.value,
                &Value::Num(Unit::Rate, Decimal::ZERO),
            )
        };
        let (lo, parts) = at(blo).map_err(err)?;
        let (hi, _) = at(bhi).map_err(err)?;
        trace.note = Some(format!("brackets: {}", parts.join("; ")));
        let value = if lo == hi {
            Value::Num(unit, lo)
        } else {
            Value::Range(unit, lo, hi)
        };
        Ok((
            Out::Val(Soft {
                value,
                soft: base.soft,
            }),
            trace,
        ))
    }
}

/// Kleene's three-valued `and` / `or`.
fn kleene(op: BinaryOp, a: Out, b: Out) -> Out {
    let truth = |o: &Out| match o {
        Out::Val(Soft {
            value: Value::Bool(b),
            ..
        }) => Some(*b),
        _ => None,
    };
    let decisive = op == BinaryOp::Or;
    match (truth(&a), truth(&b)) {
        (Some(x), _) if x == decisive => Out::val(Value::Bool(decisive)),
        (_, Some(y)) if y == decisive => Out::val(Value::Bool(decisive)),
        (Some(_), Some(_)) => Out::val(Value::Bool(!decisive)),
        _ => match (a, b) {
            (Out::Unknown(mut x), Out::Unknown(y)) => {
                x.extend(y);
                Out::Unknown(x)
            }
            (Out::Unknown(x), _) | (_, Out::Unknown(x)) => Out::Unknown(x),
            (Out::Nothing(w), _) | (_, Out::Nothing(w)) => Out::Nothing(w),
            (a, _) => a,
        },
    }
}

/// The part of a false condition that made it false: the false operand of
/// an `and`, followed down, with its value.
fn false_part(policy: &Policy, e: &Expr, t: &Trace) -> String {
    if let ExprKind::Binary(BinaryOp::And, l, r) = &e.node {
        for (sub, st) in [l.as_ref(), r.as_ref()].into_iter().zip(&t.children) {
            if st.value == "false" {
                return false_part(policy, sub, st);
            }
        }
    }
    let shown = describe(policy, e);
    let mut leaves: Vec<String> = Vec::new();
    named_leaves(t, &mut leaves);
    if leaves.is_empty() {
        shown
    } else {
        format!("{shown}, where {}", leaves.join(", "))
    }
}

/// The values of the names below a step (leaves whose text is not their
/// value), to show why a condition came out as it did.
fn named_leaves(t: &Trace, out: &mut Vec<String>) {
    for c in &t.children {
        if c.children.is_empty() {
            let is_literal = c.expr.chars().next().is_some_and(|ch| ch.is_ascii_digit());
            let line = format!("{} = {}", c.expr, c.value);
            let enum_value = c.expr.ends_with(&format!("({})", c.value));
            if !is_literal && !enum_value && c.expr != c.value && !out.contains(&line) {
                out.push(line);
            }
        } else {
            named_leaves(c, out);
        }
    }
}

/// The value of a literal.
pub fn lit_value(l: &LitValue) -> Value {
    match l {
        LitValue::Quantity(u, d) => Value::Num(*u, *d),
        LitValue::Duration(d) => Value::Duration(*d),
        LitValue::Date(d) => Value::Date(*d),
        LitValue::Bool(b) => Value::Bool(*b),
        LitValue::Text(t) => Value::Text(t.clone()),
    }
}
