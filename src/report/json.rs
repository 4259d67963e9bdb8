//! Every JSON decree writes, in one place: the stable documents of
//! `docs/JSON.md` (an evaluation, an item, a folder of enterprises with
//! its fiscal summary, a diff and its impact) and the JSON Lines rows of
//! a population run.

use std::io::Write;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::ast::ItemKind;
use crate::check::Policy;
use crate::diagnostic::{Diagnostic, DiagnosticData};
use crate::diff::{Change, Impact, PolicyDiff};
use crate::eval::{Cause, Evaluation, ItemResult, Range};
use crate::matching::Matching;
use crate::population::{RowView, Summary};

/// Pretty JSON of a serializable document. The documents here hold only
/// strings, numbers, booleans and maps with string keys, which serde_json
/// always serializes; were one ever to fail, the output says so rather
/// than being empty.
fn pretty<T: Serialize>(doc: &T) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The JSON document of one evaluation (see `docs/JSON.md`).
#[derive(Serialize)]
struct JsonEvaluation<'a> {
    #[serde(flatten)]
    evaluation: &'a Evaluation,
    diagnostics: Vec<DiagnosticData>,
    /// The policy's budgets as this enterprise sees them: only when it
    /// declares any (`decree eval`; see [`to_json_with_budgets`]).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    budgets: &'a [crate::population::budget::single::BudgetShare],
}

/// An evaluation as pretty JSON, with its diagnostics as data: its errors,
/// then the warnings about its facts.
pub fn to_json(evaluation: &Evaluation, warnings: &[Diagnostic]) -> String {
    to_json_with_budgets(evaluation, warnings, &[])
}

/// [`to_json`] with the policy's budgets as this enterprise sees them
/// (its entitlement, and the allocation or why it depends on the
/// population): a `budgets` array when there are any.
pub fn to_json_with_budgets(
    evaluation: &Evaluation,
    warnings: &[Diagnostic],
    budgets: &[crate::population::budget::single::BudgetShare],
) -> String {
    pretty(&JsonEvaluation {
        budgets,
        evaluation,
        diagnostics: evaluation
            .errors
            .iter()
            .chain(warnings)
            .map(Diagnostic::to_data)
            .collect(),
    })
}

/// One item's JSON object (`decree explain --format json`).
pub fn item(result: &ItemResult) -> String {
    pretty(result)
}

/// A profile match as pretty JSON (`docs/JSON.md`, "Profile matching").
pub fn matching(m: &Matching) -> String {
    pretty(m)
}

/// The JSON of a [`Summary`], in the layout of `docs/JSON.md`: items
/// grouped by measure.
#[derive(Serialize)]
struct SummaryDoc<'a> {
    enterprises: u64,
    measures: Vec<MeasureDoc<'a>>,
    total: Range,
    /// Of the total, outlays and revenue forgone: only with tax reliefs.
    #[serde(skip_serializing_if = "Option::is_none")]
    outlays: Option<Range>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revenue_forgone: Option<Range>,
    incomplete_enterprises: u64,
    /// The budgets allocated by the run: only when the policy has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    budgets: Vec<BudgetDoc<'a>>,
    /// The total once the budgets are allocated: only when every budget's
    /// allocation is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    allocated_total: Option<Range>,
}

/// A budget's totals and its factor B ÷ D.
#[derive(Serialize)]
struct BudgetDoc<'a> {
    #[serde(flatten)]
    totals: &'a crate::population::budget::BudgetTotals,
    /// B ÷ D to six places, for reading; `null` when not known.
    factor: Option<String>,
}

/// The budgets of a summary, as JSON.
fn budget_docs(totals: &[crate::population::budget::BudgetTotals]) -> Vec<BudgetDoc<'_>> {
    totals
        .iter()
        .map(|t| BudgetDoc {
            totals: t,
            factor: t.factor().map(|f| f.normalize().to_string()),
        })
        .collect()
}

#[derive(Serialize)]
struct MeasureDoc<'a> {
    number: u32,
    title: &'a str,
    items: Vec<ItemDoc<'a>>,
}

#[derive(Serialize)]
struct ItemDoc<'a> {
    name: &'a str,
    label: Option<&'a str>,
    kind: ItemKind,
    granted: u64,
    ineligible: u64,
    undetermined: u64,
    not_in_force: u64,
    errors: u64,
    /// Only for members of stacking groups that were superseded.
    #[serde(skip_serializing_if = "is_zero")]
    superseded: u64,
    total: Option<Range>,
    causes: Vec<CauseDoc<'a>>,
}

#[derive(Serialize)]
struct CauseDoc<'a> {
    cause: &'a Cause,
    enterprises: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Amounts without trailing zeros: `"30000000"`, never `"30000000.00"`.
fn normal(r: Range) -> Range {
    Range {
        min: r.min.normalize(),
        max: r.max.normalize(),
    }
}

fn summary_doc(s: &Summary) -> SummaryDoc<'_> {
    let measures = s
        .measures()
        .iter()
        .enumerate()
        .map(|(m, head)| MeasureDoc {
            number: head.number,
            title: &head.title,
            items: s
                .items()
                .iter()
                .filter(|i| i.measure == m)
                .map(|i| ItemDoc {
                    name: &i.name,
                    label: i.label.as_deref(),
                    kind: i.kind,
                    granted: i.granted,
                    ineligible: i.ineligible,
                    undetermined: i.undetermined,
                    not_in_force: i.not_in_force,
                    errors: i.errors,
                    superseded: i.superseded,
                    total: i.total.map(normal),
                    causes: i
                        .causes
                        .iter()
                        .map(|c| CauseDoc {
                            cause: &c.cause,
                            enterprises: c.enterprises,
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    SummaryDoc {
        enterprises: s.enterprises(),
        measures,
        total: normal(s.total()),
        outlays: s.outlays().map(normal),
        revenue_forgone: s.revenue_forgone().map(normal),
        incomplete_enterprises: s.incomplete_enterprises(),
        budgets: budget_docs(s.budgets()),
        allocated_total: s.allocated_total().map(normal),
    }
}

/// A fiscal summary as pretty JSON.
pub fn summary(s: &Summary) -> String {
    pretty(&summary_doc(s))
}

/// `decree eval --facts DIR --format json`, written as it goes, one
/// enterprise at a time: `{"enterprises": [DOC, …], "summary": SUMMARY}`.
#[derive(Debug, Default)]
pub struct Folder {
    written: u64,
}

impl Folder {
    /// A document with no enterprise yet.
    pub fn new() -> Folder {
        Folder::default()
    }

    fn opening(&self) -> &'static str {
        if self.written == 0 {
            "{\n\"enterprises\": [\n"
        } else {
            ""
        }
    }

    /// The text for the next enterprise (the document's opening before the
    /// first).
    pub fn enterprise(&mut self, evaluation: &Evaluation, warnings: &[Diagnostic]) -> String {
        let separator = if self.written == 0 { "" } else { ",\n" };
        let text = format!(
            "{}{separator}{}",
            self.opening(),
            to_json(evaluation, warnings)
        );
        self.written += 1;
        text
    }

    /// The rest of the document: the end of the enterprises and the
    /// summary, then a line break.
    pub fn finish(&self, s: &Summary) -> String {
        self.close(&summary(s))
    }

    /// The rest of the document when the run stopped (a sum too large for
    /// exact decimals): the summary is `null`, and the document still
    /// whole.
    pub fn abandon(&self) -> String {
        self.close("null")
    }

    fn close(&self, summary: &str) -> String {
        format!("{}\n],\n\"summary\": {summary}\n}}\n", self.opening())
    }
}

/// `decree eval --facts DIR --summary-only --format json`:
/// `{"summary": SUMMARY}`.
pub fn summary_only(s: &Summary) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        summary: SummaryDoc<'a>,
    }
    pretty(&Doc {
        summary: summary_doc(s),
    })
}

/// A diff and its impact as JSON (see `docs/JSON.md`).
#[derive(Serialize)]
struct DiffDoc<'a> {
    old: &'a str,
    new: &'a str,
    same: bool,
    changes: &'a [Change],
    impact: Option<&'a Impact>,
}

/// `decree diff OLD NEW --format json`: the two paths as given, the
/// changes, and the impact when a population was given.
pub fn diff(old: &str, new: &str, d: &PolicyDiff, impact: Option<&Impact>) -> String {
    pretty(&DiffDoc {
        old,
        new,
        same: d.is_empty(),
        changes: &d.changes,
        impact,
    })
}

/// JSON Lines of a population run, one object per row, written piece by
/// piece in the layout serde_json gives
/// `{"line", "keys" (with --key only), "items", "total"}`: no map is built
/// per row. Names are quoted once; statuses and decimals need no escaping.
#[derive(Debug, Clone)]
pub struct RowLines {
    /// Item names as JSON strings, and whether each is monetary.
    items: Vec<(String, bool)>,
    /// Key names as JSON strings.
    keys: Vec<String>,
    /// The policy's budgets' names as JSON strings (issue 16).
    budgets: Vec<String>,
}

/// A text as a JSON string, quoted and escaped.
fn quoted(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

impl RowLines {
    /// Lines for `policy`'s items, with the key columns `keys`.
    pub fn new(policy: &Policy, keys: &[String]) -> RowLines {
        RowLines {
            items: policy
                .items
                .iter()
                .map(|i| (quoted(i.name()), i.kind().is_monetary()))
                .collect(),
            keys: keys.iter().map(|k| quoted(k)).collect(),
            budgets: policy.budgets.iter().map(|b| quoted(&b.name)).collect(),
        }
    }

    /// Writes one row as a line.
    ///
    /// # Errors
    /// The output's.
    pub fn write(&self, out: &mut impl Write, r: &RowView<'_>) -> std::io::Result<()> {
        self.write_allocated(out, r, &[])
    }

    /// Writes one row as a line, with its allocation from each of the
    /// policy's budgets (`allocations`, in their order; `null` where it is
    /// not known) when the policy has any.
    ///
    /// # Errors
    /// The output's.
    pub fn write_allocated(
        &self,
        out: &mut impl Write,
        r: &RowView<'_>,
        allocations: &[Option<Decimal>],
    ) -> std::io::Result<()> {
        write!(out, "{{\"line\":{}", r.line())?;
        if !self.keys.is_empty() {
            write!(out, ",\"keys\":{{")?;
            for (i, (k, v)) in self.keys.iter().zip(r.keys()).enumerate() {
                let sep = if i == 0 { "" } else { "," };
                write!(out, "{sep}{k}:{}", quoted(v))?;
            }
            write!(out, "}}")?;
        }
        write!(out, ",\"items\":{{")?;
        for (i, ((name, monetary), o)) in self.items.iter().zip(r.items()).enumerate() {
            let sep = if i == 0 { "" } else { "," };
            write!(out, "{sep}{name}:{{\"status\":\"{}\"", o.status.as_str())?;
            if *monetary {
                match (o.min, o.max) {
                    (Some(lo), Some(hi)) if lo == hi => {
                        write!(out, ",\"amount\":\"{}\"", lo.normalize())?;
                    }
                    (Some(lo), Some(hi)) => write!(
                        out,
                        ",\"min\":\"{}\",\"max\":\"{}\"",
                        lo.normalize(),
                        hi.normalize()
                    )?,
                    _ => {}
                }
            }
            write!(out, "}}")?;
        }
        let (lo, hi) = r.total();
        write!(
            out,
            "}},\"total\":{{\"min\":\"{}\",\"max\":\"{}\"}}",
            lo.normalize(),
            hi.normalize()
        )?;
        if !self.budgets.is_empty() {
            write!(out, ",\"allocations\":{{")?;
            for (i, name) in self.budgets.iter().enumerate() {
                let sep = if i == 0 { "" } else { "," };
                match allocations.get(i).copied().flatten() {
                    Some(a) => write!(out, "{sep}{name}:\"{}\"", a.normalize())?,
                    None => write!(out, "{sep}{name}:null")?,
                }
            }
            write!(out, "}}")?;
        }
        writeln!(out, "}}")
    }
}
