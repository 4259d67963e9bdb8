//! `decree eval POLICY --facts F|DIR [--summary-only]` and `decree explain
//! POLICY ITEM --facts F`: one enterprise, or a folder of them (through the
//! library's `population::run`) and a fiscal summary.

use decree::population::read::ReadOptions;
use decree::population::{self, RowError, RowView, Settings, Sink, Summary};
use decree::{Diagnostic, Diagnostics, Evaluation, Options, Policy};

use crate::terminal::{
    Failed, RunArgs, fail, load_policy, open_population, options, out, read, report, table_style,
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
    /// With a folder of facts files: print only the fiscal summary, not
    /// every enterprise (faster, and memory does not grow with the files).
    #[arg(long)]
    summary_only: bool,
}

/// Explain how one item's value was reached.
#[derive(clap::Args)]
pub(crate) struct ExplainArgs {
    /// Policy file.
    file: String,
    /// The item: its name, or its label (e.g. 技术改造资助).
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
    eval(&a)
}

/// Runs `decree explain`.
pub(crate) fn run_explain(a: ExplainArgs) -> Result<(), Failed> {
    explain(&a)
}

/// What `decree eval --facts DIR` prints of each enterprise, and gathers.
struct FolderSink {
    format: OutputFormat,
    summary_only: bool,
    summary: Summary,
    json: decree::report::json::Folder,
    failed: bool,
}

/// The folder's budgets are allocated over its enterprises; their totals
/// go to the summary at the end.
impl population::budget::BudgetSink for FolderSink {}

impl Sink for FolderSink {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        report(row.warnings());
        if !row.errors().is_empty() {
            self.failed = true;
            report(row.errors());
        }
        if let (false, Some(e)) = (self.summary_only, row.evaluation()) {
            match self.format {
                OutputFormat::Table => {
                    out(&decree::report::to_table_styled(e, table_style()), true)
                }
                OutputFormat::Json => out(&self.json.enterprise(e, row.warnings()), false),
            }
        }
        self.summary.add(row)
    }

    fn rejected(&mut self, error: &RowError) -> Result<(), Diagnostic> {
        self.failed = true;
        report(&error.diagnostics);
        Ok(())
    }
}

/// `decree eval POLICY --facts DIR`: every enterprise (unless
/// `--summary-only`), then the fiscal summary. Streamed: memory does not
/// grow with the number of files.
fn eval_population(
    policy: &Policy,
    options: &Options,
    facts: &str,
    format: OutputFormat,
    summary_only: bool,
) -> Result<(), Failed> {
    let read = ReadOptions {
        name: facts.to_string(),
        ..ReadOptions::default()
    };
    // Opened once here, so that a folder that cannot be read fails before
    // any output; budgets' passes open it again.
    let mut first = Some(open_population(policy, facts, &read).map_err(fail)?.source);
    let open = || match first.take() {
        Some(source) => Ok(source),
        None => open_population(policy, facts, &read).map(|p| p.source),
    };
    let settings = if summary_only {
        Settings::lean(options.clone())
    } else {
        Settings::full(options.clone())
    };
    let mut sink = FolderSink {
        format,
        summary_only,
        summary: Summary::new(policy),
        json: decree::report::json::Folder::new(),
        failed: false,
    };
    // Budgets (issue 16) read the folder again for each pass.
    let ran = population::budget::run_with_budgets(open, &mut sink, &settings, |_| {});
    let ran = ran.map(|(_, budgets)| sink.summary.set_budgets(budgets));
    let s = &sink.summary;
    match (ran, format, summary_only) {
        (Err(d), OutputFormat::Json, false) => {
            // The document stays whole: the summary that cannot be had is null.
            out(&sink.json.abandon(), false);
            return Err(fail(d));
        }
        (Err(d), _, _) => return Err(fail(d)),
        (Ok(_), OutputFormat::Table, _) => out(
            &decree::report::summary_table_styled(s, table_style()),
            false,
        ),
        (Ok(_), OutputFormat::Json, false) => out(&sink.json.finish(s), false),
        (Ok(_), OutputFormat::Json, true) => out(&decree::report::json::summary_only(s), true),
    }
    if sink.failed { Err(Failed) } else { Ok(()) }
}

fn eval(a: &Args) -> Result<(), Failed> {
    let policy = load_policy(&a.file)?;
    let options = options(&policy, &a.run)?;
    if a.summary_only || std::path::Path::new(&a.run.facts).is_dir() {
        return eval_population(&policy, &options, &a.run.facts, a.format, a.summary_only);
    }
    let facts_src = read(&a.run.facts)?;
    let (facts, warnings) = decree::facts::load(&policy, &facts_src).map_err(fail)?;
    report(&warnings);
    let evaluation = decree::evaluate(&policy, &facts, &options);
    // Budgets (issue 16): the entitlement, and the allocation against the
    // expected demand or why it depends on the population.
    let shares = decree::population::budget::single::shares(&policy, &evaluation, &options);
    match a.format {
        OutputFormat::Table => {
            out(
                &decree::report::to_table_styled(&evaluation, table_style()),
                false,
            );
            if !shares.is_empty() {
                out(&decree::report::tables::budget_share_lines(&shares), false);
            }
        }
        OutputFormat::Json => out(
            &decree::report::json::to_json_with_budgets(&evaluation, &warnings, &shares),
            true,
        ),
    }
    evaluated(&evaluation)
}

/// Exit code 1 when the evaluation met errors (reported).
fn evaluated(evaluation: &Evaluation) -> Result<(), Failed> {
    if evaluation.errors.is_empty() {
        Ok(())
    } else {
        Err(fail(Diagnostics(evaluation.errors.clone())))
    }
}

/// The name of the item the user calls `text` (its name or its label), or
/// the diagnostic of why there is none, labelled on the argument, with a
/// "did you mean".
fn item_called<'p>(policy: &'p Policy, text: &str, file: &str) -> Result<&'p str, Failed> {
    let called = policy.items_called(text);
    let info = |i| policy.item(i);
    let argument = decree::SourceFile::new("the command line", text);
    let here = decree::span::Span::new(0, text.len());
    match called.as_slice() {
        [one] => info(*one).map(|i| i.name()).ok_or(Failed),
        [] => {
            let d = Diagnostic::error(
                decree::Code::UnknownName,
                format!("no item named or labelled `{text}` in {file}"),
            )
            .label(here, "not an item's name or label");
            let d = match policy.item_like(text).and_then(info) {
                Some(i) => d.help(match &i.ast.label {
                    Some(l) => format!("did you mean `{}` (“{}”)?", i.name(), l.node),
                    None => format!("did you mean `{}`?", i.name()),
                }),
                None => d.help("`decree eval` lists every item with its label"),
            };
            Err(fail(d.in_source(&argument).into()))
        }
        many => {
            let names: Vec<String> = many
                .iter()
                .filter_map(|&i| info(i))
                .map(|i| format!("`{}`", i.name()))
                .collect();
            let d = Diagnostic::error(
                decree::Code::Invalid,
                format!(
                    "`{text}` is the label of several items: {}",
                    names.join(", ")
                ),
            )
            .label(here, "a label items share")
            .help("name the item instead");
            Err(fail(d.in_source(&argument).into()))
        }
    }
}

fn explain(a: &ExplainArgs) -> Result<(), Failed> {
    let policy = load_policy(&a.file)?;
    let options = options(&policy, &a.run)?;
    if std::path::Path::new(&a.run.facts).is_dir() {
        return Err(fail(
            Diagnostic::error(
                decree::Code::Io,
                format!("`{}` is a folder: an explanation is of one enterprise", a.run.facts),
            )
            .help("give one facts file (.json, .toml, .yaml); `decree eval --facts FOLDER` sums a folder")
            .into(),
        ));
    }
    let facts_src = read(&a.run.facts)?;
    let (facts, warnings) = decree::facts::load(&policy, &facts_src).map_err(fail)?;
    report(&warnings);
    let evaluation = decree::evaluate(&policy, &facts, &options);
    let name = item_called(&policy, &a.item, &a.file)?;
    let Some(result) = evaluation.item(name) else {
        return Err(fail(
            Diagnostic::error(decree::Code::Invalid, format!("`{name}` was not evaluated")).into(),
        ));
    };
    match a.format {
        OutputFormat::Table => out(&decree::report::explain(&evaluation, result), false),
        OutputFormat::Json => out(&decree::report::json::item(result), true),
    }
    evaluated(&evaluation)
}
