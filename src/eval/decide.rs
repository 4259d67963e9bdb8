//! The rules every engine of decree shares: Kleene's three-valued `and` /
//! `or`, which row of a tier table applies, and how an item's status
//! follows from what its condition and its rule came to — and so what
//! other items see of it.
//!
//! The interpreter ([`super`]) and the compiled plan ([`crate::plan`]) both
//! decide through these functions, each after classifying its own values
//! (an [`super::Out`], or a fixed-point cell), so the two cannot drift
//! apart; the differential tests between them check the classification.

use crate::ast::ItemKind;

/// What a condition came to, as the logic sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logic {
    /// True or false.
    Decided(bool),
    /// Not known: a fact is missing, a param is `tbd`, a range leaves it
    /// to discretion.
    Unknown,
    /// Nothing: no tier matched, an item used is not granted.
    Nothing,
}

/// `and` or `or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connective {
    /// `and`: false decides.
    And,
    /// `or`: true decides.
    Or,
}

impl Connective {
    /// The value that decides the whole on its own.
    fn decisive(self) -> bool {
        self == Connective::Or
    }
}

/// Whether the left operand decides `left op …` alone, so that the right
/// one is never evaluated (and cannot fail).
pub fn decides_alone(op: Connective, left: Logic) -> Option<bool> {
    match left {
        Logic::Decided(b) if b == op.decisive() => Some(b),
        _ => None,
    }
}

/// Kleene's `and` / `or`: a decisive side decides; two definite sides
/// give the other value; otherwise not known beats nothing.
pub fn connect(op: Connective, left: Logic, right: Logic) -> Logic {
    let decisive = op.decisive();
    match (left, right) {
        (Logic::Decided(x), _) | (_, Logic::Decided(x)) if x == decisive => Logic::Decided(x),
        (Logic::Decided(_), Logic::Decided(_)) => Logic::Decided(!decisive),
        (Logic::Unknown, _) | (_, Logic::Unknown) => Logic::Unknown,
        _ => Logic::Nothing,
    }
}

/// Which row of a tier table applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// This row (from 0): its test holds and every row before it fails.
    Row(usize),
    /// The test of this row cannot be decided, and every row before it
    /// fails: the table's value is not known.
    Undecided(usize),
    /// No row applies: the `else` value, or nothing.
    Otherwise,
}

/// The first row whose test holds. A row's test is whether the subject
/// reaches its threshold and, for `first reaching X over P`, whether the
/// prior peak had not (the two joined by Kleene's `and`); a test that
/// cannot be decided stops the search.
pub fn pick_row(tests: impl IntoIterator<Item = (Logic, Logic)>) -> Pick {
    for (n, (reached, fresh)) in tests.into_iter().enumerate() {
        match connect(Connective::And, reached, fresh) {
            Logic::Decided(true) => return Pick::Row(n),
            Logic::Decided(false) => {}
            Logic::Unknown | Logic::Nothing => return Pick::Undecided(n),
        }
    }
    Pick::Otherwise
}

/// What an item's rule came to, as its decision sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A commitment: a text, listed whenever its condition holds.
    Listed,
    /// A value of this shape.
    Value(Shape),
    /// Not known.
    Unknown,
    /// Nothing.
    Nothing,
}

/// The shape of an item's value that decides its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A condition (eligibility, target).
    Bool(bool),
    /// An amount of money, by its sign: for a range, below zero when its
    /// low end is, zero when its high end is.
    Amount(Sign),
    /// Any other value (a benefit's rate, duration, bound …).
    Other,
}

/// The sign of an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// Below zero.
    Negative,
    /// Zero.
    Zero,
    /// Above zero.
    Positive,
}

/// Why an item is ineligible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    /// Its `when` is false.
    ConditionNotMet,
    /// Its `when` came to nothing (an item it uses is not granted).
    ConditionNothing,
    /// Its rule came to nothing (no tier matched, an item it uses is not
    /// granted).
    RuleNothing,
    /// An eligibility whose criteria are false.
    CriteriaNotMet,
    /// An amount of zero.
    ZeroAmount,
}

/// The status an item's condition and rule give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Granted (money, a benefit, an eligibility that holds).
    Granted,
    /// Not granted, and why.
    Ineligible(Ineligible),
    /// Not known.
    Undetermined,
    /// A target met.
    Met,
    /// A target not met.
    NotMet,
    /// A commitment listed.
    Listed,
    /// An amount below zero: an error, since a grant cannot be negative.
    Negative,
}

/// The verdict a condition gives on its own, before the rule is
/// evaluated; `None` when the condition holds and the rule decides.
pub fn by_condition(when: Logic) -> Option<Verdict> {
    match when {
        Logic::Decided(true) => None,
        Logic::Decided(false) => Some(Verdict::Ineligible(Ineligible::ConditionNotMet)),
        Logic::Unknown => Some(Verdict::Undetermined),
        Logic::Nothing => Some(Verdict::Ineligible(Ineligible::ConditionNothing)),
    }
}

/// The verdict of an item whose condition holds, from its rule.
pub fn by_rule(kind: ItemKind, rule: Rule) -> Verdict {
    match rule {
        Rule::Listed => Verdict::Listed,
        Rule::Unknown => Verdict::Undetermined,
        Rule::Nothing => Verdict::Ineligible(Ineligible::RuleNothing),
        Rule::Value(shape) => match (kind, shape) {
            (ItemKind::Target, Shape::Bool(true)) => Verdict::Met,
            (ItemKind::Target, Shape::Bool(false)) => Verdict::NotMet,
            (ItemKind::Eligibility, Shape::Bool(false)) => {
                Verdict::Ineligible(Ineligible::CriteriaNotMet)
            }
            (k, Shape::Amount(Sign::Negative)) if k.is_monetary() => Verdict::Negative,
            (k, Shape::Amount(Sign::Zero)) if k.is_monetary() => {
                Verdict::Ineligible(Ineligible::ZeroAmount)
            }
            _ => Verdict::Granted,
        },
    }
}

/// What other items see when they use an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Its value (a benefit's bound as the bound's value: `at most 1%` is
    /// 1%), or what made it not known.
    Value,
    /// False: an eligibility that does not hold.
    False,
    /// Nothing: it is not granted (or not in force).
    NotGranted,
    /// Nothing: its evaluation failed.
    Failed,
}

/// What other items see of an item with this verdict.
pub fn seen(kind: ItemKind, verdict: Verdict) -> Seen {
    match verdict {
        Verdict::Ineligible(_) if kind == ItemKind::Eligibility => Seen::False,
        Verdict::Ineligible(_) => Seen::NotGranted,
        Verdict::Negative => Seen::Failed,
        _ => Seen::Value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Logic; 4] = [
        Logic::Decided(true),
        Logic::Decided(false),
        Logic::Unknown,
        Logic::Nothing,
    ];

    #[test]
    fn kleene_tables() {
        use Logic::*;
        let and = |a, b| connect(Connective::And, a, b);
        let or = |a, b| connect(Connective::Or, a, b);
        assert_eq!(and(Decided(false), Unknown), Decided(false));
        assert_eq!(and(Unknown, Decided(false)), Decided(false));
        assert_eq!(and(Decided(true), Unknown), Unknown);
        assert_eq!(and(Decided(true), Nothing), Nothing);
        assert_eq!(and(Nothing, Unknown), Unknown);
        assert_eq!(or(Decided(true), Nothing), Decided(true));
        assert_eq!(or(Decided(false), Decided(false)), Decided(false));
        assert_eq!(or(Unknown, Decided(false)), Unknown);
    }

    #[test]
    fn kleene_is_commutative_and_the_left_side_decides_only_when_decisive() {
        for op in [Connective::And, Connective::Or] {
            for a in ALL {
                for b in ALL {
                    assert_eq!(connect(op, a, b), connect(op, b, a), "{op:?} {a:?} {b:?}");
                    if let Some(v) = decides_alone(op, a) {
                        assert_eq!(connect(op, a, b), Logic::Decided(v));
                    }
                }
            }
        }
    }

    #[test]
    fn the_first_row_that_holds_wins_and_an_undecided_row_stops() {
        let f = (Logic::Decided(false), Logic::Decided(true));
        let t = (Logic::Decided(true), Logic::Decided(true));
        let u = (Logic::Unknown, Logic::Decided(true));
        assert_eq!(pick_row([f, t, u]), Pick::Row(1));
        assert_eq!(pick_row([f, u, t]), Pick::Undecided(1));
        assert_eq!(pick_row([f, f]), Pick::Otherwise);
        // Reached before (the prior peak is above the threshold): not a hit.
        assert_eq!(
            pick_row([(Logic::Decided(true), Logic::Decided(false)), t]),
            Pick::Row(1)
        );
    }

    #[test]
    fn statuses_follow_from_condition_and_rule() {
        assert_eq!(by_condition(Logic::Decided(true)), None);
        assert_eq!(
            by_rule(ItemKind::Subsidy, Rule::Value(Shape::Amount(Sign::Zero))),
            Verdict::Ineligible(Ineligible::ZeroAmount)
        );
        assert_eq!(
            by_rule(ItemKind::Award, Rule::Value(Shape::Amount(Sign::Negative))),
            Verdict::Negative
        );
        assert_eq!(
            by_rule(ItemKind::Target, Rule::Value(Shape::Bool(false))),
            Verdict::NotMet
        );
        let no = Verdict::Ineligible(Ineligible::CriteriaNotMet);
        assert_eq!(seen(ItemKind::Eligibility, no), Seen::False);
        assert_eq!(seen(ItemKind::Subsidy, no), Seen::NotGranted);
        assert_eq!(seen(ItemKind::Award, Verdict::Negative), Seen::Failed);
    }
}
