//! What an evaluation produces, as data: serialized to the stable JSON of
//! `docs/JSON.md` and rendered as tables by [`crate::report`].

use rust_decimal::Decimal;
use serde::Serialize;

use super::arith::{self, ArithError};
use super::{Cause, Out};
use crate::ast::ItemKind;
use crate::diagnostic::{Code, Diagnostic};

/// The status of one item for one enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Money or a benefit is granted; an eligibility holds.
    Granted,
    /// The conditions are not met (or the amount is zero).
    Ineligible,
    /// Facts or `tbd` params are missing, or a range leaves it to discretion.
    Undetermined,
    /// The evaluation date is outside the validity window.
    NotInForce,
    /// A target is met.
    Met,
    /// A target is not met.
    NotMet,
    /// A commitment, listed with its text.
    Listed,
    /// Evaluation failed (overflow, division by zero …): see the diagnostics.
    Error,
    /// Another member of a stacking group (就高不重复) is granted instead.
    Superseded,
}

impl Status {
    /// The snake_case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Granted => "granted",
            Status::Ineligible => "ineligible",
            Status::Undetermined => "undetermined",
            Status::NotInForce => "not_in_force",
            Status::Met => "met",
            Status::NotMet => "not_met",
            Status::Listed => "listed",
            Status::Error => "error",
            Status::Superseded => "superseded",
        }
    }
}

/// One step of an explanation, as text: an expression, its value, and
/// what decided it (rendered from the evaluation's typed steps).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Trace {
    /// The expression, facts named by their labels.
    pub expr: String,
    /// Its value as drafters read it.
    pub value: String,
    /// What happened here: which cap bound, which tier matched …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The steps it was computed from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<Trace>,
}

impl Trace {
    /// Notes of this step and every step below, in order, without repeats.
    pub fn collect_notes(&self, out: &mut Vec<String>) {
        if let Some(n) = &self.note {
            if n != "condition" && !out.contains(n) {
                out.push(n.clone());
            }
        }
        for c in &self.children {
            c.collect_notes(out);
        }
    }

    /// Renders the explanation as an indented tree.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out, "", "");
        out
    }

    fn render_into(&self, out: &mut String, first: &str, rest: &str) {
        out.push_str(first);
        if self.expr.is_empty() || self.expr == self.value {
            out.push_str(&self.value);
        } else {
            out.push_str(&self.expr);
            out.push_str(" = ");
            out.push_str(&self.value);
        }
        if let Some(n) = &self.note {
            out.push_str("  — ");
            out.push_str(n);
        }
        out.push('\n');
        let n = self.children.len();
        for (i, c) in self.children.iter().enumerate() {
            let last = i + 1 == n;
            let (f, r) = if last {
                ("└─ ", "   ")
            } else {
                ("├─ ", "│  ")
            };
            c.render_into(out, &format!("{rest}{f}"), &format!("{rest}{r}"));
        }
    }
}

/// An amount range `min..max`, in yuan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
// `Range` in the API's schemas is a range of text (the language service's).
#[schema(as = AmountRange)]
pub struct Range {
    /// Lower end.
    #[schema(value_type = String)]
    pub min: Decimal,
    /// Upper end.
    #[schema(value_type = String)]
    pub max: Decimal,
}

impl std::fmt::Display for Range {
    /// As drafters read it: `2,400万元`, or `0元..50万元` for a range.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::value::format_money_range(self.min, self.max))
    }
}

/// One item's result.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ItemResult {
    /// Item name.
    pub name: String,
    /// Item label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Item kind.
    pub kind: ItemKind,
    /// Status.
    pub status: Status,
    /// Exact amount in yuan, for a granted monetary item with a single value.
    #[schema(value_type = Option<String>)]
    pub amount: Option<Decimal>,
    /// Amount range in yuan, for a granted monetary item left to discretion.
    pub range: Option<Range>,
    /// The value as drafters read it (amounts, rates, durations, bounds, texts).
    pub value: Option<String>,
    /// Whether a soft cap (原则上) decided the value.
    pub soft_cap: bool,
    /// How the value was rounded, when the policy rounds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounded: Option<String>,
    /// Missing facts, `tbd` params or discretion that left it undetermined.
    pub undetermined_by: Vec<Cause>,
    /// Why it is ineligible, not in force or failed.
    pub reason: Option<String>,
    /// What decided the value: caps bound, tiers matched …
    pub notes: Vec<String>,
    /// Clause texts it comes from.
    pub cites: Vec<String>,
    /// Whom it concerns, for commitments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concerns: Option<String>,
    /// Deadline of a target.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub by: Option<jiff::civil::Date>,
    /// The explanation tree (boxed: most results are moved several times
    /// while an evaluation settles them, and a population run has none).
    pub explanation: Option<Box<Trace>>,
    /// For an item written `for each p in LIST`: each record's own result,
    /// in the list's order (left out of JSON for other items).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<RecordResult>,
    /// For a superseded item: the member of its stacking group that
    /// supersedes it (the winner, or where the winner is still open, a
    /// member that surely beats it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    /// For an item a cumulative cap reduced: the cap and the amount before
    /// (boxed: rare, and the result is moved often).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capped: Option<Box<Capped>>,
    /// The outcome as other items see it (not serialized).
    #[serde(skip)]
    pub outcome: Option<Out>,
    /// The computed value itself, bounds included (not serialized).
    #[serde(skip)]
    pub raw: Option<crate::value::Value>,
}

/// One record's result in an item evaluated `for each` record: the item
/// as it comes to for that record alone.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RecordResult {
    /// Position of the record in the list fact, from 0.
    pub index: usize,
    /// The record's name: its first `text` field, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Its status for this record.
    pub status: Status,
    /// Exact amount in yuan, when granted with a single value.
    #[schema(value_type = Option<String>)]
    pub amount: Option<Decimal>,
    /// Amount range in yuan, when granted and left to discretion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<Range>,
    /// What left it undetermined for this record.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub undetermined_by: Vec<Cause>,
    /// Why it is ineligible or failed for this record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a record superseded by a group decided `per` record (or by a
    /// group of the enterprise, which supersedes every record): the member
    /// that supersedes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    /// For a record a cap decided `per` record reduced: the cap and the
    /// amount before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capped: Option<Box<Capped>>,
    /// Whether a soft cap (原则上) decided its amount (not serialized: the
    /// item's `soft_cap` says it for the sum).
    #[serde(skip)]
    pub soft_cap: bool,
    /// The explanation for this record (in JSON, it is the item's
    /// `explanation.children[index]`, so it is not written twice).
    #[serde(skip)]
    pub explanation: Option<Box<Trace>>,
}

/// How a cumulative cap (累计上限) reduced an item: `amount` is after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Capped {
    /// The cap's name.
    pub cap: String,
    /// The cap's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The cap's amount, in yuan.
    #[schema(value_type = String)]
    pub limit: Decimal,
    /// The item's amount before the cap, in yuan.
    #[schema(value_type = String)]
    pub before: Decimal,
    /// For a cap written `per RECORD`: the record type (`project`), the
    /// limit holding for each record apart; on the item, `before` is then
    /// the sum of its records before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
}

/// A chapter, by number and title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChapterRef {
    /// Number.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Its introductory clause texts.
    pub cites: Vec<String>,
}

/// One measure's results.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MeasureResult {
    /// Number as in the draft.
    pub number: u32,
    /// Title as in the draft.
    pub title: String,
    /// Chapter it stands in.
    pub chapter: Option<ChapterRef>,
    /// Clause texts.
    pub cites: Vec<String>,
    /// Items.
    pub items: Vec<ItemResult>,
}

/// Whether the policy is in force on the evaluation date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowStatus {
    /// Within the validity window.
    InForce,
    /// Before the issue date or after the last day in force.
    NotInForce,
    /// No issue date or no evaluation date: not checked.
    Unchecked,
}

/// The validity window and where the evaluation date stands in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Window {
    /// Status.
    pub status: WindowStatus,
    /// Issue date, from the header or `--set issued=…`.
    #[schema(value_type = Option<String>, format = Date)]
    pub issued: Option<jiff::civil::Date>,
    /// Last day in force.
    #[schema(value_type = Option<String>, format = Date)]
    pub last_day: Option<jiff::civil::Date>,
    /// Evaluation date.
    #[schema(value_type = Option<String>, format = Date)]
    pub at: Option<jiff::civil::Date>,
    /// In words (a string in JSON).
    #[schema(value_type = String)]
    pub note: WindowNote,
}

/// What the window says of the evaluation date, rendered in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowNote {
    /// The issue date is `tbd`: nothing is checked.
    IssueTbd,
    /// No evaluation date: nothing is checked.
    NoDate,
    /// The date is before the issue date.
    BeforeIssue {
        /// The evaluation date.
        at: jiff::civil::Date,
        /// The issue date.
        issued: jiff::civil::Date,
    },
    /// The date is after the last day in force.
    After {
        /// The evaluation date.
        at: jiff::civil::Date,
        /// The last day in force.
        last: jiff::civil::Date,
    },
    /// In force until this last day.
    Until(jiff::civil::Date),
    /// In force, with no expiry stated.
    NoExpiry,
}

impl std::fmt::Display for WindowNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WindowNote::IssueTbd => f.write_str(
                "the issue date is tbd: the validity window is not checked (give one with --set issued=YYYY-MM-DD)",
            ),
            WindowNote::NoDate => {
                f.write_str("no evaluation date: the validity window is not checked")
            }
            WindowNote::BeforeIssue { at, issued } => {
                write!(f, "{at} is before the issue date {issued}")
            }
            WindowNote::After { at, last } => {
                write!(f, "{at} is after the last day in force, {last}")
            }
            WindowNote::Until(last) => write!(f, "in force until {last}"),
            WindowNote::NoExpiry => f.write_str("in force (no expiry stated)"),
        }
    }
}

impl Serialize for WindowNote {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The total of all monetary items granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Total {
    /// Least total, in yuan.
    #[schema(value_type = String)]
    pub min: Decimal,
    /// Greatest total, in yuan (differs from `min` where ranges are granted).
    #[schema(value_type = String)]
    pub max: Decimal,
    /// Whether no monetary item is undetermined or failed.
    pub complete: bool,
    /// Monetary items left out of the total: undetermined, or failed.
    pub undetermined: Vec<String>,
    /// Those of `undetermined` whose evaluation failed.
    pub failed: Vec<String>,
    /// Of the total, the outlays (every monetary item but tax reliefs);
    /// only when the policy has a tax relief (`tax_relief`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlays: Option<Range>,
    /// Of the total, the revenue forgone (tax reliefs); only when the
    /// policy has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue_forgone: Option<Range>,
}

impl Total {
    /// Sums the monetary items of some measures (see [`Total::sum`]).
    pub fn of(measures: &[MeasureResult]) -> Total {
        Total::sum(measures).0
    }

    /// Sums the monetary items of some measures, and says so if the sum
    /// would not fit in exact decimals: an item whose amount cannot be added
    /// is left out of the total and listed in `undetermined` and `failed`
    /// (the total is then incomplete, never saturated or wrapped).
    pub fn sum(measures: &[MeasureResult]) -> (Total, Option<Diagnostic>) {
        let mut t = Total {
            min: Decimal::ZERO,
            max: Decimal::ZERO,
            complete: true,
            undetermined: Vec::new(),
            failed: Vec::new(),
            outlays: None,
            revenue_forgone: None,
        };
        let mut left_out: Vec<(&str, ArithError)> = Vec::new();
        let mut forgone: Option<Range> = None;
        for item in measures.iter().flat_map(|m| &m.items) {
            if !item.kind.is_monetary() {
                continue;
            }
            if item.kind.is_revenue_forgone() && forgone.is_none() {
                forgone = Some(Range {
                    min: Decimal::ZERO,
                    max: Decimal::ZERO,
                });
            }
            match item.status {
                Status::Granted => {
                    let (lo, hi) = match (item.amount, item.range) {
                        (Some(a), _) => (a, a),
                        (None, Some(r)) => (r.min, r.max),
                        _ => (Decimal::ZERO, Decimal::ZERO),
                    };
                    // Exactly, or not at all: rust_decimal's own addition
                    // would round a sum past 28 digits without a word.
                    match (arith::add(t.min, lo), arith::add(t.max, hi)) {
                        (Ok(min), Ok(max)) => {
                            (t.min, t.max) = (min, max);
                            // The forgone part is at most the whole, which
                            // just fitted.
                            if let (true, Some(f)) = (item.kind.is_revenue_forgone(), &mut forgone)
                            {
                                f.min = arith::add(f.min, lo).unwrap_or(f.min);
                                f.max = arith::add(f.max, hi).unwrap_or(f.max);
                            }
                        }
                        (Err(e), _) | (_, Err(e)) => {
                            t.complete = false;
                            t.undetermined.push(item.name.clone());
                            t.failed.push(item.name.clone());
                            left_out.push((item.name.as_str(), e));
                        }
                    }
                }
                Status::Undetermined => {
                    t.complete = false;
                    t.undetermined.push(item.name.clone());
                }
                Status::Error => {
                    t.complete = false;
                    t.undetermined.push(item.name.clone());
                    t.failed.push(item.name.clone());
                }
                _ => {}
            }
        }
        t.min = t.min.normalize();
        t.max = t.max.normalize();
        if let Some(f) = forgone {
            // Whole minus a part of it: exact, as both fit.
            t.outlays = Some(Range {
                min: arith::sub(t.min, f.min).unwrap_or(t.min).normalize(),
                max: arith::sub(t.max, f.max).unwrap_or(t.max).normalize(),
            });
            t.revenue_forgone = Some(Range {
                min: f.min.normalize(),
                max: f.max.normalize(),
            });
        }
        (t, left_out_of_total(&left_out))
    }
}

/// The error for items whose amounts could not be added to the total
/// exactly: too large, or needing more than 28 significant digits.
fn left_out_of_total(left_out: &[(&str, ArithError)]) -> Option<Diagnostic> {
    if left_out.is_empty() {
        return None;
    }
    let names: Vec<String> = left_out.iter().map(|(n, _)| format!("`{n}`")).collect();
    let names = names.join(", ");
    let d = if left_out.iter().any(|(_, e)| *e == ArithError::Overflow) {
        Diagnostic::error(
            Code::Overflow,
            format!("the total does not fit in exact decimals (about 7.9 × 10^28 yuan): {names} left out of it"),
        )
        .help("the items' own amounts stand; check the facts for absurd amounts")
    } else {
        Diagnostic::error(
            Code::Precision,
            format!("the total cannot be added exactly (it would need more than 28 significant digits): {names} left out of it"),
        )
        .help("the items' own amounts stand; a total is never rounded")
    };
    Some(d)
}

/// The result of evaluating a policy for one enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Evaluation {
    /// Title of the policy.
    pub policy: Option<String>,
    /// Name of the enterprise (the facts file).
    pub enterprise: String,
    /// The validity window.
    pub window: Window,
    /// Every measure, in order, with every item.
    pub measures: Vec<MeasureResult>,
    /// Total of the monetary items.
    pub total: Total,
    /// Errors met while evaluating (overflow, division by zero …).
    #[serde(skip)]
    pub errors: Vec<Diagnostic>,
    /// Branches taken, for test coverage (not serialized).
    #[serde(skip)]
    pub hits: Vec<Hit>,
}

/// A branch taken during evaluation: which way the construct at `span`
/// went. `when`: 0 false, 1 true; `if`: 0 then, 1 else; tier tables: the row
/// matched, or the number of rows for `else`/no match (one more, with
/// `first reaching`, for a level the prior peak had already reached);
/// schedules: the bracket the base ends in (the `above` row last);
/// `min`/`max`: the argument that bound the result. `crate::testing` lists
/// the branches by these numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hit {
    /// The construct.
    pub span: crate::span::Span,
    /// Which way it went.
    pub branch: u32,
}

impl Evaluation {
    /// The result of the item named `name`.
    pub fn item(&self, name: &str) -> Option<&ItemResult> {
        self.measures
            .iter()
            .flat_map(|m| &m.items)
            .find(|i| i.name == name)
    }
}

impl Window {
    /// The status in words.
    pub fn status_word(&self) -> &'static str {
        match self.status {
            WindowStatus::InForce => "in force",
            WindowStatus::NotInForce => "NOT IN FORCE",
            WindowStatus::Unchecked => "unchecked",
        }
    }
}
