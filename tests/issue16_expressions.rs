//! Issue 16, expressions (the evaluation date, exact quotients, units and
//! rounding) through the population loop: a policy the compiled plan
//! refuses (`today`, `years_between`, `round_down`) gets no plan, and a
//! policy it compiles sends the rows it cannot decide exactly (a quotient
//! that does not terminate) to the interpreter; either way every row is
//! what the enterprise evaluated alone comes to.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use decree::plan::Plan;
use decree::population::Collect;
use decree::population::read::{Csv, ReadOptions};
use decree::{Options, Policy, SourceFile};

fn policy(text: &str) -> Policy {
    decree::load(&SourceFile::new("p.decree", text)).unwrap()
}

/// Every row of `csv` run through the population loop, and each evaluated
/// alone, must agree.
fn agree(policy: &Policy, csv: &str, options: &Options) -> Collect {
    let read = ReadOptions {
        name: "population".into(),
        ..ReadOptions::default()
    };
    let (source, warnings) = Csv::new(policy, csv.as_bytes(), &read).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let sink = common::population::run(source, options);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let facts: Vec<_> = lines
        .map(|line| {
            let pairs: Vec<(&str, &str)> = header.iter().copied().zip(line.split(',')).collect();
            decree::facts_from_pairs(policy, &pairs).unwrap()
        })
        .collect();
    let alone = common::population::each_alone(policy, &facts, options);
    common::population::agree("CSV", &sink, &alone);
    sink
}

const DATES: &str = r#"
fact founded: date "成立日期"
fact investment: money "投资额"
measure 1 "初创企业" {
  subsidy startup "初创补助" = round_down(15% * investment, 1万)
    when today - founded < 5 years and years_between(founded, today) >= 1
}
"#;

#[test]
fn the_plan_refuses_dates_and_rounding_down_and_rows_go_to_the_interpreter() {
    let p = policy(DATES);
    let options = Options {
        at: Some("2025-06-01".parse().unwrap()),
        ..Options::default()
    };
    assert!(Plan::compile(&p, &options).is_none());
    let csv = "founded,investment\n2021-06-02,123456\n2020-06-01,1000万\n2025-01-01,50万\n";
    let sink = agree(&p, csv, &options);
    assert_eq!(sink.rows.len(), 3);
    // Without an evaluation date the age is open, row by row as alone.
    agree(&p, csv, &Options::default());
}

const QUOTIENTS: &str = r#"
fact this_year: money "本年度营业收入"
fact last_year: money "上年度营业收入"
measure 1 "增长奖励" {
  award growth_award "营业收入增长奖励" = 50万
    when this_year / last_year - 1 >= 10%
}
"#;

#[test]
fn a_compiled_plan_sends_quotients_that_do_not_terminate_to_the_interpreter() {
    let p = policy(QUOTIENTS);
    let options = Options::default();
    assert!(Plan::compile(&p, &options).is_some());
    let csv = "this_year,last_year\n4亿,3亿\n1.1亿,1亿\n1.09亿,1亿\n10亿,9.1亿\n";
    let sink = agree(&p, csv, &options);
    let granted: Vec<bool> = sink
        .rows
        .iter()
        .map(|r| {
            r.items
                .first()
                .is_some_and(|i| i.max.is_some_and(|m| !m.is_zero()))
        })
        .collect();
    assert_eq!(granted, [true, true, false, false]);
}
