//! How tightly each operator binds, written once: the parser's Pratt table
//! (in `lower`) and the printer's parentheses (in [`super::print`]) are both
//! built from [`LEVELS`], so what is printed reads back as it was parsed.

use crate::ast::{BinaryOp, CmpOp, Expr, ExprKind, UnaryOp};

/// An operator of the expression grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operator {
    /// Written before its operand: `-x`, `not x`, `soft x`.
    Prefix(UnaryOp),
    /// Written between its operands (every one associates to the left).
    Infix(BinaryOp),
}

use Operator::{Infix, Prefix};

/// The operators by how tightly they bind, loosest first; the operators
/// of one level bind alike.
pub(crate) const LEVELS: &[&[Operator]] = &[
    &[Infix(BinaryOp::Or)],
    &[Infix(BinaryOp::And)],
    &[Prefix(UnaryOp::Not), Prefix(UnaryOp::Soft)],
    &[
        Infix(BinaryOp::Cmp(CmpOp::Eq)),
        Infix(BinaryOp::Cmp(CmpOp::Ne)),
        Infix(BinaryOp::Cmp(CmpOp::Lt)),
        Infix(BinaryOp::Cmp(CmpOp::Le)),
        Infix(BinaryOp::Cmp(CmpOp::Gt)),
        Infix(BinaryOp::Cmp(CmpOp::Ge)),
        Infix(BinaryOp::In),
    ],
    &[Infix(BinaryOp::Add), Infix(BinaryOp::Sub)],
    &[Infix(BinaryOp::Mul), Infix(BinaryOp::Div)],
    &[Infix(BinaryOp::Range)],
    &[Prefix(UnaryOp::Neg)],
];

/// Names, literals, calls, tables and brackets: tighter than any operator.
const ATOM: u8 = LEVELS.len() as u8 + 1;

/// An operator's level: 1 for the loosest, up to `LEVELS.len()`.
fn level(op: Operator) -> u8 {
    LEVELS
        .iter()
        .position(|level| level.contains(&op))
        .and_then(|i| u8::try_from(i + 1).ok())
        .unwrap_or(ATOM)
}

/// How tightly an expression binds, for parentheses when printing: its
/// operator's level, 0 for `if` (whose `else` takes everything after it),
/// and more than any operator for everything else.
pub(crate) fn precedence(e: &Expr) -> u8 {
    match &e.node {
        ExprKind::Binary(op, ..) | ExprKind::Chain(op, _) => level(Infix(*op)),
        ExprKind::Unary(op, _) => level(Prefix(*op)),
        ExprKind::If(..) => 0,
        _ => ATOM,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_has_one_level() {
        let all: Vec<Operator> = LEVELS.iter().flat_map(|l| l.iter().copied()).collect();
        for (i, op) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(op), "{op:?} twice");
        }
        // 3 prefix operators, 6 comparisons and 8 other infix operators.
        assert_eq!(all.len(), 17);
    }
}
