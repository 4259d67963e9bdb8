//! Durations the checker can prove decidable: every comparison and sum of
//! durations that could fail for some input is reported here, before any
//! evaluation.
//!
//! A duration expression has a *family*: days (`90 days`), calendar units
//! (`5 years`, `18 months`, and every duration fact or param, which the
//! facts reader and the checker keep in whole months: see
//! [`crate::units::Duration::as_kept_value`]), or the time *elapsed*
//! between two dates (`today - founded`), which keeps its ends. Elapsed
//! time compares with anything (days by counting, years and months by the
//! calendar) but adds to nothing; days and calendar units never meet,
//! since no number of days is a month.

use super::Checker;
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::units::{DurationUnit, Unit};

/// What kind of duration an expression gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    /// Days.
    Days,
    /// Years and months.
    Calendar,
    /// The time between two dates.
    Elapsed,
}

/// A term of a chain of dates and durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A date.
    Date,
    /// A duration of a family.
    Duration(Family),
    /// Anything else (numbers, or what cannot be told).
    Other,
}

/// `acc op next` for chains of dates and durations.
fn step(op: BinaryOp, acc: Kind, next: Kind) -> Kind {
    match (op, acc, next) {
        (BinaryOp::Sub, Kind::Date, Kind::Date) => Kind::Duration(Family::Elapsed),
        (_, Kind::Date, _) | (BinaryOp::Add, _, Kind::Date) => Kind::Date,
        (_, Kind::Duration(f), _) | (_, _, Kind::Duration(f)) => Kind::Duration(f),
        _ => Kind::Other,
    }
}

/// How deep a chain of params and items is followed for a family; past
/// it nothing is said (the evaluator's own limits still hold).
const MAX_DEPTH: usize = 64;

impl Checker<'_> {
    /// The family of a duration expression `e`, when one can be told.
    pub(super) fn family(&self, e: &Expr) -> Option<Family> {
        self.family_at(e, 0)
    }

    fn family_at(&self, e: &Expr, depth: usize) -> Option<Family> {
        if depth > MAX_DEPTH {
            return None;
        }
        let of = |x: &Expr| self.family_at(x, depth + 1);
        match &e.node {
            ExprKind::Lit(Literal {
                value: LitValue::Duration(d),
                ..
            }) => Some(if d.unit == DurationUnit::Days {
                Family::Days
            } else {
                Family::Calendar
            }),
            ExprKind::Name(n) => match n.symbol? {
                Symbol::Fact(i) => {
                    (self.policy.fact(i)?.unit == Unit::Duration).then_some(Family::Calendar)
                }
                Symbol::Param(i) => {
                    let p = self.policy.param(i)?;
                    if p.unit != Unit::Duration {
                        return None;
                    }
                    match &p.value {
                        Some(v) => of(v),
                        None => Some(Family::Calendar),
                    }
                }
                Symbol::Item(i) => of(self.policy.item(i)?.ast.body.expr()),
                _ => None,
            },
            ExprKind::Unary(_, x) => of(x),
            ExprKind::Binary(BinaryOp::Sub, l, r)
                if self.is_date(l, depth) && self.is_date(r, depth) =>
            {
                Some(Family::Elapsed)
            }
            ExprKind::Binary(_, l, r) => of(l).or_else(|| of(r)),
            ExprKind::Chain(op, terms) => match self.chain_kind(*op, terms, depth) {
                Kind::Duration(f) => Some(f),
                Kind::Date | Kind::Other => None,
            },
            ExprKind::If(_, t, f) => of(t).or_else(|| of(f)),
            ExprKind::Tiers(t) => t
                .rows
                .iter()
                .map(|(_, v)| v)
                .chain(&t.otherwise)
                .find_map(of),
            _ => None,
        }
    }

    /// Whether `e` is a date (a date literal, `today`, a date fact or param,
    /// a date moved by a duration).
    fn is_date(&self, e: &Expr, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match &e.node {
            ExprKind::Today => true,
            ExprKind::Lit(Literal {
                value: LitValue::Date(_),
                ..
            }) => true,
            ExprKind::Name(n) => match n.symbol {
                Some(Symbol::Fact(i)) => self.policy.fact(i).is_some_and(|f| f.unit == Unit::Date),
                Some(Symbol::Param(i)) => {
                    self.policy.param(i).is_some_and(|p| p.unit == Unit::Date)
                }
                Some(Symbol::Item(i)) => self.policy.item(i).is_some_and(|p| p.unit == Unit::Date),
                _ => false,
            },
            ExprKind::Binary(BinaryOp::Add, l, r) => {
                self.is_date(l, depth + 1) || self.is_date(r, depth + 1)
            }
            ExprKind::Binary(BinaryOp::Sub, l, r) => {
                self.is_date(l, depth + 1) && !self.is_date(r, depth + 1)
            }
            ExprKind::Chain(op, terms) => self.chain_kind(*op, terms, depth) == Kind::Date,
            ExprKind::If(_, t, _) => self.is_date(t, depth + 1),
            _ => false,
        }
    }

    /// Checks that two durations `l op r` (a comparison, sum or difference)
    /// are decided for every input; reports it when not.
    pub(super) fn check_durations(&mut self, op: BinaryOp, l: &Expr, r: &Expr) {
        let (Some(a), Some(b)) = (self.family(l), self.family(r)) else {
            return;
        };
        match op {
            BinaryOp::Cmp(_) => {
                if a == Family::Elapsed || b == Family::Elapsed {
                    let other = if a == Family::Elapsed { r } else { l };
                    self.whole_calendar_units(other);
                } else if a != b {
                    self.days_and_months(l.span, r.span, "compare");
                }
            }
            BinaryOp::Add | BinaryOp::Sub => {
                if a == Family::Elapsed || b == Family::Elapsed {
                    let at = if a == Family::Elapsed { l } else { r };
                    self.elapsed_in_arithmetic(at.span);
                } else if a != b {
                    self.days_and_months(l.span, r.span, "add or subtract");
                }
            }
            _ => {}
        }
    }

    /// A chain `a ± b ± …` of dates and durations, folded left to right as
    /// it is evaluated; the first step that cannot be decided is reported.
    pub(super) fn check_duration_chain(&mut self, op: BinaryOp, terms: &[Expr]) {
        if !matches!(op, BinaryOp::Add | BinaryOp::Sub) {
            for t in terms {
                self.check_elapsed_scaled(t);
            }
            return;
        }
        let Some((first, rest)) = terms.split_first() else {
            return;
        };
        let mut acc = self.kind(first, 0);
        let mut acc_span = first.span;
        for t in rest {
            let next = self.kind(t, 0);
            match (acc, next) {
                (Kind::Duration(Family::Elapsed), _) => {
                    return self.elapsed_in_arithmetic(acc_span);
                }
                (_, Kind::Duration(Family::Elapsed)) => return self.elapsed_in_arithmetic(t.span),
                (Kind::Duration(a), Kind::Duration(b)) if a != b => {
                    return self.days_and_months(acc_span, t.span, "add or subtract");
                }
                _ => {}
            }
            acc = step(op, acc, next);
            acc_span = acc_span.to(t.span);
        }
    }

    /// What a term of a chain is, for [`Self::chain_kind`].
    fn kind(&self, e: &Expr, depth: usize) -> Kind {
        if self.is_date(e, depth + 1) {
            Kind::Date
        } else {
            self.family_at(e, depth + 1)
                .map_or(Kind::Other, Kind::Duration)
        }
    }

    /// What a chain `a op b op …` gives: a date, a duration of a family, or
    /// something else.
    fn chain_kind(&self, op: BinaryOp, terms: &[Expr], depth: usize) -> Kind {
        let mut it = terms.iter();
        let Some(first) = it.next() else {
            return Kind::Other;
        };
        let mut acc = self.kind(first, depth);
        for t in it {
            acc = step(op, acc, self.kind(t, depth));
        }
        acc
    }

    /// An elapsed time scaled or negated: it is compared, not computed with.
    pub(super) fn check_elapsed_scaled(&mut self, e: &Expr) {
        if self.family(e) == Some(Family::Elapsed) {
            self.elapsed_in_arithmetic(e.span);
        }
    }

    fn elapsed_in_arithmetic(&mut self, at: Span) {
        self.error(
            Diagnostic::error(
                Code::UnitMismatch,
                "the time between two dates is compared, not computed with",
            )
            .label(at, "the time between two dates")
            .help(
                "compare it with a duration (`today - founded < 5 years`), or count full years \
                 with `years_between(founded, today)`",
            ),
        );
    }

    fn days_and_months(&mut self, l: Span, r: Span, verb: &str) {
        self.error(
            Diagnostic::error(
                Code::UnitMismatch,
                format!("cannot {verb} a duration in days and one in years or months"),
            )
            .label(l, "one is in days, the other in years or months")
            .label(r, "and this")
            .help(
                "no number of days is a month: write both in days, or both in years and months; \
                 to compare the time between two dates, subtract the dates (`to - from < 5 years`)",
            ),
        );
    }

    /// A literal in years or months that is no whole number of months
    /// cannot be laid on the calendar.
    fn whole_calendar_units(&mut self, e: &Expr) {
        if let ExprKind::Lit(Literal {
            value: LitValue::Duration(d),
            ..
        }) = &e.node
        {
            if d.unit != DurationUnit::Days {
                if let Err(why) = d.as_kept_value() {
                    self.error(
                        Diagnostic::error(
                            Code::Invalid,
                            format!("cannot compare the time between two dates with {d}"),
                        )
                        .label(e.span, why)
                        .help("compare with whole months or days: 18 months, 45 days"),
                    );
                }
            }
        }
    }

    /// A param kept in days would compare with nothing in years or months
    /// once overridden; params are kept as facts are, in whole months.
    pub(super) fn check_duration_param(&mut self, value: &Expr) {
        if let ExprKind::Lit(Literal {
            value: LitValue::Duration(d),
            ..
        }) = &value.node
        {
            if let Err(why) = d.as_kept_value() {
                self.error(
                    Diagnostic::error(
                        Code::UnitMismatch,
                        "a duration param is kept in whole months or years",
                    )
                    .label(value.span, why)
                    .help("write it in months or years (3 months), or put the days in the rule itself"),
                );
            }
        }
    }
}

impl Checker<'_> {
    /// `years_between(from, to)`: two dates, giving a count of full years.
    pub(super) fn years_between(
        &mut self,
        args: &[Expr],
        env: &mut super::Env,
        span: Span,
    ) -> Option<Unit> {
        let units: Vec<Option<Unit>> = args.iter().map(|a| self.infer(a, env)).collect();
        if args.len() != 2 {
            self.error(
                Diagnostic::error(
                    Code::Invalid,
                    format!(
                        "`years_between` takes 2 arguments: {}",
                        Builtin::YearsBetween.signature()
                    ),
                )
                .label(span, format!("called with {} argument(s)", args.len()))
                .help("give the earlier date first: years_between(founded, today)"),
            );
            return None;
        }
        let mut ok = true;
        for (a, u) in args.iter().zip(units) {
            let u = u?;
            if u != Unit::Date {
                ok = false;
                self.error(
                    Diagnostic::error(
                        Code::UnitMismatch,
                        format!(
                            "`years_between` counts years between dates, not {}",
                            crate::units::with_article(&self.policy.unit_name(u))
                        ),
                    )
                    .label(a.span, format!("this is {}", self.policy.unit_name(u)))
                    .help("give two dates: years_between(founded, today)"),
                );
            }
        }
        ok.then_some(Unit::Count)
    }
}
