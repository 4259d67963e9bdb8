//! Changes of the rules across items (issue 16) between two versions:
//! stacking groups and cumulative caps added, removed, their members,
//! order rule, cap amount, reduction rule or where they decide (per
//! enterprise, per record) changed. Members are compared
//! by item name, so renumbered items do not read as changes.

use super::{Change, ChangeKind, change};
use crate::ast::CapRule;
use crate::check::Policy;
use crate::fmt::expr_text;

/// Names of the items `ids` of `policy`.
fn names(policy: &Policy, ids: &[crate::ast::ItemId]) -> Vec<String> {
    ids.iter()
        .filter_map(|&i| policy.item(i).map(|it| it.name().to_string()))
        .collect()
}

/// Members gained and lost, in drafters' words.
fn members(a: &[String], b: &[String], d: &mut Vec<String>) {
    let added: Vec<&str> = b
        .iter()
        .filter(|m| !a.contains(m))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = a
        .iter()
        .filter(|m| !b.contains(m))
        .map(String::as_str)
        .collect();
    if !added.is_empty() {
        d.push(format!("members added: {}", added.join(", ")));
    }
    if !removed.is_empty() {
        d.push(format!("members removed: {}", removed.join(", ")));
    }
    if added.is_empty() && removed.is_empty() && a != b {
        d.push(format!("order {} → {}", a.join(", "), b.join(", ")));
    }
}

/// Where a group or cap decides, in drafters' words.
fn place(policy: &Policy, per: Option<crate::check::PerRecord>) -> String {
    match per.and_then(|p| policy.records.get(p.record)) {
        Some(r) => format!("per {}", r.name),
        None => "per enterprise".into(),
    }
}

/// "per enterprise → per project" when a group or cap changes where it
/// decides.
fn places(
    (old, a): (&Policy, Option<crate::check::PerRecord>),
    (new, b): (&Policy, Option<crate::check::PerRecord>),
    d: &mut Vec<String>,
) {
    let (a, b) = (place(old, a), place(new, b));
    if a != b {
        d.push(format!("{a} → {b}"));
    }
}

/// Stacking groups and caps added, removed or changed.
pub(super) fn across(old: &Policy, new: &Policy, out: &mut Vec<Change>) {
    for g in &old.groups {
        let path = format!("exclusive {}", g.name);
        match new.groups.iter().find(|x| x.name == g.name) {
            None => change(out, path, ChangeKind::Removed, vec![]),
            Some(h) => {
                let mut d = Vec::new();
                if g.in_order != h.in_order {
                    let rule = |o: bool| if o { "in order" } else { "highest" };
                    d.push(format!("{} → {}", rule(g.in_order), rule(h.in_order)));
                }
                places((old, g.per), (new, h.per), &mut d);
                members(&names(old, &g.members), &names(new, &h.members), &mut d);
                if !d.is_empty() {
                    change(out, path, ChangeKind::Changed, d);
                }
            }
        }
    }
    for h in new
        .groups
        .iter()
        .filter(|h| !old.groups.iter().any(|g| g.name == h.name))
    {
        let d = vec![format!("members: {}", names(new, &h.members).join(", "))];
        change(out, format!("exclusive {}", h.name), ChangeKind::Added, d);
    }
    let rule = |r: CapRule| match r {
        CapRule::ProRata => "pro rata",
        CapRule::InOrder => "in order",
    };
    for c in &old.caps {
        let path = format!("cap {}", c.name);
        match new.caps.iter().find(|x| x.name == c.name) {
            None => change(out, path, ChangeKind::Removed, vec![]),
            Some(k) => {
                let mut d = Vec::new();
                let (a, b) = (expr_text(&c.amount), expr_text(&k.amount));
                if c.amount != k.amount {
                    d.push(format!("cap {a} → {b}"));
                }
                if c.rule != k.rule {
                    d.push(format!("{} → {}", rule(c.rule), rule(k.rule)));
                }
                places((old, c.per), (new, k.per), &mut d);
                members(&names(old, &c.items), &names(new, &k.items), &mut d);
                if !d.is_empty() {
                    change(out, path, ChangeKind::Changed, d);
                }
            }
        }
    }
    for k in new
        .caps
        .iter()
        .filter(|k| !old.caps.iter().any(|c| c.name == k.name))
    {
        let d = vec![format!(
            "{} over {} {}",
            expr_text(&k.amount),
            names(new, &k.items).join(", "),
            rule(k.rule)
        )];
        change(out, format!("cap {}", k.name), ChangeKind::Added, d);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use crate::span::SourceFile;

    fn load(text: &str) -> crate::check::Policy {
        crate::load(&SourceFile::new("p.decree", text)).expect("checks")
    }

    /// Each change of the diff on a line, from `items` with the
    /// declarations `old` to `items` with `new`.
    fn lines(items: &str, old: &str, new: &str) -> Vec<String> {
        let d = crate::diff::diff(
            &load(&format!("{items}{old}")),
            &load(&format!("{items}{new}")),
        );
        d.changes
            .iter()
            .map(|c| format!("{} {:?} {}", c.path, c.kind, c.details.join("; ")))
            .collect()
    }

    const ITEMS: &str = "measure 1 \"m\" {\n  subsidy a = 1万\n  subsidy b = 2万\n  subsidy c = 3万\n  subsidy d = 4万\n}\n";

    #[test]
    fn groups_and_caps_added_removed_and_changed() {
        let old = "exclusive g \"g\" { a, b }\ncap k \"k\" = 4万 over { a, b } pro rata\ncap gone \"x\" = 1万 over { c } in order\n";
        let new = "exclusive g \"g\" in order { a, c }\ncap k \"k\" = 3万 over { a, b } in order\nexclusive h \"h\" { b, d }\n";
        assert_eq!(
            lines(ITEMS, old, new),
            [
                "exclusive g Changed highest → in order; members added: c; members removed: b",
                "exclusive h Added members: b, d",
                "cap k Changed cap 4万 → 3万; pro rata → in order",
                "cap gone Removed ",
            ]
        );
    }

    #[test]
    fn a_group_or_cap_decided_per_record_instead_reads_so() {
        let items = "record project { v: money }\nfact projects: list of project\nmeasure 1 \"m\" {\n  subsidy a = p.v for each p in projects\n  subsidy b = p.v for each p in projects\n}\n";
        let old = "exclusive g \"g\" { a, b }\ncap k \"k\" = 1万 per project over { a } pro rata\n";
        let new = "exclusive g \"g\" per project { a, b }\ncap k \"k\" = 1万 over { a } pro rata\n";
        assert_eq!(
            lines(items, old, new),
            [
                "exclusive g Changed per enterprise → per project",
                "cap k Changed per project → per enterprise"
            ]
        );
    }
}
