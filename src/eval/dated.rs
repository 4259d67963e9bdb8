//! The interpreter's side of dated values (issue 16): the part in force
//! at the evaluation date (by [`crate::dated::in_force`]), undetermined
//! by [`Cause::EvaluationDate`] without one, nothing in a gap.

use super::expr::Op;
use super::out::Nothing;
use super::trace::Note;
use super::{Cause, Evaluator, Out};
use crate::ast::{Dated, ExprKind, Symbol};
use crate::dated::{InForce, Window, in_force};

impl<'p> Evaluator<'p> {
    /// A dated value: the part in force at the evaluation date,
    /// undetermined without one, nothing in a gap.
    pub(super) fn dated(&mut self, d: &'p Dated) -> Op<'p> {
        let mut trail = self.trail();
        let Some(at) = self.options.at else {
            let causes = std::collections::BTreeSet::from([Cause::EvaluationDate]);
            return Ok((Out::Unknown(causes), trail));
        };
        match in_force(d, at) {
            InForce::Part(i, w) => {
                let Some(part) = d.parts.get(i) else {
                    return Ok((Out::Nothing(Nothing::Invalid("no such part")), trail));
                };
                let (out, step) = self.eval(&part.value)?;
                trail.note(|| Note::Dated(w));
                trail.push(step);
                Ok((out, trail))
            }
            InForce::Gap { after, before } => Ok((
                Out::Nothing(Nothing::NoneInForce { at, after, before }),
                trail,
            )),
        }
    }

    /// A param's dated value given for the run (`--set`, `:set`), at the
    /// evaluation date; `None` when none is given.
    pub(super) fn dated_setting(&self, name: &str) -> Option<Out> {
        let setting = self.options.dated_params.get(name)?;
        let Some(at) = self.options.at else {
            let causes = std::collections::BTreeSet::from([Cause::EvaluationDate]);
            return Some(Out::Unknown(causes));
        };
        Some(match setting.at(at) {
            Ok((v, _)) => Out::val(v.clone()),
            Err(InForce::Gap { after, before }) => {
                Out::Nothing(Nothing::NoneInForce { at, after, before })
            }
            Err(InForce::Part(..)) => Out::Nothing(Nothing::Invalid("no such part")),
        })
    }

    /// The window of the part in force of a param whose value is dated
    /// (and not overridden), for the note of the name's step.
    pub(super) fn param_window(&self, symbol: Option<Symbol>) -> Option<Window> {
        let Some(Symbol::Param(i)) = symbol else {
            return None;
        };
        let p = self.policy.param(i)?;
        if self.options.params.contains_key(&p.name) {
            return None;
        }
        if let Some(setting) = self.options.dated_params.get(&p.name) {
            return setting.at(self.options.at?).ok().map(|(_, w)| w);
        }
        let ExprKind::Dated(d) = &p.value.as_ref()?.node else {
            return None;
        };
        match in_force(d, self.options.at?) {
            InForce::Part(_, w) => Some(w),
            InForce::Gap { .. } => None,
        }
    }
}
