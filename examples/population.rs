//! Writes N realistic enterprises for the anchor policy as CSV, seeded:
//! `cargo run --release --example population -- 1000000 42 > population.csv`.
//!
//! Amounts are in yuan with fen; most firms are small, a few are large, and
//! output levels straddle the 100亿 / 500亿 / 1000亿 thresholds.

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

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let mut rng = StdRng::seed_from_u64(seed);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let _ = writeln!(
        out,
        "investment,fixed_asset_investment,loan_interest,lease_interest,annual_output,prior_peak_output,actual_sales"
    );
    for _ in 0..n {
        let output = amount(&mut rng, 200_000_000_000);
        let prior = amount(&mut rng, 200_000_000_000);
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            amount(&mut rng, 1_000_000_000),
            amount(&mut rng, 1_000_000_000),
            amount(&mut rng, 50_000_000),
            amount(&mut rng, 20_000_000),
            output,
            prior,
            amount(&mut rng, 100_000_000),
        );
    }
}
