//! The fuzz targets' saved regression corpus, replayed on stable.
//!
//! Every file of `fuzz/regressions/<target>/` goes through the same code the
//! cargo-fuzz target runs (`fuzz/src/harness.rs`, included here), so an input
//! that once broke a law stays fixed, and the laws themselves (no panic,
//! errors as diagnostics, the formatter's round trip, the plan against the
//! interpreter) are checked over a few hundred varied programs in every
//! `cargo test`. See docs/TESTING.md for how the corpus is made.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../fuzz/src/harness.rs"]
mod harness;

use std::path::Path;

/// Runs every file of `fuzz/regressions/<target>/` through `run`; returns how
/// many there were.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    for path in &paths {
        let data = std::fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(|| run(&data));
        if let Err(e) = outcome {
            let why = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{} breaks a law: {why}", path.display());
        }
    }
    paths.len()
}

#[test]
fn parse_check_eval_regressions() {
    let n = replay("parse_check_eval", harness::parse_check_eval);
    assert!(n >= 50, "only {n} saved inputs");
}

#[test]
fn structured_regressions() {
    let n = replay("structured", harness::structured);
    assert!(n >= 50, "only {n} saved inputs");
}

/// The `structured` inputs again, each program edited three times and read
/// again by `syntax::reparse` against a whole parse; and the `reparse`
/// target's own reproducers.
#[test]
fn reparse_regressions() {
    let n = replay("structured", harness::reparse);
    assert!(n >= 50, "only {n} saved inputs");
    let own = replay("reparse", harness::reparse);
    assert!(own >= 50, "only {own} saved reparse inputs");
}

#[test]
fn facts_regressions() {
    let n = replay("facts", harness::facts);
    assert!(n >= 20, "only {n} saved inputs");
}

/// The generator makes policies that check most of the time, so the
/// structured target reaches the checker's later passes and the evaluator.
#[test]
fn structured_inputs_mostly_check() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/structured");
    let inputs: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    let (ok, all) = harness::well_formed(&inputs);
    assert!(ok * 2 > all, "only {ok} of {all} generated policies check");
}

#[test]
fn plan_vs_interpreter_regressions() {
    let n = replay("plan_vs_interpreter", harness::plan_vs_interpreter);
    assert!(n >= 20, "only {n} saved inputs");
}

/// The saved populations mostly come with a policy that checks, and the
/// compiled plan takes some of them, so the target compares the plan with
/// the interpreter rather than the interpreter with itself.
#[test]
fn plan_vs_interpreter_inputs_reach_the_plan() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/plan_vs_interpreter");
    let inputs: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    let (all, checked, planned) = harness::population_reach(&inputs);
    eprintln!("{all} populations, {checked} policies check, the plan takes {planned}");
    assert!(checked * 2 > all, "only {checked} of {all} policies check");
    assert!(planned > 0, "the plan takes none of {checked} policies");
}
