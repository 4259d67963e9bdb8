//! Matching a partial enterprise profile to a policy, for the portals that
//! grant without an application (免申即享): a portal knows some facts of
//! an enterprise and wants, for every measure, which items it is granted
//! (and how much), which it is not (and why), and which are still open —
//! with the facts that would decide them and the most each could be worth,
//! ranked by that amount ("up to 5,000万元 under measure 8: tell us your
//! technical-upgrade investment").
//!
//! [`match_profile`](crate::matching::match_profile) evaluates the policy
//! once with the one evaluator ([`crate::eval::evaluate`]) and adds to each
//! undetermined monetary item its static
//! [`ceiling`](crate::matching::ceiling()) (the most its amount can be for
//! any facts, from its expression and the params). The result serializes
//! to the JSON of `docs/JSON.md` ("Profile matching"), written by
//! [`crate::report::json::matching`].

mod ceiling;

pub use ceiling::{Ceiling, Ceilings, ceiling};

use std::cmp::Ordering;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::ast::{ItemId, ItemKind};
use crate::check::Policy;
use crate::eval::{Cause, Facts, ItemResult, Options, Range, Status};
use crate::value::format_money;

/// The match of one enterprise's (partial) facts to a policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matching {
    /// The policy's title (its file's name when it has none).
    pub policy: String,
    /// Every measure, in the order of the policy, with every item.
    pub measures: Vec<MeasureMatch>,
    /// The undetermined monetary items, the largest ceiling first, those
    /// with no ceiling last; ties by measure number, then in the order of
    /// their measure.
    pub ranked: Vec<Stake>,
}

/// One measure's items, matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureMatch {
    /// Number as in the draft.
    pub number: u32,
    /// Title as in the draft.
    pub title: String,
    /// Its clause texts.
    pub cites: Vec<String>,
    /// Its items, in the order written.
    pub items: Vec<ItemMatch>,
}

/// One item, matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemMatch {
    /// Item name.
    pub name: String,
    /// Item label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Item kind.
    pub kind: ItemKind,
    /// Its status for the facts given.
    pub status: Status,
    /// The exact amount in yuan, for a granted monetary item with one value.
    pub amount: Option<Decimal>,
    /// The amount range in yuan, for a granted monetary item left to
    /// discretion.
    pub range: Option<Range>,
    /// The value as drafters read it.
    pub value: Option<String>,
    /// For an undetermined monetary item: the most it can be, in yuan, for
    /// any facts still missing (its static [`Ceiling`]); `None` when nothing
    /// bounds it, and for items that are decided.
    pub up_to: Option<Decimal>,
    /// `up_to` as drafters read it (`5,000万元`).
    pub up_to_text: Option<String>,
    /// Whether `up_to` holds only in principle: a soft cap (原则上) gives it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub soft: bool,
    /// The facts missing from the profile that leave it undetermined.
    pub deciding_facts: Vec<DecidingFact>,
    /// The `tbd` params that leave it undetermined.
    pub tbd_params: Vec<TbdParam>,
    /// Whether a discretionary range leaves it undetermined (a comparison
    /// it does not decide), whatever the facts.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub discretion: bool,
    /// Why it is ineligible, not in force or failed (or undetermined by
    /// its condition), as the evaluation says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Clause texts it comes from.
    pub cites: Vec<String>,
}

/// A fact that would decide an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidingFact {
    /// The fact's name, as a facts file writes it.
    pub name: String,
    /// Its label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its type, as declared (`money`, `bool`, `set of honour` …).
    #[serde(rename = "type")]
    pub ty: String,
}

/// A `tbd` param that leaves an item open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TbdParam {
    /// The param's name.
    pub name: String,
    /// Its label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// An undetermined monetary item and what is at stake in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stake {
    /// The number of its measure.
    pub measure: u32,
    /// The item's name.
    pub item: String,
    /// The most it can be, in yuan; `None` when nothing bounds it.
    pub up_to: Option<Decimal>,
    /// `up_to` as drafters read it.
    pub up_to_text: Option<String>,
    /// Whether `up_to` holds only in principle.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub soft: bool,
    /// The names of the facts that would decide it.
    pub deciding_facts: Vec<String>,
    /// The names of the `tbd` params that leave it open.
    pub tbd_params: Vec<String>,
}

/// Matches an enterprise's facts — as many as are known — to `policy`:
/// one evaluation with `options`, every item's status and amount as it
/// gives them, and for the undetermined monetary items their ceilings and
/// the facts and params that leave them open, ranked by ceiling.
///
/// ```
/// use decree::{Facts, Options, SourceFile};
///
/// let policy = decree::load(&SourceFile::new("p.decree", r#"
///     fact investment: money "技术改造项目投资额"
///     measure 8 "以技术改造引领智能化转型" {
///       subsidy tech_upgrade = min(20% * investment, 5000万)
///     }
/// "#)).expect("a valid policy");
/// let m = decree::matching::match_profile(&policy, &Facts::new("a portal's guess"), &Options::default());
/// let stake = m.ranked.first().expect("the open subsidy");
/// assert_eq!(stake.up_to_text.as_deref(), Some("5,000万元"));
/// assert_eq!(stake.deciding_facts, ["investment"]);
/// ```
pub fn match_profile(policy: &Policy, facts: &Facts, options: &Options) -> Matching {
    let evaluation = crate::eval::evaluate(policy, facts, options);
    let ceilings = Ceilings::of(policy, options);
    let mut measures = Vec::with_capacity(evaluation.measures.len());
    // (ceiling, stake), in the order of the policy.
    let mut stakes: Vec<(Option<Ceiling>, Stake)> = Vec::new();
    for (m, info) in evaluation.measures.iter().zip(&policy.measures) {
        let mut items = Vec::with_capacity(m.items.len());
        for (at, r) in m.items.iter().enumerate() {
            let id = item_id(policy, &info.items, at, &r.name);
            let open = r.status == Status::Undetermined && r.kind.is_monetary();
            let ceiling = if open {
                id.and_then(|i| ceilings.get(i))
            } else {
                None
            };
            let item = item_match(policy, r, ceiling);
            if open {
                stakes.push((
                    ceiling,
                    Stake {
                        measure: m.number,
                        item: item.name.clone(),
                        up_to: item.up_to,
                        up_to_text: item.up_to_text.clone(),
                        soft: item.soft,
                        deciding_facts: item
                            .deciding_facts
                            .iter()
                            .map(|f| f.name.clone())
                            .collect(),
                        tbd_params: item.tbd_params.iter().map(|p| p.name.clone()).collect(),
                    },
                ));
            }
            items.push(item);
        }
        measures.push(MeasureMatch {
            number: m.number,
            title: m.title.clone(),
            cites: m.cites.clone(),
            items,
        });
    }
    // Ties by measure number, then (the sort is stable) in the order of
    // their measure.
    stakes.sort_by(|(a, x), (b, y)| by_stake(*a, *b).then(x.measure.cmp(&y.measure)));
    Matching {
        policy: policy
            .header
            .title
            .clone()
            .unwrap_or_else(|| policy.source.name.to_string()),
        measures,
        ranked: stakes.into_iter().map(|(_, s)| s).collect(),
    }
}

/// The largest ceiling first, no ceiling last.
fn by_stake(a: Option<Ceiling>, b: Option<Ceiling>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => b.amount.cmp(&a.amount),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The id of the item at position `at` of a measure (the evaluation lists
/// a measure's items in the order of the policy; the name confirms it).
fn item_id(policy: &Policy, ids: &[ItemId], at: usize, name: &str) -> Option<ItemId> {
    let named = |i: &ItemId| policy.item(*i).is_some_and(|info| info.name() == name);
    ids.get(at)
        .filter(|i| named(i))
        .or_else(|| ids.iter().find(|i| named(i)))
        .copied()
}

fn item_match(policy: &Policy, r: &ItemResult, ceiling: Option<Ceiling>) -> ItemMatch {
    let mut deciding_facts = Vec::new();
    let mut tbd_params = Vec::new();
    let mut discretion = false;
    for cause in &r.undetermined_by {
        match cause {
            Cause::Fact { name, label } => deciding_facts.push(DecidingFact {
                name: name.clone(),
                label: label.clone(),
                ty: policy
                    .fact_named(name)
                    .map(|(_, f)| f.unit)
                    .or_else(|| policy.field_unit(name))
                    .map_or_else(String::new, |u| policy.unit_name(u)),
            }),
            Cause::Param { name, label } => tbd_params.push(TbdParam {
                name: name.clone(),
                label: label.clone(),
            }),
            Cause::Discretion => discretion = true,
            // The host gives the evaluation date (the portal always does);
            // without one the item is open for a reason no profile can settle.
            Cause::EvaluationDate => {}
        }
    }
    ItemMatch {
        name: r.name.clone(),
        label: r.label.clone(),
        kind: r.kind,
        status: r.status,
        amount: r.amount.map(|a| a.normalize()),
        range: r.range.map(|g| Range {
            min: g.min.normalize(),
            max: g.max.normalize(),
        }),
        value: r.value.clone(),
        up_to: ceiling.map(|c| c.amount),
        up_to_text: ceiling.map(|c| format_money(c.amount)),
        soft: ceiling.is_some_and(|c| c.soft),
        deciding_facts,
        tbd_params,
        discretion,
        reason: r.reason.clone(),
        cites: r.cites.clone(),
    }
}
