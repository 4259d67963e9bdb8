//! Stacking groups (就高不重复): of a group's members an enterprise
//! receives one, the others are superseded.
//!
//! *Highest* (the default): amounts compare exactly; a range beats another
//! member only when its lowest end is at or above the other's highest
//! (at equal ends, and for equal amounts, the member written first wins).
//! A member that is undetermined, or failed, could be the highest: the
//! members it could beat stay open (undetermined by its causes, or failed
//! with it), never guessed; members whose ranges overlap leave the choice
//! at discretion (undetermined by [`Cause::Discretion`], with a note
//! naming the group). A member surely beaten by another is superseded by
//! it even when the winner is still open. *In order* (`in order`, 按序):
//! the first granted member in the written order wins; a member before it
//! that is undetermined leaves it open.
//!
//! *Per record* (`per project`, 每个 项目): the same rule, applied to the
//! members' results for each record apart (同一项目就高不重复), so that each
//! project keeps its highest member; each member's amount is then the sum
//! over its records.

use std::collections::BTreeSet;

use super::Cause;
use super::Evaluator;
use super::across::{Standing, titled};
use super::amend::{Amendment, At, Change};
use crate::check::GroupInfo;

/// What a group decides for one member.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fate {
    /// It stays as its own rule left it (the winner, or not a candidate).
    Stays,
    /// Superseded by this member (by index in the group).
    SupersededBy(usize),
    /// Open: undetermined for these causes (discretion included when
    /// ranges overlap).
    Open(BTreeSet<Cause>),
    /// A member it could lose to failed.
    Failed(usize),
}

/// Whether member `h` (at position `hp`) surely beats member `g` (at `gp`):
/// both granted, `h`'s lowest above `g`'s highest, or at it and written first.
fn beats(h: &Standing, hp: usize, g: &Standing, gp: usize) -> bool {
    match (h, g) {
        (Standing::Amount(h_lo, _), Standing::Amount(_, g_hi)) => {
            h_lo > g_hi || (h_lo == g_hi && hp < gp)
        }
        _ => false,
    }
}

/// The fate of every member of a group, from where each stands (in the
/// group's written order): the rule of this module's docs.
pub(crate) fn fates(standings: &[Standing], in_order: bool) -> Vec<Fate> {
    if in_order {
        return fates_in_order(standings);
    }
    let candidate = |s: &Standing| !matches!(s, Standing::Out);
    let beaten_by = |g: usize| -> Option<usize> {
        let gs = standings.get(g)?;
        standings
            .iter()
            .enumerate()
            .find(|&(h, hs)| h != g && beats(hs, h, gs, g))
            .map(|(h, _)| h)
    };
    let alive: Vec<usize> = (0..standings.len())
        .filter(|&i| standings.get(i).is_some_and(candidate) && beaten_by(i).is_none())
        .collect();
    let granted_alive = alive
        .iter()
        .filter(|&&i| matches!(standings.get(i), Some(Standing::Amount(..))))
        .count();
    let mut open_causes = BTreeSet::new();
    let mut failed = None;
    for &i in &alive {
        match standings.get(i) {
            Some(Standing::Open(c)) => open_causes.extend(c.iter().cloned()),
            Some(Standing::Failed) => failed = failed.or(Some(i)),
            _ => {}
        }
    }
    if granted_alive > 1 {
        open_causes.insert(Cause::Discretion);
    }
    standings
        .iter()
        .enumerate()
        .map(|(i, s)| match s {
            Standing::Out => Fate::Stays,
            // Beaten by some member, so (beating being transitive) by one
            // still in the running: the winner, when there is one.
            _ if !alive.contains(&i) => alive
                .iter()
                .copied()
                .find(|&h| standings.get(h).is_some_and(|hs| beats(hs, h, s, i)))
                .or_else(|| beaten_by(i))
                .map_or(Fate::Stays, Fate::SupersededBy),
            Standing::Amount(..) if alive.len() > 1 => match failed {
                Some(f) => Fate::Failed(f),
                None => Fate::Open(open_causes.clone()),
            },
            _ => Fate::Stays,
        })
        .collect()
}

/// `in order`: the first granted member wins; an undetermined or failed
/// member before it leaves it open; every member after it is superseded.
fn fates_in_order(standings: &[Standing]) -> Vec<Fate> {
    let mut winner: Option<usize> = None;
    let mut open = BTreeSet::new();
    let mut failed = None;
    let mut out = Vec::with_capacity(standings.len());
    for (i, s) in standings.iter().enumerate() {
        let fate = match (s, winner) {
            (Standing::Out, _) => Fate::Stays,
            // A failure stays a failure, whoever wins.
            (Standing::Failed, _) => {
                failed = failed.or(Some(i));
                Fate::Stays
            }
            (_, Some(w)) => Fate::SupersededBy(w),
            (Standing::Open(c), None) => {
                open.extend(c.iter().cloned());
                Fate::Stays
            }
            (Standing::Amount(..), None) => {
                winner = Some(i);
                match failed {
                    Some(f) => Fate::Failed(f),
                    None if open.is_empty() => Fate::Stays,
                    None => Fate::Open(open.clone()),
                }
            }
        };
        out.push(fate);
    }
    out
}

impl<'p> Evaluator<'p> {
    /// Decides group `g`, once all its members are evaluated: once for the
    /// enterprise, or for each record when it is written `per` record.
    pub(super) fn decide_group(&mut self, g: usize) {
        let policy = self.policy;
        let Some(group) = policy.groups.get(g) else {
            return;
        };
        let mut changed = BTreeSet::new();
        for at in self.places(group.per) {
            let standings: Vec<Standing> = group
                .members
                .iter()
                .map(|&m| self.standing_at(m, at))
                .collect();
            for (pos, fate) in fates(&standings, group.in_order).into_iter().enumerate() {
                let Some(&m) = group.members.get(pos) else {
                    continue;
                };
                if fate != Fate::Stays {
                    changed.insert(m);
                }
                self.apply_fate(group, at, &standings, pos, fate);
            }
        }
        if group.per.is_some() {
            self.recombine_changed(&changed);
        }
    }

    /// What the group decided for the member at `pos`, at `at`.
    fn apply_fate(
        &mut self,
        group: &GroupInfo,
        at: At,
        standings: &[Standing],
        pos: usize,
        fate: Fate,
    ) {
        let Some(&m) = group.members.get(pos) else {
            return;
        };
        let member = |k: usize| group.members.get(k).copied().unwrap_or(m);
        let name = titled(&group.name, group.label.as_ref());
        match fate {
            Fate::Stays => {}
            Fate::SupersededBy(k) => {
                let why =
                    superseded_why(group, &name, self.item_name(member(k)), standings, pos, k);
                let change = Change::Superseded(member(k));
                let expr = group_expr(group);
                self.amend(m, at, &Amendment { change, why, expr });
            }
            Fate::Open(causes) => {
                let why = if group.in_order {
                    format!("stacking group {name}: a member written before it is undetermined")
                } else if causes.contains(&Cause::Discretion) && causes.len() == 1 {
                    format!(
                        "stacking group {name}: the members' ranges overlap, the highest is at discretion"
                    )
                } else {
                    format!("stacking group {name}: a member that could be higher is undetermined")
                };
                self.reopen(m, at, causes, why, group_expr(group));
            }
            Fate::Failed(k) => {
                let why = format!(
                    "stacking group {name} cannot be decided: `{}` failed",
                    self.item_name(member(k))
                );
                self.fail_with(m, at, why, group.span);
            }
        }
    }
}

/// Why the member at `pos` is superseded by `by_name` (at `k`): the two
/// amounts, when both are known.
fn superseded_why(
    group: &GroupInfo,
    name: &str,
    by_name: &str,
    standings: &[Standing],
    pos: usize,
    k: usize,
) -> String {
    let amount = |s: Option<&Standing>| match s {
        Some(Standing::Amount(lo, hi)) => Some(crate::value::format_money_range(*lo, *hi)),
        _ => None,
    };
    match (
        group.in_order,
        amount(standings.get(pos)),
        amount(standings.get(k)),
    ) {
        (true, _, _) => format!(
            "superseded by `{by_name}`, written before it in stacking group {name} (in order)"
        ),
        (false, Some(mine), Some(theirs)) => {
            format!("superseded by `{by_name}` in stacking group {name}: {theirs} against {mine}")
        }
        _ => format!("superseded by `{by_name}` in stacking group {name}"),
    }
}

/// How an explanation names a group: `exclusive NAME`.
fn group_expr(group: &GroupInfo) -> String {
    format!("exclusive {}", group.name)
}

/// The highest amount a group can grant, for the laws: the greatest
/// highest end among its granted members.
#[cfg(test)]
pub(crate) fn highest(standings: &[Standing]) -> rust_decimal::Decimal {
    use rust_decimal::Decimal;
    standings
        .iter()
        .filter_map(|s| match s {
            Standing::Amount(_, hi) => Some(*hi),
            _ => None,
        })
        .max()
        .unwrap_or(Decimal::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn amt(a: i64) -> Standing {
        Standing::Amount(Decimal::from(a), Decimal::from(a))
    }

    #[test]
    fn the_highest_wins_and_ties_go_to_the_first_written() {
        let f = fates(&[amt(300), amt(500), Standing::Out, amt(500)], false);
        assert_eq!(
            f,
            vec![
                Fate::SupersededBy(1),
                Fate::Stays,
                Fate::Stays,
                Fate::SupersededBy(1)
            ]
        );
        // Named by the winner, not by the first member that beats it.
        let f = fates(&[amt(300), amt(400), amt(500)], false);
        assert_eq!(f.first(), Some(&Fate::SupersededBy(2)));
    }

    #[test]
    fn overlapping_ranges_are_at_discretion_and_an_open_member_is_never_guessed() {
        let r = Standing::Amount(Decimal::from(100), Decimal::from(400));
        let f = fates(&[r.clone(), amt(300), amt(50)], false);
        let disc = BTreeSet::from([Cause::Discretion]);
        assert_eq!(
            f,
            vec![
                Fate::Open(disc.clone()),
                Fate::Open(disc),
                Fate::SupersededBy(0)
            ]
        );
        let c = BTreeSet::from([Cause::Fact {
            name: "x".into(),
            label: None,
        }]);
        let f = fates(&[amt(300), Standing::Open(c.clone())], false);
        assert_eq!(f, vec![Fate::Open(c), Fate::Stays]);
        assert_eq!(highest(&[amt(3), r]), Decimal::from(400));
    }

    #[test]
    fn in_order_the_first_granted_wins() {
        let f = fates(&[Standing::Out, amt(100), amt(500)], true);
        assert_eq!(f, vec![Fate::Stays, Fate::Stays, Fate::SupersededBy(1)]);
        let c = BTreeSet::from([Cause::Discretion]);
        let f = fates(&[Standing::Open(c.clone()), amt(100), amt(500)], true);
        assert_eq!(f, vec![Fate::Stays, Fate::Open(c), Fate::SupersededBy(1)]);
    }
}
