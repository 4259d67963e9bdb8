//! Embedding decree in another tool: a subsidy portal that receives a
//! policy file it did not write and an applicant's facts it does not
//! control. Parse and check once, with limits; evaluate many times; return
//! JSON; hand diagnostics back as data. Run with
//! `cargo run --example embed`; `cargo test` runs it too.

use decree::{Limits, Options, RenderStyle, SourceFile};
use serde::Serialize;

/// The portal's own record of an applicant.
#[derive(Serialize)]
struct Applicant {
    investment: &'static str,
    loan_interest: &'static str,
}

const POLICY: &str = r#"
fact investment: money "技术改造项目投资额"
fact loan_interest: money "银行贷款利息"
measure 8 "以技术改造引领智能化转型" {
  subsidy tech_upgrade = min(20% * investment, 5000万)
  interest_subsidy interest = min(50% * loan_interest, 500万)
}
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut out = String::new();
    run(&mut out)?;
    print!("{out}");
    Ok(())
}

/// The portal's work, written to `out` (the library itself never prints).
fn run(out: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    use std::fmt::Write;
    // Untrusted input: tight limits, and every failure is a diagnostic.
    let limits = Limits::default()
        .with_max_source_bytes(256 * 1024)
        .with_max_steps(100_000);
    let policy = decree::load_with(&SourceFile::new("tech.decree", POLICY), &limits)?;
    let options = Options {
        limits: limits.clone(),
        ..Options::default()
    };

    // Evaluate many applicants against the one checked policy.
    let applicants = [
        Applicant {
            investment: "1.2亿",
            loan_interest: "300万",
        },
        Applicant {
            investment: "8亿",
            loan_interest: "2000万",
        },
    ];
    for (i, a) in applicants.iter().enumerate() {
        let (facts, warnings) =
            decree::facts_from_serialize(&policy, &format!("applicant-{i}"), a)?;
        let result = decree::evaluate(&policy, &facts, &options);
        // The documented JSON (docs/JSON.md), for the portal's front end.
        let json: serde_json::Value =
            serde_json::from_str(&decree::report::to_json(&result, &warnings))?;
        writeln!(
            out,
            "applicant {i}: total {}",
            json.pointer("/total/min")
                .unwrap_or(&serde_json::Value::Null)
        )?;
        let tech = result.item("tech_upgrade").and_then(|r| r.amount);
        writeln!(out, "  tech_upgrade = {tech:?}")?;
    }

    // A broken policy: diagnostics as data for a host that renders its own,
    // or rendered by miette for one that does not.
    let broken = SourceFile::new(
        "broken.decree",
        "measure 1 \"x\" { subsidy s = min(20% * investmnt, 5000万) }",
    );
    if let Err(diagnostics) = decree::load_with(&broken, &limits) {
        for d in diagnostics.iter() {
            let data = d.to_data();
            writeln!(out, "{} at {:?}: {}", data.code, data.start, data.message)?;
        }
        writeln!(out, "{}", diagnostics.render(RenderStyle::Plain))?;
    }
    Ok(())
}

/// `cargo test` runs the example (see `[[example]]` in Cargo.toml).
#[cfg(test)]
mod tests {
    #[test]
    #[allow(clippy::expect_used)]
    fn the_portal_gets_amounts_and_diagnostics() {
        let mut out = String::new();
        super::run(&mut out).expect("the example runs");
        assert!(out.contains("applicant 0: total \"25500000\""), "{out}");
        assert!(out.contains("applicant 1: total \"55000000\""), "{out}");
        assert!(
            out.contains("decree::unknown_name at Some(Position { line: 1, column: 39 })"),
            "{out}"
        );
        assert!(out.contains("help: declare it first"), "{out}");
    }
}
