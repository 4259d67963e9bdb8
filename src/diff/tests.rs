//! The changes of the tests written in a policy file (`test "…" { … }`):
//! a reviewer must see a changed expectation as surely as a changed rule.
//!
//! A file of tests that includes a policy checks as a policy that declares
//! nothing, so its diff is its include and its tests.
//! Tests are matched by name; a test gone under its old name whose facts,
//! settings, date and expectations reappear under a new one is a rename.
//! Inside a test, facts and settings are matched by name and expectations
//! by the item they expect (in order, when an item is expected twice).

use super::{Change, ChangeKind, change};
use crate::ast::{Decl, Expected, FactInput, ItemBody, Program, TestDecl};
use crate::fmt::expr_text;

/// The changes of the tests between two versions of a file, in the order
/// the old version has them, then the tests only the new one has.
pub fn test_changes(old: &Program, new: &Program) -> Vec<Change> {
    let mut out = Vec::new();
    include_change(old, new, &mut out);
    let (a, b) = (tests(old), tests(new));
    let named = |list: &[&TestDecl], name: &str| list.iter().any(|t| t.name.node == name);
    // Tests only the new version has: each is a rename target at most once.
    let mut fresh: Vec<&TestDecl> = b
        .iter()
        .copied()
        .filter(|t| !named(&a, &t.name.node))
        .collect();
    for t in &a {
        match b.iter().find(|u| u.name.node == t.name.node) {
            Some(u) => {
                let d = details(t, u);
                if !d.is_empty() {
                    change(&mut out, path(t), ChangeKind::Changed, d);
                }
            }
            None => match fresh.iter().position(|u| same_body(t, u)) {
                Some(i) => {
                    let u = fresh.remove(i);
                    let d = vec![format!("“{}” → “{}”", t.name.node, u.name.node)];
                    change(&mut out, path(t), ChangeKind::Renamed, d);
                }
                None => change(&mut out, path(t), ChangeKind::Removed, summary(t)),
            },
        }
    }
    for u in fresh {
        change(&mut out, path(u), ChangeKind::Added, summary(u));
    }
    out
}

/// A changed `include`: the file of tests now tests another policy.
fn include_change(old: &Program, new: &Program, out: &mut Vec<Change>) {
    let (a, b) = (include(old), include(new));
    if a != b {
        let show = |i: Option<&str>| i.map_or("(none)".into(), |t| format!("“{t}”"));
        let d = vec![format!("{} → {}", show(a), show(b))];
        change(out, "include".into(), ChangeKind::Changed, d);
    }
}

/// The policy a file of tests includes.
fn include(p: &Program) -> Option<&str> {
    p.decls.iter().find_map(|d| match d {
        Decl::Include(t) => Some(t.node.as_str()),
        _ => None,
    })
}

fn tests(p: &Program) -> Vec<&TestDecl> {
    p.decls
        .iter()
        .filter_map(|d| match d {
            Decl::Test(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn path(t: &TestDecl) -> String {
    format!("test “{}”", t.name.node)
}

/// Whether two tests state the same thing, whatever their names.
fn same_body(a: &TestDecl, b: &TestDecl) -> bool {
    a.facts == b.facts && a.sets == b.sets && a.at == b.at && a.expects == b.expects
}

/// What an added or removed test expects, one line per `expect`.
fn summary(t: &TestDecl) -> Vec<String> {
    t.expects
        .iter()
        .map(|x| format!("expect {} = {}", x.item.node, expected(&x.want)))
        .collect()
}

/// The changes inside a test kept under its name.
fn details(a: &TestDecl, b: &TestDecl) -> Vec<String> {
    let mut d = Vec::new();
    if a.at != b.at {
        let at = |t: &TestDecl| {
            t.at.as_ref()
                .map_or("(none)".into(), |x| x.node.to_string())
        };
        d.push(format!("at {} → {}", at(a), at(b)));
    }
    let facts = |t: &TestDecl| -> Vec<(String, String)> {
        t.facts
            .iter()
            .map(|(n, v)| (n.node.clone(), fact_text(v)))
            .collect()
    };
    pairs("fact", &facts(a), &facts(b), &mut d);
    let sets = |t: &TestDecl| -> Vec<(String, String)> {
        t.sets
            .iter()
            .map(|(n, e)| (n.node.clone(), expr_text(e)))
            .collect()
    };
    pairs("set", &sets(a), &sets(b), &mut d);
    let expects = |t: &TestDecl| -> Vec<(String, String)> {
        t.expects
            .iter()
            .map(|x| (x.item.node.clone(), expected(&x.want)))
            .collect()
    };
    pairs("expect", &expects(a), &expects(b), &mut d);
    d
}

/// The `n`-th line named `name`.
fn find<'a>(list: &'a [(String, String)], name: &str, n: usize) -> Option<&'a str> {
    list.iter()
        .filter(|x| x.0 == name)
        .nth(n)
        .map(|x| x.1.as_str())
}

/// Named lines of two versions matched by name, the n-th of a name with the
/// n-th: each changed, removed or added one, in words.
fn pairs(word: &str, a: &[(String, String)], b: &[(String, String)], d: &mut Vec<String>) {
    // The how-manieth line of its name the `i`-th line is.
    let nth = |list: &[(String, String)], i: usize| {
        let name = list.get(i).map(|x| x.0.as_str()).unwrap_or_default();
        list.iter().take(i).filter(|x| x.0 == name).count()
    };
    for (i, (name, old)) in a.iter().enumerate() {
        match find(b, name, nth(a, i)) {
            Some(new) if new != old => d.push(format!("{word} {name}: {old} → {new}")),
            Some(_) => {}
            None => d.push(format!("{word} {name} removed (was {old})")),
        }
    }
    for (i, (name, new)) in b.iter().enumerate() {
        if find(a, name, nth(b, i)).is_none() {
            d.push(format!("{word} {name} added: {new}"));
        }
    }
}

fn fact_text(v: &FactInput) -> String {
    match v {
        FactInput::Value(e) => expr_text(e),
        FactInput::List(items) => {
            let names: Vec<&str> = items.iter().map(|i| i.node.as_str()).collect();
            format!("[{}]", names.join(", "))
        }
        FactInput::Records(records) => {
            let shown: Vec<String> = records
                .iter()
                .map(|r| {
                    let fields: Vec<String> = r
                        .node
                        .iter()
                        .map(|(n, v)| format!("{} = {}", n.node, fact_text(v)))
                        .collect();
                    format!("{{ {} }}", fields.join(", "))
                })
                .collect();
            format!("[{}]", shown.join(", "))
        }
    }
}

/// What an `expect` states, as written (English keywords).
fn expected(w: &Expected) -> String {
    match w {
        Expected::Status(s, by) => {
            let status = s.node.keyword();
            if by.is_empty() {
                status.to_string()
            } else {
                let names: Vec<&str> = by.iter().map(|b| b.node.as_str()).collect();
                format!("{status} by {}", names.join(", "))
            }
        }
        Expected::Value(ItemBody::Value(e)) => expr_text(e),
        Expected::Value(ItemBody::AtMost(e)) => format!("at most {}", expr_text(e)),
        Expected::Value(ItemBody::AtLeast(e)) => format!("at least {}", expr_text(e)),
    }
}
