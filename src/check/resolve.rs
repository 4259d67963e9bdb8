//! Names: each use resolved to what it declares, and the one "did you
//! mean" that every unknown name in decree is answered with.

use std::collections::HashMap;

use super::{Checker, MAX_ERRORS, Policy};
use crate::ast::{Expr, ExprKind, Ident, Symbol, walk_exprs_mut};
use crate::diagnostic::{Code, Diagnostic};

/// The one "did you mean", kept with the diagnostics so that every stage
/// (the parser's unknown functions too) suggests alike.
pub use crate::diagnostic::suggest;

/// Resolves every name in `e` to what `policy` declares (names it does not
/// declare stay unresolved): for expressions written outside the policy's
/// rules, such as a test's expected values.
pub fn resolve_names(policy: &Policy, e: &mut Expr) {
    resolve_expr(e, &policy.names);
}

/// Sets the symbol of every name in `e` from `names`.
pub(super) fn resolve_expr(e: &mut Expr, names: &HashMap<String, Symbol>) {
    walk_exprs_mut(e, &mut |x| {
        if let ExprKind::Name(n) = &mut x.node {
            n.symbol = names.get(&n.text).copied();
        }
    });
}

impl Checker<'_> {
    /// Resolves the names of every item's rule and condition and of every
    /// param's value, once all declarations are collected.
    pub(super) fn resolve_names(&mut self) {
        let names = &self.policy.names;
        for item in &mut self.policy.items {
            let ast = &mut item.ast;
            resolve_expr(ast.body.expr_mut(), names);
            if let Some(w) = &mut ast.when {
                resolve_expr(w, names);
            }
        }
        for p in &mut self.policy.params {
            if let Some(v) = &mut p.value {
                resolve_expr(v, names);
            }
        }
    }

    /// An unknown-name diagnostic with a "did you mean" from the names that
    /// `fits` accepts.
    pub(super) fn unknown(
        &self,
        name: &Ident,
        what: &str,
        fits: impl Fn(Symbol) -> bool,
    ) -> Diagnostic {
        // Past the errors that will be shown, a suggestion is wasted work.
        let best = if self.errors.len() < MAX_ERRORS {
            let current = self.current.as_deref();
            let candidates = self
                .policy
                .names
                .iter()
                .filter(|(n, sym)| fits(**sym) && Some(n.as_str()) != current)
                .map(|(n, _)| n.as_str());
            suggest(&name.node, candidates)
        } else {
            None
        };
        let d = Diagnostic::error(Code::UnknownName, format!("unknown {what} `{}`", name.node))
            .label(name.span, "not declared");
        match best {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None if what == "type" => d.help(
                "a type is money, rate, count, area, duration, date, bool, text or a declared enum",
            ),
            None => d.help(format!(
                "declare it first, e.g. `fact {}: money \"…\"`",
                name.node
            )),
        }
    }
}
