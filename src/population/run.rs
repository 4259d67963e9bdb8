//! The streaming loop: source → chunks → plan / interpreter → sink, in
//! input order, on every core, reading the next chunk while this one is
//! evaluated.

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::read::{Chunk, Source};
use super::view::{Mixed, RowView};
use super::{
    Delivery, Detail, FIRST_REJECTED, Progress, RowError, RowResult, Settings, Sink, Tally,
};
use crate::check::Policy;
use crate::diagnostic::Diagnostic;
use crate::eval::{Evaluation, Options};
use crate::plan::{Outcomes, Plan};

/// Rows read and evaluated at a time when the plan takes the policy:
/// memory stays flat as files grow.
const PLANNED_CHUNK: usize = 16_384;

/// Rows per chunk when every row goes to the interpreter: its per-row work
/// already fills the cores, and its typed facts and results are large, so
/// smaller chunks keep memory low.
const INTERPRETED_CHUNK: usize = 1_024;

/// Rows per chunk when whole evaluations (explanation trees) are kept.
const FULL_CHUNK: usize = 64;

/// Runs a population: every row of `source` evaluated by its policy with
/// `settings`, and given to `sink` in input order, rows that could not be
/// read in their places. `progress` is called after each chunk.
///
/// With [`Detail::Lean`] the policy is compiled once into a
/// [`Plan`] (when it can be) that decides most rows in fixed point, and the
/// interpreter, without explanations, takes the rest; with
/// [`Detail::Full`] the interpreter takes every row with the options as
/// given.
///
/// # Errors
/// The first error of the sink (a write that failed, a sum too large for
/// exact decimals, a rejected row under `--strict`): the run stops there.
pub fn run<'p, S, K>(
    source: &mut S,
    sink: &mut K,
    settings: &Settings,
    mut progress: impl FnMut(&Progress),
) -> Result<Tally, Diagnostic>
where
    S: Source<'p>,
    K: Sink + Send,
{
    let policy = source.policy();
    let mut options = settings.options.clone();
    let plan = match settings.detail {
        Detail::Lean => {
            // Population runs keep statuses and amounts, not texts.
            options.skip_explanations = true;
            Plan::compile(policy, &options)
        }
        Detail::Full => None,
    };
    let max = match (settings.detail, &plan) {
        (Detail::Full, _) => FULL_CHUNK,
        (Detail::Lean, Some(_)) => PLANNED_CHUNK,
        (Detail::Lean, None) => INTERPRETED_CHUNK,
    };
    let mut tally = Tally::default();
    let mut next = source.next_chunk(plan.as_ref(), max);
    while let Some(chunk) = next.take() {
        let (read, done) = rayon::join(
            || source.next_chunk(plan.as_ref(), max),
            || {
                let evaluated = evaluate(policy, plan.as_ref(), &chunk, &options, settings.detail);
                deliver(policy, &chunk, &evaluated, sink, &mut tally)
            },
        );
        if let Err(d) = done {
            // What was written so far is kept whole (a writer's header, its
            // buffer); the first error is the one told.
            let _ = sink.finish();
            return Err(d);
        }
        progress(&Progress {
            rows: tally.rows,
            rejected: tally.rejected,
            bytes: source.bytes_read(),
        });
        next = read;
    }
    sink.finish()?;
    Ok(tally)
}

/// Who decided one row of an evaluated chunk: exactly one of the plan and
/// the interpreter, so a row can be neither dropped nor counted twice.
enum Slot {
    /// The plan, with the row's total (taken when the row was decided, so a
    /// row whose total cannot be had goes to the interpreter instead).
    Plan(Decimal),
    /// The plan, and the interpreter for the items the plan deferred in
    /// this row and the items they need.
    Mixed(Box<Mixed>),
    /// The interpreter, results kept compact.
    Result(RowResult),
    /// The interpreter, the whole evaluation kept.
    Evaluation(Box<Evaluation>),
}

/// A chunk's results: the plan's columns, and the interpreter's results
/// for the rows the plan left to it.
struct Evaluated<'a> {
    plan: Option<&'a Plan>,
    outcomes: Option<Outcomes>,
    slots: Vec<Slot>,
}

/// Evaluates a chunk on every core: the plan over its columns, then, row
/// by row, the interpreter for the items the plan deferred (and those they
/// need), or for the whole row when it needs every item anyway.
fn evaluate<'a>(
    policy: &Policy,
    plan: Option<&'a Plan>,
    chunk: &Chunk,
    options: &Options,
    detail: Detail,
) -> Evaluated<'a> {
    let outcomes = plan.zip(chunk.columns.as_ref()).map(|(p, c)| p.run(c));
    let slots = (0..chunk.len())
        .into_par_iter()
        .map(|i| {
            let decided = plan
                .zip(outcomes.as_ref())
                .filter(|(_, o)| o.decided(i))
                .and_then(|(p, o)| o.total(p, i));
            if let Some(total) = decided {
                return Slot::Plan(total);
            }
            let mixed = plan
                .zip(outcomes.as_ref())
                .and_then(|(p, o)| mixed(policy, p, o, chunk, i, options));
            if let Some(m) = mixed {
                return Slot::Mixed(Box::new(m));
            }
            let line = chunk.rows.get(i).map_or(0, |h| h.line);
            match chunk.facts(policy, i) {
                Some(Ok(facts)) => {
                    let e = crate::evaluate(policy, &facts, options);
                    match detail {
                        Detail::Lean => Slot::Result(RowResult::from_evaluation(policy, line, &e)),
                        Detail::Full => Slot::Evaluation(Box::new(e)),
                    }
                }
                // The row was read once already; reading it again cannot
                // fail, but if it did the row is an error, not dropped.
                _ => Slot::Result(RowResult::failed(policy, line, format!("row {line}"))),
            }
        })
        .collect();
    Evaluated {
        plan,
        outcomes,
        slots,
    }
}

/// Row `i` decided by the plan but for the items it deferred, which the
/// interpreter decides with every item they need (`eval::partial`), given
/// only the facts those items read. `None` when that is the whole row, or
/// when the partial evaluation cannot stand for a whole one (a limit), or
/// the row's total cannot be had exactly: the interpreter then takes the
/// whole row.
fn mixed(
    policy: &Policy,
    plan: &Plan,
    outcomes: &Outcomes,
    chunk: &Chunk,
    i: usize,
    options: &Options,
) -> Option<Mixed> {
    let deferred = outcomes.deferred(plan, i);
    if deferred.is_empty() {
        // Every item decided: the total is summed in decimals (a range
        // granted, or a sum past the plan's integers).
        return Mixed::merge(policy, plan, outcomes, i, None);
    }
    let needs = plan.needs();
    let wanted = needs.closure(&deferred);
    if wanted.len() == needs.len() {
        return None;
    }
    let mut facts = crate::eval::Facts::new(String::new());
    for id in needs.facts(&wanted) {
        if let Some(v) = chunk.fact(policy, i, id) {
            facts.set(id, v);
        }
    }
    let partial = crate::eval::partial::evaluate_items(policy, &facts, options, &wanted);
    if !partial.within_limit(needs, &wanted, options) {
        return None;
    }
    Mixed::merge(policy, plan, outcomes, i, Some(partial))
}

/// Gives the chunk's rows and rejected rows to the sink, in input order,
/// as one [`Sink::chunk`], counting them in the tally.
fn deliver<K: Sink>(
    policy: &Policy,
    chunk: &Chunk,
    evaluated: &Evaluated<'_>,
    sink: &mut K,
    tally: &mut Tally,
) -> Result<(), Diagnostic> {
    let mut out = Vec::with_capacity(chunk.len() + chunk.errors.len());
    let mut errors = chunk.errors.iter().peekable();
    for (i, (head, slot)) in chunk.rows.iter().zip(&evaluated.slots).enumerate() {
        while let Some(e) = errors.next_if(|e| e.line < head.line) {
            out.push(reject(e, tally));
        }
        let view = match (slot, evaluated.plan, &evaluated.outcomes) {
            (Slot::Plan(total), Some(plan), Some(outcomes)) => {
                RowView::planned(head, plan, outcomes, i, *total)
            }
            (Slot::Mixed(m), Some(plan), Some(outcomes)) => {
                RowView::mixed(head, plan, outcomes, i, m)
            }
            (Slot::Plan(_) | Slot::Mixed(_), _, _) => return Err(lost_plan()),
            (Slot::Result(r), _, _) => RowView::interpreted(head, r),
            (Slot::Evaluation(e), _, _) => RowView::evaluated(head, e),
        }
        .read_in(chunk, i, policy);
        tally.rows += 1;
        if !view.errors().is_empty() {
            tally.failed += 1;
        }
        out.push(Delivery::Row(view));
    }
    out.extend(errors.map(|e| reject(e, tally)));
    sink.chunk(&out)
}

fn reject<'a>(e: &'a RowError, tally: &mut Tally) -> Delivery<'a> {
    tally.rejected += 1;
    if tally.first_rejected.len() < FIRST_REJECTED {
        tally.first_rejected.push(e.clone());
    }
    Delivery::Rejected(e)
}

/// A row said to be the plan's without the plan's results: a bug, told as
/// one rather than a row dropped.
fn lost_plan() -> Diagnostic {
    Diagnostic::error(
        crate::Code::Invalid,
        "internal error: a row decided by the plan has no plan results",
    )
}
