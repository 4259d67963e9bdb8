//! The REPL: scripted sessions (standard input not a terminal) from
//! `tests/repl/*.txt` snapshotted as transcripts, and the real terminal
//! interface driven through a pseudo-terminal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository's folders that scripts read, by the paths they give.
const SCRIPT_INPUTS: &[&str] = &[
    "policies",
    "tests/repl",
    "examples/enterprises",
    "examples/district",
];

/// A fresh folder laid out like the repository for one script: the folders
/// scripts read copied in, and an empty `target/` for what they write. A
/// script's paths read as from the repository's root, yet it writes
/// nothing into the working tree, and it runs in a fresh clone whose
/// `target/` does not exist (CARGO_TARGET_DIR elsewhere).
fn scratch(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("decree-repl-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for input in SCRIPT_INPUTS {
        let to = dir.join(input);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(root.join(input)).unwrap() {
            let from = entry.unwrap().path();
            if from.is_file() {
                std::fs::copy(&from, to.join(from.file_name().unwrap())).unwrap();
            }
        }
    }
    std::fs::create_dir_all(dir.join("target")).unwrap();
    dir
}

/// Runs a script in `dir`: its first line `# args: …` gives the command
/// line. Returns the transcript: exit code, then standard output and error.
fn run_script(dir: &Path, script: &str) -> String {
    let args: Vec<&str> = script
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# args:"))
        .map(|a| a.split_whitespace().collect())
        .unwrap_or_default();
    let mut child = Command::new(env!("CARGO_BIN_EXE_decree"))
        .arg("repl")
        .args(&args)
        .args(["--at", "2026-01-01"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    format!(
        "exit: {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The transcript of a script file, run in a scratch folder of its own.
fn transcript(path: &Path) -> String {
    let script = std::fs::read_to_string(path).unwrap();
    let name = path.file_stem().unwrap().to_string_lossy();
    let dir = scratch(&name);
    let shown = run_script(&dir, &script);
    let _ = std::fs::remove_dir_all(&dir);
    shown
}

#[test]
fn scripted_sessions() {
    insta::glob!("repl/*.txt", |path| {
        insta::assert_snapshot!(transcript(path));
    });
}

/// What a script writes lands in its scratch folder, never in the
/// repository, whether or not the repository has a `target/`.
#[test]
fn a_script_writes_into_its_scratch_folder_not_the_repository() {
    let file = "target/written-by-a-repl-script.json";
    let script = format!(
        "# args: policies/measures-2-8-13.decree --facts tests/repl/firm.json\n:write {file}\n"
    );
    let dir = scratch("writes");
    let shown = run_script(&dir, &script);
    assert!(
        shown.contains(&format!("wrote 8 facts to {file}")),
        "{shown}"
    );
    assert!(dir.join(file).is_file());
    let in_repository = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    assert!(
        !in_repository.exists(),
        "{} written",
        in_repository.display()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
mod terminal {
    use rexpect::session::{PtySession, spawn_command};

    /// rexpect reads the terminal byte by byte, one `char` per byte: expected
    /// text with Chinese in it must be spelt the same way.
    fn bytes(s: &str) -> String {
        s.bytes().map(char::from).collect()
    }

    /// Types keys and makes sure they reach the terminal.
    fn type_(p: &mut PtySession, keys: &str) {
        p.send(keys).unwrap();
        p.flush().unwrap();
    }

    fn start(policy: &std::path::Path, history: &std::path::Path) -> PtySession {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_decree"));
        cmd.arg("repl").arg(policy).args(["--at", "2026-01-01"]);
        cmd.env("DECREE_HISTORY", history).env("TERM", "xterm");
        let mut p = spawn_command(cmd, Some(20_000)).unwrap();
        p.exp_string("decree>").unwrap();
        p
    }

    fn policy(dir: &std::path::Path) -> std::path::PathBuf {
        let f = dir.join("p.decree");
        std::fs::write(
            &f,
            "fact 投资额: money \"技术改造项目投资额\"\n\
             measure 8 \"以技术改造引领智能化转型\" {\n  资助 技术改造资助 = 取小(20% * 投资额, 5000万)\n}\n",
        )
        .unwrap();
        f
    }

    #[test]
    fn completion_history_and_multiline_in_a_real_terminal() {
        let dir = std::env::temp_dir().join(format!("decree-pty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let history = dir.join("history");
        let _ = std::fs::remove_file(&history);
        let policy = policy(&dir);

        let mut p = start(&policy, &history);
        // Completion of a Chinese item name: `:explain 技术` + TAB.
        type_(&mut p, ":explain 技术");
        type_(&mut p, "\t");
        p.exp_string(&bytes("技术改造资助")).unwrap();
        type_(&mut p, "\r");
        p.exp_string("status: undetermined").unwrap();
        // A multi-line entry: the bracket stays open over a line break, and
        // the next line is typed at the continuation prompt (each line is
        // read on its own, so keys typed before the prompt shows are not
        // yet read: a paste arrives whole, by bracketed paste).
        type_(&mut p, ":set 投资额 = 3亿\r");
        p.exp_string(&bytes("投资额 = 3亿元")).unwrap();
        type_(&mut p, "取小(20% * 投资额,\r");
        p.exp_string("   ...> ").unwrap();
        type_(&mut p, "5000万)\r");
        p.exp_string(&bytes("= 5,000万元")).unwrap();
        // History recall: the arrow up brings back the last entry.
        type_(&mut p, "1元 + 2元\r");
        p.exp_string(&bytes("= 3元")).unwrap();
        type_(&mut p, "\x1b[A");
        type_(&mut p, "\r");
        p.exp_string(&bytes("= 3元")).unwrap();
        type_(&mut p, ":quit\r");
        p.exp_eof().unwrap();

        // The history survives into the next session: up twice, past `:quit`.
        let mut p = start(&policy, &history);
        type_(&mut p, "\x1b[A");
        type_(&mut p, "\x1b[A");
        type_(&mut p, "\r");
        p.exp_string(&bytes("= 3元")).unwrap();
        type_(&mut p, ":quit\r");
        p.exp_eof().unwrap();
        let saved = std::fs::read_to_string(&history).unwrap();
        assert!(saved.contains("1元 + 2元"), "{saved}");
    }

    #[test]
    fn a_continuation_prompt_while_a_bracket_is_open_and_quit_from_inside_it() {
        let dir = std::env::temp_dir().join(format!("decree-pty-cont-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let history = dir.join("history");
        let policy = policy(&dir);
        let mut p = start(&policy, &history);
        // An open bracket: the next line is asked for under `...>`.
        type_(&mut p, "取小(20% * 3亿,\r");
        p.exp_string("   ...> ").unwrap();
        type_(&mut p, "5000万)\r");
        p.exp_string(&bytes("= 5,000万元")).unwrap();
        p.exp_string("decree> ").unwrap();
        // A paste of several lines (bracketed paste, as terminals send it)
        // arrives whole, and runs once it is finished.
        type_(&mut p, "\x1b[200~取小(20% * 1亿,\r5000万)\x1b[201~\r");
        p.exp_string(&bytes("= 2,000万元")).unwrap();
        // A measure block left open, then :quit on the continuation line:
        // the session ends at once.
        type_(&mut p, "measure 9 \"x\" {\r");
        p.exp_string("   ...> ").unwrap();
        type_(&mut p, ":quit\r");
        p.exp_eof().unwrap();
        // Ctrl-D on a continuation line leaves too.
        let mut p = start(&policy, &history);
        type_(&mut p, "min(1元,\r");
        p.exp_string("   ...> ").unwrap();
        type_(&mut p, "\x04");
        p.exp_eof().unwrap();
        // A full-width colon is a command's colon.
        let mut p = start(&policy, &history);
        type_(&mut p, &format!("{}\r", "：set 投资额＝3亿"));
        p.exp_string(&bytes("投资额 = 3亿元")).unwrap();
        type_(&mut p, &format!("{}\r", "：quit"));
        p.exp_eof().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Files held in memory, for sessions driven through the library.
#[derive(Clone, Default)]
struct MemFiles(std::rc::Rc<std::cell::RefCell<std::collections::BTreeMap<String, String>>>);

impl decree::repl::Files for MemFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        self.0
            .borrow()
            .get(path)
            .cloned()
            .ok_or("no such file".into())
    }
    fn write(&self, path: &str, text: &str) -> Result<(), String> {
        self.0.borrow_mut().insert(path.into(), text.into());
        Ok(())
    }
}

#[test]
fn write_gives_money_in_drafters_magnitudes_and_reads_back_exactly() {
    let files = MemFiles::default();
    files.0.borrow_mut().insert(
        "p.decree".into(),
        "fact a: money\nfact b: money\nfact c: money\n\
         measure 1 \"m\" { subsidy s = a + b + c }\n"
            .into(),
    );
    let mut session = decree::repl::Session::new(Box::new(files.clone()));
    assert!(!session.load("p.decree").failed());
    for set in [":set a = 5000万", ":set b = 1.2亿", ":set c = 1234.56元"] {
        let r = session.execute(set);
        assert!(!r.failed(), "{set}: {:?}", r.diagnostics);
    }
    let before = session.execute(":eval 1").output;
    assert!(!session.execute(":write s.json").failed());
    let written = files.0.borrow().get("s.json").cloned().unwrap();
    assert_eq!(
        written,
        "{\n  \"a\": \"5000万元\",\n  \"b\": \"1.2亿元\",\n  \"c\": \"1234.56元\"\n}"
    );
    // Read back into a fresh session, the same facts give the same result.
    let mut again = decree::repl::Session::new(Box::new(files.clone()));
    assert!(!again.load("p.decree").failed());
    assert!(!again.load_facts("s.json").failed());
    assert_eq!(again.execute(":eval 1").output, before);
    assert!(before.contains("1.7000123456亿元"), "{before}");
}
