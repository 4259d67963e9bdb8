//! Running a population without the CLI: a budget office's service holds a
//! register (here a CSV text; a database cursor would do as well), runs the
//! policy over it with `decree::population::run`, and keeps what it needs
//! in its own sink — here the cost per district — beside the library's
//! fiscal summary. Run with `cargo run --example register`.

use std::collections::BTreeMap;

use decree::population::read::{Csv, ReadOptions};
use decree::population::{RowError, RowView, Settings, Sink, Summary, Tally};
use decree::{Diagnostic, Options, SourceFile};
use rust_decimal::Decimal;

const POLICY: &str = r#"
fact investment: money "技术改造项目投资额"
fact loan_interest: money "银行贷款利息"
measure 8 "以技术改造引领智能化转型" {
  subsidy tech_upgrade "技术改造资助" = min(20% * investment, 5000万)
  interest_subsidy interest "技术改造贴息" = min(50% * loan_interest, 500万)
}
"#;

/// The register: an id and a district (passed through as keys, not facts),
/// and the facts.
const REGISTER: &str = "\
id,district,investment,loan_interest
A-001,南山,1.2亿,300万
A-002,福田,8亿,2000万
A-003,南山,3000万,
A-004,宝安,lots,0
";

/// The service's own sink: the least cost per district, and the rows it
/// could not read.
#[derive(Default)]
struct ByDistrict {
    cost: BTreeMap<String, Decimal>,
    unreadable: Vec<String>,
}

impl Sink for ByDistrict {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        let district = row.keys().get(1).cloned().unwrap_or_default();
        let sum = self.cost.entry(district).or_default();
        *sum = sum.checked_add(row.total().0).ok_or_else(|| {
            Diagnostic::error(decree::Code::Overflow, "a district's cost does not fit")
        })?;
        Ok(())
    }

    fn rejected(&mut self, error: &RowError) -> Result<(), Diagnostic> {
        self.unreadable.push(error.message());
        Ok(())
    }
}

/// Runs the policy over the register into the service's sink and the
/// fiscal summary.
fn run() -> Result<(Tally, ByDistrict, Summary), Box<dyn std::error::Error>> {
    let policy = decree::load(&SourceFile::new("tech.decree", POLICY))?;
    let read = ReadOptions {
        name: "register".into(),
        keys: vec!["id".into(), "district".into()],
        strict: false,
    };
    let (mut source, warnings) = Csv::new(&policy, REGISTER.as_bytes(), &read)?;
    if let Some(w) = warnings.first() {
        return Err(w.message.clone().into());
    }
    let mut sink = (ByDistrict::default(), Summary::new(&policy));
    let settings = Settings::lean(Options::default());
    let tally = decree::population::run(&mut source, &mut sink, &settings, |p| {
        eprintln!("{} rows so far", p.rows);
    })?;
    let (districts, summary) = sink;
    Ok((tally, districts, summary))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (tally, districts, summary) = run()?;
    println!("{} rows evaluated, {} rejected", tally.rows, tally.rejected);
    for (district, cost) in &districts.cost {
        println!("{district}: {}", decree::value::format_money(*cost));
    }
    for why in &districts.unreadable {
        println!("skipped: {why}");
    }
    print!("{}", decree::report::summary_table(&summary));
    Ok(())
}

/// `cargo test` runs the example (see `[[example]]` in Cargo.toml).
#[cfg(test)]
mod tests {
    #[test]
    #[allow(clippy::expect_used, clippy::indexing_slicing)]
    fn the_service_gets_its_cost_per_district() {
        let (tally, districts, _) = super::run().expect("the example runs");
        assert_eq!((tally.rows, tally.rejected), (3, 1));
        // 南山: 2,400万 + 150万 for A-001, 600万 for A-003 (its interest
        // subsidy undetermined); 福田: 5,000万 + 500万, both capped.
        let cost = |d: &str| districts.cost[d].normalize().to_string();
        assert_eq!(cost("南山"), "31500000");
        assert_eq!(cost("福田"), "55000000");
        assert_eq!(districts.unreadable.len(), 1);
        assert!(
            districts.unreadable[0].contains("lots"),
            "{:?}",
            districts.unreadable
        );
    }
}
