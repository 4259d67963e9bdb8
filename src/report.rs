//! Rendering evaluations for people (tables, explanation trees) and for
//! programs (the stable JSON of `docs/JSON.md`).

use comfy_table::{ContentArrangement, Table, presets};

use crate::diagnostic::{Diagnostic, DiagnosticData};
use crate::eval::{Evaluation, ItemResult, Status};
use crate::value::format_money;

/// The JSON document of one evaluation (see `docs/JSON.md`).
#[derive(serde::Serialize)]
struct JsonEvaluation<'a> {
    #[serde(flatten)]
    evaluation: &'a Evaluation,
    diagnostics: Vec<DiagnosticData>,
}

/// An evaluation as pretty JSON, with its diagnostics as data.
pub fn to_json(evaluation: &Evaluation, warnings: &[Diagnostic]) -> String {
    let doc = JsonEvaluation {
        evaluation,
        diagnostics: evaluation
            .errors
            .iter()
            .chain(warnings)
            .map(Diagnostic::to_data)
            .collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The value column: the amount as drafters read it, or the value.
pub fn shown_value(item: &ItemResult) -> String {
    let mut v = match (item.amount, item.range, &item.value) {
        (Some(a), _, _) => format_money(a),
        (None, Some(r), _) => format!("{}..{}", format_money(r.min), format_money(r.max)),
        (None, None, Some(v)) if item.status != Status::Listed => v.clone(),
        _ => String::new(),
    };
    if item.soft_cap {
        v.push_str(" (soft)");
    }
    v
}

/// What to say about an item beside its value.
pub fn remarks(item: &ItemResult) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(r) = &item.reason {
        parts.push(r.clone());
    }
    let needs: Vec<String> = item
        .undetermined_by
        .iter()
        .filter(|c| **c != crate::eval::Cause::Discretion)
        .map(ToString::to_string)
        .collect();
    if !needs.is_empty() {
        parts.push(format!("needs {}", needs.join(", ")));
    }
    if item
        .undetermined_by
        .contains(&crate::eval::Cause::Discretion)
    {
        parts.push("left to discretion: a range does not decide it".into());
    }
    if item.status == Status::Listed {
        // The whole text is in `explain` and the JSON; a table shows its start.
        if let Some(v) = &item.value {
            let head: String = v.chars().take(24).collect();
            let more = if v.chars().count() > 24 { "…" } else { "" };
            parts.push(format!("{head}{more}"));
        }
    }
    if matches!(item.status, Status::Granted | Status::Met | Status::NotMet) {
        parts.extend(item.notes.iter().cloned());
    }
    parts.join("; ")
}

/// An evaluation as a table, headed by the policy, enterprise and window.
pub fn to_table(evaluation: &Evaluation) -> String {
    let mut out = String::new();
    if let Some(t) = &evaluation.policy {
        out.push_str(t);
        out.push('\n');
    }
    out.push_str(&format!("enterprise: {}\n", evaluation.enterprise));
    out.push_str(&format!(
        "validity: {} — {}\n",
        evaluation.window.status_word(),
        evaluation.window.note
    ));
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(150)
        .set_header(vec!["measure", "item", "kind", "status", "value", "why"]);
    for m in &evaluation.measures {
        for (i, item) in m.items.iter().enumerate() {
            let measure = if i == 0 {
                format!("{} {}", m.number, m.title)
            } else {
                String::new()
            };
            let name = match &item.label {
                Some(l) => format!("{}\n{l}", item.name),
                None => item.name.clone(),
            };
            table.add_row(vec![
                measure,
                name,
                item.kind.keyword().to_string(),
                item.status.as_str().to_string(),
                shown_value(item),
                remarks(item),
            ]);
        }
        if m.items.is_empty() {
            table.add_row(vec![
                format!("{} {}", m.number, m.title),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
    }
    let t = &evaluation.total;
    let total = if t.min == t.max {
        format_money(t.min)
    } else {
        format!("{}..{}", format_money(t.min), format_money(t.max))
    };
    let mut missing = Vec::new();
    let open: Vec<&str> = t
        .undetermined
        .iter()
        .filter(|n| !t.failed.contains(n))
        .map(String::as_str)
        .collect();
    if !open.is_empty() {
        missing.push(format!("not counted, undetermined: {}", open.join(", ")));
    }
    if !t.failed.is_empty() {
        missing.push(format!("not counted, failed: {}", t.failed.join(", ")));
    }
    let missing = missing.join("; ");
    table.add_row(vec![
        "total".into(),
        String::new(),
        String::new(),
        String::new(),
        total,
        missing,
    ]);
    out.push_str(&table.to_string());
    out.push('\n');
    out
}

/// One item explained: where it comes from, its status and the tree of how
/// its value was reached.
pub fn explain(evaluation: &Evaluation, item: &ItemResult) -> String {
    let mut out = String::new();
    let measure = evaluation
        .measures
        .iter()
        .find(|m| m.items.iter().any(|i| i.name == item.name));
    if let Some(m) = measure {
        out.push_str(&format!("measure {} {}\n", m.number, m.title));
    }
    let label = item
        .label
        .as_ref()
        .map(|l| format!(" ({l})"))
        .unwrap_or_default();
    out.push_str(&format!("{} {}{label}\n", item.kind.keyword(), item.name));
    for c in &item.cites {
        out.push_str(&format!("  cite: {c}\n"));
    }
    let value = shown_value(item);
    out.push_str(&format!("status: {}", item.status.as_str()));
    if !value.is_empty() {
        out.push_str(&format!(", value: {value}"));
    }
    out.push('\n');
    let r = remarks(item);
    if !r.is_empty() {
        out.push_str(&format!("why: {r}\n"));
    }
    if let Some(t) = &item.explanation {
        out.push_str("explanation:\n");
        for line in t.render().lines() {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Counts and totals of one item over a population of enterprises.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ItemSummary {
    /// Item name.
    pub name: String,
    /// Item label.
    pub label: Option<String>,
    /// Item kind.
    pub kind: crate::ast::ItemKind,
    /// Enterprises granted (met, for targets; listed, for commitments).
    pub granted: usize,
    /// Enterprises ineligible (not met, for targets).
    pub ineligible: usize,
    /// Enterprises for which it is undetermined.
    pub undetermined: usize,
    /// Enterprises for which the policy is not in force.
    pub not_in_force: usize,
    /// Enterprises whose evaluation of it failed.
    pub errors: usize,
    /// Total granted, in yuan (monetary items).
    pub total: Option<crate::eval::Range>,
    /// Why it is undetermined, with how many enterprises each cause concerns.
    pub causes: Vec<CauseCount>,
}

/// A cause of undetermined results and how many enterprises it concerns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CauseCount {
    /// The cause.
    pub cause: crate::eval::Cause,
    /// Enterprises concerned.
    pub enterprises: usize,
}

/// One measure over a population.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MeasureSummary {
    /// Number.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Its items.
    pub items: Vec<ItemSummary>,
}

/// A policy's fiscal summary over a population of enterprises.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// How many enterprises.
    pub enterprises: usize,
    /// Per measure and item.
    pub measures: Vec<MeasureSummary>,
    /// Total of all monetary items granted, in yuan.
    pub total: crate::eval::Range,
    /// Enterprises whose total is incomplete (some monetary item undetermined or failed).
    pub incomplete_enterprises: usize,
}

/// Sums evaluations of the same policy over a population.
///
/// # Errors
/// [`Code::Overflow`](crate::Code::Overflow) when a sum is too large for
/// exact decimals: no summary rather than a saturated one.
pub fn summarize(evaluations: &[Evaluation]) -> Result<Summary, Diagnostic> {
    use rust_decimal::Decimal;
    let add = |a: Decimal, b: Decimal| {
        a.checked_add(b).ok_or_else(|| {
            Diagnostic::error(
                crate::Code::Overflow,
                "the fiscal summary does not fit in exact decimals (about 7.9 × 10^28 yuan)",
            )
            .help("check the facts for absurd amounts, or summarize fewer enterprises")
        })
    };
    let mut measures: Vec<MeasureSummary> = Vec::new();
    let mut total = crate::eval::Range {
        min: Decimal::ZERO,
        max: Decimal::ZERO,
    };
    let mut incomplete = 0;
    for e in evaluations {
        total.min = add(total.min, e.total.min)?;
        total.max = add(total.max, e.total.max)?;
        if !e.total.complete {
            incomplete += 1;
        }
        for (mi, m) in e.measures.iter().enumerate() {
            if measures.len() <= mi {
                measures.push(MeasureSummary {
                    number: m.number,
                    title: m.title.clone(),
                    items: Vec::new(),
                });
            }
            let Some(ms) = measures.get_mut(mi) else {
                continue;
            };
            for (ii, item) in m.items.iter().enumerate() {
                if ms.items.len() <= ii {
                    ms.items.push(ItemSummary {
                        name: item.name.clone(),
                        label: item.label.clone(),
                        kind: item.kind,
                        granted: 0,
                        ineligible: 0,
                        undetermined: 0,
                        not_in_force: 0,
                        errors: 0,
                        total: item.kind.is_monetary().then_some(crate::eval::Range {
                            min: Decimal::ZERO,
                            max: Decimal::ZERO,
                        }),
                        causes: Vec::new(),
                    });
                }
                let Some(s) = ms.items.get_mut(ii) else {
                    continue;
                };
                match item.status {
                    Status::Granted | Status::Met | Status::Listed => s.granted += 1,
                    Status::Ineligible | Status::NotMet => s.ineligible += 1,
                    Status::Undetermined => s.undetermined += 1,
                    Status::NotInForce => s.not_in_force += 1,
                    Status::Error => s.errors += 1,
                }
                if let Some(t) = s.total.as_mut() {
                    if item.status == Status::Granted {
                        let (lo, hi) = match (item.amount, item.range) {
                            (Some(a), _) => (a, a),
                            (None, Some(r)) => (r.min, r.max),
                            _ => (Decimal::ZERO, Decimal::ZERO),
                        };
                        t.min = add(t.min, lo)?.normalize();
                        t.max = add(t.max, hi)?.normalize();
                    }
                }
                for c in &item.undetermined_by {
                    match s.causes.iter_mut().find(|x| x.cause == *c) {
                        Some(x) => x.enterprises += 1,
                        None => s.causes.push(CauseCount {
                            cause: c.clone(),
                            enterprises: 1,
                        }),
                    }
                }
            }
        }
    }
    total.min = total.min.normalize();
    total.max = total.max.normalize();
    Ok(Summary {
        enterprises: evaluations.len(),
        measures,
        total,
        incomplete_enterprises: incomplete,
    })
}

fn money_range(r: &crate::eval::Range) -> String {
    if r.min == r.max {
        format_money(r.min)
    } else {
        format!("{}..{}", format_money(r.min), format_money(r.max))
    }
}

/// A fiscal summary as a table.
pub fn summary_table(summary: &Summary) -> String {
    let mut out = format!("fiscal summary over {} enterprises\n", summary.enterprises);
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(150)
        .set_header(vec![
            "measure",
            "item",
            "granted/met/listed",
            "ineligible/not met",
            "undetermined",
            "total",
            "undetermined because",
        ]);
    for m in &summary.measures {
        for (i, it) in m.items.iter().enumerate() {
            let measure = if i == 0 {
                format!("{} {}", m.number, m.title)
            } else {
                String::new()
            };
            let causes: Vec<String> = it
                .causes
                .iter()
                .map(|c| match &c.cause {
                    crate::eval::Cause::Fact { name, label }
                    | crate::eval::Cause::Param { name, label } => {
                        format!("{} ×{}", label.as_deref().unwrap_or(name), c.enterprises)
                    }
                    crate::eval::Cause::Discretion => format!("discretion ×{}", c.enterprises),
                })
                .collect();
            table.add_row(vec![
                measure,
                it.name.clone(),
                it.granted.to_string(),
                it.ineligible.to_string(),
                it.undetermined.to_string(),
                it.total.as_ref().map(money_range).unwrap_or_default(),
                causes.join("; "),
            ]);
        }
    }
    let incomplete = if summary.incomplete_enterprises > 0 {
        format!(
            "{} enterprises' totals leave out undetermined items",
            summary.incomplete_enterprises
        )
    } else {
        String::new()
    };
    table.add_row(vec![
        "total".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        money_range(&summary.total),
        incomplete,
    ]);
    out.push_str(&table.to_string());
    out.push('\n');
    out
}
