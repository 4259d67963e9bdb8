//! Order: items after the items they use, params after the params they
//! use, and every circle among them reported with its path.

use super::{Checker, ItemInfo};
use crate::ast::{Expr, ExprKind, ItemId, Name, ParamId, Symbol, walk_exprs};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

impl Checker<'_> {
    /// For each item, the items it uses, with the span of each use.
    pub(super) fn dependencies(&self) -> Vec<Vec<(usize, Span)>> {
        let uses = |item: &ItemInfo| {
            let mut uses = Vec::new();
            let mut note = |e: &Expr| {
                if let ExprKind::Name(Name {
                    symbol: Some(Symbol::Item(j)),
                    ..
                }) = &e.node
                {
                    uses.push((j.0, e.span));
                }
            };
            walk_exprs(item.ast.body.expr(), &mut note);
            if let Some(w) = &item.ast.when {
                walk_exprs(w, &mut note);
            }
            uses
        };
        self.policy.items.iter().map(uses).collect()
    }

    /// Orders the items so each comes after those it uses; a circle is an
    /// error, and its items are poisoned.
    pub(super) fn order_items(&mut self, deps: &[Vec<(usize, Span)>]) {
        let (order, cycles) = topological_order(deps);
        for cycle in cycles {
            self.poisoned.extend(cycle.iter().map(|&i| ItemId(i)));
            let names: Vec<String> = cycle
                .iter()
                .map(|&i| {
                    self.policy
                        .items
                        .get(i)
                        .map_or("?", |it| it.name())
                        .to_string()
                })
                .collect();
            self.report_cycle("items", &cycle, &names, deps);
        }
        self.policy.order = order.into_iter().map(ItemId).collect();
    }

    /// Params may use other params; a circle among them is an error too.
    pub(super) fn check_param_cycles(&mut self) {
        let deps: Vec<Vec<(usize, Span)>> = self
            .policy
            .params
            .iter()
            .map(|p| {
                let mut uses = Vec::new();
                if let Some(v) = &p.value {
                    walk_exprs(v, &mut |e| {
                        if let ExprKind::Name(Name {
                            symbol: Some(Symbol::Param(j)),
                            ..
                        }) = &e.node
                        {
                            uses.push((j.0, e.span));
                        }
                    });
                }
                uses
            })
            .collect();
        for cycle in topological_order(&deps).1 {
            let names: Vec<String> = cycle
                .iter()
                .map(|&i| {
                    self.policy
                        .params
                        .get(i)
                        .map_or("?", |p| p.name.as_str())
                        .to_string()
                })
                .collect();
            self.report_cycle("params", &cycle, &names, &deps);
            self.poisoned_params.extend(cycle.into_iter().map(ParamId));
        }
    }

    fn report_cycle(
        &mut self,
        what: &str,
        cycle: &[usize],
        names: &[String],
        deps: &[Vec<(usize, Span)>],
    ) {
        let name = |k: usize| names.get(k).cloned().unwrap_or_default();
        let mut path: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        if let Some(first) = path.first().cloned() {
            path.push(first);
        }
        let mut d = Diagnostic::error(
            Code::Cycle,
            format!(
                "{what} depend on each other in a circle: {}",
                path.join(" → ")
            ),
        );
        for (k, &from) in cycle.iter().enumerate() {
            let next = if k + 1 < cycle.len() { k + 1 } else { 0 };
            let to = cycle.get(next).copied().unwrap_or(from);
            let span = deps
                .get(from)
                .and_then(|d| d.iter().find(|(j, _)| *j == to))
                .map(|(_, s)| *s);
            if let Some(s) = span {
                d = d.label(s, format!("`{}` uses `{}`", name(k), name(next)));
            }
        }
        self.error(d.help("a value cannot depend on itself, directly or through others"));
    }
}

/// Orders nodes so each comes after its dependencies, by an iterative
/// depth-first search (no recursion, so no stack to overflow). Returns the
/// order and every cycle found, each once.
pub fn topological_order(deps: &[Vec<(usize, Span)>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let n = deps.len();
    let mut mark = vec![Mark::New; n];
    let mut order = Vec::with_capacity(n);
    let mut cycles = Vec::new();
    let mut reported = std::collections::HashSet::new();
    for root in 0..n {
        if mark.get(root) != Some(&Mark::New) {
            continue;
        }
        // (node, index of the next dependency to visit)
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        if let Some(m) = mark.get_mut(root) {
            *m = Mark::Active;
        }
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let edge = deps.get(node).and_then(|d| d.get(*next)).copied();
            *next += 1;
            let Some((dep, _)) = edge else {
                if let Some(m) = mark.get_mut(node) {
                    *m = Mark::Done;
                }
                order.push(node);
                stack.pop();
                continue;
            };
            match mark.get(dep).copied() {
                Some(Mark::New) => {
                    if let Some(m) = mark.get_mut(dep) {
                        *m = Mark::Active;
                    }
                    stack.push((dep, 0));
                }
                Some(Mark::Active) => {
                    let start = stack.iter().position(|(s, _)| *s == dep).unwrap_or(0);
                    let cycle: Vec<usize> = stack.iter().skip(start).map(|(s, _)| *s).collect();
                    let mut key = cycle.clone();
                    key.sort_unstable();
                    if reported.insert(key) {
                        cycles.push(cycle);
                    }
                }
                _ => {}
            }
        }
    }
    (order, cycles)
}
