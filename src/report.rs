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
        if let Some(v) = &item.value {
            parts.push(v.clone());
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
    if !t.undetermined.is_empty() {
        missing.push(format!(
            "not counted, undetermined: {}",
            t.undetermined.join(", ")
        ));
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
