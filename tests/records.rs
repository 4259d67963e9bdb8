//! Records (issue 16): a list fact's records evaluated per record, read
//! from facts files, JSON Lines and CSV by the documented convention (one
//! row per record, consecutive rows with the same key one enterprise),
//! the plan refusing such policies, and the law of the per-record sum.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use decree::eval::Status;
use decree::plan::Plan;
use decree::population::read::{Csv, JsonLines, ReadOptions};
use decree::population::{Collect, RowResult, Settings};
use decree::{Options, Policy, SourceFile};
use proptest::prelude::*;
use rust_decimal::Decimal;

const POLICY: &str = r#"
enum project_kind { upgrade "技术改造", new_line "新建产线" }
record project "项目" {
  name: text "项目名称",
  investment: money "投资额",
  kind: project_kind "类型",
}
fact projects: list of project "申报项目"
fact is_industrial: bool "规上工业企业"
measure 8 "技术改造" {
  subsidy tech_upgrade = min(20% * p.investment, 5000万) for each p in projects
    when is_industrial and p.kind == upgrade
  award bonus = 10% * tech_upgrade
}
"#;

/// Facts from JSON text, for `policy`.
fn facts_of(
    policy: &Policy,
    json: &str,
) -> Result<decree::eval::Facts, decree::diagnostic::Diagnostics> {
    decree::facts_from_str(policy, "e.json", json, decree::facts::Format::Json).map(|(f, _)| f)
}

fn policy() -> Policy {
    decree::load(&SourceFile::new("records.decree", POLICY)).expect("checks")
}

fn read(keys: &[&str]) -> ReadOptions {
    ReadOptions {
        name: "pop.csv".into(),
        keys: keys.iter().map(|k| k.to_string()).collect(),
        strict: false,
    }
}

fn run<'p>(source: impl decree::population::read::Source<'p>) -> Collect {
    let mut source = source;
    let mut sink = Collect::default();
    let settings = Settings::full(Options::default());
    decree::population::run(&mut source, &mut sink, &settings, |_| {}).expect("runs");
    sink
}

/// One enterprise evaluated alone, as a population row reports it.
fn alone(policy: &Policy, json: &str, line: u64) -> RowResult {
    let facts = facts_of(policy, json).expect("facts");
    let e = decree::evaluate(policy, &facts, &Options::default());
    RowResult::from_evaluation(policy, line, &e)
}

#[test]
fn the_plan_defers_records_and_the_population_equals_the_interpreter() {
    let policy = policy();
    // Compiled per item (issue 17): the per-record item goes to the
    // interpreter on every row (and so, row by row, the item that reads it).
    if let Some(plan) = Plan::compile(&policy, &Options::default()) {
        assert!(!plan.plans(0), "a per-record item is never the plan's");
    }
    let csv = "id,is_industrial,projects.name,projects.investment,projects.kind\n\
               A,true,智能产线,3000万,upgrade\n\
               A,,新厂房,1亿,new_line\n\
               A,true,数字化车间,3亿,技术改造\n\
               B,false,,,\n\
               C,true,,,\n";
    let (source, warnings) = Csv::new(&policy, csv.as_bytes(), &read(&["id"])).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let got = run(source);
    assert!(got.rejected.is_empty(), "{:?}", got.rejected);
    let a = r#"{"is_industrial": true, "projects": [
        {"name": "智能产线", "investment": "3000万", "kind": "upgrade"},
        {"name": "新厂房", "investment": "1亿", "kind": "new_line"},
        {"name": "数字化车间", "investment": "3亿", "kind": "upgrade"}]}"#;
    let b = r#"{"is_industrial": false, "projects": []}"#;
    let c = r#"{"is_industrial": true, "projects": []}"#;
    let want: Vec<RowResult> = [(a, 2), (b, 5), (c, 6)]
        .iter()
        .map(|(j, l)| alone(&policy, j, *l))
        .collect();
    assert_eq!(got.rows.len(), 3);
    for (g, w) in got.rows.iter().zip(&want) {
        assert_eq!(
            (g.line, &g.items, g.total_min, g.total_max),
            (w.line, &w.items, w.total_min, w.total_max)
        );
    }
    assert_eq!(got.rows[0].keys, vec!["A".to_string()]);
    assert_eq!(got.rows[0].items[0].min, Some(Decimal::from(56_000_000)));
    assert_eq!(got.rows[1].items[0].status, Status::Ineligible);
    // The same enterprises as JSON Lines give the same rows.
    let jsonl = format!("{}\n{}\n{}\n", a.replace('\n', ""), b, c);
    let lines = run(JsonLines::new(&policy, jsonl.as_bytes(), read(&[])));
    let items = |c: &Collect| c.rows.iter().map(|r| r.items.clone()).collect::<Vec<_>>();
    assert_eq!(items(&lines), items(&got));
}

#[test]
fn hostile_csv_rows_reject_their_enterprise_only() {
    let policy = policy();
    let csv = "id,is_industrial,projects.investment,projects.kind\n\
               A,true,100万,upgrade\n\
               B,true,200万,upgrade\n\
               A,true,300万,upgrade\n\
               D,true,100万,upgrade\n\
               D,false,100万,upgrade\n\
               E,true,abc,upgrade\n\
               E,true,100万,upgrade\n\
               F,true,500万,upgrade\n";
    let (source, _) = Csv::new(&policy, csv.as_bytes(), &read(&["id"])).unwrap();
    let got = run(source);
    let keys: Vec<&str> = got.rows.iter().map(|r| r.keys[0].as_str()).collect();
    assert_eq!(keys, ["A", "B", "F"]);
    let messages: Vec<String> = got
        .rejected
        .iter()
        .map(|r| format!("{}: {}", r.line, r.message()))
        .collect();
    assert_eq!(got.rejected.len(), 3, "{messages:#?}");
    assert!(
        messages[0].starts_with("4: ") && messages[0].contains("began on line 2"),
        "{messages:?}"
    );
    assert!(
        messages[1].starts_with("6: ")
            && messages[1].contains("differs from true, given for the same enterprise on line 5"),
        "{messages:?}"
    );
    assert!(
        messages[2].starts_with("7: ") && messages[2].contains("column `projects.investment`"),
        "{messages:?}"
    );
    assert!(
        messages.iter().all(|m| m.contains("pop.csv:")),
        "{messages:?}"
    );
}

#[test]
fn record_columns_need_a_key_and_unknown_fields_are_named() {
    let policy = policy();
    let csv = "is_industrial,projects.investment\ntrue,100万\n";
    let err = Csv::new(&policy, csv.as_bytes(), &read(&[]))
        .err()
        .expect("refused");
    assert!(
        err.0[0].message.contains("need a key"),
        "{:?}",
        err.0[0].message
    );
    let csv = "id,is_industrial,projects.investmant\nA,true,100万\n";
    let (_, warnings) = Csv::new(&policy, csv.as_bytes(), &read(&["id"])).unwrap();
    assert!(
        warnings[0].message.contains("did you mean `investment`?"),
        "{:?}",
        warnings[0].message
    );
}

#[test]
fn a_facts_file_names_the_record_and_field_of_a_wrong_value() {
    let policy = policy();
    let bad = r#"{"projects": [{"investment": "1亿"}, {"investment": "1亿", "kinds": "upgrade"}]}"#;
    let err = facts_of(&policy, bad).expect_err("refused");
    let text = format!("{err:?}");
    assert!(
        text.contains("record 2") && text.contains("did you mean `kind`?"),
        "{text}"
    );
    let bad = r#"{"projects": [{"investment": true}]}"#;
    let text = format!("{:?}", facts_of(&policy, bad).expect_err("refused"));
    assert!(text.contains("record 1: field `investment`"), "{text}");
}

#[test]
fn toml_and_yaml_facts_files_give_records_as_tables() {
    let policy = policy();
    let toml = "is_industrial = true\n[[projects]]\nname = \"甲\"\ninvestment = \"3000万\"\nkind = \"upgrade\"\n\n[[projects]]\ninvestment = 100000000\nkind = \"新建产线\"\n";
    let yaml = "is_industrial: true\nprojects:\n  - name: 甲\n    investment: 3000万\n    kind: upgrade\n  - investment: 100000000\n    kind: 新建产线\n";
    let json = r#"{"is_industrial": true, "projects": [{"name": "甲", "investment": "3000万", "kind": "upgrade"}, {"investment": 100000000, "kind": "new_line"}]}"#;
    let of = |text: &str, format| {
        let (facts, _) = decree::facts_from_str(&policy, "e", text, format).unwrap();
        facts
    };
    let want = of(json, decree::facts::Format::Json);
    assert_eq!(
        of(toml, decree::facts::Format::Toml)
            .iter()
            .collect::<Vec<_>>(),
        want.iter().collect::<Vec<_>>()
    );
    assert_eq!(
        of(yaml, decree::facts::Format::Yaml)
            .iter()
            .collect::<Vec<_>>(),
        want.iter().collect::<Vec<_>>()
    );
    let e = decree::evaluate(&policy, &want, &Options::default());
    assert_eq!(
        e.item("tech_upgrade").unwrap().amount,
        Some(Decimal::from(6_000_000))
    );
}

#[test]
fn a_missing_list_or_field_is_what_the_profile_match_asks_for() {
    let policy = policy();
    let matched = |json: &str| {
        let facts = facts_of(&policy, json).unwrap();
        let m = decree::matching::match_profile(&policy, &facts, &Options::default());
        let item = m.measures[0]
            .items
            .iter()
            .find(|i| i.name == "tech_upgrade")
            .unwrap()
            .clone();
        item.deciding_facts
            .iter()
            .map(|f| (f.name.clone(), f.ty.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        matched(r#"{"is_industrial": true}"#),
        [("projects".to_string(), "list of project".to_string())]
    );
    assert_eq!(
        matched(r#"{"is_industrial": true, "projects": [{"kind": "upgrade"}]}"#),
        [("projects.investment".to_string(), "money".to_string())]
    );
}

/// The records of a generated enterprise: investments in 万 and kinds.
fn projects() -> impl Strategy<Value = Vec<(u64, bool)>> {
    prop::collection::vec((0u64..1_000_000, any::<bool>()), 0..8)
}

fn facts_json(records: &[(u64, bool)]) -> String {
    let rs: Vec<String> = records
        .iter()
        .map(|(w, up)| {
            let kind = if *up { "upgrade" } else { "new_line" };
            format!(r#"{{"investment": "{w}万", "kind": "{kind}"}}"#)
        })
        .collect();
    format!(
        r#"{{"is_industrial": true, "projects": [{}]}}"#,
        rs.join(", ")
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// An item's amount is the exact sum of its records' amounts, and the
    /// order of the records changes neither the sum nor the status.
    #[test]
    fn the_amount_is_the_sum_of_the_records_in_any_order(
        records in projects(),
        seed in any::<u64>(),
    ) {
        let policy = policy();
        let eval = |rs: &[(u64, bool)]| {
            let facts = facts_of(&policy, &facts_json(rs)).unwrap();
            decree::evaluate(&policy, &facts, &Options::default())
        };
        let e = eval(&records);
        let item = e.item("tech_upgrade").unwrap();
        prop_assert_eq!(item.records.len(), records.len());
        let sum: Decimal = item.records.iter().filter_map(|r| r.amount).sum();
        let granted = item.records.iter().any(|r| r.status == Status::Granted);
        prop_assert_eq!(item.status == Status::Granted, granted);
        if granted {
            prop_assert_eq!(item.amount, Some(sum));
        } else {
            prop_assert_eq!(item.amount, None);
        }
        let mut shuffled = records.clone();
        let n = shuffled.len();
        if n > 1 {
            shuffled.rotate_left((seed as usize) % n);
            shuffled.swap(0, (seed as usize / 7) % n);
        }
        let again = eval(&shuffled);
        let other = again.item("tech_upgrade").unwrap();
        prop_assert_eq!((other.status, other.amount), (item.status, item.amount));
        prop_assert_eq!(again.total.clone(), e.total.clone());
    }
}
