//! Running a file of tests again after an edit: a test whose text is as it
//! was, against the very policy it last ran on, has the outcome it had, so
//! only the tests an edit touched run again. A file of the draft's 108
//! tests is edited one test at a time; running them all on each keystroke
//! would cost a drafter tens of milliseconds for nothing.

use std::collections::HashMap;
use std::sync::Arc;

use super::analysis::Problem;
use super::{Position, Range};
use crate::check::Policy;

/// The outcomes of the last run of a file's tests, by test.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reruns {
    /// The policy they ran on.
    policy: Option<Arc<Policy>>,
    /// Each test's outcome, by its text and the column it starts at.
    outcomes: HashMap<(String, u32), Outcome>,
}

/// How one test went, its problems placed from the test's first line.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// Whether every `expect` held.
    pub passed: bool,
    /// Its problems, their lines counted from the test's first line.
    problems: Vec<Problem>,
}

impl Reruns {
    /// Forgets every outcome unless they ran on `policy`.
    pub(crate) fn against(&mut self, policy: &Arc<Policy>) {
        if !self.policy.as_ref().is_some_and(|p| Arc::ptr_eq(p, policy)) {
            self.outcomes.clear();
            self.policy = Some(policy.clone());
        }
    }

    /// The outcome of the test written `text` from `start`, if it has run
    /// as it is, with its problems placed at its current lines.
    pub(crate) fn get(&self, text: &str, start: Position) -> Option<(bool, Vec<Problem>)> {
        let o = self.outcomes.get(&(text.to_string(), start.character))?;
        let problems = o
            .problems
            .iter()
            .map(|p| moved(p, start.line, true))
            .collect();
        Some((o.passed, problems))
    }

    /// Keeps the outcome of the test written `text` from `start` to `end`
    /// (its last line); not kept when a problem stands outside the test,
    /// which a later edit elsewhere could move.
    pub(crate) fn keep(
        &mut self,
        text: &str,
        start: Position,
        end_line: u32,
        passed: bool,
        problems: &[Problem],
    ) {
        let inside = |r: &Range| r.start.line >= start.line && r.end.line <= end_line;
        let within = problems
            .iter()
            .all(|p| inside(&p.range) && p.related.iter().all(|r| inside(&r.range)));
        if within {
            let problems = problems
                .iter()
                .map(|p| moved(p, start.line, false))
                .collect();
            let outcome = Outcome { passed, problems };
            self.outcomes
                .insert((text.to_string(), start.character), outcome);
        }
    }

    /// Forgets the outcomes of tests that are no longer written.
    pub(crate) fn retain(&mut self, written: &[(String, u32)]) {
        self.outcomes.retain(|k, _| written.contains(k));
    }
}

/// `p` with its lines counted from `line` (`down` false) or from the top
/// again (`down` true).
fn moved(p: &Problem, line: u32, down: bool) -> Problem {
    let shift = |pos: Position| Position {
        line: if down {
            pos.line + line
        } else {
            pos.line - line
        },
        character: pos.character,
    };
    let range = |r: Range| Range {
        start: shift(r.start),
        end: shift(r.end),
    };
    let mut out = p.clone();
    out.range = range(p.range);
    for r in &mut out.related {
        r.range = range(r.range);
    }
    out
}
