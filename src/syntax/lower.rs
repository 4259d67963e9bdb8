//! Lowering pest's parse tree into the typed AST, a span on every node.
//!
//! Nothing after this module sees a pest `Pair`. Expressions go through a
//! Pratt parser built from the one precedence table
//! ([`super::precedence::LEVELS`]); every expression's nesting
//! depth is counted on the way up, so no later recursive stage can be driven
//! into a stack overflow by a hostile file.

use std::sync::LazyLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::Rule;
use super::literal;
use super::precedence::{LEVELS, Operator};
use crate::Limits;
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::span::{Loc, SourceFile, Span, Spanned};
use crate::value::Unit;

type P<'i> = Pair<'i, Rule>;
type Lowered<T> = Result<T, Diagnostic>;

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

/// Lowers pairs of one source file.
pub(super) struct Lowerer<'s> {
    src: &'s SourceFile,
    limits: &'s Limits,
    /// Errors that do not stop lowering (bad literals), so that every one in
    /// a declaration is reported.
    deferred: std::cell::RefCell<Vec<Diagnostic>>,
    /// How many `expr`s are being lowered, one inside another: bounds the
    /// recursion of lowering itself (nested `if`s have no brackets to count).
    nesting: std::cell::Cell<usize>,
}

fn span(p: &P<'_>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// Punctuation pairs exist only for error messages.
fn is_punct(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::lbrace
            | Rule::rbrace
            | Rule::lparen
            | Rule::rparen
            | Rule::comma
            | Rule::colon
            | Rule::lbracket
            | Rule::rbracket
            | Rule::arrow
            | Rule::assign
            | Rule::EOI
    )
}

/// Whether a pair is a keyword token (kept out of the AST).
fn is_keyword(rule: Rule) -> bool {
    format!("{rule:?}").starts_with("kw_")
}

/// The children that carry meaning: no punctuation, no keywords.
fn parts(p: P<'_>) -> impl Iterator<Item = P<'_>> {
    p.into_inner()
        .filter(|c| !is_punct(c.as_rule()) && !is_keyword(c.as_rule()))
}

impl<'s> Lowerer<'s> {
    pub(super) fn new(src: &'s SourceFile, limits: &'s Limits) -> Self {
        Lowerer {
            src,
            limits,
            deferred: std::cell::RefCell::new(Vec::new()),
            nesting: std::cell::Cell::new(0),
        }
    }

    fn err(&self, code: Code, at: Span, message: impl Into<String>, label: &str) -> Diagnostic {
        Diagnostic::error(code, message)
            .label(at, label)
            .in_source(self.src)
    }

    fn missing(&self, at: Span) -> Diagnostic {
        self.err(Code::Syntax, at, "incomplete construct", "here")
    }

    pub(super) fn program(&self, pairs: Pairs<'_, Rule>) -> Result<Program, Diagnostics> {
        let mut decls = Vec::new();
        let mut errors = Vec::new();
        for file in pairs {
            for p in parts(file) {
                match self.decl(p) {
                    Ok(d) => decls.push(d),
                    Err(e) => errors.push(e),
                }
            }
        }
        errors.extend(self.deferred.take());
        if errors.is_empty() {
            Ok(Program { decls })
        } else {
            errors.sort_by_key(|d| d.span().map(|s| s.start));
            errors.dedup();
            Err(Diagnostics(errors))
        }
    }

    pub(super) fn expr_only(&self, pairs: Pairs<'_, Rule>) -> Result<Expr, Diagnostics> {
        let whole = pairs.into_iter().next();
        let e = whole.and_then(|p| parts(p).next());
        let result = match e {
            Some(e) => self.expr(e).map(|(e, _)| e).map_err(Diagnostics::from),
            None => Err(self.missing(Span::default()).into()),
        };
        let deferred = self.deferred.take();
        match result {
            Ok(e) if deferred.is_empty() => Ok(e),
            Ok(_) => Err(Diagnostics(deferred)),
            Err(mut d) => {
                d.0.extend(deferred);
                Err(d)
            }
        }
    }

    fn decl(&self, p: P<'_>) -> Lowered<Decl> {
        Ok(match p.as_rule() {
            Rule::policy_decl => Decl::Policy(self.policy(p)?),
            Rule::enum_decl => Decl::Enum(self.enum_decl(p)?),
            Rule::fact_decl => Decl::Fact(self.fact(p)?),
            Rule::param_decl => Decl::Param(self.param(p)?),
            Rule::chapter_decl => Decl::Chapter(self.chapter(p)?),
            Rule::measure_decl => Decl::Measure(self.measure(p)?),
            Rule::include_decl => {
                let at = span(&p);
                let s = parts(p).next().ok_or_else(|| self.missing(at))?;
                Decl::Include(self.string(s))
            }
            Rule::test_decl => Decl::Test(self.test(p)?),
            _ => return Err(self.missing(span(&p))),
        })
    }

    fn policy(&self, p: P<'_>) -> Lowered<PolicyHeader> {
        let whole = span(&p);
        let mut it = parts(p);
        let title = self.string(it.next().ok_or_else(|| self.missing(whole))?);
        let mut header = PolicyHeader {
            title,
            issued: None,
            valid: None,
            span: Loc(whole),
        };
        for field in it {
            let at = span(&field);
            match field.as_rule() {
                Rule::issued_field => {
                    let has_date = field
                        .clone()
                        .into_inner()
                        .find(|c| c.as_rule() == Rule::date_lit);
                    let date = match has_date {
                        Some(d) => IssueDate::On(self.date(&d)?),
                        None => IssueDate::Tbd,
                    };
                    if header.issued.is_some() {
                        return Err(self.err(
                            Code::Duplicate,
                            at,
                            "the issue date is given twice",
                            "again here",
                        ));
                    }
                    header.issued = Some(Spanned::new(date, at));
                }
                Rule::valid_field => {
                    let q = parts(field).next().ok_or_else(|| self.missing(at))?;
                    let d = match self.literal(q)? {
                        LitValue::Duration(d) => d,
                        _ => {
                            return Err(self
                                .err(
                                    Code::UnitMismatch,
                                    at,
                                    "validity must be a duration",
                                    "not a duration",
                                )
                                .help("write e.g. `valid 5 years` (有效期 5年)"));
                        }
                    };
                    if header.valid.is_some() {
                        return Err(self.err(
                            Code::Duplicate,
                            at,
                            "the validity is given twice",
                            "again here",
                        ));
                    }
                    header.valid = Some(Spanned::new(d, at));
                }
                _ => return Err(self.missing(at)),
            }
        }
        Ok(header)
    }

    fn enum_decl(&self, p: P<'_>) -> Lowered<EnumDecl> {
        let whole = span(&p);
        let mut it = parts(p);
        let name = self.ident(&it.next().ok_or_else(|| self.missing(whole))?);
        let mut variants = Vec::new();
        for v in it {
            let mut vi = parts(v);
            let vname = vi.next().ok_or_else(|| self.missing(whole))?;
            let label = vi.next().map(|l| self.string(l));
            variants.push((self.ident(&vname), label));
        }
        Ok(EnumDecl {
            name,
            variants,
            span: Loc(whole),
        })
    }

    fn type_ref(&self, p: P<'_>) -> Lowered<Spanned<TypeRef>> {
        let at = span(&p);
        let inner = p.into_inner().next().ok_or_else(|| self.missing(at))?;
        let ty = match inner.as_rule() {
            Rule::kw_money => TypeRef::Unit(Unit::Money),
            Rule::kw_rate => TypeRef::Unit(Unit::Rate),
            Rule::kw_count => TypeRef::Unit(Unit::Count),
            Rule::kw_area => TypeRef::Unit(Unit::Area),
            Rule::kw_duration => TypeRef::Unit(Unit::Duration),
            Rule::kw_date => TypeRef::Unit(Unit::Date),
            Rule::kw_bool => TypeRef::Unit(Unit::Bool),
            Rule::kw_text => TypeRef::Unit(Unit::Text),
            Rule::set_type => {
                let name = parts(inner).next().ok_or_else(|| self.missing(at))?;
                TypeRef::SetOf(self.ident(&name))
            }
            Rule::ident => TypeRef::Enum(self.ident(&inner)),
            _ => return Err(self.missing(at)),
        };
        Ok(Spanned::new(ty, at))
    }

    fn fact(&self, p: P<'_>) -> Lowered<FactDecl> {
        let whole = span(&p);
        let mut it = parts(p);
        let name = self.ident(&it.next().ok_or_else(|| self.missing(whole))?);
        let ty = self.type_ref(it.next().ok_or_else(|| self.missing(whole))?)?;
        let label = it.next().map(|l| self.string(l));
        Ok(FactDecl {
            name,
            ty,
            label,
            span: Loc(whole),
        })
    }

    fn param(&self, p: P<'_>) -> Lowered<ParamDecl> {
        let whole = span(&p);
        let tbd = p.clone().into_inner().find(|c| c.as_rule() == Rule::kw_tbd);
        let mut it = parts(p);
        let name = self.ident(&it.next().ok_or_else(|| self.missing(whole))?);
        let ty = self.type_ref(it.next().ok_or_else(|| self.missing(whole))?)?;
        let (value, value_span) = match tbd {
            Some(t) => (None, Loc(span(&t))),
            None => {
                let e = it.next().ok_or_else(|| self.missing(whole))?;
                let (e, _) = self.expr(e)?;
                let s = Loc(e.span);
                (Some(e), s)
            }
        };
        let label = it.next().map(|l| self.string(l));
        Ok(ParamDecl {
            name,
            ty,
            value,
            value_span,
            label,
            span: Loc(whole),
        })
    }

    fn chapter(&self, p: P<'_>) -> Lowered<Chapter> {
        let whole = span(&p);
        let mut it = parts(p);
        let number = self.integer(&it.next().ok_or_else(|| self.missing(whole))?)?;
        let title = self.string(it.next().ok_or_else(|| self.missing(whole))?);
        let mut cites = Vec::new();
        let mut measures = Vec::new();
        for c in it {
            match c.as_rule() {
                Rule::cite_clause => cites.push(self.cite(c)?),
                _ => measures.push(self.measure(c)?),
            }
        }
        Ok(Chapter {
            number,
            title,
            cites,
            measures,
        })
    }

    fn measure(&self, p: P<'_>) -> Lowered<Measure> {
        let whole = span(&p);
        let mut it = parts(p);
        let number = self.integer(&it.next().ok_or_else(|| self.missing(whole))?)?;
        let title = self.string(it.next().ok_or_else(|| self.missing(whole))?);
        let mut entries = Vec::new();
        for c in it {
            entries.push(match c.as_rule() {
                Rule::cite_clause => MeasureEntry::Cite(self.cite(c)?),
                _ => MeasureEntry::Item(Box::new(self.item(c)?)),
            });
        }
        Ok(Measure {
            number,
            title,
            entries,
            span: Loc(whole),
        })
    }

    fn test(&self, p: P<'_>) -> Lowered<TestDecl> {
        let whole = span(&p);
        let mut it = parts(p);
        let name = self.string(it.next().ok_or_else(|| self.missing(whole))?);
        let mut t = TestDecl {
            name,
            facts: Vec::new(),
            sets: Vec::new(),
            at: None,
            expects: Vec::new(),
            span: Loc(whole),
        };
        for entry in it {
            let at = span(&entry);
            match entry.as_rule() {
                Rule::facts_block => {
                    for line in parts(entry) {
                        let line_at = span(&line);
                        let mut l = parts(line);
                        let fact = self.ident(&l.next().ok_or_else(|| self.missing(line_at))?);
                        let v = l.next().ok_or_else(|| self.missing(line_at))?;
                        let input = if v.as_rule() == Rule::list_lit {
                            FactInput::List(parts(v).map(|i| self.ident(&i)).collect())
                        } else {
                            FactInput::Value(self.expr(v)?.0)
                        };
                        t.facts.push((fact, input));
                    }
                }
                Rule::set_line => {
                    // `set issued = …` names the header's issue date, a keyword.
                    let mut name = None;
                    let mut value = None;
                    for c in entry.into_inner() {
                        match c.as_rule() {
                            Rule::ident | Rule::kw_issued => {
                                name = Some(Spanned::new(
                                    if c.as_rule() == Rule::kw_issued {
                                        "issued".to_string()
                                    } else {
                                        c.as_str().to_string()
                                    },
                                    span(&c),
                                ));
                            }
                            Rule::expr => value = Some(self.expr(c)?.0),
                            _ => {}
                        }
                    }
                    match (name, value) {
                        (Some(n), Some(v)) => t.sets.push((n, v)),
                        _ => return Err(self.missing(at)),
                    }
                }
                Rule::at_line => {
                    let d = parts(entry).next().ok_or_else(|| self.missing(at))?;
                    t.at = Some(Spanned::new(self.date(&d)?, at));
                }
                _ => t.expects.push(self.expect(entry)?),
            }
        }
        Ok(t)
    }

    fn expect(&self, p: P<'_>) -> Lowered<Expect> {
        let at = span(&p);
        let mut l = parts(p);
        let item = self.ident(&l.next().ok_or_else(|| self.missing(at))?);
        let v = l.next().ok_or_else(|| self.missing(at))?;
        let want = match v.as_rule() {
            Rule::expect_status => {
                let s_at = span(&v);
                let kw = v.clone().into_inner().next().map(|k| k.as_rule());
                let status = match kw {
                    Some(Rule::kw_granted) => ExpectStatus::Granted,
                    Some(Rule::kw_ineligible) => ExpectStatus::Ineligible,
                    Some(Rule::kw_undetermined) => ExpectStatus::Undetermined,
                    Some(Rule::kw_not_in_force) => ExpectStatus::NotInForce,
                    Some(Rule::kw_met) => ExpectStatus::Met,
                    Some(Rule::kw_not_met) => ExpectStatus::NotMet,
                    _ => ExpectStatus::Listed,
                };
                let kw_end = v
                    .clone()
                    .into_inner()
                    .next()
                    .map_or(s_at.end, |k| span(&k).end);
                let by: Vec<Ident> = parts(v).map(|i| self.ident(&i)).collect();
                let end = by.last().map_or(kw_end, |b| b.span.end);
                Expected::Status(Spanned::new(status, Span::new(s_at.start, end)), by)
            }
            Rule::at_most => {
                let e = parts(v).next().ok_or_else(|| self.missing(at))?;
                Expected::Value(ItemBody::AtMost(self.expr(e)?.0))
            }
            Rule::at_least => {
                let e = parts(v).next().ok_or_else(|| self.missing(at))?;
                Expected::Value(ItemBody::AtLeast(self.expr(e)?.0))
            }
            _ => Expected::Value(ItemBody::Value(self.expr(v)?.0)),
        };
        // The line ends where its value ends: a pest pair's span runs on
        // over the blanks before an optional comma.
        let end = match &want {
            Expected::Status(s, _) => s.span.end,
            Expected::Value(body) => body.expr().span.end,
        };
        Ok(Expect {
            item,
            want,
            span: Loc(Span::new(at.start, end)),
        })
    }

    fn cite(&self, p: P<'_>) -> Lowered<Text> {
        let at = span(&p);
        let s = parts(p).next().ok_or_else(|| self.missing(at))?;
        Ok(self.string(s))
    }

    fn item(&self, p: P<'_>) -> Lowered<Item> {
        let whole = span(&p);
        let mut it = parts(p);
        let kind_pair = it.next().ok_or_else(|| self.missing(whole))?;
        let kind = self.item_kind(kind_pair)?;
        let name = self.ident(&it.next().ok_or_else(|| self.missing(whole))?);
        let mut label = None;
        let mut next = it.next().ok_or_else(|| self.missing(whole))?;
        if next.as_rule() == Rule::string {
            label = Some(self.string(next));
            next = it.next().ok_or_else(|| self.missing(whole))?;
        }
        let body = self.item_body(next)?;
        let mut item = Item {
            kind,
            name,
            label,
            body,
            when: None,
            by: None,
            concerns: None,
            span: Loc(whole),
        };
        for clause in it {
            let at = span(&clause);
            let dup = |what: &str| {
                self.err(
                    Code::Duplicate,
                    at,
                    format!("`{what}` is given twice for this item"),
                    "again here",
                )
            };
            match clause.as_rule() {
                Rule::when_clause => {
                    let e = parts(clause).next().ok_or_else(|| self.missing(at))?;
                    if item.when.is_some() {
                        return Err(dup("when").help("combine the conditions with `and`"));
                    }
                    item.when = Some(self.expr(e)?.0);
                }
                Rule::by_clause => {
                    let d = parts(clause).next().ok_or_else(|| self.missing(at))?;
                    if item.by.is_some() {
                        return Err(dup("by"));
                    }
                    item.by = Some(Spanned::new(self.date(&d)?, at));
                }
                Rule::concerns_clause => {
                    let s = parts(clause).next().ok_or_else(|| self.missing(at))?;
                    if item.concerns.is_some() {
                        return Err(dup("concerns"));
                    }
                    item.concerns = Some(self.string(s));
                }
                _ => return Err(self.missing(at)),
            }
        }
        Ok(item)
    }

    fn item_kind(&self, p: P<'_>) -> Lowered<Spanned<ItemKind>> {
        let at = span(&p);
        let kw = p.into_inner().next().ok_or_else(|| self.missing(at))?;
        let kind = match kw.as_rule() {
            Rule::kw_subsidy => ItemKind::Subsidy,
            Rule::kw_award => ItemKind::Award,
            Rule::kw_interest_subsidy => ItemKind::InterestSubsidy,
            Rule::kw_matching => ItemKind::Matching,
            Rule::kw_benefit => ItemKind::Benefit,
            Rule::kw_eligibility => ItemKind::Eligibility,
            Rule::kw_target => ItemKind::Target,
            Rule::kw_commitment => ItemKind::Commitment,
            _ => return Err(self.missing(at)),
        };
        Ok(Spanned::new(kind, at))
    }

    fn item_body(&self, p: P<'_>) -> Lowered<ItemBody> {
        let at = span(&p);
        let inner = p.into_inner().next().ok_or_else(|| self.missing(at))?;
        Ok(match inner.as_rule() {
            Rule::at_most => {
                let e = parts(inner).next().ok_or_else(|| self.missing(at))?;
                ItemBody::AtMost(self.expr(e)?.0)
            }
            Rule::at_least => {
                let e = parts(inner).next().ok_or_else(|| self.missing(at))?;
                ItemBody::AtLeast(self.expr(e)?.0)
            }
            _ => ItemBody::Value(self.expr(inner)?.0),
        })
    }

    // ------------------------------------------------------------ expressions

    /// Lowers an `expr` pair; returns the expression and its nesting depth.
    fn expr(&self, p: P<'_>) -> Lowered<(Expr, usize)> {
        let at = span(&p);
        if self.nesting.get() >= self.limits.max_depth {
            return Err(self
                .err(
                    Code::Limit,
                    at,
                    format!("expression nested more than {} deep", self.limits.max_depth),
                    "too deep",
                )
                .help("write the expression in steps, as separate items"));
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
            if matches!(c.as_rule(), Rule::op_neg | Rule::op_not | Rule::op_soft) {
                run += 1;
                if run > self.limits.max_depth {
                    return Err(self
                        .err(
                            Code::Limit,
                            span(&c),
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
                    return Err(self.missing(span(&op)));
                };
                let s = span(&op).to(rhs.span);
                self.deeper(Spanned::new(ExprKind::Unary(uop, Box::new(rhs)), s), depth)
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, ld) = lhs?;
                let (rhs, rd) = rhs?;
                let Some(Operator::Infix(bop)) = operator(op.as_rule()) else {
                    return Err(self.missing(span(&op)));
                };
                let s = lhs.span.to(rhs.span);
                let e = ExprKind::Binary(bop, Box::new(lhs), Box::new(rhs));
                self.deeper(Spanned::new(e, s), ld.max(rd))
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
    fn deeper(&self, e: Expr, depth: usize) -> Lowered<(Expr, usize)> {
        let d = depth + 1;
        if d > self.limits.max_depth {
            return Err(self
                .err(
                    Code::Limit,
                    e.span,
                    format!("expression nested more than {} deep", self.limits.max_depth),
                    "too deep",
                )
                .help("write the expression in steps, as separate items"));
        }
        Ok((e, d))
    }

    fn primary(&self, p: P<'_>) -> Lowered<(Expr, usize)> {
        let at = span(&p);
        match p.as_rule() {
            Rule::paren => {
                let inner = parts(p).next().ok_or_else(|| self.missing(at))?;
                let (e, d) = self.expr(inner)?;
                Ok((Spanned::new(e.node, at), d))
            }
            Rule::ident => Ok((Spanned::new(ExprKind::Name(Name::new(p.as_str())), at), 1)),
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
            Rule::tiers_expr | Rule::reaching_expr => self.tiers(p),
            Rule::schedule_expr => self.schedule(p),
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
        let at = span(&p);
        let mut it = parts(p);
        let builtin = it.next().ok_or_else(|| self.missing(at))?;
        let name_span = span(&builtin);
        let func = match builtin.into_inner().next().map(|k| k.as_rule()) {
            Some(Rule::kw_min) => Builtin::Min,
            Some(Rule::kw_max) => Builtin::Max,
            Some(Rule::kw_clamp) => Builtin::Clamp,
            _ => Builtin::Round,
        };
        let mut args = Vec::new();
        let mut depth = 0;
        for a in it {
            let (e, d) = self.expr(a)?;
            depth = depth.max(d);
            args.push(e);
        }
        let (min, max) = match func {
            Builtin::Min | Builtin::Max => (1, usize::MAX),
            Builtin::Clamp => (3, 3),
            Builtin::Round => (2, 2),
        };
        if args.len() < min || args.len() > max {
            let wanted = match func {
                Builtin::Min | Builtin::Max => "at least one argument".to_string(),
                Builtin::Clamp => "three arguments: clamp(value, low, high)".to_string(),
                Builtin::Round => "a value and a step: round(value, 1万)".to_string(),
            };
            return Err(self.err(
                Code::Invalid,
                name_span,
                format!("`{}` takes {wanted}", func.name()),
                &format!("called with {} argument(s)", args.len()),
            ));
        }
        self.deeper(Spanned::new(ExprKind::Call(func, args), at), depth)
    }

    fn tiers(&self, p: P<'_>) -> Lowered<(Expr, usize)> {
        let at = span(&p);
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
        let mut rows = Vec::new();
        let mut otherwise = None;
        for row in it {
            let row_at = span(&row);
            let is_else = row.as_rule() == Rule::else_row;
            let mut r = parts(row);
            if is_else {
                let (v, d) = self.expr(r.next().ok_or_else(|| self.missing(row_at))?)?;
                depth = depth.max(d);
                otherwise = Some(v);
            } else {
                let (t, d1) = self.expr(r.next().ok_or_else(|| self.missing(row_at))?)?;
                let (v, d2) = self.expr(r.next().ok_or_else(|| self.missing(row_at))?)?;
                depth = depth.max(d1).max(d2);
                rows.push((t, v));
            }
        }
        self.check_rows(rows.len(), at)?;
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
        let at = span(&p);
        let mut it = parts(p);
        let (base, mut depth) = self.expr(it.next().ok_or_else(|| self.missing(at))?)?;
        let mut brackets = Vec::new();
        let mut above = None;
        for row in it {
            let row_at = span(&row);
            let is_above = row.as_rule() == Rule::above_row;
            let mut r = parts(row);
            if is_above {
                let (v, d) = self.expr(r.next().ok_or_else(|| self.missing(row_at))?)?;
                depth = depth.max(d);
                above = Some(v);
            } else {
                let (t, d1) = self.expr(r.next().ok_or_else(|| self.missing(row_at))?)?;
                let (v, d2) = self.expr(r.next().ok_or_else(|| self.missing(row_at))?)?;
                depth = depth.max(d1).max(d2);
                brackets.push((t, v));
            }
        }
        self.check_rows(brackets.len(), at)?;
        let s = Schedule {
            base,
            brackets,
            above,
        };
        self.deeper(Spanned::new(ExprKind::Schedule(Box::new(s)), at), depth)
    }

    fn check_rows(&self, n: usize, at: Span) -> Lowered<()> {
        if n > self.limits.max_table_rows {
            return Err(self.err(
                Code::Limit,
                at,
                format!(
                    "a table of {n} rows, more than the limit of {}",
                    self.limits.max_table_rows
                ),
                "this table",
            ));
        }
        Ok(())
    }

    // ------------------------------------------------------------ tokens

    fn literal(&self, p: P<'_>) -> Lowered<LitValue> {
        let at = span(&p);
        let result = match p.as_rule() {
            Rule::kw_true => Ok(LitValue::Bool(true)),
            Rule::kw_false => Ok(LitValue::Bool(false)),
            Rule::string => Ok(LitValue::Text(self.string(p).node)),
            Rule::date_lit => literal::date(p.as_str()),
            Rule::ratio => {
                let mut n = p.into_inner();
                let a = n.next().map(|x| x.as_str()).unwrap_or("");
                let b = n.next().map(|x| x.as_str()).unwrap_or("");
                literal::ratio(a, b)
            }
            Rule::quantity => {
                let mut n = p.into_inner();
                let number = n.next().map(|x| x.as_str()).unwrap_or("");
                let unit = n.next().map(|x| x.as_str());
                literal::quantity(number, unit)
            }
            _ => return Err(self.missing(at)),
        };
        result.map_err(|msg| {
            let d = self.err(Code::Literal, at, msg.clone(), "this literal");
            if msg.contains("28 significant") || msg.contains("too large") {
                d.help("decree computes exactly, with at most 28 significant digits; write the value as the draft states it")
            } else {
                d
            }
        })
    }

    fn date(&self, p: &P<'_>) -> Lowered<jiff::civil::Date> {
        match literal::date(p.as_str()) {
            Ok(LitValue::Date(d)) => Ok(d),
            Ok(_) | Err(_) => Err(self
                .err(
                    Code::Literal,
                    span(p),
                    format!("`{}` is not a calendar date", p.as_str()),
                    "this date",
                )
                .help("write dates as YYYY-MM-DD")),
        }
    }

    fn integer(&self, p: &P<'_>) -> Lowered<Spanned<u32>> {
        p.as_str()
            .parse::<u32>()
            .map(|n| Spanned::new(n, span(p)))
            .map_err(|_| self.err(Code::Literal, span(p), "number too large", "here"))
    }

    fn ident(&self, p: &P<'_>) -> Ident {
        Spanned::new(p.as_str().to_string(), span(p))
    }

    fn string(&self, p: P<'_>) -> Text {
        let at = span(&p);
        let raw = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        Spanned::new(out, at)
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
