//! What several test files share: the repository's root, the binary
//! run from it as a user runs it, a language-server client ([`lsp`])
//! and an HTTP client of `decree serve` ([`serve`]). Each test crate uses what it needs.
#![allow(dead_code, clippy::expect_used)]

pub mod lsp;
pub mod serve;

use std::path::Path;
use std::process::{Command, Output};

/// The repository's root: inputs are read from here, nothing is written.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `decree ARGS…`, run in the repository's root.
pub fn decree(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_decree"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the binary runs")
}
