//! `decree check PATH…`: syntax, names, cycles and units of each file (a
//! folder: each `*.decree` file under it).

use crate::paths::decree_files;
use crate::terminal::{Failed, out};
use crate::test::policy_and_tests;

/// Check policy files: syntax, names, cycles and units.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Policy files, or folders of them (searched recursively for *.decree).
    #[arg(required = true)]
    files: Vec<String>,
}

/// Runs `decree check`.
pub(crate) fn run(args: Args) -> Result<(), Failed> {
    check(&decree_files(&args.files)?)
}

fn check(files: &[String]) -> Result<(), Failed> {
    let mut failed = false;
    for f in files {
        match policy_and_tests(f).map(|t| t.policy) {
            Ok(p) => out(
                &format!(
                    "{f}: ok — {} measures, {} items, {} facts, {} params",
                    p.measures.len(),
                    p.items.len(),
                    p.facts.len(),
                    p.params.len()
                ),
                true,
            ),
            Err(Failed) => failed = true,
        }
    }
    if failed { Err(Failed) } else { Ok(()) }
}
