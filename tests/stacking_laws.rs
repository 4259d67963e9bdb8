//! Laws of the rules across items (issue 16), over generated policies:
//! a stacking group's total never exceeds its highest member (and is it,
//! for point amounts); a capped sum never exceeds the cap and is exactly
//! min(cap, sum) for point amounts; each reduced amount is at most its own
//! and above 0元 (an item the cap takes entirely is not granted);
//! and nothing depends on the order in which the measures are written.
//! Per record (`per project`): for each record, the group's members
//! together never exceed that record's highest member (and are it, for
//! the highest rule), the capped sum never exceeds the cap for that
//! record (and is exactly min(cap, the record's sum)), and each item is
//! the sum of its records.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use decree::eval::{Evaluation, Status};
use decree::{Options, SourceFile};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// One generated item: its amount in fen and whether it is granted.
#[derive(Debug, Clone)]
struct Item {
    fen: u64,
    granted: bool,
}

fn items() -> impl Strategy<Value = Vec<Item>> {
    prop::collection::vec(
        (1u64..2_000_000_000, prop::bool::weighted(0.8))
            .prop_map(|(fen, granted)| Item { fen, granted }),
        2..6,
    )
}

/// A policy of one measure per item (in the order `order` gives) and the
/// declaration `rule` over all of them.
fn policy(items: &[Item], order: &[usize], rule: &str) -> String {
    let mut text = String::from("fact yes: bool \"是\"\n");
    for &i in order {
        let it = &items[i];
        let when = if it.granted { "yes" } else { "not yes" };
        text.push_str(&format!(
            "measure {} \"m{i}\" {{\n  subsidy s{i} = {}元 when {when}\n}}\n",
            i + 1,
            Decimal::new(it.fen as i64, 2)
        ));
    }
    text.push_str(rule);
    text.push('\n');
    text
}

fn run(text: &str) -> Evaluation {
    let policy = decree::load(&SourceFile::new("laws.decree", text)).expect("checks");
    let facts = decree::facts_from_pairs(&policy, &[("yes", "true")]).expect("facts");
    decree::evaluate(&policy, &facts, &Options::default())
}

fn members(n: usize) -> String {
    (0..n)
        .map(|i| format!("s{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn amount(e: &Evaluation, i: usize) -> (Status, Option<Decimal>) {
    let r = e.item(&format!("s{i}")).expect("item");
    (r.status, r.amount)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_groups_total_is_its_highest_granted_member(items in items(), in_order in any::<bool>()) {
        let order: Vec<usize> = (0..items.len()).collect();
        let how = if in_order { " in order" } else { "" };
        let e = run(&policy(&items, &order, &format!("exclusive g \"g\"{how} {{ {} }}", members(items.len()))));
        let granted: Vec<Decimal> = items.iter().filter(|i| i.granted).map(|i| Decimal::new(i.fen as i64, 2)).collect();
        let highest = granted.iter().copied().max().unwrap_or(Decimal::ZERO);
        prop_assert!(e.total.max <= highest);
        let kept = (0..items.len()).filter(|&i| amount(&e, i).0 == Status::Granted).count();
        prop_assert_eq!(kept, usize::from(!granted.is_empty()));
        if !in_order {
            prop_assert_eq!(e.total.min, highest.normalize());
        }
    }

    #[test]
    fn a_capped_sum_is_min_of_cap_and_sum(items in items(), cap_fen in 1u64..4_000_000_000, pro_rata in any::<bool>()) {
        let order: Vec<usize> = (0..items.len()).collect();
        let cap = Decimal::new(cap_fen as i64, 2);
        let how = if pro_rata { "pro rata" } else { "in order" };
        let e = run(&policy(&items, &order, &format!("cap c \"c\" = {cap}元 over {{ {} }} {how}", members(items.len()))));
        let sum: Decimal = items.iter().filter(|i| i.granted).map(|i| Decimal::new(i.fen as i64, 2)).sum();
        prop_assert!(e.total.max <= cap);
        prop_assert_eq!(e.total.min, sum.min(cap).normalize());
        prop_assert_eq!(e.total.min, e.total.max);
        for (i, it) in items.iter().enumerate() {
            let (status, got) = amount(&e, i);
            if it.granted && status == Status::Granted {
                prop_assert!(got.unwrap() <= Decimal::new(it.fen as i64, 2));
                prop_assert!(!got.unwrap().is_zero());
            } else if it.granted {
                // Taken off entirely: not granted (an amount of 0元 never
                // is), and `capped` says the cap took it.
                let r = e.item(&format!("s{i}")).unwrap();
                prop_assert_eq!(status, Status::Ineligible);
                prop_assert_eq!(r.capped.as_ref().map(|c| c.before), Some(Decimal::new(it.fen as i64, 2)));
            }
        }
    }

    #[test]
    fn the_order_of_the_measures_does_not_matter(items in items(), seed in any::<u64>(), group in any::<bool>()) {
        let order: Vec<usize> = (0..items.len()).collect();
        let mut shuffled = order.clone();
        // A cheap permutation from the seed, enough to reorder.
        let n = shuffled.len();
        for k in 0..n {
            let j = (seed.wrapping_mul(k as u64 + 7) % n as u64) as usize;
            shuffled.swap(k, j);
        }
        let rule = if group {
            format!("exclusive g \"g\" {{ {} }}", members(n))
        } else {
            format!("cap c \"c\" = 1000万 over {{ {} }} pro rata", members(n))
        };
        let a = run(&policy(&items, &order, &rule));
        let b = run(&policy(&items, &shuffled, &rule));
        for i in 0..n {
            prop_assert_eq!(amount(&a, i), amount(&b, i));
        }
        prop_assert_eq!(a.total, b.total);
    }
}

/// One record's amounts in fen, one per item (0 for not granted: an
/// amount of 0元 never is).
fn records() -> impl Strategy<Value = (usize, Vec<Vec<u64>>)> {
    (2usize..5).prop_flat_map(|n| {
        let amount = prop_oneof![1 => Just(0u64), 4 => 1u64..2_000_000_000];
        (
            Just(n),
            prop::collection::vec(prop::collection::vec(amount, n), 0..5),
        )
    })
}

/// A policy of `n` items `for each p in projects`, item i paying field
/// `v{i}`, and the declaration `rule` over all of them.
fn per_record_policy(n: usize, rule: &str) -> String {
    let fields: Vec<String> = (0..n).map(|i| format!("v{i}: money \"v{i}\"")).collect();
    let mut text = format!(
        "record project \"项目\" {{ {} }}\nfact projects: list of project \"项目\"\nmeasure 1 \"m\" {{\n",
        fields.join(", ")
    );
    for i in 0..n {
        text.push_str(&format!("  subsidy s{i} = p.v{i} for each p in projects\n"));
    }
    text.push_str("}\n");
    text.push_str(rule);
    text.push('\n');
    text
}

fn run_records(text: &str, records: &[Vec<u64>]) -> Evaluation {
    let policy = decree::load(&SourceFile::new("laws.decree", text)).expect("checks");
    let rows: Vec<String> = records
        .iter()
        .map(|r| {
            let fields: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(i, fen)| format!("\"v{i}\": \"{}元\"", Decimal::new(*fen as i64, 2)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        })
        .collect();
    let json = format!("{{\"projects\": [{}]}}", rows.join(", "));
    let (facts, _) = decree::facts_from_str(&policy, "e.json", &json, decree::facts::Format::Json)
        .expect("facts");
    decree::evaluate(&policy, &facts, &Options::default())
}

/// Item `i`'s amount for record `r`, when granted there.
fn record_amount(e: &Evaluation, i: usize, r: usize) -> Option<Decimal> {
    let rec = &e.item(&format!("s{i}")).expect("item").records[r];
    (rec.status == Status::Granted).then(|| rec.amount.expect("an amount"))
}

/// Each item's amount is the sum of its granted records'.
fn items_sum_their_records(e: &Evaluation, n: usize) -> Result<(), TestCaseError> {
    for i in 0..n {
        let item = e.item(&format!("s{i}")).expect("item");
        let sum: Decimal = item
            .records
            .iter()
            .filter(|r| r.status == Status::Granted)
            .filter_map(|r| r.amount)
            .sum();
        match item.status {
            Status::Granted => prop_assert_eq!(item.amount, Some(sum.normalize())),
            _ => prop_assert!(sum.is_zero()),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_group_per_record_keeps_each_records_highest((n, records) in records(), in_order in any::<bool>()) {
        let how = if in_order { " in order" } else { "" };
        let e = run_records(&per_record_policy(n, &format!("exclusive g \"g\" per project{how} {{ {} }}", members(n))), &records);
        for (r, amounts) in records.iter().enumerate() {
            let highest = amounts.iter().map(|f| Decimal::new(*f as i64, 2)).max().unwrap_or_default();
            let kept: Vec<Decimal> = (0..n).filter_map(|i| record_amount(&e, i, r)).collect();
            let total: Decimal = kept.iter().copied().sum();
            prop_assert!(total <= highest);
            prop_assert_eq!(kept.len(), usize::from(!highest.is_zero()));
            if !in_order {
                prop_assert_eq!(total, highest);
            }
        }
        items_sum_their_records(&e, n)?;
    }

    #[test]
    fn a_cap_per_record_holds_each_records_sum_to_the_cap((n, records) in records(), cap_fen in 1u64..4_000_000_000, pro_rata in any::<bool>()) {
        let cap = Decimal::new(cap_fen as i64, 2);
        let how = if pro_rata { "pro rata" } else { "in order" };
        let e = run_records(&per_record_policy(n, &format!("cap c \"c\" = {cap}元 per project over {{ {} }} {how}", members(n))), &records);
        for (r, amounts) in records.iter().enumerate() {
            let own: Vec<Decimal> = amounts.iter().map(|f| Decimal::new(*f as i64, 2)).collect();
            let sum: Decimal = own.iter().copied().sum();
            let mut total = Decimal::ZERO;
            for (i, own) in own.iter().enumerate() {
                if let Some(a) = record_amount(&e, i, r) {
                    prop_assert!(a <= *own && !a.is_zero());
                    total += a;
                }
            }
            prop_assert!(total <= cap);
            prop_assert_eq!(total, sum.min(cap));
        }
        items_sum_their_records(&e, n)?;
    }
}

/// The compiled plan refuses groups and caps (their rows go to the
/// interpreter) and compiles a tax relief, whose fiscal summary splits
/// outlays from revenue forgone.
#[test]
fn the_plan_refuses_groups_and_caps_and_the_summary_splits_tax_relief() {
    use decree::plan::Plan;
    let items = [
        Item {
            fen: 100,
            granted: true,
        },
        Item {
            fen: 200,
            granted: true,
        },
    ];
    for rule in [
        "exclusive g \"g\" { s0, s1 }",
        "cap c \"c\" = 1元 over { s0, s1 } pro rata",
    ] {
        let text = policy(&items, &[0, 1], rule);
        let p = decree::load(&SourceFile::new("p.decree", text.as_str())).unwrap();
        assert!(Plan::compile(&p, &Options::default()).is_none(), "{rule}");
    }
    let text = "fact x: money \"x\"\nmeasure 1 \"m\" {\n  subsidy s = 10% * x\n  tax_relief t = 25% * x\n}\n";
    let p = decree::load(&SourceFile::new("t.decree", text)).unwrap();
    assert!(Plan::compile(&p, &Options::default()).is_some());
    let facts = decree::facts_from_pairs(&p, &[("x", "1000万")]).unwrap();
    let e = decree::evaluate(&p, &facts, &Options::default());
    let mut summary = decree::population::Summary::new(&p);
    summary.add_evaluation(&e).unwrap();
    summary.add_evaluation(&e).unwrap();
    let forgone = summary.revenue_forgone().unwrap();
    assert_eq!(forgone.min, Decimal::from(5_000_000));
    assert_eq!(summary.outlays().unwrap().max, Decimal::from(2_000_000));
    assert_eq!(
        e.total.revenue_forgone.unwrap().min,
        Decimal::from(2_500_000)
    );
}

/// A group and a cap per record get no plan either; a population run of
/// them (lean, through the interpreter) gives every row as the
/// enterprise evaluated alone.
#[test]
fn the_plan_refuses_groups_and_caps_per_record_and_a_population_agrees() {
    use decree::plan::Plan;
    use decree::population::read::Typed;
    let rule = "exclusive g \"g\" per project { s0, s1 }\ncap c \"c\" = 30元 per project over { s1, s2 } in order";
    let text = per_record_policy(3, rule);
    let policy = decree::load(&SourceFile::new("p.decree", text.as_str())).unwrap();
    let options = Options::default();
    assert!(Plan::compile(&policy, &options).is_none());
    let enterprises = [
        r#"{"projects": [{"v0": "10元", "v1": "20元", "v2": "15元"}, {"v0": "50元", "v1": "5元", "v2": "40元"}]}"#,
        r#"{"projects": []}"#,
        r#"{"projects": [{"v0": "10元", "v2": "15元"}]}"#,
        r#"{}"#,
    ];
    let facts: Vec<_> = enterprises
        .iter()
        .map(|j| {
            decree::facts_from_str(&policy, "e.json", j, decree::facts::Format::Json)
                .unwrap()
                .0
        })
        .collect();
    let got = common::population::run(Typed::new(&policy, facts.clone()), &options);
    let alone = common::population::each_alone(&policy, &facts, &options);
    common::population::agree("per record", &got, &alone);
    // The first enterprise. Project 1: s1 (20元) supersedes s0 (10元),
    // then the cap in order keeps s1's 20元 and leaves s2 10元 of its 15元.
    // Project 2: s0 (50元) supersedes s1, so s2 alone is held to 30元.
    let e = decree::evaluate(&policy, &facts[0], &options);
    let amounts: Vec<Option<Decimal>> = ["s0", "s1", "s2"]
        .iter()
        .map(|n| e.item(n).unwrap().amount)
        .collect();
    assert_eq!(amounts, [Some(50.into()), Some(20.into()), Some(40.into())]);
}
