//! Expressions printed for explanations, naming facts by their labels.
//!
//! `min(20% * tech_upgrade_investment, 5000万)` reads in an explanation as
//! `min(20% × 技术改造项目投资额, 5000万)`; tables are shown by their head,
//! `tiers 年度产值 {…}`, their rows being explained one by one. The printing
//! itself is the one expression printer ([`crate::syntax::print`]).

use crate::ast::{Expr, Name};
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
    let style = Style {
        surface: Surface::English,
        names: Names::By(&|name, out| out.push_str(display_name(policy, name))),
        symbols: Symbols::Math,
    };
    Printer::new(style, Tables::Elided).without_marks().print(e)
}
