//! The checker: names, cycles and units, before anything is evaluated.
//!
//! [`check`] turns a parsed [`Program`] into a [`Policy`] (the checked
//! representation, in [`policy`]): declarations collected (here), every
//! name resolved to a [`Symbol`] (`resolve`), params and items put in an
//! order where each comes after what it uses, cycles reported (`order`),
//! every item given a [`Unit`] (`infer`). It reports every error it
//! finds, each with its span, rather than stopping at the first.

mod budget;
mod dated;
mod durations;
mod infer;
mod mu;
mod order;
mod per_record;
pub mod policy;
mod quotients;
mod records;
mod resolve;
mod stacking;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::span::{SourceFile, Span, Spanned};
use crate::units::Unit;

pub use crate::ast::{FactId, ItemId, ParamId, Symbol};
pub use budget::{Allocation, BudgetInfo};
pub use order::topological_order;
pub use policy::*;
pub use resolve::{resolve_names, suggest};

/// Checks a parsed program.
pub fn check(source: &SourceFile, program: &Program) -> Result<Policy, Diagnostics> {
    let mut c = Checker::new(source, Policy::empty(source));
    c.collect(program);
    c.resolve_names();
    c.resolve_types(program);
    c.resolve_records(program);
    c.check_param_cycles();
    c.check_params();
    c.collect_across(program);
    let mut deps = c.dependencies();
    c.across_dependencies(&mut deps);
    c.order_items(&deps);
    c.infer_items();
    c.check_budgets(program);
    c.warn_unrounded();
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

/// The state of one check: the policy being built and the errors found.
/// Its passes are in the files of this module, in pipeline order.
struct Checker<'a> {
    src: &'a SourceFile,
    errors: Vec<Diagnostic>,
    policy: Policy,
    declared_at: HashMap<String, Span>,
    /// Items in a cycle or whose unit could not be found: uses of them are
    /// not reported again, so one mistake gives one error.
    poisoned: HashSet<ItemId>,
    poisoned_params: HashSet<ParamId>,
    /// The item being checked, never suggested as a fix for its own body.
    current: Option<String>,
    /// Set when the item being checked has no unit.
    unresolved: bool,
    /// What the item being checked goes through, when it is written
    /// `for each p in LIST`.
    each: Option<EachInfo>,
    /// Set when the item being checked has a `for each` that could not be
    /// resolved (already reported): its fields are not reported again.
    each_failed: bool,
}

impl<'a> Checker<'a> {
    /// A checker that starts from `policy` (empty for a whole file, a
    /// checked one for an expression typed against it).
    fn new(src: &'a SourceFile, policy: Policy) -> Self {
        Checker {
            src,
            errors: Vec::new(),
            policy,
            declared_at: HashMap::new(),
            poisoned: HashSet::new(),
            poisoned_params: HashSet::new(),
            current: None,
            unresolved: false,
            each: None,
            each_failed: false,
        }
    }
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
                Decl::Policy(h) => self.collect_header(h, &mut header_span),
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
                        span: e.name.span,
                        variant_spans: e.variants.iter().map(|(n, _)| n.span).collect(),
                    });
                }
                Decl::Fact(f) => {
                    let idx = self.policy.facts.len();
                    self.declare(&f.name, Symbol::Fact(FactId(idx)));
                    self.policy.facts.push(FactInfo {
                        name: f.name.node.clone(),
                        unit: Unit::Number,
                        label: f.label.as_ref().map(|l| l.node.clone()),
                        span: f.name.span,
                    });
                }
                Decl::Param(p) => {
                    let idx = self.policy.params.len();
                    self.declare(&p.name, Symbol::Param(ParamId(idx)));
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
                Decl::Record(r) => self.collect_record(r),
                // Tests are run by `crate::testing`; includes are resolved
                // by the host; groups, caps and budgets once every item is
                // known (`stacking`, `budget`).
                Decl::Include(_)
                | Decl::Test(_)
                | Decl::Exclusive(_)
                | Decl::Cap(_)
                | Decl::Budget(_) => {}
            }
        }
    }

    /// The policy header: once, with a validity the calendar can count.
    fn collect_header(&mut self, h: &PolicyHeader, first: &mut Option<Span>) {
        if let Some(prev) = *first {
            self.error(
                Diagnostic::error(Code::Duplicate, "a second policy header")
                    .label(h.span.0, "second header")
                    .label(prev, "first header"),
            );
            return;
        }
        *first = Some(h.span.0);
        if let Some(v) = &h.valid {
            if v.node.to_span().is_none() || v.node.amount <= rust_decimal::Decimal::ZERO {
                self.error(
                    Diagnostic::error(
                        Code::Invalid,
                        format!("a validity of {} cannot be counted on the calendar", v.node),
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
            let idx = ItemId(self.policy.items.len());
            self.declare(&item.name, Symbol::Item(idx));
            items.push(idx);
            self.policy.items.push(ItemInfo {
                ast: item.clone(),
                unit: Unit::Number,
                cites: cites.iter().map(|c| c.node.clone()).collect(),
                measure: measure_idx,
                each: None,
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
            TypeRef::ListOf(n) => return self.list_type(n),
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
}

/// Where an expression stands: a param's value may use only constants.
pub(super) enum Env {
    /// A param's value.
    Constant,
    /// An item's rule or condition.
    Item,
}

/// Checks an expression written against a checked policy (the REPL's
/// what-if questions): names resolved, units inferred. Returns its unit
/// and the expression with its names resolved. The diagnostics point into
/// `source`, the expression's own text.
pub fn check_expr(
    policy: &Policy,
    source: &SourceFile,
    e: &Expr,
) -> Result<(Unit, Expr), Diagnostics> {
    let mut resolved = e.clone();
    resolve::resolve_expr(&mut resolved, &policy.names);
    let mut c = Checker::new(source, policy.clone());
    let unit = c.infer(&resolved, &mut Env::Item);
    match unit {
        Some(u) if c.errors.is_empty() => Ok((u, resolved)),
        _ => Err(Diagnostics(c.errors)),
    }
}
