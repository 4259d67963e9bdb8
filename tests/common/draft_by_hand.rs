//! A second, independent implementation of the bundled draft
//! (`policies/shenzhen-manufacturing-2020.decree`) in plain Rust
//! (`rust_decimal`, `min`, `if`, three-valued logic by hand), from the
//! measure texts of `../shared/source/measures-draft.zh.txt` and the
//! readings the policy file documents (docs/MEASURES.md) — not by calling
//! or copying the evaluator. [`expected`] gives, for one generated
//! enterprise (`tests/draft/firms.rs`), every compared item's status,
//! amount or range, soft-cap flag and value.
//!
//! Used by `tests/draft_differential.rs` (the interpreter and the plan
//! against it) and by `benches/anchor.rs` (the hand-written baseline of the
//! draft, beside the plan). Both include it with `#[path]`, beside
//! `draft/firms.rs` as the crate's `firms` module.
#![allow(dead_code)]

use decree::eval::Status;
use decree::value::{BoundKind, Duration, DurationUnit, Unit, Value};
use rust_decimal::Decimal;

use crate::firms::*;

// The enterprises are generated in `draft/firms.rs`; here is how this test
// reads them.
impl Firm {
    pub(crate) fn b(&self, name: &str) -> Option<bool> {
        match self.facts.get(name) {
            Some(F::Bool(b)) => Some(*b),
            None => None,
            other => panic!("{name} is not a bool: {other:?}"),
        }
    }

    /// A money, rate or area fact.
    pub(crate) fn n(&self, name: &str) -> Option<Decimal> {
        match self.facts.get(name) {
            Some(F::Money(d) | F::Rate(d) | F::Area(d)) => Some(*d),
            None => None,
            other => panic!("{name} is not a number: {other:?}"),
        }
    }

    pub(crate) fn count(&self, name: &str) -> Option<Decimal> {
        match self.facts.get(name) {
            Some(F::Count(c)) => Some(Decimal::from(*c)),
            None => None,
            other => panic!("{name} is not a count: {other:?}"),
        }
    }

    pub(crate) fn has(&self, set: &str, value: &str) -> K {
        match self.facts.get(set) {
            Some(F::Set(s)) => K::of(s.contains(value)),
            None => K::U,
            other => panic!("{set} is not a set: {other:?}"),
        }
    }

    /// A duration fact in months (years and months compare).
    pub(crate) fn months(&self, name: &str) -> Option<i64> {
        match self.facts.get(name) {
            Some(F::Duration(n, DurationUnit::Years)) => Some(n * 12),
            Some(F::Duration(n, DurationUnit::Months)) => Some(*n),
            None => None,
            other => panic!("{name} is not a duration in years or months: {other:?}"),
        }
    }
}

// ---------------------------------------------------------------- three-valued logic

/// True, false, or not known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum K {
    T,
    F,
    U,
}

impl K {
    pub(crate) fn of(b: bool) -> K {
        if b { K::T } else { K::F }
    }

    pub(crate) fn known(b: Option<bool>) -> K {
        b.map_or(K::U, K::of)
    }

    pub(crate) fn and(self, o: K) -> K {
        match (self, o) {
            (K::F, _) | (_, K::F) => K::F,
            (K::T, K::T) => K::T,
            _ => K::U,
        }
    }

    pub(crate) fn or(self, o: K) -> K {
        match (self, o) {
            (K::T, _) | (_, K::T) => K::T,
            (K::F, K::F) => K::F,
            _ => K::U,
        }
    }

    pub(crate) fn not(self) -> K {
        match self {
            K::T => K::F,
            K::F => K::T,
            K::U => K::U,
        }
    }
}

pub(crate) fn ge(a: Option<Decimal>, b: Option<Decimal>) -> K {
    match (a, b) {
        (Some(a), Some(b)) => K::of(a >= b),
        _ => K::U,
    }
}

pub(crate) fn gt(a: Option<Decimal>, b: Option<Decimal>) -> K {
    match (a, b) {
        (Some(a), Some(b)) => K::of(a > b),
        _ => K::U,
    }
}

// ---------------------------------------------------------------- expected results

/// What a monetary rule computes before its item's status is decided.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Amount {
    /// From `lo` to `hi` (equal for an exact amount).
    Yuan(Decimal, Decimal),
    /// A fact or param it needs is not known.
    Unknown,
    /// Nothing applies (no level reached for the first time).
    Nothing,
}

pub(crate) fn exact(d: Decimal) -> Amount {
    Amount::Yuan(d, d)
}

pub(crate) fn upto(d: Decimal) -> Amount {
    Amount::Yuan(Decimal::ZERO, d)
}

/// `min(rate × base, cap)`: the most a 按不超过R%，最高X元 rule allows.
pub(crate) fn capped(rate: Decimal, base: Option<Decimal>, cap: Decimal) -> Amount {
    match base {
        Some(b) => exact((rate * b).min(cap)),
        None => Amount::Unknown,
    }
}

/// One item's expected result.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Expected {
    pub(crate) status: Status,
    pub(crate) amount: Option<Decimal>,
    pub(crate) range: Option<(Decimal, Decimal)>,
    pub(crate) soft: bool,
    /// The value of a non-monetary item, when it has one.
    pub(crate) value: Option<Value>,
}

impl Expected {
    pub(crate) fn bare(status: Status) -> Expected {
        Expected {
            status,
            amount: None,
            range: None,
            soft: false,
            value: None,
        }
    }
}

/// A monetary item: its `when` and what its rule computes. A false
/// condition makes it ineligible whatever the amount, an undecided one
/// undetermined; an amount of 0元 is ineligible; a range with equal ends is
/// an amount.
pub(crate) fn money_item(when: K, amount: Amount, soft: bool) -> Expected {
    match (when, amount) {
        (K::F, _) | (K::T, Amount::Nothing) => Expected::bare(Status::Ineligible),
        (K::U, _) | (K::T, Amount::Unknown) => Expected::bare(Status::Undetermined),
        (K::T, Amount::Yuan(lo, hi)) => {
            if hi.is_zero() {
                Expected::bare(Status::Ineligible)
            } else if lo == hi {
                Expected {
                    amount: Some(lo),
                    soft,
                    ..Expected::bare(Status::Granted)
                }
            } else {
                Expected {
                    range: Some((lo, hi)),
                    soft,
                    ..Expected::bare(Status::Granted)
                }
            }
        }
    }
}

/// A benefit: its `when` and its value (`None`: not known).
pub(crate) fn benefit(when: K, value: Option<Value>, soft: bool) -> Expected {
    match (when, value) {
        (K::F, _) => Expected::bare(Status::Ineligible),
        (K::U, _) | (K::T, None) => Expected::bare(Status::Undetermined),
        (K::T, Some(v)) => Expected {
            value: Some(v),
            soft,
            ..Expected::bare(Status::Granted)
        },
    }
}

pub(crate) fn eligibility(k: K) -> Expected {
    match k {
        K::T => Expected {
            value: Some(Value::Bool(true)),
            ..Expected::bare(Status::Granted)
        },
        K::F => Expected::bare(Status::Ineligible),
        K::U => Expected::bare(Status::Undetermined),
    }
}

pub(crate) fn target(k: K) -> Expected {
    match k {
        K::T => Expected {
            value: Some(Value::Bool(true)),
            ..Expected::bare(Status::Met)
        },
        K::F => Expected {
            value: Some(Value::Bool(false)),
            ..Expected::bare(Status::NotMet)
        },
        K::U => Expected::bare(Status::Undetermined),
    }
}

pub(crate) fn at_most(v: Value) -> Value {
    Value::Bound(BoundKind::AtMost, Box::new(v))
}

/// The second implementation: every compared item of the draft, from the
/// measure texts. Item names are the policy's; monetary items first. (One
/// long list on purpose: it reads against the draft measure by measure.)
pub(crate) fn expected(f: &Firm) -> Vec<(&'static str, bool, Expected)> {
    let p = &f.params;
    let mut out: Vec<(&'static str, bool, Expected)> = Vec::new();
    let mut money = |name, when, amount| out.push((name, true, money_item(when, amount, false)));

    // 1. 对参与国家先进制造业集群竞赛的机构最高给予1:1配套支持 — up to 1:1 of
    // the funds it receives from the competition.
    money(
        "cluster_competition_matching",
        K::known(f.b("in_national_cluster_competition")),
        f.n("national_cluster_competition_funds")
            .map_or(Amount::Unknown, upto),
    );

    // 2. 对年度产值首次达到1000亿元、500亿元、100亿元的工业企业，分别给予2000万元、
    // 1000万元、300万元的一次性奖励 — the highest level reached this year and
    // never before (a prior peak at the level has reached it already).
    let output = f.n("annual_output");
    let peak = f.n("prior_peak_output");
    let mut milestone = Amount::Nothing;
    for (level, award) in [
        (yi(1000), wan(2000)),
        (yi(500), wan(1000)),
        (yi(100), wan(300)),
    ] {
        let reached = ge(output, Some(level));
        let not_before = peak.map_or(K::U, |p| K::of(p < level));
        match reached.and(not_before) {
            K::T => {
                milestone = exact(award);
                break;
            }
            K::F => {}
            K::U => {
                milestone = Amount::Unknown;
                break;
            }
        }
    }
    let industrial = K::known(f.b("is_industrial_enterprise"));
    money("output_milestone", industrial, milestone);

    // 对年度产值5亿元以上且达到一定增速的工业企业给予奖励 — neither the rate
    // nor the amount is in the draft.
    money(
        "expansion",
        industrial
            .and(ge(output, Some(yi(5))))
            .and(ge(f.n("output_growth_rate"), p.growth_rate_threshold)),
        p.expansion_award.map_or(Amount::Unknown, exact),
    );

    // 5. 对重大工业投资项目、上市公司募集资金投资的本地工业项目，按照不超过项目固定
    // 资产实际投资额的20%，给予最高5000万元资助 — one subsidy per project.
    money(
        "industrial_investment",
        K::known(f.b("is_major_industrial_project"))
            .or(K::known(f.b("is_listed_fundraising_project"))
                .and(K::known(f.b("is_local_industrial_project")))),
        capped(pct(20), f.n("fixed_asset_actual_investment"), wan(5000)),
    );

    // 6. 按不超过总投资的50%给予资助，原则上不超过5000万元 — soft: flagged only
    // when the cap is what decides (the rate decides a tie).
    let centre = K::known(f.b("is_manufacturing_innovation_centre"));
    let investment = f.n("innovation_centre_investment");
    let soft = investment.is_some_and(|i| pct(50) * i > wan(5000));
    out.push((
        "innovation_centre",
        true,
        money_item(centre, capped(pct(50), investment, wan(5000)), soft),
    ));
    let mut money = |name, when, amount| out.push((name, true, money_item(when, amount, false)));
    // 对已拨付的国家、省制造业创新中心资助资金，最高按1:1比例进行配套 — each fund,
    // up to 1:1.
    money(
        "national_innovation_centre_matching",
        centre,
        f.n("national_innovation_centre_funds")
            .map_or(Amount::Unknown, upto),
    );
    money(
        "provincial_innovation_centre_matching",
        centre,
        f.n("provincial_innovation_centre_funds")
            .map_or(Amount::Unknown, upto),
    );
    // 对企业技术中心实施的组建和提升项目，按照不超过建设实际投入的20%，给予最高500万元资助。
    money(
        "enterprise_tech_centre",
        K::known(f.b("has_tech_centre_project")),
        capped(pct(20), f.n("tech_centre_actual_input"), wan(500)),
    );

    // 7. 市级工业强基 按投资额的30%给予最高1000万元; 国家工业强基 按国家拨付资金给予
    // 1:1配套 (exactly); 质量品牌 按不超过项目实际投入的30％给予最高500万元。
    money(
        "city_strong_base",
        K::known(f.b("has_city_strong_base_project")),
        capped(pct(30), f.n("city_strong_base_investment"), wan(1000)),
    );
    money(
        "national_strong_base_matching",
        K::known(f.b("has_national_strong_base_project")),
        f.n("national_strong_base_funds")
            .map_or(Amount::Unknown, exact),
    );
    money(
        "quality_brand",
        K::known(f.b("has_quality_brand_project")),
        capped(pct(30), f.n("quality_brand_actual_input"), wan(500)),
    );

    // 8. 对企业实施的技术改造项目…按不超过项目投资额的20%，给予最高5000万元资助
    // (every enterprise's technical upgrade project); 加大技术改造项目的贴息力度，
    // 按不超过项目固定资产银行贷款利息和设备融资租赁利息的50%，给予最高500万元贴息 —
    // interest on a technical upgrade project, so an enterprise with no such
    // project (an investment of 0元) gets none (see POLICY_GAPS).
    money(
        "tech_upgrade",
        K::T,
        capped(pct(20), f.n("tech_upgrade_investment"), wan(5000)),
    );
    money(
        "tech_upgrade_interest",
        gt(f.n("tech_upgrade_investment"), Some(Decimal::ZERO)),
        capped(pct(50), m8_interest(f), wan(500)),
    );

    // 9. 平台 按不超过投资额的30%，给予最高1000万元; 服务商 最高100万元; 应用项目
    // 最高300万元; 重大活动、公共服务平台 最高300万元。
    money(
        "iiot_platform",
        K::known(f.b("has_iiot_platform_project")),
        capped(pct(30), f.n("iiot_platform_investment"), wan(1000)),
    );
    money(
        "iiot_service_provider",
        K::known(f.b("is_qualified_iiot_service_provider")),
        upto(wan(100)),
    );
    money(
        "iiot_application",
        K::known(f.b("has_iiot_application_project")),
        upto(wan(300)),
    );
    money(
        "iiot_public_service",
        K::known(f.b("has_iiot_public_service_project")),
        upto(wan(300)),
    );

    // 10. 绿色化改造 按不超过投资额的30%，给予最高1000万元; 获得…示范项目和荣誉称号的
    // 企业，给予最高100万元奖励 — one award, whatever the titles.
    money(
        "green_upgrade",
        K::known(f.b("has_green_upgrade_project")),
        capped(pct(30), f.n("green_upgrade_investment"), wan(1000)),
    );
    let any_title = GREEN_TITLES
        .iter()
        .fold(K::F, |k, t| k.or(f.has("green_titles", t)));
    money("green_demonstration", any_title, upto(wan(100)));

    // 11. 按产品实际销售总额给予研制单位不超过30%，最高1000万元奖励。
    money(
        "three_firsts",
        K::known(f.b("is_three_firsts_developer")),
        capped(pct(30), f.n("three_firsts_actual_sales"), wan(1000)),
    );

    // 13. 国家单项冠军示范企业 300万, 产品 200万; 市级 200万, 100万; 小巨人 最高50万;
    // 省专精特新 最高20万 — each title its own award.
    for (name, honour, amount) in [
        (
            "national_champion_enterprise_award",
            "national_champion_enterprise",
            exact(wan(300)),
        ),
        (
            "national_champion_product_award",
            "national_champion_product",
            exact(wan(200)),
        ),
        (
            "city_champion_enterprise_award",
            "city_champion_enterprise",
            exact(wan(200)),
        ),
        (
            "city_champion_product_award",
            "city_champion_product",
            exact(wan(100)),
        ),
        ("little_giant_award", "national_little_giant", upto(wan(50))),
        (
            "provincial_specialised_award",
            "provincial_specialised",
            upto(wan(20)),
        ),
    ] {
        money(name, f.has("honours", honour), amount);
    }

    // 14. 供应链升级改造 按不超过项目投入的20%，给予最高500万元; 经营性贷款利息按30%
    // 给予贴息，最高300万元。
    money(
        "supply_chain_upgrade",
        K::known(f.b("has_supply_chain_upgrade_project")),
        capped(pct(20), f.n("supply_chain_upgrade_input"), wan(500)),
    );
    money(
        "supply_chain_interest",
        K::known(f.b("provides_extended_supply_chain_services")),
        capped(
            pct(30),
            f.n("supply_chain_operating_loan_interest"),
            wan(300),
        ),
    );

    // 16. 对符合要求的平台按照不超过项目投资额的30%，给予最高1000万元资助。
    money(
        "public_service_platform",
        K::known(f.b("is_qualified_public_service_platform")),
        capped(pct(30), f.n("public_platform_investment"), wan(1000)),
    );

    // ------------------------------------------------------------ not money
    let mut other = |name, e| out.push((name, false, e));

    // 1. 力争到2025年电子信息制造业产值突破3万亿元 (突破: more than), 高端装备制造业
    // 产值接近1万亿元 (1万亿 counts; below it, a tbd lower bound), 若干个千亿级产业集群
    // (at least one, and at least a tbd number).
    other(
        "electronics_output_2025",
        target(gt(f.n("city_electronics_output"), Some(yi(30_000)))),
    );
    let high_end = f.n("city_high_end_equipment_output");
    other(
        "high_end_equipment_output_2025",
        target(ge(high_end, Some(yi(10_000))).or(ge(high_end, p.high_end_equipment_near_level))),
    );
    let clusters = f.count("city_new_1000yi_clusters");
    other(
        "thousand_yi_clusters_2025",
        target(
            ge(clusters, Some(Decimal::ONE))
                .and(ge(clusters, p.several_clusters.map(Decimal::from))),
        ),
    );
    // 2. 年度产值超1000亿元的工业企业达到5家，500亿元-1000亿元的达到5家，100亿元-500亿元
    // 的达到40家。
    for (name, fact, n) in [
        ("enterprises_over_1000yi", "city_enterprises_over_1000yi", 5),
        ("enterprises_500_1000yi", "city_enterprises_500_1000yi", 5),
        ("enterprises_100_500yi", "city_enterprises_100_500yi", 40),
    ] {
        other(name, target(ge(f.count(fact), Some(Decimal::from(n)))));
    }

    // 5. 所在辖区无法解决的，产业部门应在1个月内报市政府统筹安排。
    let top100 = K::known(f.b("is_top100_industrial_enterprise"))
        .and(K::known(f.b("has_expansion_space_need")));
    other(
        "top100_referral_deadline",
        benefit(
            top100.and(K::known(f.b("district_cannot_resolve"))),
            Some(at_most(Value::Duration(Duration {
                amount: Decimal::ONE,
                unit: DurationUnit::Months,
            }))),
            false,
        ),
    );

    // 12. 系统集成能力强、市场占有率高、产业链拉动作用大、年产值不少于100亿元的制造业
    // 企业作为链主企业; 允许其将一定比例…转让给核心配套企业。
    let chain_leader = K::known(f.b("is_manufacturing_enterprise"))
        .and(K::known(f.b("strong_system_integration")))
        .and(K::known(f.b("high_market_share")))
        .and(K::known(f.b("strong_chain_pull")))
        .and(ge(output, Some(yi(100))));
    other("chain_leader", eligibility(chain_leader));
    other(
        "core_supplier_transfer",
        benefit(
            chain_leader,
            p.core_supplier_transfer_share
                .map(|s| at_most(Value::Num(Unit::Rate, s))),
            false,
        ),
    );

    // 14. 鼓励链主企业与中小企业组成联合体参加政府采购，符合条件的给予2%-3%比例的价格扣除。
    other(
        "price_deduction",
        benefit(
            chain_leader.and(K::known(f.b("sme_consortium_procurement"))),
            Some(Value::Range(Unit::Rate, pct(2), pct(3))),
            false,
        ),
    );

    // 18. 对市企业征信服务平台评分良好的企业…担保费平均费率不高于1%。
    other(
        "guarantee_fee",
        benefit(
            K::known(f.b("credit_rating_good")),
            Some(at_most(Value::Num(Unit::Rate, pct(1)))),
            false,
        ),
    );

    // 19. 年产值1亿元以上且无自有工业用地的制造业企业，按“成本+微利价”受让一定面积的
    // 工业保障房; 具有国资背景的工业用房租金标准不得高于同期工业用房租金指导价格; 除承租人
    // 主动要求或…已纳入城市更新范围外，租赁期限原则上不得少于3年。
    let purchase = K::known(f.b("is_manufacturing_enterprise"))
        .and(ge(output, Some(yi(1))))
        .and(K::known(f.b("has_own_industrial_land")).not());
    other("housing_purchase", eligibility(purchase));
    other(
        "housing_purchase_area_granted",
        benefit(
            purchase,
            p.housing_purchase_area.map(|a| Value::Num(Unit::Area, a)),
            false,
        ),
    );
    other(
        "state_owned_rent_cap",
        benefit(
            K::known(f.b("leases_state_owned_industrial_housing")),
            f.n("rent_guide_price")
                .map(|r| at_most(Value::Num(Unit::Money, r))),
            false,
        ),
    );
    other(
        "lease_term",
        benefit(
            K::known(f.b("leases_industrial_housing"))
                .and(K::known(f.b("tenant_requests_shorter_term")).not())
                .and(K::known(f.b("plot_in_urban_renewal")).not()),
            Some(Value::Bound(
                BoundKind::AtLeast,
                Box::new(Value::Duration(Duration {
                    amount: Decimal::from(3),
                    unit: DurationUnit::Years,
                })),
            )),
            true,
        ),
    );

    // 22. 整备改造100平方公里产业空间; 保留提升100平方公里工业区 (at least); 建成投产已满
    // 一定年限的工业用地 (keeping its use).
    other(
        "industrial_space_consolidation",
        target(ge(
            f.n("city_consolidated_industrial_space"),
            Some(km2(100)),
        )),
    );
    other(
        "industrial_zones_retained",
        target(ge(f.n("city_retained_industrial_zones"), Some(km2(100)))),
    );
    let in_production = match (
        f.months("land_in_production_for"),
        p.land_transfer_min_years,
    ) {
        (Some(m), Some(y)) => K::of(m >= y * 12),
        _ => K::U,
    };
    other(
        "land_transfer_scope",
        eligibility(K::known(f.b("land_keeps_industrial_use")).and(in_production)),
    );

    if let Window::Issued(at) = f.window {
        // 本措施自印发之日起实施，有效期5年: issued 2021-01-01, in force to
        // 2025-12-31 inclusive.
        if !("2021-01-01"..="2025-12-31").contains(&at) {
            for (_, _, e) in &mut out {
                *e = Expected::bare(Status::NotInForce);
            }
        }
    }
    out
}

/// m8's interest base: the project's loan interest and lease interest.
pub(crate) fn m8_interest(f: &Firm) -> Option<Decimal> {
    match (
        f.n("fixed_asset_loan_interest"),
        f.n("equipment_lease_interest"),
    ) {
        (Some(a), Some(b)) => Some(a + b),
        _ => None,
    }
}
