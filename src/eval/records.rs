//! Items written `for each p in LIST`: the item decided once per record
//! of the list fact (the record's fields read as `p.field`), then the
//! records' results combined into the item's — its amount the exact sum
//! of the granted records' amounts, its status granted when any record is
//! granted, undetermined when any record is undetermined (its amount then
//! not known, never zero), ineligible when none is granted or the list is
//! empty. Each record's own result is kept in [`ItemResult::records`].

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::arith;
use super::decide::{self, Ineligible, Seen, Verdict};
use super::out::Nothing;
use super::{Cause, Evaluator, ItemResult, Out, Range, RecordResult, Soft, Status, Trace};
use crate::ast::BinaryOp;
use crate::check::{EachInfo, ItemId};
use crate::units::Unit;
use crate::value::{Record, Value};

/// What other items see of an item, and its result.
type Decided = (Out, ItemResult);

/// The record a per-record item is being evaluated for.
#[derive(Clone, Copy)]
pub(super) struct Current<'p> {
    /// What the item goes through.
    pub each: &'p EachInfo,
    /// The record.
    pub record: &'p Record,
}

/// The records' amounts added up: the least and greatest sums.
struct Sums {
    lo: Decimal,
    hi: Decimal,
    soft: bool,
}

impl<'p> Evaluator<'p> {
    /// The value of field `f` of the current record, or undetermined by
    /// it (named `LIST.FIELD`, the CSV column that would give it).
    pub(super) fn field(&self, f: usize) -> Out {
        let Some(cur) = self.record else {
            return Out::Nothing(Nothing::Invalid("a field outside a per-record item"));
        };
        if let Some(v) = cur.record.fields.get(f).and_then(Option::as_ref) {
            return Out::val(v.clone());
        }
        let policy = self.policy;
        let list = policy.fact(cur.each.fact);
        let field = policy
            .records
            .get(cur.each.record)
            .and_then(|r| r.fields.get(f));
        let name = format!(
            "{}.{}",
            list.map_or("?", |l| l.name.as_str()),
            field.map_or("?", |x| x.name.as_str())
        );
        let label = match (
            list.and_then(|l| l.label.as_ref()),
            field.and_then(|x| x.label.as_ref()),
        ) {
            (Some(l), Some(x)) => Some(format!("{l}·{x}")),
            (None, Some(x)) => Some(x.clone()),
            _ => None,
        };
        Out::Unknown(BTreeSet::from([Cause::Fact { name, label }]))
    }

    /// A per-record item: each record decided as an item alone, then
    /// combined.
    pub(super) fn per_record(&mut self, idx: ItemId, each: &'p EachInfo) -> Decided {
        let facts = self.facts;
        let records = match facts.get(each.fact) {
            Some(Value::Records(rs)) => rs,
            Some(_) => {
                let blank = self.blank_result(idx, Status::Error);
                return (
                    Out::Nothing(Nothing::Invalid("a list fact that is no list")),
                    blank,
                );
            }
            None => return self.list_not_given(idx, each),
        };
        let mut results = Vec::with_capacity(records.len());
        for record in records {
            self.record = Some(Current { each, record });
            let decided = self.item(idx);
            self.record = None;
            results.push((record, decided));
        }
        let mut result = self.blank_result(idx, Status::Ineligible);
        result.records = results
            .iter()
            .enumerate()
            .map(|(i, (record, (_, r)))| self.record_result(each, i, record, r))
            .collect();
        if self.explaining() {
            for (_, (_, r)) in &results {
                for n in &r.notes {
                    if !result.notes.contains(n) {
                        result.notes.push(n.clone());
                    }
                }
            }
        }
        self.combine_records(idx, each, result)
    }

    /// Adds up item `i`'s records again, after a group or cap decided
    /// `per` record changed some of them: its status, amount, explanation
    /// and what other items see of it follow from its records as when it
    /// was first decided.
    pub(super) fn recombine(&mut self, i: ItemId) {
        let Some(each) = self.policy.item(i).and_then(|it| it.each.as_ref()) else {
            return;
        };
        let Some((_, mut result)) = self.items.get_mut(i.0).and_then(Option::take) else {
            return;
        };
        result.amount = None;
        result.range = None;
        result.value = None;
        result.raw = None;
        result.reason = None;
        result.undetermined_by.clear();
        result.superseded_by = None;
        let decided = self.combine_records(i, each, result);
        if let Some(slot) = self.items.get_mut(i.0) {
            *slot = Some(decided);
        }
    }

    /// The item's result from its records' results (in `result.records`):
    /// the rule of this module's docs; superseded when no record is
    /// granted, open or failed and one is superseded.
    fn combine_records(&mut self, idx: ItemId, each: &EachInfo, mut result: ItemResult) -> Decided {
        let statuses: Vec<Status> = result.records.iter().map(|r| r.status).collect();
        let first = |s: Status| result.records.iter().position(|r| r.status == s);
        let (verdict, out) = if statuses.contains(&Status::Error) {
            if self.explaining() {
                result.reason = first(Status::Error).map(|i| format!("record {} failed", i + 1));
            }
            (Verdict::Negative, Out::Nothing(Nothing::Failed(idx)))
        } else if statuses.contains(&Status::Undetermined) {
            let causes: BTreeSet<Cause> = result
                .records
                .iter()
                .filter(|r| r.status == Status::Undetermined)
                .flat_map(|r| r.undetermined_by.iter().cloned())
                .collect();
            result.undetermined_by = causes.iter().cloned().collect();
            (Verdict::Undetermined, Out::Unknown(causes))
        } else if statuses.contains(&Status::Granted) {
            match self.sums(&result.records) {
                Ok(s) => {
                    self.record_sum(&mut result, &s);
                    let value = if s.lo == s.hi {
                        Value::Num(Unit::Money, s.lo)
                    } else {
                        Value::Range(Unit::Money, s.lo, s.hi)
                    };
                    (
                        Verdict::Granted,
                        Out::Val(Soft {
                            value,
                            soft: s.soft,
                        }),
                    )
                }
                Err((e, a, b)) => {
                    let span = self
                        .policy
                        .item(idx)
                        .map(|i| i.ast.span.0)
                        .unwrap_or_default();
                    let money = |d| Value::Num(Unit::Money, d);
                    let d = self.arith_error(e, span, BinaryOp::Add, &money(a), &money(b));
                    let mut failed = self.failed(idx, d);
                    failed.1.records = std::mem::take(&mut result.records);
                    failed.1.notes = std::mem::take(&mut result.notes);
                    return failed;
                }
            }
        } else if let Some(k) = first(Status::Superseded) {
            return self.all_superseded(idx, result, k);
        } else {
            if self.explaining() {
                result.reason = Some(self.none_granted(each, &result.records));
            }
            (
                Verdict::Ineligible(Ineligible::CriteriaNotMet),
                Out::Nothing(Nothing::NotGranted(idx)),
            )
        };
        self.combined(idx, result, verdict, out)
    }

    /// Why no record is granted: the list is empty, a cap took a record's
    /// amount, or no record qualifies.
    fn none_granted(&self, each: &EachInfo, records: &[RecordResult]) -> String {
        if records.is_empty() {
            let list = self.policy.fact(each.fact);
            return match list.map(|l| (&l.name, &l.label)) {
                Some((n, Some(l))) => format!("the list {l} ({n}) has no records"),
                Some((n, None)) => format!("the list {n} has no records"),
                None => "the list has no records".into(),
            };
        }
        match records.iter().find(|r| r.capped.is_some()) {
            Some(r) => format!(
                "{}: {}",
                self.record_title(each, r.index, r.key.as_deref()),
                r.reason.clone().unwrap_or_default()
            ),
            None => "no record qualifies".into(),
        }
    }

    /// No record granted, open or failed, and record `k` superseded: the
    /// item is superseded, by the member that supersedes record `k`.
    fn all_superseded(&self, idx: ItemId, mut result: ItemResult, k: usize) -> Decided {
        let by = result.records.get(k).and_then(|r| r.superseded_by.clone());
        let by_id = by.as_deref().and_then(|b| match self.policy.lookup(b) {
            Some(crate::ast::Symbol::Item(b)) => Some(b),
            _ => None,
        });
        result.status = Status::Superseded;
        if self.explaining() {
            result.reason = result.records.get(k).and_then(|r| r.reason.clone());
            let value = format!("superseded by {}", by.as_deref().unwrap_or("?"));
            result.explanation = Some(Box::new(self.sum_trace(&result, value)));
        }
        result.superseded_by = by;
        let out = Out::Nothing(Nothing::Superseded(idx, by_id.unwrap_or(idx)));
        result.outcome = Some(out.clone());
        (out, result)
    }

    /// The status, explanation and seen outcome of the combined result.
    fn combined(&self, idx: ItemId, mut result: ItemResult, verdict: Verdict, out: Out) -> Decided {
        result.status = match verdict {
            Verdict::Granted => Status::Granted,
            Verdict::Undetermined => Status::Undetermined,
            Verdict::Negative => Status::Error,
            _ => Status::Ineligible,
        };
        result.soft_cap = result
            .records
            .iter()
            .any(|r| r.soft_cap && r.status == Status::Granted);
        if self.explaining() {
            let value = match result.status {
                Status::Granted => result.value.clone().unwrap_or_default(),
                s => s.as_str().to_string(),
            };
            result.explanation = Some(Box::new(self.sum_trace(&result, value)));
        }
        if let Out::Val(s) = &out {
            result.raw = Some(s.value.clone());
        }
        let seen = match decide::seen(result.kind, verdict) {
            Seen::Value => out,
            Seen::Failed => Out::Nothing(Nothing::Failed(idx)),
            Seen::NotGranted | Seen::False => Out::Nothing(Nothing::NotGranted(idx)),
        };
        result.outcome = Some(seen.clone());
        (seen, result)
    }

    /// The explanation of a per-record item: one child per record.
    fn sum_trace(&self, result: &ItemResult, value: String) -> Trace {
        Trace {
            expr: format!("{} {}", result.kind.keyword(), result.name),
            value,
            note: Some(format!("sum over {} records", result.records.len())),
            children: result
                .records
                .iter()
                .map(|r| r.explanation.as_deref().cloned().unwrap_or_default())
                .collect(),
        }
    }

    /// The list fact is not given: the item is undetermined by it.
    fn list_not_given(&self, idx: ItemId, each: &EachInfo) -> Decided {
        let fact = self.policy.fact(each.fact);
        let cause = Cause::Fact {
            name: fact.map(|f| f.name.clone()).unwrap_or_default(),
            label: fact.and_then(|f| f.label.clone()),
        };
        let mut result = self.blank_result(idx, Status::Undetermined);
        result.undetermined_by = vec![cause.clone()];
        if self.explaining() {
            result.reason = Some("the list of records is not given".into());
        }
        let out = Out::Unknown(BTreeSet::from([cause]));
        result.outcome = Some(out.clone());
        (out, result)
    }

    /// The granted records' amounts, added exactly.
    fn sums(
        &self,
        records: &[RecordResult],
    ) -> Result<Sums, (arith::ArithError, Decimal, Decimal)> {
        let mut s = Sums {
            lo: Decimal::ZERO,
            hi: Decimal::ZERO,
            soft: false,
        };
        for r in records.iter().filter(|r| r.status == Status::Granted) {
            let (lo, hi) = match (r.amount, r.range) {
                (Some(a), _) => (a, a),
                (None, Some(x)) => (x.min, x.max),
                (None, None) => continue,
            };
            s.lo = arith::add(s.lo, lo).map_err(|e| (e, s.lo, lo))?;
            s.hi = arith::add(s.hi, hi).map_err(|e| (e, s.hi, hi))?;
            s.soft |= r.soft_cap;
        }
        Ok(s)
    }

    /// The sum's amount (or range) and its text.
    fn record_sum(&self, result: &mut ItemResult, s: &Sums) {
        let (lo, hi) = (s.lo.normalize(), s.hi.normalize());
        if lo == hi {
            result.amount = Some(lo);
        } else {
            result.range = Some(Range { min: lo, max: hi });
        }
        if self.explaining() {
            result.value = Some(crate::value::format_money_range(lo, hi));
        }
    }

    /// One record's result, as the item's result lists it.
    fn record_result(
        &self,
        each: &EachInfo,
        index: usize,
        record: &Record,
        r: &ItemResult,
    ) -> RecordResult {
        let info = self.policy.records.get(each.record);
        let key = info
            .and_then(|i| i.key_field())
            .and_then(|k| record.fields.get(k))
            .and_then(Option::as_ref)
            .and_then(|v| match v {
                Value::Text(t) => Some(t.clone()),
                _ => None,
            });
        let explanation = r.explanation.clone().map(|mut t| {
            t.expr = self.record_title(each, index, key.as_deref());
            t
        });
        RecordResult {
            index,
            key,
            status: r.status,
            amount: r.amount,
            range: r.range,
            undetermined_by: r.undetermined_by.clone(),
            reason: r.reason.clone(),
            superseded_by: None,
            capped: None,
            soft_cap: r.soft_cap,
            explanation,
        }
    }

    /// How explanations name record `index` of a list of `each`'s record
    /// type: `项目 1 智能产线` (the record type's label, the number from
    /// 1, the record's name when it has one).
    fn record_title(&self, each: &EachInfo, index: usize, key: Option<&str>) -> String {
        let info = self.policy.records.get(each.record);
        let what = info
            .and_then(|i| i.label.clone())
            .unwrap_or_else(|| info.map_or("record".into(), |i| i.name.clone()));
        match key {
            Some(k) => format!("{what} {} {k}", index + 1),
            None => format!("{what} {}", index + 1),
        }
    }

    /// [`Evaluator::record_title`] of record `index` of item `i`.
    pub(super) fn record_title_of(&self, i: ItemId, index: usize) -> String {
        let each = self.policy.item(i).and_then(|it| it.each.as_ref());
        let key = self
            .result_of(i)
            .and_then(|r| r.records.get(index))
            .and_then(|r| r.key.as_deref());
        match each {
            Some(each) => self.record_title(each, index, key),
            None => format!("record {}", index + 1),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::super::{Options, evaluate};
    use crate::eval::Status;
    use crate::span::SourceFile;

    const POLICY: &str = r#"
record project "项目" { name: text "名称", investment: money "投资额", share: rate "比例" }
fact projects: list of project "申报项目"
measure 1 "m" {
  subsidy banded = 0元..(10% * p.investment) for each p in projects
  subsidy shared = p.share * p.investment for each p in projects
  subsidy soft_capped = min(20% * p.investment, soft 100万) for each p in projects
}
"#;

    fn run(json: &str) -> crate::eval::Evaluation {
        let policy = crate::load(&SourceFile::new("p.decree", POLICY)).expect("checks");
        let (facts, _) = crate::facts_from_str(&policy, "e.json", json, crate::facts::Format::Json)
            .expect("facts");
        evaluate(&policy, &facts, &Options::default())
    }

    #[test]
    fn ranges_add_bound_by_bound_and_a_soft_cap_marks_the_sum() {
        let e = run(
            r#"{"projects": [{"investment": "1000万", "share": "10%"}, {"investment": "2000万", "share": "5%"}]}"#,
        );
        let banded = e.item("banded").unwrap();
        let range = banded.range.expect("a range");
        assert_eq!((range.min, range.max), (0.into(), 3_000_000.into()));
        assert_eq!(banded.value.as_deref(), Some("0元..300万元"));
        assert_eq!(e.item("shared").unwrap().amount, Some(2_000_000.into()));
        let soft = e.item("soft_capped").unwrap();
        assert!(soft.soft_cap);
        assert_eq!(soft.amount, Some(2_000_000.into()));
    }

    #[test]
    fn a_sum_too_large_for_exact_decimals_is_an_error_not_a_rounded_amount() {
        // Each record's amount, 5 × 10^28 yuan, is exact; their sum is not.
        let huge = "5000000000000000000000000000";
        let json = format!(
            r#"{{"projects": [{{"investment": "{huge}", "share": "1000%"}}, {{"investment": "{huge}", "share": "1000%"}}]}}"#
        );
        let e = run(&json);
        let shared = e.item("shared").unwrap();
        assert_eq!(shared.status, Status::Error);
        assert_eq!(shared.amount, None);
        assert_eq!(shared.records.len(), 2);
        assert!(shared.records.iter().all(|r| r.status == Status::Granted));
        assert!(
            e.errors
                .iter()
                .any(|d| d.code == crate::diagnostic::Code::Overflow),
            "{:?}",
            e.errors
        );
    }

    #[test]
    fn a_lean_run_decides_records_as_a_full_one_without_their_text() {
        let policy = crate::load(&SourceFile::new("p.decree", POLICY)).expect("checks");
        let json = r#"{"projects": [{"name": "甲", "investment": "1000万", "share": "10%"}, {"investment": "1亿"}]}"#;
        let (facts, _) =
            crate::facts_from_str(&policy, "e.json", json, crate::facts::Format::Json).unwrap();
        let full = evaluate(&policy, &facts, &Options::default());
        let lean = evaluate(
            &policy,
            &facts,
            &Options {
                skip_explanations: true,
                ..Options::default()
            },
        );
        for name in ["banded", "shared", "soft_capped"] {
            let (f, l) = (full.item(name).unwrap(), lean.item(name).unwrap());
            assert_eq!(
                (f.status, f.amount, f.range, &f.undetermined_by),
                (l.status, l.amount, l.range, &l.undetermined_by),
                "{name}"
            );
            assert!(l.explanation.is_none() && l.records.iter().all(|r| r.explanation.is_none()));
            assert_eq!(f.records[0].key.as_deref(), Some("甲"));
        }
        assert_eq!(full.item("shared").unwrap().status, Status::Undetermined);
    }
}
