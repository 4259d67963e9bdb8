//! A diff and its impact as text for people, coloured on a terminal.

use rust_decimal::Decimal;

use super::{ChangeKind, Impact, PolicyDiff};
use crate::eval::Range;
use crate::value::format_money;

fn signed_range(r: &Range) -> String {
    let s = |d: Decimal| {
        if d > Decimal::ZERO {
            format!("+{}", format_money(d))
        } else {
            format_money(d)
        }
    };
    if r.min == r.max {
        s(r.min)
    } else {
        format!("{}..{}", s(r.min), s(r.max))
    }
}

/// Colours for text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// Plain text.
    Plain,
    /// ANSI colours (a terminal).
    Ansi,
}

/// A diff (and its impact) as text.
pub fn render(d: &PolicyDiff, impact: Option<&Impact>, colour: Colour) -> String {
    let paint = |code: &str, s: String| match colour {
        Colour::Plain => s,
        Colour::Ansi => format!("\x1b[{code}m{s}\x1b[0m"),
    };
    let mut out = String::new();
    if d.is_empty() {
        out.push_str("no semantic changes\n");
    }
    for c in &d.changes {
        let (mark, code) = match c.kind {
            ChangeKind::Added => ("+", "32"),
            ChangeKind::Removed => ("-", "31"),
            ChangeKind::Renamed => ("→", "36"),
            ChangeKind::Changed => ("~", "33"),
        };
        let head = format!("{mark} {}", c.path);
        out.push_str(&paint(code, head));
        match c.details.as_slice() {
            [] => out.push('\n'),
            [one] if one.chars().count() < 80 => out.push_str(&format!(": {one}\n")),
            many => {
                out.push('\n');
                for x in many {
                    out.push_str(&format!("    {x}\n"));
                }
            }
        }
    }
    if let Some(i) = impact {
        render_impact(i, &mut out);
    }
    out
}

/// The impact part of a rendered diff.
fn render_impact(i: &Impact, out: &mut String) {
    out.push_str(&format!("\nimpact over {} enterprises\n", i.enterprises));
    for it in &i.items {
        let open = if it.undetermined_before != it.undetermined_after {
            format!(
                ", undetermined {} → {}",
                it.undetermined_before, it.undetermined_after
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  measure {} / {}: granted {} → {}, total {} → {} ({}){open}\n",
            it.measure,
            it.item,
            it.granted_before,
            it.granted_after,
            it.total_before,
            it.total_after,
            signed_range(&it.delta)
        ));
    }
    for (title, list) in [("most up", &i.most_up), ("most down", &i.most_down)] {
        if !list.is_empty() {
            out.push_str(&format!("  {title}:\n"));
            for e in list {
                out.push_str(&format!(
                    "    {}: {} → {} ({})\n",
                    e.enterprise,
                    e.before,
                    e.after,
                    signed_range(&e.delta)
                ));
            }
        }
    }
    out.push_str(&format!(
        "  total fiscal cost: {} → {} ({})\n",
        i.total_before,
        i.total_after,
        signed_range(&i.delta)
    ));
    if let Some(f) = &i.revenue_forgone {
        out.push_str(&format!(
            "    of which revenue forgone (tax relief): {} → {} ({})\n",
            f.before,
            f.after,
            signed_range(&f.delta)
        ));
    }
    render_budgets(i, out);
    if i.incomplete_enterprises > 0 {
        out.push_str(&format!(
            "  ({} enterprises have undetermined items, left out of these totals)\n",
            i.incomplete_enterprises
        ));
    }
}

/// The budgets of an impact, a line each (fund, demand and what was
/// allocated, before → after), then the total once they are allocated.
fn render_budgets(i: &Impact, out: &mut String) {
    use crate::population::budget::BudgetTotals;
    let money = |t: &Option<BudgetTotals>, f: fn(&BudgetTotals) -> Option<Decimal>| match t {
        Some(t) => f(t).map_or_else(|| "not known".to_string(), format_money),
        None => "none".to_string(),
    };
    for b in &i.budgets {
        let name = match b
            .after
            .as_ref()
            .or(b.before.as_ref())
            .and_then(|t| t.label.as_ref())
        {
            Some(l) => format!("{l} ({})", b.budget),
            None => b.budget.clone(),
        };
        let fund = |t: &BudgetTotals| Some(t.budget);
        let demand = |t: &BudgetTotals| t.allocates().then_some(t.demand);
        let allocated = |t: &BudgetTotals| t.allocates().then_some(t.allocated);
        out.push_str(&format!(
            "  budget {name}: fund {} → {}, demand {} → {}, allocated {} → {}\n",
            money(&b.before, fund),
            money(&b.after, fund),
            money(&b.before, demand),
            money(&b.after, demand),
            money(&b.before, allocated),
            money(&b.after, allocated),
        ));
    }
    if let Some(a) = &i.allocated {
        let side = |r: &Option<Range>| r.map_or_else(|| "not known".to_string(), |r| r.to_string());
        let delta = a
            .delta
            .as_ref()
            .map_or(String::new(), |d| format!(" ({})", signed_range(d)));
        out.push_str(&format!(
            "  total allocated (budgets applied): {} → {}{delta}\n",
            side(&a.before),
            side(&a.after)
        ));
    }
}
