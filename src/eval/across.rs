//! What the rules that act across items share (issue 16): `amount_of`,
//! the standing of a member of a stacking group or cap, and how a group
//! or cap changes an item's result after it was decided.
//!
//! Groups ([`super::stacking`]) and caps ([`super::caps`]) say what becomes
//! of each member; [`super::amend`] writes it. They are decided as
//! soon as their last member is evaluated (`settle`), before any item
//! that uses a member (the checker orders those after the whole cluster),
//! so every rule sees an item as its group and cap leave it. A group or
//! cap written `per` record decides once for each record of its members'
//! list (their results for record *i* line up by index), and each changed
//! member is added up again from its records.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::amend::{Amendment, At, Change};
use super::expr::Op;
use super::out::Nothing;
use super::trace::Note;
use super::{Cause, Evaluator, ItemResult, Out, Status};
use crate::ast::{Expr, ExprKind, ItemId, Symbol};
use crate::check::PerRecord;
use crate::units::Unit;
use crate::value::Value;

/// Where a member of a group or cap stands once its own rule is decided.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Standing {
    /// Granted, with this amount (`lo == hi`) or range.
    Amount(Decimal, Decimal),
    /// Undetermined, for these causes.
    Open(BTreeSet<Cause>),
    /// Its evaluation failed.
    Failed,
    /// Not granted (ineligible, not in force, superseded): it takes no
    /// part.
    Out,
}

impl<'p> Evaluator<'p> {
    /// `amount_of(item)`: the item's amount as its groups and caps leave
    /// it; 0元 when it is not granted; its causes when undetermined;
    /// nothing when it failed.
    pub(super) fn amount_of(&mut self, args: &'p [Expr]) -> Op<'p> {
        let mut trail = self.trail();
        let Some(arg) = args.first() else {
            return Ok((
                Out::Nothing(Nothing::Invalid("amount_of needs an item")),
                trail,
            ));
        };
        let ExprKind::Name(n) = &arg.node else {
            return Ok((
                Out::Nothing(Nothing::Invalid("amount_of needs an item")),
                trail,
            ));
        };
        let Some(Symbol::Item(i)) = n.symbol else {
            return Ok((
                Out::Nothing(Nothing::Invalid("amount_of needs an item")),
                trail,
            ));
        };
        let (arg_out, arg_step) = self.eval(arg)?;
        trail.push(arg_step);
        let status = self.result_of(i).map(|r| r.status);
        let out = match status {
            Some(Status::Granted | Status::Undetermined) => arg_out,
            Some(Status::Ineligible | Status::NotInForce | Status::Superseded) => {
                let by = self.result_of(i).and_then(|r| r.superseded_by.clone());
                trail.note(|| Note::CountsZero { superseded_by: by });
                Out::val(Value::Num(Unit::Money, Decimal::ZERO))
            }
            Some(Status::Error) => Out::Nothing(Nothing::Failed(i)),
            Some(_) => Out::Nothing(Nothing::Invalid("amount_of needs a monetary item")),
            None => Out::Nothing(Nothing::NotEvaluatedYet(i)),
        };
        Ok((out, trail))
    }

    /// The result of an item evaluated so far.
    pub(super) fn result_of(&self, i: ItemId) -> Option<&ItemResult> {
        self.items.get(i.0).and_then(Option::as_ref).map(|(_, r)| r)
    }

    /// Where item `i` stands for a group or cap.
    pub(super) fn standing(&self, i: ItemId) -> Standing {
        match self.result_of(i) {
            Some(r) => standing(r.status, r.amount, r.range, &r.undetermined_by),
            None => Standing::Out,
        }
    }

    /// Whether every item of `items` has been evaluated.
    pub(super) fn all_evaluated(&self, items: &[ItemId]) -> bool {
        items
            .iter()
            .all(|i| self.items.get(i.0).is_some_and(Option::is_some))
    }

    /// Where item `i` stands for a group or cap deciding at `at`: for one
    /// record, the record's own result (an item with no records, its list
    /// not given or empty, stands as the item does).
    pub(super) fn standing_at(&self, i: ItemId, at: At) -> Standing {
        let At::Record(k) = at else {
            return self.standing(i);
        };
        let Some(rec) = self.result_of(i).and_then(|r| r.records.get(k)) else {
            return self.standing(i);
        };
        standing(rec.status, rec.amount, rec.range, &rec.undetermined_by)
    }

    /// Where a group or cap decides: once for the enterprise, or (`per`
    /// record) once for each record of the members' list fact.
    pub(super) fn places(&self, per: Option<PerRecord>) -> Vec<At> {
        let Some(per) = per else {
            return vec![At::Item];
        };
        match self.facts.get(per.fact) {
            Some(Value::Records(rs)) => (0..rs.len()).map(At::Record).collect(),
            _ => Vec::new(),
        }
    }

    /// After a group or cap decided `per` record: each member whose
    /// records it changed is added up again.
    pub(super) fn recombine_changed(&mut self, changed: &BTreeSet<ItemId>) {
        for &i in changed {
            self.recombine(i);
        }
    }

    /// Member `i` left undetermined at `at` by a group or cap.
    pub(super) fn reopen(
        &mut self,
        i: ItemId,
        at: At,
        causes: BTreeSet<Cause>,
        why: String,
        expr: String,
    ) {
        let change = Change::Reopened(causes);
        self.amend(i, at, &Amendment { change, why, expr });
    }

    /// Member `i` cannot be decided at `at` by a group or cap, because a
    /// member failed: it fails too, and says why.
    pub(super) fn fail_with(&mut self, i: ItemId, at: At, why: String, span: crate::span::Span) {
        let d = self.err(
            crate::diagnostic::Code::Stacking,
            span,
            why.clone(),
            "cannot be decided",
        );
        self.errors.push(d);
        let expr = String::new();
        self.amend(
            i,
            at,
            &Amendment {
                change: Change::Failed,
                why,
                expr,
            },
        );
    }

    /// Decides every group and cap whose members are all evaluated (a cap
    /// after the groups of its items), after each item.
    pub(super) fn settle(&mut self) {
        let policy = self.policy;
        if policy.groups.is_empty() && policy.caps.is_empty() {
            return;
        }
        loop {
            let mut progressed = false;
            for (g, info) in policy.groups.iter().enumerate() {
                if self.groups_done.get(g) == Some(&false) && self.all_evaluated(&info.members) {
                    self.decide_group(g);
                    if let Some(d) = self.groups_done.get_mut(g) {
                        *d = true;
                    }
                    progressed = true;
                }
            }
            for (c, info) in policy.caps.iter().enumerate() {
                let groups_ready = policy.groups.iter().enumerate().all(|(g, gi)| {
                    self.groups_done.get(g) == Some(&true)
                        || !gi.members.iter().any(|m| info.items.contains(m))
                });
                if self.caps_done.get(c) == Some(&false)
                    && groups_ready
                    && self.all_evaluated(&info.items)
                {
                    self.apply_cap(c);
                    if let Some(d) = self.caps_done.get_mut(c) {
                        *d = true;
                    }
                    progressed = true;
                }
            }
            if !progressed {
                return;
            }
        }
    }

    /// An item's name.
    pub(super) fn item_name(&self, i: ItemId) -> &'p str {
        self.policy.item(i).map_or("?", |it| it.name())
    }
}

/// Where a result (an item's, a record's) stands for a group or cap.
fn standing(
    status: Status,
    amount: Option<Decimal>,
    range: Option<super::Range>,
    causes: &[Cause],
) -> Standing {
    match (status, amount, range) {
        (Status::Granted, Some(a), _) => Standing::Amount(a, a),
        (Status::Granted, None, Some(r)) => Standing::Amount(r.min, r.max),
        (Status::Undetermined, ..) => Standing::Open(causes.iter().cloned().collect()),
        (Status::Error, ..) => Standing::Failed,
        _ => Standing::Out,
    }
}

/// A name with its label, as notes show a group or cap: `NAME (label)`.
pub(super) fn titled(name: &str, label: Option<&String>) -> String {
    match label {
        Some(l) => format!("`{name}` ({l})"),
        None => format!("`{name}`"),
    }
}
