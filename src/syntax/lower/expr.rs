//! Lowering expressions: the Pratt parser, built from the one precedence
//! table, and the primaries — names, literals, `if`, calls, tables.

use std::sync::LazyLock;

use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::{Lowered, Lowerer, P, parts};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic, suggest};
use crate::span::{Span, Spanned};
use crate::syntax::Rule;
use crate::syntax::keywords::keyword;
use crate::syntax::precedence::{LEVELS, Operator};
use crate::value::Unit;

/// The grammar rule of each operator.
const OPERATOR_RULES: &[(Rule, Operator)] = &[
    (Rule::op_neg, Operator::Prefix(UnaryOp::Neg)),
    (Rule::op_not, Operator::Prefix(UnaryOp::Not)),
    (Rule::op_soft, Operator::Prefix(UnaryOp::Soft)),
    (Rule::op_or, Operator::Infix(BinaryOp::Or)),
    (Rule::op_and, Operator::Infix(BinaryOp::And)),
    (Rule::op_in, Operator::Infix(BinaryOp::In)),
    (Rule::op_eq, Operator::Infix(BinaryOp::Cmp(CmpOp::Eq))),
    (Rule::op_ne, Operator::Infix(BinaryOp::Cmp(CmpOp::Ne))),
    (Rule::op_lt, Operator::Infix(BinaryOp::Cmp(CmpOp::Lt))),
    (Rule::op_le, Operator::Infix(BinaryOp::Cmp(CmpOp::Le))),
    (Rule::op_gt, Operator::Infix(BinaryOp::Cmp(CmpOp::Gt))),
    (Rule::op_ge, Operator::Infix(BinaryOp::Cmp(CmpOp::Ge))),
    (Rule::op_add, Operator::Infix(BinaryOp::Add)),
    (Rule::op_sub, Operator::Infix(BinaryOp::Sub)),
    (Rule::op_mul, Operator::Infix(BinaryOp::Mul)),
    (Rule::op_div, Operator::Infix(BinaryOp::Div)),
    (Rule::op_range, Operator::Infix(BinaryOp::Range)),
];

/// The operator a rule stands for.
fn operator(rule: Rule) -> Option<Operator> {
    OPERATOR_RULES
        .iter()
        .find(|(r, _)| *r == rule)
        .map(|(_, op)| *op)
}

/// The Pratt parser, built level by level from the one precedence table.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    LEVELS.iter().fold(PrattParser::new(), |pratt, level| {
        let ops = level
            .iter()
            .filter_map(|op| pratt_op(*op))
            .reduce(|a, b| a | b);
        match ops {
            Some(ops) => pratt.op(ops),
            None => pratt,
        }
    })
});

fn pratt_op(op: Operator) -> Option<Op<Rule>> {
    let (rule, _) = OPERATOR_RULES.iter().find(|(_, o)| *o == op)?;
    Some(match op {
        Operator::Prefix(_) => Op::prefix(*rule),
        Operator::Infix(_) => Op::infix(*rule, Assoc::Left),
    })
}

/// Whether `lhs op …` continues a chain: `op` chains and `lhs` is already
/// a run of it (`a + b` then `+ c` is one chain `a + b + c`, evaluated left
/// to right as it reads).
fn continues_chain(op: BinaryOp, lhs: &Expr) -> bool {
    op.chains() && matches!(&lhs.node, ExprKind::Binary(o, ..) | ExprKind::Chain(o, _) if *o == op)
}

/// `lhs op rhs`: a chain when `lhs` is a run of `op`, else a binary node.
fn combine(op: BinaryOp, lhs: Expr, rhs: Expr) -> ExprKind {
    match lhs.node {
        ExprKind::Binary(o, a, b) if o == op && op.chains() => {
            ExprKind::Chain(op, vec![*a, *b, rhs])
        }
        ExprKind::Chain(o, mut terms) if o == op => {
            terms.push(rhs);
            ExprKind::Chain(op, terms)
        }
        node => ExprKind::Binary(op, Box::new(Spanned::new(node, lhs.span)), Box::new(rhs)),
    }
}

/// A table's rows, its last row's value, and their deepest nesting.
type TableRows = (Vec<(Expr, Expr)>, Option<Expr>, usize);

impl Lowerer<'_> {
    /// Lowers an `expr` pair; returns the expression and its nesting depth.
    pub(super) fn expr(&self, p: P<'_>) -> Lowered<(Expr, usize)> {
        let at = self.span(&p);
        if self.nesting.get() >= self.limits.max_depth {
            return Err(self.too_deep(at));
        }
        self.nesting.set(self.nesting.get() + 1);
        let result = self.expr_inner(p, at);
        self.nesting.set(self.nesting.get().saturating_sub(1));
        result
    }

    fn expr_inner(&self, p: P<'_>, at: Span) -> Lowered<(Expr, usize)> {
        // The Pratt parser recurses once per prefix operator: refuse long
        // runs (`not not not …`) before it sees them.
        let mut run = 0usize;
        for c in p.clone().into_inner() {
            if let Some(Operator::Prefix(_)) = operator(c.as_rule()) {
                run += 1;
                if run > self.limits.max_depth {
                    return Err(self
                        .err(
                            Code::Limit,
                            self.span(&c),
                            format!(
                                "more than {} prefix operators in a row",
                                self.limits.max_depth
                            ),
                            "too deep from here",
                        )
                        .help("write the expression in steps, as separate items"));
                }
            } else {
                run = 0;
            }
        }
        let result = PRATT
            .map_primary(|prim| self.primary(prim))
            .map_prefix(|op, rhs| {
                let (rhs, depth) = rhs?;
                let Some(Operator::Prefix(uop)) = operator(op.as_rule()) else {
                    return Err(self.missing(self.span(&op)));
                };
                let s = self.span(&op).to(rhs.span);
                self.deeper(Spanned::new(ExprKind::Unary(uop, Box::new(rhs)), s), depth)
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, ld) = lhs?;
                let (rhs, rd) = rhs?;
                let Some(Operator::Infix(bop)) = operator(op.as_rule()) else {
                    return Err(self.missing(self.span(&op)));
                };
                let s = lhs.span.to(rhs.span);
                // A chain is as deep as its deepest operand, plus one.
                let depth = if continues_chain(bop, &lhs) {
                    ld.saturating_sub(1).max(rd)
                } else {
                    ld.max(rd)
                };
                self.deeper(Spanned::new(combine(bop, lhs, rhs), s), depth)
            })
            .parse(p.into_inner());
        result.map_err(|e| {
            if e.labels.is_empty() {
                e.label(at, "here")
            } else {
                e
            }
        })
    }

    /// Wraps a node one level deeper than `depth`, or refuses past the limit.
    pub(super) fn deeper(&self, e: Expr, depth: usize) -> Lowered<(Expr, usize)> {
        let d = depth + 1;
        if d > self.limits.max_depth {
            return Err(self.too_deep(e.span));
        }
        Ok((e, d))
    }

    fn too_deep(&self, at: Span) -> Diagnostic {
        self.err(
            Code::Limit,
            at,
            format!("expression nested more than {} deep", self.limits.max_depth),
            "too deep",
        )
        .help("write the expression in steps, as separate items")
    }

    fn primary(&self, p: P<'_>) -> Lowered<(Expr, usize)> {
        let at = self.span(&p);
        match p.as_rule() {
            Rule::paren => {
                let inner = parts(p).next().ok_or_else(|| self.missing(at))?;
                let (e, d) = self.expr(inner)?;
                Ok((Spanned::new(e.node, at), d))
            }
            Rule::ident => Ok((Spanned::new(ExprKind::Name(Name::new(p.as_str())), at), 1)),
            // `p.investment`: a name whose symbol the checker finds among
            // the fields of the record `p` stands for.
            Rule::field_ref => Ok((Spanned::new(ExprKind::Name(Name::new(p.as_str())), at), 1)),
            Rule::if_expr => {
                let mut it = parts(p);
                let mut next = || -> Lowered<(Expr, usize)> {
                    self.expr(it.next().ok_or_else(|| self.missing(at))?)
                };
                let (c, d1) = next()?;
                let (t, d2) = next()?;
                let (e, d3) = next()?;
                let at = Span::new(at.start, e.span.end);
                let e = ExprKind::If(Box::new(c), Box::new(t), Box::new(e));
                self.deeper(Spanned::new(e, at), d1.max(d2).max(d3))
            }
            Rule::call => self.call(p),
            Rule::today => Ok((Spanned::new(ExprKind::Today, at), 1)),
            Rule::tiers_expr | Rule::reaching_expr => self.tiers(p),
            Rule::schedule_expr => self.schedule(p),
            Rule::dated_expr => self.dated_expr(p),
            _ => {
                // A bad literal is reported and stands in as 0 so that the
                // rest of the declaration is still read and checked.
                let lit = match self.literal(p.clone()) {
                    Ok(l) => l,
                    Err(d) => {
                        self.deferred.borrow_mut().push(d);
                        LitValue::Quantity(Unit::Number, rust_decimal::Decimal::ZERO)
                    }
                };
                let raw = p.as_str().to_string();
                Ok((
                    Spanned::new(ExprKind::Lit(Literal { value: lit, raw }), at),
                    1,
                ))
            }
        }
    }

    fn call(&self, p: P<'_>) -> Lowered<(Expr, usize)> {
        let at = self.span(&p);
        let mut it = parts(p);
        let callee = it.next().ok_or_else(|| self.missing(at))?;
        let func = self.callee(callee);
        let mut args = Vec::new();
        let mut depth = 0;
        for a in it {
            let (e, d) = self.expr(a)?;
            depth = depth.max(d);
            args.push(e);
        }
        // The number of arguments is checked with the rest of the measure
        // (`check`), so that it hides no other error.
        self.deeper(Spanned::new(ExprKind::Call(func, args), at), depth)
    }

    /// The function a call names. An unknown one is reported (with the
    /// built-ins and the nearest of them) and stands in as `sum`, so that
    /// the rest of the declaration is still read.
    fn callee(&self, p: P<'_>) -> Builtin {
        let rule = match p.as_rule() {
            Rule::builtin => p.clone().into_inner().next().map(|k| k.as_rule()),
            _ => None,
        };
        match rule {
            Some(Rule::kw_min) => Builtin::Min,
            Some(Rule::kw_max) => Builtin::Max,
            Some(Rule::kw_clamp) => Builtin::Clamp,
            Some(Rule::kw_round) => Builtin::Round,
            Some(Rule::kw_sum) => Builtin::Sum,
            Some(Rule::kw_amount_of) => Builtin::AmountOf,
            Some(Rule::kw_years_between) => Builtin::YearsBetween,
            Some(Rule::kw_round_down) => Builtin::RoundDown,
            Some(Rule::kw_round_up) => Builtin::RoundUp,
            _ => {
                let d = self.unknown_function(p.as_str(), self.span(&p));
                self.deferred.borrow_mut().push(d);
                Builtin::Sum
            }
        }
    }

    fn unknown_function(&self, name: &str, at: Span) -> Diagnostic {
        let spelt: Vec<String> = Builtin::ALL
            .iter()
            .map(|b| match keyword(b.name()) {
                Some(k) => format!("{} ({})", b.signature(), k.chinese),
                None => b.signature().to_string(),
            })
            .collect();
        // Either surface's spelling may be the one meant.
        let spellings = Builtin::ALL.iter().flat_map(|b| {
            let zh = keyword(b.name()).map(|k| k.chinese);
            std::iter::once(b.name()).chain(zh)
        });
        let nearest = suggest(name, spellings);
        let mut help = format!("the built-in functions are {}", spelt.join(", "));
        if let Some(n) = nearest {
            help = format!("did you mean `{n}`? {help}");
        }
        self.err(
            Code::Invalid,
            at,
            format!("unknown function `{name}`"),
            "not a built-in function",
        )
        .help(help)
    }

    fn tiers(&self, p: P<'_>) -> Lowered<(Expr, usize)> {
        let at = self.span(&p);
        let reaching = p.as_rule() == Rule::reaching_expr;
        let mut it = parts(p).peekable();
        let (subject, mut depth) = self.expr(it.next().ok_or_else(|| self.missing(at))?)?;
        let prior = if reaching {
            let (e, d) = self.expr(it.next().ok_or_else(|| self.missing(at))?)?;
            depth = depth.max(d);
            Some(e)
        } else {
            None
        };
        let mut cmp = CmpOp::Ge;
        if let Some(c) = it.next_if(|c| c.as_rule() == Rule::tier_cmp) {
            cmp = match c.into_inner().next().and_then(|o| operator(o.as_rule())) {
                Some(Operator::Infix(BinaryOp::Cmp(cmp))) => cmp,
                _ => CmpOp::Ge,
            };
        }
        let (rows, otherwise, d) = self.rows(it, Rule::else_row, at)?;
        depth = depth.max(d);
        let t = Tiers {
            subject,
            prior,
            cmp,
            rows,
            otherwise,
        };
        self.deeper(Spanned::new(ExprKind::Tiers(Box::new(t)), at), depth)
    }

    fn schedule(&self, p: P<'_>) -> Lowered<(Expr, usize)> {
        let at = self.span(&p);
        let mut it = parts(p);
        let (base, mut depth) = self.expr(it.next().ok_or_else(|| self.missing(at))?)?;
        let (brackets, above, d) = self.rows(it, Rule::above_row, at)?;
        depth = depth.max(d);
        let s = Schedule {
            base,
            brackets,
            above,
        };
        self.deeper(Spanned::new(ExprKind::Schedule(Box::new(s)), at), depth)
    }

    /// The rows of a table (`key => value`) and its last row (`else => …`
    /// or `above => …`, of rule `last`), with their deepest nesting; at
    /// most `Limits::max_table_rows` rows.
    fn rows<'i>(
        &self,
        pairs: impl Iterator<Item = P<'i>>,
        last: Rule,
        at: Span,
    ) -> Lowered<TableRows> {
        let mut rows = Vec::new();
        let mut last_value = None;
        let mut depth = 0;
        for row in pairs {
            let row_at = self.span(&row);
            let is_last = row.as_rule() == last;
            let mut r = parts(row);
            let mut next = || self.expr(r.next().ok_or_else(|| self.missing(row_at))?);
            if is_last {
                let (v, d) = next()?;
                depth = depth.max(d);
                last_value = Some(v);
            } else {
                let (k, d1) = next()?;
                let (v, d2) = next()?;
                depth = depth.max(d1).max(d2);
                rows.push((k, v));
            }
        }
        if rows.len() > self.limits.max_table_rows {
            return Err(self.err(
                Code::Limit,
                at,
                format!(
                    "a table of {} rows, more than the limit of {}",
                    rows.len(),
                    self.limits.max_table_rows
                ),
                "this table",
            ));
        }
        Ok((rows, last_value, depth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_of_the_precedence_table_has_one_rule() {
        let in_levels: Vec<Operator> = LEVELS.iter().flat_map(|l| l.iter().copied()).collect();
        assert_eq!(OPERATOR_RULES.len(), in_levels.len());
        for op in in_levels {
            let rules = OPERATOR_RULES.iter().filter(|(_, o)| *o == op).count();
            assert_eq!(rules, 1, "{op:?}");
        }
    }
}
