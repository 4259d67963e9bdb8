//! What every command shares: the terminal (standard output, diagnostics
//! on standard error, colour when it is a terminal), reading the user's
//! files, and the failure that becomes exit code 1.

use std::io::IsTerminal;

use decree::population::{self, Source, read::Input, read::ReadOptions};
use decree::value::{Unit, Value};
use decree::{Diagnostic, Diagnostics, Options, Policy, RenderStyle, SourceFile};

/// Diagnostics already printed: the command fails with exit code 1.
pub(crate) struct Failed;

/// Writes to standard output. A closed pipe (`decree eval … | head`) is not
/// an error worth a panic: the rest of the output is dropped.
pub(crate) fn out(text: &str, newline: bool) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    if newline {
        let _ = stdout.write_all(b"\n");
    }
}

pub(crate) fn style() -> RenderStyle {
    if std::io::stderr().is_terminal() && !no_color() {
        RenderStyle::Color
    } else {
        RenderStyle::Plain
    }
}

/// Whether the user asked for no colour (`NO_COLOR` set and not empty,
/// as no-color.org has it).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// How tables on standard output are drawn: in colour on a terminal that
/// has not asked for `NO_COLOR`, plain text anywhere else.
pub(crate) fn table_style() -> RenderStyle {
    if std::io::stdout().is_terminal() && !no_color() {
        RenderStyle::Color
    } else {
        RenderStyle::Plain
    }
}

pub(crate) fn report(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        use std::io::Write;
        let _ = std::io::stderr().write_all(decree::diagnostic::render(d, style()).as_bytes());
    }
}

pub(crate) fn fail(diagnostics: Diagnostics) -> Failed {
    report(&diagnostics.0);
    Failed
}

/// A file as text, or the diagnostic of why it cannot be read.
pub(crate) fn read_source(path: &str) -> Result<SourceFile, Diagnostic> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(path, text)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let src = SourceFile::new(path, text);
                Err(Diagnostic::error(
                    decree::Code::Io,
                    format!("`{path}` is not valid UTF-8 text"),
                )
                .label(decree::span::Span::new(at, at + 1), "invalid byte here")
                .help("save the file as UTF-8")
                .in_source(&src))
            }
        },
        Err(e) => Err(Diagnostic::error(
            decree::Code::Io,
            format!("cannot read `{path}`: {e}"),
        )),
    }
}

/// A file as text; a file that cannot be read is reported.
pub(crate) fn read(path: &str) -> Result<SourceFile, Failed> {
    read_source(path).map_err(|d| fail(d.into()))
}

pub(crate) fn load_policy(path: &str) -> Result<Policy, Failed> {
    let src = read(path)?;
    let policy = decree::load(&src).map_err(fail)?;
    report(&policy.warnings);
    Ok(policy)
}

/// The facts file and settings of a single evaluation (`eval`, `explain`).
#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// Facts file (.json, .toml, .yaml); `decree eval` also takes a folder of
    /// them, for a fiscal summary.
    #[arg(long)]
    pub facts: String,
    /// Evaluation date (YYYY-MM-DD); defaults to today.
    #[arg(long)]
    pub at: Option<String>,
    /// Give a param a value, or a draft its issue date: NAME=VALUE.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
}

/// Evaluation options from the command line: the date (today unless
/// given) and `--set`s.
pub(crate) fn options(policy: &Policy, run: &RunArgs) -> Result<Options, Failed> {
    match options_from(policy, run.at.as_deref(), &run.set) {
        Ok((options, warnings)) => {
            report(&warnings);
            Ok(options)
        }
        Err(errors) => Err(fail(errors)),
    }
}

/// Evaluation options from a date (today unless given, in the spellings
/// of a date fact: 2026-01-01, 2026年1月1日, 2026/1/1) and settings
/// `NAME=VALUE`, as `--at` and `--set` give them (also `decree serve`'s
/// `at` and `params`). Returns the options and the settings' warnings.
pub(crate) fn options_from(
    policy: &Policy,
    at: Option<&str>,
    set: &[String],
) -> Result<(Options, Vec<Diagnostic>), Diagnostics> {
    let mut options = Options::default();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    options.at = match at {
        Some(text) => match decree::facts::parse_text_value(policy, Unit::Date, text) {
            Ok(Some(Value::Date(d))) => Some(d),
            _ => {
                errors.push(
                    Diagnostic::error(decree::Code::Set, format!("`{text}` is not a date")).help(
                        format!(
                            "write --at 2026-01-01; {}",
                            decree::facts::example_of(Unit::Date)
                        ),
                    ),
                );
                None
            }
        },
        None => Some(jiff::Zoned::now().date()),
    };
    for s in set {
        match decree::facts::apply_setting(policy, s, &mut options) {
            Ok(w) => warnings.extend(w),
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok((options, warnings))
    } else {
        Err(Diagnostics(errors))
    }
}

/// The facts files in a folder, sorted by name.
pub(crate) fn facts_files(dir: &str) -> Result<Vec<String>, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::error(
            decree::Code::Io,
            format!("cannot read the folder `{dir}`: {e}"),
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
        return Err(Diagnostic::error(
            decree::Code::Facts,
            format!("no facts files (.json, .toml, .yaml) in `{dir}`"),
        ));
    }
    Ok(files)
}

/// How big a population is, as far as is known before reading it.
#[derive(Clone, Copy)]
pub(crate) enum Size {
    /// A file of this many bytes (CSV, JSON Lines).
    Bytes(u64),
    /// This many facts files.
    Files(u64),
}

/// A population opened for a policy: its source, the warnings about its
/// header, and its size.
pub(crate) struct Population<'p> {
    pub source: Box<dyn Source<'p> + 'p>,
    pub warnings: Vec<Diagnostic>,
    pub size: Size,
}

/// Opens a population for `policy`: a folder of facts files, a `.csv`, a
/// `.jsonl` or a single facts file. The library reads the rows; the files
/// are opened here.
pub(crate) fn open_population<'p>(
    policy: &'p Policy,
    path: &str,
    read: &ReadOptions,
) -> Result<Population<'p>, Diagnostics> {
    if std::path::Path::new(path).is_dir() {
        let files = facts_files(path)?;
        let size = Size::Files(files.len() as u64);
        let files = files.into_iter().map(|f| read_source(&f));
        let source = Box::new(population::read::Files::new(policy, files, read.clone()));
        return Ok(Population {
            source,
            warnings: Vec::new(),
            size,
        });
    }
    let cannot = |e: std::io::Error| {
        Diagnostic::error(decree::Code::Io, format!("cannot read `{path}`: {e}"))
    };
    let kind = population::read::Input::from_path(path).ok_or_else(|| {
        Diagnostic::error(decree::Code::Facts, format!("`{path}` is not a population"))
            .help("give a folder of facts files, a .csv (a header of fact names), a .jsonl (one JSON object per line) or one facts file (.json, .toml, .yaml)")
    })?;
    if kind == Input::FactsFile {
        let files = std::iter::once(read_source(path));
        let source = Box::new(population::read::Files::new(policy, files, read.clone()));
        return Ok(Population {
            source,
            warnings: Vec::new(),
            size: Size::Files(1),
        });
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    let size = Size::Bytes(file.metadata().map_err(cannot)?.len());
    let input = std::io::BufReader::new(file);
    let (source, warnings): (Box<dyn Source<'p> + 'p>, _) = match kind {
        Input::Csv => {
            let (csv, warnings) = population::read::Csv::new(policy, input, read)?;
            (Box::new(csv), warnings)
        }
        _ => (
            Box::new(population::read::JsonLines::new(
                policy,
                input,
                read.clone(),
            )),
            Vec::new(),
        ),
    };
    Ok(Population {
        source,
        warnings,
        size,
    })
}

/// The progress of a population run on standard error: rows done, rows
/// per second and, when the size is known, a bar with the time left. Only
/// on a terminal; elsewhere nothing is drawn.
pub(crate) struct Meter {
    bar: Option<indicatif::ProgressBar>,
    size: Size,
}

impl Meter {
    pub(crate) fn new(size: Size) -> Meter {
        let bar = std::io::stderr().is_terminal().then(|| {
            let (len, template) = match size {
                Size::Bytes(n) => (
                    n,
                    "{bar:30} {binary_bytes}/{binary_total_bytes} · {msg} · {eta} left",
                ),
                Size::Files(n) => (n, "{bar:30} {pos}/{len} files · {msg} · {eta} left"),
            };
            let bar = indicatif::ProgressBar::new(len);
            if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar
        });
        Meter { bar, size }
    }

    /// Shows how far a run has come.
    pub(crate) fn update(&self, p: &population::Progress) {
        let Some(bar) = &self.bar else {
            return;
        };
        bar.set_position(match self.size {
            Size::Bytes(_) => p.bytes,
            Size::Files(_) => p.rows + p.rejected,
        });
        let seconds = bar.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            format!("{:.0} rows/s", p.rows as f64 / seconds)
        } else {
            String::new()
        };
        bar.set_message(format!("{} rows, {rate}", p.rows));
    }

    /// Runs `f` (which writes to the terminal) with the bar out of the way.
    pub(crate) fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Takes the bar off the terminal.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
