//! A budget as one enterprise sees it (`decree eval`, its JSON, the
//! REPL): what the enterprise is entitled to from each budget, and either
//! a note that the allocation depends on the population, or — for `pro
//! rata against PARAM` (`按比例核减 按 PARAM`) — the allocation estimated
//! against that expected total demand: entitlement × fund ÷ demand,
//! rounded down to the fen (the whole entitlement when the expected
//! demand does not exceed the fund).

use rust_decimal::Decimal;

use super::{Allocation, State, entitlement, fen, from_fen, share as share_of, states};
use crate::check::Policy;
use crate::eval::{Evaluation, Options};
use crate::population::{RowView, Settings};
use crate::value::{Value, format_money};

/// One budget for one enterprise.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BudgetShare {
    /// The budget's name.
    pub name: String,
    /// Its label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The items it pays for, by name.
    pub items: Vec<String>,
    /// The fund, in yuan.
    #[serde(with = "rust_decimal::serde::str")]
    pub fund: Decimal,
    /// The enterprise's entitlement (its granted amounts of the items);
    /// `None` when undetermined or a range.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub entitlement: Option<Decimal>,
    /// `pro rata against PARAM`: the expected total demand.
    #[serde(
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub expected_demand: Option<Decimal>,
    /// The allocation estimated against the expected demand (rounded down
    /// to the fen); `None` without one, or when it cannot be had.
    #[serde(
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub allocation: Option<Decimal>,
    /// What the allocation is, in a sentence.
    pub note: String,
}

/// Each budget of `policy` as the enterprise of `evaluation` sees it, at
/// `options` (the fund and the expected demand are constants there).
/// Nothing when the policy has no budget. A fund that is not a whole
/// number of fen is told in the note, not as an error: the evaluation
/// stands.
pub fn shares(policy: &Policy, evaluation: &Evaluation, options: &Options) -> Vec<BudgetShare> {
    if policy.budgets.is_empty() {
        return Vec::new();
    }
    let settings = Settings::lean(options.clone());
    let row = RowView::of_evaluation(0, evaluation);
    match states(policy, &settings) {
        Ok(states) => states
            .iter()
            .map(|s| share(policy, s, &row, options))
            .collect(),
        Err(d) => policy
            .budgets
            .iter()
            .map(|b| BudgetShare {
                name: b.name.clone(),
                label: b.label.clone(),
                items: item_names(policy, &b.items),
                fund: Decimal::ZERO,
                entitlement: None,
                expected_demand: None,
                allocation: None,
                note: d.message.clone(),
            })
            .collect(),
    }
}

fn item_names(policy: &Policy, items: &[crate::ast::ItemId]) -> Vec<String> {
    items
        .iter()
        .filter_map(|&i| policy.item(i).map(|it| it.name().to_string()))
        .collect()
}

/// One budget's share.
fn share(policy: &Policy, s: &State, row: &RowView<'_>, options: &Options) -> BudgetShare {
    let fund = from_fen(s.fund).normalize();
    let mut out = BudgetShare {
        name: s.info.name.clone(),
        label: s.info.label.clone(),
        items: item_names(policy, &s.info.items),
        fund,
        entitlement: None,
        expected_demand: None,
        allocation: None,
        note: String::new(),
    };
    let e = match entitlement(s, row) {
        Ok(e) => e,
        Err(d) => {
            out.note = d.message;
            return out;
        }
    };
    out.entitlement = e.map(|e| from_fen(e).normalize());
    out.note = match (&s.info.expected_demand, s.info.rule) {
        (Some(demand), _) => against(policy, s, e, demand, options, &mut out),
        (None, Allocation::ProRata) => format!(
            "the allocation depends on the population: the fund of {} is shared pro rata among every enterprise's entitlement (decree batch)",
            format_money(fund)
        ),
        (None, Allocation::FirstCome(f)) => format!(
            "the allocation depends on the population: the fund of {} is paid in the order of {} until it is used up (decree batch)",
            format_money(fund),
            policy
                .fact(f)
                .map_or("the filing order", |i| i.name.as_str())
        ),
    };
    out
}

/// The allocation against the expected demand, and its note.
fn against(
    policy: &Policy,
    s: &State,
    e: Option<i128>,
    demand: &crate::ast::Expr,
    options: &Options,
    out: &mut BudgetShare,
) -> String {
    let name = crate::fmt::expr_text(demand);
    let d = match crate::eval::constant(policy, demand, options) {
        Ok(Value::Num(_, d)) => d,
        Ok(_) | Err(_) => {
            return format!(
                "the expected demand {name} is not known, so the allocation depends on the population (decree batch)"
            );
        }
    };
    out.expected_demand = Some(d.normalize());
    let Some(e) = e else {
        return "the entitlement is not known, so neither is the allocation".to_string();
    };
    let fund = from_fen(s.fund);
    if d <= fund {
        out.allocation = Some(from_fen(e).normalize());
        return format!(
            "the expected demand of {} ({name}) does not exceed the fund of {}: the entitlement is paid in full",
            format_money(d),
            format_money(fund)
        );
    }
    // ⌊e × B ÷ D⌋ in fen, exactly, as a population run computes a share.
    let Some(demand_fen) = fen(d) else {
        return format!("the expected demand {name} is not a whole number of fen");
    };
    match share_of(e, s.fund, demand_fen) {
        Ok((q, _)) => {
            let a = from_fen(q).normalize();
            out.allocation = Some(a);
            format!(
                "estimated against the expected demand of {} ({name}): {} × {} ÷ {} = {}, rounded down to the fen; the allocation over the population may differ",
                format_money(d),
                format_money(from_fen(e)),
                format_money(fund),
                format_money(d),
                format_money(a)
            )
        }
        Err(_) => "the allocation is too large to compute exactly".to_string(),
    }
}
