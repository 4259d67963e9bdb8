//! Divisions whose result a policy keeps: a quotient that may not
//! terminate in decimals (`amount * budget / total_demand`) is exact in a
//! comparison, but an item's or a param's value must say how it rounds.
//! The checker warns of each such division before any evaluation, so the
//! drafter writes `round(…, 0.01元)` (or `round_down`, `round_up`) where
//! the policy means it; left unrounded, an evaluation whose quotient does
//! not terminate is a `decree::precision` error.
//!
//! Not warned of: a division inside `round`, `round_down` or `round_up`;
//! inside a comparison or a condition (decided exactly); by a constant
//! whose quotients always terminate (a literal like `2`, `4`, `100`, `1万`,
//! `20%`, or a param defined as one).

use rust_decimal::Decimal;

use super::Checker;
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::units::Unit;

impl Checker<'_> {
    /// Warns of every division an item or a param keeps unrounded.
    pub(super) fn warn_unrounded(&mut self) {
        let mut found: Vec<(String, crate::span::Span, Kept)> = Vec::new();
        for p in &self.policy.params {
            if let Some(v) = &p.value {
                self.kept_divisions(v, &mut |at, k| {
                    found.push((format!("param `{}`", p.name), at, k));
                });
            }
        }
        for it in &self.policy.items {
            let what = format!("`{}`", it.name());
            self.kept_divisions(it.ast.body.expr(), &mut |at, k| {
                found.push((what.clone(), at, k));
            });
        }
        for (what, at, kept) in found {
            let label = match kept {
                Kept::Division => "this division may not terminate",
                Kept::MuProduct => {
                    "an area in 亩 is 2000/3 平方米: this product with a price per 平方米 may not terminate"
                }
            };
            let d = Diagnostic::warning(
                Code::Precision,
                format!("{what} keeps a quotient that may not terminate, and does not say how it rounds"),
            )
            .label(at, label)
            .help(
                "wrap the value in round(…, 0.01元) (or round_down(…, 1元), round_up(…, 1万)) to say \
                 how it rounds; a comparison of it needs no rounding",
            )
            .in_source(self.src);
            self.policy.warnings.push(d);
        }
    }

    /// Calls `found` with the span of each division in `e` whose quotient is
    /// kept (see the module's rules).
    fn kept_divisions(&self, e: &Expr, found: &mut impl FnMut(crate::span::Span, Kept)) {
        match &e.node {
            ExprKind::Call(Builtin::Round | Builtin::RoundDown | Builtin::RoundUp, _)
            | ExprKind::Binary(
                BinaryOp::Cmp(_) | BinaryOp::And | BinaryOp::Or | BinaryOp::In,
                ..,
            )
            | ExprKind::Chain(BinaryOp::And | BinaryOp::Or, _) => {}
            ExprKind::Binary(BinaryOp::Mul, ..) | ExprKind::Chain(BinaryOp::Mul, _) => {
                if self.mu_product_may_not_terminate(e) {
                    found(e.span, Kept::MuProduct);
                }
                let mut factors = Vec::new();
                super::mu::product_factors(e, &mut factors);
                for f in factors {
                    self.kept_divisions(f, found);
                }
            }
            ExprKind::Binary(BinaryOp::Div, l, r) => {
                if !self.terminates(r) {
                    found(e.span, Kept::Division);
                }
                self.kept_divisions(l, found);
            }
            ExprKind::Chain(BinaryOp::Div, terms) => {
                if terms.iter().skip(1).any(|t| !self.terminates(t)) {
                    found(e.span, Kept::Division);
                }
                if let Some(first) = terms.first() {
                    self.kept_divisions(first, found);
                }
            }
            ExprKind::If(_, t, f) => {
                self.kept_divisions(t, found);
                self.kept_divisions(f, found);
            }
            ExprKind::Tiers(t) => {
                for (_, v) in &t.rows {
                    self.kept_divisions(v, found);
                }
                if let Some(o) = &t.otherwise {
                    self.kept_divisions(o, found);
                }
            }
            other => other.for_each_child(&mut |c| self.kept_divisions(c, found)),
        }
    }

    /// Whether every quotient by `e` terminates: `e` is a literal (or a
    /// param defined as one) whose digits have no prime factor but 2 and 5.
    fn terminates(&self, e: &Expr) -> bool {
        self.constant(e)
            .is_some_and(|(_, d)| terminating_divisor(d))
    }

    /// The unit and number of `e` when it is a literal quantity or a param
    /// defined as one (not through another param, so a cycle of params,
    /// reported elsewhere, cannot loop here).
    pub(super) fn constant(&self, e: &Expr) -> Option<(Unit, Decimal)> {
        let literal = |e: &Expr| match &e.node {
            ExprKind::Lit(Literal {
                value: LitValue::Quantity(unit, d),
                ..
            }) => Some((*unit, *d)),
            _ => None,
        };
        match &e.node {
            ExprKind::Name(Name {
                symbol: Some(Symbol::Param(i)),
                ..
            }) => self
                .policy
                .param(*i)
                .and_then(|p| p.value.as_ref())
                .and_then(literal),
            _ => literal(e),
        }
    }
}

/// What a kept value that may not terminate comes from.
#[derive(Debug, Clone, Copy)]
enum Kept {
    /// A division by what may not divide evenly.
    Division,
    /// A price per 平方米 times an area that may be in 亩 (see `check::mu`).
    MuProduct,
}

/// Whether every decimal divided by `d` gives a terminating decimal: `d`'s
/// digits, without their trailing zeros, are a product of 2s and 5s.
fn terminating_divisor(d: Decimal) -> bool {
    if d.is_zero() {
        return false;
    }
    let mut m = d.normalize().mantissa().unsigned_abs();
    for p in [2u128, 5] {
        while m.is_multiple_of(p) {
            m /= p;
        }
    }
    m == 1
}

#[cfg(test)]
mod tests {
    use super::terminating_divisor;
    use rust_decimal::Decimal;

    #[test]
    fn divisors_of_twos_and_fives_terminate() {
        for ok in [1, 2, 4, 5, 8, 10, 16, 20, 25, 100, 10_000] {
            assert!(terminating_divisor(Decimal::from(ok)), "{ok}");
        }
        assert!(terminating_divisor(Decimal::new(2, 1)));
        for not in [0, 3, 6, 7, 12, 30_000] {
            assert!(!terminating_divisor(Decimal::from(not)), "{not}");
        }
    }
}
