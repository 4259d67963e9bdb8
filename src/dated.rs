//! Dated values (issue 16): which part of `VALUE from DATE [until DATE], …`
//! is in force on a date. One owner for the windows: the checker (overlaps,
//! gaps), the interpreter (`eval::dated`), the plan (which folds a dated
//! value once the evaluation date is fixed) and `decree diff` all read them
//! from here; it sits beside the AST so that every layer may.
//!
//! A part is in force from its `from` day through its `until` day when it
//! has one, else through the day before the next part (by date) begins,
//! else without end. On a day no part covers (before the first `from`,
//! after an `until` that no part follows, or in a gap the checker warned
//! of) nothing is in force: the value is *nothing*, and an item that needs
//! it is not granted, with a reason that names the gap.

use jiff::civil::Date;

use crate::ast::Dated;
use crate::value::Value;

/// A param's dated value given for one run (`--set cap="5000万 from
/// 2021-01-01, 3000万 from 2023-07-01"`, the REPL's `:set`): each value
/// with its days, resolved at the evaluation date like a written one.
#[derive(Debug, Clone, PartialEq)]
pub struct DatedSetting {
    /// Each part's value, in the order written.
    pub values: Vec<Value>,
    /// Each part's days, in the same order.
    pub days: Vec<Days>,
}

impl DatedSetting {
    /// The part in force on `at`: its value and window, or the gap.
    pub fn at(&self, at: Date) -> Result<(&Value, Window), InForce> {
        match in_force_among(&windows_of(&self.days), at) {
            InForce::Part(i, w) => self.values.get(i).map(|v| (v, w)).ok_or(InForce::Gap {
                after: None,
                before: None,
            }),
            gap => Err(gap),
        }
    }
}

impl std::fmt::Display for DatedSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (k, (v, (from, until))) in self.values.iter().zip(&self.days).enumerate() {
            if k > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{v} from {from}")?;
            if let Some(u) = until {
                write!(f, " until {u}")?;
            }
        }
        Ok(())
    }
}

/// The days one part of a dated value is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first day.
    pub from: Date,
    /// The last day, or `None` when it stays in force.
    pub to: Option<Date>,
}

impl Window {
    /// Whether `at` lies in the window.
    pub fn covers(&self, at: Date) -> bool {
        self.from <= at && self.to.is_none_or(|to| at <= to)
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.to {
            Some(to) => write!(f, "in force from {} to {to}", self.from),
            None => write!(f, "in force from {}", self.from),
        }
    }
}

/// What is in force on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InForce {
    /// The part with this index (as written), in its window.
    Part(usize, Window),
    /// No part: the day lies after `after` (the last day of the window
    /// before, if any) and before `before` (the first day of the next, if
    /// any).
    Gap {
        /// The last day in force before the gap.
        after: Option<Date>,
        /// The first day in force after the gap.
        before: Option<Date>,
    },
}

/// Each part's index (as written) and window, in date order. A part whose
/// `until` is before its `from` gets an empty window (`to` before `from`:
/// the checker reports it).
pub fn windows(d: &Dated) -> Vec<(usize, Window)> {
    let days: Vec<Days> = d
        .parts
        .iter()
        .map(|p| (p.from.node, p.until.as_ref().map(|u| u.node)))
        .collect();
    windows_of(&days)
}

/// A part's first day and, when written, its last.
pub type Days = (Date, Option<Date>);

/// [`windows`] of parts given by their days alone (a `--set` value).
pub fn windows_of(days: &[Days]) -> Vec<(usize, Window)> {
    let mut order: Vec<usize> = (0..days.len()).collect();
    order.sort_by_key(|&i| days.get(i).map(|p| p.0));
    let mut out = Vec::with_capacity(order.len());
    for (k, &i) in order.iter().enumerate() {
        let Some(&(from, until)) = days.get(i) else {
            continue;
        };
        let next = order.get(k + 1).and_then(|&j| days.get(j)).map(|n| n.0);
        let to = match (until, next) {
            (Some(u), _) => Some(u),
            // The day before the next part begins; a next part on the same
            // day (an overlap the checker rejects) leaves this one a day.
            (None, Some(n)) => Some(n.yesterday().ok().filter(|y| *y >= from).unwrap_or(n)),
            (None, None) => None,
        };
        out.push((i, Window { from, to }));
    }
    out
}

/// What is in force on `at`. Where windows overlap (a policy the checker
/// rejects), the part that began last wins, so the answer is still one.
pub fn in_force(d: &Dated, at: Date) -> InForce {
    in_force_among(&windows(d), at)
}

/// What is in force on `at`, among `windows` (in date order).
pub fn in_force_among(ws: &[(usize, Window)], at: Date) -> InForce {
    if let Some((i, w)) = ws.iter().rev().find(|(_, w)| w.covers(at)) {
        return InForce::Part(*i, *w);
    }
    let after = ws
        .iter()
        .filter_map(|(_, w)| w.to.filter(|to| *to < at))
        .max();
    let before = ws.iter().map(|(_, w)| w.from).filter(|f| *f > at).min();
    InForce::Gap { after, before }
}

/// The gap's words, for a reason: "nothing is in force on 2020-06-30
/// (before 2021-01-01)".
pub fn gap_words(at: Date, after: Option<Date>, before: Option<Date>) -> String {
    let whence = match (after, before) {
        (None, Some(b)) => format!("the first value is in force from {b}"),
        (Some(a), Some(b)) => format!("a gap between {a} and {b}"),
        (Some(a), None) => format!("the last value was in force to {a}"),
        (None, None) => "no value has a window".to_string(),
    };
    format!("no dated value is in force on {at} ({whence})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::ExprKind;
    use crate::span::SourceFile;

    fn dated(text: &str) -> Dated {
        let e = crate::syntax::parse_expr(&SourceFile::new("t", text), &crate::Limits::default())
            .unwrap();
        match e.node {
            ExprKind::Dated(d) => *d,
            other => panic!("not dated: {other:?}"),
        }
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn each_day_has_its_part_or_a_named_gap() {
        let d = dated(
            "dated { 5000万 from 2021-01-01, 3000万 from 2023-07-01 until 2024-12-31, 1000万 from 2025-03-01 }",
        );
        let part = |s| match in_force(&d, day(s)) {
            InForce::Part(i, _) => Some(i),
            InForce::Gap { .. } => None,
        };
        assert_eq!(part("2020-12-31"), None);
        assert_eq!(part("2021-01-01"), Some(0));
        assert_eq!(part("2023-06-30"), Some(0));
        assert_eq!(part("2023-07-01"), Some(1));
        assert_eq!(part("2024-12-31"), Some(1));
        assert_eq!(
            in_force(&d, day("2025-01-15")),
            InForce::Gap {
                after: Some(day("2024-12-31")),
                before: Some(day("2025-03-01"))
            }
        );
        assert_eq!(part("2099-01-01"), Some(2));
    }

    #[test]
    fn a_window_reads_as_its_days() {
        let d = dated("dated { 5000万 from 2021-01-01, 3000万 from 2023-07-01 }");
        let ws = windows(&d);
        assert_eq!(
            ws[0].1.to_string(),
            "in force from 2021-01-01 to 2023-06-30"
        );
        assert_eq!(ws[1].1.to_string(), "in force from 2023-07-01");
    }
}
