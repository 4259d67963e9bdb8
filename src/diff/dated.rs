//! The changes of a dated value between two versions, as a drafter reads an
//! amendment (issue 16): a new part is "5000万 → 3000万 from 2023-07-01"
//! (the value it replaces is the old version's in force that day), a part
//! of the same day with another value is "from 2023-07-01: 3000万 →
//! 2000万", a part gone is "the part from 2023-07-01 (3000万) is
//! withdrawn". A value that was not dated counts as one part in force on
//! every day.

use jiff::civil::Date;

use crate::ast::{Expr, ExprKind};
use crate::dated::{InForce, in_force};
use crate::fmt::expr_text;

/// One part as the diff sees it: the value's text and its days (`None`
/// for a value that is not dated).
struct Part {
    text: String,
    from: Option<Date>,
    until: Option<Date>,
}

fn parts(e: &Expr) -> Vec<Part> {
    match &e.node {
        ExprKind::Dated(d) => d
            .parts
            .iter()
            .map(|p| Part {
                text: expr_text(&p.value),
                from: Some(p.from.node),
                until: p.until.as_ref().map(|u| u.node),
            })
            .collect(),
        _ => vec![Part {
            text: expr_text(e),
            from: None,
            until: None,
        }],
    }
}

/// The old version's value in force on `day`, as text.
fn old_on(old: &Expr, day: Date) -> Option<String> {
    match &old.node {
        ExprKind::Dated(d) => match in_force(d, day) {
            InForce::Part(i, _) => d.parts.get(i).map(|p| expr_text(&p.value)),
            InForce::Gap { .. } => None,
        },
        _ => Some(expr_text(old)),
    }
}

/// Whether either side is a dated value (so [`changes`] tells the change).
pub(super) fn involved(a: &Expr, b: &Expr) -> bool {
    matches!(a.node, ExprKind::Dated(_)) || matches!(b.node, ExprKind::Dated(_))
}

/// The changes from `a` to `b`, one line each.
pub(super) fn changes(a: &Expr, b: &Expr, d: &mut Vec<String>) {
    let (old, new) = (parts(a), parts(b));
    let undated_before = old.len() == 1 && old.first().is_some_and(|p| p.from.is_none());
    for (k, q) in new.iter().enumerate() {
        let Some(from) = q.from else { continue };
        let same_day = old.iter().find(|p| p.from == Some(from));
        // An amount that becomes dated keeps its first part as the old
        // value, now in force from a day.
        let first_of_undated = (undated_before && k == 0).then(|| old.first()).flatten();
        match same_day.or(first_of_undated) {
            Some(p) => {
                if p.text != q.text {
                    d.push(format!("from {from}: {} → {}", p.text, q.text));
                }
                if p.from.is_none() {
                    d.push(format!("{} now in force from {from}", q.text));
                }
                if p.until != q.until {
                    let until = |u: Option<Date>| u.map_or("(none)".to_string(), |u| u.to_string());
                    d.push(format!(
                        "from {from}: until {} → {}",
                        until(p.until),
                        until(q.until)
                    ));
                }
            }
            None => match old_on(a, from) {
                Some(was) => d.push(format!("{was} → {} from {from}", q.text)),
                None => d.push(format!(
                    "{} from {from} (nothing was in force that day)",
                    q.text
                )),
            },
        }
    }
    for p in &old {
        let Some(from) = p.from else { continue };
        if !new.iter().any(|q| q.from == Some(from)) {
            d.push(format!("the part from {from} ({}) is withdrawn", p.text));
        }
    }
    if !involved(b, b) && !undated_before {
        d.push(format!("no longer dated: {}", expr_text(b)));
    }
}
