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
        let policy = self.policy;
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
        let statuses: Vec<Status> = results.iter().map(|(_, (_, r))| r.status).collect();
        let (verdict, out) = if statuses.contains(&Status::Error) {
            let failed = results
                .iter()
                .position(|(_, (_, r))| r.status == Status::Error);
            if self.explaining() {
                result.reason = failed.map(|i| format!("record {} failed", i + 1));
            }
            (Verdict::Negative, Out::Nothing(Nothing::Failed(idx)))
        } else if statuses.contains(&Status::Undetermined) {
            let causes: BTreeSet<Cause> = results
                .iter()
                .filter_map(|(_, (out, r))| match out {
                    Out::Unknown(c) if r.status == Status::Undetermined => Some(c.clone()),
                    _ => None,
                })
                .flatten()
                .collect();
            let causes = if causes.is_empty() {
                results
                    .iter()
                    .flat_map(|(_, (_, r))| r.undetermined_by.clone())
                    .collect()
            } else {
                causes
            };
            result.undetermined_by = causes.iter().cloned().collect();
            (Verdict::Undetermined, Out::Unknown(causes))
        } else if statuses.contains(&Status::Granted) {
            match self.sums(&results) {
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
                    let span = policy.item(idx).map(|i| i.ast.span.0).unwrap_or_default();
                    let money = |d| Value::Num(Unit::Money, d);
                    let d = self.arith_error(e, span, BinaryOp::Add, &money(a), &money(b));
                    let mut failed = self.failed(idx, d);
                    failed.1.records = std::mem::take(&mut result.records);
                    return failed;
                }
            }
        } else {
            if self.explaining() {
                result.reason = Some(if records.is_empty() {
                    let list = policy.fact(each.fact);
                    match list.map(|l| (&l.name, &l.label)) {
                        Some((n, Some(l))) => format!("the list {l} ({n}) has no records"),
                        Some((n, None)) => format!("the list {n} has no records"),
                        None => "the list has no records".into(),
                    }
                } else {
                    "no record qualifies".into()
                });
            }
            (
                Verdict::Ineligible(Ineligible::CriteriaNotMet),
                Out::Nothing(Nothing::NotGranted(idx)),
            )
        };
        self.combined(idx, result, verdict, out, &results)
    }

    /// The status, explanation and seen outcome of the combined result.
    fn combined(
        &self,
        idx: ItemId,
        mut result: ItemResult,
        verdict: Verdict,
        out: Out,
        results: &[(&Record, Decided)],
    ) -> Decided {
        result.status = match verdict {
            Verdict::Granted => Status::Granted,
            Verdict::Undetermined => Status::Undetermined,
            Verdict::Negative => Status::Error,
            _ => Status::Ineligible,
        };
        result.soft_cap = results
            .iter()
            .any(|(_, (_, r))| r.soft_cap && r.status == Status::Granted);
        if self.explaining() {
            let children: Vec<Trace> = result
                .records
                .iter()
                .map(|r| r.explanation.clone().unwrap_or_default())
                .collect();
            let mut notes = Vec::new();
            for (_, (_, r)) in results {
                for n in &r.notes {
                    if !notes.contains(n) {
                        notes.push(n.clone());
                    }
                }
            }
            result.notes = notes;
            let value = match result.status {
                Status::Granted => result.value.clone().unwrap_or_default(),
                s => s.as_str().to_string(),
            };
            result.explanation = Some(Trace {
                expr: format!("{} {}", result.kind.keyword(), result.name),
                value,
                note: Some(format!("sum over {} records", result.records.len())),
                children,
            });
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
        results: &[(&Record, Decided)],
    ) -> Result<Sums, (arith::ArithError, Decimal, Decimal)> {
        let mut s = Sums {
            lo: Decimal::ZERO,
            hi: Decimal::ZERO,
            soft: false,
        };
        for (_, (_, r)) in results
            .iter()
            .filter(|(_, (_, r))| r.status == Status::Granted)
        {
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
            let what = info
                .and_then(|i| i.label.clone())
                .unwrap_or_else(|| info.map_or("record".into(), |i| i.name.clone()));
            t.expr = match &key {
                Some(k) => format!("{what} {} {k}", index + 1),
                None => format!("{what} {}", index + 1),
            };
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
            explanation,
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
