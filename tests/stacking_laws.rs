//! Laws of the rules across items (issue 16), over generated policies:
//! a stacking group's total never exceeds its highest member (and is it,
//! for point amounts); a capped sum never exceeds the cap and is exactly
//! min(cap, sum) for point amounts; each reduced amount is at most its own;
//! and nothing depends on the order in which the measures are written.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

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
            if it.granted {
                prop_assert_eq!(status, Status::Granted);
                prop_assert!(got.unwrap() <= Decimal::new(it.fen as i64, 2));
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
