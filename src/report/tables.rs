//! Tables and explanation trees for people: one evaluation, one item
//! explained, a population's fiscal summary. They may change freely; the
//! JSON of [`super::json`] is the stable interface.
//!
//! A table is plain text unless the host asks for colour
//! ([`RenderStyle::Color`], for a terminal that has not set `NO_COLOR`):
//! the library cannot know where its text goes, so it never guesses.

use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};

use crate::diagnostic::RenderStyle;
use crate::eval::{Evaluation, ItemResult, Status};
use crate::population::Summary;
use crate::population::summary::{ItemSummary, Median};
use crate::value::{format_money, format_money_range};

/// The value column: the amount as drafters read it, or the value.
pub fn shown_value(item: &ItemResult) -> String {
    let mut v = match (item.amount, item.range, &item.value) {
        (Some(a), _, _) => format_money(a),
        (None, Some(r), _) => format_money_range(r.min, r.max),
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

/// A table drawn in `style`: coloured cells only when colour is asked for.
fn new_table(style: RenderStyle) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(150);
    match style {
        RenderStyle::Color => {
            table.enforce_styling().style_text_only();
        }
        RenderStyle::Plain => {
            table.force_no_tty();
        }
    }
    table
}

/// A header row, bold where colour is drawn.
fn header_cells<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<Cell> {
    names
        .into_iter()
        .map(|n| Cell::new(n).add_attribute(Attribute::Bold))
        .collect()
}

/// A status, in the colour a reader scans for: granted or met green, not
/// decided yellow, failed red, the rest dim.
fn status_cell(status: Status) -> Cell {
    let colour = match status {
        Status::Granted | Status::Met | Status::Listed => Color::Green,
        Status::Undetermined => Color::Yellow,
        Status::Error => Color::Red,
        Status::Ineligible | Status::NotMet | Status::NotInForce | Status::Superseded => {
            Color::DarkGrey
        }
    };
    Cell::new(status.as_str()).fg(colour)
}

/// An evaluation as a plain table, headed by the policy, enterprise and
/// window (see [`to_table_styled`]).
pub fn to_table(evaluation: &Evaluation) -> String {
    to_table_styled(evaluation, RenderStyle::Plain)
}

/// An evaluation as a table in `style`: statuses coloured and the header
/// and total bold with [`RenderStyle::Color`], plain text otherwise.
pub fn to_table_styled(evaluation: &Evaluation, style: RenderStyle) -> String {
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
    let mut table = new_table(style);
    table.set_header(header_cells([
        "measure", "item", "kind", "status", "value", "why",
    ]));
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
                Cell::new(measure),
                Cell::new(name),
                Cell::new(item.kind.keyword()),
                status_cell(item.status),
                Cell::new(shown_value(item)),
                Cell::new(remarks(item)),
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
    let total = format_money_range(t.min, t.max);
    let missing = left_out(t);
    table.add_row(vec![
        Cell::new("total").add_attribute(Attribute::Bold),
        Cell::new(""),
        Cell::new(""),
        Cell::new(""),
        Cell::new(total).add_attribute(Attribute::Bold),
        Cell::new(missing),
    ]);
    // With tax reliefs, the total split into what is paid out and what
    // is forgone.
    if let (Some(o), Some(f)) = (&t.outlays, &t.revenue_forgone) {
        for (name, r) in [("of which outlays", o), ("of which revenue forgone", f)] {
            table.add_row(vec![
                Cell::new(name),
                Cell::new(""),
                Cell::new(""),
                Cell::new(""),
                Cell::new(r.to_string()),
                Cell::new(""),
            ]);
        }
    }
    out.push_str(&table.to_string());
    out.push('\n');
    out
}

/// What a total leaves out, in words.
fn left_out(t: &crate::eval::Total) -> String {
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
    missing.join("; ")
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

/// The columns of a summary table: the counts a population has any of.
struct SummaryColumns {
    not_in_force: bool,
    errors: bool,
}

impl SummaryColumns {
    fn of(summary: &Summary) -> SummaryColumns {
        SummaryColumns {
            not_in_force: summary.items().iter().any(|i| i.not_in_force > 0),
            errors: summary.items().iter().any(|i| i.errors > 0),
        }
    }

    fn header(&self) -> Vec<&'static str> {
        let mut h = vec!["measure", "item", "granted", "ineligible", "undetermined"];
        if self.not_in_force {
            h.push("not in force");
        }
        if self.errors {
            h.push("errors");
        }
        h.extend(["total", "min / median / max", "undetermined because"]);
        h
    }

    /// One item's row (without its measure).
    fn row(&self, it: &ItemSummary) -> Vec<String> {
        let mut row = vec![
            match &it.label {
                Some(l) => format!("{l}\n{}", it.name),
                None => it.name.clone(),
            },
            it.granted.to_string(),
            it.ineligible.to_string(),
            it.undetermined.to_string(),
        ];
        if self.not_in_force {
            row.push(it.not_in_force.to_string());
        }
        if self.errors {
            row.push(it.errors.to_string());
        }
        row.push(
            it.total
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        );
        row.push(amounts(it));
        row.push(causes(it));
        row
    }
}

/// The least, median and greatest amount granted.
fn amounts(it: &ItemSummary) -> String {
    let (Some(min), Some(max), Some(median)) = (it.min, it.max, it.median()) else {
        return String::new();
    };
    let median = match median {
        Median::Exact(m) => format_money(m),
        Median::Within { from, width } => match from.checked_add(width) {
            Some(to) => format!("{}..{}", format_money(from), format_money(to)),
            None => format!("≥ {}", format_money(from)),
        },
    };
    format!("{} / {median} / {}", format_money(min), format_money(max))
}

/// Why an item is undetermined, with counts: facts and params by label.
fn causes(it: &ItemSummary) -> String {
    let causes: Vec<String> = it
        .causes
        .iter()
        .map(|c| match &c.cause {
            crate::eval::Cause::Fact { name, label }
            | crate::eval::Cause::Param { name, label } => {
                format!("{} ×{}", label.as_deref().unwrap_or(name), c.enterprises)
            }
            crate::eval::Cause::Discretion => format!("discretion ×{}", c.enterprises),
            crate::eval::Cause::EvaluationDate => format!("evaluation date ×{}", c.enterprises),
        })
        .collect();
    causes.join("; ")
}

/// A fiscal summary as a plain table (see [`summary_table_styled`]).
pub fn summary_table(summary: &Summary) -> String {
    summary_table_styled(summary, RenderStyle::Plain)
}

/// A fiscal summary as a table in `style`: items by label (and name), the
/// counts of each status, the total, the least, median and greatest
/// amount, and the causes of undetermined results; the header and total
/// bold with [`RenderStyle::Color`].
pub fn summary_table_styled(summary: &Summary, style: RenderStyle) -> String {
    let mut out = format!(
        "fiscal summary over {} enterprises\n",
        summary.enterprises()
    );
    let columns = SummaryColumns::of(summary);
    let header = columns.header();
    let width = header.len();
    let mut table = new_table(style);
    table.set_header(header_cells(header));
    let mut last = None;
    for it in summary.items() {
        let measure = match summary.measures().get(it.measure) {
            Some(m) if last != Some(it.measure) => format!("{} {}", m.number, m.title),
            _ => String::new(),
        };
        last = Some(it.measure);
        let mut row = vec![measure];
        row.extend(columns.row(it));
        table.add_row(row);
    }
    let incomplete = match summary.incomplete_enterprises() {
        0 => String::new(),
        n => format!("{n} enterprises' totals leave out undetermined items"),
    };
    let mut total = vec![Cell::new(""); width];
    if let Some(first) = total.first_mut() {
        let name = if summary.budgets().is_empty() {
            "total"
        } else {
            "total entitled"
        };
        *first = Cell::new(name).add_attribute(Attribute::Bold);
    }
    if let Some(t) = total.get_mut(width.saturating_sub(3)) {
        *t = Cell::new(summary.total().to_string()).add_attribute(Attribute::Bold);
    }
    if let Some(last) = total.last_mut() {
        *last = Cell::new(incomplete);
    }
    table.add_row(total);
    // With tax reliefs, the total split into what is paid out and what
    // is forgone.
    if let (Some(outlays), Some(forgone)) = (summary.outlays(), summary.revenue_forgone()) {
        for (name, r) in [
            ("of which outlays", outlays),
            ("of which revenue forgone", forgone),
        ] {
            let mut row = vec![Cell::new(""); width];
            if let Some(first) = row.first_mut() {
                *first = Cell::new(name);
            }
            if let Some(t) = row.get_mut(width.saturating_sub(3)) {
                *t = Cell::new(r.to_string());
            }
            table.add_row(row);
        }
    }
    // With budgets, what is paid once they are allocated.
    if !summary.budgets().is_empty() {
        let mut row = vec![Cell::new(""); width];
        if let Some(first) = row.first_mut() {
            *first = Cell::new("total allocated").add_attribute(Attribute::Bold);
        }
        if let Some(t) = row.get_mut(width.saturating_sub(3)) {
            *t = Cell::new(
                summary
                    .allocated_total()
                    .map_or_else(|| "not known".to_string(), |r| r.to_string()),
            )
            .add_attribute(Attribute::Bold);
        }
        if let Some(last) = row.last_mut() {
            *last = Cell::new("entitlements less what the budgets leave unpaid");
        }
        table.add_row(row);
    }
    out.push_str(&table.to_string());
    out.push('\n');
    out.push_str(&budget_lines(summary.budgets()));
    out.push_str(
        "granted counts targets met and commitments listed; ineligible, targets not met\n",
    );
    if summary
        .items()
        .iter()
        .any(|i| matches!(i.median(), Some(Median::Within { .. })))
    {
        out.push_str("a median shown as a..b: the item had too many distinct amounts to keep; the median lies in [a, b)\n");
    }
    out
}

/// The budgets of a policy as one enterprise sees them, a line each: its
/// entitlement, and the allocation estimated against the expected demand
/// or why the allocation depends on the population.
pub fn budget_share_lines(shares: &[crate::population::budget::single::BudgetShare]) -> String {
    use crate::value::format_money;
    let mut out = String::new();
    for s in shares {
        let name = match &s.label {
            Some(l) => format!("{l} ({})", s.name),
            None => s.name.clone(),
        };
        let entitled = s
            .entitlement
            .map_or_else(|| "not known".to_string(), format_money);
        let allocated = s
            .allocation
            .map(|a| format!(", allocated {}", format_money(a)))
            .unwrap_or_default();
        out.push_str(&format!(
            "budget {name}, paying {}: entitled {entitled}{allocated} — {}\n",
            s.items.join(", "),
            s.note
        ));
    }
    out
}

/// The budgets of a population run (issue 16), a line each: the fund,
/// the demand, what was allocated and the factor, or how many enterprises
/// left the demand open.
pub fn budget_lines(totals: &[crate::population::budget::BudgetTotals]) -> String {
    use crate::value::format_money;
    let mut out = String::new();
    for t in totals {
        let name = match &t.label {
            Some(l) => format!("{l} ({})", t.name),
            None => t.name.clone(),
        };
        let line = if t.allocates() {
            let factor = t
                .factor()
                .map_or("—".to_string(), |f| f.normalize().to_string());
            let rule = match &t.first_come_by {
                Some(f) => format!(", first come by {f}"),
                None => String::new(),
            };
            format!(
                "budget {name}: {} for a demand of {} from {} enterprises; allocated {} (factor {factor}{rule})",
                format_money(t.budget),
                format_money(t.demand),
                t.claimants,
                format_money(t.allocated)
            )
        } else if t.undetermined == 0 {
            format!(
                "budget {name}: {} not allocated: the demand of {} exceeds it and {} claimants have no {} (the first: {}), so the filing order is not known",
                format_money(t.budget),
                format_money(t.demand),
                t.unordered,
                t.first_come_by.as_deref().unwrap_or("filing order"),
                t.first_unordered.as_deref().unwrap_or("?"),
            )
        } else {
            format!(
                "budget {name}: {} not allocated: the entitlement of {} enterprises is undetermined, so the demand is not known",
                format_money(t.budget),
                t.undetermined
            )
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}
