//! How a stacking group or a cumulative cap changes a member's result
//! after its own rule decided it: the one place that writes a member's
//! status, amount, `superseded_by` and `capped` after the fact, for the
//! whole item or for one of its records (a group or cap written `per`
//! record).
//!
//! Groups ([`super::stacking`]) and caps ([`super::caps`]) only say what
//! becomes of each member ([`Change`]) and why; this module writes it —
//! into the item's result and what other items see of it, or into one
//! record's result, after which [`super::records`] adds the records up
//! again — and adds the step that says why to the explanation.
//!
//! An item decided for the enterprise whose records are known (an item
//! `for each` record in a group or cap of the enterprise) has the change
//! written into each granted record as well, so its records never say
//! `granted` under an item superseded, left open or failed. A reduction
//! of the enterprise's total is the exception: it says nothing of how
//! the cut falls on each record, so the records keep their amounts and
//! the item's `capped` says the total before — unless the cap takes it
//! all, when every record is reduced to nothing too.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::out::Nothing;
use super::{Capped, Cause, Evaluator, Out, Range, Soft, Status, Trace};
use crate::ast::ItemId;
use crate::units::Unit;
use crate::value::Value;

/// Where a group or cap decides: the enterprise's item, or one record of
/// it (by index in the list fact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum At {
    /// The item, for the enterprise.
    Item,
    /// Record `i` of the item.
    Record(usize),
}

/// What a group or cap makes of a member.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Change {
    /// Superseded by this member of its group.
    Superseded(ItemId),
    /// Reduced by a cap to `to`. Reduced to 0元 it is not granted
    /// (ineligible, as any amount coming to 0元), and `capped` says so.
    Reduced {
        /// The amount after.
        to: Decimal,
        /// The cap, its limit and the amount before.
        capped: Capped,
        /// Whether the cap is soft (原则上).
        soft: bool,
    },
    /// Left undetermined, for these causes.
    Reopened(BTreeSet<Cause>),
    /// Cannot be decided: a member it depends on failed.
    Failed,
}

/// A change, why it is made and the declaration making it (`exclusive
/// NAME`, `cap NAME`), as the explanation's step shows it.
pub(super) struct Amendment {
    /// What becomes of the member.
    pub change: Change,
    /// Why, in words (the result's `reason`, the step's note).
    pub why: String,
    /// The declaration, as the step's expression.
    pub expr: String,
}

/// The fields an item's result and a record's result share, which a
/// change writes.
struct Fields<'a> {
    status: &'a mut Status,
    amount: &'a mut Option<Decimal>,
    range: &'a mut Option<Range>,
    undetermined_by: &'a mut Vec<Cause>,
    reason: &'a mut Option<String>,
    superseded_by: &'a mut Option<String>,
    capped: &'a mut Option<Box<Capped>>,
    soft_cap: &'a mut bool,
}

/// The [`Fields`] of an item's or a record's result, which name them
/// alike.
macro_rules! fields {
    ($r:expr) => {
        Fields {
            status: &mut $r.status,
            amount: &mut $r.amount,
            range: &mut $r.range,
            undetermined_by: &mut $r.undetermined_by,
            reason: &mut $r.reason,
            superseded_by: &mut $r.superseded_by,
            capped: &mut $r.capped,
            soft_cap: &mut $r.soft_cap,
        }
    };
}

impl Fields<'_> {
    /// Writes `change`; `by` is the superseding member's name, `why` the
    /// reason (kept when `explaining`, and always for a failure).
    fn write(self, change: &Change, by: &str, why: &str, explaining: bool) {
        *self.amount = None;
        *self.range = None;
        let (status, keep_reason) = match change {
            Change::Superseded(_) => {
                *self.superseded_by = Some(by.to_string());
                (Status::Superseded, explaining)
            }
            Change::Reduced { to, capped, soft } => {
                *self.capped = Some(Box::new(capped.clone()));
                if to.is_zero() {
                    (Status::Ineligible, explaining)
                } else {
                    *self.amount = Some(to.normalize());
                    *self.soft_cap |= *soft;
                    (*self.status, false)
                }
            }
            Change::Reopened(causes) => {
                *self.undetermined_by = causes.iter().cloned().collect();
                (Status::Undetermined, explaining)
            }
            Change::Failed => (Status::Error, true),
        };
        *self.status = status;
        if keep_reason {
            *self.reason = Some(why.to_string());
        }
    }
}

/// How the explanation's root reads after a change.
fn shown(change: &Change, by: &str) -> String {
    match change {
        Change::Superseded(_) => format!("superseded by {by}"),
        Change::Reduced { to, .. } if to.is_zero() => Status::Ineligible.as_str().to_string(),
        Change::Reduced { to, .. } => Value::Num(Unit::Money, to.normalize()).to_string(),
        Change::Reopened(_) => Status::Undetermined.as_str().to_string(),
        Change::Failed => Status::Error.as_str().to_string(),
    }
}

/// Whether a record (or an item's records) takes an enterprise-level
/// change too: every change but a partial reduction.
fn reaches_records(change: &Change) -> bool {
    !matches!(change, Change::Reduced { to, .. } if !to.is_zero())
}

impl<'p> Evaluator<'p> {
    /// Writes `a` into member `i`, for the enterprise or for one record,
    /// with a step saying why. After changes to records, the caller adds
    /// them up again ([`Evaluator::recombine`]).
    pub(super) fn amend(&mut self, i: ItemId, at: At, a: &Amendment) {
        let by = match a.change {
            Change::Superseded(by) => self.item_name(by).to_string(),
            _ => String::new(),
        };
        match at {
            At::Item => self.amend_item(i, a, &by),
            At::Record(k) => self.amend_record(i, k, a, &by),
        }
    }

    /// The item's result, what other items see of it, and its granted
    /// records.
    fn amend_item(&mut self, i: ItemId, a: &Amendment, by: &str) {
        let explaining = self.explaining();
        let Some((seen, r)) = self.items.get_mut(i.0).and_then(Option::as_mut) else {
            return;
        };
        let was_soft = r.soft_cap;
        fields!(r).write(&a.change, by, &a.why, explaining);
        let out = match &a.change {
            Change::Superseded(winner) => Out::Nothing(Nothing::Superseded(i, *winner)),
            Change::Reduced { to, .. } if to.is_zero() => Out::Nothing(Nothing::NotGranted(i)),
            Change::Reduced { to, soft, .. } => Out::Val(Soft {
                value: Value::Num(Unit::Money, to.normalize()),
                soft: was_soft || *soft,
            }),
            Change::Reopened(causes) => Out::Unknown(causes.clone()),
            Change::Failed => Out::Nothing(Nothing::Failed(i)),
        };
        r.raw = match &out {
            Out::Val(s) => Some(s.value.clone()),
            _ => None,
        };
        r.value = match &out {
            Out::Val(s) if explaining => Some(s.value.to_string()),
            _ => None,
        };
        if reaches_records(&a.change) {
            for rec in r.records.iter_mut().filter(|x| x.status == Status::Granted) {
                let mut change = a.change.clone();
                if let (Change::Reduced { capped, .. }, Some(before)) = (&mut change, rec.amount) {
                    capped.before = before;
                }
                fields!(rec).write(&change, by, &a.why, explaining);
            }
        }
        if explaining {
            let value = shown(&a.change, by);
            push_step(&mut r.notes, r.explanation.as_deref_mut(), a, value);
        }
        r.outcome = Some(out.clone());
        *seen = out;
    }

    /// One record's result; the item notes it.
    fn amend_record(&mut self, i: ItemId, k: usize, a: &Amendment, by: &str) {
        let explaining = self.explaining();
        let title = self.record_title_of(i, k);
        let Some((_, r)) = self.items.get_mut(i.0).and_then(Option::as_mut) else {
            return;
        };
        let Some(rec) = r.records.get_mut(k) else {
            return;
        };
        fields!(rec).write(&a.change, by, &a.why, explaining);
        if explaining {
            let value = shown(&a.change, by);
            let mut unused = Vec::new();
            push_step(&mut unused, rec.explanation.as_deref_mut(), a, value);
            let note = format!("{title}: {}", a.why);
            if !r.notes.contains(&note) {
                r.notes.push(note);
            }
        }
    }
}

/// Adds the step saying why to an explanation (its root now reads
/// `value`) and the note to `notes`.
fn push_step(notes: &mut Vec<String>, root: Option<&mut Trace>, a: &Amendment, value: String) {
    if !notes.contains(&a.why) {
        notes.push(a.why.clone());
    }
    if let Some(root) = root {
        root.value = value.clone();
        root.children.push(Trace {
            expr: a.expr.clone(),
            value,
            note: Some(a.why.clone()),
            children: Vec::new(),
        });
    }
}
