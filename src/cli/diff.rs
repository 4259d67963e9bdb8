//! `decree diff OLD NEW [--facts DIR]` and `decree git-diff` (git's
//! external diff driver): exit codes as diff(1), 0 same, 1 different, 2
//! trouble. Both compare the rules, then the tests written in the files.

use std::io::IsTerminal;

use decree::ast::Program;
use decree::population::read::ReadOptions;
use decree::{Diagnostic, Diagnostics, Options, Policy, RenderStyle, SourceFile};

use crate::terminal::{Failed, fail, open_population, out, read, report};

/// Compare two versions of a policy by meaning (exit 0: same, 1: different).
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The old version.
    old: String,
    /// The new version.
    new: String,
    /// A population (facts file, folder, .csv, .jsonl): show the fiscal
    /// impact over those enterprises.
    #[arg(long)]
    facts: Option<String>,
    /// Evaluation date for the impact.
    #[arg(long)]
    at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DiffFormat {
    /// Text, coloured on a terminal.
    Text,
    /// The JSON of docs/JSON.md.
    Json,
}

/// Git's external diff driver for *.decree (see the README).
#[derive(clap::Args)]
pub(crate) struct GitArgs {
    /// Git's seven arguments: path old-file old-hex old-mode new-file new-hex new-mode.
    #[arg(num_args = 1..=7)]
    args: Vec<String>,
}

/// Runs `decree diff`.
pub(crate) fn run(a: Args) -> Result<(), Failed> {
    diff(
        &a.old,
        &a.new,
        a.facts.as_deref(),
        a.at.as_deref(),
        a.format,
    )
}

/// Runs `decree git-diff`.
pub(crate) fn run_git(a: GitArgs) -> Result<(), Failed> {
    git_diff(&a.args)
}

/// Exit codes of `decree diff`, as diff(1): 0 same, 1 different, 2 trouble.
fn diff(
    old: &str,
    new: &str,
    facts: Option<&str>,
    at: Option<&str>,
    format: DiffFormat,
) -> Result<(), Failed> {
    let (Ok((a, pa)), Ok((b, pb))) = (load_version(old), load_version(new)) else {
        std::process::exit(2);
    };
    let d = decree::diff::diff(&a, &b).and_tests(&pa, &pb);
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
        Some(path) => {
            // Keys one version does not know are not worth a warning.
            let read = ReadOptions {
                name: path.to_string(),
                ..ReadOptions::default()
            };
            let open = |p| open_population(p, path, &read).map(|o| o.source);
            match decree::diff::impact(&a, &b, open, &options) {
                Ok(impact) => Some(impact),
                Err(d) => {
                    report(&d.0);
                    std::process::exit(2);
                }
            }
        }
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
        DiffFormat::Json => out(
            &decree::report::json::diff(old, new, &d, impact.as_ref()),
            true,
        ),
    }
    if d.is_empty() { Ok(()) } else { Err(Failed) }
}

/// A version of a policy file: the policy, and the file as parsed (for the
/// tests written in it). Trouble is reported.
fn load_version(path: &str) -> Result<(Policy, Program), Failed> {
    let src = read(path)?;
    let (policy, program) = check_version(&src).map_err(fail)?;
    report(&policy.warnings);
    Ok((policy, program))
}

/// A version's text checked, with the file as parsed.
fn check_version(src: &SourceFile) -> Result<(Policy, Program), Diagnostics> {
    let program = decree::syntax::parse(src, &decree::Limits::default())?;
    let policy = decree::check_program(src, &program)?;
    Ok((policy, program))
}

/// One side of git's comparison: the file's version, or, for `/dev/null`
/// (the file is added or deleted), a policy that declares nothing.
fn git_version(name: &str, file: &str) -> (String, Result<(Policy, Program), Diagnostics>) {
    if file == "/dev/null" {
        let nothing = (
            decree::diff::empty_policy(name),
            Program { decls: Vec::new() },
        );
        return (String::new(), Ok(nothing));
    }
    match std::fs::read_to_string(file) {
        Ok(text) => {
            let checked = check_version(&SourceFile::new(name, text.as_str()));
            (text, checked)
        }
        Err(e) => {
            let d = Diagnostic::error(decree::Code::Io, format!("cannot read `{file}`: {e}"));
            (String::new(), Err(d.into()))
        }
    }
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
    let (a_text, a) = git_version(&format!("a/{path}"), old);
    let (b_text, b) = git_version(&format!("b/{path}"), new);
    out(&format!("decree diff a/{path} b/{path}"), true);
    match (a, b) {
        (Ok((a, pa)), Ok((b, pb))) => {
            let d = decree::diff::diff(&a, &b).and_tests(&pa, &pb);
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
