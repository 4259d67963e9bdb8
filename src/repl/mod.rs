//! The REPL: what-if scenarios over a policy, as data.
//!
//! A [`Session`] holds a policy (its text, which definitions typed at the
//! prompt edit), an enterprise's facts, param overrides and saved scenarios.
//! [`Session::execute`] runs one input — a `:command`, a definition or an
//! expression — and returns a [`Reply`] with the text to show and the
//! diagnostics; the session keeps its state whatever the input. It never
//! prints and never touches files itself: the host passes [`Files`].
//!
//! - `session`: the session's state, [`Session::execute`] and the commands;
//! - `continuation`: whether an input typed so far is finished;
//! - `settings`: the policy and facts files, `:set`, `:unset`, `:changes`,
//!   `:write`;
//! - `evaluate`: `:eval`, `:explain` and expressions;
//! - `editing`: how definitions typed at the prompt edit the policy text;
//! - `scenarios`: `:save`, `:scenarios`, `:compare`, and `comparison`, the
//!   table of two evaluations side by side;
//! - [`editor`]: the terminal front end (rustyline).

mod comparison;
mod continuation;
mod editing;
pub mod editor;
mod evaluate;
mod scenarios;
mod session;
mod settings;

pub use session::{COMMANDS, Session};

/// The prompt for a new input.
pub const PROMPT: &str = "decree> ";

/// The prompt for a line that continues an unfinished input (a bracket or
/// block still open, a trailing operator): as wide as [`PROMPT`].
pub const CONTINUATION_PROMPT: &str = "   ...> ";

/// The command an input line is, without its colon: `:set x = 1` or, typed
/// with a Chinese input method, `：set x = 1`.
pub(crate) fn command_of(input: &str) -> Option<&str> {
    input.strip_prefix(':').or_else(|| input.strip_prefix('：'))
}

use crate::diagnostic::{Diagnostic, Diagnostics};

/// File access granted by the host.
pub trait Files {
    /// Reads a whole file as text.
    fn read(&self, path: &str) -> Result<String, String>;
    /// Writes a whole file.
    fn write(&self, path: &str, text: &str) -> Result<(), String>;
}

/// What one input produced.
#[derive(Debug, Default)]
pub struct Reply {
    /// Text to show.
    pub output: String,
    /// Errors and warnings, to render.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the user asked to leave.
    pub quit: bool,
}

impl Reply {
    fn text(output: impl Into<String>) -> Reply {
        Reply {
            output: output.into(),
            ..Reply::default()
        }
    }

    fn error(d: Diagnostic) -> Reply {
        Reply {
            diagnostics: vec![d],
            ..Reply::default()
        }
    }

    fn errors(d: Diagnostics) -> Reply {
        Reply {
            diagnostics: d.0,
            ..Reply::default()
        }
    }

    /// Whether it carries an error.
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}
