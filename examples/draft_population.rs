//! Writes N generated enterprises of the bundled draft as CSV, seeded, a
//! column per fact of `policies/shenzhen-manufacturing-2020.decree`:
//!
//! ```sh
//! cargo run --release --example draft_population -- 1000000 42 > draft1m.csv
//! decree batch policies/shenzhen-manufacturing-2020.decree --facts draft1m.csv \
//!   --at 2025-06-30 --set issued=2021-01-01 --out out.csv
//! ```
//!
//! The enterprises are those of the draft's differential test
//! (`tests/draft/firms.rs`): realistic and edge values around every
//! threshold and cap, sets of honours and titles (`a;b`), durations, some
//! facts missing (an empty cell). Cells are spelt plainly, as a register's
//! export writes them: `true`/`false`, yuan with their decimals, rates as
//! fractions, `5 years`, `[]` for an empty set. (The generator's own `tbd`
//! params and evaluation dates are not written: a batch run takes them
//! from `--set` and `--at`.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../tests/draft/firms.rs"]
mod firms;

use std::io::Write;

use rand::SeedableRng;
use rand::rngs::StdRng;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let policy = firms::load();
    let names: Vec<&str> = policy.facts.iter().map(|f| f.name.as_str()).collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let _ = writeln!(out, "{}", names.join(","));
    for i in 0..n {
        let firm = firms::firm(&mut rng, i);
        if writeln!(out, "{}", firms::csv_line(&names, &firm)).is_err() {
            // The reader went away (`| head`): stop quietly.
            return;
        }
    }
}
