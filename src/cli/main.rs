//! The `decree` command line: a thin layer over the library, one file per
//! command, each owning its arguments, what it writes to the terminal and
//! its exit code; [`terminal`] holds what they share.
//!
//! Exit codes: 0 success, 1 the input has errors, 2 usage error (clap's).

mod batch;
mod check;
mod diff;
mod eval;
mod fmt;
mod lsp;
mod paths;
mod repl;
mod serve;
mod terminal;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    Check(check::Args),
    /// Evaluate a policy for an enterprise's facts.
    Eval(eval::Args),
    /// Format decree files in one canonical layout (in place).
    Fmt(fmt::Args),
    /// Compare two versions of a policy by meaning (exit 0: same, 1: different).
    Diff(diff::Args),
    /// Git's external diff driver for *.decree (see the README).
    #[command(name = "git-diff", hide = true)]
    GitDiff(diff::GitArgs),
    /// Evaluate a policy over a population (CSV or JSON Lines), streamed.
    Batch(batch::Args),
    /// Run the tests written in decree files (`test "…" { … }`).
    Test(test::Args),
    /// What-if scenarios at a prompt (reads commands line by line when
    /// standard input is not a terminal).
    Repl(repl::Args),
    /// Explain how one item's value was reached.
    Explain(eval::ExplainArgs),
    /// Run the language server (Language Server Protocol on stdin/stdout).
    Lsp(lsp::Args),
    /// Serve policies over HTTP: the JSON API of docs/API.md and the studio.
    Serve(serve::Args),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Check(a) => check::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Diff(a) => diff::run(a),
        Command::GitDiff(a) => diff::run_git(a),
        Command::Batch(a) => batch::run(a),
        Command::Test(a) => test::run(a),
        Command::Repl(a) => repl::run(a),
        Command::Explain(a) => eval::run_explain(a),
        Command::Lsp(a) => lsp::run(a),
        Command::Serve(a) => serve::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(terminal::Failed) => ExitCode::from(1),
    }
}
