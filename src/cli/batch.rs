//! `decree batch POLICY --facts FILE [--out F] [--summary]`: a population,
//! streamed.

use std::io::IsTerminal;

use decree::Diagnostic;

use crate::terminal::{Failed, RunArgs, fail, load_policy, options, out, report};

/// Evaluate a policy over a population (CSV or JSON Lines), streamed.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Policy file.
    policy: String,
    /// Population file: .csv (header = fact names) or .jsonl.
    #[arg(long)]
    facts: String,
    /// Where to write one row per enterprise (.csv or .jsonl); none: no rows.
    #[arg(long)]
    out: Option<String>,
    /// Print per item: granted, total, min/median/max, undetermined and why.
    #[arg(long)]
    summary: bool,
    /// Evaluation date (YYYY-MM-DD).
    #[arg(long)]
    at: Option<String>,
    /// Give a param a value, or a draft its issue date: NAME=VALUE.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Stop at the first unreadable row.
    #[arg(long)]
    strict: bool,
}

/// Runs `decree batch`.
pub(crate) fn run(a: Args) -> Result<(), Failed> {
    batch(
        &a.policy,
        &a.facts,
        a.out.as_deref(),
        a.summary,
        a.at.as_deref(),
        &a.set,
        a.strict,
    )
}

/// Rows read and evaluated at a time: memory stays flat as files grow.
const CHUNK: usize = 16_384;

/// Rows per chunk when every row goes to the interpreter: its per-row work
/// already fills the cores, and its typed facts and results are large, so
/// smaller chunks keep memory low.
const INTERPRETED_CHUNK: usize = 1_024;

#[allow(clippy::too_many_arguments)]
fn batch(
    policy_path: &str,
    facts_path: &str,
    out_path: Option<&str>,
    want_summary: bool,
    at: Option<&str>,
    set: &[String],
    strict: bool,
) -> Result<(), Failed> {
    let policy = load_policy(policy_path)?;
    let run = RunArgs {
        facts: facts_path.to_string(),
        at: at.map(str::to_string),
        set: set.to_vec(),
    };
    let mut options = options(&policy, &run)?;
    // Population runs keep statuses and amounts, not explanation texts.
    options.skip_explanations = true;
    if at.is_none() {
        options.at = None;
    }
    let Some(format) = decree::batch::RowFormat::from_path(facts_path) else {
        return Err(fail(
            Diagnostic::error(decree::Code::Facts, format!("`{facts_path}` is not a population file"))
                .help("populations are .csv (a header of fact names) or .jsonl (one JSON object per line)")
                .into(),
        ));
    };
    let file = std::fs::File::open(facts_path).map_err(|e| {
        fail(Diagnostic::error(decree::Code::Io, format!("cannot read `{facts_path}`: {e}")).into())
    })?;
    let mut reader = decree::batch::RowReader::new(&policy, std::io::BufReader::new(file), format)
        .map_err(|e| {
            fail(
                Diagnostic::error(
                    decree::Code::Facts,
                    format!("{facts_path}:{}: {}", e.line, e.message),
                )
                .into(),
            )
        })?;
    let mut writer = match out_path {
        Some(p) => {
            let json =
                decree::batch::RowFormat::from_path(p) == Some(decree::batch::RowFormat::JsonLines);
            let f = std::fs::File::create(p).map_err(|e| {
                fail(Diagnostic::error(decree::Code::Io, format!("cannot write `{p}`: {e}")).into())
            })?;
            Some(decree::batch::RowWriter::new(
                &policy,
                std::io::BufWriter::new(f),
                json,
            ))
        }
        None => None,
    };
    let plan = decree::plan::Plan::compile(&policy, &options);
    let progress = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("enterprises evaluated");
        Some(bar)
    } else {
        None
    };
    let mut summary = decree::batch::Summary::new(&policy);
    let (mut rows, mut rejected, mut shown) = (0u64, 0u64, Vec::new());
    // Reading the next chunk overlaps with evaluating and writing this one.
    let rows_per_chunk = if plan.is_some() {
        CHUNK
    } else {
        INTERPRETED_CHUNK
    };
    let mut chunk = reader.next_chunk(plan.as_ref(), rows_per_chunk);
    while let Some(current) = chunk.take() {
        if let (true, Some(e)) = (strict, current.errors.first()) {
            return Err(fail(
                Diagnostic::error(
                    decree::Code::Facts,
                    format!("{facts_path}:{}: {}", e.line, e.message),
                )
                .help("without --strict, unreadable rows are reported and skipped")
                .into(),
            ));
        }
        rejected += current.errors.len() as u64;
        for e in &current.errors {
            if shown.len() < 20 {
                shown.push(e.clone());
            }
        }
        let (next, written) = rayon::join(
            || reader.next_chunk(plan.as_ref(), rows_per_chunk),
            || -> std::io::Result<usize> {
                let results = decree::batch::evaluate(&policy, plan.as_ref(), &current, &options);
                for view in results.rows() {
                    if want_summary {
                        summary.add_view(&view);
                    }
                    if let Some(w) = writer.as_mut() {
                        w.write_view(&view)?;
                    }
                }
                Ok(results.len())
            },
        );
        let written = written.map_err(|e| {
            fail(Diagnostic::error(decree::Code::Io, format!("cannot write: {e}")).into())
        })?;
        rows += written as u64;
        if let Some(bar) = &progress {
            bar.inc(written as u64);
        }
        chunk = next;
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Some(w) = writer.as_mut() {
        if let Err(e) = w.flush() {
            return Err(fail(
                Diagnostic::error(decree::Code::Io, format!("cannot write: {e}")).into(),
            ));
        }
    }
    summary.rows = rows;
    summary.rejected = rejected;
    summary.finish();
    for e in &shown {
        report(&[Diagnostic::warning(
            decree::Code::Facts,
            format!("{facts_path}:{}: {} (row skipped)", e.line, e.message),
        )]);
    }
    if rejected > shown.len() as u64 {
        report(&[Diagnostic::warning(
            decree::Code::Facts,
            format!("… and {} more rows skipped", rejected - shown.len() as u64),
        )]);
    }
    if want_summary {
        out(&summary.table(), false);
    } else {
        out(
            &format!(
                "{} rows evaluated, {} rejected",
                summary.rows, summary.rejected
            ),
            true,
        );
    }
    Ok(())
}
