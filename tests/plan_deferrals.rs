//! How much of the draft the compiled plan leaves to the interpreter, over
//! the benchmark's 10,000 generated enterprises (`benches/anchor.rs`,
//! `draft_population`): per item, on how many rows the plan defers it, and
//! per row how many items the interpreter decides. A regression (an item
//! the plan decided going back to the interpreter) fails here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "draft/firms.rs"]
mod firms;

use decree::Options;
use decree::eval::Facts;
use decree::plan::{Columns, Plan};
use decree::population::{RowView, Settings, Sink};

/// The benchmark's population (`firms::bench_population`) and its options.
fn population() -> (decree::Policy, Vec<Facts>, Options) {
    let policy = firms::load();
    let (_, facts) = firms::bench_population(&policy, 10_000);
    let options = firms::filled_options(&policy);
    (policy, facts, options)
}

/// How many items the interpreter decided on each row.
#[derive(Default)]
struct Interpreted(Vec<usize>);

impl Sink for Interpreted {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), decree::Diagnostic> {
        self.0.push(row.interpreted_items());
        Ok(())
    }
}

/// Per item, the rows on which the plan defers it; and per row, how many
/// items the interpreter decides in the population loop.
fn tally(policy: &decree::Policy, facts: &[Facts], options: &Options) -> (Vec<usize>, Vec<usize>) {
    let plan = Plan::compile(policy, options).expect("the draft has a plan");
    let mut cols = Columns::new(&plan);
    for f in facts {
        let row = cols.push_row();
        for (slot, s) in plan.facts().iter().enumerate() {
            if let Some(v) = f.get(s.id) {
                cols.set_value(&plan, slot, row, v);
            }
        }
    }
    let out = plan.run(&cols);
    let per_item = (0..policy.items.len())
        .map(|i| {
            (0..facts.len())
                .filter(|r| out.status(*r, i).is_none())
                .count()
        })
        .collect();
    let mut seen = Interpreted::default();
    let mut source = decree::population::read::Typed::new(policy, facts.to_vec());
    decree::population::run(
        &mut source,
        &mut seen,
        &Settings::lean(options.clone()),
        |_| {},
    )
    .unwrap();
    (per_item, seen.0)
}

fn median(mut v: Vec<usize>) -> usize {
    v.sort_unstable();
    v[v.len() / 2]
}

#[test]
fn the_plan_defers_few_of_the_drafts_items() {
    let (policy, facts, options) = population();
    let (per_item, per_row) = tally(&policy, &facts, &options);
    let mut deferred: Vec<(usize, &str)> = per_item
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| (*n, policy.items[i].name()))
        .collect();
    deferred.sort_unstable_by(|a, b| b.cmp(a));
    let total: usize = per_item.iter().sum();
    let median_row = median(per_row.clone());
    let whole = per_row.iter().filter(|k| **k == 0).count();
    eprintln!(
        "deferred item-rows {total}; median items by the interpreter per row {median_row}; \
         rows wholly by the plan {whole}; per item: {deferred:?}"
    );
    // What the interpreter makes of the deferred items.
    let plan = Plan::compile(&policy, &options).unwrap();
    let mut cols = Columns::new(&plan);
    for f in &facts {
        let row = cols.push_row();
        for (slot, s) in plan.facts().iter().enumerate() {
            if let Some(v) = f.get(s.id) {
                cols.set_value(&plan, slot, row, v);
            }
        }
    }
    let out = plan.run(&cols);
    let mut by_status = std::collections::BTreeMap::new();
    let mut per_row_deferred = Vec::new();
    for (r, f) in facts.iter().enumerate() {
        let e = decree::population::RowResult::from_evaluation(
            &policy,
            0,
            &decree::evaluate(
                &policy,
                f,
                &Options {
                    skip_explanations: true,
                    ..options.clone()
                },
            ),
        );
        let mut k = 0;
        for (i, o) in e.items.iter().enumerate() {
            if out.status(r, i).is_none() {
                k += 1;
                let static_ = !plan.plans(i);
                *by_status
                    .entry((format!("{:?}", o.status), static_, o.causes.is_empty()))
                    .or_insert(0usize) += 1;
            }
        }
        per_row_deferred.push(k);
    }
    let median_deferred = median(per_row_deferred);
    eprintln!(
        "median deferred items per row {median_deferred}; by (interpreter status, never planned, \
         no causes): {by_status:?}"
    );
    // Measured when the plan came to decide undetermined items itself,
    // compare durations and decide tier tables of a subject not known
    // (before: 93,910 item-rows deferred, a median of 5 items a row by the
    // interpreter, 511 rows wholly by the plan): a regression fails here.
    // What is left is amounts with more decimals than their column.
    assert!(total <= 2_455, "{total} items deferred");
    assert!(
        median_row == 0 && median_deferred == 0,
        "{median_row} {median_deferred}"
    );
    assert!(whole >= 7_808, "{whole} rows wholly by the plan");
}
