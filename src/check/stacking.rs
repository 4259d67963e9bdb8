//! Rules across the items of one enterprise (issue 16): `amount_of`,
//! stacking groups (`exclusive`, 就高不重复) and cumulative caps (`cap`,
//! 累计上限), checked.
//!
//! Groups and caps are decided by the evaluator once all their members are
//! evaluated, so a rule that uses a member sees it as its group and cap
//! leave it. This pass therefore (a) collects groups and caps into
//! [`super::GroupInfo`] / [`super::CapInfo`], (b) refuses what cannot be
//! decided that way — a non-monetary member, an item in two groups or two
//! caps, a member that uses another member of its own groups and caps —
//! and (c) makes every other user of a member depend on all the items
//! linked to it by groups and caps (its *cluster*), so that the checked
//! order puts the user after the cluster is decided.

use std::collections::HashMap;

use super::{CapInfo, Checker, Env, GroupInfo};
use crate::ast::{
    Builtin, CapDecl, Covered, Decl, Exclusive, Expr, ExprKind, Ident, ItemId, Name, Program,
    Symbol,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::units::Unit;

impl Checker<'_> {
    /// Collects every stacking group and cap, once every item is declared.
    pub(super) fn collect_across(&mut self, program: &Program) {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for decl in &program.decls {
            let (name, kind) = match decl {
                Decl::Exclusive(g) => (&g.name, "stacking group"),
                Decl::Cap(c) => (&c.name, "cap"),
                _ => continue,
            };
            if let Some(prev) = seen.insert(name.node.clone(), name.span) {
                self.error(
                    Diagnostic::error(
                        Code::Duplicate,
                        format!("the {kind} `{}` is declared twice", name.node),
                    )
                    .label(name.span, "declared again here")
                    .label(prev, "first declared here")
                    .help("every stacking group and cap needs a name of its own"),
                );
                continue;
            }
            match decl {
                Decl::Exclusive(g) => self.collect_group(g),
                Decl::Cap(c) => self.collect_cap(c),
                _ => {}
            }
        }
        self.one_group_and_one_cap_each();
    }

    fn collect_group(&mut self, g: &Exclusive) {
        let members = self.members(g.members.iter(), "stacking group");
        // Counted as written: a member already reported does not make
        // the group short too.
        if g.members.len() < 2 {
            self.error(
                Diagnostic::error(
                    Code::Stacking,
                    format!(
                        "the stacking group `{}` has fewer than two members",
                        g.name.node
                    ),
                )
                .label(g.name.span, "needs two members or more")
                .help("a stacking group (就高不重复) keeps one of several items: name them all"),
            );
        }
        let per = self.per_record(g.per.as_ref(), &members, "stacking group", &g.name.node);
        self.policy.groups.push(GroupInfo {
            name: g.name.node.clone(),
            label: g.label.as_ref().map(|l| l.node.clone()),
            in_order: g.in_order,
            per,
            members,
            span: g.name.span,
        });
    }

    fn collect_cap(&mut self, c: &CapDecl) {
        let mut amount = c.amount.clone();
        super::resolve::resolve_expr(&mut amount, &self.policy.names);
        if let Some(u) = self.infer(&amount, &mut Env::Constant) {
            if u != Unit::Money {
                self.error(
                    Diagnostic::error(
                        Code::UnitMismatch,
                        format!(
                            "the cap `{}` must be an amount of money, not {}",
                            c.name.node,
                            self.policy.unit_name(u)
                        ),
                    )
                    .label(amount.span, format!("this is {}", self.policy.unit_name(u)))
                    .help("write e.g. `= 1000万` or a money param"),
                );
            }
        }
        let mut named = Vec::new();
        let mut items = Vec::new();
        for o in &c.over {
            match o {
                Covered::Item(i) => named.push(i),
                Covered::Measure(n) => {
                    let found = self.policy.measures.iter().find(|m| m.number == n.node);
                    match found {
                        Some(m) => items.extend(m.items.iter().copied().filter(|&i| {
                            self.policy
                                .item(i)
                                .is_some_and(|it| it.kind().is_monetary())
                        })),
                        None => self.error(
                            Diagnostic::error(
                                Code::UnknownName,
                                format!(
                                    "the cap `{}` covers measure {}, which does not exist",
                                    c.name.node, n.node
                                ),
                            )
                            .label(n.span, "no such measure")
                            .help("name a measure the policy declares, by its number"),
                        ),
                    }
                }
            }
        }
        items.extend(self.members(named.into_iter(), "cap"));
        let mut once = Vec::new();
        for i in items {
            if !once.contains(&i) {
                once.push(i);
            }
        }
        let per = self.per_record(c.per.as_ref(), &once, "cap", &c.name.node);
        self.policy.caps.push(CapInfo {
            name: c.name.node.clone(),
            label: c.label.as_ref().map(|l| l.node.clone()),
            amount,
            rule: c.rule.node,
            per,
            items: once,
            span: c.name.span,
        });
    }

    /// The items named, each a declared monetary item (an unknown one is
    /// reported with a "did you mean" among the monetary items).
    fn members<'i>(&mut self, names: impl Iterator<Item = &'i Ident>, what: &str) -> Vec<ItemId> {
        let mut out: Vec<ItemId> = Vec::new();
        for name in names {
            let Some(id) = self.monetary_item(name, what) else {
                continue;
            };
            if out.contains(&id) {
                self.error(
                    Diagnostic::error(
                        Code::Duplicate,
                        format!("`{}` is named twice in this {what}", name.node),
                    )
                    .label(name.span, "named again here")
                    .help("name each member once"),
                );
                continue;
            }
            out.push(id);
        }
        out
    }

    /// The monetary item `name` names, or a diagnostic for it.
    fn monetary_item(&mut self, name: &Ident, what: &str) -> Option<ItemId> {
        let monetary = |p: &super::Policy, s: Symbol| match s {
            Symbol::Item(i) => p.item(i).is_some_and(|it| it.kind().is_monetary()),
            _ => false,
        };
        match self.policy.lookup(&name.node) {
            Some(Symbol::Item(i)) if monetary(&self.policy, Symbol::Item(i)) => Some(i),
            Some(Symbol::Item(i)) => {
                let kind = self.policy.item(i).map_or("?", |it| it.kind().keyword());
                self.error(
                    Diagnostic::error(
                        Code::Stacking,
                        format!("`{}` is {}, not an amount of money", name.node, article(kind)),
                    )
                    .label(name.span, article(kind))
                    .help(format!(
                        "{} takes monetary items only (subsidy, award, interest_subsidy, matching, tax_relief)",
                        article(what)
                    )),
                );
                None
            }
            _ => {
                let policy = self.policy.clone();
                let d = self.unknown(name, "monetary item", |s| monetary(&policy, s));
                self.error(d);
                None
            }
        }
    }

    /// An item may stand in one stacking group and one cap at most: in
    /// two groups, which one decides it would depend on the order they are
    /// decided in; in two caps, likewise.
    fn one_group_and_one_cap_each(&mut self) {
        let mut twice = Vec::new();
        for (what, lists) in [
            (
                "stacking group",
                self.policy
                    .groups
                    .iter()
                    .map(|g| (g.name.clone(), g.span, g.members.clone()))
                    .collect::<Vec<_>>(),
            ),
            (
                "cap",
                self.policy
                    .caps
                    .iter()
                    .map(|c| (c.name.clone(), c.span, c.items.clone()))
                    .collect(),
            ),
        ] {
            let mut first: HashMap<ItemId, (String, Span)> = HashMap::new();
            for (name, span, items) in lists {
                for i in items {
                    if let Some((prev, prev_span)) = first.get(&i).cloned() {
                        twice.push((what, i, name.clone(), span, prev, prev_span));
                    } else {
                        first.insert(i, (name.clone(), span));
                    }
                }
            }
        }
        for (what, i, name, span, prev, prev_span) in twice {
            let item = self.policy.item(i).map_or("?", |it| it.name()).to_string();
            self.error(
                Diagnostic::error(
                    Code::Stacking,
                    format!("`{item}` stands in two {what}s, `{prev}` and `{name}`"),
                )
                .label(span, format!("`{name}` takes `{item}` again"))
                .label(prev_span, format!("`{prev}` takes it first"))
                .help(format!(
                    "an item stands in one {what} at most, so that the order in which they apply never matters; merge the two"
                )),
            );
        }
    }

    /// Every item linked to each item by groups and caps (itself
    /// included), `None` for an item in none.
    fn clusters(&self) -> Vec<Option<usize>> {
        let n = self.policy.items.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut x: usize) -> usize {
            while let Some(&p) = parent.get(x) {
                if p == x {
                    break;
                }
                let gp = parent.get(p).copied().unwrap_or(p);
                if let Some(slot) = parent.get_mut(x) {
                    *slot = gp;
                }
                x = gp;
            }
            x
        }
        let mut linked = vec![false; n];
        let lists = self
            .policy
            .groups
            .iter()
            .map(|g| &g.members)
            .chain(self.policy.caps.iter().map(|c| &c.items));
        for list in lists {
            let Some(first) = list.first() else { continue };
            for i in list {
                if let Some(l) = linked.get_mut(i.0) {
                    *l = true;
                }
                let (a, b) = (root(&mut parent, first.0), root(&mut parent, i.0));
                if let Some(slot) = parent.get_mut(a) {
                    *slot = b;
                }
            }
        }
        (0..n)
            .map(|i| {
                linked
                    .get(i)
                    .copied()
                    .unwrap_or(false)
                    .then(|| root(&mut parent, i))
            })
            .collect()
    }

    /// Refuses a member that uses another item of its own cluster, and
    /// makes every other user of a member depend on the whole cluster.
    pub(super) fn across_dependencies(&mut self, deps: &mut [Vec<(usize, Span)>]) {
        if self.policy.groups.is_empty() && self.policy.caps.is_empty() {
            return;
        }
        let cluster = self.clusters();
        let of = |i: usize| cluster.get(i).copied().flatten();
        let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, c) in cluster.iter().enumerate() {
            if let Some(c) = c {
                members.entry(*c).or_default().push(i);
            }
        }
        let mut inside = Vec::new();
        for (user, uses) in deps.iter_mut().enumerate() {
            let mut more = Vec::new();
            for &(used, span) in uses.iter() {
                let Some(c) = of(used) else { continue };
                if of(user) == Some(c) {
                    inside.push((user, used, span));
                    continue;
                }
                for &k in members.get(&c).into_iter().flatten() {
                    if k != used {
                        more.push((k, span));
                    }
                }
            }
            uses.extend(more);
        }
        for (user, used, span) in inside {
            let name = |i: usize| {
                self.policy
                    .items
                    .get(i)
                    .map_or("?", |it| it.name())
                    .to_string()
            };
            self.poisoned.insert(ItemId(user));
            self.error(
                Diagnostic::error(
                    Code::Stacking,
                    format!(
                        "`{}` uses `{}`, which stands in the same stacking group or cap",
                        name(user),
                        name(used)
                    ),
                )
                .label(span, "a member of the same group or cap")
                .help(
                    "groups and caps are decided after all their members, from the members' own amounts: compute a member from the facts, not from another member",
                ),
            );
        }
    }

    /// `amount_of(item)`: money, for a monetary item named directly.
    pub(super) fn amount_of(&mut self, args: &[Expr], env: &mut Env, span: Span) -> Option<Unit> {
        if !self.arity_of_amount(args.len(), span) {
            return None;
        }
        let arg = args.first()?;
        let ExprKind::Name(Name { text, symbol }) = &arg.node else {
            self.infer(arg, env);
            self.error(
                Diagnostic::error(Code::Stacking, "`amount_of` takes the name of an item")
                    .label(arg.span, "not an item's name")
                    .help("write `amount_of(item)`, e.g. `max(amount_of(a), amount_of(b))`"),
            );
            return None;
        };
        let ident = Ident::new(text.clone(), arg.span);
        if matches!(env, Env::Constant) || !matches!(symbol, Some(Symbol::Item(_))) {
            // A param's value, or a name that is no item: said as for
            // any name, then what `amount_of` wants.
            if matches!(symbol, Some(Symbol::Item(_)) | None) {
                self.infer(arg, env);
                return None;
            }
        }
        match symbol {
            Some(Symbol::Item(i)) if self.poisoned.contains(i) => None,
            _ => self.monetary_item(&ident, "amount_of").map(|_| Unit::Money),
        }
    }

    /// Whether `amount_of` has its one argument; reports it if not.
    fn arity_of_amount(&mut self, n: usize, span: Span) -> bool {
        if n == 1 {
            return true;
        }
        self.error(
            Diagnostic::error(
                Code::Invalid,
                format!(
                    "`amount_of` takes 1 argument: {}",
                    Builtin::AmountOf.signature()
                ),
            )
            .label(span, format!("called with {n} argument(s)")),
        );
        false
    }
}

/// `a cap`, `an eligibility`: a word with its article.
fn article(word: &str) -> String {
    if word == "amount_of" {
        return "`amount_of`".into();
    }
    let an = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if an { "an" } else { "a" })
}
