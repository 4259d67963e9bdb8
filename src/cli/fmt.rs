//! `decree fmt PATH… [--check] [--stdout] [--surface]`: the canonical
//! layout (a folder: each `*.decree` file under it).

use decree::Diagnostic;

use crate::paths::decree_files;
use crate::terminal::{Failed, out, read, report};

/// Format decree files in one canonical layout (in place).
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Files to format, or folders of them (searched recursively for *.decree).
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
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SurfaceArg {
    /// As the file mostly is.
    Auto,
    /// English keywords.
    En,
    /// Chinese keywords (中文关键字).
    Zh,
}

/// Runs `decree fmt`.
pub(crate) fn run(args: Args) -> Result<(), Failed> {
    let files = decree_files(&args.files)?;
    fmt(&files, args.check, args.stdout, args.surface)
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
