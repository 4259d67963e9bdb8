//! Expressions printed for explanations, naming facts by their labels.
//!
//! `min(20% * tech_upgrade_investment, 5000万)` reads in an explanation as
//! `min(20% × 技术改造项目投资额, 5000万)`.

use crate::ast::{BinaryOp, Builtin, CmpOp, Expr, ExprKind, Name, UnaryOp};
use crate::check::Policy;
use crate::fmt::precedence;

/// The display name of a name: a fact's, param's, item's or enum value's
/// label when it has one.
pub fn display_name<'p>(policy: &'p Policy, name: &'p Name) -> &'p str {
    name.symbol
        .and_then(|s| policy.label_of(s))
        .unwrap_or(&name.text)
}

/// Prints an expression for an explanation.
pub fn describe(policy: &Policy, e: &Expr) -> String {
    let mut out = String::new();
    write(policy, e, &mut out);
    out
}

fn write_child(policy: &Policy, child: &Expr, parent: u8, out: &mut String) {
    if precedence(child) < parent {
        out.push('(');
        write(policy, child, out);
        out.push(')');
    } else {
        write(policy, child, out);
    }
}

fn write(policy: &Policy, e: &Expr, out: &mut String) {
    match &e.node {
        ExprKind::Lit(l) => out.push_str(&l.raw),
        ExprKind::Name(n) => out.push_str(display_name(policy, n)),
        ExprKind::Unary(op, x) => {
            out.push_str(match op {
                UnaryOp::Neg => "-",
                UnaryOp::Not => "not ",
                UnaryOp::Soft => "soft ",
            });
            write_child(policy, x, precedence(e), out);
        }
        ExprKind::Binary(op, l, r) => {
            let p = precedence(e);
            write_child(policy, l, p, out);
            if *op == BinaryOp::Range {
                out.push_str("..");
            } else {
                out.push(' ');
                out.push_str(op.symbol());
                out.push(' ');
            }
            write_child(policy, r, p + 1, out);
        }
        ExprKind::If(c, t, f) => {
            out.push_str("if ");
            write(policy, c, out);
            out.push_str(" then ");
            write(policy, t, out);
            out.push_str(" else ");
            write(policy, f, out);
        }
        ExprKind::Call(f, args) => {
            out.push_str(match f {
                Builtin::Min => "min",
                Builtin::Max => "max",
                Builtin::Clamp => "clamp",
                Builtin::Round => "round",
            });
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(policy, a, out);
            }
            out.push(')');
        }
        ExprKind::Tiers(t) => {
            match &t.prior {
                Some(p) => {
                    out.push_str("first reaching ");
                    write(policy, &t.subject, out);
                    out.push_str(" over ");
                    write(policy, p, out);
                }
                None => {
                    out.push_str("tiers ");
                    write(policy, &t.subject, out);
                    if t.cmp != CmpOp::Ge {
                        out.push(' ');
                        out.push_str(t.cmp.symbol());
                    }
                }
            }
            out.push_str(" {…}");
        }
        ExprKind::Schedule(s) => {
            out.push_str("schedule ");
            write(policy, &s.base, out);
            out.push_str(" {…}");
        }
    }
}
