//! Expressions printed for explanations, naming facts by their labels.
//!
//! `min(20% * tech_upgrade_investment, 5000万)` reads in an explanation as
//! `min(20% × 技术改造项目投资额, 5000万)`; tables are shown by their head,
//! `tiers 年度产值 {…}`, their rows being explained one by one. The printing
//! itself is the one expression printer ([`crate::syntax::print`]).

use crate::ast::{Expr, ExprKind, Name};
use crate::check::Policy;
use crate::syntax::keywords::Surface;
use crate::syntax::print::{Names, Printer, Style, Symbols, Tables};

/// The display name of a name: a fact's, param's, item's or enum value's
/// label when it has one.
pub fn display_name<'p>(policy: &'p Policy, name: &'p Name) -> &'p str {
    name.symbol
        .and_then(|s| policy.label_of(s))
        .unwrap_or(&name.text)
}

/// Prints an expression for an explanation.
pub fn describe(policy: &Policy, e: &Expr) -> String {
    // A literal or a name prints as the printer would print it, without
    // setting one up: they are most of an explanation's steps.
    match &e.node {
        ExprKind::Lit(l) => return l.raw.clone(),
        ExprKind::Name(n) => return display_name(policy, n).to_owned(),
        _ => {}
    }
    printed(policy, e)
}

/// Prints an expression for an explanation with the printer itself.
fn printed(policy: &Policy, e: &Expr) -> String {
    let style = Style {
        surface: Surface::English,
        names: Names::By(&|name, out| out.push_str(display_name(policy, name))),
        symbols: Symbols::Math,
    };
    Printer::new(style, Tables::Elided).without_marks().print(e)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::ast::walk_exprs;
    use crate::span::SourceFile;

    /// The short cut for literals and names prints what the printer does,
    /// on every expression of every bundled policy and example.
    #[test]
    fn leaves_read_as_the_printer_prints_them() {
        let mut files = Vec::new();
        for dir in ["policies", "examples", "examples/bench", "examples/tax"] {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|x| x == "decree") {
                    files.push(path);
                }
            }
        }
        let mut leaves = 0;
        for path in files {
            let text = std::fs::read_to_string(&path).expect("readable");
            let Ok(policy) = crate::load(&SourceFile::new(path.display().to_string(), text)) else {
                continue;
            };
            let mut exprs: Vec<&Expr> = Vec::new();
            for item in &policy.items {
                walk_exprs(item.ast.body.expr(), &mut |e| exprs.push(e));
                if let Some(w) = &item.ast.when {
                    walk_exprs(w, &mut |e| exprs.push(e));
                }
            }
            for p in &policy.params {
                if let Some(v) = &p.value {
                    walk_exprs(v, &mut |e| exprs.push(e));
                }
            }
            for e in exprs {
                if matches!(e.node, ExprKind::Lit(_) | ExprKind::Name(_)) {
                    leaves += 1;
                }
                assert_eq!(
                    describe(&policy, e),
                    printed(&policy, e),
                    "{}",
                    path.display()
                );
            }
        }
        assert!(leaves > 300, "only {leaves} leaves seen");
    }
}
