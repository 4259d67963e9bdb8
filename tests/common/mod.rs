//! What several test files share: the repository's root, the binary
//! run from it as a user runs it, a language-server client ([`lsp`]),
//! an HTTP client of `decree serve` ([`serve`]) and the comparison of a
//! population run with each enterprise evaluated alone ([`population`]). Each test crate uses what it needs.
#![allow(
    dead_code,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod lsp;
pub mod population;
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

/// The item named `name` in a JSON document with `measures` and their
/// `items` (an evaluation, a profile match), cloned.
pub fn item_named(document: &serde_json::Value, name: &str) -> serde_json::Value {
    document["measures"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|m| m["items"].as_array().into_iter().flatten())
        .find(|i| i["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no item `{name}` in {document}"))
}
