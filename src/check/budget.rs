//! Checking budget declarations (issue 16): a fund of money shared by the
//! enterprises of a population run, paying for named monetary items
//! (by item or by measure), allocated pro rata or first come, first
//! served by a date or count fact. The allocation itself is the
//! population's (`crate::population::budget`).

use super::resolve::resolve_expr;
use super::{Checker, Env};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{Span, Spanned};
use crate::units::{Unit, join};

/// A checked budget.
#[derive(Debug, Clone)]
pub struct BudgetInfo {
    /// Its name.
    pub name: String,
    /// Its label.
    pub label: Option<String>,
    /// The fund: a constant money expression, names resolved.
    pub amount: Expr,
    /// The monetary items it pays for, each once, in the policy's order.
    pub items: Vec<ItemId>,
    /// How it is shared when demand exceeds it.
    pub rule: Allocation,
    /// `pro rata against NAME`: the expected total demand, a constant
    /// money expression (names resolved), for one enterprise's allocation
    /// outside a population run.
    pub expected_demand: Option<Expr>,
    /// Where it is declared.
    pub span: Span,
}

/// How a budget is shared when the population's demand exceeds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocation {
    /// Every entitlement × budget ÷ demand, rounded down to the fen, the
    /// fen left over by largest remainder.
    ProRata,
    /// In the order of this fact (a date or a count), then input order.
    FirstCome(FactId),
}

impl Checker<'_> {
    /// Checks every budget of `program` once the items are checked, and
    /// records it in the policy.
    pub(super) fn check_budgets(&mut self, program: &Program) {
        let mut paid_by: std::collections::HashMap<ItemId, Span> = Default::default();
        let mut names: std::collections::HashMap<String, Span> = Default::default();
        for decl in &program.decls {
            let Decl::Budget(b) = decl else { continue };
            if let Some(prev) = names.insert(b.name.node.clone(), b.name.span) {
                self.error(
                    Diagnostic::error(
                        Code::Duplicate,
                        format!("budget `{}` is declared twice", b.name.node),
                    )
                    .label(b.name.span, "declared again here")
                    .label(prev, "first declared here")
                    .help("every budget needs a name of its own"),
                );
            }
            let amount = self.budget_money(&b.amount, "a budget");
            let expected_demand = b
                .against
                .as_ref()
                .map(|e| self.budget_money(e, "a budget's expected demand"));
            let items = self.budget_items(b, &mut paid_by);
            let rule = match &b.rule.node {
                BudgetRule::ProRata => Some(Allocation::ProRata),
                BudgetRule::FirstCome(f, at) => {
                    self.filing_order(f, at.0).map(Allocation::FirstCome)
                }
            };
            if let (Some(amount), Some(rule), None | Some(Some(_))) =
                (amount, rule, &expected_demand)
            {
                self.policy.budgets.push(BudgetInfo {
                    name: b.name.node.clone(),
                    label: b.label.as_ref().map(|l| l.node.clone()),
                    amount,
                    items,
                    rule,
                    expected_demand: expected_demand.flatten(),
                    span: b.name.span,
                });
            }
        }
    }

    /// The fund (or the expected demand), resolved and checked to be a
    /// constant amount of money.
    fn budget_money(&mut self, e: &Expr, what: &str) -> Option<Expr> {
        let mut amount = e.clone();
        resolve_expr(&mut amount, &self.policy.names);
        let unit = self.infer(&amount, &mut Env::Constant)?;
        if join(Unit::Money, unit) != Some(Unit::Money) {
            self.error(
                Diagnostic::error(
                    Code::UnitMismatch,
                    format!(
                        "{what} is an amount of money, not {}",
                        self.policy.unit_name(unit)
                    ),
                )
                .label(
                    amount.span,
                    format!("this is {}", self.policy.unit_name(unit)),
                )
                .help(if what == "a budget" {
                    "write the fund as the policy states it, e.g. `= 2亿`"
                } else {
                    "name a money param: the expected total demand, e.g. `param expected_demand: money = 3亿`"
                }),
            );
            return None;
        }
        Some(amount)
    }

    /// The monetary items a budget names, by item or by measure; an item
    /// paid by two budgets is an error (its allocation would be two).
    fn budget_items(
        &mut self,
        b: &BudgetDecl,
        paid_by: &mut std::collections::HashMap<ItemId, Span>,
    ) -> Vec<ItemId> {
        let mut items = Vec::new();
        for m in &b.members {
            match m {
                BudgetMember::Item(n, at) => {
                    let Some(i) = self.policy.item_index(n) else {
                        let d = self.unknown(&Spanned::new(n.text.clone(), at.0), "item", |s| {
                            matches!(s, Symbol::Item(_))
                        });
                        self.error(d);
                        continue;
                    };
                    let kind = self.policy.item(i).map(|it| it.kind());
                    if !kind.is_some_and(ItemKind::is_monetary) {
                        self.error(
                            Diagnostic::error(
                                Code::Budget,
                                format!("a budget pays for money, and `{}` grants none", n.text),
                            )
                            .label(at.0, "not a monetary item")
                            .help("name subsidies, awards, interest subsidies or matching funds"),
                        );
                        continue;
                    }
                    items.push(i);
                }
                BudgetMember::Measure(number) => {
                    let measure = self
                        .policy
                        .measures
                        .iter()
                        .find(|m| m.number == number.node);
                    let Some(measure) = measure else {
                        self.error(
                            Diagnostic::error(
                                Code::Budget,
                                format!("there is no measure {}", number.node),
                            )
                            .label(number.span, "no such measure")
                            .help("name a measure of this policy by its number"),
                        );
                        continue;
                    };
                    let ids = measure.items.clone();
                    let monetary: Vec<ItemId> = ids
                        .into_iter()
                        .filter(|i| {
                            self.policy
                                .item(*i)
                                .is_some_and(|it| it.kind().is_monetary())
                        })
                        .collect();
                    if monetary.is_empty() {
                        self.error(
                            Diagnostic::error(Code::Budget, format!("measure {} grants no money", number.node))
                                .label(number.span, "no monetary item")
                                .help("a budget pays for subsidies, awards, interest subsidies or matching funds"),
                        );
                    }
                    items.extend(monetary);
                }
            }
        }
        items.sort();
        items.dedup();
        for i in &items {
            if let Some(prev) = paid_by.insert(*i, b.name.span) {
                let name = self.policy.item(*i).map_or("?", |it| it.name()).to_string();
                self.error(
                    Diagnostic::error(Code::Budget, format!("`{name}` is paid by two budgets"))
                        .label(b.name.span, "this budget")
                        .label(prev, "and this one")
                        .help("an item's grants come out of one fund; name it in one budget"),
                );
            }
        }
        items
    }

    /// The fact that orders first come, first served: a date or a count.
    fn filing_order(&mut self, f: &Name, at: Span) -> Option<FactId> {
        let Some((id, info)) = self.policy.fact_named(f) else {
            let d = self.unknown(&Spanned::new(f.text.clone(), at), "fact", |s| {
                matches!(s, Symbol::Fact(_))
            });
            self.error(d);
            return None;
        };
        if matches!(info.unit, Unit::Date | Unit::Count | Unit::Number) {
            return Some(id);
        }
        let unit = self.policy.unit_name(info.unit);
        self.error(
            Diagnostic::error(
                Code::Budget,
                format!(
                    "first come, first served orders by a date or a count, and `{}` is {unit}",
                    f.text
                ),
            )
            .label(at, format!("this is {unit}"))
            .help("name the filing date (申报日期) or the filing number"),
        );
        None
    }
}
