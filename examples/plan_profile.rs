//! Profiling aid: runs the anchor plan over 200k in-memory rows once.
use std::collections::BTreeMap;
fn main() {
    let text = std::fs::read_to_string("examples/bench/anchor.decree").unwrap_or_default();
    let Ok(policy) = decree::load(&decree::SourceFile::new("a", text)) else {
        return;
    };
    let Some(plan) = decree::plan::Plan::compile(&policy, &decree::Options::default()) else {
        return;
    };
    let names = [
        "investment",
        "fixed_asset_investment",
        "loan_interest",
        "lease_interest",
        "annual_output",
        "prior_peak_output",
        "actual_sales",
    ];
    let rows: Vec<decree::batch::Row> = (0..200_000u64)
        .map(|i| {
            let mut values = BTreeMap::new();
            for (k, n) in names.iter().enumerate() {
                values.insert(
                    n.to_string(),
                    decree::value::Value::Num(
                        decree::value::Unit::Money,
                        rust_decimal::Decimal::new(
                            ((i * 7919 + k as u64 * 104729) % 5_000_000_000) as i64,
                            2,
                        ),
                    ),
                );
            }
            decree::batch::Row {
                line: i,
                facts: decree::eval::Facts {
                    values,
                    name: String::new(),
                },
            }
        })
        .collect();
    let t = std::time::Instant::now();
    let r = plan.run(&rows);
    eprintln!(
        "{:?} for {} rows ({} decided)",
        t.elapsed(),
        rows.len(),
        r.iter().filter(|x| x.is_some()).count()
    );
}
