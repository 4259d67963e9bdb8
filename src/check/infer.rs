//! Units: every param's value and item's rule given a [`Unit`], and every
//! operation checked against the unit algebra of [`crate::units`].

use super::{Checker, Env};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{Span, Spanned};
use crate::units::{self, Comparison, Unit, join};

impl Checker<'_> {
    /// Checks each param's value against its declared type.
    pub(super) fn check_params(&mut self) {
        for idx in 0..self.policy.params.len() {
            let Some(p) = self.policy.params.get(idx).cloned() else {
                continue;
            };
            let Some(value) = &p.value else { continue };
            if self.poisoned_params.contains(&ParamId(idx)) {
                continue;
            }
            let mut env = Env::Constant;
            let got = self.infer(value, &mut env);
            if p.unit == Unit::Duration {
                self.check_duration_param(value);
            }
            if let Some(got) = got {
                if join(p.unit, got) != Some(p.unit) {
                    let d = Diagnostic::error(
                        Code::UnitMismatch,
                        format!(
                            "param `{}` is declared {} but its value is {}",
                            p.name,
                            self.policy.unit_name(p.unit),
                            self.policy.unit_name(got)
                        ),
                    )
                    .label(
                        value.span,
                        format!("this is {}", self.policy.unit_name(got)),
                    )
                    .label(
                        p.span,
                        format!("declared {}", self.policy.unit_name(p.unit)),
                    )
                    .help(unit_hint(p.unit));
                    self.error(d);
                }
            }
        }
    }

    /// Infers the unit of every item, in dependency order.
    pub(super) fn infer_items(&mut self) {
        let order = self.policy.order.clone();
        for idx in order {
            let Some(item) = self.policy.item(idx).cloned() else {
                continue;
            };
            let mut env = Env::Item;
            self.current = Some(item.name().to_string());
            self.each = item.each.clone();
            self.each_failed = item.ast.each.is_some() && item.each.is_none();
            let errors_before = self.errors.len();
            if let Some(w) = &item.ast.when {
                if let Some(u) = self.infer(w, &mut env) {
                    self.expect_bool(u, w.span, "a `when` condition");
                }
            }
            self.unresolved = false;
            let unit = self.item_unit(&item.ast, &mut env);
            if self.errors.len() > errors_before || self.unresolved {
                self.poisoned.insert(idx);
            }
            if let Some(info) = self.policy.items.get_mut(idx.0) {
                info.unit = unit;
            }
            self.current = None;
            self.each = None;
        }
    }

    fn item_unit(&mut self, item: &Item, env: &mut Env) -> Unit {
        let kind = item.kind.node;
        let body = item.body.expr();
        if kind == ItemKind::Commitment {
            if !matches!(
                &body.node,
                ExprKind::Lit(Literal {
                    value: LitValue::Text(_),
                    ..
                })
            ) {
                self.error(
                    Diagnostic::error(
                        Code::Invalid,
                        "a commitment is a text, not a computed value",
                    )
                    .label(body.span, "expected a text in quotes")
                    .help("write the commitment as the draft states it: commitment name = \"…\""),
                );
            }
            return Unit::Text;
        }
        if item.by.is_some() && kind != ItemKind::Target {
            if let Some(by) = &item.by {
                self.error(
                    Diagnostic::error(Code::Invalid, "only a target has a `by` date")
                        .label(by.span, "not a target"),
                );
            }
        }
        let bound = !matches!(item.body, ItemBody::Value(_));
        if bound && kind != ItemKind::Benefit {
            self.error(
                Diagnostic::error(
                    Code::Invalid,
                    "`at most` and `at least` state a benefit's bound",
                )
                .label(
                    body.span,
                    format!("in {} item", crate::value::with_article(kind.keyword())),
                )
                .label(item.kind.span, "declare a `benefit` instead"),
            );
        }
        let Some(unit) = self.infer(body, env) else {
            // Its unit is unknown (an error here or in what it uses): its
            // users must not report again.
            self.unresolved = true;
            return Unit::Number;
        };
        let wanted = match kind {
            k if k.is_monetary() => Unit::Money,
            ItemKind::Eligibility | ItemKind::Target => Unit::Bool,
            _ => return unit,
        };
        if unit != wanted {
            self.wrong_kind_of_value(item, unit, wanted);
        }
        wanted
    }

    /// A monetary item that is not money, or a condition that is not one.
    fn wrong_kind_of_value(&mut self, item: &Item, unit: Unit, wanted: Unit) {
        let kind = item.kind.node;
        let what = if wanted == Unit::Money {
            "money"
        } else {
            "a condition (bool)"
        };
        self.error(
            Diagnostic::error(
                Code::UnitMismatch,
                format!(
                    "{} item must be {what}, but `{}` is {}",
                    crate::value::with_article(kind.keyword()),
                    item.name.node,
                    self.policy.unit_name(unit)
                ),
            )
            .label(
                item.body.expr().span,
                format!("this is {}", self.policy.unit_name(unit)),
            )
            .label(item.kind.span, format!("{} item", kind.keyword()))
            .help(if let (Unit::Money, Unit::MoneyPer(per)) = (wanted, unit) {
                // A price that was scaled, not multiplied by its own unit.
                per_unit_help(per)
            } else if wanted == Unit::Money {
                "multiply a rate by an amount (20% * investment) or give an amount (300万)"
            } else {
                "state the condition, e.g. annual_output >= 100亿"
            }),
        );
    }

    fn expect_bool(&mut self, u: Unit, span: Span, what: &str) {
        if u != Unit::Bool {
            self.error(
                Diagnostic::error(
                    Code::UnitMismatch,
                    format!(
                        "{what} must be true or false, not {}",
                        self.policy.unit_name(u)
                    ),
                )
                .label(span, format!("this is {}", self.policy.unit_name(u)))
                .help("compare it with something, e.g. `annual_output >= 5亿`"),
            );
        }
    }

    pub(super) fn mismatch(
        &mut self,
        message: String,
        l: (&Expr, Unit),
        r: (&Expr, Unit),
        help: &str,
    ) {
        self.mismatch_at(message, (l.0.span, l.1), (r.0.span, r.1), help);
    }

    /// Two operands, at `l` and `r`, whose units do not go together.
    fn mismatch_at(&mut self, message: String, l: (Span, Unit), r: (Span, Unit), help: &str) {
        let d = Diagnostic::error(Code::UnitMismatch, message)
            .label(l.0, format!("this is {}", self.policy.unit_name(l.1)))
            .label(r.0, format!("this is {}", self.policy.unit_name(r.1)))
            .help(help.to_string());
        self.error(d);
    }

    /// The unit of an expression, or `None` after reporting why it has none.
    /// Money × money stands only as an operand of `×` and `÷`, whose
    /// algebra makes money of it again (`a × b ÷ c`); anywhere else it is
    /// an error here.
    pub(super) fn infer(&mut self, e: &Expr, env: &mut Env) -> Option<Unit> {
        let u = self.infer_any(e, env)?;
        if u == Unit::MoneySquared {
            self.error(
                Diagnostic::error(
                    Code::UnitMismatch,
                    "money × money is money only once divided by money",
                )
                .label(e.span, "this is money × money")
                .help(
                    "divide the product by an amount (a share: `amount * budget / total_demand`), \
                     or multiply money by a rate, a count or a number",
                ),
            );
            return None;
        }
        Some(u)
    }

    /// The unit of an expression, money × money included.
    fn infer_any(&mut self, e: &Expr, env: &mut Env) -> Option<Unit> {
        match &e.node {
            ExprKind::Lit(l) => Some(match &l.value {
                LitValue::Quantity(u, _) | LitValue::Fraction(u, _, _) => *u,
                LitValue::Duration(_) => Unit::Duration,
                LitValue::Date(_) => Unit::Date,
                LitValue::Bool(_) => Unit::Bool,
                LitValue::Text(_) => Unit::Text,
            }),
            ExprKind::Name(n) => self.infer_name(n, e.span, env),
            ExprKind::Unary(op, x) => {
                let u = self.infer(x, env)?;
                match op {
                    UnaryOp::Not => {
                        self.expect_bool(u, x.span, "the operand of `not`");
                        Some(Unit::Bool)
                    }
                    UnaryOp::Neg if !(u.is_numeric() || u == Unit::Duration) => {
                        self.error(
                            Diagnostic::error(
                                Code::UnitMismatch,
                                format!("cannot negate {}", self.policy.unit_name(u)),
                            )
                            .label(x.span, format!("this is {}", self.policy.unit_name(u))),
                        );
                        None
                    }
                    _ => {
                        self.check_elapsed_scaled(x);
                        Some(u)
                    }
                }
            }
            ExprKind::Binary(op, l, r) => {
                let (lu, ru) = if matches!(op, BinaryOp::Mul | BinaryOp::Div) {
                    (self.infer_any(l, env), self.infer_any(r, env))
                } else {
                    (self.infer(l, env), self.infer(r, env))
                };
                let (lu, ru) = (lu?, ru?);
                let unit = self.binary(*op, (l.span, lu), (r.span, ru))?;
                if lu == Unit::Duration || ru == Unit::Duration {
                    match op {
                        BinaryOp::Mul | BinaryOp::Div => {
                            self.check_elapsed_scaled(l);
                            self.check_elapsed_scaled(r);
                        }
                        _ if lu == ru => self.check_durations(*op, l, r),
                        _ => self.check_duration_chain(*op, &[(**l).clone(), (**r).clone()]),
                    }
                }
                Some(unit)
            }
            ExprKind::Chain(op, terms) => {
                let unit = self.chain(*op, terms, env)?;
                self.check_duration_chain(*op, terms);
                Some(unit)
            }
            ExprKind::Today => Some(Unit::Date),
            ExprKind::Call(Builtin::YearsBetween, args) => self.years_between(args, env, e.span),
            ExprKind::If(c, t, f) => {
                if let Some(cu) = self.infer(c, env) {
                    self.expect_bool(cu, c.span, "an `if` condition");
                }
                let tu = self.infer(t, env);
                let fu = self.infer(f, env);
                let (tu, fu) = (tu?, fu?);
                match join(tu, fu) {
                    Some(u) => Some(u),
                    None => {
                        self.mismatch(
                            "the two branches of `if` have different units".into(),
                            (t, tu),
                            (f, fu),
                            "both branches must give the same kind of value",
                        );
                        None
                    }
                }
            }
            ExprKind::Call(f, args) => self.call(*f, args, env, e.span),
            ExprKind::Tiers(t) => self.tiers(t, env, e.span),
            ExprKind::Schedule(s) => self.schedule(s, env),
            ExprKind::Dated(d) => self.dated(d, env),
        }
    }

    /// The unit of a name, from the symbol it resolved to.
    fn infer_name(&mut self, n: &Name, span: Span, env: &mut Env) -> Option<Unit> {
        let name = Spanned::new(n.text.clone(), span);
        let name = &name;
        let Some(sym) = n.symbol else {
            if self.each_failed && n.text.contains('.') {
                self.unresolved = true;
                return None;
            }
            if let Some(d) = self.record_name_error(&n.text, span) {
                self.error(d);
                return None;
            }
            let fits: fn(Symbol) -> bool = match env {
                Env::Constant => |s| matches!(s, Symbol::Param(_) | Symbol::Variant(..)),
                Env::Item => |s| !matches!(s, Symbol::Enum(_)),
            };
            let d = self.unknown(name, "name", fits);
            self.error(d);
            return None;
        };
        if let Some(d) = self.record_symbol_error(sym, &n.text, span) {
            self.error(d);
            return None;
        }
        match (sym, env) {
            (Symbol::Field(r, f), _) => self
                .policy
                .records
                .get(r)
                .and_then(|x| x.fields.get(f))
                .map(|x| x.unit),
            (Symbol::Record(_), _) => None,
            (Symbol::Fact(_) | Symbol::Item(_), Env::Constant) => {
                self.error(
                    Diagnostic::error(
                        Code::Invalid,
                        format!("a param's value cannot use `{}`, which differs between enterprises", name.node),
                    )
                    .label(name.span, "a fact or item")
                    .help("a param holds a value fixed by the policy; use an item for a computed value"),
                );
                None
            }
            (Symbol::Fact(i), _) => self.policy.fact(i).map(|f| f.unit),
            (Symbol::Item(i), _) if self.poisoned.contains(&i) => None,
            (Symbol::Param(i), _) if self.poisoned_params.contains(&i) => None,
            (Symbol::Param(i), _) => self.policy.param(i).map(|p| p.unit),
            (Symbol::Item(i), _) => self.policy.item(i).map(|it| it.unit),
            (Symbol::Variant(e, _), _) => Some(Unit::Enum(e)),
            (Symbol::Enum(_), _) => {
                self.error(
                    Diagnostic::error(
                        Code::Invalid,
                        format!("`{}` is an enumeration, not a value", name.node),
                    )
                    .label(name.span, "an enumeration")
                    .help("name one of its values instead"),
                );
                None
            }
        }
    }

    /// `a op b op c …`: every term checked, then the units combined left to
    /// right as the chain is evaluated, each step as `binary` would.
    fn chain(&mut self, op: BinaryOp, terms: &[Expr], env: &mut Env) -> Option<Unit> {
        let product = matches!(op, BinaryOp::Mul | BinaryOp::Div);
        let units: Vec<Option<Unit>> = terms
            .iter()
            .map(|t| {
                if product {
                    self.infer_any(t, env)
                } else {
                    self.infer(t, env)
                }
            })
            .collect();
        let units: Vec<Unit> = units.into_iter().collect::<Option<_>>()?;
        let (first, rest) = terms.split_first()?;
        let mut acc = (first.span, *units.first()?);
        for (t, u) in rest.iter().zip(units.iter().skip(1)) {
            let unit = self.binary(op, acc, (t.span, *u))?;
            acc = (acc.0.to(t.span), unit);
        }
        Some(acc.1)
    }

    fn binary(&mut self, op: BinaryOp, l: (Span, Unit), r: (Span, Unit)) -> Option<Unit> {
        let (lu, ru) = (l.1, r.1);
        let result = match op {
            BinaryOp::Add => units::sum(lu, ru),
            BinaryOp::Sub => units::difference(lu, ru),
            BinaryOp::Mul => units::product(lu, ru),
            BinaryOp::Div => units::quotient(lu, ru),
            BinaryOp::Range => join(lu, ru).filter(|u| u.is_numeric()),
            BinaryOp::And | BinaryOp::Or => {
                self.expect_bool(lu, l.0, &format!("the operands of `{}`", op.symbol()));
                self.expect_bool(ru, r.0, &format!("the operands of `{}`", op.symbol()));
                return Some(Unit::Bool);
            }
            BinaryOp::In => match (lu, ru) {
                (Unit::Enum(a), Unit::Set(b)) if a == b => Some(Unit::Bool),
                _ => None,
            },
            BinaryOp::Cmp(c) => units::comparable(c.comparison(), lu, ru).then_some(Unit::Bool),
        };
        if result.is_none() {
            let product_help = product_help(lu, ru);
            let (verb, help) = match op {
                BinaryOp::Add => (
                    "add",
                    "only like units add up; a rate applies to money by multiplication: `20% * x`",
                ),
                BinaryOp::Sub => ("subtract", "only like units can be subtracted"),
                BinaryOp::Mul => ("multiply", product_help),
                BinaryOp::Div => (
                    "divide",
                    "money ÷ money is a rate; money ÷ a number is money",
                ),
                BinaryOp::Range => (
                    "make a range of",
                    "both ends of a range must be numbers of the same unit",
                ),
                BinaryOp::In => (
                    "test membership of",
                    "`x in s` needs a value of an enum and a set of the same enum",
                ),
                _ => (
                    "compare",
                    "compare like with like, e.g. money with money (write `0元`, not `0`)",
                ),
            };
            let message = format!(
                "cannot {verb} {} and {}",
                self.policy.unit_name(lu),
                self.policy.unit_name(ru)
            );
            self.mismatch_at(message, l, r, help);
        }
        result
    }

    fn call(&mut self, f: Builtin, args: &[Expr], env: &mut Env, span: Span) -> Option<Unit> {
        if f == Builtin::AmountOf {
            return self.amount_of(args, env, span);
        }
        let units: Vec<Option<Unit>> = args.iter().map(|a| self.infer(a, env)).collect();
        if !self.arity(f, args.len(), span) {
            return None;
        }
        let units: Vec<Unit> = units.into_iter().collect::<Option<_>>()?;
        let first = *units.first()?;
        let first_expr = args.first()?;
        if !first.is_numeric() {
            self.error(
                Diagnostic::error(
                    Code::UnitMismatch,
                    format!(
                        "`{}` needs numbers, not {}",
                        f.name(),
                        self.policy.unit_name(first)
                    ),
                )
                .label(
                    first_expr.span,
                    format!("this is {}", self.policy.unit_name(first)),
                ),
            );
            return None;
        }
        let mut acc = first;
        for (a, u) in args.iter().zip(&units).skip(1) {
            match join(acc, *u) {
                Some(j) => acc = j,
                None => {
                    self.mismatch(
                        format!(
                            "the arguments of `{}` have different units: {} and {}",
                            f.name(),
                            self.policy.unit_name(acc),
                            self.policy.unit_name(*u)
                        ),
                        (first_expr, acc),
                        (a, *u),
                        "a cap must have the unit of what it caps, e.g. min(20% * x, 5000万)",
                    );
                    return None;
                }
            }
        }
        Some(acc)
    }

    /// Whether `f` may take `n` arguments; reports it if not. Checked here,
    /// not by the parser, so that the rest of the measure is still checked.
    fn arity(&mut self, f: Builtin, n: usize, span: Span) -> bool {
        let (least, most) = f.arity();
        if (least..=most).contains(&n) {
            return true;
        }
        let wanted = match (least, most) {
            (1, usize::MAX) => "at least one argument".to_string(),
            (l, m) if l == m => format!("{l} arguments"),
            (l, m) => format!("{l} to {m} arguments"),
        };
        self.error(
            Diagnostic::error(
                Code::Invalid,
                format!("`{}` takes {wanted}: {}", f.name(), f.signature()),
            )
            .label(span, format!("called with {n} argument(s)")),
        );
        false
    }

    fn tiers(&mut self, t: &Tiers, env: &mut Env, span: Span) -> Option<Unit> {
        let su = self.infer(&t.subject, env);
        if let Some(p) = &t.prior {
            let pu = self.infer(p, env);
            if let (Some(s), Some(pu)) = (su, pu) {
                if !units::comparable(Comparison::Order, s, pu) {
                    self.mismatch(
                        "the current value and the prior peak have different units".into(),
                        (&t.subject, s),
                        (p, pu),
                        "compare output with output",
                    );
                }
            }
        }
        let mut result: Option<Unit> = None;
        let mut ok = true;
        for (threshold, value) in &t.rows {
            if let (Some(s), Some(tu)) = (su, self.infer(threshold, env)) {
                if !units::comparable(t.cmp.comparison(), s, tu) {
                    self.mismatch(
                        "a threshold's unit differs from the value it is compared with".into(),
                        (&t.subject, s),
                        (threshold, tu),
                        "thresholds must have the unit of the value tiered",
                    );
                } else if s == Unit::Duration {
                    self.check_durations(BinaryOp::Cmp(t.cmp), &t.subject, threshold);
                }
            }
            ok &= self.join_into(&mut result, value, env);
        }
        if let Some(o) = &t.otherwise {
            ok &= self.join_into(&mut result, o, env);
        }
        self.check_order(
            t.rows.iter().map(|(th, _)| th),
            matches!(t.cmp, CmpOp::Ge | CmpOp::Gt),
            "tier thresholds",
        );
        if result.is_none() && ok {
            self.error(
                Diagnostic::error(Code::Invalid, "a tier table needs at least one row")
                    .label(span, "no rows"),
            );
        }
        result.filter(|_| ok)
    }

    fn join_into(&mut self, acc: &mut Option<Unit>, e: &Expr, env: &mut Env) -> bool {
        let Some(u) = self.infer(e, env) else {
            return false;
        };
        match acc {
            None => {
                *acc = Some(u);
                true
            }
            Some(a) => match join(*a, u) {
                Some(j) => {
                    *acc = Some(j);
                    true
                }
                None => {
                    let message = format!(
                        "rows give values of different units: {} and {}",
                        self.policy.unit_name(*a),
                        self.policy.unit_name(u)
                    );
                    self.error(
                        Diagnostic::error(Code::UnitMismatch, message)
                            .label(e.span, format!("this is {}", self.policy.unit_name(u)))
                            .help("every row of a table must give the same kind of value"),
                    );
                    false
                }
            },
        }
    }

    /// Reports rows that can never be reached because constant thresholds are
    /// not strictly descending (or ascending).
    fn check_order<'e>(
        &mut self,
        thresholds: impl Iterator<Item = &'e Expr>,
        descending: bool,
        what: &str,
    ) {
        let mut prev: Option<(rust_decimal::Decimal, Span)> = None;
        for th in thresholds {
            let Some(v) = constant_number(th) else {
                prev = None;
                continue;
            };
            if let Some((p, pspan)) = prev {
                let fine = if descending { v < p } else { v > p };
                if !fine {
                    let order = if descending {
                        "descending"
                    } else {
                        "ascending"
                    };
                    self.error(
                        Diagnostic::error(
                            Code::TierOrder,
                            format!("{what} must be strictly {order}"),
                        )
                        .label(th.span, "this row can never be reached")
                        .label(pspan, "because of this row")
                        .help(if descending {
                            "the first row that matches wins: list the highest threshold first"
                        } else {
                            "list bracket bounds from the lowest up"
                        }),
                    );
                }
            }
            prev = Some((v, th.span));
        }
    }

    fn schedule(&mut self, s: &Schedule, env: &mut Env) -> Option<Unit> {
        let base = self.infer(&s.base, env);
        let mut ok = base.is_some();
        let rates = s.brackets.iter().map(|(_, r)| r).chain(s.above.as_ref());
        let rates: Vec<&Expr> = rates.collect();
        for (bound, _) in &s.brackets {
            if let (Some(b), Some(u)) = (base, self.infer(bound, env)) {
                if join(b, u) != Some(b) {
                    ok = false;
                    self.mismatch(
                        "a bracket bound's unit differs from the base".into(),
                        (&s.base, b),
                        (bound, u),
                        "bracket bounds must have the unit of the base",
                    );
                }
            }
        }
        for r in rates {
            if let Some(u) = self.infer(r, env) {
                if !matches!(u, Unit::Rate | Unit::Number) {
                    ok = false;
                    self.error(
                        Diagnostic::error(Code::UnitMismatch, format!("a bracket's rate must be a rate, not {}", self.policy.unit_name(u)))
                            .label(r.span, format!("this is {}", self.policy.unit_name(u)))
                            .help("each bracket applies its rate to the part of the base within it, e.g. `1000万 => 10%`"),
                    );
                }
            } else {
                ok = false;
            }
        }
        self.check_order(s.brackets.iter().map(|(b, _)| b), false, "bracket bounds");
        base.filter(|_| ok)
    }
}

/// The value of a literal number (with or without a unit), if `e` is one.
fn constant_number(e: &Expr) -> Option<rust_decimal::Decimal> {
    match &e.node {
        ExprKind::Lit(Literal {
            value: LitValue::Quantity(_, d),
            ..
        }) => Some(*d),
        _ => None,
    }
}

/// How to write a value of a unit, for help lines.
fn unit_hint(u: Unit) -> &'static str {
    match u {
        Unit::Money => "write money with a magnitude or 元: 5000万, 1.2亿, 300元",
        Unit::Rate => "write a rate as a percentage or a ratio: 15%, 1:1",
        Unit::Duration => "write a duration with its unit: 3 years, 1 month",
        Unit::Area => "write an area with its unit: 100 km2, 5000平方米",
        Unit::Weight => "write a weight with its unit: 5吨, 500千克",
        Unit::MoneyPer(_) => {
            "write money per unit with both: 30元/平方米, 50万元/亩, 1000元/人, 20元/吨"
        }
        Unit::Date => "write a date as YYYY-MM-DD",
        _ => "give a value of the declared type",
    }
}

/// What money per `per` is multiplied by, for a product with another unit.
fn per_unit_help(per: crate::units::PerUnit) -> &'static str {
    use crate::units::PerUnit;
    match per {
        PerUnit::Area => {
            "money per area is multiplied by an area (平方米, 亩) to give money: `30元/平方米 * rented_area`"
        }
        PerUnit::Count => {
            "money per count is multiplied by a count (人, 户, 家) to give money: `1000元/人 * employees`"
        }
        PerUnit::Weight => {
            "money per weight is multiplied by a weight (吨, 千克) to give money: `20元/吨 * output`"
        }
    }
}

/// The help for a product decree has no unit for: what money (or an area)
/// may be multiplied by, naming the operands actually written.
fn product_help(a: Unit, b: Unit) -> &'static str {
    use Unit::*;
    match (a, b) {
        (MoneyPer(per), other) | (other, MoneyPer(per)) if other != per.unit() => {
            per_unit_help(per)
        }
        (Money, Money) => {
            "money is multiplied by a rate, a count or a number; money × money is money only \
             divided by money (`amount * budget / total_demand`)"
        }
        (Money, Area) | (Area, Money) => {
            "an amount per square metre is money per area, which an area multiplies into money: \
             write it with its unit (`30元/平方米 * area`, `500元/亩 * land`) or declare the \
             fact `money per area`"
        }
        (Area, Area) => "an area is multiplied by a rate, a count or a number, not by an area",
        _ => "money and areas are multiplied by a rate, a count or a number; rates by rates",
    }
}
