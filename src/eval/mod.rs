//! The interpreter: a checked [`Policy`] and an enterprise's [`Facts`] in, an
//! [`Evaluation`] out — every item's status, exact amount and explanation.
//!
//! Values that cannot be known are not zero: an expression evaluates to an
//! [`Out`], which is a value, *undetermined* (carrying the missing facts, `tbd`
//! params or discretion that made it so), or *nothing* (no tier matched, an
//! item used is not granted). `and`/`or` follow Kleene's three-valued logic,
//! and discretionary ranges flow through arithmetic bound by bound.
//!
//! The stages of one evaluation, file by file: `window` (is the policy in
//! force?), `item` (each item's decision, by the rules of `decide` that
//! the compiled plan shares), `expr` (expressions), `values` (arithmetic
//! and comparison of values), `tables` (tiers, schedules, `round`), `trace`
//! (the typed explanation, rendered to [`Trace`] text).

mod across;
mod amend;
pub(crate) mod arith;
mod caps;
mod dated;
mod dates;
pub(crate) use dates::years_between;
pub(crate) mod decide;
mod describe;
mod expr;
mod input;
mod item;
mod out;
pub(crate) mod partial;
pub(crate) mod quotient;
mod records;
mod result;
mod stacking;
mod tables;
mod trace;
mod values;
mod window;

pub use arith::ArithError;
pub use describe::{describe, display_name};
pub use input::{Facts, Options};
pub use out::{Cause, Nothing, Out, Soft};
pub use result::*;
pub use values::lit_value;
pub use window::window;
// A schedule at one base, as the interpreter computes it: the static
// ceilings of `crate::matching` take a schedule at its highest base.
pub(crate) use tables::marginal;

use crate::ast::Expr;
use crate::check::Policy;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::value::Value;

/// Evaluates every item of `policy` for one enterprise.
pub fn evaluate(policy: &Policy, facts: &Facts, options: &Options) -> Evaluation {
    let mut ev = Evaluator::new(policy, facts, options);
    let window = window(policy, options);
    ev.items_in_order(window.status != WindowStatus::NotInForce);
    ev.finish(window)
}

/// Evaluates the policy, then one more expression in its context (items
/// usable by name), as the REPL does for what-if questions. The
/// expression's names must be resolved ([`crate::check::check_expr`]).
pub fn evaluate_expr(
    policy: &Policy,
    facts: &Facts,
    options: &Options,
    expr: &Expr,
) -> (Evaluation, Result<(Out, Trace), Diagnostic>) {
    let mut ev = Evaluator::new(policy, facts, options);
    let window = window(policy, options);
    ev.items_in_order(window.status != WindowStatus::NotInForce);
    let extra = ev.eval(expr).map(|(out, step)| {
        let shown = match step {
            Some(s) => trace::render(policy, &s),
            None => Trace::default(),
        };
        (out, shown)
    });
    (ev.finish(window), extra)
}

/// Evaluates an expression that uses no facts (literals, params, ranges),
/// as tests and `--set` need; its names must be resolved
/// ([`crate::check::resolve_names`]). Anything undetermined is an error.
pub fn constant(policy: &Policy, e: &Expr, options: &Options) -> Result<Value, Diagnostic> {
    let facts = Facts::default();
    let mut ev = Evaluator::new(policy, &facts, options);
    match ev.eval(e)?.0 {
        Out::Val(s) => Ok(s.value),
        other => Err(Diagnostic::error(
            Code::Invalid,
            format!(
                "expected a constant value, but this is {}",
                other.render(policy)
            ),
        )
        .label(e.span, "not a constant")
        .help("write a literal such as 2400万, 20%, 2%..3% or true")),
    }
}

/// One evaluation: the policy, the facts, and what has been found so far.
struct Evaluator<'p> {
    policy: &'p Policy,
    facts: &'p Facts,
    options: &'p Options,
    /// Each item's outcome (as other items see it) and result, once evaluated.
    items: Vec<Option<(Out, ItemResult)>>,
    /// Each param's value, once evaluated, by `ParamId`.
    params: Vec<Option<Out>>,
    errors: Vec<Diagnostic>,
    /// Branches taken, for `decree test --coverage`.
    hits: Vec<Hit>,
    /// Expressions evaluated so far, against `Limits::max_steps`.
    steps: u64,
    /// Current nesting of `eval` calls, against `Limits::max_eval_depth`.
    depth: usize,
    /// The record a per-record item is being evaluated for.
    record: Option<records::Current<'p>>,
    /// Which stacking groups are decided (see `across::settle`).
    groups_done: Vec<bool>,
    /// Which cumulative caps are applied.
    caps_done: Vec<bool>,
    /// Set while an expression is evaluated only for its outcome, whose
    /// explanation would be thrown away: no step is built then.
    quiet: bool,
}

impl<'p> Evaluator<'p> {
    fn new(policy: &'p Policy, facts: &'p Facts, options: &'p Options) -> Self {
        Evaluator {
            policy,
            facts,
            options,
            // Filled slot by slot rather than cloned from one `None`: a slot
            // is over 500 bytes and a clone copies all of it.
            items: item_slots(policy.items.len()),
            params: nones(policy.params.len()),
            errors: Vec::new(),
            hits: Vec::new(),
            steps: 0,
            depth: 0,
            record: None,
            groups_done: vec![false; policy.groups.len()],
            caps_done: vec![false; policy.caps.len()],
            quiet: false,
        }
    }

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

    /// Whether to build what only a reader needs (explanations, notes,
    /// cites, reasons, coverage): not in population runs
    /// (`skip_explanations`).
    fn explaining(&self) -> bool {
        !self.options.skip_explanations
    }

    /// Records a branch taken, for coverage.
    fn hit(&mut self, span: Span, branch: usize) {
        if self.explaining() {
            self.hits.push(Hit {
                span,
                branch: u32::try_from(branch).unwrap_or(u32::MAX),
            });
        }
    }

    /// Evaluates every item, each after the items it uses.
    fn items_in_order(&mut self, in_force: bool) {
        for &idx in &self.policy.order {
            let result = if in_force {
                self.item(idx)
            } else {
                self.not_in_force(idx)
            };
            if let Some(slot) = self.items.get_mut(idx.0) {
                *slot = Some(result);
            }
            self.settle();
        }
    }

    /// The evaluation: every measure with its items' results, the total,
    /// and the errors met.
    fn finish(mut self, window: Window) -> Evaluation {
        let policy = self.policy;
        // Cites are for readers: a population run leaves them out.
        let explaining = self.explaining();
        let cites_of = |cites: &Vec<String>| {
            if explaining {
                cites.clone()
            } else {
                Vec::new()
            }
        };
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
                items: {
                    // Allocated once: a `filter_map` would grow it step by
                    // step, each step copying the results of some 470 bytes.
                    let mut items = Vec::with_capacity(m.items.len());
                    items.extend(
                        m.items
                            .iter()
                            .filter_map(|&i| self.items.get_mut(i.0).and_then(Option::take))
                            .map(|(_, r)| r),
                    );
                    items
                },
            })
            .collect::<Vec<_>>();
        let (total, overflow) = Total::sum(&measures);
        self.errors.extend(overflow);
        // Once a limit is reached every later item reports it: say it once.
        let mut limit_seen = false;
        self.errors.retain(|d| {
            let first = !(d.code == Code::Limit && limit_seen);
            limit_seen |= d.code == Code::Limit;
            first
        });
        give_back(std::mem::take(&mut self.items));
        Evaluation {
            policy: policy.header.title.clone(),
            enterprise: self.facts.name.clone(),
            window,
            measures,
            total,
            errors: self.errors,
            hits: self.hits,
        }
    }
}

/// The slots of one evaluation's items.
type Slots = Vec<Option<(Out, ItemResult)>>;

thread_local! {
    /// The item slots of the last evaluation on this thread, emptied, for
    /// the next: a slot is over 500 bytes, and allocating the draft's 100 of them
    /// afresh for every enterprise of a population run costs more than
    /// evaluating many of its items.
    static SPARE_SLOTS: std::cell::Cell<Slots> = const { std::cell::Cell::new(Vec::new()) };
}

/// `n` empty item slots, reusing this thread's spare ones.
fn item_slots(n: usize) -> Slots {
    let mut slots = SPARE_SLOTS.with(std::cell::Cell::take);
    slots.clear();
    slots.resize_with(n, || None);
    slots
}

/// Keeps an evaluation's item slots, emptied, for the next one.
fn give_back(mut slots: Slots) {
    slots.clear();
    SPARE_SLOTS.with(|spare| spare.set(slots));
}

/// `n` empty slots.
fn nones<T>(n: usize) -> Vec<Option<T>> {
    let mut v = Vec::with_capacity(n);
    v.resize_with(n, || None);
    v
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::span::SourceFile;

    const POLICY: &str = r#"
fact x: money "投资额"
fact output: money "产值"
measure 1 "m" {
  cite "按不超过投资额的20%，最高5000万元。"
  subsidy capped "技术改造" = min(20% * x, 5000万) concerns "技术改造项目"
  subsidy held = clamp(10% * x, 10万, 100万)
  subsidy bracketed = schedule x { 1亿 => 10% above => 5% }
  subsidy rounded = round(x / 3, 1万元)
  award tiered = tiers output { 100亿 => 300万 50亿 => 100万 }
  award never = 100万 when output > 1万亿
}
"#;

    fn run(skip_explanations: bool) -> Evaluation {
        let policy = crate::load(&SourceFile::new("p.decree", POLICY)).expect("checks");
        let facts =
            crate::facts_from_pairs(&policy, &[("x", "3亿"), ("output", "60亿")]).expect("facts");
        let options = Options {
            skip_explanations,
            ..Options::default()
        };
        evaluate(&policy, &facts, &options)
    }

    #[test]
    fn a_lean_run_builds_no_text_for_readers_and_decides_the_same() {
        let (full, lean) = (run(false), run(true));
        let items = |e: &Evaluation| -> Vec<ItemResult> {
            e.measures.iter().flat_map(|m| m.items.clone()).collect()
        };
        for (f, l) in items(&full).iter().zip(&items(&lean)) {
            assert_eq!((f.status, f.amount, &f.raw), (l.status, l.amount, &l.raw));
            assert!(f.explanation.is_some() && !f.cites.is_empty(), "{}", f.name);
            assert!(l.explanation.is_none(), "{}", l.name);
            assert!(l.notes.is_empty() && l.cites.is_empty(), "{}", l.name);
            assert!(l.label.is_none() && l.concerns.is_none(), "{}", l.name);
            assert_eq!(f.name, l.name);
            assert!(l.reason.is_none() && l.rounded.is_none(), "{}", l.name);
            assert!(l.value.is_none(), "{}", l.name);
            assert_eq!(f.value.is_some(), f.status == Status::Granted, "{}", f.name);
        }
        let capped = items(&full).into_iter().find(|i| i.name == "capped");
        assert!(capped.is_some_and(|c| c.label.is_some() && c.concerns.is_some()));
        assert!(!full.hits.is_empty());
        assert!(lean.hits.is_empty());
        assert_eq!(full.total, lean.total);
        let notes: Vec<String> = items(&full).iter().flat_map(|i| i.notes.clone()).collect();
        for wanted in [
            "capped at 5,000万元",
            "capped at 100万元",
            "brackets:",
            "rounded to the nearest",
            "tier 2 matched",
        ] {
            assert!(
                notes.iter().any(|n| n.starts_with(wanted)),
                "{wanted} in {notes:?}"
            );
        }
    }
}
