//! Dated values (issue 16) beyond the corpus: `decree diff` tells an
//! amendment as "5000万 → 3000万 from 2023-07-01"; the compiled plan folds
//! the part in force once the evaluation date is fixed (no plan without a
//! date) and agrees with the interpreter; every day resolves to exactly one
//! part or to the documented gap.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use decree::dated::{InForce, in_force, windows};
use decree::eval::Facts;
use decree::plan::Plan;
use decree::population::read::Typed;
use decree::value::{Unit, Value};
use decree::{Options, Policy, SourceFile};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn load(text: &str) -> Policy {
    decree::load(&SourceFile::new("t.decree", text))
        .unwrap_or_else(|d| panic!("{}", d.render(decree::RenderStyle::Plain)))
}

const RULE: &str = "fact investment: money\nmeasure 8 \"t\" {\n  subsidy tech_upgrade = min(investment * 20%, cap)\n}\n";

fn with_cap(cap: &str) -> Policy {
    load(&format!("param cap: money = {cap}\n{RULE}"))
}

fn diff_lines(old: &str, new: &str) -> Vec<String> {
    let d = decree::diff::diff(&with_cap(old), &with_cap(new));
    d.changes.into_iter().flat_map(|c| c.details).collect()
}

#[test]
fn a_new_part_reads_as_the_amendment() {
    assert_eq!(
        diff_lines("5000万", "5000万 from 2021-01-01, 3000万 from 2023-07-01"),
        vec![
            "5000万 now in force from 2021-01-01",
            "5000万 → 3000万 from 2023-07-01"
        ]
    );
    assert_eq!(
        diff_lines(
            "5000万 from 2021-01-01",
            "5000万 from 2021-01-01, 3000万 from 2023-07-01"
        ),
        vec!["5000万 → 3000万 from 2023-07-01"]
    );
    assert_eq!(
        diff_lines(
            "5000万 from 2021-01-01, 3000万 from 2023-07-01",
            "5000万 from 2021-01-01, 2000万 from 2023-07-01"
        ),
        vec!["from 2023-07-01: 3000万 → 2000万"]
    );
    assert_eq!(
        diff_lines(
            "5000万 from 2021-01-01, 3000万 from 2023-07-01",
            "5000万 from 2021-01-01"
        ),
        vec!["the part from 2023-07-01 (3000万) is withdrawn"]
    );
}

#[test]
fn a_dated_amount_inside_a_rule_reads_the_same() {
    let rule = |cap: &str| {
        load(&format!(
            "fact investment: money\nmeasure 8 \"t\" {{\n  subsidy s = min(investment * 20%, {cap})\n}}\n"
        ))
    };
    let d = decree::diff::diff(
        &rule("dated { 5000万 from 2021-01-01 }"),
        &rule("dated { 5000万 from 2021-01-01, 3000万 from 2023-07-01 }"),
    );
    let lines: Vec<String> = d.changes.into_iter().flat_map(|c| c.details).collect();
    assert_eq!(lines, vec!["5000万 → 3000万 from 2023-07-01"]);
}

fn rows() -> Vec<Facts> {
    let policy = with_cap("5000万 from 2021-01-01, 3000万 from 2023-07-01");
    let (id, _) = policy.fact_named("investment").unwrap();
    (0..50)
        .map(|i| {
            let mut f = Facts::default();
            f.set(id, Value::Num(Unit::Money, Decimal::from(i * 7_000_000)));
            f
        })
        .collect()
}

#[test]
fn the_plan_folds_the_part_in_force_and_agrees_with_the_interpreter() {
    let policy = with_cap("5000万 from 2021-01-01, 3000万 from 2023-07-01");
    for (at, planned) in [
        (Some("2022-01-01"), true),
        (Some("2024-01-01"), true),
        // Before the first part: nothing in force, the interpreter says why.
        (Some("2020-01-01"), false),
        // No date: undetermined by the evaluation date.
        (None, false),
    ] {
        let options = Options {
            at: at.map(|a| a.parse().unwrap()),
            ..Options::default()
        };
        assert_eq!(
            Plan::compile(&policy, &options).is_some(),
            planned,
            "{at:?}"
        );
        let rows = rows();
        let got = common::population::run(Typed::new(&policy, rows.clone()), &options);
        let alone = common::population::each_alone(&policy, &rows, &options);
        common::population::agree(&format!("{at:?}"), &got, &alone);
    }
}

/// A dated value of up to five parts, each starting on a day offset from
/// 2020-01-01, some with an `until`, written in any order.
fn dated_text() -> impl Strategy<Value = String> {
    prop::collection::vec((0i64..2000, prop::option::of(0i64..400)), 1..5).prop_map(|parts| {
        let base: jiff::civil::Date = "2020-01-01".parse().unwrap();
        let text: Vec<String> = parts
            .iter()
            .enumerate()
            .map(|(k, (start, len))| {
                let from = base.checked_add(jiff::Span::new().days(*start)).unwrap();
                let until = len.map(|l| {
                    format!(
                        " until {}",
                        from.checked_add(jiff::Span::new().days(l)).unwrap()
                    )
                });
                format!("{}万 from {from}{}", k + 1, until.unwrap_or_default())
            })
            .collect();
        format!("dated {{ {} }}", text.join(", "))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every day is covered by exactly one window of a value the checker
    /// accepts, or lies in a gap whose ends are the windows around it.
    #[test]
    fn every_day_resolves_to_one_part_or_the_gap(text in dated_text(), day in 0i64..2600) {
        let policy_text = format!("param cap: money = 1元\nfact x: money\nmeasure 1 \"t\" {{\n  subsidy s = min(x, {text})\n}}\n");
        if decree::load(&SourceFile::new("p.decree", policy_text)).is_err() {
            // Overlapping windows: refused by the checker, nothing to resolve.
            return Ok(());
        }
        let e = decree::syntax::parse_expr(&SourceFile::new("e", text), &decree::Limits::default()).unwrap();
        let decree::ast::ExprKind::Dated(d) = e.node else { panic!("not dated") };
        let at = "2019-12-01".parse::<jiff::civil::Date>().unwrap()
            .checked_add(jiff::Span::new().days(day)).unwrap();
        let ws = windows(&d);
        let covering: Vec<usize> = ws.iter().filter(|(_, w)| w.covers(at)).map(|(i, _)| *i).collect();
        prop_assert!(covering.len() <= 1, "{covering:?} all cover {at}");
        match in_force(&d, at) {
            InForce::Part(i, w) => {
                prop_assert_eq!(covering, vec![i]);
                prop_assert!(w.covers(at));
            }
            InForce::Gap { after, before } => {
                prop_assert!(covering.is_empty());
                prop_assert!(after.is_none_or(|a| a < at));
                prop_assert!(before.is_none_or(|b| b > at));
                // Nothing in force between the gap's ends.
                for (_, w) in &ws {
                    prop_assert!(!w.covers(at));
                }
            }
        }
    }
}
