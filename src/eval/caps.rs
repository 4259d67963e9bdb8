//! Cumulative caps per enterprise (累计上限): the sum of the covered
//! items' amounts, after stacking groups, held to the cap.
//!
//! *Pro rata* (`pro rata`, 按比例核减): each item's amount × cap ÷ sum,
//! rounded down to the fen, the fen left over given one each by largest
//! remainder (ties to the item listed first, never above an item's own
//! amount), so that the reduced amounts sum to the cap exactly (a cap
//! that is not a whole number of fen is taken down to its fen). *In order*
//! (`in order`, 按序): items are kept in the listed order and the excess
//! is taken off the last listed first, so item i keeps
//! min(amount, cap − the amounts listed before it), at least 0元.
//!
//! Items reduced stay granted, with `capped` (the cap and the amount
//! before); an item reduced to 0元 is not granted (ineligible, as any
//! amount coming to 0元), its `capped` saying the cap took it all.
//! *Per record* (`per project`, 每个 项目): the cap holds for each record
//! apart (单个项目累计不超过), over the covered items' results for that
//! record; each item's amount is then the sum over its records, and its
//! `capped` names the record type and the sum before. A covered item that is undetermined or failed leaves open (or
//! failed) every granted item whose reduction depends on it: all of them
//! pro rata, those listed after it in order. A range that could make the
//! cap bind leaves the reduction at discretion (undetermined by
//! [`Cause::Discretion`]). Nothing is ever guessed or silently zero.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::Evaluator;
use super::across::{Standing, titled};
use super::amend::{Amendment, At, Change};
use super::arith::{self, ArithError};
use super::{Capped, Cause, Out, Soft, Status};
use crate::ast::{CapRule, ItemId};
use crate::check::CapInfo;
use crate::value::format_money;

/// One fen, the unit amounts are reduced to.
fn fen() -> Decimal {
    Decimal::new(1, 2)
}

/// Pro rata: `amounts` (all ≥ 0) reduced so that they sum to `cap`
/// (down to its fen) when their sum exceeds it; unchanged otherwise.
pub(crate) fn pro_rata(amounts: &[Decimal], cap: Decimal) -> Result<Vec<Decimal>, ArithError> {
    let mut sum = Decimal::ZERO;
    for a in amounts {
        sum = arith::add(sum, *a)?;
    }
    if sum <= cap {
        return Ok(amounts.to_vec());
    }
    // Shares in fen: amount × cap ÷ (sum × 1 fen), whole part and
    // remainder, exactly (the remainders share one denominator, so they
    // compare exactly).
    let denominator = arith::mul(sum, fen())?;
    let mut shares = Vec::with_capacity(amounts.len());
    let mut given = Decimal::ZERO;
    for a in amounts {
        let n = arith::mul(*a, cap)?;
        let r = n.checked_rem(denominator).ok_or(ArithError::Overflow)?;
        let whole = arith::div(arith::sub(n, r)?, denominator)?;
        let amount = arith::mul(whole, fen())?;
        given = arith::add(given, amount)?;
        shares.push((amount, r));
    }
    let target = cap.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
    let left = arith::sub(target, given)?;
    let mut left_fen =
        arith::div(left, fen())?.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::ToZero);
    // Largest remainder first, the item listed first among equals.
    let mut by_remainder: Vec<usize> = (0..shares.len()).collect();
    by_remainder.sort_by(|&x, &y| {
        let rx = shares.get(x).map(|s| s.1);
        let ry = shares.get(y).map(|s| s.1);
        ry.cmp(&rx).then(x.cmp(&y))
    });
    for i in by_remainder {
        if left_fen <= Decimal::ZERO {
            break;
        }
        let (Some(share), Some(own)) = (shares.get_mut(i), amounts.get(i)) else {
            continue;
        };
        let more = arith::add(share.0, fen())?;
        if share.1.is_zero() || more > *own {
            continue;
        }
        share.0 = more;
        left_fen -= Decimal::ONE;
    }
    Ok(shares.into_iter().map(|(a, _)| a).collect())
}

/// In order: each amount kept while the cap lasts, the excess taken off
/// the last listed first.
pub(crate) fn in_order(amounts: &[Decimal], cap: Decimal) -> Result<Vec<Decimal>, ArithError> {
    let mut before = Decimal::ZERO;
    let mut out = Vec::with_capacity(amounts.len());
    for a in amounts {
        let room = arith::sub(cap, before)?.max(Decimal::ZERO);
        out.push((*a).min(room));
        before = arith::add(before, *a)?;
    }
    Ok(out)
}

/// What a cap does to one covered item.
#[derive(Debug, Clone, PartialEq)]
enum Effect {
    /// Unchanged.
    Keeps,
    /// Reduced to this amount.
    Reduced(Decimal),
    /// Open for these causes.
    Open(BTreeSet<Cause>),
    /// A covered item it depends on (by position) failed.
    Failed(usize),
}

/// The effect of a cap of `cap` on items standing as `standings`.
fn effects(standings: &[Standing], cap: Decimal, rule: CapRule) -> Result<Vec<Effect>, ArithError> {
    let n = standings.len();
    let mut effects = vec![Effect::Keeps; n];
    // The items whose reduction depends on item j: all pro rata, those
    // after it in order.
    let depends = |i: usize, j: usize| match rule {
        CapRule::ProRata => i != j,
        CapRule::InOrder => j < i,
    };
    let mut highest_sum = Decimal::ZERO;
    for s in standings {
        if let Standing::Amount(_, hi) = s {
            highest_sum = arith::add(highest_sum, *hi)?;
        }
    }
    let open_or_failed = standings
        .iter()
        .any(|s| matches!(s, Standing::Open(_) | Standing::Failed));
    if highest_sum <= cap && !open_or_failed {
        return Ok(effects);
    }
    let mut decided = Vec::new();
    for (i, s) in standings.iter().enumerate() {
        let Standing::Amount(_, hi) = s else { continue };
        let mut causes = BTreeSet::new();
        let mut failed = None;
        let mut ranged = false;
        let mut before_hi = Decimal::ZERO;
        for (j, t) in standings.iter().enumerate() {
            if !depends(i, j) && i != j {
                continue;
            }
            match t {
                Standing::Open(c) if i != j => causes.extend(c.iter().cloned()),
                Standing::Failed if i != j => failed = failed.or(Some(j)),
                Standing::Amount(lo, h) => {
                    ranged |= lo != h;
                    if j < i || rule == CapRule::ProRata && j != i {
                        before_hi = arith::add(before_hi, *h)?;
                    }
                }
                _ => {}
            }
        }
        let could_bind = arith::add(before_hi, *hi)? > cap;
        if let Some(slot) = effects.get_mut(i) {
            *slot = match (failed, causes.is_empty()) {
                (Some(f), _) => Effect::Failed(f),
                (None, false) => Effect::Open(causes),
                (None, true) if ranged && could_bind => {
                    Effect::Open(BTreeSet::from([Cause::Discretion]))
                }
                (None, true) => {
                    decided.push(i);
                    Effect::Keeps
                }
            };
        }
    }
    // The items decided exactly: every item they depend on is a point.
    let points: Vec<Decimal> = standings
        .iter()
        .map(|s| match s {
            Standing::Amount(lo, _) => *lo,
            _ => Decimal::ZERO,
        })
        .collect();
    let reduced = match rule {
        CapRule::ProRata => pro_rata(&points, cap)?,
        CapRule::InOrder => in_order(&points, cap)?,
    };
    for i in decided {
        let (Some(r), Some(p), Some(slot)) = (reduced.get(i), points.get(i), effects.get_mut(i))
        else {
            continue;
        };
        if r < p {
            *slot = Effect::Reduced(*r);
        }
    }
    Ok(effects)
}

impl<'p> Evaluator<'p> {
    /// Applies cap `c`, once all its items and their groups are decided:
    /// once for the enterprise, or for each record when it is written
    /// `per` record.
    pub(super) fn apply_cap(&mut self, c: usize) {
        let policy = self.policy;
        let Some(cap) = policy.caps.get(c) else {
            return;
        };
        let places = self.places(cap.per);
        let standings: Vec<(At, Vec<Standing>)> = places
            .into_iter()
            .map(|at| {
                let s = cap.items.iter().map(|&i| self.standing_at(i, at)).collect();
                (at, s)
            })
            .filter(|(_, s): &(At, Vec<Standing>)| {
                s.iter().any(|x| matches!(x, Standing::Amount(..)))
            })
            .collect();
        if standings.is_empty() {
            return;
        }
        let mut changed = BTreeSet::new();
        match self.cap_limit(cap) {
            Limit::Known(limit, soft) => {
                for (at, s) in &standings {
                    self.cap_at(cap, *at, s, limit, soft, &mut changed);
                }
            }
            Limit::Open(causes) => {
                let why = format!(
                    "cap {}: the cap itself is undetermined",
                    titled(&cap.name, cap.label.as_ref())
                );
                for (at, s) in &standings {
                    for i in granted(cap, s) {
                        changed.insert(i);
                        self.reopen(i, *at, causes.clone(), why.clone(), cap_expr(cap));
                    }
                }
            }
            Limit::Failed(why) => {
                for (at, s) in &standings {
                    for i in granted(cap, s) {
                        changed.insert(i);
                        self.fail_with(i, *at, why.clone(), cap.span);
                    }
                }
            }
        }
        if cap.per.is_some() {
            self.recombine_changed(&changed);
            self.mark_capped(cap, &changed);
        }
    }

    /// The cap's own amount: a point of money, or why it is not one.
    fn cap_limit(&mut self, cap: &'p CapInfo) -> Limit {
        let policy = self.policy;
        match self.eval(&cap.amount) {
            Ok((Out::Val(Soft { value, soft }), _)) => match value.bounds() {
                Some((_, lo, hi)) if lo == hi && !lo.is_sign_negative() => Limit::Known(lo, soft),
                _ => Limit::Open(BTreeSet::from([Cause::Discretion])),
            },
            Ok((Out::Unknown(causes), _)) => Limit::Open(causes),
            Ok((Out::Nothing(why), _)) => Limit::Failed(format!(
                "cap {} cannot be applied: {}",
                titled(&cap.name, cap.label.as_ref()),
                why.render(policy)
            )),
            Err(d) => {
                let why = d.message.clone();
                self.errors.push(d);
                Limit::Failed(why)
            }
        }
    }

    /// The cap at one place (the enterprise, or one record), its items
    /// standing as `standings`.
    fn cap_at(
        &mut self,
        cap: &CapInfo,
        at: At,
        standings: &[Standing],
        limit: Decimal,
        soft: bool,
        changed: &mut BTreeSet<ItemId>,
    ) {
        let name = titled(&cap.name, cap.label.as_ref());
        let effects = match effects(standings, limit, cap.rule) {
            Ok(e) => e,
            Err(e) => {
                let why = format!("cap {name} cannot be applied exactly: {e:?}");
                for i in granted(cap, standings) {
                    changed.insert(i);
                    self.fail_with(i, at, why.clone(), cap.span);
                }
                return;
            }
        };
        for (pos, effect) in effects.into_iter().enumerate() {
            let (Some(&i), Some(standing)) = (cap.items.get(pos), standings.get(pos)) else {
                continue;
            };
            if effect != Effect::Keeps {
                changed.insert(i);
            }
            match effect {
                Effect::Keeps => {}
                Effect::Reduced(to) => {
                    let Standing::Amount(before, _) = standing else {
                        continue;
                    };
                    self.reduce(i, at, cap, limit, soft, *before, to);
                }
                Effect::Open(causes) => {
                    let why = if causes.contains(&Cause::Discretion) && causes.len() == 1 {
                        format!("cap {name}: ranges leave the reduction to discretion")
                    } else {
                        format!("cap {name}: the reduction depends on an item that is undetermined")
                    };
                    self.reopen(i, at, causes, why, cap_expr(cap));
                }
                Effect::Failed(k) => {
                    let other = cap.items.get(k).map_or("?", |&j| self.item_name(j));
                    let why = format!("cap {name} cannot be applied: `{other}` failed");
                    self.fail_with(i, at, why, cap.span);
                }
            }
        }
    }

    /// Item `i` reduced by `cap` at `at` from `before` to `to`; to 0元,
    /// not granted.
    #[allow(clippy::too_many_arguments)]
    fn reduce(
        &mut self,
        i: ItemId,
        at: At,
        cap: &CapInfo,
        limit: Decimal,
        soft: bool,
        before: Decimal,
        to: Decimal,
    ) {
        let soft_word = if soft { " (soft cap, 原则上)" } else { "" };
        let nothing_left = if to.is_zero() {
            ": the cap leaves nothing, so it is not granted"
        } else {
            ""
        };
        let why = format!(
            "reduced by cap {} from {} to {}{soft_word}{nothing_left}",
            titled(&cap.name, cap.label.as_ref()),
            format_money(before),
            format_money(to.normalize())
        );
        let capped = Capped {
            cap: cap.name.clone(),
            label: cap.label.clone(),
            limit: limit.normalize(),
            before,
            per: None,
        };
        let change = Change::Reduced { to, capped, soft };
        self.amend(
            i,
            at,
            &Amendment {
                change,
                why,
                expr: cap_expr(cap),
            },
        );
    }

    /// After a cap `per` record: each item it reduced says so, with the
    /// limit per record and the sum of its records before.
    fn mark_capped(&mut self, cap: &CapInfo, changed: &BTreeSet<ItemId>) {
        let per = cap
            .per
            .and_then(|p| self.policy.records.get(p.record))
            .map(|r| r.name.clone());
        for &i in changed {
            let Some((_, r)) = self.items.get_mut(i.0).and_then(Option::as_mut) else {
                continue;
            };
            let reduced: Vec<&Capped> = r
                .records
                .iter()
                .filter_map(|x| x.capped.as_deref())
                .collect();
            let Some(first) = reduced.first() else {
                continue;
            };
            let mut before = Decimal::ZERO;
            for rec in &r.records {
                let own = match (&rec.capped, rec.amount) {
                    (Some(c), _) => Some(c.before),
                    (None, Some(a)) if rec.status == Status::Granted => Some(a),
                    _ => None,
                };
                if let Some(a) = own {
                    // Each record's amount fit exactly, so their sum
                    // before the cut fits as their sum after does.
                    before = arith::add(before, a).unwrap_or(before);
                }
            }
            r.capped = Some(Box::new(Capped {
                per: per.clone(),
                before: before.normalize(),
                ..(*first).clone()
            }));
        }
    }
}

/// The cap's own amount, evaluated.
enum Limit {
    /// A point, and whether it is soft.
    Known(Decimal, bool),
    /// Undetermined for these causes.
    Open(BTreeSet<Cause>),
    /// It cannot be applied, for this reason.
    Failed(String),
}

/// The covered items granted (by `standings`), which a cap that cannot
/// be decided leaves open or failed.
fn granted(cap: &CapInfo, standings: &[Standing]) -> Vec<ItemId> {
    cap.items
        .iter()
        .zip(standings)
        .filter(|(_, s)| matches!(s, Standing::Amount(..)))
        .map(|(&i, _)| i)
        .collect()
}

/// How an explanation names a cap: `cap NAME`.
fn cap_expr(cap: &CapInfo) -> String {
    format!("cap {}", cap.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: i64) -> Decimal {
        Decimal::from(x)
    }

    #[test]
    fn pro_rata_sums_to_the_cap_by_largest_remainder() {
        let r = pro_rata(&[d(1), d(1), d(1)], d(2)).unwrap_or_default();
        assert_eq!(
            r,
            vec![
                Decimal::new(67, 2),
                Decimal::new(67, 2),
                Decimal::new(66, 2)
            ]
        );
        let r = pro_rata(&[d(600), d(400)], d(500)).unwrap_or_default();
        assert_eq!(r, vec![d(300), d(200)]);
        assert_eq!(
            pro_rata(&[d(1), d(2)], d(5)).unwrap_or_default(),
            vec![d(1), d(2)]
        );
    }

    #[test]
    fn in_order_takes_the_excess_off_the_last() {
        let r = in_order(&[d(600), d(300), d(400)], d(800)).unwrap_or_default();
        assert_eq!(r, vec![d(600), d(200), d(0)]);
    }

    #[test]
    fn an_open_item_leaves_open_what_depends_on_it() {
        let c = BTreeSet::from([Cause::Discretion]);
        let s = [
            Standing::Amount(d(600), d(600)),
            Standing::Open(c.clone()),
            Standing::Amount(d(400), d(400)),
        ];
        let e = effects(&s, d(800), CapRule::InOrder).unwrap_or_default();
        assert_eq!(
            e,
            vec![Effect::Keeps, Effect::Keeps, Effect::Open(c.clone())]
        );
        let e = effects(&s, d(800), CapRule::ProRata).unwrap_or_default();
        assert_eq!(
            e,
            vec![Effect::Open(c.clone()), Effect::Keeps, Effect::Open(c)]
        );
    }
}
