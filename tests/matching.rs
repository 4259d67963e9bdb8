//! The profile match (`decree::matching`) on the draft: an example
//! enterprise with some facts removed (snapshotted as text, and measure 8
//! as JSON, the example of `docs/JSON.md`), the ceiling of `tech_upgrade`
//! and the facts that decide it, an empty profile ranked by ceiling, and
//! the law that no amount the draft grants to a generated enterprise
//! exceeds its item's ceiling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "draft/firms.rs"]
mod firms;

use std::fmt::Write as _;
use std::path::Path;

use decree::eval::Status;
use decree::matching::{Ceilings, Matching, match_profile};
use decree::{Facts, Options, Policy, SourceFile};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

const POLICY: &str = "policies/shenzhen-manufacturing-2020.decree";
const EXAMPLE: &str = "examples/enterprises/huaxin-electronics.json";

/// The facts the portal does not know, taken out of the example.
const REMOVED: [&str; 4] = [
    "tech_upgrade_investment",
    "prior_peak_output",
    "is_listed_company",
    "has_green_upgrade_project",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn policy() -> Policy {
    let text = std::fs::read_to_string(root().join(POLICY)).unwrap();
    decree::load(&SourceFile::new(POLICY, text))
        .unwrap_or_else(|d| panic!("{}", d.render(decree::RenderStyle::Plain)))
}

/// The example enterprise without the facts of `REMOVED`.
fn partial(policy: &Policy) -> Facts {
    let text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    let mut json: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    for name in REMOVED {
        assert!(json.remove(name).is_some(), "the example gives {name}");
    }
    let text = serde_json::to_string(&json).unwrap();
    let (facts, warnings) =
        decree::facts_from_str(policy, "huaxin-partial", &text, decree::facts::Format::Json)
            .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    facts
}

/// One line per item (status, amount or ceiling, what would decide it),
/// then the ranking: what a reviewer reads in the snapshot.
fn compact(m: &Matching) -> String {
    let mut out = format!("{}\n", m.policy);
    for measure in &m.measures {
        writeln!(out, "measure {} {}", measure.number, measure.title).unwrap();
        for i in &measure.items {
            write!(out, "  {} {}", i.name, i.status.as_str()).unwrap();
            // A commitment's text is the draft's own: left out here.
            if let (Some(v), false) = (&i.value, i.status == Status::Listed) {
                write!(out, " = {v}").unwrap();
            }
            if let Some(t) = &i.up_to_text {
                write!(out, ", up to {t}").unwrap();
                if i.soft {
                    out.push_str(" (in principle)");
                }
            }
            if !i.deciding_facts.is_empty() {
                let names: Vec<&str> = i.deciding_facts.iter().map(|f| f.name.as_str()).collect();
                write!(out, "; facts: {}", names.join(", ")).unwrap();
            }
            if !i.tbd_params.is_empty() {
                let names: Vec<&str> = i.tbd_params.iter().map(|p| p.name.as_str()).collect();
                write!(out, "; tbd: {}", names.join(", ")).unwrap();
            }
            if i.discretion {
                out.push_str("; discretion");
            }
            if i.status == Status::Ineligible {
                if let Some(r) = &i.reason {
                    write!(out, " ({r})").unwrap();
                }
            }
            out.push('\n');
        }
    }
    out.push_str("ranked:\n");
    out.push_str(&ranked(m));
    out
}

fn ranked(m: &Matching) -> String {
    let mut out = String::new();
    for s in &m.ranked {
        write!(
            out,
            "  m{} {}: {}{}",
            s.measure,
            s.item,
            s.up_to_text.as_deref().unwrap_or("no ceiling"),
            if s.soft { " (in principle)" } else { "" },
        )
        .unwrap();
        if !s.deciding_facts.is_empty() {
            write!(out, "; facts: {}", s.deciding_facts.join(", ")).unwrap();
        }
        if !s.tbd_params.is_empty() {
            write!(out, "; tbd: {}", s.tbd_params.join(", ")).unwrap();
        }
        out.push('\n');
    }
    out
}

#[test]
fn a_partial_profile_of_an_example_enterprise() {
    let policy = policy();
    let m = match_profile(&policy, &partial(&policy), &Options::default());
    insta::assert_snapshot!("partial_profile", compact(&m));

    let eight = m.measures.iter().find(|x| x.number == 8).unwrap();
    let tech = eight
        .items
        .iter()
        .find(|i| i.name == "tech_upgrade")
        .unwrap();
    assert_eq!(tech.status, Status::Undetermined);
    assert_eq!(
        tech.up_to.map(|d| d.to_string()).as_deref(),
        Some("50000000")
    );
    assert_eq!(tech.up_to_text.as_deref(), Some("5,000万元"));
    let deciding: Vec<&str> = tech
        .deciding_facts
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(deciding, ["tech_upgrade_investment"]);
    assert_eq!(tech.deciding_facts[0].ty, "money");
    assert!(
        m.ranked.iter().any(|s| s.item == "tech_upgrade"),
        "the open subsidy is ranked"
    );

    // The JSON of measure 8 as a portal receives it.
    let only_eight = Matching {
        measures: vec![eight.clone()],
        ranked: m
            .ranked
            .iter()
            .filter(|s| s.measure == 8)
            .cloned()
            .collect(),
        ..m.clone()
    };
    let json = decree::report::json::matching(&only_eight);
    insta::assert_snapshot!("partial_profile_measure_8_json", json);
    let doc = std::fs::read_to_string(root().join("docs/JSON.md")).unwrap();
    assert!(
        doc.contains(&format!("```json\n{json}\n```")),
        "docs/JSON.md (Profile matching) shows the JSON this test writes"
    );
}

#[test]
fn the_example_with_every_fact_has_its_subsidy_granted_and_no_stake_in_it() {
    let policy = policy();
    let text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    let (facts, _) =
        decree::facts_from_str(&policy, "huaxin", &text, decree::facts::Format::Json).unwrap();
    let m = match_profile(&policy, &facts, &Options::default());
    let tech = m
        .measures
        .iter()
        .flat_map(|x| &x.items)
        .find(|i| i.name == "tech_upgrade")
        .unwrap();
    assert_eq!(tech.status, Status::Granted);
    assert_eq!(
        tech.amount.map(|d| d.to_string()).as_deref(),
        Some("24000000")
    );
    assert_eq!(
        tech.up_to, None,
        "a decided item has its amount, not a ceiling"
    );
    assert!(m.ranked.iter().all(|s| s.item != "tech_upgrade"));
}

#[test]
fn an_empty_profile_ranks_the_open_items_by_ceiling() {
    let policy = policy();
    let m = match_profile(&policy, &Facts::new("nobody"), &Options::default());
    insta::assert_snapshot!("empty_profile_ranked", ranked(&m));
    // Every open monetary item is ranked, once.
    let open = m
        .measures
        .iter()
        .flat_map(|x| &x.items)
        .filter(|i| i.status == Status::Undetermined && i.kind.is_monetary())
        .count();
    assert_eq!(m.ranked.len(), open);
    // Largest first, those with no ceiling last.
    let ceilings: Vec<Option<rust_decimal::Decimal>> = m.ranked.iter().map(|s| s.up_to).collect();
    let bounded = ceilings.iter().take_while(|c| c.is_some()).count();
    assert!(bounded > 0, "some open item has a ceiling");
    assert!(
        ceilings[bounded..].iter().all(Option::is_none),
        "no ceiling after the first unbounded one: {ceilings:?}"
    );
    assert!(
        ceilings[..bounded].windows(2).all(|w| w[0] >= w[1]),
        "largest first: {ceilings:?}"
    );
    let first = &m.ranked[0];
    assert_eq!(
        first.up_to,
        ceilings.iter().flatten().max().copied(),
        "the first has the largest ceiling"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// No amount the draft grants a generated enterprise (all facts or
    /// some missing, `tbd` params set or not), nor a range's upper end,
    /// is above its item's ceiling with the same params.
    #[test]
    fn no_amount_the_draft_grants_exceeds_its_ceiling(seed in any::<u64>(), i in 0usize..100) {
        let policy = draft();
        let firm = firms::firm(&mut StdRng::seed_from_u64(seed), i);
        let facts = firms::to_facts(policy, &firm, i);
        let options = firms::options(policy, &firm);
        let ceilings = Ceilings::of(policy, &options);
        let e = decree::evaluate(policy, &facts, &options);
        for (id, info) in policy.item_ids() {
            let r = e.item(info.name()).unwrap();
            let (Some(c), Status::Granted) = (ceilings.get(id), r.status) else {
                continue;
            };
            let most = r.amount.or(r.range.map(|g| g.max)).unwrap();
            prop_assert!(most <= c.amount, "{}: {} > ceiling {}", info.name(), most, c.amount);
        }
    }
}

/// The draft, loaded once for the property test's cases.
fn draft() -> &'static Policy {
    static DRAFT: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    DRAFT.get_or_init(policy)
}
