//! The checker: names, cycles and units, before anything is evaluated.
//!
//! [`check`] turns a parsed [`Program`] into a [`Policy`]: every name resolved
//! to a [`Symbol`], every item given a [`Unit`], items put in an order where
//! each comes after the items it uses. It reports every error it finds, each
//! with its span, rather than stopping at the first.

use std::collections::{BTreeMap, HashMap};

use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::span::{SourceFile, Span, Spanned};
use crate::value::{Duration, Unit};

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbol {
    /// The fact with this index in [`Policy::facts`].
    Fact(usize),
    /// The param with this index in [`Policy::params`].
    Param(usize),
    /// The item with this index in [`Policy::items`].
    Item(usize),
    /// A value of an enumeration: (enum index, variant index).
    Variant(usize, usize),
    /// An enumeration itself (usable only as a type).
    Enum(usize),
}

/// A declared enumeration.
#[derive(Debug, Clone)]
pub struct EnumInfo {
    /// Its name.
    pub name: String,
    /// Its values with their labels.
    pub variants: Vec<(String, Option<String>)>,
}

/// A declared fact.
#[derive(Debug, Clone)]
pub struct FactInfo {
    /// Name.
    pub name: String,
    /// Unit (type).
    pub unit: Unit,
    /// Chinese label.
    pub label: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

/// A declared param.
#[derive(Debug, Clone)]
pub struct ParamInfo {
    /// Name.
    pub name: String,
    /// Unit (type).
    pub unit: Unit,
    /// Label.
    pub label: Option<String>,
    /// The value, `None` when the draft leaves it `tbd`.
    pub value: Option<Expr>,
    /// Where it is declared.
    pub span: Span,
}

/// A measure of the policy.
#[derive(Debug, Clone)]
pub struct MeasureInfo {
    /// Number as in the draft.
    pub number: u32,
    /// Title as in the draft.
    pub title: String,
    /// Quoted clause texts.
    pub cites: Vec<String>,
    /// The chapter it stands in, if any.
    pub chapter: Option<ChapterInfo>,
    /// Indices into [`Policy::items`].
    pub items: Vec<usize>,
    /// Where it is declared.
    pub span: Span,
}

/// A chapter of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChapterInfo {
    /// Number.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Its introductory clause texts.
    pub cites: Vec<String>,
}

/// An item with its resolved unit.
#[derive(Debug, Clone)]
pub struct ItemInfo {
    /// The item as written.
    pub ast: Item,
    /// Unit of its value.
    pub unit: Unit,
    /// Clause texts it comes from (see [`Measure::items_with_cites`]).
    pub cites: Vec<String>,
    /// Index into [`Policy::measures`].
    pub measure: usize,
}

impl ItemInfo {
    /// Its name.
    pub fn name(&self) -> &str {
        &self.ast.name.node
    }

    /// Its kind.
    pub fn kind(&self) -> ItemKind {
        self.ast.kind.node
    }
}

/// The policy header, resolved.
#[derive(Debug, Clone, Default)]
pub struct HeaderInfo {
    /// Title of the document.
    pub title: Option<String>,
    /// Issue date; `None` when absent or `tbd`.
    pub issued: Option<IssueDate>,
    /// Validity.
    pub valid: Option<Duration>,
}

/// A checked policy, ready to evaluate any number of times.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The source it was read from.
    pub source: SourceFile,
    /// Its header.
    pub header: HeaderInfo,
    /// Enumerations.
    pub enums: Vec<EnumInfo>,
    /// Facts, in declaration order.
    pub facts: Vec<FactInfo>,
    /// Params, in declaration order.
    pub params: Vec<ParamInfo>,
    /// Measures, in the order written.
    pub measures: Vec<MeasureInfo>,
    /// Items, in the order written.
    pub items: Vec<ItemInfo>,
    /// Item indices ordered so that each comes after every item it uses.
    pub order: Vec<usize>,
    /// Every declared name.
    pub names: HashMap<String, Symbol>,
    /// Warnings found while checking.
    pub warnings: Vec<Diagnostic>,
}

impl Policy {
    /// What `name` refers to.
    pub fn lookup(&self, name: &str) -> Option<Symbol> {
        self.names.get(name).copied()
    }

    /// The index of the item named `name`.
    pub fn item_index(&self, name: &str) -> Option<usize> {
        match self.lookup(name) {
            Some(Symbol::Item(i)) => Some(i),
            _ => None,
        }
    }

    /// The display name of a unit (enumerations by their name).
    pub fn unit_name(&self, unit: Unit) -> String {
        match unit {
            Unit::Enum(e) => self.enums.get(e).map_or("enum".into(), |x| x.name.clone()),
            Unit::Set(e) => format!(
                "set of {}",
                self.enums.get(e).map_or("enum", |x| x.name.as_str())
            ),
            u => u.name().to_string(),
        }
    }
}

/// Checks a parsed program.
pub fn check(source: &SourceFile, program: &Program) -> Result<Policy, Diagnostics> {
    let mut c = Checker {
        src: source,
        errors: Vec::new(),
        policy: Policy {
            source: source.clone(),
            header: HeaderInfo::default(),
            enums: Vec::new(),
            facts: Vec::new(),
            params: Vec::new(),
            measures: Vec::new(),
            items: Vec::new(),
            order: Vec::new(),
            names: HashMap::new(),
            warnings: Vec::new(),
        },
        declared_at: HashMap::new(),
        poisoned: std::collections::HashSet::new(),
        poisoned_params: std::collections::HashSet::new(),
        current: None,
        unresolved: false,
    };
    c.collect(program);
    c.resolve_types(program);
    c.check_param_cycles();
    c.check_params();
    let deps = c.dependencies();
    c.order_items(&deps);
    c.infer_items();
    if c.errors.is_empty() {
        Ok(c.policy)
    } else {
        c.errors.sort_by_key(|d| d.span().map(|s| s.start));
        let more = c.errors.len().saturating_sub(MAX_ERRORS);
        c.errors.truncate(MAX_ERRORS);
        if more > 0 {
            c.errors.push(
                Diagnostic::error(
                    Code::Limit,
                    format!("… and {more} more errors in `{}`, not shown", source.name),
                )
                .help("fix the errors above and check again"),
            );
        }
        Err(Diagnostics(c.errors))
    }
}

/// Most errors reported for one file: past them, a file of thousands of
/// mistakes would cost quadratic time in suggestions and rendering.
const MAX_ERRORS: usize = 100;

struct Checker<'a> {
    src: &'a SourceFile,
    errors: Vec<Diagnostic>,
    policy: Policy,
    declared_at: HashMap<String, Span>,
    /// Items in a cycle or whose unit could not be found: uses of them are
    /// not reported again, so one mistake gives one error.
    poisoned: std::collections::HashSet<usize>,
    poisoned_params: std::collections::HashSet<usize>,
    /// The item being checked, never suggested as a fix for its own body.
    current: Option<String>,
    /// Set when the item being checked has no unit.
    unresolved: bool,
}

impl Checker<'_> {
    fn error(&mut self, d: Diagnostic) {
        self.errors.push(d.in_source(self.src));
    }

    fn declare(&mut self, name: &Ident, sym: Symbol) {
        if let Some(prev) = self.declared_at.get(&name.node).copied() {
            self.error(
                Diagnostic::error(
                    Code::Duplicate,
                    format!("`{}` is declared twice", name.node),
                )
                .label(name.span, "declared again here")
                .label(prev, "first declared here")
                .help("every fact, param, item and enum value needs a name of its own"),
            );
            return;
        }
        self.declared_at.insert(name.node.clone(), name.span);
        self.policy.names.insert(name.node.clone(), sym);
    }

    // ------------------------------------------------------------ collect

    fn collect(&mut self, program: &Program) {
        let mut header_span: Option<Span> = None;
        let mut numbers: BTreeMap<u32, Span> = BTreeMap::new();
        for decl in &program.decls {
            match decl {
                Decl::Policy(h) => {
                    if let Some(prev) = header_span {
                        self.error(
                            Diagnostic::error(Code::Duplicate, "a second policy header")
                                .label(h.span.0, "second header")
                                .label(prev, "first header"),
                        );
                        continue;
                    }
                    header_span = Some(h.span.0);
                    if let Some(v) = &h.valid {
                        if v.node.to_span().is_none()
                            || v.node.amount <= rust_decimal::Decimal::ZERO
                        {
                            self.error(
                                Diagnostic::error(
                                    Code::Invalid,
                                    format!(
                                        "a validity of {} cannot be counted on the calendar",
                                        v.node
                                    ),
                                )
                                .label(
                                    v.span,
                                    "not a positive whole number of years, months or days",
                                )
                                .help("write e.g. `valid 5 years` or `valid 18 months`"),
                            );
                        }
                    }
                    self.policy.header = HeaderInfo {
                        title: Some(h.title.node.clone()),
                        issued: h.issued.as_ref().map(|s| s.node),
                        valid: h.valid.as_ref().map(|s| s.node),
                    };
                }
                Decl::Enum(e) => {
                    let idx = self.policy.enums.len();
                    self.declare(&e.name, Symbol::Enum(idx));
                    for (v, (name, _)) in e.variants.iter().enumerate() {
                        self.declare(name, Symbol::Variant(idx, v));
                    }
                    self.policy.enums.push(EnumInfo {
                        name: e.name.node.clone(),
                        variants: e
                            .variants
                            .iter()
                            .map(|(n, l)| (n.node.clone(), l.as_ref().map(|l| l.node.clone())))
                            .collect(),
                    });
                }
                Decl::Fact(f) => {
                    let idx = self.policy.facts.len();
                    self.declare(&f.name, Symbol::Fact(idx));
                    self.policy.facts.push(FactInfo {
                        name: f.name.node.clone(),
                        unit: Unit::Number,
                        label: f.label.as_ref().map(|l| l.node.clone()),
                        span: f.name.span,
                    });
                }
                Decl::Param(p) => {
                    let idx = self.policy.params.len();
                    self.declare(&p.name, Symbol::Param(idx));
                    self.policy.params.push(ParamInfo {
                        name: p.name.node.clone(),
                        unit: Unit::Number,
                        label: p.label.as_ref().map(|l| l.node.clone()),
                        value: p.value.clone(),
                        span: p.name.span,
                    });
                }
                Decl::Chapter(ch) => {
                    let info = ChapterInfo {
                        number: ch.number.node,
                        title: ch.title.node.clone(),
                        cites: ch.cites.iter().map(|c| c.node.clone()).collect(),
                    };
                    for m in &ch.measures {
                        self.collect_measure(m, Some(info.clone()), &mut numbers);
                    }
                }
                Decl::Measure(m) => self.collect_measure(m, None, &mut numbers),
                // Tests are run by `crate::testing`; includes are resolved by the host.
                Decl::Include(_) | Decl::Test(_) => {}
            }
        }
    }

    fn collect_measure(
        &mut self,
        m: &Measure,
        chapter: Option<ChapterInfo>,
        numbers: &mut BTreeMap<u32, Span>,
    ) {
        if let Some(prev) = numbers.get(&m.number.node).copied() {
            self.error(
                Diagnostic::error(
                    Code::Duplicate,
                    format!("measure {} is declared twice", m.number.node),
                )
                .label(m.number.span, "numbered again here")
                .label(prev, "first measure with this number")
                .help("number the measures as the draft does, each once"),
            );
        }
        numbers.insert(m.number.node, m.number.span);
        let measure_idx = self.policy.measures.len();
        let mut items = Vec::new();
        for (item, cites) in m.items_with_cites() {
            let idx = self.policy.items.len();
            self.declare(&item.name, Symbol::Item(idx));
            items.push(idx);
            self.policy.items.push(ItemInfo {
                ast: item.clone(),
                unit: Unit::Number,
                cites: cites.iter().map(|c| c.node.clone()).collect(),
                measure: measure_idx,
            });
        }
        self.policy.measures.push(MeasureInfo {
            number: m.number.node,
            title: m.title.node.clone(),
            cites: m.cites().map(|c| c.node.clone()).collect(),
            chapter,
            items,
            span: m.span.0,
        });
    }

    fn resolve_type(&mut self, ty: &Spanned<TypeRef>) -> Unit {
        let (name, set) = match &ty.node {
            TypeRef::Unit(u) => return *u,
            TypeRef::Enum(n) => (n, false),
            TypeRef::SetOf(n) => (n, true),
        };
        match self.policy.lookup(&name.node) {
            Some(Symbol::Enum(e)) if set => Unit::Set(e),
            Some(Symbol::Enum(e)) => Unit::Enum(e),
            _ => {
                let d = self.unknown(name, "type", |s| matches!(s, Symbol::Enum(_)));
                self.error(d);
                Unit::Number
            }
        }
    }

    fn resolve_types(&mut self, program: &Program) {
        let mut fi = 0;
        let mut pi = 0;
        for decl in &program.decls {
            match decl {
                Decl::Fact(f) => {
                    let u = self.resolve_type(&f.ty);
                    if let Some(info) = self.policy.facts.get_mut(fi) {
                        info.unit = u;
                    }
                    fi += 1;
                }
                Decl::Param(p) => {
                    let u = self.resolve_type(&p.ty);
                    if let Some(info) = self.policy.params.get_mut(pi) {
                        info.unit = u;
                    }
                    pi += 1;
                }
                _ => {}
            }
        }
    }

    /// An unknown-name diagnostic with a "did you mean" from the names that
    /// `fits` accepts.
    fn unknown(&self, name: &Ident, what: &str, fits: impl Fn(Symbol) -> bool) -> Diagnostic {
        let mut best: Option<(f64, &str)> = None;
        // Past the errors that will be shown, a suggestion is wasted work.
        let names = if self.errors.len() < MAX_ERRORS {
            self.policy.names.iter()
        } else {
            Default::default()
        };
        for (candidate, sym) in names {
            if !fits(*sym) || self.current.as_deref() == Some(candidate.as_str()) {
                continue;
            }
            let score = strsim::jaro_winkler(&name.node, candidate);
            if score > 0.75 && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, candidate));
            }
        }
        let d = Diagnostic::error(Code::UnknownName, format!("unknown {what} `{}`", name.node))
            .label(name.span, "not declared");
        match best {
            Some((_, s)) => d.help(format!("did you mean `{s}`?")),
            None if what == "type" => d.help(
                "a type is money, rate, count, area, duration, date, bool, text or a declared enum",
            ),
            None => d.help(format!(
                "declare it first, e.g. `fact {}: money \"…\"`",
                name.node
            )),
        }
    }

    // ------------------------------------------------------------ params

    fn check_params(&mut self) {
        for idx in 0..self.policy.params.len() {
            let Some(p) = self.policy.params.get(idx).cloned() else {
                continue;
            };
            let Some(value) = &p.value else { continue };
            if self.poisoned_params.contains(&idx) {
                continue;
            }
            let mut env = Env::Constant;
            let got = self.infer(value, &mut env);
            if let Some(got) = got {
                if join(p.unit, got) != Some(p.unit) {
                    let d = Diagnostic::error(
                        Code::UnitMismatch,
                        format!(
                            "param `{}` is declared {} but its value is {}",
                            p.name,
                            self.policy.unit_name(p.unit),
                            self.policy.unit_name(got)
                        ),
                    )
                    .label(
                        value.span,
                        format!("this is {}", self.policy.unit_name(got)),
                    )
                    .label(
                        p.span,
                        format!("declared {}", self.policy.unit_name(p.unit)),
                    )
                    .help(unit_hint(p.unit));
                    self.error(d);
                }
            }
        }
    }

    // ------------------------------------------------------------ dependencies and cycles

    /// For each item, the items it uses, with the span of each use.
    fn dependencies(&mut self) -> Vec<Vec<(usize, Span)>> {
        let mut deps = Vec::with_capacity(self.policy.items.len());
        for idx in 0..self.policy.items.len() {
            let mut uses = Vec::new();
            if let Some(item) = self.policy.items.get(idx) {
                let mut names = Vec::new();
                names_in(item.ast.body.expr(), &mut names);
                if let Some(w) = &item.ast.when {
                    names_in(w, &mut names);
                }
                for (name, span) in names {
                    if let Some(Symbol::Item(j)) = self.policy.lookup(&name) {
                        uses.push((j, span));
                    }
                }
            }
            deps.push(uses);
        }
        deps
    }

    fn order_items(&mut self, deps: &[Vec<(usize, Span)>]) {
        let (order, cycles) = topological_order(deps);
        for cycle in cycles {
            self.poisoned.extend(cycle.iter().copied());
            let names: Vec<String> = cycle
                .iter()
                .map(|&i| {
                    self.policy
                        .items
                        .get(i)
                        .map_or("?", |it| it.name())
                        .to_string()
                })
                .collect();
            self.report_cycle("items", &cycle, &names, deps);
        }
        self.policy.order = order;
    }

    /// Params may use other params; a circle among them is an error too.
    fn check_param_cycles(&mut self) {
        let deps: Vec<Vec<(usize, Span)>> = self
            .policy
            .params
            .iter()
            .map(|p| {
                let mut names = Vec::new();
                if let Some(v) = &p.value {
                    names_in(v, &mut names);
                }
                names
                    .into_iter()
                    .filter_map(|(n, s)| match self.policy.lookup(&n) {
                        Some(Symbol::Param(j)) => Some((j, s)),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        for cycle in topological_order(&deps).1 {
            let names: Vec<String> = cycle
                .iter()
                .map(|&i| {
                    self.policy
                        .params
                        .get(i)
                        .map_or("?", |p| p.name.as_str())
                        .to_string()
                })
                .collect();
            self.report_cycle("params", &cycle, &names, &deps);
            self.poisoned_params.extend(cycle);
        }
    }

    fn report_cycle(
        &mut self,
        what: &str,
        cycle: &[usize],
        names: &[String],
        deps: &[Vec<(usize, Span)>],
    ) {
        let name = |k: usize| names.get(k).cloned().unwrap_or_default();
        let mut path: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        if let Some(first) = path.first().cloned() {
            path.push(first);
        }
        let mut d = Diagnostic::error(
            Code::Cycle,
            format!(
                "{what} depend on each other in a circle: {}",
                path.join(" → ")
            ),
        );
        for (k, &from) in cycle.iter().enumerate() {
            let next = if k + 1 < cycle.len() { k + 1 } else { 0 };
            let to = cycle.get(next).copied().unwrap_or(from);
            let span = deps
                .get(from)
                .and_then(|d| d.iter().find(|(j, _)| *j == to))
                .map(|(_, s)| *s);
            if let Some(s) = span {
                d = d.label(s, format!("`{}` uses `{}`", name(k), name(next)));
            }
        }
        self.error(d.help("a value cannot depend on itself, directly or through others"));
    }

    // ------------------------------------------------------------ units

    fn infer_items(&mut self) {
        let order = self.policy.order.clone();
        for idx in order {
            let Some(item) = self.policy.items.get(idx).cloned() else {
                continue;
            };
            let mut env = Env::Item;
            self.current = Some(item.name().to_string());
            let errors_before = self.errors.len();
            if let Some(w) = &item.ast.when {
                if let Some(u) = self.infer(w, &mut env) {
                    self.expect_bool(u, w.span, "a `when` condition");
                }
            }
            self.unresolved = false;
            let unit = self.item_unit(&item.ast, &mut env);
            if self.errors.len() > errors_before || self.unresolved {
                self.poisoned.insert(idx);
            }
            if let Some(info) = self.policy.items.get_mut(idx) {
                info.unit = unit;
            }
            self.current = None;
        }
    }

    fn item_unit(&mut self, item: &Item, env: &mut Env) -> Unit {
        let kind = item.kind.node;
        let body = item.body.expr();
        if kind == ItemKind::Commitment {
            if !matches!(
                &body.node,
                ExprKind::Lit(Literal {
                    value: LitValue::Text(_),
                    ..
                })
            ) {
                self.error(
                    Diagnostic::error(
                        Code::Invalid,
                        "a commitment is a text, not a computed value",
                    )
                    .label(body.span, "expected a text in quotes")
                    .help("write the commitment as the draft states it: commitment name = \"…\""),
                );
            }
            return Unit::Text;
        }
        if item.by.is_some() && kind != ItemKind::Target {
            if let Some(by) = &item.by {
                self.error(
                    Diagnostic::error(Code::Invalid, "only a target has a `by` date")
                        .label(by.span, "not a target"),
                );
            }
        }
        let bound = !matches!(item.body, ItemBody::Value(_));
        if bound && kind != ItemKind::Benefit {
            self.error(
                Diagnostic::error(
                    Code::Invalid,
                    "`at most` and `at least` state a benefit's bound",
                )
                .label(
                    body.span,
                    format!("in {} item", crate::value::with_article(kind.keyword())),
                )
                .label(item.kind.span, "declare a `benefit` instead"),
            );
        }
        let Some(unit) = self.infer(body, env) else {
            // Its unit is unknown (an error here or in what it uses): its
            // users must not report again.
            self.unresolved = true;
            return Unit::Number;
        };
        let wanted = match kind {
            k if k.is_monetary() => Some(Unit::Money),
            ItemKind::Eligibility | ItemKind::Target => Some(Unit::Bool),
            _ => None,
        };
        if let Some(w) = wanted {
            if unit != w {
                let what = if w == Unit::Money {
                    "money"
                } else {
                    "a condition (bool)"
                };
                self.error(
                    Diagnostic::error(
                        Code::UnitMismatch,
                        format!(
                            "{} item must be {what}, but `{}` is {}",
                            crate::value::with_article(kind.keyword()),
                            item.name.node,
                            self.policy.unit_name(unit)
                        ),
                    )
                    .label(
                        body.span,
                        format!("this is {}", self.policy.unit_name(unit)),
                    )
                    .label(item.kind.span, format!("{} item", kind.keyword()))
                    .help(if w == Unit::Money {
                        "multiply a rate by an amount (20% * investment) or give an amount (300万)"
                    } else {
                        "state the condition, e.g. annual_output >= 100亿"
                    }),
                );
            }
            return w;
        }
        unit
    }

    fn expect_bool(&mut self, u: Unit, span: Span, what: &str) {
        if u != Unit::Bool {
            self.error(
                Diagnostic::error(
                    Code::UnitMismatch,
                    format!(
                        "{what} must be true or false, not {}",
                        self.policy.unit_name(u)
                    ),
                )
                .label(span, format!("this is {}", self.policy.unit_name(u)))
                .help("compare it with something, e.g. `annual_output >= 5亿`"),
            );
        }
    }

    fn mismatch(&mut self, message: String, l: (&Expr, Unit), r: (&Expr, Unit), help: &str) {
        let d = Diagnostic::error(Code::UnitMismatch, message)
            .label(l.0.span, format!("this is {}", self.policy.unit_name(l.1)))
            .label(r.0.span, format!("this is {}", self.policy.unit_name(r.1)))
            .help(help.to_string());
        self.error(d);
    }

    /// The unit of an expression, or `None` after reporting why it has none.
    fn infer(&mut self, e: &Expr, env: &mut Env) -> Option<Unit> {
        match &e.node {
            ExprKind::Lit(l) => Some(match &l.value {
                LitValue::Quantity(u, _) => *u,
                LitValue::Duration(_) => Unit::Duration,
                LitValue::Date(_) => Unit::Date,
                LitValue::Bool(_) => Unit::Bool,
                LitValue::Text(_) => Unit::Text,
            }),
            ExprKind::Name(n) => self.infer_name(&Spanned::new(n.clone(), e.span), env),
            ExprKind::Unary(op, x) => {
                let u = self.infer(x, env)?;
                match op {
                    UnaryOp::Not => {
                        self.expect_bool(u, x.span, "the operand of `not`");
                        Some(Unit::Bool)
                    }
                    UnaryOp::Neg if !(u.is_numeric() || u == Unit::Duration) => {
                        self.error(
                            Diagnostic::error(
                                Code::UnitMismatch,
                                format!("cannot negate {}", self.policy.unit_name(u)),
                            )
                            .label(x.span, format!("this is {}", self.policy.unit_name(u))),
                        );
                        None
                    }
                    _ => Some(u),
                }
            }
            ExprKind::Binary(op, l, r) => {
                let lu = self.infer(l, env);
                let ru = self.infer(r, env);
                let (lu, ru) = (lu?, ru?);
                self.binary(*op, (l, lu), (r, ru))
            }
            ExprKind::If(c, t, f) => {
                if let Some(cu) = self.infer(c, env) {
                    self.expect_bool(cu, c.span, "an `if` condition");
                }
                let tu = self.infer(t, env);
                let fu = self.infer(f, env);
                let (tu, fu) = (tu?, fu?);
                match join(tu, fu) {
                    Some(u) => Some(u),
                    None => {
                        self.mismatch(
                            "the two branches of `if` have different units".into(),
                            (t, tu),
                            (f, fu),
                            "both branches must give the same kind of value",
                        );
                        None
                    }
                }
            }
            ExprKind::Call(f, args) => self.call(*f, args, env, e.span),
            ExprKind::Tiers(t) => self.tiers(t, env, e.span),
            ExprKind::Schedule(s) => self.schedule(s, env),
        }
    }

    fn infer_name(&mut self, name: &Ident, env: &mut Env) -> Option<Unit> {
        let Some(sym) = self.policy.lookup(&name.node) else {
            let fits: fn(Symbol) -> bool = match env {
                Env::Constant => |s| matches!(s, Symbol::Param(_) | Symbol::Variant(..)),
                Env::Item => |s| !matches!(s, Symbol::Enum(_)),
            };
            let d = self.unknown(name, "name", fits);
            self.error(d);
            return None;
        };
        match (sym, env) {
            (Symbol::Fact(_) | Symbol::Item(_), Env::Constant) => {
                self.error(
                    Diagnostic::error(
                        Code::Invalid,
                        format!("a param's value cannot use `{}`, which differs between enterprises", name.node),
                    )
                    .label(name.span, "a fact or item")
                    .help("a param holds a value fixed by the policy; use an item for a computed value"),
                );
                None
            }
            (Symbol::Fact(i), _) => self.policy.facts.get(i).map(|f| f.unit),
            (Symbol::Item(i), _) if self.poisoned.contains(&i) => None,
            (Symbol::Param(i), _) if self.poisoned_params.contains(&i) => None,
            (Symbol::Param(i), _) => self.policy.params.get(i).map(|p| p.unit),
            (Symbol::Item(i), _) => self.policy.items.get(i).map(|it| it.unit),
            (Symbol::Variant(e, _), _) => Some(Unit::Enum(e)),
            (Symbol::Enum(_), _) => {
                self.error(
                    Diagnostic::error(
                        Code::Invalid,
                        format!("`{}` is an enumeration, not a value", name.node),
                    )
                    .label(name.span, "an enumeration")
                    .help("name one of its values instead"),
                );
                None
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, l: (&Expr, Unit), r: (&Expr, Unit)) -> Option<Unit> {
        let (lu, ru) = (l.1, r.1);
        let result = match op {
            BinaryOp::Add | BinaryOp::Sub => add_units(op, lu, ru),
            BinaryOp::Mul => mul_units(lu, ru),
            BinaryOp::Div => div_units(lu, ru),
            BinaryOp::Range => join(lu, ru).filter(|u| u.is_numeric()),
            BinaryOp::And | BinaryOp::Or => {
                self.expect_bool(lu, l.0.span, &format!("the operands of `{}`", op.symbol()));
                self.expect_bool(ru, r.0.span, &format!("the operands of `{}`", op.symbol()));
                return Some(Unit::Bool);
            }
            BinaryOp::In => match (lu, ru) {
                (Unit::Enum(a), Unit::Set(b)) if a == b => Some(Unit::Bool),
                _ => None,
            },
            BinaryOp::Cmp(c) => compare_units(c, lu, ru).then_some(Unit::Bool),
        };
        if result.is_none() {
            let (verb, help) = match op {
                BinaryOp::Add => (
                    "add",
                    "only like units add up; a rate applies to money by multiplication: `20% * x`",
                ),
                BinaryOp::Sub => ("subtract", "only like units can be subtracted"),
                BinaryOp::Mul => (
                    "multiply",
                    "money is multiplied by a rate, a count or a number, not by money",
                ),
                BinaryOp::Div => (
                    "divide",
                    "money ÷ money is a rate; money ÷ a number is money",
                ),
                BinaryOp::Range => (
                    "make a range of",
                    "both ends of a range must be numbers of the same unit",
                ),
                BinaryOp::In => (
                    "test membership of",
                    "`x in s` needs a value of an enum and a set of the same enum",
                ),
                _ => (
                    "compare",
                    "compare like with like, e.g. money with money (write `0元`, not `0`)",
                ),
            };
            let message = format!(
                "cannot {verb} {} and {}",
                self.policy.unit_name(lu),
                self.policy.unit_name(ru)
            );
            self.mismatch(message, l, r, help);
        }
        result
    }

    fn call(&mut self, f: Builtin, args: &[Expr], env: &mut Env, span: Span) -> Option<Unit> {
        let units: Vec<Option<Unit>> = args.iter().map(|a| self.infer(a, env)).collect();
        let units: Vec<Unit> = units.into_iter().collect::<Option<_>>()?;
        let first = *units.first()?;
        let first_expr = args.first()?;
        if !first.is_numeric() {
            self.error(
                Diagnostic::error(
                    Code::UnitMismatch,
                    format!(
                        "`{}` needs numbers, not {}",
                        f.name(),
                        self.policy.unit_name(first)
                    ),
                )
                .label(
                    first_expr.span,
                    format!("this is {}", self.policy.unit_name(first)),
                ),
            );
            return None;
        }
        let mut acc = first;
        for (a, u) in args.iter().zip(&units).skip(1) {
            match join(acc, *u) {
                Some(j) => acc = j,
                None => {
                    self.mismatch(
                        format!(
                            "the arguments of `{}` have different units: {} and {}",
                            f.name(),
                            self.policy.unit_name(acc),
                            self.policy.unit_name(*u)
                        ),
                        (first_expr, acc),
                        (a, *u),
                        "a cap must have the unit of what it caps, e.g. min(20% * x, 5000万)",
                    );
                    return None;
                }
            }
        }
        let _ = span;
        Some(acc)
    }

    fn tiers(&mut self, t: &Tiers, env: &mut Env, span: Span) -> Option<Unit> {
        let su = self.infer(&t.subject, env);
        if let Some(p) = &t.prior {
            let pu = self.infer(p, env);
            if let (Some(s), Some(pu)) = (su, pu) {
                if !compare_units(CmpOp::Ge, s, pu) {
                    self.mismatch(
                        "the current value and the prior peak have different units".into(),
                        (&t.subject, s),
                        (p, pu),
                        "compare output with output",
                    );
                }
            }
        }
        let mut result: Option<Unit> = None;
        let mut ok = true;
        for (threshold, value) in &t.rows {
            if let (Some(s), Some(tu)) = (su, self.infer(threshold, env)) {
                if !compare_units(t.cmp, s, tu) {
                    self.mismatch(
                        "a threshold's unit differs from the value it is compared with".into(),
                        (&t.subject, s),
                        (threshold, tu),
                        "thresholds must have the unit of the value tiered",
                    );
                }
            }
            ok &= self.join_into(&mut result, value, env);
        }
        if let Some(o) = &t.otherwise {
            ok &= self.join_into(&mut result, o, env);
        }
        self.check_order(
            t.rows.iter().map(|(th, _)| th),
            matches!(t.cmp, CmpOp::Ge | CmpOp::Gt),
            "tier thresholds",
        );
        if result.is_none() && ok {
            self.error(
                Diagnostic::error(Code::Invalid, "a tier table needs at least one row")
                    .label(span, "no rows"),
            );
        }
        result.filter(|_| ok)
    }

    fn join_into(&mut self, acc: &mut Option<Unit>, e: &Expr, env: &mut Env) -> bool {
        let Some(u) = self.infer(e, env) else {
            return false;
        };
        match acc {
            None => {
                *acc = Some(u);
                true
            }
            Some(a) => match join(*a, u) {
                Some(j) => {
                    *acc = Some(j);
                    true
                }
                None => {
                    let message = format!(
                        "rows give values of different units: {} and {}",
                        self.policy.unit_name(*a),
                        self.policy.unit_name(u)
                    );
                    self.error(
                        Diagnostic::error(Code::UnitMismatch, message)
                            .label(e.span, format!("this is {}", self.policy.unit_name(u)))
                            .help("every row of a table must give the same kind of value"),
                    );
                    false
                }
            },
        }
    }

    /// Reports rows that can never be reached because constant thresholds are
    /// not strictly descending (or ascending).
    fn check_order<'e>(
        &mut self,
        thresholds: impl Iterator<Item = &'e Expr>,
        descending: bool,
        what: &str,
    ) {
        let mut prev: Option<(rust_decimal::Decimal, Span)> = None;
        for th in thresholds {
            let Some(v) = constant_number(th) else {
                prev = None;
                continue;
            };
            if let Some((p, pspan)) = prev {
                let fine = if descending { v < p } else { v > p };
                if !fine {
                    let order = if descending {
                        "descending"
                    } else {
                        "ascending"
                    };
                    self.error(
                        Diagnostic::error(
                            Code::TierOrder,
                            format!("{what} must be strictly {order}"),
                        )
                        .label(th.span, "this row can never be reached")
                        .label(pspan, "because of this row")
                        .help(if descending {
                            "the first row that matches wins: list the highest threshold first"
                        } else {
                            "list bracket bounds from the lowest up"
                        }),
                    );
                }
            }
            prev = Some((v, th.span));
        }
    }

    fn schedule(&mut self, s: &Schedule, env: &mut Env) -> Option<Unit> {
        let base = self.infer(&s.base, env);
        let mut ok = base.is_some();
        let rates = s.brackets.iter().map(|(_, r)| r).chain(s.above.as_ref());
        let rates: Vec<&Expr> = rates.collect();
        for (bound, _) in &s.brackets {
            if let (Some(b), Some(u)) = (base, self.infer(bound, env)) {
                if join(b, u) != Some(b) {
                    ok = false;
                    self.mismatch(
                        "a bracket bound's unit differs from the base".into(),
                        (&s.base, b),
                        (bound, u),
                        "bracket bounds must have the unit of the base",
                    );
                }
            }
        }
        for r in rates {
            if let Some(u) = self.infer(r, env) {
                if !matches!(u, Unit::Rate | Unit::Number) {
                    ok = false;
                    self.error(
                        Diagnostic::error(Code::UnitMismatch, format!("a bracket's rate must be a rate, not {}", self.policy.unit_name(u)))
                            .label(r.span, format!("this is {}", self.policy.unit_name(u)))
                            .help("each bracket applies its rate to the part of the base within it, e.g. `1000万 => 10%`"),
                    );
                }
            } else {
                ok = false;
            }
        }
        self.check_order(s.brackets.iter().map(|(b, _)| b), false, "bracket bounds");
        base.filter(|_| ok)
    }
}

/// Where an expression stands: a param's value may use only constants.
enum Env {
    Constant,
    Item,
}

/// Orders nodes so each comes after its dependencies, by an iterative
/// depth-first search (no recursion, so no stack to overflow). Returns the
/// order and every cycle found, each once.
pub fn topological_order(deps: &[Vec<(usize, Span)>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let n = deps.len();
    let mut mark = vec![Mark::New; n];
    let mut order = Vec::with_capacity(n);
    let mut cycles = Vec::new();
    let mut reported = std::collections::HashSet::new();
    for root in 0..n {
        if mark.get(root) != Some(&Mark::New) {
            continue;
        }
        // (node, index of the next dependency to visit)
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        if let Some(m) = mark.get_mut(root) {
            *m = Mark::Active;
        }
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let edge = deps.get(node).and_then(|d| d.get(*next)).copied();
            *next += 1;
            let Some((dep, _)) = edge else {
                if let Some(m) = mark.get_mut(node) {
                    *m = Mark::Done;
                }
                order.push(node);
                stack.pop();
                continue;
            };
            match mark.get(dep).copied() {
                Some(Mark::New) => {
                    if let Some(m) = mark.get_mut(dep) {
                        *m = Mark::Active;
                    }
                    stack.push((dep, 0));
                }
                Some(Mark::Active) => {
                    let start = stack.iter().position(|(s, _)| *s == dep).unwrap_or(0);
                    let cycle: Vec<usize> = stack.iter().skip(start).map(|(s, _)| *s).collect();
                    let mut key = cycle.clone();
                    key.sort_unstable();
                    if reported.insert(key) {
                        cycles.push(cycle);
                    }
                }
                _ => {}
            }
        }
    }
    (order, cycles)
}

/// Collects every name an expression uses, with its span.
pub fn names_in(e: &Expr, out: &mut Vec<(String, Span)>) {
    match &e.node {
        ExprKind::Lit(_) => {}
        ExprKind::Name(n) => out.push((n.clone(), e.span)),
        ExprKind::Unary(_, x) => names_in(x, out),
        ExprKind::Binary(_, l, r) => {
            names_in(l, out);
            names_in(r, out);
        }
        ExprKind::If(c, t, f) => {
            names_in(c, out);
            names_in(t, out);
            names_in(f, out);
        }
        ExprKind::Call(_, args) => args.iter().for_each(|a| names_in(a, out)),
        ExprKind::Tiers(t) => {
            names_in(&t.subject, out);
            if let Some(p) = &t.prior {
                names_in(p, out);
            }
            for (a, b) in &t.rows {
                names_in(a, out);
                names_in(b, out);
            }
            if let Some(o) = &t.otherwise {
                names_in(o, out);
            }
        }
        ExprKind::Schedule(s) => {
            names_in(&s.base, out);
            for (a, b) in &s.brackets {
                names_in(a, out);
                names_in(b, out);
            }
            if let Some(o) = &s.above {
                names_in(o, out);
            }
        }
    }
}

/// The value of a literal number (with or without a unit), if `e` is one.
fn constant_number(e: &Expr) -> Option<rust_decimal::Decimal> {
    match &e.node {
        ExprKind::Lit(Literal {
            value: LitValue::Quantity(_, d),
            ..
        }) => Some(*d),
        _ => None,
    }
}

/// The common unit of two values that may stand in the same place: equal
/// units, or a bare number beside a rate or a count.
pub fn join(a: Unit, b: Unit) -> Option<Unit> {
    match (a, b) {
        _ if a == b => Some(a),
        (Unit::Number, u @ (Unit::Rate | Unit::Count))
        | (u @ (Unit::Rate | Unit::Count), Unit::Number) => Some(u),
        _ => None,
    }
}

/// Whether `a op b` is a meaningful comparison.
pub fn compare_units(op: CmpOp, a: Unit, b: Unit) -> bool {
    let Some(u) = join(a, b) else { return false };
    match u {
        Unit::Bool | Unit::Text | Unit::Enum(_) | Unit::Set(_) => {
            matches!(op, CmpOp::Eq | CmpOp::Ne)
        }
        _ => true,
    }
}

/// The unit of `a + b` or `a - b`.
pub fn add_units(op: BinaryOp, a: Unit, b: Unit) -> Option<Unit> {
    match (a, b) {
        (Unit::Date, Unit::Duration) => Some(Unit::Date),
        (Unit::Duration, Unit::Date) if op == BinaryOp::Add => Some(Unit::Date),
        (Unit::Duration, Unit::Duration) => Some(Unit::Duration),
        (Unit::Date, Unit::Date) if op == BinaryOp::Sub => Some(Unit::Duration),
        _ => join(a, b).filter(|u| u.is_numeric()),
    }
}

/// The unit of `a × b`.
pub fn mul_units(a: Unit, b: Unit) -> Option<Unit> {
    use Unit::*;
    let scaled = |x: Unit, y: Unit| -> Option<Unit> {
        match (x, y) {
            (Money | Area, Rate | Count | Number) => Some(x),
            (Duration, Count | Number) => Some(Duration),
            (Rate, Rate | Number) => Some(Rate),
            (Rate, Count) | (Count, Count | Number) => Some(Count),
            (Number, Number) => Some(Number),
            _ => None,
        }
    };
    scaled(a, b).or_else(|| scaled(b, a))
}

/// The unit of `a ÷ b`.
pub fn div_units(a: Unit, b: Unit) -> Option<Unit> {
    use Unit::*;
    match (a, b) {
        (Money, Money) | (Area, Area) | (Count, Count) | (Rate, Rate) => Some(Rate),
        (Money | Area | Duration, Rate | Count | Number) => Some(a),
        (Count, Number | Rate) => Some(Count),
        (Rate, Number | Count) => Some(Rate),
        (Number, Number | Count | Rate) => Some(Number),
        _ => None,
    }
}

/// How to write a value of a unit, for help lines.
fn unit_hint(u: Unit) -> &'static str {
    match u {
        Unit::Money => "write money with a magnitude or 元: 5000万, 1.2亿, 300元",
        Unit::Rate => "write a rate as a percentage or a ratio: 15%, 1:1",
        Unit::Duration => "write a duration with its unit: 3 years, 1 month",
        Unit::Area => "write an area with its unit: 100 km2, 5000平方米",
        Unit::Date => "write a date as YYYY-MM-DD",
        _ => "give a value of the declared type",
    }
}

/// Checks an expression written against a checked policy (the REPL's
/// what-if questions): names resolved, units inferred. The diagnostics
/// point into `source`, the expression's own text.
pub fn check_expr(policy: &Policy, source: &SourceFile, e: &Expr) -> Result<Unit, Diagnostics> {
    let mut c = Checker {
        src: source,
        errors: Vec::new(),
        policy: policy.clone(),
        declared_at: HashMap::new(),
        poisoned: std::collections::HashSet::new(),
        poisoned_params: std::collections::HashSet::new(),
        current: None,
        unresolved: false,
    };
    let unit = c.infer(e, &mut Env::Item);
    match unit {
        Some(u) if c.errors.is_empty() => Ok(u),
        _ => Err(Diagnostics(c.errors)),
    }
}
