//! What the editor says of the declarations that act across items (issue
//! 16): stacking groups (`exclusive`), cumulative caps (`cap`) and budgets
//! (`budget`), and of a param whose value changes by date.
//!
//! Groups, caps and budgets have names but are not in the policy's table
//! of names (no rule uses them), so hover, definition and the outline find
//! them here, in the checked policy's `groups`, `caps` and `budgets`.

use crate::ast::{CapRule, Dated, ExprKind, ItemId};
use crate::check::{Allocation, BudgetInfo, CapInfo, GroupInfo, ParamInfo, Policy};
use crate::span::Span;

/// A named declaration that acts across items.
#[derive(Clone, Copy)]
pub(super) enum Across<'p> {
    /// A stacking group (就高不重复).
    Group(&'p GroupInfo),
    /// A cumulative cap (累计上限).
    Cap(&'p CapInfo),
    /// A budget shared by a population.
    Budget(&'p BudgetInfo),
}

/// The group, cap or budget `policy` declares as `name`.
pub(super) fn named<'p>(policy: &'p Policy, name: &str) -> Option<Across<'p>> {
    let group = policy.groups.iter().find(|g| g.name == name);
    let cap = || policy.caps.iter().find(|c| c.name == name);
    let budget = || policy.budgets.iter().find(|b| b.name == name);
    group
        .map(Across::Group)
        .or_else(|| cap().map(Across::Cap))
        .or_else(|| budget().map(Across::Budget))
}

impl Across<'_> {
    /// Where its name is declared.
    pub(super) fn span(self) -> Span {
        match self {
            Across::Group(g) => g.span,
            Across::Cap(c) => c.span,
            Across::Budget(b) => b.span,
        }
    }

    /// A hover's Markdown: what it is, its label, its members and its rule.
    pub(super) fn describe(self, policy: &Policy) -> String {
        let label = |l: &Option<String>| l.as_ref().map_or(String::new(), |l| format!(" — {l}"));
        match self {
            Across::Group(g) => {
                let rule = if g.in_order {
                    "the first member granted, in the order written, is received; the others are superseded"
                } else {
                    "the highest member granted is received; the others are superseded"
                };
                let rule = format!("{}{rule}", per(policy, g.per));
                format!(
                    "exclusive `{}`{} (就高不重复)\n\n{rule}\n\nmembers: {}",
                    g.name,
                    label(&g.label),
                    members(policy, &g.members)
                )
            }
            Across::Cap(c) => {
                let rule = match c.rule {
                    CapRule::ProRata => "the excess is taken off pro rata (按比例核减)",
                    CapRule::InOrder => {
                        "the excess is taken off in order, from the last listed (按序)"
                    }
                };
                let rule = format!("{}{rule}", per(policy, c.per));
                format!(
                    "cap `{}`{}: {} over the sum of its items (累计上限)\n\n{rule}\n\nitems: {}",
                    c.name,
                    label(&c.label),
                    crate::fmt::expr_text(&c.amount),
                    members(policy, &c.items)
                )
            }
            Across::Budget(b) => {
                let rule = match b.rule {
                    Allocation::ProRata => {
                        "when the population's demand exceeds it, each entitlement × fund ÷ demand (按比例核减)".to_string()
                    }
                    Allocation::FirstCome(f) => format!(
                        "when the population's demand exceeds it, first come, first served by `{}` (先到先得)",
                        policy.fact(f).map_or("?", |f| f.name.as_str())
                    ),
                };
                format!(
                    "budget `{}`{}: a fund of {} shared by the population\n\n{rule}; a single enterprise's amount is its entitlement\n\nitems: {}",
                    b.name,
                    label(&b.label),
                    crate::fmt::expr_text(&b.amount),
                    members(policy, &b.items)
                )
            }
        }
    }
}

/// For a group or cap decided record by record, what it is decided for
/// (`for each project (每个): `), else nothing.
fn per(policy: &Policy, per: Option<crate::check::PerRecord>) -> String {
    per.and_then(|p| policy.records.get(p.record))
        .map_or(String::new(), |r| {
            format!("for each `{}` apart (每个 {}): ", r.name, r.name)
        })
}

/// Items by name, each with its label.
fn members(policy: &Policy, items: &[ItemId]) -> String {
    let named: Vec<String> = items
        .iter()
        .filter_map(|&i| policy.item(i))
        .map(|i| match &i.ast.label {
            Some(l) => format!("`{}` ({})", i.name(), l.node),
            None => format!("`{}`", i.name()),
        })
        .collect();
    named.join(", ")
}

/// The windows of a param whose value changes by date, one line each
/// ("- 3000万: in force from 2023-07-01"), for its hover; empty for any
/// other param.
pub(super) fn dated_windows(param: &ParamInfo) -> String {
    let Some(ExprKind::Dated(dated)) = param.value.as_ref().map(|v| &v.node) else {
        return String::new();
    };
    windows_text(dated)
}

/// Each part of `dated` with its window, in date order.
fn windows_text(dated: &Dated) -> String {
    let mut out = String::from("\n\nin force by date:");
    for (i, window) in crate::dated::windows(dated) {
        if let Some(part) = dated.parts.get(i) {
            out.push_str(&format!(
                "\n- {}: {window}",
                crate::fmt::expr_text(&part.value)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::service::{Document, Included, Position, SymbolKind};

    fn none(_: &str) -> Included {
        Err("none".to_string())
    }

    const DISTRICT: &str = include_str!("../../policies/district-rules-illustration.decree");

    /// The position of the first `word` on the line that holds `line_has`.
    fn at(text: &str, line_has: &str, word: &str) -> Position {
        let (n, line) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(line_has))
            .expect("the line");
        let col = line.find(word).expect("the word");
        let utf16 = line[..col].encode_utf16().count() + 1;
        Position::new(n as u32, utf16 as u32)
    }

    fn hover(doc: &Document, line_has: &str, word: &str) -> String {
        doc.hover(at(DISTRICT, line_has, word), None)
            .expect("a hover")
            .markdown
    }

    #[test]
    fn the_outline_holds_groups_caps_budgets_and_records_with_their_fields() {
        let doc = Document::new("d.decree", DISTRICT, &none);
        let outline = doc.symbols();
        let kinds: Vec<(&str, SymbolKind)> = outline
            .iter()
            .filter(|s| {
                matches!(
                    s.kind,
                    SymbolKind::Record | SymbolKind::Group | SymbolKind::Cap | SymbolKind::Budget
                )
            })
            .map(|s| (s.name.as_str(), s.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("project", SymbolKind::Record),
                ("tech_upgrade_once", SymbolKind::Group),
                ("annual_cap", SymbolKind::Cap),
                ("district_fund", SymbolKind::Budget)
            ]
        );
        let record = outline
            .iter()
            .find(|s| s.name == "project")
            .expect("record");
        let fields: Vec<(&str, Option<&str>, SymbolKind)> = record
            .children
            .iter()
            .map(|f| (f.name.as_str(), f.detail.as_deref(), f.kind))
            .collect();
        assert_eq!(
            fields,
            [
                ("name", Some("项目名称"), SymbolKind::Field),
                ("investment", Some("项目投资额"), SymbolKind::Field),
                ("kind", Some("项目类型"), SymbolKind::Field)
            ]
        );
        let group = outline
            .iter()
            .find(|s| s.kind == SymbolKind::Group)
            .expect("group");
        assert_eq!(
            group.detail.as_deref(),
            Some("市区两级技术改造资助就高不重复（同一项目）")
        );
        assert_eq!(
            group.selection.start.line,
            at(DISTRICT, "exclusive tech_upgrade_once", "tech").line
        );
    }

    #[test]
    fn a_hover_says_what_a_group_a_cap_and_a_budget_are() {
        let doc = Document::new("d.decree", DISTRICT, &none);
        assert_eq!(
            hover(&doc, "exclusive tech_upgrade_once", "tech_upgrade_once"),
            "exclusive `tech_upgrade_once` — 市区两级技术改造资助就高不重复（同一项目） (就高不重复)\n\nfor each `project` apart (每个 project): the highest member granted is received; the others are superseded\n\nmembers: `city_tech_upgrade` (市级技术改造资助), `district_tech_upgrade` (区级技术改造资助)"
        );
        let cap = hover(&doc, "cap annual_cap", "annual_cap");
        assert!(
            cap.starts_with("cap `annual_cap` — 同一企业年度累计资助不超过3000万元: 3000万 over the sum of its items (累计上限)\n\nthe excess is taken off pro rata (按比例核减)\n\nitems: `city_tech_upgrade` (市级技术改造资助), `district_tech_upgrade`"),
            "{cap}"
        );
        assert!(cap.ends_with("`new_jobs_grant` (稳岗补贴)"), "{cap}");
        let budget = hover(&doc, "budget district_fund", "district_fund");
        assert_eq!(
            budget,
            "budget `district_fund` — 区级产业发展专项资金: a fund of 1亿 shared by the population\n\nwhen the population's demand exceeds it, each entitlement × fund ÷ demand (按比例核减); a single enterprise's amount is its entitlement\n\nitems: `district_tech_upgrade` (区级技术改造资助), `startup_rent` (初创企业租金补贴)"
        );
    }

    #[test]
    fn a_dated_param_hover_lists_each_window() {
        let doc = Document::new("d.decree", DISTRICT, &none);
        let md = hover(&doc, "min(20% * p.investment, project_cap)", "project_cap");
        assert!(
            md.ends_with("\n\nin force by date:\n- 5000万: in force from 2023-01-01 to 2023-06-30\n- 3000万: in force from 2023-07-01"),
            "{md}"
        );
        assert!(md.starts_with("param `project_cap`: money = "), "{md}");
    }

    #[test]
    fn a_hover_on_today_and_a_field_after_the_record_variable() {
        let doc = Document::new("d.decree", DISTRICT, &none);
        let today = hover(&doc, "years_between(founded, today)", "today");
        assert!(today.starts_with("**today** · `评估日期`"), "{today}");
        assert_eq!(
            hover(&doc, "when p.kind == upgrade", "kind"),
            "field `kind` of record `project`: project_kind — 项目类型"
        );
        let years = hover(&doc, "years_between(founded, today)", "years_between");
        assert!(years.contains("`years_between("), "{years}");
    }

    #[test]
    fn definition_and_references_of_a_group_a_cap_and_a_budget() {
        let doc = Document::new("d.decree", DISTRICT, &none);
        let def = doc
            .definition(at(DISTRICT, "budget district_fund", "district_fund"))
            .expect("declared");
        assert_eq!(
            def.range.start.line,
            at(DISTRICT, "budget district_fund", "budget").line
        );
        // A member of a group goes to the item it names, and the item's
        // references include its place in the group and the cap.
        let member = at(DISTRICT, "exclusive tech_upgrade_once", "city_tech_upgrade");
        let def = doc.definition(member).expect("the item");
        let item_line = at(DISTRICT, "subsidy city_tech_upgrade", "subsidy").line;
        assert_eq!(def.range.start.line, item_line);
        let lines: Vec<u32> = doc
            .references(member, true)
            .iter()
            .map(|l| l.range.start.line)
            .collect();
        let group_line = at(DISTRICT, "exclusive tech_upgrade_once", "city").line;
        assert_eq!(lines, [item_line, group_line]);
        let group = at(DISTRICT, "exclusive tech_upgrade_once", "tech_upgrade_once");
        assert_eq!(doc.references(group, true).len(), 1);
        assert_eq!(doc.references(group, false).len(), 0);
    }
}
