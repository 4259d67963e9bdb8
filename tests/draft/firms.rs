//! The draft's generated enterprises, shared by the draft's differential
//! test (against a second implementation) and the population test
//! (`population::run` against single evaluations): realistic values and
//! edge values around every threshold and cap of
//! `policies/shenzhen-manufacturing-2020.decree`, missing facts, `tbd`
//! params set, evaluation dates around a hypothetical window.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use decree::value::{Duration, DurationUnit, Unit, Value};
use decree::{Facts, Options, SourceFile};
use rand::Rng;
use rand::rngs::StdRng;
use rust_decimal::Decimal;

pub(crate) const POLICY: &str = "policies/shenzhen-manufacturing-2020.decree";

// ---------------------------------------------------------------- numbers

pub(crate) fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

pub(crate) fn wan(n: i64) -> Decimal {
    Decimal::from(n) * Decimal::from(10_000)
}

pub(crate) fn yi(n: i64) -> Decimal {
    Decimal::from(n) * Decimal::from(100_000_000)
}

pub(crate) fn pct(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

/// 1 km² in m².
pub(crate) fn km2(n: i64) -> Decimal {
    Decimal::from(n) * Decimal::from(1_000_000)
}

// ---------------------------------------------------------------- facts

/// A fact's value as the generator chose it.
#[derive(Clone, Debug)]
pub(crate) enum F {
    Bool(bool),
    Money(Decimal),
    Rate(Decimal),
    Count(u64),
    Area(Decimal),
    /// A duration, in years or in months.
    Duration(i64, DurationUnit),
    Set(BTreeSet<&'static str>),
}

/// The `tbd` params an enterprise's run gives a value (`--set`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Params {
    pub(crate) growth_rate_threshold: Option<Decimal>,
    pub(crate) expansion_award: Option<Decimal>,
    pub(crate) core_supplier_transfer_share: Option<Decimal>,
    pub(crate) housing_purchase_area: Option<Decimal>,
    pub(crate) land_transfer_min_years: Option<i64>,
    pub(crate) high_end_equipment_near_level: Option<Decimal>,
    pub(crate) several_clusters: Option<u64>,
}

/// Where the evaluation date stands: no issue date (unchecked), or a
/// hypothetical issue date of 2021-01-01 (window 2021-01-01..=2025-12-31).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Window {
    Unchecked,
    Issued(&'static str),
}

#[derive(Clone, Debug)]
pub(crate) struct Firm {
    pub(crate) facts: BTreeMap<&'static str, F>,
    pub(crate) params: Params,
    pub(crate) window: Window,
}

pub(crate) const GREEN_TITLES: [&str; 6] = [
    "green_manufacturing_title",
    "energy_saving_title",
    "resource_utilisation_title",
    "cleaner_production_title",
    "green_data_centre_title",
    "other_green_title",
];

pub(crate) const HONOURS: [&str; 6] = [
    "national_champion_enterprise",
    "national_champion_product",
    "city_champion_enterprise",
    "city_champion_product",
    "national_little_giant",
    "provincial_specialised",
];

// ---------------------------------------------------------------- generation

/// Every bool fact of the draft.
pub(crate) const BOOLS: [&str; 48] = [
    "is_industrial_enterprise",
    "is_manufacturing_enterprise",
    "is_above_scale_industrial_enterprise",
    "is_qualified_sme",
    "in_national_cluster_competition",
    "core_business_in_shenzhen",
    "is_manufacturing_hq",
    "is_listed_company",
    "is_major_investment_project",
    "is_key_attraction_project",
    "is_listed_fundraising_project",
    "is_major_industrial_project",
    "is_local_industrial_project",
    "is_top100_industrial_enterprise",
    "has_expansion_space_need",
    "district_cannot_resolve",
    "is_manufacturing_innovation_centre",
    "has_tech_centre_project",
    "has_city_strong_base_project",
    "has_national_strong_base_project",
    "has_quality_brand_project",
    "has_iiot_platform_project",
    "is_qualified_iiot_service_provider",
    "has_iiot_application_project",
    "has_iiot_public_service_project",
    "has_green_upgrade_project",
    "has_green_credit_project",
    "is_three_firsts_developer",
    "is_innovation_catalogue_product",
    "meets_first_purchase_requirements",
    "strong_system_integration",
    "high_market_share",
    "strong_chain_pull",
    "has_supply_chain_upgrade_project",
    "provides_extended_supply_chain_services",
    "sme_consortium_procurement",
    "on_chokepoint_list",
    "is_qualified_public_service_platform",
    "credit_rating_good",
    "has_own_industrial_land",
    "leases_state_owned_industrial_housing",
    "leases_industrial_housing",
    "tenant_requests_shorter_term",
    "plot_in_urban_renewal",
    "land_keeps_industrial_use",
    "must_relocate_for_urban_renewal",
    "properly_resettled",
    "needs_factory_upgrade",
];

/// The money bases of the `min(R × base, cap)` rules, with the base at which
/// each cap is reached: exactly (20%, 50%), or not at all in whole yuan
/// (30%: 1000万 ÷ 30% = 33,333,333.33…).
pub(crate) fn capped_bases() -> Vec<(&'static str, Vec<Decimal>)> {
    let thirty_1000 = vec![
        dec("33333333"),
        dec("33333334"),
        dec("33333333.33"),
        dec("33333333.34"),
        dec("33333333.3333"),
    ];
    let thirty_500 = vec![
        dec("16666666"),
        dec("16666667"),
        dec("16666666.66"),
        dec("16666666.67"),
    ];
    vec![
        ("fixed_asset_actual_investment", vec![yi(2) + wan(5000)]),
        ("innovation_centre_investment", vec![yi(1)]),
        ("tech_centre_actual_input", vec![wan(2500)]),
        ("city_strong_base_investment", thirty_1000.clone()),
        ("quality_brand_actual_input", thirty_500),
        ("tech_upgrade_investment", vec![yi(2) + wan(5000)]),
        ("iiot_platform_investment", thirty_1000.clone()),
        ("green_upgrade_investment", thirty_1000.clone()),
        ("three_firsts_actual_sales", thirty_1000.clone()),
        ("supply_chain_upgrade_input", vec![wan(2500)]),
        ("supply_chain_operating_loan_interest", vec![wan(1000)]),
        ("public_platform_investment", thirty_1000),
    ]
}

/// An amount of money near `pivots`: at one, a yuan or a fen either side,
/// anywhere from 0 to well above, tiny, huge, or 0.
pub(crate) fn money_near(rng: &mut StdRng, pivots: &[Decimal]) -> Decimal {
    let pivot = pivots[rng.random_range(0..pivots.len())];
    let fen = Decimal::new(1, 2);
    match rng.random_range(0..16) {
        0 => Decimal::ZERO,
        1..=3 => pivot,
        4 => pivot - Decimal::ONE,
        5 => pivot + Decimal::ONE,
        6 => pivot - fen,
        7 => pivot + fen,
        8..=10 => Decimal::from(rng.random_range(0..=3 * whole(pivot))),
        11 => Decimal::new(rng.random_range(0..=300 * whole(pivot)), 2),
        12 => Decimal::from(rng.random_range(1..1_000)),
        13 => Decimal::new(rng.random_range(1..100), 2),
        14 => Decimal::from(rng.random_range(1_i64..=1_000_000_000_000_000)),
        _ => pivot * Decimal::from(rng.random_range(2..20)),
    }
}

pub(crate) fn whole(d: Decimal) -> i64 {
    i64::try_from(d.trunc()).unwrap()
}

/// A rate near `pivot` in steps of 0.1%, or anywhere from -50% to +100%.
pub(crate) fn rate_near(rng: &mut StdRng, pivot: Decimal) -> Decimal {
    let tenth = Decimal::new(1, 3);
    match rng.random_range(0..6) {
        0 => pivot,
        1 => pivot - tenth,
        2 => pivot + tenth,
        3 => Decimal::ZERO,
        _ => Decimal::new(rng.random_range(-500..=1000), 3),
    }
}

/// Enterprise `i`: every fact of the draft drawn in turn (long, as the
/// draft's list of facts is; the draws must stay in this order for the
/// seeds to give the same enterprises).
pub(crate) fn firm(rng: &mut StdRng, i: usize) -> Firm {
    // How often a fact is missing in this enterprise's file.
    let missing = match i % 10 {
        0 => 0.0,
        1 => 0.6,
        2 if i % 100 == 2 => 1.0,
        _ => 0.06,
    };
    let mut facts = BTreeMap::new();
    let mut put = |rng: &mut StdRng, name: &'static str, value: F| {
        if !rng.random_bool(missing) {
            facts.insert(name, value);
        }
    };
    // Qualifications: most enterprises answer; some say yes to everything.
    let yes = match i % 7 {
        0 => 0.9,
        1 => 0.1,
        _ => 0.5,
    };
    for name in BOOLS {
        let b = rng.random_bool(yes);
        put(rng, name, F::Bool(b));
    }
    for (name, pivots) in capped_bases() {
        let m = money_near(rng, &pivots);
        put(rng, name, F::Money(m));
    }
    // m8 interest: the sum of two interests against the 1000万 at which 50%
    // reaches the 500万 cap, often split exactly at it.
    let total = money_near(rng, &[wan(1000)]);
    let share = Decimal::new(rng.random_range(0..=100), 2);
    let loan = (total * share).round_dp(2);
    put(rng, "fixed_asset_loan_interest", F::Money(loan));
    put(
        rng,
        "equipment_lease_interest",
        F::Money((total - loan).max(Decimal::ZERO)),
    );
    // Funds matched 1:1 or up to 1:1.
    for name in [
        "national_cluster_competition_funds",
        "national_innovation_centre_funds",
        "provincial_innovation_centre_funds",
        "national_strong_base_funds",
    ] {
        let m = money_near(rng, &[wan(500), wan(2000), wan(3000)]);
        put(rng, name, F::Money(m));
    }
    // Output against the levels 1亿 (m19), 5亿 (m2), 100亿 (m2, m12), 500亿,
    // 1000亿 (m2); the prior peak against the same levels, or just below
    // this year's output, or above it.
    let levels = [yi(1), yi(5), yi(100), yi(500), yi(1000)];
    let output = money_near(rng, &levels);
    put(rng, "annual_output", F::Money(output));
    let peak = match rng.random_range(0..4) {
        0 => money_near(rng, &levels),
        1 => (output - Decimal::ONE).max(Decimal::ZERO),
        2 => (output * Decimal::new(rng.random_range(50..100), 2)).round_dp(2),
        _ => output + money_near(rng, &levels),
    };
    put(rng, "prior_peak_output", F::Money(peak));
    let threshold = pct([15, 0, 10, 20][rng.random_range(0..4)]);
    let growth = rate_near(rng, threshold);
    put(rng, "output_growth_rate", F::Rate(growth));
    let honours = HONOURS
        .iter()
        .filter(|_| rng.random_bool(0.3))
        .copied()
        .collect();
    put(rng, "honours", F::Set(honours));
    let titles = GREEN_TITLES
        .iter()
        .filter(|_| rng.random_bool(0.2))
        .copied()
        .collect();
    put(rng, "green_titles", F::Set(titles));
    let rent = Decimal::new(rng.random_range(0..30_000), 2);
    put(rng, "rent_guide_price", F::Money(rent));
    let term = match rng.random_range(0..3) {
        0 => F::Duration(rng.random_range(0..20), DurationUnit::Years),
        1 => F::Duration(rng.random_range(0..240), DurationUnit::Months),
        _ => F::Duration(5, DurationUnit::Years),
    };
    put(rng, "land_in_production_for", term);

    // The city's statistics (m1, m2, m22), around their targets.
    let around = |rng: &mut StdRng, n: u64| match rng.random_range(0..4) {
        0 => n - 1,
        1 => n,
        2 => n + 1,
        _ => rng.random_range(0..3 * n),
    };
    let counts = [
        ("city_enterprises_over_1000yi", 5),
        ("city_enterprises_500_1000yi", 5),
        ("city_enterprises_100_500yi", 40),
        ("city_new_1000yi_clusters", 2),
    ];
    for (name, n) in counts {
        let c = around(rng, n);
        put(rng, name, F::Count(c));
    }
    let electronics = money_near(rng, &[yi(30_000)]);
    put(rng, "city_electronics_output", F::Money(electronics));
    let high_end = money_near(rng, &[yi(10_000), yi(9_000)]);
    put(rng, "city_high_end_equipment_output", F::Money(high_end));
    for name in [
        "city_consolidated_industrial_space",
        "city_retained_industrial_zones",
    ] {
        let a = match rng.random_range(0..5) {
            0 => km2(100),
            1 => km2(100) - Decimal::ONE,
            2 => km2(100) + Decimal::ONE,
            3 => km2(99),
            _ => Decimal::from(rng.random_range(0..300_000_000_i64)),
        };
        put(rng, name, F::Area(a));
    }

    // A third of the runs give the draft's open figures a value (as the
    // tests written in decree do, "hypothetically").
    let params = if rng.random_bool(0.35) {
        Params {
            growth_rate_threshold: Some(threshold),
            expansion_award: Some([wan(100), wan(50), Decimal::ZERO][rng.random_range(0..3)]),
            core_supplier_transfer_share: Some(pct(rng.random_range(0..60))),
            housing_purchase_area: Some(Decimal::from(rng.random_range(0..10_000))),
            land_transfer_min_years: Some(rng.random_range(1..10)),
            high_end_equipment_near_level: Some(yi([9_000, 9_500, 8_000][rng.random_range(0..3)])),
            several_clusters: Some(rng.random_range(1..5)),
        }
    } else {
        Params::default()
    };
    let window = match rng.random_range(0..12) {
        0 => Window::Issued("2020-12-31"),
        1 => Window::Issued("2021-01-01"),
        2 => Window::Issued("2025-12-31"),
        3 => Window::Issued("2026-01-01"),
        _ => Window::Unchecked,
    };
    Firm {
        facts,
        params,
        window,
    }
}

// ---------------------------------------------------------------- the library's side

pub(crate) fn to_facts(policy: &decree::Policy, f: &Firm, i: usize) -> Facts {
    let mut values = BTreeMap::new();
    for (name, v) in &f.facts {
        let value = match v {
            F::Bool(b) => Value::Bool(*b),
            F::Money(d) => Value::Num(Unit::Money, *d),
            F::Rate(d) => Value::Num(Unit::Rate, *d),
            F::Count(c) => Value::Num(Unit::Count, Decimal::from(*c)),
            F::Area(d) => Value::Num(Unit::Area, *d),
            F::Duration(n, unit) => Value::Duration(Duration {
                amount: Decimal::from(*n),
                unit: *unit,
            }),
            F::Set(s) => Value::Set(s.iter().map(|v| (*v).to_string()).collect()),
        };
        values.insert((*name).to_string(), value);
    }
    let named = values.iter().map(|(k, v)| (k.as_str(), v));
    let facts = Facts::from_named(policy, format!("enterprise-{i}"), named);
    assert_eq!(
        facts.len(),
        values.len(),
        "every generated fact is a fact of the draft"
    );
    facts
}

pub(crate) fn options(policy: &decree::Policy, f: &Firm) -> Options {
    let mut o = Options::default();
    let p = &f.params;
    let mut set = |s: String| decree::facts::apply_setting(policy, &s, &mut o).unwrap();
    if let Some(v) = p.growth_rate_threshold {
        set(format!("growth_rate_threshold={v}"));
    }
    if let Some(v) = p.expansion_award {
        set(format!("expansion_award={v}"));
    }
    if let Some(v) = p.core_supplier_transfer_share {
        set(format!("core_supplier_transfer_share={v}"));
    }
    if let Some(v) = p.housing_purchase_area {
        set(format!("housing_purchase_area={v}"));
    }
    if let Some(v) = p.land_transfer_min_years {
        set(format!("land_transfer_min_years={v} years"));
    }
    if let Some(v) = p.high_end_equipment_near_level {
        set(format!("high_end_equipment_near_level={v}"));
    }
    if let Some(v) = p.several_clusters {
        set(format!("several_clusters={v}"));
    }
    match f.window {
        Window::Unchecked => o.at = Some("2026-01-01".parse().unwrap()),
        Window::Issued(at) => {
            set("issued=2021-01-01".to_string());
            o.at = Some(at.parse().unwrap());
        }
    }
    o
}

pub(crate) fn load() -> decree::Policy {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(POLICY);
    let text = std::fs::read_to_string(path).unwrap();
    decree::load(&SourceFile::new(POLICY, text)).unwrap()
}

// ---------------------------------------------------------------- the filled-in run

/// The draft's open figures filled in and its issue date given, as
/// `decree batch --set …` runs it: every item can be computed.
pub(crate) const FILLED: [&str; 8] = [
    "issued=2021-01-01",
    "growth_rate_threshold=15%",
    "expansion_award=100万",
    "core_supplier_transfer_share=30%",
    "housing_purchase_area=2000",
    "land_transfer_min_years=5 years",
    "high_end_equipment_near_level=9000亿",
    "several_clusters=3",
];

/// The date of a filled-in run: inside the draft's window from its
/// [`FILLED`] issue date.
pub(crate) const FILLED_AT: &str = "2025-06-30";

/// The options of a filled-in run: [`FILLED`] on [`FILLED_AT`], the same
/// for every row.
pub(crate) fn filled_options(policy: &decree::Policy) -> Options {
    let mut options = Options {
        at: Some(FILLED_AT.parse().unwrap()),
        ..Options::default()
    };
    for s in FILLED {
        decree::facts::apply_setting(policy, s, &mut options).unwrap();
    }
    options
}

/// The params of [`FILLED`], as an enterprise's run gives them.
pub(crate) fn filled_params() -> Params {
    Params {
        growth_rate_threshold: Some(pct(15)),
        expansion_award: Some(wan(100)),
        core_supplier_transfer_share: Some(pct(30)),
        housing_purchase_area: Some(Decimal::from(2000)),
        land_transfer_min_years: Some(5),
        high_end_equipment_near_level: Some(yi(9000)),
        several_clusters: Some(3),
    }
}

/// The seed of the benchmark's population ([`bench_population`]).
pub(crate) const BENCH_SEED: u64 = 0x5EED_2020_BE7C;

/// The population of `benches/anchor.rs` and `tests/plan_deferrals.rs`:
/// `n` generated enterprises, each with the filled-in run's params and
/// date, as the hand-written implementation reads them and as typed facts.
pub(crate) fn bench_population(policy: &decree::Policy, n: usize) -> (Vec<Firm>, Vec<Facts>) {
    use rand::SeedableRng;
    let mut rng = StdRng::seed_from_u64(BENCH_SEED);
    let firms: Vec<Firm> = (0..n)
        .map(|i| {
            let mut f = firm(&mut rng, i);
            f.params = filled_params();
            f.window = Window::Issued(FILLED_AT);
            f
        })
        .collect();
    let facts = firms
        .iter()
        .enumerate()
        .map(|(i, f)| to_facts(policy, f, i))
        .collect();
    (firms, facts)
}

// ---------------------------------------------------------------- as CSV

/// A fact's value as a CSV cell, as a register would write it: sets as
/// `a;b`, durations with their unit.
pub(crate) fn csv_cell(value: &F) -> String {
    match value {
        F::Bool(b) => b.to_string(),
        F::Money(d) | F::Rate(d) | F::Area(d) => d.normalize().to_string(),
        F::Count(c) => c.to_string(),
        F::Duration(n, DurationUnit::Years) => format!("{n} years"),
        F::Duration(n, _) => format!("{n} months"),
        F::Set(s) if s.is_empty() => "[]".to_string(),
        F::Set(s) => s.iter().copied().collect::<Vec<_>>().join(";"),
    }
}

/// An enterprise's CSV record under the header `names` (a fact it does not
/// have is an empty cell), without its line break.
pub(crate) fn csv_line(names: &[&str], firm: &Firm) -> String {
    let cells: Vec<String> = names
        .iter()
        .map(|name| firm.facts.get(name).map_or(String::new(), csv_cell))
        .collect();
    cells.join(",")
}

/// The enterprises as a CSV file with a header of every fact of the draft.
pub(crate) fn csv_text(policy: &decree::Policy, firms: &[Firm]) -> String {
    let names: Vec<&str> = policy.facts.iter().map(|f| f.name.as_str()).collect();
    let mut text = names.join(",");
    text.push('\n');
    for f in firms {
        text.push_str(&csv_line(&names, f));
        text.push('\n');
    }
    text
}
