//! `decree test PATH… [--coverage]`: the tests written in decree (a
//! folder: each `*.decree` file under it). With `--coverage`, each policy's
//! coverage is merged over every file whose tests test it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use decree::{Diagnostic, Policy, SourceFile};

use crate::paths::decree_files;
use crate::terminal::{Failed, fail, load_policy, out, read, report};

/// Run the tests written in decree files (`test "…" { … }`).
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Files with tests (a policy with tests, or tests that `include` a
    /// policy), or folders of them (searched recursively for *.decree).
    #[arg(required = true)]
    files: Vec<String>,
    /// Report the items, branches, tier rows and min/max arguments no test reached.
    #[arg(long)]
    coverage: bool,
}

/// Runs `decree test`.
pub(crate) fn run(args: Args) -> Result<(), Failed> {
    test(&decree_files(&args.files)?, args.coverage)
}

/// A file of tests with the policy it tests: the file itself, or the policy
/// it includes (resolved beside it), and the path of the policy's file.
pub(crate) fn policy_and_tests(path: &str) -> Result<Tested, Failed> {
    let src = read(path)?;
    let program = decree::syntax::parse(&src, &decree::Limits::default()).map_err(fail)?;
    let include = decree::testing::include_of(&src, &program).map_err(|d| fail(d.into()))?;
    let (policy, policy_path) = match include {
        Some(inc) => {
            let dir = std::path::Path::new(path)
                .parent()
                .unwrap_or(std::path::Path::new(""));
            let target = dir.join(&inc.node);
            let target = target.to_string_lossy().into_owned();
            if !std::path::Path::new(&target).is_file() {
                return Err(fail(
                    Diagnostic::error(
                        decree::Code::Io,
                        format!("cannot read the included policy `{target}`"),
                    )
                    .label(inc.span, "included here")
                    .help("the path is relative to the file that includes it")
                    .in_source(&src)
                    .into(),
                ));
            }
            (load_policy(&target)?, target)
        }
        None => {
            let policy = decree::check_program(&src, &program).map_err(fail)?;
            report(&policy.warnings);
            (policy, path.to_string())
        }
    };
    Ok(Tested {
        policy,
        policy_path,
        source: src,
        program,
    })
}

/// A file of tests, read and checked.
pub(crate) struct Tested {
    /// The policy it tests.
    pub policy: Policy,
    /// The path of the policy's file (the file itself, or the one it includes).
    pub policy_path: String,
    /// The file's text.
    pub source: SourceFile,
    /// The file as parsed.
    pub program: decree::ast::Program,
}

/// One policy file's coverage, merged over every file whose tests test it.
struct Covered {
    policy: Policy,
    reached: decree::testing::Reached,
    tests: usize,
}

fn test(files: &[String], coverage: bool) -> Result<(), Failed> {
    let (mut passed, mut failed, mut not_run) = (0usize, 0usize, 0usize);
    // By the policy file's canonical path, so a policy named two ways is
    // one policy; in path order.
    let mut covered: BTreeMap<PathBuf, Covered> = BTreeMap::new();
    for f in files {
        // A file that does not read or check is reported; the others run.
        let Ok(t) = policy_and_tests(f) else {
            not_run += 1;
            continue;
        };
        let key =
            std::fs::canonicalize(&t.policy_path).unwrap_or_else(|_| t.policy_path.clone().into());
        let tests = decree::testing::tests_in(&t.program);
        let entry = covered.entry(key).or_insert_with(|| Covered {
            policy: t.policy.clone(),
            reached: decree::testing::Reached::default(),
            tests: 0,
        });
        entry.tests += tests.len();
        let results = decree::testing::run(&t.policy, &t.source, &tests, &mut entry.reached);
        for r in &results {
            if r.passed() {
                passed += 1;
                out(
                    &format!("ok      {f}: {} ({} expects)", r.name, r.passed_expects),
                    true,
                );
            } else {
                failed += 1;
                out(&format!("FAILED  {f}: {}", r.name), true);
                report(&r.failures);
            }
        }
    }
    if coverage {
        for c in covered.values() {
            out(&coverage_text(c), false);
        }
    }
    let skipped = match not_run {
        0 => String::new(),
        1 => ", 1 file not run".to_string(),
        n => format!(", {n} files not run"),
    };
    out(&format!("{passed} passed, {failed} failed{skipped}"), true);
    if failed == 0 && not_run == 0 {
        Ok(())
    } else {
        Err(Failed)
    }
}

/// A policy's coverage by the tests of every file given; a policy no test
/// tests is said to have none, not to reach 0 points.
fn coverage_text(c: &Covered) -> String {
    if c.tests == 0 {
        return format!(
            "coverage of {}: no tests (no file given holds a test of it)\n",
            c.policy.source.name
        );
    }
    let cov = decree::testing::coverage(&c.policy, &c.reached);
    decree::testing::render_coverage(&c.policy, &cov)
}
