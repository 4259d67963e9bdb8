//! The `decree` command line: a thin layer over the library.
//!
//! Exit codes: 0 success, 1 the input has errors, 2 usage error (clap's).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use decree::{Diagnostic, Diagnostics, Options, Policy, RenderStyle, SourceFile};

#[derive(Parser)]
#[command(
    name = "decree",
    version,
    about = "Policy measures as code: checked, evaluated exactly, explained"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check policy files: syntax, names, cycles and units.
    Check {
        /// Policy files.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Evaluate a policy for an enterprise's facts.
    Eval {
        /// Policy file.
        file: String,
        #[command(flatten)]
        run: RunArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Format decree files in one canonical layout (in place).
    Fmt {
        /// Files to format.
        #[arg(required = true)]
        files: Vec<String>,
        /// Change nothing; exit 1 and name the files that would change.
        #[arg(long)]
        check: bool,
        /// Print the result instead of writing it.
        #[arg(long)]
        stdout: bool,
        /// Keyword surface: English, Chinese, or as the file mostly is.
        #[arg(long, value_enum, default_value_t = SurfaceArg::Auto)]
        surface: SurfaceArg,
    },
    /// Compare two versions of a policy by meaning (exit 0: same, 1: different).
    Diff {
        /// The old version.
        old: String,
        /// The new version.
        new: String,
        /// Facts file or folder: show the fiscal impact over those enterprises.
        #[arg(long)]
        facts: Option<String>,
        /// Evaluation date for the impact.
        #[arg(long)]
        at: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
    },
    /// Git's external diff driver for *.decree (see the README).
    #[command(name = "git-diff", hide = true)]
    GitDiff {
        /// Git's seven arguments: path old-file old-hex old-mode new-file new-hex new-mode.
        #[arg(num_args = 1..=7)]
        args: Vec<String>,
    },
    /// Evaluate a policy over a population (CSV or JSON Lines), streamed.
    Batch {
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
    },
    /// Run the tests written in decree files (`test "…" { … }`).
    Test {
        /// Files with tests: a policy with tests, or tests that `include` a policy.
        #[arg(required = true)]
        files: Vec<String>,
        /// Report the items, branches, tier rows and min/max arguments no test reached.
        #[arg(long)]
        coverage: bool,
    },
    /// What-if scenarios at a prompt (reads commands line by line when
    /// standard input is not a terminal).
    Repl {
        /// Policy file to load.
        policy: Option<String>,
        /// Facts file to load.
        #[arg(long)]
        facts: Option<String>,
        /// Evaluation date (YYYY-MM-DD); defaults to today.
        #[arg(long)]
        at: Option<String>,
    },
    /// Explain how one item's value was reached.
    Explain {
        /// Policy file.
        file: String,
        /// Item name.
        item: String,
        #[command(flatten)]
        run: RunArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Facts file (.json, .toml, .yaml), or a folder of them for a fiscal summary.
    #[arg(long)]
    facts: String,
    /// Evaluation date (YYYY-MM-DD); defaults to today.
    #[arg(long)]
    at: Option<String>,
    /// Give a param a value, or a draft its issue date: NAME=VALUE.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// Text, coloured on a terminal.
    Text,
    /// The JSON of docs/JSON.md.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum SurfaceArg {
    /// As the file mostly is.
    Auto,
    /// English keywords.
    En,
    /// Chinese keywords (中文关键字).
    Zh,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    /// A table for people.
    Table,
    /// The stable JSON of docs/JSON.md.
    Json,
}

/// Diagnostics already printed: the command fails with exit code 1.
struct Failed;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { files } => check(&files),
        Command::Batch {
            policy,
            facts,
            out: out_file,
            summary,
            at,
            set,
            strict,
        } => batch(
            &policy,
            &facts,
            out_file.as_deref(),
            summary,
            at.as_deref(),
            &set,
            strict,
        ),
        Command::Diff {
            old,
            new,
            facts,
            at,
            format,
        } => diff(&old, &new, facts.as_deref(), at.as_deref(), format),
        Command::GitDiff { args } => git_diff(&args),
        Command::Fmt {
            files,
            check,
            stdout,
            surface,
        } => fmt(&files, check, stdout, surface),
        Command::Test { files, coverage } => test(&files, coverage),
        Command::Repl { policy, facts, at } => {
            repl(policy.as_deref(), facts.as_deref(), at.as_deref())
        }
        Command::Eval { file, run, format } => eval(&file, &run, None, format),
        Command::Explain {
            file,
            item,
            run,
            format,
        } => eval(&file, &run, Some(&item), format),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failed) => ExitCode::from(1),
    }
}

/// Writes to standard output. A closed pipe (`decree eval … | head`) is not
/// an error worth a panic: the rest of the output is dropped.
fn out(text: &str, newline: bool) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    if newline {
        let _ = stdout.write_all(b"\n");
    }
}

fn style() -> RenderStyle {
    if std::io::stderr().is_terminal() {
        RenderStyle::Color
    } else {
        RenderStyle::Plain
    }
}

fn report(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        use std::io::Write;
        let _ = std::io::stderr().write_all(decree::diagnostic::render(d, style()).as_bytes());
    }
}

fn fail(diagnostics: Diagnostics) -> Failed {
    report(&diagnostics.0);
    Failed
}

fn read(path: &str) -> Result<SourceFile, Failed> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(path, text)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let src = SourceFile::new(path, text);
                Err(fail(
                    Diagnostic::error(
                        decree::Code::Io,
                        format!("`{path}` is not valid UTF-8 text"),
                    )
                    .label(decree::span::Span::new(at, at + 1), "invalid byte here")
                    .help("save the file as UTF-8")
                    .in_source(&src)
                    .into(),
                ))
            }
        },
        Err(e) => Err(fail(
            Diagnostic::error(decree::Code::Io, format!("cannot read `{path}`: {e}")).into(),
        )),
    }
}

fn load_policy(path: &str) -> Result<Policy, Failed> {
    let src = read(path)?;
    let policy = decree::load(&src).map_err(fail)?;
    report(&policy.warnings);
    Ok(policy)
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

/// Facts of a population, from one file or a folder, typed by both versions
/// of a policy (keys one version does not know are not worth a warning).
fn population(
    old: &Policy,
    new: &Policy,
    path: &str,
) -> Result<Vec<(decree::Facts, decree::Facts)>, Failed> {
    let files = if std::path::Path::new(path).is_dir() {
        facts_files(path)?
    } else {
        vec![path.to_string()]
    };
    let mut out = Vec::new();
    for f in files {
        let src = read(&f)?;
        let (a, _) = decree::facts::load(old, &src).map_err(fail)?;
        let (b, _) = decree::facts::load(new, &src).map_err(fail)?;
        out.push((a, b));
    }
    Ok(out)
}

/// Exit codes of `decree diff`, as diff(1): 0 same, 1 different, 2 trouble.
fn diff(
    old: &str,
    new: &str,
    facts: Option<&str>,
    at: Option<&str>,
    format: DiffFormat,
) -> Result<(), Failed> {
    let (Ok(a), Ok(b)) = (load_policy(old), load_policy(new)) else {
        std::process::exit(2);
    };
    let d = decree::diff::diff(&a, &b);
    let mut options = Options::default();
    if let Some(text) = at {
        match text.parse::<jiff::civil::Date>() {
            Ok(date) => options.at = Some(date),
            Err(_) => {
                report(&[Diagnostic::error(
                    decree::Code::Set,
                    format!("`{text}` is not a date"),
                )]);
                std::process::exit(2);
            }
        }
    }
    let impact = match facts {
        Some(path) => match population(&a, &b, path) {
            Ok(pop) => match decree::diff::impact(&a, &b, &pop, &options) {
                Ok(impact) => Some(impact),
                Err(d) => {
                    report(&[d]);
                    std::process::exit(2);
                }
            },
            Err(Failed) => std::process::exit(2),
        },
        None => None,
    };
    match format {
        DiffFormat::Text => {
            let colour = if std::io::stdout().is_terminal() {
                decree::diff::Colour::Ansi
            } else {
                decree::diff::Colour::Plain
            };
            out(&decree::diff::render(&d, impact.as_ref(), colour), false);
        }
        DiffFormat::Json => {
            let report = decree::diff::DiffReport {
                old,
                new,
                same: d.is_empty(),
                changes: &d.changes,
                impact: impact.as_ref(),
            };
            out(
                &serde_json::to_string_pretty(&report).unwrap_or_default(),
                true,
            );
        }
    }
    if d.is_empty() { Ok(()) } else { Err(Failed) }
}

/// Git calls an external diff driver with the path and the two versions
/// (`/dev/null` for a file added or deleted). It must exit 0, or git stops:
/// trouble is printed, and a policy that does not check falls back to a
/// line diff.
fn git_diff(args: &[String]) -> Result<(), Failed> {
    let [path, old, _, _, new, _, _] = args else {
        report(&[Diagnostic::error(
            decree::Code::Invalid,
            "git-diff takes git's seven arguments: path old-file old-hex old-mode new-file new-hex new-mode",
        )
        .help("set it up with: git config diff.decree.command 'decree git-diff'")]);
        return Err(Failed);
    };
    let text = |f: &str| -> String {
        if f == "/dev/null" {
            String::new()
        } else {
            std::fs::read_to_string(f).unwrap_or_default()
        }
    };
    let (a_text, b_text) = (text(old), text(new));
    out(&format!("decree diff a/{path} b/{path}"), true);
    let a = decree::load(&SourceFile::new(format!("a/{path}"), a_text.as_str()));
    let b = decree::load(&SourceFile::new(format!("b/{path}"), b_text.as_str()));
    match (a, b) {
        (Ok(a), Ok(b)) => {
            let d = decree::diff::diff(&a, &b);
            out(
                &decree::diff::render(&d, None, decree::diff::Colour::Plain),
                false,
            );
        }
        (a, b) => {
            out("(a version does not check: a line diff follows)", true);
            for r in [a.err(), b.err()].into_iter().flatten() {
                out(&r.render(RenderStyle::Plain), false);
            }
            let lines = similar::TextDiff::from_lines(&a_text, &b_text);
            out(
                &lines
                    .unified_diff()
                    .header(&format!("a/{path}"), &format!("b/{path}"))
                    .to_string(),
                false,
            );
        }
    }
    Ok(())
}

fn fmt(files: &[String], check: bool, to_stdout: bool, surface: SurfaceArg) -> Result<(), Failed> {
    use decree::syntax::keywords::Surface;
    let mut failed = false;
    let mut would_change = false;
    for f in files {
        let src = read(f)?;
        let program = match decree::syntax::parse(&src, &decree::Limits::default()) {
            Ok(p) => p,
            Err(d) => {
                report(&d.0);
                failed = true;
                continue;
            }
        };
        let surface = match surface {
            SurfaceArg::En => Surface::English,
            SurfaceArg::Zh => Surface::Chinese,
            SurfaceArg::Auto => decree::fmt::detect_surface(&src.text),
        };
        let formatted = decree::fmt::format(&src, &program, surface);
        if to_stdout {
            out(&formatted, false);
        }
        if formatted == *src.text {
            continue;
        }
        if check {
            // With `--stdout` the formatted text is already on stdout; a
            // diff there would corrupt it, so only the name goes (to stderr).
            if to_stdout {
                eprintln!("would reformat {f}");
            } else {
                out(&unified_diff(f, &src.text, &formatted), false);
                out(&format!("would reformat {f}"), true);
            }
            would_change = true;
        } else if !to_stdout {
            if let Err(e) = std::fs::write(f, &formatted) {
                report(&[Diagnostic::error(
                    decree::Code::Io,
                    format!("cannot write `{f}`: {e}"),
                )]);
                failed = true;
            }
        }
    }
    if failed || would_change {
        Err(Failed)
    } else {
        Ok(())
    }
}

/// What `fmt --check` would change in one file, as a unified diff.
fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(path, &format!("{path} (formatted)"))
        .to_string()
}

/// The REPL's access to files: the user's own paths.
struct FsFiles;

impl decree::repl::Files for FsFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| e.to_string())
    }
    fn write(&self, path: &str, text: &str) -> Result<(), String> {
        std::fs::write(path, text).map_err(|e| e.to_string())
    }
}

/// Shows a reply: its text, then its diagnostics (on standard output, in
/// order with the conversation). Returns whether it failed.
fn show(reply: &decree::repl::Reply, style: RenderStyle) -> bool {
    if !reply.output.is_empty() {
        out(reply.output.trim_end(), true);
    }
    for d in &reply.diagnostics {
        out(&decree::diagnostic::render(d, style), false);
    }
    reply.failed()
}

fn repl(policy: Option<&str>, facts: Option<&str>, at: Option<&str>) -> Result<(), Failed> {
    let mut session = decree::repl::Session::new(Box::new(FsFiles));
    let date = match at {
        Some(text) => match text.parse::<jiff::civil::Date>() {
            Ok(d) => d,
            Err(_) => {
                return Err(fail(
                    Diagnostic::error(decree::Code::Set, format!("`{text}` is not a date")).into(),
                ));
            }
        },
        None => jiff::Zoned::now().date(),
    };
    session.set_date(Some(date));
    let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let style = if terminal {
        RenderStyle::Color
    } else {
        RenderStyle::Plain
    };
    let mut failed = false;
    if let Some(p) = policy {
        failed |= show(&session.load(p), style);
    }
    if let Some(f) = facts {
        failed |= show(&session.load_facts(f), style);
    }
    if terminal {
        repl_terminal(&mut session);
        Ok(())
    } else {
        failed |= repl_script(&mut session);
        if failed { Err(Failed) } else { Ok(()) }
    }
}

/// Reads commands from a pipe, echoing each as if typed, so that a
/// scripted session reads as a transcript.
fn repl_script(session: &mut decree::repl::Session) -> bool {
    use std::io::Read;
    let mut input = String::new();
    if std::io::stdin().read_to_string(&mut input).is_err() {
        return true;
    }
    let mut failed = false;
    let mut buffer = String::new();
    for line in input.lines() {
        let prompt = if buffer.is_empty() {
            "decree> "
        } else {
            "   ...> "
        };
        out(&format!("{prompt}{line}"), true);
        buffer.push_str(line);
        buffer.push('\n');
        if decree::repl::Session::needs_more(&buffer) {
            continue;
        }
        let reply = session.execute(&buffer);
        buffer.clear();
        failed |= show(&reply, RenderStyle::Plain);
        if reply.quit {
            return failed;
        }
    }
    if !buffer.trim().is_empty() {
        failed |= show(&session.execute(&buffer), RenderStyle::Plain);
    }
    failed
}

fn history_path() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("DECREE_HISTORY") {
        return p.into();
    }
    let home = std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    home.join(".decree_history")
}

/// The interactive prompt: rustyline with completion, highlighting, hints,
/// multi-line input and a history kept across sessions.
fn repl_terminal(session: &mut decree::repl::Session) {
    use rustyline::error::ReadlineError;
    let config = rustyline::Config::builder()
        .completion_type(rustyline::CompletionType::List)
        .auto_add_history(true)
        .build();
    let Ok(mut editor) = rustyline::Editor::<
        decree::repl::editor::DecreeHelper,
        rustyline::history::DefaultHistory,
    >::with_config(config) else {
        report(&[Diagnostic::error(
            decree::Code::Io,
            "cannot start the line editor",
        )]);
        return;
    };
    editor.set_helper(Some(decree::repl::editor::DecreeHelper::new(
        session.names(),
    )));
    let history = history_path();
    let _ = editor.load_history(&history);
    out("decree repl — :help lists the commands, :quit leaves", true);
    loop {
        match editor.readline("decree> ") {
            Ok(line) => {
                let reply = session.execute(&line);
                show(&reply, RenderStyle::Color);
                if let Some(h) = editor.helper_mut() {
                    h.names = session.names();
                }
                let _ = editor.save_history(&history);
                if reply.quit {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(_) => break,
        }
    }
    let _ = editor.save_history(&history);
}

/// A file of tests with the policy it tests: the file itself, or the policy
/// it includes (resolved beside it).
fn policy_and_tests(path: &str) -> Result<(Policy, SourceFile, decree::ast::Program), Failed> {
    let src = read(path)?;
    let program = decree::syntax::parse(&src, &decree::Limits::default()).map_err(fail)?;
    let include = decree::testing::include_of(&src, &program).map_err(|d| fail(d.into()))?;
    let policy = match include {
        Some(inc) => {
            let dir = std::path::Path::new(path)
                .parent()
                .unwrap_or(std::path::Path::new(""));
            let target = dir.join(&inc.node);
            let target = target.to_string_lossy().into_owned();
            if !std::path::Path::new(&target).is_file() {
                return Err(fail(
                    Diagnostic::error(
                        decree::Code::Io,
                        format!("cannot read the included policy `{target}`"),
                    )
                    .label(inc.span, "included here")
                    .help("the path is relative to the file that includes it")
                    .in_source(&src)
                    .into(),
                ));
            }
            load_policy(&target)?
        }
        None => {
            let policy = decree::check_program(&src, &program).map_err(fail)?;
            report(&policy.warnings);
            policy
        }
    };
    Ok((policy, src, program))
}

fn test(files: &[String], coverage: bool) -> Result<(), Failed> {
    let (mut passed, mut failed) = (0usize, 0usize);
    for f in files {
        let (policy, src, program) = policy_and_tests(f)?;
        let tests = decree::testing::tests_in(&program);
        let mut reached = decree::testing::Reached::default();
        let results = decree::testing::run(&policy, &src, &tests, &mut reached);
        for r in &results {
            if r.passed() {
                passed += 1;
                out(
                    &format!("ok      {f}: {} ({} expects)", r.name, r.passed_expects),
                    true,
                );
            } else {
                failed += 1;
                out(&format!("FAILED  {f}: {}", r.name), true);
                report(&r.failures);
            }
        }
        if coverage {
            let cov = decree::testing::coverage(&policy, &reached);
            out(&decree::testing::render_coverage(&policy, &cov), false);
        }
    }
    out(&format!("{passed} passed, {failed} failed"), true);
    if failed == 0 { Ok(()) } else { Err(Failed) }
}

fn check(files: &[String]) -> Result<(), Failed> {
    let mut failed = false;
    for f in files {
        match policy_and_tests(f).map(|(p, _, _)| p) {
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

fn options(policy: &Policy, run: &RunArgs) -> Result<Options, Failed> {
    let mut options = Options::default();
    let mut errors = Vec::new();
    options.at = match &run.at {
        Some(text) => match text.parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(
                    Diagnostic::error(decree::Code::Set, format!("`{text}` is not a date"))
                        .help("write --at YYYY-MM-DD"),
                );
                None
            }
        },
        None => Some(jiff::Zoned::now().date()),
    };
    for s in &run.set {
        if let Err(d) = decree::facts::apply_setting(policy, s, &mut options) {
            errors.push(d);
        }
    }
    if errors.is_empty() {
        Ok(options)
    } else {
        Err(fail(Diagnostics(errors)))
    }
}

/// The facts files in a folder, sorted by name.
fn facts_files(dir: &str) -> Result<Vec<String>, Failed> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        fail(
            Diagnostic::error(
                decree::Code::Io,
                format!("cannot read the folder `{dir}`: {e}"),
            )
            .into(),
        )
    })?;
    let mut files: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && decree::facts::Format::from_path(&p.to_string_lossy()).is_some())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(fail(
            Diagnostic::error(
                decree::Code::Facts,
                format!("no facts files (.json, .toml, .yaml) in `{dir}`"),
            )
            .into(),
        ));
    }
    Ok(files)
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
