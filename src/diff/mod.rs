//! Semantic diff of two versions of a policy, and its fiscal impact.
//!
//! [`diff`] compares two checked policies by meaning: measures matched by
//! number, items by name (an item whose rule is unchanged under a new name
//! is a rename), declarations by name. A changed rule is described the way
//! drafters think of it — "cap 5000万 → 3000万", "rate 20% → 15%",
//! "threshold 100亿 → 80亿", "condition gained `and is_listed`",
//! "tbd → 15%" — and layout, order and comments never show. A change
//! inside a table says where: "row 2 (revenue >= 100亿): amount 300万 →
//! 200万", "bracket 2 (over 1000万): rate 5% → 4%".
//! [`PolicyDiff::and_tests`] (in `tests.rs`) adds the changes of the tests
//! written in the files, after the rules; [`empty_policy`] stands for a
//! file that one side does not have (git's `/dev/null`).
//! [`impact`] (in `impact.rs`) evaluates both versions over a population
//! of enterprises; [`render`] (in `render.rs`) writes a diff as text.

mod across;
mod budgets;
mod dated;
mod impact;
mod render;
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ast::*;
use crate::check::{ItemInfo, Policy};
use crate::fmt::expr_text;
use crate::value::Unit;

pub use impact::{Allocated, BudgetImpact, EnterpriseImpact, Impact, ItemImpact, Side, impact};
pub use render::{Colour, render};
pub use tests::test_changes;

/// What happened to a declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// Same rule under a new name.
    Renamed,
    /// In both, different.
    Changed,
}

/// One semantic change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What changed: `header`, `fact x`, `param x`, `enum x`, `measure 8`,
    /// `measure 8 / tech_upgrade`.
    pub path: String,
    /// Added, removed, renamed or changed.
    pub kind: ChangeKind,
    /// The changes in drafters' terms.
    pub details: Vec<String>,
}

/// The semantic difference between two policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PolicyDiff {
    /// Every change, header first, then declarations, then measures in order.
    pub changes: Vec<Change>,
}

impl PolicyDiff {
    /// Whether the two policies mean the same.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// This diff followed by the changes of the tests written in the two
    /// versions' files (`old` and `new` are the files as parsed).
    pub fn and_tests(mut self, old: &Program, new: &Program) -> PolicyDiff {
        self.changes.extend(test_changes(old, new));
        self
    }
}

/// A policy that declares nothing: the side of a comparison that has no
/// file (a file added or deleted), against which every declaration of the
/// other side is added or removed.
pub fn empty_policy(name: &str) -> Policy {
    Policy::empty(&crate::span::SourceFile::new(name, ""))
}

fn change(changes: &mut Vec<Change>, path: String, kind: ChangeKind, details: Vec<String>) {
    changes.push(Change {
        path,
        kind,
        details,
    });
}

/// Compares two checked policies.
pub fn diff(old: &Policy, new: &Policy) -> PolicyDiff {
    let mut out = Vec::new();
    header(old, new, &mut out);
    facts_params_enums(old, new, &mut out);
    measures(old, new, &mut out);
    across::across(old, new, &mut out);
    budgets::budgets(old, new, &mut out);
    PolicyDiff { changes: out }
}

fn header(old: &Policy, new: &Policy, out: &mut Vec<Change>) {
    let (a, b) = (&old.header, &new.header);
    let mut d = Vec::new();
    if a.title != b.title {
        d.push(format!(
            "title {} → {}",
            a.title.as_deref().unwrap_or("(none)"),
            b.title.as_deref().unwrap_or("(none)")
        ));
    }
    let issued = |i: &Option<IssueDate>| match i {
        None => "(none)".to_string(),
        Some(IssueDate::Tbd) => "tbd".to_string(),
        Some(IssueDate::On(d)) => d.to_string(),
    };
    if a.issued != b.issued {
        d.push(format!(
            "issued {} → {}",
            issued(&a.issued),
            issued(&b.issued)
        ));
    }
    if a.valid != b.valid {
        let v =
            |x: &Option<crate::value::Duration>| x.map_or("(none)".to_string(), |d| d.to_string());
        d.push(format!("validity {} → {}", v(&a.valid), v(&b.valid)));
    }
    if !d.is_empty() {
        change(out, "header".into(), ChangeKind::Changed, d);
    }
}

fn facts_params_enums(old: &Policy, new: &Policy, out: &mut Vec<Change>) {
    fact_changes(old, new, out);
    param_changes(old, new, out);
    enum_changes(old, new, out);
}

/// A declaration's unit and label, in one version.
type Declared<'a> = (Unit, &'a Option<String>);

/// What changed in a fact or param beside its value: its type and label.
fn declaration_details(
    old: &Policy,
    new: &Policy,
    a: Declared<'_>,
    b: Declared<'_>,
    d: &mut Vec<String>,
) {
    let (ta, tb) = (old.unit_name(a.0), new.unit_name(b.0));
    if ta != tb {
        d.push(format!("type {ta} → {tb}"));
    }
    if a.1 != b.1 {
        d.push(format!("label {} → {}", show_opt(a.1), show_opt(b.1)));
    }
}

fn fact_changes(old: &Policy, new: &Policy, out: &mut Vec<Change>) {
    for f in &old.facts {
        let path = format!("fact {}", f.name);
        match new.facts.iter().find(|x| x.name == f.name) {
            None => change(out, path, ChangeKind::Removed, vec![]),
            Some(g) => {
                let mut d = Vec::new();
                let (a, b) = ((f.unit, &f.label), (g.unit, &g.label));
                declaration_details(old, new, a, b, &mut d);
                if !d.is_empty() {
                    change(out, path, ChangeKind::Changed, d);
                }
            }
        }
    }
    for g in new
        .facts
        .iter()
        .filter(|g| !old.facts.iter().any(|f| f.name == g.name))
    {
        change(
            out,
            format!("fact {}", g.name),
            ChangeKind::Added,
            vec![format!("{}", new.unit_name(g.unit))],
        );
    }
}

fn param_changes(old: &Policy, new: &Policy, out: &mut Vec<Change>) {
    let value = |p: &crate::check::ParamInfo| p.value.as_ref().map_or("tbd".to_string(), expr_text);
    for p in &old.params {
        let path = format!("param {}", p.name);
        match new.params.iter().find(|x| x.name == p.name) {
            None => change(out, path, ChangeKind::Removed, vec![]),
            Some(q) => {
                let mut d = Vec::new();
                match (&p.value, &q.value) {
                    (Some(a), Some(b)) if a != b && dated::involved(a, b) => {
                        dated::changes(a, b, &mut d)
                    }
                    _ if p.value != q.value => d.push(format!("{} → {}", value(p), value(q))),
                    _ => {}
                }
                let (a, b) = ((p.unit, &p.label), (q.unit, &q.label));
                declaration_details(old, new, a, b, &mut d);
                if !d.is_empty() {
                    change(out, path, ChangeKind::Changed, d);
                }
            }
        }
    }
    for q in new
        .params
        .iter()
        .filter(|q| !old.params.iter().any(|p| p.name == q.name))
    {
        change(
            out,
            format!("param {}", q.name),
            ChangeKind::Added,
            vec![format!("= {}", value(q))],
        );
    }
}

fn enum_changes(old: &Policy, new: &Policy, out: &mut Vec<Change>) {
    for e in &old.enums {
        match new.enums.iter().find(|x| x.name == e.name) {
            None => change(out, format!("enum {}", e.name), ChangeKind::Removed, vec![]),
            Some(f) if f.variants != e.variants => {
                let mut d = Vec::new();
                for (v, _) in f
                    .variants
                    .iter()
                    .filter(|v| !e.variants.iter().any(|w| w.0 == v.0))
                {
                    d.push(format!("gained `{v}`"));
                }
                for (v, _) in e
                    .variants
                    .iter()
                    .filter(|v| !f.variants.iter().any(|w| w.0 == v.0))
                {
                    d.push(format!("lost `{v}`"));
                }
                if d.is_empty() {
                    d.push("labels or order changed".into());
                }
                change(out, format!("enum {}", e.name), ChangeKind::Changed, d);
            }
            Some(_) => {}
        }
    }
    for f in new
        .enums
        .iter()
        .filter(|f| !old.enums.iter().any(|e| e.name == f.name))
    {
        change(out, format!("enum {}", f.name), ChangeKind::Added, vec![]);
    }
}

fn show_opt(s: &Option<String>) -> String {
    s.as_ref()
        .map_or("(none)".to_string(), |x| format!("“{x}”"))
}

fn items_of(p: &Policy, number: u32) -> Vec<&ItemInfo> {
    p.measures
        .iter()
        .find(|m| m.number == number)
        .map(|m| m.items.iter().filter_map(|&i| p.item(i)).collect())
        .unwrap_or_default()
}

fn measures(old: &Policy, new: &Policy, out: &mut Vec<Change>) {
    let mut numbers: Vec<u32> = old.measures.iter().map(|m| m.number).collect();
    numbers.extend(
        new.measures
            .iter()
            .map(|m| m.number)
            .filter(|n| !old.measures.iter().any(|m| m.number == *n)),
    );
    numbers.sort_unstable();
    // Items may move or be renamed across measures: match them globally.
    let renames = renames(old, new);
    for n in numbers {
        let a = old.measures.iter().find(|m| m.number == n);
        let b = new.measures.iter().find(|m| m.number == n);
        match (a, b) {
            (Some(a), None) => {
                change(
                    out,
                    format!("measure {n}"),
                    ChangeKind::Removed,
                    vec![format!("“{}”", a.title)],
                );
                // Its items go with it, except those the new version keeps
                // elsewhere (moved, perhaps changed, or renamed): those are
                // told below.
            }
            (None, Some(b)) => {
                let items: Vec<String> = items_of(new, n)
                    .iter()
                    .map(|i| format!("{} {}", i.kind().keyword(), i.name()))
                    .collect();
                let mut d = vec![format!("“{}”", b.title)];
                if !items.is_empty() {
                    d.push(format!("items: {}", items.join(", ")));
                }
                change(out, format!("measure {n}"), ChangeKind::Added, d);
                continue;
            }
            (Some(a), Some(b)) => {
                let mut d = Vec::new();
                if a.title != b.title {
                    d.push(format!("title “{}” → “{}”", a.title, b.title));
                }
                cite_changes(&a.cites, &b.cites, &mut d);
                if !d.is_empty() {
                    change(out, format!("measure {n}"), ChangeKind::Changed, d);
                }
            }
            (None, None) => continue,
        }
        // Cite changes are told once, on the measure, not again per item.
        let measure = MeasurePair {
            number: n,
            cites_changed: a.is_some_and(|a| b.is_some_and(|b| a.cites != b.cites)),
            removed: b.is_none(),
        };
        measure_items(old, new, &measure, &renames, out);
    }
}

/// A measure as both versions have it, for its items' changes.
struct MeasurePair {
    number: u32,
    /// Its cites changed: told on the measure, not again on each item.
    cites_changed: bool,
    /// Only the old version has it: its items go with it.
    removed: bool,
}

/// The changes of the items of measure `m`: each of the old version's
/// (changed, moved, renamed or removed), then those only the new one has.
fn measure_items(
    old: &Policy,
    new: &Policy,
    m: &MeasurePair,
    renames: &BTreeMap<String, String>,
    out: &mut Vec<Change>,
) {
    let n = m.number;
    for ia in items_of(old, n) {
        let path = format!("measure {n} / {}", ia.name());
        match new.item_index(ia.name()).and_then(|i| new.item(i)) {
            Some(ib) => {
                let mut d = item_changes(ia, ib);
                if m.cites_changed {
                    d.retain(|x| !x.starts_with("cite "));
                }
                let moved_to = new.measures.get(ib.measure).map(|m| m.number);
                if moved_to != Some(n) {
                    d.insert(0, format!("moved to measure {}", moved_to.unwrap_or(0)));
                }
                if !d.is_empty() {
                    change(out, path, ChangeKind::Changed, d);
                }
            }
            None => match renames.get(ia.name()) {
                Some(to) => change(
                    out,
                    path,
                    ChangeKind::Renamed,
                    vec![format!("`{}` → `{to}`", ia.name())],
                ),
                None if m.removed => {}
                None => change(
                    out,
                    path,
                    ChangeKind::Removed,
                    vec![format!("{} {}", ia.kind().keyword(), rule(ia))],
                ),
            },
        }
    }
    for ib in items_of(new, n) {
        let known = old.item_index(ib.name()).is_some() || renames.values().any(|v| v == ib.name());
        if !known {
            change(
                out,
                format!("measure {n} / {}", ib.name()),
                ChangeKind::Added,
                vec![format!("{} {}", ib.kind().keyword(), rule(ib))],
            );
        }
    }
}

/// An item's rule in one line: its value and its condition.
fn rule(i: &ItemInfo) -> String {
    let body = match &i.ast.body {
        ItemBody::Value(e) => expr_text(e),
        ItemBody::AtMost(e) => format!("at most {}", expr_text(e)),
        ItemBody::AtLeast(e) => format!("at least {}", expr_text(e)),
    };
    match &i.ast.when {
        Some(w) => format!("= {body} when {}", expr_text(w)),
        None => format!("= {body}"),
    }
}

/// Old names of items that reappear under a new name with the same rule.
fn renames(old: &Policy, new: &Policy) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let gone: Vec<&ItemInfo> = old
        .items
        .iter()
        .filter(|i| new.item_index(i.name()).is_none())
        .collect();
    let fresh: Vec<&ItemInfo> = new
        .items
        .iter()
        .filter(|i| old.item_index(i.name()).is_none())
        .collect();
    for g in gone {
        let same = fresh.iter().find(|f| {
            f.kind() == g.kind()
                && f.ast.body == g.ast.body
                && f.ast.when == g.ast.when
                && f.ast.each == g.ast.each
                && !out.values().any(|v: &String| v == f.name())
        });
        if let Some(f) = same {
            out.insert(g.name().to_string(), f.name().to_string());
        }
    }
    out
}

fn cite_changes(a: &[String], b: &[String], d: &mut Vec<String>) {
    for c in b.iter().filter(|c| !a.contains(c)) {
        d.push(format!("cite added: “{c}”"));
    }
    for c in a.iter().filter(|c| !b.contains(c)) {
        d.push(format!("cite removed: “{c}”"));
    }
}

fn item_changes(a: &ItemInfo, b: &ItemInfo) -> Vec<String> {
    let mut d = Vec::new();
    if a.kind() != b.kind() {
        d.push(format!(
            "kind {} → {}",
            a.kind().keyword(),
            b.kind().keyword()
        ));
    }
    if a.ast.label != b.ast.label {
        let l = |x: &Option<Text>| {
            x.as_ref()
                .map_or("(none)".to_string(), |t| format!("“{}”", t.node))
        };
        d.push(format!("label {} → {}", l(&a.ast.label), l(&b.ast.label)));
    }
    match (&a.ast.body, &b.ast.body) {
        (ItemBody::Value(x), ItemBody::Value(y))
        | (ItemBody::AtMost(x), ItemBody::AtMost(y))
        | (ItemBody::AtLeast(x), ItemBody::AtLeast(y)) => expr_changes(x, y, Role::Value, &mut d),
        (x, y) => d.push(format!("rule `{}` → `{}`", body_text(x), body_text(y))),
    }
    condition_changes(a.ast.when.as_ref(), b.ast.when.as_ref(), &mut d);
    if a.ast.by != b.ast.by {
        let v = |x: &Option<crate::span::Spanned<jiff::civil::Date>>| {
            x.as_ref().map_or("(none)".into(), |d| d.node.to_string())
        };
        d.push(format!("deadline {} → {}", v(&a.ast.by), v(&b.ast.by)));
    }
    if a.ast.concerns != b.ast.concerns {
        d.push("whom it concerns changed".into());
    }
    if a.ast.each != b.ast.each {
        let e = |x: &Option<ForEach>| {
            x.as_ref().map_or("once per enterprise".into(), |e| {
                format!("for each {} in {}", e.var.node, e.list.node)
            })
        };
        d.push(format!("evaluated {} → {}", e(&a.ast.each), e(&b.ast.each)));
    }
    cite_changes(&a.cites, &b.cites, &mut d);
    d
}

fn body_text(b: &ItemBody) -> String {
    match b {
        ItemBody::Value(e) => expr_text(e),
        ItemBody::AtMost(e) => format!("at most {}", expr_text(e)),
        ItemBody::AtLeast(e) => format!("at least {}", expr_text(e)),
    }
}

/// The part a literal plays, for describing its change.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Value,
    Cap,
    Floor,
    Rate,
    Threshold,
    Amount,
    Bracket,
}

impl Role {
    fn word(self, e: &Expr) -> &'static str {
        match self {
            Role::Cap => "cap",
            Role::Floor => "floor",
            Role::Rate => "rate",
            Role::Threshold => "threshold",
            Role::Amount => "amount",
            Role::Bracket => "upper bound",
            Role::Value => match &e.node {
                ExprKind::Lit(Literal {
                    value: LitValue::Quantity(Unit::Rate, _),
                    ..
                }) => "rate",
                ExprKind::Lit(Literal {
                    value: LitValue::Quantity(Unit::Money, _),
                    ..
                }) => "amount",
                _ => "value",
            },
        }
    }
}

/// Literal changes in two expressions of the same shape, named by role;
/// a change of shape is reported whole. (One arm per kind of expression,
/// each the same few lines: longer than most functions here, but split it
/// would scatter one table.)
fn expr_changes(a: &Expr, b: &Expr, role: Role, d: &mut Vec<String>) {
    if a == b {
        return;
    }
    let is_and = |e: &Expr| {
        matches!(
            e.node,
            ExprKind::Binary(BinaryOp::And, ..) | ExprKind::Chain(BinaryOp::And, _)
        )
    };
    if is_and(a) || is_and(b) {
        and_changes(a, b, d);
        return;
    }
    let is_rate = |e: &Expr| {
        matches!(
            &e.node,
            ExprKind::Lit(Literal {
                value: LitValue::Quantity(Unit::Rate, _),
                ..
            })
        )
    };
    match (&a.node, &b.node) {
        (ExprKind::Lit(x), ExprKind::Lit(y)) => {
            let _ = y;
            let word = role.word(a);
            d.push(format!("{word} {} → {}", x.raw, lit_raw(b)));
        }
        (ExprKind::Name(x), ExprKind::Name(y)) => d.push(format!("uses `{y}` instead of `{x}`")),
        (ExprKind::Unary(UnaryOp::Soft, x), _)
            if !matches!(b.node, ExprKind::Unary(UnaryOp::Soft, _)) =>
        {
            d.push("the cap is no longer soft (原则上)".into());
            expr_changes(x, b, role, d);
        }
        (_, ExprKind::Unary(UnaryOp::Soft, y))
            if !matches!(a.node, ExprKind::Unary(UnaryOp::Soft, _)) =>
        {
            d.push("the cap became soft (原则上)".into());
            expr_changes(a, y, role, d);
        }
        (ExprKind::Unary(o1, x), ExprKind::Unary(o2, y)) if o1 == o2 => expr_changes(x, y, role, d),
        (ExprKind::Binary(o1, l1, r1), ExprKind::Binary(o2, l2, r2)) if o1 == o2 => {
            let (rl, rr) = if *o1 == BinaryOp::Mul {
                (
                    if is_rate(l1) { Role::Rate } else { role },
                    if is_rate(r1) { Role::Rate } else { role },
                )
            } else {
                (role, role)
            };
            expr_changes(l1, l2, rl, d);
            expr_changes(r1, r2, rr, d);
        }
        (ExprKind::Chain(o1, t1), ExprKind::Chain(o2, t2)) if o1 == o2 && t1.len() == t2.len() => {
            for (x, y) in t1.iter().zip(t2) {
                let r = if *o1 == BinaryOp::Mul && is_rate(x) {
                    Role::Rate
                } else {
                    role
                };
                expr_changes(x, y, r, d);
            }
        }
        (ExprKind::Call(f1, a1), ExprKind::Call(f2, a2)) if f1 == f2 && a1.len() == a2.len() => {
            for (i, (x, y)) in a1.iter().zip(a2).enumerate() {
                let r = match (f1, i) {
                    (_, 0) => role,
                    (Builtin::Min, _) => Role::Cap,
                    (Builtin::Max, _) => Role::Floor,
                    _ => Role::Value,
                };
                expr_changes(x, y, r, d);
            }
        }
        (ExprKind::If(c1, t1, e1), ExprKind::If(c2, t2, e2)) => {
            condition_changes(Some(c1), Some(c2), d);
            expr_changes(t1, t2, role, d);
            expr_changes(e1, e2, role, d);
        }
        (ExprKind::Tiers(t1), ExprKind::Tiers(t2))
            if t1.rows.len() == t2.rows.len()
                && t1.cmp == t2.cmp
                && t1.prior.is_some() == t2.prior.is_some() =>
        {
            expr_changes(&t1.subject, &t2.subject, Role::Value, d);
            if let (Some(p1), Some(p2)) = (&t1.prior, &t2.prior) {
                at(Some("prior peak"), d, |d| {
                    expr_changes(p1, p2, Role::Value, d)
                });
            }
            for (i, ((th1, v1), (th2, v2))) in t1.rows.iter().zip(&t2.rows).enumerate() {
                at(row_place(t1, i).as_deref(), d, |d| {
                    expr_changes(th1, th2, Role::Threshold, d);
                    expr_changes(v1, v2, Role::Amount, d);
                });
            }
            match (&t1.otherwise, &t2.otherwise) {
                (Some(x), Some(y)) => {
                    at(Some("else row"), d, |d| expr_changes(x, y, Role::Amount, d))
                }
                (None, None) => {}
                _ => d.push("else row added or removed".into()),
            }
        }
        (ExprKind::Schedule(s1), ExprKind::Schedule(s2))
            if s1.brackets.len() == s2.brackets.len() =>
        {
            expr_changes(&s1.base, &s2.base, Role::Value, d);
            for (i, ((b1, r1), (b2, r2))) in s1.brackets.iter().zip(&s2.brackets).enumerate() {
                at(bracket_place(s1, i).as_deref(), d, |d| {
                    expr_changes(b1, b2, Role::Bracket, d);
                    expr_changes(r1, r2, Role::Rate, d);
                });
            }
            match (&s1.above, &s2.above) {
                (Some(x), Some(y)) => {
                    let place = bracket_place(s1, s1.brackets.len());
                    at(place.as_deref(), d, |d| expr_changes(x, y, Role::Rate, d));
                }
                (None, None) => {}
                _ => d.push("above row added or removed".into()),
            }
        }
        _ if dated::involved(a, b) => dated::changes(a, b, d),
        _ => d.push(format!("rule `{}` → `{}`", expr_text(a), expr_text(b))),
    }
}

/// The changes `f` finds, each told with the place they are in: "row 2
/// (revenue >= 100亿): amount 300万 → 200万".
/// The changes in one place are one line; a table of a single row needs
/// no place (`None`).
fn at(place: Option<&str>, d: &mut Vec<String>, f: impl FnOnce(&mut Vec<String>)) {
    let mut inner = Vec::new();
    f(&mut inner);
    match place {
        Some(place) if !inner.is_empty() => d.push(format!("{place}: {}", inner.join(", "))),
        _ => d.extend(inner),
    }
}

/// A tier table's row as a drafter finds it: its number and its test in
/// the old version (`row 2 (revenue >= 100亿)`); none for a table of one
/// row.
fn row_place(t: &Tiers, i: usize) -> Option<String> {
    if t.rows.len() == 1 && t.otherwise.is_none() {
        return None;
    }
    Some(match t.rows.get(i) {
        Some((threshold, _)) => format!(
            "row {} ({} {} {})",
            i + 1,
            expr_text(&t.subject),
            t.cmp.symbol(),
            expr_text(threshold)
        ),
        None => format!("row {}", i + 1),
    })
}

/// A schedule's bracket as a drafter finds it: its number and where it
/// starts in the old version (`bracket 1 (up to 1000万)`, `bracket 2 (over
/// 1000万)`); the `above` row is the bracket after the last bound. None
/// for a schedule of one bracket.
fn bracket_place(s: &Schedule, i: usize) -> Option<String> {
    if s.brackets.len() == 1 && s.above.is_none() {
        return None;
    }
    let from = i.checked_sub(1).and_then(|p| s.brackets.get(p));
    Some(match (from, s.brackets.first()) {
        (Some((lower, _)), _) => format!("bracket {} (over {})", i + 1, lit_raw(lower)),
        (None, Some((upper, _))) => format!("bracket 1 (up to {})", lit_raw(upper)),
        (None, None) => format!("bracket {}", i + 1),
    })
}

fn lit_raw(e: &Expr) -> String {
    match &e.node {
        ExprKind::Lit(l) => l.raw.clone(),
        _ => expr_text(e),
    }
}

/// The conjuncts of `a and b and c`.
fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match &e.node {
        ExprKind::Binary(BinaryOp::And, l, r) => {
            let mut v = conjuncts(l);
            v.extend(conjuncts(r));
            v
        }
        ExprKind::Chain(BinaryOp::And, terms) => terms.iter().flat_map(conjuncts).collect(),
        _ => vec![e],
    }
}

fn condition_changes(a: Option<&Expr>, b: Option<&Expr>, d: &mut Vec<String>) {
    match (a, b) {
        (None, None) => {}
        (None, Some(y)) => d.push(format!("condition added: `{}`", expr_text(y))),
        (Some(x), None) => d.push(format!("condition removed: `{}`", expr_text(x))),
        (Some(x), Some(y)) => and_changes(x, y, d),
    }
}

/// Changes between two conditions, conjunct by conjunct: a conjunct
/// gained or lost, or one whose threshold moved.
fn and_changes(x: &Expr, y: &Expr, d: &mut Vec<String>) {
    if x == y {
        return;
    }
    let (cx, cy) = (conjuncts(x), conjuncts(y));
    let mut gained: Vec<&Expr> = cy.iter().copied().filter(|c| !cx.contains(c)).collect();
    let lost: Vec<&Expr> = cx.iter().copied().filter(|c| !cy.contains(c)).collect();
    let mut unpaired_lost = Vec::new();
    for l in lost {
        // A conjunct of the same shape that changed only in its literals.
        let pair = gained.iter().position(|g| {
            let mut sub = Vec::new();
            expr_changes(l, g, Role::Threshold, &mut sub);
            sub.iter()
                .all(|s| !s.starts_with("rule") && !s.starts_with("uses"))
        });
        match pair {
            Some(i) => {
                let g = gained.remove(i);
                let mut sub = Vec::new();
                expr_changes(l, g, Role::Threshold, &mut sub);
                d.extend(sub.into_iter().map(|s| format!("condition: {s}")));
            }
            None => unpaired_lost.push(l),
        }
    }
    if cx.len() == 1 && cy.len() == 1 && gained.len() == 1 && unpaired_lost.len() == 1 {
        d.push(format!("condition `{}` → `{}`", expr_text(x), expr_text(y)));
        return;
    }
    for g in gained {
        d.push(format!("condition gained `and {}`", expr_text(g)));
    }
    for l in unpaired_lost {
        d.push(format!("condition lost `and {}`", expr_text(l)));
    }
}
