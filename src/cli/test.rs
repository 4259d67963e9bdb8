//! `decree test FILE… [--coverage]`: the tests written in decree.

use decree::{Diagnostic, Policy, SourceFile};

use crate::terminal::{Failed, fail, load_policy, out, read, report};

/// Run the tests written in decree files (`test "…" { … }`).
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Files with tests: a policy with tests, or tests that `include` a policy.
    #[arg(required = true)]
    files: Vec<String>,
    /// Report the items, branches, tier rows and min/max arguments no test reached.
    #[arg(long)]
    coverage: bool,
}

/// Runs `decree test`.
pub(crate) fn run(args: Args) -> Result<(), Failed> {
    test(&args.files, args.coverage)
}

/// A file of tests with the policy it tests: the file itself, or the policy
/// it includes (resolved beside it).
pub(crate) fn policy_and_tests(
    path: &str,
) -> Result<(Policy, SourceFile, decree::ast::Program), Failed> {
    let src = read(path)?;
    let program = decree::syntax::parse(&src, &decree::Limits::default()).map_err(fail)?;
    let include = decree::testing::include_of(&src, &program).map_err(|d| fail(d.into()))?;
    let policy = match include {
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
            load_policy(&target)?
        }
        None => {
            let policy = decree::check_program(&src, &program).map_err(fail)?;
            report(&policy.warnings);
            policy
        }
    };
    Ok((policy, src, program))
}

fn test(files: &[String], coverage: bool) -> Result<(), Failed> {
    let (mut passed, mut failed) = (0usize, 0usize);
    for f in files {
        let (policy, src, program) = policy_and_tests(f)?;
        let tests = decree::testing::tests_in(&program);
        let mut reached = decree::testing::Reached::default();
        let results = decree::testing::run(&policy, &src, &tests, &mut reached);
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
        if coverage {
            let cov = decree::testing::coverage(&policy, &reached);
            out(&decree::testing::render_coverage(&policy, &cov), false);
        }
    }
    out(&format!("{passed} passed, {failed} failed"), true);
    if failed == 0 { Ok(()) } else { Err(Failed) }
}
