//! The table of `:compare`: two evaluations side by side, item by item.

use comfy_table::{ContentArrangement, Table, presets};

use crate::eval::{Evaluation, ItemResult, MeasureResult, Status};
use crate::report;
use crate::value::format_money;

/// Two evaluations side by side, item by item, with the change in money.
pub(super) fn compare_table(a_name: &str, b_name: &str, a: &Evaluation, b: &Evaluation) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(150)
        .set_header(vec!["measure", "item", a_name, b_name, "change"]);
    let mut hidden = 0;
    for n in measure_numbers(a, b) {
        let ma = a.measures.iter().find(|m| m.number == n);
        let mb = b.measures.iter().find(|m| m.number == n);
        hidden += add_measure_rows(&mut table, n, ma, mb);
    }
    table.add_row(total_row(a, b));
    let mut out = table.to_string();
    out.push('\n');
    if hidden > 0 {
        out.push_str(&format!(
            "({hidden} items the same and not granted in either are not shown)\n"
        ));
    }
    out
}

/// Measures of both, in A's order then B's new ones.
fn measure_numbers(a: &Evaluation, b: &Evaluation) -> Vec<u32> {
    let mut numbers: Vec<u32> = a.measures.iter().map(|m| m.number).collect();
    numbers.extend(
        b.measures
            .iter()
            .map(|m| m.number)
            .filter(|n| !a.measures.iter().any(|m| m.number == *n)),
    );
    numbers
}

/// The rows of measure `n`: A's items then the items only B has, the
/// measure named on the first. Returns how many items were left out as
/// the same and not granted in either.
fn add_measure_rows(
    table: &mut Table,
    n: u32,
    ma: Option<&MeasureResult>,
    mb: Option<&MeasureResult>,
) -> usize {
    let title = ma.or(mb).map_or(String::new(), |m| m.title.clone());
    let mut names: Vec<&str> = ma
        .map(|m| m.items.iter().map(|i| i.name.as_str()).collect())
        .unwrap_or_default();
    if let Some(mb) = mb {
        let extra: Vec<&str> = mb
            .items
            .iter()
            .map(|i| i.name.as_str())
            .filter(|x| !names.contains(x))
            .collect();
        names.extend(extra);
    }
    let mut hidden = 0;
    let mut first = true;
    for name in names {
        let ia = ma.and_then(|m| m.items.iter().find(|x| x.name == name));
        let ib = mb.and_then(|m| m.items.iter().find(|x| x.name == name));
        let Some([shown_a, shown_b, delta]) = item_cells(ia, ib) else {
            hidden += 1;
            continue;
        };
        let measure = if first {
            format!("{n} {title}")
        } else {
            String::new()
        };
        first = false;
        table.add_row(vec![measure, name.to_string(), shown_a, shown_b, delta]);
    }
    hidden
}

/// An item's cells — as in A, as in B, the change — or `None` when it is
/// the same in both and not a granted amount.
fn item_cells(ia: Option<&ItemResult>, ib: Option<&ItemResult>) -> Option<[String; 3]> {
    let shown_a = ia.map(shown).unwrap_or_else(|| "(absent)".into());
    let shown_b = ib.map(shown).unwrap_or_else(|| "(absent)".into());
    let monetary = ia.or(ib).is_some_and(|i| i.kind.is_monetary());
    let granted = ia.is_some_and(|i| i.status == Status::Granted);
    if shown_a == shown_b && !(monetary && granted) {
        return None;
    }
    // An item absent or not granted counts as 0元.
    let amount = |i: Option<&ItemResult>| match i {
        Some(i) if i.status == Status::Granted => i.amount,
        _ => Some(rust_decimal::Decimal::ZERO),
    };
    let delta = match (monetary, amount(ia), amount(ib)) {
        (true, Some(x), Some(y)) => signed(y - x),
        _ if shown_a != shown_b => "changed".into(),
        _ => String::new(),
    };
    Some([shown_a, shown_b, delta])
}

/// The last row: both totals (a range where a total is one) and the change.
fn total_row(a: &Evaluation, b: &Evaluation) -> Vec<String> {
    let total = |e: &Evaluation| {
        if e.total.min == e.total.max {
            format_money(e.total.min)
        } else {
            format!(
                "{}..{}",
                format_money(e.total.min),
                format_money(e.total.max)
            )
        }
    };
    let delta = if a.total.min == a.total.max && b.total.min == b.total.max {
        signed(b.total.min - a.total.min)
    } else {
        format!(
            "{}..{}",
            signed(b.total.min - a.total.min),
            signed(b.total.max - a.total.max)
        )
    };
    vec!["total".into(), String::new(), total(a), total(b), delta]
}

/// How an item shows in a cell: its value, or its status.
fn shown(item: &ItemResult) -> String {
    let v = report::shown_value(item);
    match item.status {
        Status::Granted | Status::Met | Status::NotMet if !v.is_empty() => v,
        s => s.as_str().to_string(),
    }
}

/// Money with its sign, `+` for a gain.
fn signed(d: rust_decimal::Decimal) -> String {
    if d.is_sign_positive() && !d.is_zero() {
        format!("+{}", format_money(d))
    } else {
        format_money(d)
    }
}
