//! No input makes decree panic: random token soups and mutated real
//! policies go through parse, check and evaluation, and must come back as a
//! result or as diagnostics.
#![allow(clippy::unwrap_used)]

use decree::{Facts, Options, SourceFile};
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "policy",
    "\"t\"",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "issued",
    "tbd",
    "valid",
    "5 years",
    "fact",
    "param",
    "measure",
    "1",
    "2",
    "chapter",
    "cite",
    "subsidy",
    "award",
    "matching",
    "benefit",
    "eligibility",
    "target",
    "commitment",
    "when",
    "by",
    "2025-12-31",
    "at most",
    "at least",
    "soft",
    "x",
    "y",
    "z",
    "a",
    ":",
    "=",
    "==",
    "money",
    "rate",
    "count",
    "bool",
    "duration",
    "date",
    "set of",
    "enum",
    "e1",
    "+",
    "-",
    "*",
    "/",
    "..",
    "<",
    ">=",
    "and",
    "or",
    "not",
    "in",
    "if",
    "then",
    "else",
    "min",
    "max",
    "clamp",
    "round",
    ",",
    "tiers",
    "first reaching",
    "over",
    "schedule",
    "above",
    "=>",
    "5000万",
    "1.2亿",
    "20%",
    "1:1",
    "0元",
    "1e20亿",
    "0",
    "true",
    "false",
    "资助",
    "取小",
    "事实",
    "措施",
    "\n",
    "#c\n",
    "test",
    "facts",
    "expect",
    "granted",
    "99999999999999999999999999999",
    "0.0000000000000000000000000001",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..60).prop_map(|t| t.join(" "))
}

fn run(text: &str) {
    let src = SourceFile::new("fuzz.decree", text);
    if let Ok(policy) = decree::load(&src) {
        let mut facts = Facts::default();
        for (i, f) in policy.facts.iter().enumerate() {
            let raw = match i % 3 {
                0 => "0",
                1 => "1.2亿",
                _ => "20%",
            };
            if let Ok(v) = decree::facts_from_pairs(&policy, &[(f.name.as_str(), raw)]) {
                for (id, value) in v.iter() {
                    facts.set(id, value.clone());
                }
            }
        }
        let e = decree::evaluate(&policy, &facts, &Options::default());
        let _ = decree::report::to_table(&e);
        let _ = decree::report::to_json(&e, &[]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn token_soup_never_panics(text in soup()) {
        run(&text);
    }

    #[test]
    fn any_text_never_panics(text in "\\PC{0,200}") {
        run(&text);
    }

    #[test]
    fn mutated_policy_never_panics(cut in 0usize..4000, insert in prop::sample::select(TOKENS)) {
        let base = include_str!("../policies/measures-2-8-13.decree");
        let at = base.char_indices().map(|(i, _)| i).nth(cut % base.chars().count()).unwrap_or(0);
        let mut text = base.to_string();
        text.insert_str(at, insert);
        run(&text);
    }
}

#[test]
fn hostile_sizes_are_diagnostics() {
    let deep = format!(
        "param p: money = {}1元{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert!(decree::load(&SourceFile::new("deep", deep)).is_err());
    // A flat sum nests one level however many terms it has (a chain, not
    // 50,000 nested additions): it is accepted, and nothing recurses per term.
    // (200,000 terms take under a second in a release build, 40 s in this
    // unoptimised one, which is why the test uses fewer.)
    let long = format!("param p: money = {}1元", "1元 + ".repeat(50_000));
    assert!(decree::load(&SourceFile::new("long", long)).is_ok());
    // … and evaluated, explained and added up exactly.
    let long = format!(
        "measure 1 \"m\" {{\n  award a = {}1元\n}}\n",
        "1元 + ".repeat(20_000)
    );
    let policy = decree::load(&SourceFile::new("long", long)).unwrap();
    let e = decree::evaluate(&policy, &Facts::default(), &Options::default());
    let a = e.item("a").unwrap();
    assert_eq!(a.amount, Some(rust_decimal::Decimal::from(20_001)));
    let nots = format!("param p: bool = {}true", "not ".repeat(50_000));
    assert!(decree::load(&SourceFile::new("nots", nots)).is_err());
    for n in [100, 1000, 3000, 10_000] {
        let ifs = format!(
            "param p: money = {}1元{}",
            "if true then ".repeat(n),
            " else 1元".repeat(n)
        );
        assert!(decree::load(&SourceFile::new("ifs", ifs)).is_err());
    }
    let negs = format!("param p: money = {}1元", "- ".repeat(50_000));
    assert!(decree::load(&SourceFile::new("negs", negs)).is_err());
}
