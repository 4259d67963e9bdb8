//! Every help line of every diagnostic names only things that exist: a
//! help that sends a drafter to a command, a flag, a REPL command, a
//! function, a limit or a document that is not there misleads worse than
//! no help.
//!
//! The help texts are read from the source (each string given to
//! `.help(…)`), so a new diagnostic is checked without being listed here.
//! What they name is looked up where the user would meet it: `decree CMD
//! --help` for commands and flags, the REPL's `:help` for its commands,
//! the built-in functions for calls, `Limits` for limits, the repository
//! for documents.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{decree, root};

/// Every string literal given to `.help(` (directly or through
/// `format!(`) in the library and the CLI, with the file it is in.
fn help_texts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.strip_prefix(root()).unwrap().display().to_string();
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".help(") {
            rest = &rest[at + ".help(".len()..];
            let arg = rest.trim_start();
            let arg = arg.strip_prefix("format!(").unwrap_or(arg).trim_start();
            if let Some(s) = string_literal(arg) {
                out.push((name.clone(), s));
            }
        }
    }
    assert!(out.len() > 40, "too few help texts found: {}", out.len());
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The value of the Rust string literal `text` starts with (escapes and
/// line continuations undone), or `None` if it does not start with one.
fn string_literal(text: &str) -> Option<String> {
    let mut chars = text.strip_prefix('"')?.chars();
    let mut s = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(s),
            '\\' => match chars.next()? {
                'n' => s.push('\n'),
                '\n' => {
                    // A continuation: the next line's indent is not text.
                    let rest: String = chars.clone().collect();
                    let trimmed = rest.trim_start();
                    chars = text[text.len() - trimmed.len()..].chars();
                }
                other => s.push(other),
            },
            c => s.push(c),
        }
    }
    None
}

/// The subcommands of `decree` and the flags of each, from their `--help`.
fn commands() -> Vec<(String, BTreeSet<String>)> {
    let top = String::from_utf8(decree(&["--help"]).stdout).unwrap();
    let names: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(String::from)
        .collect();
    assert!(names.len() >= 8, "commands: {names:?}");
    // The hidden git driver is named in a help too.
    names
        .into_iter()
        .chain(["git-diff".to_string()])
        .map(|n| {
            let help = String::from_utf8(decree(&[&n, "--help"]).stdout).unwrap();
            (n, flags_in(&help))
        })
        .collect()
}

/// Every `--flag` a text names.
fn flags_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("--") {
        rest = &rest[at + 2..];
        let flag: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if !flag.is_empty() {
            out.insert(flag);
        }
    }
    out
}

/// The REPL's commands, from its own `:help`.
fn repl_commands() -> BTreeSet<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_decree"))
        .args(["repl", "policies/measures-2-8-13.decree"])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b":help\n:quit\n")
        .unwrap();
    let out = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    let commands: BTreeSet<String> = out
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix(':'))
        .filter_map(|l| l.split_whitespace().next())
        .map(String::from)
        .collect();
    assert!(
        commands.contains("set") && commands.contains("load"),
        "{out}"
    );
    commands
}

/// The words of a text that stand for something the user could look up,
/// each checked; returns the problems found.
fn problems(
    help: &str,
    commands: &[(String, BTreeSet<String>)],
    repl: &BTreeSet<String>,
) -> Vec<String> {
    let mut found = Vec::new();
    let all_flags: BTreeSet<&String> = commands.iter().flat_map(|(_, f)| f).collect();
    // `decree CMD`: a command, and its flags after it on the same line.
    for (at, _) in help.match_indices("decree ") {
        let rest = &help[at + "decree ".len()..];
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if word.is_empty() || !word.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
            continue;
        }
        // A command as typed: quoted, or followed by its arguments; not
        // prose ("decree computes exactly").
        let quoted = matches!(help[..at].chars().next_back(), Some('`' | '\''));
        let after = rest[word.len()..]
            .strip_prefix(' ')
            .and_then(|a| a.chars().next());
        let typed = rest.len() == word.len()
            || matches!(after, Some(c) if c == '{' || c == '-' || c == '…' || c.is_ascii_uppercase());
        if !(quoted || typed) {
            continue;
        }
        match commands.iter().find(|(n, _)| *n == word) {
            None => found.push(format!("no command `decree {word}`")),
            Some((_, flags)) => {
                let line = rest.split(['\n', ';', '(']).next().unwrap_or("");
                for f in flags_in(line) {
                    if !flags.contains(&f) {
                        found.push(format!("`decree {word}` has no --{f}"));
                    }
                }
            }
        }
    }
    for f in flags_in(help) {
        if !all_flags.contains(&f) {
            found.push(format!("no command has --{f}"));
        }
    }
    // `:cmd` of the REPL (a colon after a space or at the start, then a word).
    for (i, _) in help.match_indices(':') {
        let before = help[..i].chars().next_back();
        if !matches!(before, None | Some(' ' | '(' | '`')) {
            continue;
        }
        let word: String = help[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase())
            .collect();
        if !word.is_empty() && !repl.contains(&word) {
            found.push(format!("the REPL has no :{word}"));
        }
    }
    // `Limits::field`.
    let limits = format!("{:?}", decree::Limits::default());
    for (i, _) in help.match_indices("Limits::") {
        let field: String = help[i + "Limits::".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !limits.contains(&format!("{field}:")) {
            found.push(format!("no limit Limits::{field}"));
        }
    }
    // docs/FILE.md
    for (i, _) in help.match_indices("docs/") {
        let file: String = help[i..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != ')' && *c != ',')
            .collect();
        let file = file.trim_end_matches('.');
        if !root().join(file).is_file() {
            found.push(format!("no file {file}"));
        }
    }
    // A call `name(…)` names a built-in function.
    for (i, _) in help.match_indices('(') {
        let name: String = help[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if name.is_empty() || help[..i].ends_with(' ') {
            continue;
        }
        if !decree::ast::Builtin::ALL.iter().any(|b| b.name() == name) {
            found.push(format!("no function `{name}`"));
        }
    }
    found
}

#[test]
fn every_help_names_what_exists() {
    let commands = commands();
    let repl = repl_commands();
    let mut all = Vec::new();
    for (file, help) in help_texts() {
        for p in problems(&help, &commands, &repl) {
            all.push(format!("{file}: {p}\n    help: {help}"));
        }
    }
    assert!(
        all.is_empty(),
        "helps that name what is not there:\n{}",
        all.join("\n")
    );
}

/// The checker finds what it is meant to: a help naming a missing command,
/// flag, REPL command, function, limit or file is caught.
#[test]
fn the_checker_catches_each_kind_of_mistake() {
    let commands = commands();
    let repl = repl_commands();
    let ok = "decree explain ITEM --facts FILE shows why; :set x = 1; min(a, b); Limits::max_steps; docs/LANGUAGE.md";
    assert_eq!(problems(ok, &commands, &repl), Vec::<String>::new());
    for bad in [
        "run decree frobnicate",
        "decree eval --frob",
        "type :frob",
        "write ceil(x)",
        "raise Limits::max_frobs",
        "see docs/NOPE.md",
    ] {
        assert!(
            !problems(bad, &commands, &repl).is_empty(),
            "not caught: {bad}"
        );
    }
}

#[test]
fn string_literals_are_read_as_rust_reads_them() {
    assert_eq!(
        string_literal(r#""a \"b\" c", x"#),
        Some("a \"b\" c".into())
    );
    assert_eq!(
        string_literal("\"one \\\n        two\""),
        Some("one two".into())
    );
    assert_eq!(string_literal("x"), None);
}
