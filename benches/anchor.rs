//! Benchmarks of decree against hand-written Rust (rust_decimal and i64
//! fixed point) on the anchor policy; parse+check and single evaluations
//! (explained and lean) of the bundled draft; and the draft over 10,000
//! generated enterprises with all of its facts (`tests/draft/firms.rs`)
//! through `population::run` (the plan where it compiles, the interpreter
//! elsewhere), through the lean interpreter row by row, and through a
//! hand-written Rust implementation of the draft
//! (`tests/common/draft_by_hand.rs`, the differential test's second
//! implementation) in the same run. Run with `cargo bench --bench anchor`;
//! figures are recorded in docs/PERFORMANCE.md.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::panic
)]

#[path = "../tests/common/draft_by_hand.rs"]
mod draft_by_hand;
#[path = "../tests/draft/firms.rs"]
mod firms;

use decree::eval::Facts;
use decree::population::Row;
use decree::value::{Unit, Value};
use decree::{Options, SourceFile};
use divan::{Bencher, black_box};
use rust_decimal::Decimal;

fn main() {
    divan::main();
}

const N: usize = 1_000_000;

/// The anchor facts of one enterprise, in fen, from a simple generator.
fn fen(i: u64, k: u64) -> i64 {
    let x = (i
        .wrapping_mul(6364136223846793005)
        .wrapping_add(k.wrapping_mul(1442695040888963407)))
        >> 20;
    // Caps in fen: 5亿, 5亿, 5000万, 2000万, 2000亿, 2000亿, 1亿 yuan.
    let caps: [u64; 7] = [
        50_000_000_000,
        50_000_000_000,
        5_000_000_000,
        2_000_000_000,
        20_000_000_000_000,
        20_000_000_000_000,
        10_000_000_000,
    ];
    (x % caps[k as usize % 7]) as i64
}

fn population(n: usize) -> Vec<[i64; 7]> {
    (0..n as u64)
        .map(|i| std::array::from_fn(|k| fen(i, k as u64)))
        .collect()
}

const NAMES: [&str; 7] = [
    "investment",
    "fixed_asset_investment",
    "loan_interest",
    "lease_interest",
    "annual_output",
    "prior_peak_output",
    "actual_sales",
];

fn rows(policy: &decree::Policy, pop: &[[i64; 7]]) -> Vec<Row> {
    pop.iter()
        .enumerate()
        .map(|(i, r)| {
            let mut facts = Facts::new(String::new());
            for (name, f) in NAMES.iter().zip(r) {
                if let Some((id, _)) = policy.fact_named(name) {
                    facts.set(id, Value::Num(Unit::Money, Decimal::new(*f, 2)));
                }
            }
            Row {
                line: i as u64 + 2,
                facts,
            }
        })
        .collect()
}

/// The population as the plan's fixed-point columns: what a caller holding
/// a register in memory hands to the plan.
fn columns(plan: &decree::plan::Plan, pop: &[[i64; 7]]) -> decree::plan::Columns {
    let mut cols = decree::plan::Columns::new(plan);
    let slots: Vec<(usize, usize)> = NAMES
        .iter()
        .enumerate()
        .filter_map(|(k, n)| Some((k, plan.facts().iter().position(|f| f.name == *n)?)))
        .collect();
    for r in pop {
        let row = cols.push_row();
        for (k, slot) in &slots {
            let v = Value::Num(Unit::Money, Decimal::new(r[*k], 2));
            cols.set_value(plan, *slot, row, &v);
        }
    }
    cols
}

fn anchor() -> decree::Policy {
    let text =
        std::fs::read_to_string("examples/bench/anchor.decree").expect("run from the crate root");
    decree::load(&SourceFile::new("anchor", text)).expect("anchor checks")
}

fn single_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool")
        .install(f)
}

#[divan::bench(sample_count = 10)]
fn parse_and_check_the_draft(b: Bencher) {
    let text =
        std::fs::read_to_string("policies/shenzhen-manufacturing-2020.decree").expect("the draft");
    let src = SourceFile::new("draft", text);
    b.bench(|| decree::load(black_box(&src)).expect("checks"));
}

/// A pest grammar that only reads the draft's tokens (`benches/tokens.pest`).
mod tokens {
    #![allow(missing_docs)]
    #[derive(pest_derive::Parser)]
    #[grammar = "benches/tokens.pest"]
    pub struct Tokens;
}

/// The draft through `benches/tokens.pest`: pest reading its tokens and
/// nothing else, no tree kept: the floor under any pest grammar of the
/// draft, beside `parse_and_check_the_draft`.
#[divan::bench(sample_count = 10)]
fn pest_reading_only_the_drafts_tokens(b: Bencher) {
    use pest::Parser as _;
    let text =
        std::fs::read_to_string("policies/shenzhen-manufacturing-2020.decree").expect("the draft");
    b.bench(|| {
        tokens::Tokens::parse(tokens::Rule::file, black_box(&text))
            .expect("tokens")
            .count()
    });
}

/// The bundled draft and one example enterprise's facts.
fn draft_and_huaxin() -> (decree::Policy, decree::eval::Facts) {
    let text =
        std::fs::read_to_string("policies/shenzhen-manufacturing-2020.decree").expect("the draft");
    let policy = decree::load(&SourceFile::new("draft", text)).expect("checks");
    let facts_text =
        std::fs::read_to_string("examples/enterprises/huaxin-electronics.json").expect("facts");
    let (facts, _) =
        decree::facts::load(&policy, &SourceFile::new("huaxin.json", facts_text)).expect("facts");
    (policy, facts)
}

#[divan::bench(sample_count = 20)]
fn evaluate_one_enterprise_on_the_draft(b: Bencher) {
    let (policy, facts) = draft_and_huaxin();
    b.bench(|| decree::evaluate(black_box(&policy), black_box(&facts), &Options::default()));
}

#[divan::bench(sample_count = 3)]
fn anchor_plan_1m_single_thread(b: Bencher) {
    let policy = anchor();
    let plan = decree::plan::Plan::compile(&policy, &Options::default()).expect("compiles");
    let cols = columns(&plan, &population(N));
    b.bench(|| single_thread(|| plan.run(black_box(&cols))));
}

/// The same with the one-thread pool built once, outside the timing (the
/// benchmark above builds it on every iteration, and with it fresh result
/// memory): the kernels' own cost beside the hand-written loop.
#[divan::bench(sample_count = 5)]
fn anchor_plan_1m_single_thread_pool_kept(b: Bencher) {
    let policy = anchor();
    let plan = decree::plan::Plan::compile(&policy, &Options::default()).expect("compiles");
    plan_with_pool_kept(b, &plan);
}

/// Runs `plan` over the 1M anchor enterprises on a one-thread pool built
/// once, outside the timing.
fn plan_with_pool_kept(b: Bencher, plan: &decree::plan::Plan) {
    let cols = columns(plan, &population(N));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    b.bench(|| pool.install(|| plan.run(black_box(&cols))));
}

/// The plan without its fused kernels (`Plan::compile_unfused`), pool kept:
/// what fusion gains, in the same run.
#[divan::bench(sample_count = 5)]
fn anchor_plan_unfused_1m_single_thread_pool_kept(b: Bencher) {
    let policy = anchor();
    let plan = decree::plan::Plan::compile_unfused(&policy, &Options::default()).expect("compiles");
    plan_with_pool_kept(b, &plan);
}

#[divan::bench(sample_count = 3)]
fn anchor_plan_1m_all_cores(b: Bencher) {
    let policy = anchor();
    let plan = decree::plan::Plan::compile(&policy, &Options::default()).expect("compiles");
    let cols = columns(&plan, &population(N));
    b.bench(|| plan.run(black_box(&cols)));
}

#[divan::bench(sample_count = 3)]
fn anchor_interpreter_10k(b: Bencher) {
    let policy = anchor();
    let rows = rows(&policy, &population(10_000));
    b.bench(|| {
        for r in &rows {
            black_box(decree::evaluate(&policy, &r.facts, &Options::default()));
        }
    });
}

#[divan::bench(sample_count = 3)]
fn draft_interpreter_1k(b: Bencher) {
    let (policy, facts) = draft_and_huaxin();
    b.bench(|| {
        for _ in 0..1000 {
            black_box(decree::evaluate(
                &policy,
                black_box(&facts),
                &Options::default(),
            ));
        }
    });
}

/// The same, as `decree batch` evaluates: without explanation texts.
#[divan::bench(sample_count = 3)]
fn draft_interpreter_1k_batch_options(b: Bencher) {
    let (policy, facts) = draft_and_huaxin();
    let options = Options {
        skip_explanations: true,
        ..Options::default()
    };
    b.bench(|| {
        for _ in 0..1000 {
            black_box(decree::evaluate(&policy, black_box(&facts), &options));
        }
    });
}

/// The five formulas by hand with rust_decimal: the baseline an engine
/// cannot beat without changing representation.
#[divan::bench(sample_count = 3)]
fn hand_written_rust_decimal_1m(b: Bencher) {
    let pop: Vec<[Decimal; 7]> = population(N)
        .iter()
        .map(|r| r.map(|f| Decimal::new(f, 2)))
        .collect();
    let d = |s: &str| -> Decimal { s.parse().expect("decimal") };
    let (r20, r50, r30) = (d("0.2"), d("0.5"), d("0.3"));
    let (c5000w, c500w, c1000w) = (d("50000000"), d("5000000"), d("10000000"));
    let levels = [
        (d("100000000000"), d("20000000")),
        (d("50000000000"), d("10000000")),
        (d("10000000000"), d("3000000")),
    ];
    b.bench(|| {
        let mut total = Decimal::ZERO;
        for r in &pop {
            let a = (r20 * r[0]).min(c5000w);
            let i = (r50 * (r[2] + r[3])).min(c500w);
            let m = (r20 * r[1]).min(c5000w);
            let mut ms = Decimal::ZERO;
            for (t, v) in levels {
                if r[4] >= t && r[5] < t {
                    ms = v;
                    break;
                }
            }
            let f = (r30 * r[6]).min(c1000w);
            total += a + i + m + ms + f;
        }
        black_box(total)
    });
}

/// The five formulas by hand in i64 fen (rates as percent): the fastest
/// exact representation for these operations.
#[divan::bench(sample_count = 3)]
fn hand_written_i64_fixed_point_1m(b: Bencher) {
    let pop = population(N);
    b.bench(|| {
        let mut total: i64 = 0;
        for r in &pop {
            let a = (20 * r[0] / 100).min(5_000_000_000);
            let i = (50 * (r[2] + r[3]) / 100).min(500_000_000);
            let m = (20 * r[1] / 100).min(5_000_000_000);
            let ms = if r[4] >= 10_000_000_000_000 && r[5] < 10_000_000_000_000 {
                2_000_000_000
            } else if r[4] >= 5_000_000_000_000 && r[5] < 5_000_000_000_000 {
                1_000_000_000
            } else if r[4] >= 1_000_000_000_000 && r[5] < 1_000_000_000_000 {
                300_000_000
            } else {
                0
            };
            let f = (30 * r[6] / 100).min(1_000_000_000);
            total += a + i + m + ms + f;
        }
        black_box(total)
    });
}

// ---------------------------------------------------------------- the draft over a population

/// Enterprises of the draft population benchmarks.
const DRAFT_N: usize = 10_000;

/// The draft, 10,000 generated enterprises (every fact of the draft, edge
/// values, some facts missing) as the hand-written implementation reads
/// them and as typed facts, and the options of the run
/// (`firms::bench_population`, `firms::filled_options`). Each enterprise's
/// params and window are the run's, so both compute the same population.
fn draft_population() -> (decree::Policy, Vec<firms::Firm>, Vec<Facts>, Options) {
    let policy = firms::load();
    let (firms, facts) = firms::bench_population(&policy, DRAFT_N);
    let options = firms::filled_options(&policy);
    (policy, firms, facts, options)
}

/// A sink that keeps only the sum of the rows' totals: what the run costs
/// without the cost of keeping its results.
#[derive(Default)]
struct Totals(Decimal, Decimal);

impl decree::population::Sink for Totals {
    fn row(
        &mut self,
        row: &decree::population::RowView<'_>,
    ) -> Result<(), decree::diagnostic::Diagnostic> {
        let (lo, hi) = row.total();
        self.0 += lo;
        self.1 += hi;
        Ok(())
    }
}

fn draft_run(policy: &decree::Policy, facts: Vec<Facts>, options: &Options) -> Totals {
    let mut source = decree::population::read::Typed::new(policy, facts);
    let mut sink = Totals::default();
    decree::population::run(
        &mut source,
        &mut sink,
        &decree::population::Settings::lean(options.clone()),
        |_| {},
    )
    .expect("the population runs");
    sink
}

/// The draft over 10,000 enterprises in memory through `population::run`
/// (lean, as `decree batch` runs it), one thread.
#[divan::bench(sample_count = 5)]
fn draft_population_run_10k_single_thread(b: Bencher) {
    let (policy, _, facts, options) = draft_population();
    b.with_inputs(|| facts.clone())
        .bench_values(|facts| single_thread(|| draft_run(&policy, facts, &options)));
}

/// The same on every core.
#[divan::bench(sample_count = 5)]
fn draft_population_run_10k_all_cores(b: Bencher) {
    let (policy, _, facts, options) = draft_population();
    b.with_inputs(|| facts.clone())
        .bench_values(|facts| draft_run(&policy, facts, &options));
}

/// The same 10,000 enterprises read from their CSV text (every fact a
/// column, sets as `a;b`), as `decree batch` reads a register, on every
/// core: the cells' reading beside the run in memory above.
#[divan::bench(sample_count = 5)]
fn draft_csv_population_run_10k_all_cores(b: Bencher) {
    let (policy, firms, _, options) = draft_population();
    let text = firms::csv_text(&policy, &firms);
    let settings = decree::population::Settings::lean(options);
    let read = decree::population::read::ReadOptions {
        name: "draft.csv".into(),
        ..Default::default()
    };
    b.bench(|| {
        let (mut source, _) =
            decree::population::read::Csv::new(&policy, black_box(text.as_bytes()), &read)
                .expect("the header reads");
        let mut sink = Totals::default();
        decree::population::run(&mut source, &mut sink, &settings, |_| {}).expect("it runs");
        sink
    });
}

/// The same 10,000 enterprises through the lean interpreter, one
/// `decree::evaluate` each (`skip_explanations`), one thread.
#[divan::bench(sample_count = 5)]
fn draft_interpreter_lean_10k(b: Bencher) {
    let (policy, _, facts, mut options) = draft_population();
    options.skip_explanations = true;
    b.bench(|| {
        for f in &facts {
            black_box(decree::evaluate(&policy, black_box(f), &options));
        }
    });
}

/// The same 10,000 enterprises through the hand-written implementation of
/// the draft (every compared item: 29 monetary, 18 others; `rust_decimal`,
/// facts looked up by name as the generator holds them), one thread.
#[divan::bench(sample_count = 5)]
fn draft_by_hand_10k(b: Bencher) {
    let (_, firms, _, _) = draft_population();
    b.bench(|| {
        for f in &firms {
            black_box(draft_by_hand::expected(black_box(f)));
        }
    });
}

/// One lean evaluation of the draft (`skip_explanations`, as a population
/// run's interpreter rows): the example enterprise Huaxin.
#[divan::bench(sample_count = 20)]
fn evaluate_one_enterprise_on_the_draft_lean(b: Bencher) {
    let (policy, facts) = draft_and_huaxin();
    let options = Options {
        skip_explanations: true,
        ..Options::default()
    };
    b.bench(|| decree::evaluate(black_box(&policy), black_box(&facts), &options));
}
