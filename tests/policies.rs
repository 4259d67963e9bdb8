//! The bundled policies: they check, their tests (written in decree) pass,
//! and those tests reach every item, branch, tier row and min/max argument.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use decree::{Limits, SourceFile};

fn files(suffix: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}

fn load(path: &Path) -> (SourceFile, decree::ast::Program) {
    let text = std::fs::read_to_string(path).unwrap();
    let src = SourceFile::new(path.to_string_lossy().into_owned(), text);
    let program = decree::syntax::parse(&src, &Limits::default())
        .unwrap_or_else(|d| panic!("{}", d.render(decree::RenderStyle::Plain)));
    (src, program)
}

#[test]
fn every_policy_checks() {
    let policies: Vec<PathBuf> = files(".decree")
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".test.decree"))
        .collect();
    assert!(!policies.is_empty());
    for p in policies {
        let (src, program) = load(&p);
        if let Err(d) = decree::check::check(&src, &program) {
            panic!("{}", d.render(decree::RenderStyle::Plain));
        }
    }
}

#[test]
fn every_policy_test_passes_with_full_coverage() {
    let suites = files(".test.decree");
    assert!(!suites.is_empty());
    for suite in suites {
        let (src, program) = load(&suite);
        let include = decree::testing::include_of(&src, &program)
            .unwrap()
            .expect("an include");
        let policy_path = suite.parent().unwrap().join(&include.node);
        let (psrc, pprog) = load(&policy_path);
        let policy = decree::check::check(&psrc, &pprog).unwrap();
        let tests = decree::testing::tests_in(&program);
        let mut reached = decree::testing::Reached::default();
        let results = decree::testing::run(&policy, &src, &tests, &mut reached);
        for r in &results {
            assert!(
                r.passed(),
                "{}: test {:?} failed:\n{}",
                suite.display(),
                r.name,
                decree::Diagnostics(r.failures.clone()).render(decree::RenderStyle::Plain)
            );
        }
        let cov = decree::testing::coverage(&policy, &reached);
        assert!(
            cov.gaps.is_empty(),
            "{}",
            decree::testing::render_coverage(&policy, &cov)
        );
    }
}
