//! `decree eval POLICY --facts F|DIR` and `decree explain POLICY ITEM
//! --facts F`: one enterprise, or a folder of them and a fiscal summary.

use decree::{Diagnostic, Diagnostics, Options, Policy};

use crate::terminal::{
    Failed, RunArgs, facts_files, fail, load_policy, options, out, read, report,
};

/// Evaluate a policy for an enterprise's facts.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Policy file.
    file: String,
    #[command(flatten)]
    run: RunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
}

/// Explain how one item's value was reached.
#[derive(clap::Args)]
pub(crate) struct ExplainArgs {
    /// Policy file.
    file: String,
    /// Item name.
    item: String,
    #[command(flatten)]
    run: RunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OutputFormat {
    /// A table for people.
    Table,
    /// The stable JSON of docs/JSON.md.
    Json,
}

/// Runs `decree eval`.
pub(crate) fn run(a: Args) -> Result<(), Failed> {
    eval(&a.file, &a.run, None, a.format)
}

/// Runs `decree explain`.
pub(crate) fn run_explain(a: ExplainArgs) -> Result<(), Failed> {
    eval(&a.file, &a.run, Some(&a.item), a.format)
}

/// `decree eval POLICY --facts DIR`: every enterprise, then the fiscal summary.
fn eval_population(
    policy: &Policy,
    options: &Options,
    dir: &str,
    format: OutputFormat,
) -> Result<(), Failed> {
    let mut evaluations = Vec::new();
    let mut failed = false;
    let mut docs = Vec::new();
    for f in facts_files(dir)? {
        let src = read(&f)?;
        match decree::facts::load(policy, &src) {
            Ok((facts, warnings)) => {
                report(&warnings);
                let e = decree::evaluate(policy, &facts, options);
                if !e.errors.is_empty() {
                    failed = true;
                    report(&e.errors);
                }
                match format {
                    OutputFormat::Table => out(&decree::report::to_table(&e), true),
                    OutputFormat::Json => docs.push(decree::report::to_json(&e, &warnings)),
                }
                evaluations.push(e);
            }
            Err(d) => {
                failed = true;
                report(&d.0);
            }
        }
    }
    let summary = match decree::report::summarize(&evaluations) {
        Ok(summary) => summary,
        Err(d) => {
            report(&[d]);
            return Err(Failed);
        }
    };
    match format {
        OutputFormat::Table => out(&decree::report::summary_table(&summary), false),
        OutputFormat::Json => out(
            &format!(
                "{{\n\"enterprises\": [\n{}\n],\n\"summary\": {}\n}}",
                docs.join(",\n"),
                serde_json::to_string_pretty(&summary).unwrap_or_default()
            ),
            true,
        ),
    }
    if failed { Err(Failed) } else { Ok(()) }
}

fn eval(path: &str, run: &RunArgs, item: Option<&str>, format: OutputFormat) -> Result<(), Failed> {
    let policy = load_policy(path)?;
    let options = options(&policy, run)?;
    if item.is_none() && std::path::Path::new(&run.facts).is_dir() {
        return eval_population(&policy, &options, &run.facts, format);
    }
    let facts_src = read(&run.facts)?;
    let (facts, warnings) = decree::facts::load(&policy, &facts_src).map_err(fail)?;
    report(&warnings);
    let evaluation = decree::evaluate(&policy, &facts, &options);
    match item {
        None => match format {
            OutputFormat::Table => out(&decree::report::to_table(&evaluation), false),
            OutputFormat::Json => out(&decree::report::to_json(&evaluation, &warnings), true),
        },
        Some(name) => {
            let Some(result) = evaluation.item(name) else {
                let names: Vec<&str> = policy.items.iter().map(|i| i.name()).collect();
                let best = names
                    .iter()
                    .map(|n| (strsim::jaro_winkler(name, n), *n))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|(s, _)| *s > 0.75);
                let d = Diagnostic::error(
                    decree::Code::UnknownName,
                    format!("no item `{name}` in {path}"),
                );
                let d = match best {
                    Some((_, b)) => d.help(format!("did you mean `{b}`?")),
                    None => d.help("`decree eval` lists every item"),
                };
                return Err(fail(d.into()));
            };
            match format {
                OutputFormat::Table => out(&decree::report::explain(&evaluation, result), false),
                OutputFormat::Json => out(
                    &serde_json::to_string_pretty(result).unwrap_or_default(),
                    true,
                ),
            }
        }
    }
    if evaluation.errors.is_empty() {
        Ok(())
    } else {
        Err(fail(Diagnostics(evaluation.errors.clone())))
    }
}
