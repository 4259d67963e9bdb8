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

// ---------------------------------------------------------------- units: 亩 and money per unit

const MU: &str = r#"
fact land_area: area "用地面积"
fact rented_area: area "租用面积"
measure 1 "按面积" {
  award land "用地奖励" = 5万元/亩 * land_area
    when land_area >= 10亩
  subsidy rent "租金补贴" = 30元/平方米 * rented_area
}
"#;

#[test]
fn the_plan_refuses_money_per_unit_and_areas_in_mu_and_rows_go_to_the_interpreter() {
    let p = policy(MU);
    let options = Options::default();
    assert!(Plan::compile(&p, &options).is_none());
    let csv =
        "land_area,rented_area\n31亩,1000平方米\n10亩,1亩\n6666.66平方米,0\n6666.67平方米,2.5亩\n";
    let sink = agree(&p, csv, &options);
    let land: Vec<Option<rust_decimal::Decimal>> = sink
        .rows
        .iter()
        .map(|r| r.items.first().and_then(|i| i.max))
        .collect();
    let wan = |n: i64| Some(rust_decimal::Decimal::from(n * 10_000));
    // 6666.66平方米 is below 10亩 (20000/3), 6666.67平方米 above it.
    assert_eq!(land[..3], [wan(155), wan(50), None]);
    assert_eq!(land[3], Some("500000.25".parse().unwrap()));
}

const AREA_ONLY: &str = r#"
fact land_area: area "用地面积"
measure 1 "按面积" {
  award big "大面积奖励" = 10万
    when land_area >= 5000平方米
}
"#;

#[test]
fn a_compiled_plan_sends_areas_in_mu_that_are_fractions_to_the_interpreter() {
    let p = policy(AREA_ONLY);
    let options = Options::default();
    assert!(Plan::compile(&p, &options).is_some());
    let csv = "land_area\n7.5亩\n7亩\n1亩\n5000\n";
    let sink = agree(&p, csv, &options);
    let granted: Vec<bool> = sink
        .rows
        .iter()
        .map(|r| r.items.first().is_some_and(|i| i.max.is_some()))
        .collect();
    assert_eq!(granted, [true, false, false, true]);
}

/// One item's amount for one enterprise whose facts are `pairs`.
fn amount_of(p: &Policy, pairs: &[(&str, &str)], item: &str) -> Option<rust_decimal::Decimal> {
    let facts = decree::facts_from_pairs(p, pairs).unwrap();
    let e = decree::evaluate(p, &facts, &Options::default());
    e.item(item).and_then(|i| i.amount)
}

proptest::proptest! {
    /// `n亩` compares with `m平方米` exactly, as `n × 2000 against m × 3`
    /// in integers (hundredths of each); money per 亩 times `n亩` is the
    /// price times n, and 30元/平方米 times it is 20000元 times n, exactly.
    #[test]
    fn areas_in_mu_compare_and_multiply_exactly(
        mu_cents in 0i64..10_000_000, m2_cents in 0i64..100_000_000, price in 1i64..1_000_000,
    ) {
        use rust_decimal::Decimal;
        let mu = Decimal::new(mu_cents, 2);
        let m2 = Decimal::new(m2_cents, 2);
        let text = format!(
            "fact land_area: area \"用地面积\"\n\
             measure 1 \"按面积\" {{\n\
               award big \"奖励\" = 1元 when land_area >= {m2}平方米\n\
               award per_mu \"每亩\" = {price}元/亩 * land_area\n\
               award per_m2 \"每平方米\" = 30元/平方米 * land_area\n\
             }}\n"
        );
        let p = policy(&text);
        let given = format!("{mu}亩");
        let pairs = [("land_area", given.as_str())];
        let holds = i128::from(mu_cents) * 2000 >= i128::from(m2_cents) * 3;
        proptest::prop_assert_eq!(amount_of(&p, &pairs, "big").is_some(), holds);
        let per_mu = amount_of(&p, &pairs, "per_mu");
        proptest::prop_assert_eq!(per_mu, (!mu.is_zero()).then(|| mu * Decimal::from(price)));
        let per_m2 = amount_of(&p, &pairs, "per_m2");
        proptest::prop_assert_eq!(per_m2, (!mu.is_zero()).then(|| mu * Decimal::from(20_000)));
    }
}
