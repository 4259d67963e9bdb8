//! What every command shares: the terminal (standard output, diagnostics
//! on standard error, colour when it is a terminal), reading the user's
//! files, and the failure that becomes exit code 1.

use std::io::IsTerminal;

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
    if std::io::stderr().is_terminal() {
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

pub(crate) fn read(path: &str) -> Result<SourceFile, Failed> {
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

pub(crate) fn load_policy(path: &str) -> Result<Policy, Failed> {
    let src = read(path)?;
    let policy = decree::load(&src).map_err(fail)?;
    report(&policy.warnings);
    Ok(policy)
}

/// The facts file and settings of a single evaluation (`eval`, `explain`).
#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// Facts file (.json, .toml, .yaml), or a folder of them for a fiscal summary.
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
pub(crate) fn facts_files(dir: &str) -> Result<Vec<String>, Failed> {
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
