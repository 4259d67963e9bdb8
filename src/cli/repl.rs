//! `decree repl [POLICY] [--facts F]`: the REPL at a terminal (rustyline)
//! or reading a script from a pipe.

use std::io::IsTerminal;

use decree::{Diagnostic, RenderStyle};

use crate::terminal::{Failed, fail, out, report};

/// What-if scenarios at a prompt (reads commands line by line when
/// standard input is not a terminal).
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Policy file to load.
    policy: Option<String>,
    /// Facts file to load.
    #[arg(long)]
    facts: Option<String>,
    /// Evaluation date (YYYY-MM-DD); defaults to today.
    #[arg(long)]
    at: Option<String>,
}

/// Runs `decree repl`.
pub(crate) fn run(args: Args) -> Result<(), Failed> {
    repl(
        args.policy.as_deref(),
        args.facts.as_deref(),
        args.at.as_deref(),
    )
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
        let prompt = prompt(&buffer);
        out(&format!("{prompt}{line}"), true);
        // `:quit` leaves even inside an unfinished input.
        if decree::repl::Session::quits(line) {
            return failed;
        }
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

/// The prompt for the next line: a new input, or a continuation of the
/// unfinished `buffer`.
fn prompt(buffer: &str) -> &'static str {
    if buffer.is_empty() {
        decree::repl::PROMPT
    } else {
        decree::repl::CONTINUATION_PROMPT
    }
}

/// The interactive prompt: rustyline with completion, highlighting, hints,
/// a history kept across sessions, and multi-line input read line by line
/// (each continuation line under its own prompt, so `:quit` and Ctrl-D
/// leave from any line; Ctrl-C drops the unfinished input).
fn repl_terminal(session: &mut decree::repl::Session) {
    use rustyline::error::ReadlineError;
    // Whole inputs go into the history, not their lines one by one.
    let config = rustyline::Config::builder()
        .completion_type(rustyline::CompletionType::List)
        .auto_add_history(false)
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
    let mut buffer = String::new();
    loop {
        match editor.readline(prompt(&buffer)) {
            Ok(line) if decree::repl::Session::quits(&line) => {
                let _ = editor.add_history_entry(line.trim());
                break;
            }
            Ok(line) => {
                buffer.push_str(&line);
                buffer.push('\n');
                if decree::repl::Session::needs_more(&buffer) {
                    continue;
                }
                let input = std::mem::take(&mut buffer);
                let _ = editor.add_history_entry(input.trim_end());
                let reply = session.execute(&input);
                show(&reply, RenderStyle::Color);
                if let Some(h) = editor.helper_mut() {
                    h.names = session.names();
                }
                let _ = editor.save_history(&history);
                if reply.quit {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => buffer.clear(),
            Err(_) => break,
        }
    }
    let _ = editor.save_history(&history);
}
