//! What an expression comes to: a value, *undetermined* for named causes,
//! or *nothing* for a typed reason. A value that cannot be known is never
//! zero.

use std::collections::BTreeSet;

use super::decide::{Logic, Shape, Sign};
use crate::check::{ItemId, ParamId, Policy};
use crate::value::Value;

/// Why a value is not known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cause {
    /// A fact the enterprise's facts do not give.
    Fact {
        /// The fact's name.
        name: String,
        /// Its label.
        #[serde(skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// A param the draft leaves `tbd`.
    Param {
        /// The param's name.
        name: String,
        /// Its label.
        #[serde(skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// A comparison that a discretionary range does not decide.
    Discretion,
    /// The evaluation date, which a rule or a dated value needs and the
    /// evaluation was not given.
    EvaluationDate,
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cause::Fact {
                name,
                label: Some(l),
            } => write!(f, "fact {l} ({name})"),
            Cause::Fact { name, label: None } => write!(f, "fact {name}"),
            Cause::Param {
                name,
                label: Some(l),
            } => write!(f, "tbd {l} ({name})"),
            Cause::Param { name, label: None } => write!(f, "tbd {name}"),
            Cause::Discretion => f.write_str("discretion (a range leaves it open)"),
            Cause::EvaluationDate => f.write_str("the evaluation date (give one with --at)"),
        }
    }
}

/// A value with a flag saying a soft cap (原则上) bound it.
#[derive(Debug, Clone, PartialEq)]
pub struct Soft {
    /// The value.
    pub value: Value,
    /// Whether a soft cap decided it.
    pub soft: bool,
}

/// Why an expression came to nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nothing {
    /// An item it uses is not granted (or not in force).
    NotGranted(ItemId),
    /// An item it uses failed.
    Failed(ItemId),
    /// An item it uses is superseded by another member of its stacking
    /// group (就高不重复).
    Superseded(ItemId, ItemId),
    /// The policy is not in force on the evaluation date.
    NotInForce,
    /// No row of a tier table matched, and it has no `else`.
    NoTier,
    /// `first reaching`: no output level was reached for the first time.
    NoLevelReached,
    /// A param it uses could not be evaluated.
    ParamFailed(ParamId),
    /// An item used before it was evaluated (the checker's order rules
    /// this out).
    NotEvaluatedYet(ItemId),
    /// A name that is not a value (the checker rules this out).
    NotAValue(String),
    /// An operation on a value of the wrong kind (the checker rules this
    /// out).
    Invalid(&'static str),
    /// No part of a dated value is in force on the evaluation date `at`:
    /// it lies after `after` (the last day of a window) and before
    /// `before` (the first day of the next), either missing at an end.
    NoneInForce {
        /// The evaluation date.
        at: jiff::civil::Date,
        /// The last day in force before it.
        after: Option<jiff::civil::Date>,
        /// The first day in force after it.
        before: Option<jiff::civil::Date>,
    },
}

impl Nothing {
    /// The reason in words.
    pub fn render(&self, policy: &Policy) -> String {
        let item = |i: &ItemId| policy.item(*i).map_or("?", |it| it.name());
        match self {
            Nothing::NotGranted(i) => format!("`{}` is not granted", item(i)),
            Nothing::Failed(i) => format!("`{}` failed", item(i)),
            Nothing::Superseded(i, by) => {
                format!("`{}` is superseded by `{}`", item(i), item(by))
            }
            Nothing::NotInForce => "the policy is not in force".into(),
            Nothing::NoTier => "no tier matched".into(),
            Nothing::NoLevelReached => "no output level reached for the first time".into(),
            Nothing::ParamFailed(p) => {
                let name = policy.param(*p).map_or("?", |p| p.name.as_str());
                format!("param `{name}` failed")
            }
            Nothing::NotEvaluatedYet(i) => format!("`{}` is not evaluated yet", item(i)),
            Nothing::NotAValue(n) => format!("`{n}` is not a value"),
            Nothing::Invalid(why) => (*why).to_string(),
            Nothing::NoneInForce { at, after, before } => {
                crate::dated::gap_words(*at, *after, *before)
            }
        }
    }
}

/// The outcome of evaluating an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    /// A value.
    Val(Soft),
    /// Not known, for these causes.
    Unknown(BTreeSet<Cause>),
    /// Nothing, and why.
    Nothing(Nothing),
}

impl Out {
    /// A value no soft cap decided.
    pub(super) fn val(value: Value) -> Out {
        Out::Val(Soft { value, soft: false })
    }

    /// The outcome as drafters read it: a value, or why there is none.
    pub fn render(&self, policy: &Policy) -> String {
        match self {
            Out::Val(s) if s.soft => format!("{} (soft)", s.value),
            Out::Val(s) => s.value.to_string(),
            Out::Unknown(c) => {
                let names: Vec<String> = c.iter().map(ToString::to_string).collect();
                format!("undetermined ({})", names.join(", "))
            }
            Out::Nothing(why) => format!("none ({})", why.render(policy)),
        }
    }

    /// The outcome as a condition: true, false, not known or nothing.
    pub(super) fn logic(&self) -> Logic {
        match self {
            Out::Val(Soft {
                value: Value::Bool(b),
                ..
            }) => Logic::Decided(*b),
            Out::Unknown(_) => Logic::Unknown,
            // A value that is not a condition cannot stand where one does
            // once checked; as nothing, it grants nothing.
            Out::Val(_) | Out::Nothing(_) => Logic::Nothing,
        }
    }
}

/// The shape of a value that decides an item's status: a condition, a
/// number (an amount, for monetary items) by its sign, or anything else.
pub(super) fn shape(value: &Value) -> Shape {
    match (value, value.bounds()) {
        (Value::Bool(b), _) => Shape::Bool(*b),
        (_, Some((_, lo, _))) if lo.is_sign_negative() && !lo.is_zero() => {
            Shape::Amount(Sign::Negative)
        }
        (_, Some((_, _, hi))) if hi.is_zero() => Shape::Amount(Sign::Zero),
        (_, Some(_)) => Shape::Amount(Sign::Positive),
        _ => Shape::Other,
    }
}
