//! What an evaluation takes in: an enterprise's [`Facts`], held by fact
//! id, and the [`Options`] of one evaluation (date, param values, limits,
//! whether to build explanations).

use std::collections::BTreeMap;

use crate::check::{FactId, Policy};
use crate::value::Value;

/// The facts about one enterprise, typed by a policy's declarations and
/// held by [`FactId`]: built for one policy (by [`crate::facts`] or
/// [`Facts::set`]) and read by its evaluations, which never look a fact up
/// by its name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// A name for the enterprise (usually the facts file's name).
    pub name: String,
    /// Values by fact index; `None` for a fact not given.
    values: Vec<Option<Value>>,
}

impl Facts {
    /// No facts yet, for the enterprise called `name`.
    pub fn new(name: impl Into<String>) -> Facts {
        Facts {
            name: name.into(),
            values: Vec::new(),
        }
    }

    /// The value of a fact, if given.
    pub fn get(&self, id: FactId) -> Option<&Value> {
        self.values.get(id.0).and_then(Option::as_ref)
    }

    /// Gives a fact its value (replacing any before).
    pub fn set(&mut self, id: FactId, value: Value) {
        if self.values.len() <= id.0 {
            self.values.resize(id.0 + 1, None);
        }
        if let Some(slot) = self.values.get_mut(id.0) {
            *slot = Some(value);
        }
    }

    /// Takes a fact's value away.
    pub fn remove(&mut self, id: FactId) -> Option<Value> {
        self.values.get_mut(id.0).and_then(Option::take)
    }

    /// The facts given, with their ids, in the policy's order.
    pub fn iter(&self) -> impl Iterator<Item = (FactId, &Value)> {
        self.values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((FactId(i), v.as_ref()?)))
    }

    /// How many facts are given.
    pub fn len(&self) -> usize {
        self.values.iter().filter(|v| v.is_some()).count()
    }

    /// Whether no fact is given.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Facts given by name, typed already, for `policy`; names that are
    /// not facts of `policy` are left out (a REPL session keeps its facts
    /// by name while its policy is redefined).
    pub fn from_named<'a>(
        policy: &Policy,
        name: impl Into<String>,
        values: impl IntoIterator<Item = (&'a str, &'a Value)>,
    ) -> Facts {
        let mut facts = Facts::new(name);
        for (n, v) in values {
            if let Some((id, _)) = policy.fact_named(n) {
                facts.set(id, v.clone());
            }
        }
        facts
    }

    /// The facts given, by name, for `policy` (the policy they were typed
    /// by).
    pub fn named<'a>(&'a self, policy: &'a Policy) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.iter()
            .filter_map(|(id, v)| Some((policy.fact(id)?.name.as_str(), v)))
    }
}

/// Settings of one evaluation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Date of evaluation, checked against the validity window.
    pub at: Option<jiff::civil::Date>,
    /// Values for params, overriding the policy's (and filling `tbd`s).
    pub params: BTreeMap<String, Value>,
    /// Dated values for params (issue 16: `--set cap="5000万 from
    /// 2021-01-01, 3000万 from 2023-07-01"`), resolved at `at` like a
    /// written dated value; a name in `params` too is taken from `params`.
    pub dated_params: BTreeMap<String, crate::dated::DatedSetting>,
    /// An issue date for a draft whose header says `issued tbd`.
    pub issued: Option<jiff::civil::Date>,
    /// Bounds on the work of one evaluation (steps, nesting).
    pub limits: crate::Limits,
    /// Leave out what only a reader needs: explanation trees, notes (and so
    /// `rounded`), cites, items' labels and `concerns`, reasons, the values
    /// as text (`value`; `raw` keeps each value) and the branches taken for
    /// coverage (`hits`). For population runs, which keep statuses,
    /// amounts, values and causes: those are the same either way, and no
    /// text for readers is built at all.
    pub skip_explanations: bool,
}
