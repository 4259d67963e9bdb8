//! Explanations as typed data: each evaluated expression becomes a
//! [`Step`] with its outcome, what happened there ([`Note`]: which cap
//! bound, which tier matched …) and the steps it was computed from. The
//! text a reader sees ([`super::Trace`]) is rendered from the steps once an
//! item is decided; a population run (`Options::skip_explanations`)
//! builds no step at all.

use rust_decimal::Decimal;

use super::arith::Rounding;
use super::out::Out;
use super::{Trace, describe};
use crate::ast::{BinaryOp, CmpOp, Expr, ExprKind, ItemKind, Symbol, UnaryOp};
use crate::check::Policy;
use crate::units::Unit;
use crate::value::{Value, format_quantity, format_rate};

/// One evaluated expression.
#[derive(Debug, Clone)]
pub(super) struct Step<'p> {
    /// The expression.
    pub expr: &'p Expr,
    /// What it came to.
    pub out: Out,
    /// What happened there.
    pub note: Option<Note<'p>>,
    /// The part it plays in its parent (a condition, a branch taken).
    pub role: Option<Role>,
    /// The steps it was computed from.
    pub children: Vec<Step<'p>>,
}

/// The part a step plays in the step above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// An item's `when`, or an `if`'s condition.
    Condition,
    /// The `then` branch, taken.
    Then,
    /// The `else` branch, taken.
    Else,
    /// The threshold of a tier row (from 0) that could not be decided.
    RowUndecided(usize),
}

/// What happened at a step.
#[derive(Debug, Clone)]
pub(super) enum Note<'p> {
    /// `min` (a cap) or `max` (a floor) of several arguments.
    Extreme {
        /// `min`.
        cap: bool,
        /// Whether a soft cap (原则上) decided it.
        soft: bool,
        /// How the arguments bound the result.
        how: Extreme<'p>,
    },
    /// `clamp` held the value at its high bound.
    Capped(Value),
    /// `clamp` raised the value to its low bound.
    Raised(Value),
    /// `round` (`round_down`, `round_up`) to a multiple of a step.
    Rounded {
        /// The unit of the result.
        unit: Unit,
        /// The step.
        step: Decimal,
        /// Which way.
        how: Rounding,
    },
    /// A tier row (from 0) matched.
    Tier {
        /// The row.
        row: usize,
        /// How the subject is compared.
        cmp: CmpOp,
        /// The row's threshold.
        threshold: Option<Value>,
        /// `first reaching X over P`.
        first_reaching: bool,
    },
    /// No tier row matched: the `else` row applies.
    ElseRow,
    /// `amount_of` an item that is not granted: it counts 0元.
    CountsZero {
        /// The member of its stacking group that supersedes it, if that is why.
        superseded_by: Option<String>,
    },
    /// A comparison of a quotient that does not terminate, decided
    /// exactly as if cross-multiplied.
    Exact,
    /// No tier row matched and there is no `else`.
    NoTier {
        /// `first reaching X over P`.
        first_reaching: bool,
    },
    /// A schedule's brackets at the low end of the base: each part, its
    /// rate and its amount.
    Brackets {
        /// The base's unit.
        unit: Unit,
        /// (part of the base, rate, amount), bracket by bracket.
        parts: Vec<(Decimal, Decimal, Decimal)>,
        /// Each bracket's rate as written (the `above` row's last), shown
        /// beside its value when it is more than a literal: `25% × 20%`.
        rates: Vec<&'p Expr>,
    },
    /// The part of a dated value in force, by its window (issue 16).
    Dated(crate::dated::Window),
}

/// How the arguments of `min` / `max` bound the result.
#[derive(Debug, Clone)]
pub(super) enum Extreme<'p> {
    /// The first argument itself, under (or above) the others, or exactly
    /// at one of them.
    Within {
        /// The other arguments.
        others: Vec<Value>,
        /// Whether one of them equals the result.
        tied: bool,
    },
    /// Another argument: this bound, written as this expression.
    Bound {
        /// The bound.
        bound: Value,
        /// The argument that gave it.
        by: &'p Expr,
    },
    /// One argument for part of a range, another for the rest.
    Part,
}

impl<'p> Step<'p> {
    /// A step with no note and no children.
    pub fn new(expr: &'p Expr, out: Out) -> Self {
        Step {
            expr,
            out,
            note: None,
            role: None,
            children: Vec::new(),
        }
    }

    /// This step in the role it plays for its parent.
    pub fn in_role(mut self, role: Role) -> Self {
        self.role = Some(role);
        self
    }

    /// Whether it came to `false`.
    fn is_false(&self) -> bool {
        matches!(&self.out, Out::Val(s) if s.value == Value::Bool(false))
    }

    /// Whether it is a `round` with no role: its note is the item's
    /// `rounded`.
    fn rounds(&self) -> bool {
        self.role.is_none() && matches!(self.note, Some(Note::Rounded { .. }))
    }
}

/// The children of a step under construction, and its note: `None` when
/// no explanation is built, so that nothing is.
#[derive(Debug, Default)]
pub(super) struct Trail<'p>(Option<(Vec<Step<'p>>, Option<Note<'p>>)>);

impl<'p> Trail<'p> {
    /// A trail that records (`explaining`) or ignores everything.
    pub fn new(explaining: bool) -> Self {
        Trail(explaining.then(|| (Vec::new(), None)))
    }

    /// Records a child step.
    pub fn push(&mut self, step: Option<Step<'p>>) {
        if let (Some((children, _)), Some(s)) = (&mut self.0, step) {
            children.push(s);
        }
    }

    /// Records a child step in a role.
    pub fn push_as(&mut self, step: Option<Step<'p>>, role: Role) {
        self.push(step.map(|s| s.in_role(role)));
    }

    /// Records the note, built only when explaining.
    pub fn note(&mut self, note: impl FnOnce() -> Note<'p>) {
        if let Some((_, n)) = &mut self.0 {
            *n = Some(note());
        }
    }

    /// The step of `expr`, which came to `out`, when explaining.
    pub fn into_step(self, expr: &'p Expr, out: &Out) -> Option<Step<'p>> {
        self.0.map(|(children, note)| Step {
            note,
            children,
            ..Step::new(expr, out.clone())
        })
    }
}

/// Renders a step as the text of an explanation.
pub(super) fn render(policy: &Policy, step: &Step<'_>) -> Trace {
    let text = describe(policy, step.expr);
    let expr = match &step.expr.node {
        ExprKind::Name(n) if text != n.text => format!("{text} ({})", n.text),
        _ => text,
    };
    let value = match (&step.expr.node, &step.out) {
        // A literal reads as its value, soft or not.
        (ExprKind::Lit(_), Out::Val(s)) => s.value.to_string(),
        (_, out) => out.render(policy),
    };
    Trace {
        expr,
        value,
        note: note_text(policy, step),
        children: step.children.iter().map(|c| render(policy, c)).collect(),
    }
}

/// The note of a step in words, its role first: `condition: capped at
/// 5,000万元`.
fn note_text(policy: &Policy, step: &Step<'_>) -> Option<String> {
    let note = step.note.as_ref().map(|n| note_words(policy, n));
    let role = step.role.map(|r| match r {
        Role::Condition => "condition".to_string(),
        Role::Then => "then branch taken".to_string(),
        Role::Else => "else branch taken".to_string(),
        Role::RowUndecided(n) => format!("row {} undecided", n + 1),
    });
    match (role, note) {
        (Some(r), Some(n)) => Some(format!("{r}: {n}")),
        (r, n) => r.or(n),
    }
}

fn note_words(policy: &Policy, note: &Note<'_>) -> String {
    match note {
        Note::Extreme { cap, soft, how } => extreme_words(policy, *cap, *soft, how),
        Note::Capped(v) => format!("capped at {v}"),
        Note::Raised(v) => format!("raised to {v}"),
        Note::Rounded { unit, step, how } => {
            let step = format_quantity(*unit, *step);
            match how {
                Rounding::HalfAwayFromZero => {
                    format!("rounded to the nearest {step} (halves away from zero, 四舍五入)")
                }
                Rounding::Down => format!("rounded down to a multiple of {step} (舍去)"),
                Rounding::Up => format!("rounded up to a multiple of {step} (进一)"),
            }
        }
        Note::Tier {
            row,
            cmp,
            threshold,
            first_reaching,
        } => {
            let th = threshold
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            if *first_reaching {
                format!("tier {} matched: first reaching {th}", row + 1)
            } else {
                format!("tier {} matched: {} {th}", row + 1, cmp.symbol())
            }
        }
        Note::ElseRow => "no tier matched: else row".into(),
        Note::CountsZero {
            superseded_by: Some(by),
        } => format!("superseded by {by}: counts 0元"),
        Note::CountsZero {
            superseded_by: None,
        } => "not granted: counts 0元".into(),
        Note::Dated(w) => w.to_string(),
        Note::Exact => "decided exactly, as if cross-multiplied (the quotient does not terminate and is shown rounded)".into(),
        Note::NoTier {
            first_reaching: true,
        } => "no output level reached for the first time".into(),
        Note::NoTier {
            first_reaching: false,
        } => "no tier matched".into(),
        Note::Brackets { unit, parts, rates } => {
            let parts: Vec<String> = parts
                .iter()
                .zip(rates.iter().map(Some).chain(std::iter::repeat(None)))
                .map(|((portion, rate, amount), written)| {
                    let written = match written {
                        Some(e) if !matches!(e.node, ExprKind::Lit(_)) => {
                            format!(" ({})", describe(policy, e))
                        }
                        _ => String::new(),
                    };
                    format!(
                        "{} × {}{written} = {}",
                        format_quantity(*unit, *portion),
                        format_rate(*rate),
                        format_quantity(*unit, *amount)
                    )
                })
                .collect();
            format!("brackets: {}", parts.join("; "))
        }
    }
}

/// Which argument of `min` / `max` decided the result, in words: for `min`
/// "under the cap 5,000万元", "capped at 5,000万元 (上限)"; for `max`, which
/// picks the higher of its alternatives (not a floor: `max(a, b)` may well
/// be two ways to reckon one award), "higher than the alternative 300万元",
/// "the higher alternative 500万元 (…)".
fn extreme_words(policy: &Policy, cap: bool, soft: bool, how: &Extreme<'_>) -> String {
    let soft_word = if soft { " (soft cap, 原则上)" } else { "" };
    match how {
        Extreme::Within { others, tied } => {
            let others: Vec<String> = others.iter().map(ToString::to_string).collect();
            let others = others.join(", ");
            // A tie with a cap is worth saying: the amount is exactly what
            // the cap allows.
            match (tied, cap) {
                (true, true) => format!("exactly at the cap {others}"),
                (false, true) => format!("under the cap {others}"),
                (true, false) => format!("equal to the alternative {others}"),
                (false, false) => format!("higher than the alternative {others}"),
            }
        }
        Extreme::Bound { bound, by } => {
            let verb = if cap {
                "capped at"
            } else {
                "the higher alternative,"
            };
            let bound = bound.to_string();
            let literal = matches!(
                by.node,
                ExprKind::Lit(_) | ExprKind::Unary(UnaryOp::Soft, _)
            );
            let which = describe(policy, by);
            if literal || which == bound {
                format!("{verb} {bound}{soft_word}")
            } else {
                format!("{verb} {bound} ({which}){soft_word}")
            }
        }
        Extreme::Part if cap => format!("the cap binds for part of the range{soft_word}"),
        Extreme::Part => "the alternatives are each higher for part of the range".to_string(),
    }
}

/// What an item's explanation says at its root.
pub(super) enum Verdict {
    /// Its condition is false.
    Ineligible,
    /// Its condition cannot be decided.
    Undetermined,
    /// Its value, as its rule's step shows it.
    Value,
    /// Nothing to show (a commitment, a condition that came to nothing).
    Blank,
}

/// An item's explanation: its condition and its rule under one root, with
/// the notes of every step in order, without repeats, and the note of the
/// `round` that decided it, if one did.
pub(super) fn explain(
    policy: &Policy,
    kind: ItemKind,
    name: &str,
    verdict: Verdict,
    steps: &[&Step<'_>],
) -> (Trace, Vec<String>, Option<String>) {
    let children: Vec<Trace> = steps.iter().map(|s| render(policy, s)).collect();
    let value = match verdict {
        Verdict::Ineligible => "ineligible".to_string(),
        Verdict::Undetermined => "undetermined".to_string(),
        Verdict::Value => children.last().map(|c| c.value.clone()).unwrap_or_default(),
        Verdict::Blank => String::new(),
    };
    let root = Trace {
        expr: format!("{} {name}", kind.keyword()),
        value,
        note: None,
        children,
    };
    let mut notes = Vec::new();
    root.collect_notes(&mut notes);
    let rounded = steps
        .iter()
        .find_map(|s| first_rounding(s))
        .and_then(|s| note_text(policy, s));
    (root, notes, rounded)
}

fn first_rounding<'a, 'p>(step: &'a Step<'p>) -> Option<&'a Step<'p>> {
    if step.rounds() {
        return Some(step);
    }
    step.children.iter().find_map(first_rounding)
}

/// The part of a false condition that made it false: the false operand of
/// an `and`, followed down, with the values of the names below it.
pub(super) fn false_part(policy: &Policy, e: &Expr, step: &Step<'_>) -> String {
    let operands: Vec<&Expr> = match &e.node {
        ExprKind::Binary(BinaryOp::And, l, r) => vec![l, r],
        ExprKind::Chain(BinaryOp::And, terms) => terms.iter().collect(),
        _ => Vec::new(),
    };
    for (sub, st) in operands.into_iter().zip(&step.children) {
        if st.is_false() {
            return false_part(policy, sub, st);
        }
    }
    let shown = describe(policy, e);
    let mut leaves: Vec<String> = Vec::new();
    named_leaves(policy, step, &mut leaves);
    if leaves.is_empty() {
        shown
    } else {
        format!("{shown}, where {}", leaves.join(", "))
    }
}

/// The values of the facts, params and items below a step (and of
/// literals that do not read as their value, such as `是`), to show why a
/// condition came out as it did.
fn named_leaves(policy: &Policy, step: &Step<'_>, out: &mut Vec<String>) {
    for c in &step.children {
        if !c.children.is_empty() {
            named_leaves(policy, c, out);
            continue;
        }
        let shown = match &c.expr.node {
            ExprKind::Name(n) => matches!(
                n.symbol,
                Some(Symbol::Fact(_) | Symbol::Param(_) | Symbol::Item(_))
            ),
            ExprKind::Lit(_) => true,
            _ => false,
        };
        if !shown {
            continue;
        }
        let t = render(policy, c);
        // A literal that reads as its value (a number, a date, `true`)
        // says nothing; one that does not (`是`) is worth showing.
        if let ExprKind::Lit(l) = &c.expr.node {
            if l.raw.starts_with(|ch: char| ch.is_ascii_digit()) || l.raw == t.value {
                continue;
            }
        }
        let line = format!("{} = {}", t.expr, t.value);
        if !out.contains(&line) {
            out.push(line);
        }
    }
}
