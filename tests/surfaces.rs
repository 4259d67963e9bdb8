//! Both keyword surfaces, English and Chinese, parse to the same AST.
#![allow(clippy::unwrap_used)]

use decree::{Limits, SourceFile};

const ENGLISH: &str = r#"
policy "若干措施" { issued tbd valid 5 years }
enum honour { national "国家单项冠军示范企业", city }
fact investment: money "投资额"
fact honours: set of honour
param threshold: rate = tbd "一定增速"
measure 8 "以技术改造引领智能化转型" {
  cite "按不超过项目投资额的20%，给予最高5000万元资助"
  subsidy tech = min(20% * investment, soft 5000万) when national in honours and not (investment < 1万)
  award tier = tiers investment { 1亿 => 100万 else => 0元 }
  award first = first reaching investment over investment { 1亿 => 1万 }
  award marginal = schedule investment { 1000万 => 10% above => 5% }
  benefit fee = at most 1%
  benefit lease = at least 3 years
  eligibility big = if investment >= 1亿 then true else false or threshold > 1%
  target goal = investment > 3万亿 by 2025-12-31
  commitment plan = "制定实施方案"
  matching m = max(1:1 * investment, clamp(investment, 0元, 1亿)) + round(investment / 3, 1元)
}
"#;

const CHINESE: &str = r#"
政策 "若干措施" { 印发 待定 有效期 5 years }
枚举 honour { national "国家单项冠军示范企业", city }
事实 investment: 金额 "投资额"
事实 honours: 集合 honour
参数 threshold: 比率 = 待定 "一定增速"
措施 8 "以技术改造引领智能化转型" {
  原文 "按不超过项目投资额的20%，给予最高5000万元资助"
  资助 tech = 取小(20% * investment, 原则上 5000万) 条件 national 属于 honours 且 非 (investment < 1万)
  奖励 tier = 分档 investment { 1亿 => 100万 否则 => 0元 }
  奖励 first = 首次达到 investment 相对 investment { 1亿 => 1万 }
  奖励 marginal = 累进 investment { 1000万 => 10% 以上 => 5% }
  待遇 fee = 不超过 1%
  待遇 lease = 不少于 3 years
  资格 big = 如果 investment >= 1亿 则 是 否则 否 或 threshold > 1%
  目标 goal = investment > 3万亿 截至 2025-12-31
  承诺 plan = "制定实施方案"
  配套 m = 取大(1:1 * investment, 限定(investment, 0元, 1亿)) + 取整(investment / 3, 1元)
}
"#;

#[test]
fn english_and_chinese_keywords_give_the_same_program() {
    let limits = Limits::default();
    let en = decree::syntax::parse(&SourceFile::new("en", ENGLISH), &limits).unwrap();
    let zh = decree::syntax::parse(&SourceFile::new("zh", CHINESE), &limits).unwrap();
    assert_eq!(en, zh);
    // And it checks: every construct of the pair is valid.
    decree::load(&SourceFile::new("en", ENGLISH)).unwrap();
}

#[test]
fn a_changed_value_makes_them_differ() {
    let limits = Limits::default();
    let en = decree::syntax::parse(&SourceFile::new("en", ENGLISH), &limits).unwrap();
    let other = CHINESE.replace("原则上 5000万", "原则上 3000万");
    let zh = decree::syntax::parse(&SourceFile::new("zh", other.as_str()), &limits).unwrap();
    assert_ne!(en, zh);
}
