//! Changes of the budgets (issue 16) between two versions: a budget
//! added or removed, its fund, its allocation rule (pro rata, or first
//! come by which fact) or the items it pays for changed. Items are
//! compared by name, so renumbered items do not read as changes.

use super::{Change, ChangeKind, change};
use crate::check::{Allocation, BudgetInfo, Policy};
use crate::fmt::expr_text;

/// A budget's rule in drafters' words.
fn rule(policy: &Policy, b: &BudgetInfo) -> String {
    match b.rule {
        Allocation::ProRata => "pro rata".to_string(),
        Allocation::FirstCome(f) => format!(
            "first come by {}",
            policy.fact(f).map_or("?", |i| i.name.as_str())
        ),
    }
}

/// Names of the items a budget pays for.
fn items(policy: &Policy, b: &BudgetInfo) -> Vec<String> {
    b.items
        .iter()
        .filter_map(|&i| policy.item(i).map(|it| it.name().to_string()))
        .collect()
}

/// Budgets added, removed or changed.
pub(super) fn budgets(old: &Policy, new: &Policy, out: &mut Vec<Change>) {
    for b in &old.budgets {
        let path = format!("budget {}", b.name);
        let Some(n) = new.budgets.iter().find(|x| x.name == b.name) else {
            change(out, path, ChangeKind::Removed, vec![]);
            continue;
        };
        let mut d = Vec::new();
        if b.amount != n.amount {
            d.push(format!(
                "fund {} → {}",
                expr_text(&b.amount),
                expr_text(&n.amount)
            ));
        }
        let (ra, rb) = (rule(old, b), rule(new, n));
        if ra != rb {
            d.push(format!("{ra} → {rb}"));
        }
        let (ia, ib) = (items(old, b), items(new, n));
        let added: Vec<&str> = ib
            .iter()
            .filter(|i| !ia.contains(i))
            .map(String::as_str)
            .collect();
        let removed: Vec<&str> = ia
            .iter()
            .filter(|i| !ib.contains(i))
            .map(String::as_str)
            .collect();
        if !added.is_empty() {
            d.push(format!("pays also for {}", added.join(", ")));
        }
        if !removed.is_empty() {
            d.push(format!("no longer pays for {}", removed.join(", ")));
        }
        if !d.is_empty() {
            change(out, path, ChangeKind::Changed, d);
        }
    }
    for n in new
        .budgets
        .iter()
        .filter(|n| !old.budgets.iter().any(|b| b.name == n.name))
    {
        let d = vec![format!(
            "{} for {} {}",
            expr_text(&n.amount),
            items(new, n).join(", "),
            rule(new, n)
        )];
        change(out, format!("budget {}", n.name), ChangeKind::Added, d);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use crate::span::SourceFile;

    fn load(budgets: &str) -> crate::check::Policy {
        let text = format!(
            "fact filed_on: date\nmeasure 1 \"m\" {{\n  subsidy a = 1万\n  subsidy b = 2万\n  subsidy c = 3万\n}}\n{budgets}"
        );
        crate::load(&SourceFile::new("p.decree", text)).expect("checks")
    }

    #[test]
    fn budgets_added_removed_and_changed() {
        let old =
            load("budget fund = 100万 for { a } pro rata\nbudget gone = 1万 for { b } pro rata\n");
        let new = load(
            "budget fund = 80万 for { a, b } first come by filed_on\nbudget fresh = 2万 for { c } pro rata\n",
        );
        let d = super::super::diff(&old, &new);
        let text: Vec<String> = d
            .changes
            .iter()
            .map(|c| format!("{} {:?} {}", c.path, c.kind, c.details.join("; ")))
            .collect();
        assert_eq!(
            text,
            [
                "budget fund Changed fund 100万 → 80万; pro rata → first come by filed_on; pays also for b",
                "budget gone Removed ",
                "budget fresh Added 2万 for c pro rata",
            ]
        );
        assert!(super::super::diff(&old, &old).is_empty());
    }
}
