//! `decree batch POLICY --facts POPULATION [--out F] [--summary] [--key K]…`:
//! a population, streamed through the library's `population::run`; this
//! file owns only the arguments, the terminal and the exit code.

use std::collections::BTreeSet;

use decree::Diagnostic;
use decree::population::read::ReadOptions;
use decree::population::{self, Delivery, RowError, RowView, Settings, Sink, Summary, Tally};
use decree::report::rows::{RowFormat, RowWriter};

use crate::terminal::{
    Failed, Meter, RunArgs, fail, load_policy, open_population, options, out, report, table_style,
};

/// Evaluate a policy over a population, streamed.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Policy file.
    policy: String,
    /// The population: a .csv (a header of fact names), a .jsonl (one JSON
    /// object per line), a folder of facts files, or one facts file.
    #[arg(long)]
    facts: String,
    /// Where to write one row per enterprise (.csv or .jsonl); none: no rows.
    #[arg(long)]
    out: Option<String>,
    /// Print per item: granted, ineligible, undetermined and why, total,
    /// min/median/max.
    #[arg(long)]
    summary: bool,
    /// A column (CSV) or field (JSON) passed through to each output row,
    /// so results join back to the register; repeatable.
    #[arg(long = "key", value_name = "COLUMN")]
    keys: Vec<String>,
    /// Evaluation date (YYYY-MM-DD).
    #[arg(long)]
    at: Option<String>,
    /// Give a param a value, or a draft its issue date: NAME=VALUE.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Stop at the first row that cannot be read; unknown columns and keys
    /// are errors.
    #[arg(long)]
    strict: bool,
}

/// Where the rows go: the output file and the summary, each when asked
/// for; warnings and rejected rows to the terminal.
struct BatchSink<'m, W: std::io::Write> {
    rows: (Option<RowWriter<W>>, Option<Summary>),
    strict: bool,
    meter: &'m Meter,
    /// Row warnings already shown: each is shown once, not once per row.
    shown: BTreeSet<String>,
}

/// How many distinct warnings about rows are shown.
const WARNINGS_SHOWN: usize = 20;

/// Each row's allocations go to its line in the output file; the totals
/// are printed.
impl<W: std::io::Write + Send> population::budget::BudgetSink for BatchSink<'_, W> {
    fn allocations(
        &mut self,
        allocations: &[Option<rust_decimal::Decimal>],
    ) -> Result<(), Diagnostic> {
        match &mut self.rows.0 {
            Some(out) => out.allocations(allocations),
            None => Ok(()),
        }
    }
}

impl<W: std::io::Write> BatchSink<'_, W> {
    /// A row's warnings, each shown once; under `--strict` the first stops
    /// the run.
    fn warn(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        for w in row.warnings() {
            if self.strict {
                self.meter.suspend(|| report(std::slice::from_ref(w)));
                return Err(strict_stop());
            }
            if self.shown.len() < WARNINGS_SHOWN && self.shown.insert(w.message.clone()) {
                self.meter.suspend(|| report(std::slice::from_ref(w)));
            }
        }
        Ok(())
    }
}

impl<W: std::io::Write + Send> Sink for BatchSink<'_, W> {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        self.warn(row)?;
        self.rows.row(row)
    }

    fn rejected(&mut self, error: &RowError) -> Result<(), Diagnostic> {
        if self.strict {
            self.meter.suspend(|| report(&error.diagnostics));
            return Err(strict_stop());
        }
        Ok(())
    }

    /// Warnings and `--strict` row by row; the rows before a stop go out
    /// as one chunk, as they would have one by one.
    fn chunk(&mut self, chunk: &[Delivery<'_>]) -> Result<(), Diagnostic> {
        for (i, d) in chunk.iter().enumerate() {
            let checked = match d {
                Delivery::Row(r) => self.warn(r),
                Delivery::Rejected(e) => self.rejected(e),
            };
            if let Err(stop) = checked {
                self.rows.chunk(chunk.get(..i).unwrap_or_default())?;
                return Err(stop);
            }
        }
        self.rows.chunk(chunk)
    }

    fn finish(&mut self) -> Result<(), Diagnostic> {
        self.rows.finish()
    }
}

fn strict_stop() -> Diagnostic {
    Diagnostic::error(
        decree::Code::Facts,
        "stopped at the first row that cannot be read as it is (--strict)",
    )
    .help("without --strict, unreadable rows are reported and skipped, and unknown columns and keys are warnings")
}

/// Runs `decree batch`.
pub(crate) fn run(a: Args) -> Result<(), Failed> {
    let policy = load_policy(&a.policy)?;
    let run = RunArgs {
        facts: a.facts.clone(),
        at: a.at.clone(),
        set: a.set.clone(),
    };
    let mut options = options(&policy, &run)?;
    if a.at.is_none() {
        options.at = None;
    }
    let read = ReadOptions {
        name: a.facts.clone(),
        keys: a.keys.clone(),
        strict: a.strict,
    };
    let mut population = open_population(&policy, &a.facts, &read).map_err(fail)?;
    report(&population.warnings);
    let writer = match &a.out {
        Some(p) => {
            let format = RowFormat::from_path(p).unwrap_or(RowFormat::Csv);
            let f = std::fs::File::create(p).map_err(|e| {
                fail(Diagnostic::error(decree::Code::Io, format!("cannot write `{p}`: {e}")).into())
            })?;
            Some(RowWriter::new(
                &policy,
                std::io::BufWriter::new(f),
                format,
                p,
                &a.keys,
            ))
        }
        None => None,
    };
    let meter = Meter::new(population.size);
    let mut sink = BatchSink {
        rows: (writer, a.summary.then(|| Summary::new(&policy))),
        strict: a.strict,
        meter: &meter,
        shown: BTreeSet::new(),
    };
    let settings = Settings::lean(options);
    // Budgets (issue 16) read the population again for each pass.
    let ran = if policy.budgets.is_empty() {
        population::run(&mut population.source, &mut sink, &settings, |p| {
            meter.update(p)
        })
        .map(|t| (t, Vec::new()))
        .map_err(Into::into)
    } else {
        let open = || open_population(&policy, &a.facts, &read).map(|p| p.source);
        population::budget::run_with_budgets(open, &mut sink, &settings, |p| meter.update(p))
    };
    meter.finish();
    let (tally, budgets) = ran.map_err(fail)?;
    // The summary tells the budgets itself; without it, their lines alone.
    if let Some(summary) = &mut sink.rows.1 {
        summary.set_budgets(budgets);
        out(
            &decree::report::summary_table_styled(summary, table_style()),
            false,
        );
    } else if !budgets.is_empty() {
        out(&decree::report::tables::budget_lines(&budgets), false);
    }
    out(
        &format!("{} rows evaluated, {} rejected", tally.rows, tally.rejected),
        true,
    );
    outcome(&a.facts, &tally)
}

/// The rows that could not be read (the first of them shown), and the
/// exit code: 1 when any was rejected.
fn outcome(input: &str, tally: &Tally) -> Result<(), Failed> {
    if tally.failed > 0 {
        report(&[Diagnostic::warning(
            decree::Code::Invalid,
            format!(
                "{} rows met an error while evaluating: their failed items have status `error`",
                tally.failed
            ),
        )]);
    }
    if tally.rejected == 0 {
        return Ok(());
    }
    for e in &tally.first_rejected {
        report(&e.diagnostics);
    }
    let lines: Vec<String> = tally
        .first_rejected
        .iter()
        .map(|e| e.line.to_string())
        .collect();
    let more = if tally.rejected > tally.first_rejected.len() as u64 {
        ", …"
    } else {
        ""
    };
    let lines_word = if tally.rejected == 1 { "line" } else { "lines" };
    Err(fail(
        Diagnostic::error(
            decree::Code::Facts,
            format!(
                "{} of {} rows of {input} could not be read and were skipped ({lines_word} {}{more})",
                tally.rejected,
                tally.rows + tally.rejected,
                lines.join(", ")
            ),
        )
        .help("the rows are reported above; --strict stops at the first")
        .into(),
    ))
}
