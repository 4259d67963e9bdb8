//! Writes N enterprises for the anchor policy as CSV, seeded:
//! `cargo run --release --example population -- 1000000 42 > population.csv`.
//!
//! Amounts are in yuan with fen; most firms are small, a few are large, and
//! output levels straddle the 100亿 / 500亿 / 1000亿 thresholds.
//!
//! With a third argument `edges` (`… -- 1000000 42 edges`) it writes the
//! population where floating point goes wrong instead: every amount at a
//! cap or a threshold of the anchor, or a fen either side (20% × 2.5亿
//! exactly at the 5000万 cap, 30% × 33,333,333.33 = 9,999,999.999 just
//! under the 1000万 one, outputs exactly at 100亿 with a prior peak a fen
//! under it), so that every row is worth about 1亿 and the total of a
//! million rows, about 10¹⁴ yuan, is past what a float64 holds to the fen.
//! `benches/compare/run.sh` times the peers on both.

use std::io::Write;

use rand::{Rng, SeedableRng, rngs::StdRng};

fn amount(rng: &mut StdRng, max_yuan: u64) -> String {
    // Log-uniform: as many firms around 10万 as around 1亿.
    let exp: f64 = rng.random_range(3.0..(max_yuan as f64).log10());
    let yuan = 10f64.powf(exp) as u64;
    let fen: u64 = rng.random_range(0..100);
    if rng.random_bool(0.1) {
        "0".to_string()
    } else {
        format!("{yuan}.{fen:02}")
    }
}

/// An amount in fen at `pivot_fen` or a fen or a yuan either side, as
/// yuan with two decimals.
fn near(rng: &mut StdRng, pivots_fen: &[u64]) -> String {
    let pivot = pivots_fen
        .get(rng.random_range(0..pivots_fen.len()))
        .copied()
        .unwrap_or(0);
    let fen = match rng.random_range(0..6) {
        0 | 1 => pivot,
        2 => pivot.saturating_sub(1),
        3 => pivot + 1,
        4 => pivot.saturating_sub(100),
        _ => pivot + 100,
    };
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// One row of the edge population: each fact at the amount where its
/// formula reaches its cap (or a threshold), or just either side.
fn edge_row(rng: &mut StdRng) -> String {
    const YI: u64 = 100_000_000 * 100; // 1亿 in fen
    // 20% reaches 5000万 at 2.5亿; 30% reaches 1000万 at 33,333,333.33…
    let investment = near(rng, &[YI * 5 / 2]);
    let fixed_asset = near(rng, &[YI * 5 / 2, 3_333_333_333]);
    // 50% of the two interests reaches 500万 at 1000万 together.
    let interest_total = YI / 10 + rng.random_range(0..3) - 1;
    let loan = rng.random_range(0..=interest_total);
    let lease = interest_total - loan;
    let levels = [YI * 100, YI * 500, YI * 1000];
    let output = near(rng, &levels);
    let prior = near(rng, &levels);
    let sales = near(rng, &[3_333_333_333, 3_333_333_334]);
    format!(
        "{investment},{fixed_asset},{}.{:02},{}.{:02},{output},{prior},{sales}",
        loan / 100,
        loan % 100,
        lease / 100,
        lease % 100,
    )
}

fn ordinary_row(rng: &mut StdRng) -> String {
    let output = amount(rng, 200_000_000_000);
    let prior = amount(rng, 200_000_000_000);
    format!(
        "{},{},{},{},{},{},{}",
        amount(rng, 1_000_000_000),
        amount(rng, 1_000_000_000),
        amount(rng, 50_000_000),
        amount(rng, 20_000_000),
        output,
        prior,
        amount(rng, 100_000_000),
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let edges = args.next().is_some_and(|a| a == "edges");
    let mut rng = StdRng::seed_from_u64(seed);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let _ = writeln!(
        out,
        "investment,fixed_asset_investment,loan_interest,lease_interest,annual_output,prior_peak_output,actual_sales"
    );
    for _ in 0..n {
        let row = if edges {
            edge_row(&mut rng)
        } else {
            ordinary_row(&mut rng)
        };
        let _ = writeln!(out, "{row}");
    }
}
