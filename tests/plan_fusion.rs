//! Fusion changes no result: on generated rows of the shapes the plan
//! fuses (`tests/batch/fused.decree`), with edge values — zero, negative,
//! amounts at the caps and thresholds and one fen either side, sums and
//! products past `i64`, more decimals than a column holds, missing facts —
//! the fused plan, the unfused plan and the interpreter agree: the same
//! rows decided, and on each decided row every status, amount and total
//! digit for digit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::root;
use decree::eval::{Facts, Status};
use decree::plan::{Columns, Outcomes, Plan};
use decree::value::{Unit, Value};
use decree::{Options, Policy, SourceFile};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn policy() -> &'static Policy {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        let rel = "tests/batch/fused.decree";
        let text = std::fs::read_to_string(root().join(rel)).unwrap();
        decree::load(&SourceFile::new(rel, text)).unwrap()
    })
}

const MONEY: [&str; 4] = ["x", "y", "z", "peak"];

/// One row: the four amounts and the flag, each possibly missing.
type Row = ([Option<Decimal>; 4], Option<bool>);

/// Amounts in yuan: ordinary ones, and the edges of the fused kernels.
fn amount() -> impl Strategy<Value = Option<Decimal>> {
    let edges = vec![
        "0",
        "0.01",
        "-0.01",
        "-1000000",
        // 20% of it is the 5000万 cap; 10% of it the 1000万 cap.
        "250000000",
        "249999999.99",
        "250000000.01",
        "100000000",
        // The tier thresholds (100亿, 500亿, 1000亿) and either side.
        "10000000000",
        "9999999999.99",
        "50000000000",
        "50000000000.01",
        "100000000000",
        "10000000",
        "10000000.01",
        "50000000",
        // i64::MAX fen and half of it: products and sums overflow.
        "92233720368547758.07",
        "46116860184273879.04",
        "-92233720368547758.08",
        // More decimals than a money column holds.
        "0.001",
        "1234.567",
    ];
    prop_oneof![
        6 => (0i64..20_000_000_000_000).prop_map(|fen| Some(Decimal::new(fen, 2))),
        4 => prop::sample::select(edges).prop_map(|s| Some(s.parse().unwrap())),
        1 => Just(None),
    ]
}

fn row() -> impl Strategy<Value = Row> {
    (
        [amount(), amount(), amount(), amount()],
        prop::option::of(any::<bool>()),
    )
}

fn facts(policy: &Policy, (money, flag): &Row, i: usize) -> Facts {
    let mut facts = Facts::new(format!("row {i}"));
    for (name, v) in MONEY.iter().zip(money) {
        if let Some(d) = v {
            facts.set(
                policy.fact_named(name).unwrap().0,
                Value::Num(Unit::Money, *d),
            );
        }
    }
    if let Some(b) = flag {
        facts.set(policy.fact_named("flag").unwrap().0, Value::Bool(*b));
    }
    facts
}

/// The rows as a plan's columns (a value a column cannot hold exactly
/// stays missing, and the plan defers its row).
fn columns(plan: &Plan, rows: &[Facts]) -> Columns {
    let mut cols = Columns::new(plan);
    for facts in rows {
        let row = cols.push_row();
        for (slot, f) in plan.facts().iter().enumerate() {
            if let Some(v) = facts.get(f.id) {
                cols.set_value(plan, slot, row, v);
            }
        }
    }
    cols
}

/// What a plan says of a row: whether it decided it, and then every
/// item's status and amount, and the total.
type Said = Option<(Vec<(Status, Option<Decimal>)>, Option<Decimal>)>;

fn said(plan: &Plan, out: &Outcomes, row: usize) -> Said {
    if !out.decided(row) {
        return None;
    }
    let items = (0..plan.item_count())
        .map(|i| {
            (
                out.status(row, i).unwrap(),
                out.amount(plan, row, i).map(|d| d.normalize()),
            )
        })
        .collect();
    Some((items, out.total(plan, row).map(|d| d.normalize())))
}

/// Fused and unfused plans say the same of every row, and the interpreter
/// agrees with every row they decide. Returns how many rows were decided.
fn agree(rows: &[Row]) -> usize {
    let policy = policy();
    let options = Options::default();
    let fused = Plan::compile(policy, &options).expect("the shapes compile");
    let unfused = Plan::compile_unfused(policy, &options).expect("the shapes compile");
    let facts: Vec<Facts> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| facts(policy, r, i))
        .collect();
    let (a, b) = (
        fused.run(&columns(&fused, &facts)),
        unfused.run(&columns(&unfused, &facts)),
    );
    let mut decided = 0;
    for (i, f) in facts.iter().enumerate() {
        let said = said(&fused, &a, i);
        assert_eq!(said, self::said(&unfused, &b, i), "row {i}: {:?}", rows[i]);
        let Some((items, total)) = said else {
            continue;
        };
        decided += 1;
        let e = decree::evaluate(policy, f, &options);
        let by_interpreter: Vec<_> = e
            .measures
            .iter()
            .flat_map(|m| &m.items)
            .map(|it| (it.status, it.amount.map(|d| d.normalize())))
            .collect();
        assert_eq!(items, by_interpreter, "row {i}: {:?}", rows[i]);
        assert!(e.total.complete, "row {i}: {:?}", rows[i]);
        assert_eq!(
            total,
            Some(e.total.min.normalize()),
            "row {i}: {:?}",
            rows[i]
        );
    }
    decided
}

/// A row with every fact present, in fen up to 2000亿 or at the caps and
/// thresholds: whole batches of these take the kernels' plain path (no
/// state, no overflow check).
fn plain_row() -> impl Strategy<Value = Row> {
    let edges = vec![
        "0",
        "0.01",
        "250000000",
        "249999999.99",
        "10000000000",
        "9999999999.99",
        "50000000000",
        "100000000000",
        "10000000",
        "50000000",
    ];
    let amount = prop_oneof![
        3 => (0i64..20_000_000_000_000).prop_map(|fen| Some(Decimal::new(fen, 2))),
        1 => prop::sample::select(edges).prop_map(|s| Some(s.parse().unwrap())),
    ];
    (
        [amount.clone(), amount.clone(), amount.clone(), amount],
        any::<bool>().prop_map(Some),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn fused_unfused_and_the_interpreter_agree(rows in prop::collection::vec(row(), 1..120)) {
        agree(&rows);
    }

    #[test]
    fn on_plain_batches_too(rows in prop::collection::vec(plain_row(), 1..120)) {
        prop_assert_eq!(agree(&rows), rows.len());
    }
}

#[test]
fn every_shape_of_the_file_is_fused() {
    let plan = Plan::compile(policy(), &Options::default()).unwrap();
    // All but `big` (a comparison) and `stacked` (a sum of items).
    assert_eq!(plan.fused_items(), 10);
    let unfused = Plan::compile_unfused(policy(), &Options::default()).unwrap();
    assert_eq!(unfused.fused_items(), 0);
}

#[test]
fn plain_rows_are_decided_by_the_fused_plan_across_batches() {
    // More rows than a batch holds, every fact a plain value at the
    // caps, thresholds and either side: the plan decides them itself.
    let edges = [
        "0",
        "0.01",
        "249999999.99",
        "250000000",
        "10000000000",
        "50000000000.01",
        "100000000000",
        "9999999999.99",
    ];
    let d = |k: usize| Some(edges[k % edges.len()].parse::<Decimal>().unwrap());
    let rows: Vec<Row> = (0..2500)
        .map(|i| ([d(i), d(i / 3), d(i / 7), d(i / 11)], Some(i % 2 == 0)))
        .collect();
    assert_eq!(agree(&rows), rows.len());
}
