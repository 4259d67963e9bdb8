//! Differential test of the bundled draft (issue 7, part B): for several
//! thousand generated enterprises, the interpreter's results for
//! `policies/shenzhen-manufacturing-2020.decree` agree exactly with a second,
//! independent computation of the same rules written below in plain Rust
//! (`rust_decimal`, `min`, `if`), from the measure texts of
//! `../shared/source/measures-draft.zh.txt` and the readings the policy file
//! documents (docs/MEASURES.md) — not by calling or copying the evaluator.
//!
//! Compared for every enterprise:
//!
//! * every monetary item (13 subsidies, 10 awards, 2 interest subsidies, 4
//!   matchings): status, exact amount or range, and the soft-cap flag;
//! * the total (least and greatest), whether it is complete, and which
//!   monetary items it leaves out;
//! * the items with a numeric rule that are not money: the eligibilities
//!   (m12 链主 100亿, m19 受让 1亿, m22 一定年限), the benefits with a bound or
//!   a range (m5 1个月, m12 一定比例, m14 2%-3%, m18 担保费 1%, m19 租金指导价,
//!   面积, 3年), and the targets (m1, m2, m22): status and value.
//!
//! Not re-implemented, on purpose (they are evaluated for every enterprise,
//! but not compared):
//!
//! * the 41 commitments: a text with no number and no condition (always
//!   "listed");
//! * the 13 benefits whose value is the draft's own words (hq_land_priority,
//!   land_demand_bidding, top100_district_priority, green_credit,
//!   government_first_purchase, contiguous_land, chokepoint_support,
//!   low_rent_housing, housing_purchase_price, relocation_space,
//!   no_subject_confirmation, no_forced_relocation, temporary_placement): a
//!   condition and a text, no amount, no number.
//!
//! Where the two disagree, the measure text decides. A disagreement that is
//! the policy file's (see `POLICY_GAPS`; none today — m8's interest subsidy
//! was granted without a technical upgrade project until this test found
//! it). For such enterprises the interpreter is checked against the
//! policy's own rule instead, and the gap must keep showing until the policy
//! is corrected.
//!
//! The enterprises are drawn from a fixed seed, with realistic values and
//! edge values: exactly at each threshold and cap, just below and above (1元,
//! 1分), the 30% caps that no whole-yuan amount reaches, zero, very large
//! amounts, and missing facts (any fact may be missing: what needs it is
//! then undetermined). Some set the draft's `tbd` params, and some place the
//! evaluation date around the validity window of a hypothetical issue date.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "common/draft_by_hand.rs"]
mod draft_by_hand;
#[path = "draft/firms.rs"]
mod firms;

use std::collections::{BTreeSet, HashMap};

use decree::eval::Status;
use draft_by_hand::*;
use firms::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rust_decimal::Decimal;

const ENTERPRISES: usize = 3_000;
const SEED: u64 = 0x5EED_2020_0028;

/// Where the policy file departs from the measure text: the item, the
/// enterprises for which it shows, what the policy's own rule gives them
/// (the interpreter must give exactly that), and why the text says
/// otherwise. These disagreements are expected, and must still occur: when
/// the policy is corrected, remove the entry. Any other disagreement fails
/// the test. The policy file is not this test's to change.
type Gap = (
    &'static str,
    fn(&Firm) -> bool,
    fn(&Firm) -> Expected,
    &'static str,
);

// m8's interest subsidy (加大技术改造项目的贴息力度) was granted without a
// technical upgrade project until the policy gained `when
// tech_upgrade_investment > 0元`, found by this test.
const POLICY_GAPS: [Gap; 0] = [];

/// The `min(R × base, cap)` items, their cap, and whether R is 30% (a cap
/// that no amount of whole fen reaches exactly).
fn caps() -> [(&'static str, Decimal, bool); 13] {
    [
        ("industrial_investment", wan(5000), false),
        ("innovation_centre", wan(5000), false),
        ("enterprise_tech_centre", wan(500), false),
        ("city_strong_base", wan(1000), true),
        ("quality_brand", wan(500), true),
        ("tech_upgrade", wan(5000), false),
        ("tech_upgrade_interest", wan(500), false),
        ("iiot_platform", wan(1000), true),
        ("green_upgrade", wan(1000), true),
        ("three_firsts", wan(1000), true),
        ("supply_chain_upgrade", wan(500), false),
        ("supply_chain_interest", wan(300), false),
        ("public_service_platform", wan(1000), true),
    ]
}

/// The items deliberately not re-implemented (see the module's comment).
const TEXT_BENEFITS: [&str; 13] = [
    "hq_land_priority",
    "land_demand_bidding",
    "top100_district_priority",
    "green_credit",
    "government_first_purchase",
    "contiguous_land",
    "chokepoint_support",
    "low_rent_housing",
    "housing_purchase_price",
    "relocation_space",
    "no_subject_confirmation",
    "no_forced_relocation",
    "temporary_placement",
];

// ---------------------------------------------------------------- the tests

/// The second implementation covers every item of the draft but the
/// commitments and the text benefits listed at the top, and uses only facts
/// the draft declares.
#[test]
fn the_second_implementation_covers_every_numeric_item() {
    let policy = load();
    let mut rng = StdRng::seed_from_u64(SEED);
    let f = firm(&mut rng, 0);
    let covered: BTreeSet<&str> = expected(&f).iter().map(|(n, _, _)| *n).collect();
    let e = decree::evaluate(&policy, &to_facts(&policy, &f, 0), &options(&policy, &f));
    let mut monetary = 0;
    for item in e.measures.iter().flat_map(|m| &m.items) {
        let name = item.name.as_str();
        if item.kind.is_monetary() {
            monetary += 1;
            assert!(covered.contains(name), "monetary item {name} not compared");
        } else if item.kind == decree::ast::ItemKind::Commitment {
            assert!(!covered.contains(name));
        } else {
            assert!(
                covered.contains(name) != TEXT_BENEFITS.contains(&name),
                "{name} must be either compared or listed as a text benefit"
            );
        }
    }
    assert_eq!(monetary, 29);
    // 8 targets, 3 eligibilities and 7 benefits with a number.
    assert_eq!(covered.len(), 29 + 18);
    // Every fact of the draft is generated (an enterprise of index 0 mod 10
    // misses none), and only facts of the draft.
    let declared: BTreeSet<&str> = policy.facts.iter().map(|f| f.name.as_str()).collect();
    for _ in 0..20 {
        let f = firm(&mut rng, 10);
        let generated: BTreeSet<&str> = f.facts.keys().copied().collect();
        assert_eq!(generated, declared);
    }
}

/// A population run (`skip_explanations`, as `decree batch` evaluates)
/// leaves out texts only: every status, amount, value and cause is the same.
fn lean_run_agrees(policy: &decree::Policy, f: &Firm, i: usize, full: &decree::Evaluation) {
    let mut quick = options(policy, f);
    quick.skip_explanations = true;
    let lean = decree::evaluate(policy, &to_facts(policy, f, i), &quick);
    let row = |e: &decree::Evaluation| decree::population::RowResult::from_evaluation(policy, 0, e);
    assert_eq!(row(full), row(&lean), "enterprise {i}");
    for (a, b) in full
        .measures
        .iter()
        .flat_map(|m| &m.items)
        .zip(lean.measures.iter().flat_map(|m| &m.items))
    {
        assert_eq!(
            (&a.name, &a.raw, a.soft_cap, &a.undetermined_by),
            (&b.name, &b.raw, b.soft_cap, &b.undetermined_by),
            "enterprise {i}"
        );
    }
    assert_eq!(full.total, lean.total, "enterprise {i}");
}

/// Long for a test: it draws the enterprises, compares each, and then
/// checks that the population reached what it must (every status, the
/// pivots, the policy gaps), which only the whole run can tell.
#[test]
fn the_interpreter_agrees_with_a_second_implementation() {
    let policy = load();
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut seen: HashMap<(&str, Status), usize> = HashMap::new();
    let mut disagreements = Vec::new();
    let mut gaps_seen = [0usize; POLICY_GAPS.len()];
    let mut amounts: HashMap<(&str, Decimal), usize> = HashMap::new();
    let mut at_pivot: HashMap<&str, usize> = HashMap::new();
    for i in 0..ENTERPRISES {
        let f = firm(&mut rng, i);
        for (base, pivots) in capped_bases() {
            if f.n(base).is_some_and(|b| pivots.contains(&b)) {
                *at_pivot.entry(base).or_default() += 1;
            }
        }
        let evaluation =
            decree::evaluate(&policy, &to_facts(&policy, &f, i), &options(&policy, &f));
        assert!(
            evaluation.errors.is_empty(),
            "enterprise {i}: {:?}",
            evaluation.errors
        );
        lean_run_agrees(&policy, &f, i, &evaluation);
        let (mut lo, mut hi) = (Decimal::ZERO, Decimal::ZERO);
        let mut left_out = BTreeSet::new();
        for (name, monetary, want) in expected(&f) {
            let item = evaluation
                .item(name)
                .unwrap_or_else(|| panic!("no item {name}"));
            *seen.entry((name, item.status)).or_default() += 1;
            let got = Expected {
                status: item.status,
                amount: item.amount,
                range: item.range.map(|r| (r.min, r.max)),
                soft: item.soft_cap,
                value: if monetary || want.value.is_none() {
                    None
                } else {
                    item.raw.clone()
                },
            };
            // Where a known gap applies, the interpreter must give what the
            // policy's rule says, and the total is checked on that.
            let gap = POLICY_GAPS
                .iter()
                .position(|(item, applies, _, _)| *item == name && applies(&f));
            let want = match gap {
                Some(g) if want.status != Status::NotInForce => {
                    let policy_says = (POLICY_GAPS[g].2)(&f);
                    if policy_says != want {
                        gaps_seen[g] += 1;
                    }
                    policy_says
                }
                _ => want,
            };
            if got != want {
                disagreements.push(format!(
                    "enterprise {i}, {name}: interpreter {got:?}, second implementation {want:?}\n  facts: {:?}\n  params: {:?}, window: {:?}",
                    f.facts, f.params, f.window
                ));
            }
            let counted = &want;
            if let Some(a) = want.amount {
                *amounts.entry((name, a)).or_default() += 1;
            }
            if monetary {
                match counted.status {
                    Status::Granted => {
                        let (a, b) = counted.range.unwrap_or_else(|| {
                            let a = counted.amount.unwrap();
                            (a, a)
                        });
                        lo += a;
                        hi += b;
                    }
                    Status::Undetermined | Status::Error => {
                        left_out.insert(name);
                    }
                    _ => {}
                }
            }
        }
        let total = &evaluation.total;
        let got_left_out: BTreeSet<&str> = total.undetermined.iter().map(String::as_str).collect();
        if (total.min, total.max, total.complete, &got_left_out)
            != (lo, hi, left_out.is_empty(), &left_out)
        {
            disagreements.push(format!(
                "enterprise {i}, total: interpreter {}..{} complete {} leaving out {:?}, second implementation {lo}..{hi} leaving out {left_out:?}",
                total.min, total.max, total.complete, got_left_out
            ));
        }
        if disagreements.len() >= 20 {
            break;
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    // The edges are reached: every base exactly where its cap is reached
    // (or, for 30%, at the whole-yuan and fen amounts either side); every
    // cap granted exactly, and (30%) amounts just below it; every level of
    // m2's award.
    for (base, _) in capped_bases() {
        let n = at_pivot.get(base).copied().unwrap_or(0);
        assert!(n >= 20, "{base} at its pivot only {n} times");
    }
    let granted = |name: &str, a: Decimal| amounts.get(&(name, a)).copied().unwrap_or(0);
    let below = |name: &str, cap: Decimal| {
        amounts
            .iter()
            .filter(|((n, a), _)| *n == name && *a < cap && *a > cap - Decimal::ONE)
            .map(|(_, c)| c)
            .sum::<usize>()
    };
    for (name, cap, thirty) in caps() {
        assert!(
            granted(name, cap) >= 10,
            "{name}: the cap is granted {} times",
            granted(name, cap)
        );
        if thirty {
            assert!(
                below(name, cap) >= 3,
                "{name}: just below the cap {} times",
                below(name, cap)
            );
        }
    }
    for award in [wan(300), wan(1000), wan(2000)] {
        assert!(
            granted("output_milestone", award) >= 5,
            "m2 {award} too rare"
        );
    }
    for (g, (item, _, _, why)) in POLICY_GAPS.iter().enumerate() {
        assert!(
            gaps_seen[g] > 0,
            "the known gap of {item} no longer shows: the policy now agrees with the measure text; remove it from POLICY_GAPS ({why})"
        );
    }
    // The population reaches every status an item can have: granted (or
    // met), ineligible (or not met), undetermined and not in force, for every
    // compared item.
    for (name, _, _) in expected(&firm(&mut rng, 0)) {
        let count = |s| seen.get(&(name, s)).copied().unwrap_or(0);
        let positive = count(Status::Granted) + count(Status::Met);
        let negative = count(Status::Ineligible) + count(Status::NotMet);
        assert!(
            positive > 10 && negative > 10 && count(Status::Undetermined) > 10,
            "{name}: too few of some status: {:?}",
            seen.iter()
                .filter(|((n, _), _)| *n == name)
                .collect::<Vec<_>>()
        );
        assert!(count(Status::NotInForce) > 10, "{name}: never not in force");
    }
}
