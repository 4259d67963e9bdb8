//! The documents tell the truth: every `decree …` command of a ```console
//! block in the README and the guides is run, and its output must be what
//! the block shows.
//!
//! A block headed `<!-- file: NAME -->` is written to `NAME` first, in a
//! scratch folder where `policies/`, `examples/` and `tests/` are links to
//! the repository's; commands run there through bash (so `2>&1`, `; echo
//! "exit code $?"` work as the reader would type them), with the `decree`
//! under test first on the `PATH`. Commands that need a program the test
//! machine may not have (`jq`, `git`) or that are not `decree` commands are
//! not run; the test says how many ran.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::root;

/// One command of a console block and the output the document shows.
struct Shown {
    command: String,
    output: String,
}

/// A document's blocks in order: files to write, and commands shown.
enum Block {
    File(String, String),
    Console(Vec<Shown>),
}

fn blocks(doc: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut pending_file: Option<String> = None;
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if let Some(name) = line
            .strip_prefix("<!-- file: ")
            .and_then(|r| r.strip_suffix(" -->"))
        {
            pending_file = Some(name.trim().to_string());
            continue;
        }
        let Some(lang) = line.strip_prefix("```") else {
            if !line.trim().is_empty() {
                pending_file = None;
            }
            continue;
        };
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        match pending_file.take() {
            Some(name) => out.push(Block::File(name, body.join("\n") + "\n")),
            None if lang == "console" => out.push(Block::Console(commands(&body))),
            None => {}
        }
    }
    out
}

/// The `$ …` lines of a console block, each with the lines after it.
fn commands(body: &[&str]) -> Vec<Shown> {
    let mut out: Vec<Shown> = Vec::new();
    for line in body {
        match line.strip_prefix("$ ") {
            Some(command) => out.push(Shown {
                command: command.to_string(),
                output: String::new(),
            }),
            None => {
                if let Some(last) = out.last_mut() {
                    last.output.push_str(line);
                    last.output.push('\n');
                }
            }
        }
    }
    out
}

/// Whether the test runs a command: a `decree` command needing nothing
/// but bash.
fn runnable(command: &str) -> bool {
    command.starts_with("decree ") && !command.contains("jq") && !command.contains("git ")
}

fn scratch(doc: &str) -> PathBuf {
    let name = doc.replace('/', "-");
    let dir = std::env::temp_dir().join(format!("decree-docs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for linked in ["policies", "examples", "tests"] {
        std::os::unix::fs::symlink(root().join(linked), dir.join(linked)).unwrap();
    }
    dir
}

/// Runs every command of `doc` and returns the mismatches and how many ran.
fn check(doc: &str) -> (Vec<String>, usize) {
    let text = std::fs::read_to_string(root().join(doc)).unwrap();
    let dir = scratch(doc);
    let bin = Path::new(env!("CARGO_BIN_EXE_decree")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (mut wrong, mut ran) = (Vec::new(), 0);
    for block in blocks(&text) {
        match block {
            Block::File(name, body) => {
                let at = dir.join(&name);
                std::fs::create_dir_all(at.parent().unwrap()).unwrap();
                std::fs::write(at, body).unwrap();
            }
            Block::Console(shown) => {
                for s in shown.iter().filter(|s| runnable(&s.command)) {
                    ran += 1;
                    let out = Command::new("bash")
                        // What a terminal shows: both streams, in order.
                        .args(["-c", &format!("exec 2>&1\n{}", s.command)])
                        .current_dir(&dir)
                        .env("PATH", &path)
                        .env("NO_COLOR", "1")
                        .output()
                        .unwrap();
                    let got = String::from_utf8_lossy(&out.stdout);
                    if got.trim_end() != s.output.trim_end() {
                        wrong.push(format!(
                            "{doc}: $ {}\n--- the document shows:\n{}\n--- decree prints:\n{}",
                            s.command,
                            s.output.trim_end(),
                            got.trim_end()
                        ));
                    }
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    (wrong, ran)
}

#[test]
fn every_console_example_prints_what_it_shows() {
    let mut all = Vec::new();
    let mut total = 0;
    for doc in [
        "README.md",
        "docs/LANGUAGE.md",
        "docs/JSON.md",
        "docs/REPL.md",
    ] {
        let (wrong, ran) = check(doc);
        total += ran;
        all.extend(wrong);
    }
    assert!(total >= 70, "only {total} commands ran");
    assert!(
        all.is_empty(),
        "{}\n\n{} of {total} differ",
        all.join("\n\n"),
        all.len()
    );
}

#[test]
fn the_reader_finds_files_and_commands() {
    let doc = "<!-- file: a.decree -->\n```decree\nfact x: money\n```\n\n```console\n$ decree check a.decree\na.decree: ok\n$ decree x\n```\n";
    let b = blocks(doc);
    assert!(matches!(&b[0], Block::File(n, t) if n == "a.decree" && t == "fact x: money\n"));
    let Block::Console(c) = &b[1] else { panic!() };
    assert_eq!(c.len(), 2);
    assert_eq!(
        (c[0].command.as_str(), c[0].output.as_str()),
        ("decree check a.decree", "a.decree: ok\n")
    );
    assert!(
        runnable("decree check a") && !runnable("git diff") && !runnable("decree eval x | jq .")
    );
}
