//! Checking dated values (issue 16): every part of the same unit, no two
//! windows overlapping (an error naming both), no `until` before its
//! `from`, and a warning where windows leave a gap between them (with its
//! days). The windows themselves are [`crate::dated::windows`]'s.

use super::{Checker, Env};
use crate::ast::*;
use crate::dated::windows;
use crate::diagnostic::{Code, Diagnostic};
use crate::units::{Unit, join};

impl Checker<'_> {
    /// The unit of a dated value: its parts' common unit, after checking
    /// its windows.
    pub(super) fn dated(&mut self, d: &Dated, env: &mut Env) -> Option<Unit> {
        self.dated_windows(d);
        let units: Vec<(Option<Unit>, &DatedPart)> = d
            .parts
            .iter()
            .map(|p| (self.infer(&p.value, env), p))
            .collect();
        let mut acc: Option<(Unit, &DatedPart)> = None;
        for (u, p) in units {
            let u = u?;
            acc = match acc {
                None => Some((u, p)),
                Some((a, first)) => match join(a, u) {
                    Some(j) => Some((j, first)),
                    None => {
                        self.mismatch(
                            "the parts of a dated value have different units".into(),
                            (&first.value, a),
                            (&p.value, u),
                            "every part of a dated value is the same kind of value: the one in force replaces the others",
                        );
                        return None;
                    }
                },
            };
        }
        acc.map(|(u, _)| u)
    }

    /// Overlapping windows and `until` before `from` are errors; a gap
    /// between two windows is a warning.
    fn dated_windows(&mut self, d: &Dated) {
        let ws = windows(d);
        for (i, _) in &ws {
            let Some(p) = d.parts.get(*i) else { continue };
            if let Some(u) = &p.until {
                if u.node < p.from.node {
                    self.error(
                        Diagnostic::error(
                            Code::DatedOverlap,
                            format!(
                                "this part ends on {} before it begins on {}",
                                u.node, p.from.node
                            ),
                        )
                        .label(u.span, "the last day")
                        .label(p.from.span, "the first day")
                        .help(
                            "`until` names the last day a part is in force, on or after its `from`",
                        ),
                    );
                }
            }
        }
        for pair in ws.windows(2) {
            let [(i, w), (j, next)] = pair else { continue };
            let (Some(p), Some(q)) = (d.parts.get(*i), d.parts.get(*j)) else {
                continue;
            };
            let to = w.to.unwrap_or(next.from);
            if to >= next.from || p.from.node == q.from.node {
                self.error(
                    Diagnostic::error(
                        Code::DatedOverlap,
                        format!(
                            "two parts of a dated value are both in force on {}",
                            next.from
                        ),
                    )
                    .label(p.span.0, format!("{w}"))
                    .label(q.span.0, format!("in force from {}", next.from))
                    .help("on any day at most one part is in force: end the earlier part (`until`) before the later begins"),
                );
            } else if let Some(gap_from) = to.tomorrow().ok().filter(|g| *g < next.from) {
                let gap_to = next.from.yesterday().unwrap_or(next.from);
                let d = Diagnostic::warning(
                    Code::DatedGap,
                    format!("no part of this dated value is in force from {gap_from} to {gap_to}"),
                )
                .label(p.span.0, format!("{w}"))
                .label(q.span.0, format!("in force from {}", next.from))
                .help("on those days an item that needs the value is not granted; write a part for them, or start the next part on the day after the `until`");
                self.policy.warnings.push(d.in_source(self.src));
            }
        }
    }
}
